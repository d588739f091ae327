"""Generic extraction: finding and parsing the publication date honestly."""

from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest

from newsarchive.extractors.generic import extract_generic
from newsarchive.extractors.generic.published import find_published

BODY = "<p>" + "Some article text, long enough to be a paragraph of the story. " * 3 + "</p>"
CAPTURED = datetime(2014, 5, 3, 9, 30, tzinfo=UTC)


def published(head="", body="", *, lang="en", url="https://example.com/a", captured_at=None):
    html = (
        f"<html lang='{lang}'><head>{head}</head><body><article><h1>Title here</h1>"
        f"{body}{BODY}</article></body></html>"
    )
    return extract_generic(html, url, captured_at=captured_at)["published"]


def test_meta_value_keeps_its_utc_offset():
    head = "<meta property='article:published_time' content='2014-05-02T14:12:00+05:00'>"
    assert published(head) == "2014-05-02T14:12:00+05:00"
    head = "<meta property='article:published_time' content='2014-05-02T09:12:00Z'>"
    assert published(head) == "2014-05-02T09:12:00+00:00"


def test_jsonld_date_published_not_date_modified():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"dateModified": "2015-01-01T00:00:00+04:00", '
        '"datePublished": "2014-05-02T14:12:00+04:00"}</script>'
        "<meta property='article:modified_time' content='2015-01-01T00:00:00+04:00'>"
    )
    assert published(head) == "2014-05-02T14:12:00+04:00"


def test_day_only_when_the_page_gives_no_time_or_no_offset():
    assert published("<meta name='date' content='2014-05-02'>") == "2014-05-02"
    # a wall time in an unknown zone: the day is honest, the instant would be a guess
    assert published("<meta name='pubdate' content='2014-05-02 14:12'>") == "2014-05-02"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "May 2, 2014"),
        ("en", "2 May 2014"),
        ("az", "2 May 2014"),
        ("az", "2 may 2014-cü il"),
        ("ru", "2 мая 2014 г."),
        ("tr", "2 Mayıs 2014"),
        ("de", "2. Mai 2014"),
        ("fr", "2 mai 2014"),
        ("es", "2 de mayo de 2014"),
    ],
)
def test_month_names_in_each_language(lang, text):
    assert published(body=f"<span class='date'>{text}</span>", lang=lang) == "2014-05-02"


@pytest.mark.parametrize(
    ("lang", "text"),
    [("de", "02.05.2014"), ("en-GB", "02/05/2014"), ("ru", "02.05.2014"), ("en-US", "05/02/2014")],
)
def test_numeric_dates_follow_the_page_language(lang, text):
    assert published(body=f"<div class='post-date'>{text}</div>", lang=lang) == "2014-05-02"


def test_visible_offset_is_kept():
    body = "<span class='date'>02.05.2014 14:12 (UTC +04:00)</span>"
    assert published(body=body, lang="az") == "2014-05-02T14:12:00+04:00"


def test_yearless_and_relative_dates_resolve_against_capture_time():
    body = "<span class='date'>2 May, 15:49</span>"
    assert published(body=body, captured_at=CAPTURED) == "2014-05-02"
    body = "<span class='date'>today, 15:49 (UTC +04:00)</span>"
    assert published(body=body, captured_at=CAPTURED) == "2014-05-03T15:49:00+04:00"


def test_null_rather_than_a_guess():
    # yearless without a capture time
    assert published(body="<span class='date'>2 May, 15:49</span>") is None
    # a year alone, or a year and month, is never padded to a day
    assert published(body="<span class='date'>2014</span>") is None
    assert published(url="https://example.com/2014/05/story.html") is None
    # nothing at all
    assert published() is None


def test_date_after_capture_is_not_believed():
    head = "<meta property='article:published_time' content='2030-01-01T10:00:00+00:00'>"
    assert published(head, captured_at=CAPTURED) is None


def test_url_date_when_the_page_has_nothing_else():
    assert published(url="https://example.com/2014/05/02/story/") == "2014-05-02"
    assert published(url="https://example.com/news/20140502-story.html") == "2014-05-02"


def test_printed_date_next_to_the_headline_not_in_related_lists():
    body = "<p class='byline'>By A. Writer, 2. Mai 2014</p>"
    html = (
        "<html lang='de'><body><div class='related'><ul><li>1. Januar 2010</li></ul></div>"
        f"<article><h1>Titel</h1>{body}{BODY}</article></body></html>"
    )
    assert extract_generic(html, "https://example.de/a")["published"] == "2014-05-02"


