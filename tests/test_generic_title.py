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
    assert title_of(head, "<h1>Latest news</h1>") == "Council passes budget"


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
