"""``newsarchive.extract(html, url)``: the right extractor for the URL, one record's fields."""

from __future__ import annotations

from datetime import UTC, datetime

import newsarchive
from newsarchive.extractors import layout_for_url

BAKUTEL = """<html><head><meta charset="utf-8"><title>BakuTel - Nar expands 4G</title></head>
<body><div class="path"><a href="/en/news/top/">Top News</a></div>
<div class="news"><div class="news-date">02.05.2014 14:12</div>
<h1 class="news-title">Nar expands 4G</h1>
<div class="news-text"><p>The operator launched new stations.</p></div></div>
<div id="footer">BakuTel is Copyright &copy; 2000-2021 All rights reserved.</div></body></html>"""

GENERIC = """<html lang="de"><head><meta charset="utf-8">
<title>Neue Brücke eröffnet | Zeitung</title>
<meta property="og:title" content="Neue Brücke eröffnet">
<meta property="article:published_time" content="2021-03-04T10:15:00+01:00"></head>
<body><nav><a href="/">Start</a> <a href="/politik/">Politik</a></nav>
<article><h1>Neue Brücke eröffnet</h1>
<p>Die neue Brücke über den Fluss wurde am Donnerstag nach drei Jahren Bauzeit feierlich
eröffnet, wie die Stadtverwaltung mitteilte.</p>
<p>Rund zweitausend Menschen kamen zur Eröffnung, die von einem Volksfest begleitet wurde,
das bis in den späten Abend dauerte.</p></article>
<footer><p>© 2021 Zeitung GmbH</p></footer></body></html>"""


def test_known_layouts_by_host():
    assert layout_for_url("https://en.trend.az/business/economy/1.html") == "trend"
    assert layout_for_url("https://www.bakutel.az/en/news/1.html") == "bakutel"
    assert layout_for_url("https://nottrend.az/x") is None
    assert layout_for_url("https://example.com/trend.az/x") is None


def test_a_bakutel_url_uses_the_bakutel_extractor():
    fields = newsarchive.extract(BAKUTEL.encode(), "https://bakutel.az/en/news/4412.html")
    assert fields["site"] == "bakutel"
    assert fields["title"] == "Nar expands 4G"
    assert fields["published"] == "2014-05-02T14:12:00+05:00"  # Baku summer time in 2014
    assert fields["section"] == "Top News"
    assert fields["body"] == "The operator launched new stations."


def test_any_other_page_uses_the_generic_extractor():
    fields = newsarchive.extract(
        GENERIC, "https://zeitung.example/politik/neue-bruecke-eroeffnet-123.html",
        captured_at=datetime(2021, 3, 5, tzinfo=UTC),
    )  # fmt: skip
    assert fields["site"] == "generic"
    assert fields["title"] == "Neue Brücke eröffnet"
    assert fields["published"] == "2021-03-04T10:15:00+01:00"
    assert fields["lang"] == "de"
    assert fields["body"].startswith("Die neue Brücke über den Fluss")
    assert "Start" not in fields["body"]
    assert fields["boilerplate"]["copyright"] == "© 2021 Zeitung GmbH"
