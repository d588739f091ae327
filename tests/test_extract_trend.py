"""Trend-style article extraction, rule by rule, on small hand-written pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsarchive.extractors import extract_layout, extract_trend
from newsarchive.extractors.common import is_dateline

URL = "https://en.trend.az/business/economy/3835140.html"
#: The fields of schema version 2 a page without such metadata leaves empty.
NO_METADATA = {
    "authors": [],
    "modified": None,
    "modified_raw": None,
    "description": None,
    "image": None,
    "tags": [],
    "canonical_url": None,
}
FIELDS = {
    *NO_METADATA,
    "url",
    "site",
    "lang",
    "title",
    "published",
    "published_raw",
    "dateline",
    "section",
    "body",
    "boilerplate",
}

LEAD = "<p>The ministry announced the new programme on Friday.</p>"
RAILS = """
  <aside class="latest-block">
    <ul class="news-list with-images">
      <li><a href="https://en.trend.az/business/energy/1.html">
        <div class="image"><img data-src="/x.jpg" alt="">
          <div class="photo-caption">Oil up</div></div>
        <h4>Oil up</h4></a></li>
    </ul>
    <div class="bars-widget"><div class="loader">Loading Bars</div></div>
    <ul class="news-list">
      <li><a href="/world/other/2.html"><h4>UN   calls
        for talks</h4><span class="date-time">15 November 10:31 (UTC+04)</span></a></li>
    </ul>
    <a class="all-news" href="/latest/">All news</a>
  </aside>"""
FOOTER = """<footer class="site-footer">
  <p class="copyright">&copy; 2006-2020
     Trend News Agency.  All rights reserved.</p></footer>"""


def page(
    *,
    head: str = "",
    lang: str | None = "en",
    h1: str = "Azerbaijan, Uzbekistan discuss transport corridor",
    date: str | None = "15 May 2020 17:40 (UTC +04:00)",
    article_meta: str = "",
    content: str = "<p>BAKU, Azerbaijan, May 15</p>" + LEAD,
    rails: str = RAILS,
    footer: str = FOOTER,
) -> str:
    """A Trend-style article page with the given parts."""
    lang_attr = f' lang="{lang}"' if lang else ""
    date_html = f'<span class="date-time">{date}</span>' if date is not None else ""
    return f"""<!DOCTYPE html><html{lang_attr}><head><meta charset="utf-8">
<title>{h1} - Trend.Az</title>{head}</head><body>
<header class="site-header"><nav class="main-menu"><a href="/latest/">All news</a></nav></header>
<main class="container">
  <article class="article-page">{article_meta}
    <div class="breadcrumbs"><a href="/business/">Business</a></div>
    <h1>{h1}</h1>
    {date_html}
    <div class="article-content article-paddings">{content}</div>
  </article>{rails}
