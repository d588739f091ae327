"""The record fields of schema version 2 from the generic extractor: authors, modified,
description, image, tags, canonical URL (issue #14). Pages written for these tests."""

from __future__ import annotations

import json

from newsarchive.extractors.generic import extract_generic
from newsarchive.normalize import normalize_record
from newsarchive.records import build_record
from newsarchive.schema import validate_record

URL = "https://news.example.org/2024/05/02/ferry-terminal-opens"
PARA = (
    "<p>The harbour authority opened the new ferry terminal on Thursday, two years after "
    "work began, and said the building would handle twice as many passengers.</p>"
)


def page(head: str = "", byline: str = "", extra: str = "") -> str:
    return (
        f"<html lang='en'><head><title>Ferry terminal opens | Example News</title>{head}"
        f"</head><body><header><a href='/'>Example News</a></header><article>"
        f"<h1>Ferry terminal opens</h1>{byline}{PARA}{PARA.replace('two', 'three')}"
        f"</article>{extra}<footer><p>© 2024 Example News</p></footer></body></html>"
    )


def ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --- authors -------------------------------------------------------------------------------


def test_byline_names_without_by_and_role():
    byline = "<p class='byline'>By Jane Doe and Max Muster, Staff Writers | 2 May 2024</p>"
    assert extract_generic(page(byline=byline), URL)["authors"] == ["Jane Doe", "Max Muster"]
    byline = "<div class='author'>Von Jana Müller · 2. Mai 2024</div>"
    assert extract_generic(page(byline=byline), URL)["authors"] == ["Jana Müller"]


def test_jsonld_person_confirmed_by_the_byline():
    head = ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "NewsArticle", "headline": "Ferry", "author": {"@id": "#jane"}},
                {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
            ],
        }
    )
    byline = "<p class='meta'>Posted on 2 May 2024 by <a rel='author' href='/a/jd'>Jane Doe</a></p>"
    assert extract_generic(page(head, byline), URL)["authors"] == ["Jane Doe"]


def test_jsonld_author_without_a_byline_is_kept_but_not_the_publisher():
    head = ld(
        {
            "@type": "NewsArticle",
            "author": [
                {"@type": "Person", "name": "Jane Doe"},
                {"@type": "Organization", "name": "Example News"},
            ],
            "publisher": {"@type": "Organization", "name": "Example News"},
        }
    )
    assert extract_generic(page(head), URL)["authors"] == ["Jane Doe"]


def test_a_meta_author_the_page_never_prints_is_not_an_author():
    head = "<meta name='author' content='Example Media Holdings GmbH'>"
    assert extract_generic(page(head), URL)["authors"] == []
    head = "<meta name='author' content='Jane Doe'>"
    byline = "<p>Text and photos: Jane Doe</p>"
    assert extract_generic(page(head, byline), URL)["authors"] == ["Jane Doe"]


def test_comment_authors_are_not_the_article_authors():
    comments = (
        "<div id='comments'><div class='comment'><span class='comment-author'>Troll 99</span>"
        "<p>First!</p></div></div>"
    )
    assert extract_generic(page(extra=comments), URL)["authors"] == []


# --- the other fields ----------------------------------------------------------------------


def test_description_image_tags_canonical_and_modified():
    head = (
        "<meta property='og:description' content='The new  terminal &amp;#8211; open.'>"
        "<meta name='description' content='Other text.'>"
        "<meta property='og:image' content='/img/terminal.jpg'>"
        "<link rel='canonical' href='/2024/05/02/ferry-terminal-opens'>"
        "<meta property='article:tag' content='Harbour'>"
        "<meta property='article:tag' content='Ferries'>"
        "<meta name='keywords' content='harbour, transport'>"
        "<meta property='article:published_time' content='2024-05-02T09:00:00+02:00'>"
        "<meta property='article:modified_time' content='2024-05-03T10:30:00+02:00'>"
    )
    extra = "<p class='tags'><a rel='tag' href='/tag/port'>Port</a></p>"
    rec = extract_generic(page(head, extra=extra), URL)
    assert rec["description"] == "The new terminal – open."
    assert rec["image"] == "https://news.example.org/img/terminal.jpg"
    assert rec["canonical_url"] == URL
    assert rec["tags"] == ["Harbour", "Ferries", "transport", "Port"]
    assert rec["published"] == "2024-05-02T09:00:00+02:00"
    assert rec["modified"] == "2024-05-03T10:30:00+02:00"
    assert rec["modified_raw"] == "2024-05-03T10:30:00+02:00"


def test_jsonld_sources_and_og_url_as_fallbacks():
    head = (
        ld(
            {
                "@type": "BlogPosting",
                "datePublished": "2024-05-02",
                "dateModified": "2024-05-04",
                "description": "A post.",
                "image": {"@type": "ImageObject", "url": "https://cdn.example.org/a.png"},
                "keywords": ["harbour", "Harbour", "ferry"],
            }
        )
        + "<meta property='og:url' content='https://news.example.org/ferry'>"
    )
    rec = extract_generic(page(head), URL)
    assert (rec["modified"], rec["description"], rec["image"]) == (
        "2024-05-04",
        "A post.",
        "https://cdn.example.org/a.png",
    )
    assert rec["tags"] == ["harbour", "ferry"]
    assert rec["canonical_url"] == "https://news.example.org/ferry"


def test_nothing_is_invented():
    rec = extract_generic(page(), URL)
    assert rec["authors"] == [] and rec["tags"] == []
    for name in ("modified", "modified_raw", "description", "image", "canonical_url"):
        assert rec[name] is None, name


def test_a_modification_before_the_publication_is_not_taken():
    head = (
        "<meta property='article:published_time' content='2024-05-02T09:00:00+02:00'>"
        "<meta property='article:modified_time' content='2020-01-01T00:00:00+00:00'>"
        "<meta property='og:image' content='javascript:void(0)'>"
    )
    rec = extract_generic(page(head), URL)
    assert rec["modified"] is None and rec["modified_raw"] is None
    assert rec["image"] is None


def test_records_with_the_new_fields_are_valid():
    head = (
        "<meta property='og:description' content='Line one\nline two'>"
        "<meta name='keywords' content='a,, b ,a'>"
        "<meta property='article:modified_time' content='2024-05-03'>"
    )
    byline = "<span class='byline'>By Jane  Doe</span>"
    fields = extract_generic(page(head, byline), URL)
    record = build_record(
        "generic",
        {**fields, "site": "generic"},
        url=URL,
        fetched_at="2024-05-04T10:00:00Z",
        warc={
            "file": "x.warc.gz",
            "offset": 0,
            "length": 10,
            "record_id": "<urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427>",
        },
    )
    normalize_record(record)
    assert validate_record(record) == []
    assert record["schema_version"] == 2
    assert record["authors"] == ["Jane Doe"] and record["tags"] == ["a", "b"]
    assert list(record)[-4:] == ["fetched_at", "warc", "version", "previous"]