def test_published_raw_is_the_printed_text():
    body = "<time datetime='2014-05-02T14:12:00+04:00'>2 May 2014, 14:12</time>"
    rec = extract_generic(
        f"<html><body><article><h1>T</h1>{body}{BODY}</article></body></html>",
        "https://example.com/a",
    )
    assert rec["published"] == "2014-05-02T14:12:00+04:00"
    assert rec["published_raw"] == "2 May 2014, 14:12"


# --- parsing printed dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "Von Redaktion 2.\u2009 5.\u2009 2014."),  # spaced dotted numerals
        ("cs", "2. 5. 2014"),
        ("en-US", "02.05.2014"),  # dots are day first even where slashes are month first
        ("it", "2 maggio 2014"),
        ("pt", "2 de maio de 2014"),
        ("nl", "2 mei 2014"),
    ],
)
def test_more_printed_forms(lang, text):
    assert published(body=f"<span class='date'>{text}</span>", lang=lang) == "2014-05-02"


def test_a_range_of_days_gives_its_first_day():
    body = "<span class='date'>Wochenbericht 2. - 8. Mai 2014</span>"
    assert published(body=body, lang="de") == "2014-05-02"
    assert published(body="<span class='date'>2-8 May 2014</span>") == "2014-05-02"


def test_date_parts_in_separate_elements():
    body = (
        "<div class='date'><span class='month'>May</span> <span class='day'>02</span>"
        "<span class='year'>2014</span></div>"
    )
    assert published(body=body) == "2014-05-02"


# --- machine values -------------------------------------------------------------------------


def test_sloppy_jsonld_is_still_read():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2014-05-02T14:12:00+04:00"}}\n</script>'
    )
    assert published(head) == "2014-05-02T14:12:00+04:00"


def test_jsonld_and_meta_disagree_the_printed_date_decides():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2014-04-20T10:00:00+02:00"}</script>'
        "<meta property='article:published_time' content='2014-05-02T10:00:00+02:00'>"
    )
    body = "<time datetime='2014-05-02T10:00:00+02:00'>2 May 2014</time>"
    assert published(head, body) == "2014-05-02T10:00:00+02:00"
    # agreeing with nothing printed, JSON-LD keeps its precedence
    assert published(head) == "2014-04-20T10:00:00+02:00"


def test_generic_meta_date_gives_way_to_a_nearby_printed_date():
    head = "<meta name='date' content='2014-05-09'>"
    body = "<div class='post-date'>02.05.2014</div>"
    assert published(head, body, lang="de") == "2014-05-02"
    # a printed date years away is the day's date of the site header, not the article's
    body = "<div class='post-date'>02.05.2019</div>"
    assert published(head, body, lang="de") == "2014-05-09"
    # a publication key proper is not overruled
    head = "<meta property='article:published_time' content='2014-05-09'>"
    assert published(head, "<div class='post-date'>02.05.2014</div>", lang="de") == "2014-05-09"


def test_page_printing_its_modification_day_as_its_date():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2012-01-10T10:00:00Z", "dateModified": "2014-05-02T08:00:00Z"}'
        "</script>"
    )
    assert published(head, "<div class='date'>02.05.2014</div>") == "2014-05-02"
    assert published(head, "<div class='date'>10.01.2012</div>")[:10] == "2012-01-10"
    # a "modification" before the publication (a scheduled post) is no republication
    head = head.replace("2012-01-10", "2014-05-20")
    assert published(head, "<div class='date'>02.05.2014</div>")[:10] == "2014-05-20"


def test_update_marked_parts_of_a_date_element_are_left_out():
    body = (
        "<div class='post-meta'><span class='updated'>2014-05-09T10:00:00+02:00</span>"
        "<span>2. Mai 2014</span></div>"
    )
    assert published(body=body, lang="de") == "2014-05-02"


def test_utc_instant_and_a_printed_day_that_cannot_be_its_local_time():
    head = "<meta property='article:published_time' content='2014-05-02T12:30:00+00:00'>"
    # 12:30 UTC cannot be 15:10 of the day before anywhere
    body = "<span class='date'>01/05/2014 - 15:10</span>"
    assert published(head, body, lang="es") == "2014-05-02T12:30:00+00:00"
    # but 01:30 of the next day is 12:30 UTC at +13:00
    head = "<meta property='article:published_time' content='2014-05-01T12:30:00+00:00'>"
    body = "<span class='date'>02/05/2014 - 01:30</span>"
    assert published(head, body, lang="es") == "2014-05-02"


