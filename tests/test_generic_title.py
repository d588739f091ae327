"""Generic extraction: choosing the headline."""

from newsarchive.extractors.generic import extract_generic

BODY = "<p>" + "Some article text, long enough to be a paragraph of the story. " * 3 + "</p>"


def title_of(head: str, body: str) -> str:
    return extract_generic(
        f"<html><head>{head}</head><body>{body}{BODY}</body></html>", "https://example.com/a"
    )["title"]


def test_h1_confirmed_by_title_tag_wins():
    head = "<title>Budget approved after long debate | Daily Example</title>"
    body = "<h1><a href='/'>Daily Example</a></h1><h1>Budget approved after long debate</h1>"
    assert title_of(head, body) == "Budget approved after long debate"


def test_h1_confirmed_by_og_title():
    head = (
        "<title>Daily Example</title>"
        "<meta property='og:title' content='Budget  approved after debate'>"
    )
    assert title_of(head, "<h1>Budget approved after debate</h1>") == "Budget approved after debate"


def test_og_title_without_site_name_when_no_h1_matches():
    head = (
        "<title>Whatever - Daily Example</title><meta property='og:site_name' "
        "content='Daily Example'><meta property='og:title' "
        "content='Council passes budget - Daily Example'>"
    )
    body = "<aside class='widget'><h1>Latest news</h1></aside>"
    assert title_of(head, body) == "Council passes budget"


def test_title_tag_without_site_name_as_last_resort():
    assert title_of("<title>Council passes budget | Daily Example</title>", "") == (
        "Council passes budget"
    )


def test_jsonld_headline_confirms_h1():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Mayor resigns"}</script><title>News</title>'
    )
    assert title_of(head, "<h1>Mayor resigns</h1>") == "Mayor resigns"


def test_printed_h1_wins_over_a_rewritten_og_title():
    head = (
        "<title>Ferry terminal opens: what changes | Daily Example</title>"
        "<meta property='og:title' content='New ferry terminal: 7 things to know'>"
    )
    body = "<div class='sidebar-off'><h1>Ferry terminal opens after two years</h1></div>"
    assert title_of(head, body) == "Ferry terminal opens after two years"


def test_site_name_h1_and_navigation_h1_are_not_headlines():
    head = "<title>Ferry terminal opens | Harbour Blog</title>"
    body = (
        "<nav><h1 class='screen-reader-text'>Main menu</h1></nav>"
        "<h1 class='site-title'><a href='https://example.com/' rel='home'>Harbour Blog</a></h1>"
        "<article><h1 class='entry-title'>Ferry terminal opens</h1></article>"
    )
    assert title_of(head, body) == "Ferry terminal opens"


def test_kicker_and_date_inside_the_h1_are_left_out():
    body = (
        "<h1><span class='supertitle'><time datetime='2024-05-02'>2 May 2024</time></span>"
        "<span class='kicker'>Harbour</span> Ferry terminal opens after two years</h1>"
    )
    assert title_of("<title>Example</title>", body) == "Ferry terminal opens after two years"
    body = (
        "<h1><span class='ts-overline'>Harbour</span><span>: </span>"
        "<span class='ts-headline'>Ferry terminal opens</span></h1>"
    )
    assert title_of("<title>Example</title>", body) == "Ferry terminal opens"


def test_h1_with_a_kicker_before_the_og_title_gives_the_og_title():
    head = "<meta property='og:title' content='Ferry terminal opens after two years'>"
    body = "<h1>Harbour news: Ferry terminal opens after two years</h1>"
    assert title_of(head, body) == "Ferry terminal opens after two years"


def test_entities_escaped_twice_in_metadata_are_decoded():
    head = "<meta property='og:title' content='Boats &amp;#038; ferries &amp;#8211; a guide'>"
    assert title_of(head, "") == "Boats & ferries – a guide"


def test_site_name_at_the_end_of_og_title_removed_without_og_site_name():
    head = "<meta property='og:title' content='Ferry terminal opens after two years - La Gazzetta'>"
    assert title_of(head, "") == "Ferry terminal opens after two years"
    head = "<meta property='og:title' content='Ferry terminal opens - a project'>"
    assert title_of(head, "") == "Ferry terminal opens - a project"
