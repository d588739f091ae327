"""Generic extraction: finding and parsing the publication date honestly."""

from datetime import UTC, datetime

import pytest

from newsarchive.extractors.generic import extract_generic

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