def test_site_own_meta_key_and_script_data_as_last_resorts():
    assert published("<meta name='bt:pubdate' content='2014-05-02'>") == "2014-05-02"
    head = '<script type="application/json">{"publishedDate":"2014-05-02T10:00:00Z"}</script>'
    assert published(head) == "2014-05-02T10:00:00+00:00"
    # never before a printed date
    assert published(head, "<span class='date'>3 May 2014</span>") == "2014-05-03"


# --- where printed dates belong -------------------------------------------------------------


def test_markup_of_teasers_and_links_to_other_pages_is_skipped():
    teaser = "<a href='/other'><time pubdate datetime='2014-06-01T10:00:00Z'>1 June</time></a>"
    own = "<span itemprop='datePublished' content='2014-05-02T10:00:00+02:00'>2 May</span>"
    assert published(body=teaser + own) == "2014-05-02T10:00:00+02:00"
    # a permalink to the page itself is the page's own date
    permalink = (
        "<a href='https://example.com/a'><abbr class='published' "
        "title='2014-05-02T10:00:00+02:00'>10:00</abbr></a>"
    )
    assert published(body=permalink) == "2014-05-02T10:00:00+02:00"
    # an <article> of a list of other articles
    html = (
        "<html><body><header><h1>Title</h1>"
        "<time datetime='2014-05-02T10:00:00+02:00'>2 May 2014</time></header>"
        "<article><p>Story</p></article><article><h3>Other</h3>"
        "<time pubdate datetime='2014-06-01T10:00:00Z'>1 June</time></article></body></html>"
    )
    assert extract_generic(html, "https://example.com/a")["published"][:10] == "2014-05-02"


def test_date_element_in_a_link_elsewhere_is_not_the_article_date():
    body = "<a class='logo' href='/'><span class='date-edition'>Mon 5 May 2014</span></a>"
    body += "<p class='byline'>Par X, 2 mai 2014</p>"
    assert published(body=body, lang="fr") == "2014-05-02"


@pytest.mark.parametrize(
    ("lang", "body"),
    [
        ("fr", "<ul class='sidebar'><li><p>Mise en ligne</p><p>2 mai 2014</p></li></ul>"),
        (
            "de",
            "<div class='footer'>Letzte Änderung: 09.05.2014<br>Erschienen am: 02.05.2014</div>",
        ),
        ("en", "<div>Published on: May 2, 2014</div>"),
        ("es", "<div class='sidebar'>Publicado el 2 de mayo de 2014</div>"),
        ("tr", "<div class='widget'>Yayınlanma: 02.05.2014</div>"),
        ("ru", "<div class='footer'>Опубликовано: 2 мая 2014</div>"),
    ],
)
def test_publication_cues(lang, body):
    assert published(body=body, lang=lang) == "2014-05-02"


def test_date_next_to_a_link_to_the_page_itself():
    html = (
        "<html lang='de'><body><article><h1>Titel</h1>" + BODY + "</article>"
        "<div class='sidebar'><ul><li><a href='https://example.de/blog/titel/'>Titel</a>"
        "<span class='post-date'>02/05/2014</span></li>"
        "<li><a href='https://example.de/blog/other/'>Other</a>"
        "<span class='post-date'>01/04/2014</span></li></ul></div></body></html>"
    )
    assert extract_generic(html, "https://example.de/blog/titel/")["published"] == "2014-05-02"


def test_web_archive_address_is_not_a_publication_date():
    url = "https://web.archive.org/web/20160218/http://example.com/story.html"
    assert published(url=url) is None
    url = "https://web.archive.org/web/20160218174457/http://example.com/2014/05/02/story/"
    assert published(url=url) == "2014-05-02"


def test_malformed_links_do_not_break_extraction():
    html = (
        "<html><body><article><h1>T</h1>" + BODY + "</article><ul>"
        "<li><a href='https://[not-an-address]/x'>a</a></li>"
        "<li><a href='/b'>b</a></li></ul></body></html>"
    )
    assert extract_generic(html, "https://example.com/a")["title"] == "T"