</main>{footer}</body></html>"""


def extract(html: str, url: str = URL, **kwargs) -> dict:
    return extract_trend(html.encode("utf-8"), url, **kwargs)


# --- the whole record ------------------------------------------------------------------------


def test_a_complete_page_gives_every_field():
    record = extract(page())
    assert set(record) == FIELDS
    assert record == {
        "url": URL,
        "site": "trend",
        "lang": "en",
        "title": "Azerbaijan, Uzbekistan discuss transport corridor",
        "published": "2020-05-15T17:40:00+04:00",
        "published_raw": "15 May 2020 17:40 (UTC +04:00)",
        "dateline": "BAKU, Azerbaijan, May 15",
        "section": "business/economy",
        "body": "The ministry announced the new programme on Friday.",
        "boilerplate": {
            "headlines": [
                {"title": "Oil up", "url": "https://en.trend.az/business/energy/1.html"},
                {"title": "UN calls for talks", "url": "https://en.trend.az/world/other/2.html"},
            ],
            "rates": [],
            "copyright": "© 2006-2020 Trend News Agency. All rights reserved.",
        },
        **NO_METADATA,
    }


def test_extract_layout_dispatches_and_rejects_unknown_layouts():
    html = page()
    assert extract_layout("trend", html, URL) == extract(html)
    with pytest.raises(ValueError, match="unknown layout"):
        extract_layout("nosuch", html, URL)


# --- title, lang, section --------------------------------------------------------------------


def test_title_is_the_first_h1_as_printed_with_azerbaijani_capitals():
    record = extract(page(h1="ŞƏHƏRDƏ  İKT   SƏRGİSİ: Çöl, Ğ, Ö, Ü", lang="az"))
    assert record["title"] == "ŞƏHƏRDƏ İKT SƏRGİSİ: Çöl, Ğ, Ö, Ü"
    assert record["lang"] == "az"


def test_title_is_nfc_even_when_the_page_is_decomposed():
    record = extract(page(h1="Bak\u0131da I\u0307KT se\u0308rgisi"))
    assert record["title"] == "Bakıda İKT sërgisi"
    assert record["title"] == "Bak\u0131da \u0130KT s\u00ebrgisi"


def test_lang_from_html_then_from_the_edition_host():
    assert extract(page(lang="ru"))["lang"] == "ru"
    no_lang = page(lang=None)
    assert extract(no_lang, "https://az.trend.az/business/economy/1.html")["lang"] == "az"
    assert extract(no_lang, "http://127.0.0.1:8000/business/economy/1.html")["lang"] is None


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("https://en.trend.az/azerbaijan/politics/3240123.html", "azerbaijan/politics"),
        ("http://127.0.0.1:8123/trend-en/business/energy/7.html", "business/energy"),
        ("https://en.trend.az/world/7.html", "world"),
        ("https://en.trend.az/", None),
    ],
)
def test_section_is_the_url_path(url, section):
    assert extract(page(), url)["section"] == section


# --- dates -----------------------------------------------------------------------------------

PROPERTY = '<meta property="article:published_time" content="2014-05-02T14:12:00+05:00">'
ITEMPROP = '<meta itemprop="datePublished" content="2013-01-01T10:00:00+04:00">'


def json_ld(value: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


def test_article_published_time_comes_first_and_raw_is_the_visible_text():
    record = extract(page(head=PROPERTY + json_ld({"@type": "NewsArticle",
                                                   "datePublished": "2012-01-01"}),
                          article_meta=ITEMPROP, date="2 May 2014 14:12"))  # fmt: skip
    assert record["published"] == "2014-05-02T14:12:00+05:00"
    assert record["published_raw"] == "2 May 2014 14:12"


def test_itemprop_when_no_property():
    record = extract(page(article_meta=ITEMPROP, date="1 January 2013 10:00"))
    assert record["published"] == "2013-01-01T10:00:00+04:00"


def test_json_ld_only():
    ld = json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "datePublished": "2001-01-01"},
        {"@type": ["NewsArticle"], "datePublished": "2020-05-15T17:40:00+04:00"},
    ]})  # fmt: skip
    record = extract(page(head=ld, date=None))
    assert record["published"] == "2020-05-15T17:40:00+04:00"
    assert record["published_raw"] == "2020-05-15T17:40:00+04:00"  # no visible date


def test_broken_json_ld_is_skipped():
    record = extract(page(head='<script type="application/ld+json">{oops</script>'))
    assert record["published"] == "2020-05-15T17:40:00+04:00"  # the visible date


def test_machine_value_without_offset_is_baku_time():
    head = '<meta property="article:published_time" content="2014-05-02T14:12:00">'
    assert extract(page(head=head))["published"] == "2014-05-02T14:12:00+05:00"


@pytest.mark.parametrize(
    ("visible", "published"),
    [
        ("2 May 2014 14:12", "2014-05-02T14:12:00+05:00"),  # summer before 2016
        ("2 December 2014 14:12", "2014-12-02T14:12:00+04:00"),
        ("4 İyul 2023 11:05 (UTC +04:00)", "2023-07-04T11:05:00+04:00"),
        ("4 İYUL 2023 11:05", "2023-07-04T11:05:00+04:00"),
        ("11 декабря 2012 16:30", "2012-12-11T16:30:00+04:00"),
        ("3 Şubat 2021", "2021-02-03"),
    ],
)
def test_old_articles_take_the_visible_date_in_baku_time(visible, published):
    record = extract(page(date=visible))
    assert record["published"] == published
    assert record["published_raw"] == visible


def test_visible_date_without_year_needs_the_capture_time():
    html = page(date="15 November 10:31 (UTC+04)")
    captured = datetime(2023, 11, 15, 9, 0, tzinfo=UTC)
    assert extract(html, captured_at=captured)["published"] == "2023-11-15T10:31:00+04:00"
    record = extract(html)
    assert record["published"] is None
    assert record["published_raw"] == "15 November 10:31 (UTC+04)"


def test_no_date_at_all_is_null():
    record = extract(page(date=None))
    assert (record["published"], record["published_raw"]) == (None, None)


def test_rail_dates_are_not_the_article_date():
    record = extract(page(date=None), captured_at=datetime(2023, 11, 15, tzinfo=UTC))
    assert record["published"] is None


# --- body and dateline -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "dateline",
    [
        "BAKU, Azerbaijan, May 15",
        "Bakı. Trend:",
        "Баку, Азербайджан, 11 декабря /корр. Trend/",
        "Tbilisi, Georgia, Oct. 23 /Trend/",
        "Ashgabat, Turkmenistan, 4 iyul (Trend)",
        "Gəncə. Trend:",
        "İSTANBUL, Türkiyə, 3 Şubat /Trend/",
        "NUR-SULTAN, Kazakhstan, Dec. 5",
        "Tehran, Iran, Dec. 5 /Trend, corr. A. Tagiyeva/",
        "Astana, 02.05.2014 - Trend",
    ],
)
def test_dateline_variants_go_to_dateline(dateline):
    record = extract(page(content=f"<p>{dateline}</p>{LEAD}"))
    assert record["dateline"] == dateline
    assert record["body"] == "The ministry announced the new programme on Friday."


@pytest.mark.parametrize(
    "first",
    [
        "Kelly Kramer:",
        "President Ilham Aliyev: Thank you!",
        "- Good morning, Mr. President.",
        "Good morning, Mr. President.",
        "Baku hosts chess tournament",
        "Trend:",
        "Photo: Trend",
        "May 15",
    ],
)
def test_short_first_paragraphs_that_are_not_datelines_stay_body(first):
    record = extract(page(content=f"<p>{first}</p>{LEAD}"))
    assert record["dateline"] is None
    assert record["body"].split("\n\n")[0] == first


def test_no_dateline():
    record = extract(page(content=LEAD + "<p>Second.</p>"))
    assert record["dateline"] is None
    assert record["body"] == "The ministry announced the new programme on Friday.\n\nSecond."


def test_only_the_first_paragraph_can_be_a_dateline():
    record = extract(page(content=LEAD + "<p>BAKU, Azerbaijan, May 15</p>"))
    assert record["dateline"] is None
    assert record["body"].endswith("\n\nBAKU, Azerbaijan, May 15")


def test_body_skips_social_follow_and_empty_paragraphs_and_collapses_whitespace():
    content = (
        "<p>Bakı. Trend:</p><p>  One\n  <b>bold</b>&nbsp;line<br>continued. </p>"
        "<p> </p><p></p><p>Two <a href='/x'>linked</a>.</p>"
        '<p class="social-follow">Follow Trend on Telegram</p>'
    )
    record = extract(page(content=content))
    assert record["dateline"] == "Bakı. Trend:"
    assert record["body"] == "One bold line continued.\n\nTwo linked."


def test_extra_wrappers_around_blocks_do_not_break_the_body():
    content = (
        '<div class="inner"><div class="row"><p>Bakı. Trend:</p></div>'
        "<section><div><p>First.</p></div><p>Second.</p></section>"
        '<div class="social"><p class="social-follow">Follow us</p></div></div>'
    )
    html = (
        page(content=content)
        .replace(
            '<div class="article-content',
            '<div class="wrap"><div class="article-content',
        )
        .replace("</article>", "</div></article>")
    )
    record = extract(html)
    assert record["dateline"] == "Bakı. Trend:"
    assert record["body"] == "First.\n\nSecond."


def test_paid_article_with_only_a_lead():
    content = '<p>Bakı. Trend:</p><p>Only the lead is free.</p><div class="paywall"></div>'
    record = extract(page(content=content))
    assert record["body"] == "Only the lead is free."


def test_loading_bars_and_all_news_are_neither_body_nor_headlines():
    record = extract(page())
    assert "Loading Bars" not in record["body"]
    assert all(h["title"] != "All news" for h in record["boilerplate"]["headlines"])
    assert all(not h["url"].endswith("/latest/") for h in record["boilerplate"]["headlines"])


# --- headlines and copyright -----------------------------------------------------------------


def test_zero_rails():
    record = extract(page(rails='<aside><ul class="news-list with-images"></ul></aside>'))
    assert record["boilerplate"]["headlines"] == []
    assert extract(page(rails=""))["boilerplate"]["headlines"] == []


def test_each_link_once_in_first_seen_order_titled_by_its_h4():
    rails = """<aside>
    <ul class="news-list with-images">
      <li><a href="/a/b/3.html"><div class="image"><div class="photo-caption">Third</div></div></a>
          <a href="/a/b/3.html"><h4>Third</h4></a></li>
      <li><a href="https://en.trend.az/a/b/1.html"><h4>First <span class="paid-article-icon"></span></h4></a></li>
    </ul>
    <ul class="news-list">
      <li><a href="https://en.trend.az/a/b/1.html"><h4>First</h4><span class="date-time">10:31</span></a></li>
      <li><a href="../../c/d/2.html"><h4>Second</h4></a></li>
    </ul></aside>"""  # noqa: E501
    headlines = extract(page(rails=rails))["boilerplate"]["headlines"]
    assert headlines == [
        {"title": "Third", "url": "https://en.trend.az/a/b/3.html"},
        {"title": "First", "url": "https://en.trend.az/a/b/1.html"},
        {"title": "Second", "url": "https://en.trend.az/c/d/2.html"},
    ]


def test_headline_without_h4_uses_the_link_text_not_the_date():
    rails = """<ul class="news-list"><li><a href="/a/b/9.html">Plain title
        <span class="date-time">15 November 10:31 (UTC+04)</span></a></li></ul>"""
    headlines = extract(page(rails=rails))["boilerplate"]["headlines"]
    assert headlines == [{"title": "Plain title", "url": "https://en.trend.az/a/b/9.html"}]


def test_no_copyright_is_null():
    assert extract(page(footer=""))["boilerplate"]["copyright"] is None


# --- input forms -----------------------------------------------------------------------------


def test_str_bytes_and_header_encoding_give_the_same_record():
    html = page(h1="Bakıda İKT sərgisi", lang="az")
    from_bytes = extract_trend(html.encode("utf-8"), URL, encoding="utf-8")
    assert extract_trend(html, URL) == from_bytes
    assert from_bytes["title"] == "Bakıda İKT sərgisi"


def test_an_empty_page_gives_an_empty_record():
    record = extract_trend(b"", URL)
    assert set(record) == FIELDS
    assert (record["title"], record["body"], record["published"]) == (None, "", None)
    assert record["boilerplate"] == {"headlines": [], "rates": [], "copyright": None}


def test_is_dateline_rejects_long_lines():
    assert not is_dateline("BAKU, Azerbaijan, May 15 " + "Word " * 30)


def test_page_metadata_fills_the_new_fields():
    head = (
        '<link rel="canonical" href="/business/economy/3835120.html">'
        '<meta property="og:description" content="Transport  corridor talks.">'
        '<meta property="og:image" content="/img/corridor.jpg">'
        '<meta property="article:tag" content="Uzbekistan"><meta name="keywords" '
        'content="transport, Uzbekistan, corridor">'
        '<meta property="article:modified_time" content="2020-05-16T09:00:00+04:00">'
    )
    record = extract(page().replace('<meta charset="utf-8">', '<meta charset="utf-8">' + head))
    assert record["canonical_url"] == "https://en.trend.az/business/economy/3835120.html"
    assert record["description"] == "Transport corridor talks."
    assert record["image"] == "https://en.trend.az/img/corridor.jpg"
    assert record["tags"] == ["Uzbekistan", "transport", "corridor"]
    assert record["modified"] == "2020-05-16T09:00:00+04:00"
    assert record["modified_raw"] == "2020-05-16T09:00:00+04:00"
    assert record["authors"] == []