def test_find_published_reads_printed_times_in_the_zone_given():
    # ``tz`` is a tzinfo, as newsarchive.dates takes (it was annotated ``str``, and a
    # string there made every printed date fail to parse, silently)
    root = lxml.html.fromstring(
        f"<html><body><article><h1>Title here</h1><span class='date'>2 May 2014 14:12</span>"
        f"{BODY}</article></body></html>"
    )
    url = "https://example.com/a"
    baku = timezone(timedelta(hours=4))
    found = find_published(root, url, [], captured_at=CAPTURED, tz=baku)
    assert found is not None and found.iso == "2014-05-02T14:12:00+04:00"
    found = find_published(root, url, [], captured_at=CAPTURED)
    assert found is not None and found.iso == "2014-05-02"


# --- weaknesses found on the tuned part of the dev corpus (issue #14), one class each --------


def page(body, *, lang="en", head=""):
    """A page with the given ``<body>`` content (no article wrapper)."""
    return f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


def test_the_day_in_the_site_header_is_not_the_article_date():
    # the site's masthead prints the day of the visit; the story prints its own date
    masthead = (
        "<header class='site-header'><a href='/'><img alt='Daily Gazette'></a>"
        "<div class='top-bar'><span class='date'>Thursday, 9 May 2014</span></div></header>"
    )
    story = f"<main><h1>Title here</h1><p>By A. Writer, 2 May 2014</p>{BODY}</main>"
    rec = extract_generic(page(masthead + story), "https://example.com/a")
    assert rec["published"] == "2014-05-02"
    # the same with a <time> in the masthead and the headline in an <h2> (no <h1>)
    masthead = "<div class='td-header-wrap'><time datetime='2014-05-09'>9 May 2014</time></div>"
    story = f"<div class='story'><h2>Title</h2><p>02 May 2014, 10:15 GMT+10</p>{BODY}</div>"
    rec = extract_generic(page(masthead + story), "https://example.com/a")
    assert rec["published"] == "2014-05-02T10:15:00+10:00"


def test_the_site_name_in_an_h1_does_not_make_the_header_the_article_header():
    masthead = (
        "<header><h1><a href='/' class='logo'>Gazette</a></h1>"
        "<span class='edition'><span>Friday, </span>09.05.2014</span></header>"
    )
    story = f"<h1>Titel</h1><p class='sub'>Untertitel</p><div>02.05.2014</div>{BODY}"
    assert extract_generic(page(masthead + story, lang="de"), "https://e.de/a")["published"] == (
        "2014-05-02"
    )


def test_an_article_header_with_its_date_is_not_the_site_header():
    body = (
        "<article><header class='entry-header'><h1>Title</h1>"
        "<span class='posted-on'>May 2, 2014</span></header>" + BODY + "</article>"
    )
    assert extract_generic(page(body), "https://example.com/a")["published"] == "2014-05-02"


def test_the_masthead_day_is_a_last_resort_on_a_page_with_no_other_date():
    # a front page: the day it shows is the only date it has
    body = (
        "<div class='header'><div class='date'>Miércoles, 2 de mayo de 2014</div></div>"
        "<div class='news'><h2><a href='/x'>Noticia uno</a></h2>"
        "<h2><a href='/y'>Noticia dos</a></h2></div>"
    )
    assert extract_generic(page(body, lang="es"), "https://example.es/")["published"] == (
        "2014-05-02"
    )


def test_a_comment_permalink_is_not_the_page_listed_among_recent_posts():
    url = "https://blog.example.com/2014/05/story/"
    comments = (
        "<ol class='comment-list'><li class='comment'><article class='comment-body'>"
        "<footer class='comment-meta'><div class='comment-metadata'>"
        f"<a href='{url}#comment-12'>9 May 2014 at 10:15</a></div></footer>"
        "<p>Nice post!</p></article></li></ol>"
    )
    body = f"<article><h1>Story</h1>{BODY}</article>{comments}"
    assert extract_generic(page(body), url)["published"] is None
    # a link to the page's comments in its byline is the page's own entry
    byline = (
        "<p class='entry-meta'>May 2, 2014 by A. Writer "
        f"<span class='entry-comments-link'><a href='{url}#comments'>5 Comments</a></span></p>"
    )
    body = f"<article><h1>Story</h1>{byline}{BODY}</article>{comments}"
    assert extract_generic(page(body), url)["published"] == "2014-05-02"


def test_dates_of_teasers_and_lists_of_other_pages_are_skipped():
    teaser = (
        "<div class='teaser-box'><a href='/other-story'><p>Other story</p>"
        "<time datetime='2013-10-21T10:00:00+02:00'>21.10.2013</time></a></div>"
    )
    most_read = (
        "<div class='article-mostviewed'><div class='article'>"
        "<span class='timestamp'>01.04.2014</span></div></div>"
    )
    own = "<div class='meta'><span class='datum'>02.05.2014</span></div>"
    body = f"<article><h1>Titel</h1>{teaser}{most_read}{BODY}{own}</article>"
    assert extract_generic(page(body, lang="de"), "https://e.de/a")["published"] == "2014-05-02"
    # a date in the page's own lead (its "teaser", linking nowhere) is its date
    lead = "<figure class='teaser'><div class='info'><span class='date'>02.05.2014</span></div>"
    lead += "<figcaption>Foto</figcaption></figure>"
    body = f"<main><h1>Titel</h1>{lead}{BODY}</main>"
    assert extract_generic(page(body, lang="de"), "https://e.de/a")["published"] == "2014-05-02"


def test_printed_dates_in_list_items_linking_elsewhere_are_skipped():
    related = (
        "<ul class='clln'><li class='clln--it'><a href='/a-story'>A story</a>"
        "<div class='timestamp'>Apr 30, 2014</div></li></ul>"
    )
    body = f"<h1>Title</h1>{related}<p>By A. Writer</p><p>May 2, 2014</p>{BODY}"
    assert extract_generic(page(body), "https://example.com/b")["published"] == "2014-05-02"


def test_a_printed_date_labelled_as_the_update_is_not_the_publication():
    byline = (
        "<p><span class='ts'><time>2 May 2014, 22:00 GMT</time></span> | "
        "<span class='ts'><span>Updated:</span> <time>4 May 2014, 08:39 GMT</time></span></p>"
    )
    body = f"{byline}<h1>Title</h1>{BODY}"
    assert extract_generic(page(body), "https://example.com/a")["published"] == (
        "2014-05-02T22:00:00+00:00"
    )
    # "Update vom 3. Mai": the same, in German
    body = f"<h1>Titel</h1><p>(Update vom 4. Mai 2014)</p>{BODY}"
    assert extract_generic(page(body, lang="de"), "https://e.de/a")["published"] is None


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("it", "( Roma, 2 Maggio 14 )", "2014-05-02"),  # a two-digit year after the month
        ("en", "2-May-14", "2014-05-02"),
        ("en", "May 02 14:12 2014", "2014-05-02"),  # asctime: the time before the year
        ("en", "Fri May  2 14:12:00 2014", "2014-05-02"),
    ],
)
def test_short_years_and_asctime(lang, text, expected):
    body = f"<h1>Title</h1><em>{text}</em>{BODY}"
    assert extract_generic(page(body, lang=lang), "https://example.com/a")["published"] == (
        expected
    )


def test_a_two_digit_number_after_a_month_is_a_year_only_when_nothing_follows():
    # "2 May 14 people" is not a date of 2014; "2 May 20:30" is a time
    for text in ("On 2 May 14 people were hurt.", "2 May 20:30", "2 mai 20h30"):
        body = f"<h1>Title</h1><p>{text}</p>{BODY}"
        assert extract_generic(page(body), "https://example.com/a")["published"] is None


def test_a_one_digit_day_in_the_url_only_before_a_slash():
    # /2014/05/3-questions: a post of May 2014 titled "3 questions", no day
    assert published(url="https://example.com/2014/05/3-questions-for/") is None
    assert published(url="https://example.com/2014/5/2/story") == "2014-05-02"
    assert published(url="https://example.com/2014/05/02-story") == "2014-05-02"


@pytest.mark.parametrize(
    "cue",
    [
        "First published",
        "Publication date",
        "Posted on",
        "VERÖFFENTLICHT AM",
        "Erschienen am",
        "Mise en ligne le",
        "Paru le",
        "Fecha de publicación",
        "Pubblicato il",
        "Gepubliceerd op",
        "YAYINLANMA",
        "Dərc edilib",
        "Опубликовано",
        "Дата публикации",
    ],
)
def test_every_cue_passes_the_quick_check_for_cues(cue):
    from newsarchive.extractors.generic.published import _CUE, _CUE_STEMS

    assert _CUE.search(cue)
    assert any(stem in cue.lower() for stem in _CUE_STEMS)
