"""BakuTel-style article extraction, rule by rule, on small hand-written pages."""

from __future__ import annotations

import pytest

from newsarchive.extractors import extract_bakutel, extract_layout
from newsarchive.extractors.bakutel import parse_rate, parse_rate_date

URL = "https://bakutel.az/en/news/4412.html"

TOP_NEWS = """<div class="block"><div class="block-title">Top news</div>
  <ul class="top-news">
    <li><a href="https://bakutel.az/en/news/4630.html">Premier   Tour</a></li>
    <li><a href="/en/news/4629.html">Free shuttle buses</a></li>
  </ul></div>"""
RATES = """<div class="block"><table class="currency" cellpadding="2">
  <tr><td></td><td class="rate-date">23/09/2021</td><td class="rate-date">24/09/2021</td></tr>
  <tr><td class="cur">USD</td><td>1.7</td><td>1.7</td></tr>
  <tr><td class="cur">EUR</td><td>1.8968</td><td>1.8931</td></tr>
</table></div>"""
FOOTER = (
    '<div id="footer">BakuTel is Copyright &copy; 2000-2021 All rights reserved.\n'
    '  Hosted by <a href="http://www.vebtek.az/">VebTek</a></div>'
)


def page(
    *,
    charset: str = "utf-8",
    date: str = "02.05.2014 14:12",
    title: str = "Azerbaijan, Japan sign agreement",
    path: str = '<a href="/en/news/top/">Top News</a>',
    text: str = "<p>First paragraph.</p><p>Second paragraph.</p>",
    right: str = TOP_NEWS + RATES,
    lang: str = "en",
) -> str:
    """A BakuTel-style article page with the given parts."""
    return f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>BakuTel - {title}</title></head><body>
<table id="header"><tr><td class="topmenu"><a href="/{lang}/sitemap/">Site map</a>
  &nbsp; <a href="/az/">AZ</a></td></tr></table>
<table id="layout"><tr>
  <td id="content" valign="top">
    <div class="path">{path}</div>
    <div class="news">
      <div class="news-date">{date}</div>
      <h1 class="news-title">{title}</h1>
      <div class="news-text">{text}</div>
      <div class="news-more"><a href="/{lang}/news/">all news</a></div>
    </div>
  </td>
  <td id="right">{right}</td>
</tr></table>
{FOOTER}
</body></html>"""


def extract(html: str, url: str = URL, **kwargs) -> dict:
    return extract_bakutel(html.encode("utf-8"), url, **kwargs)


def test_a_complete_page_gives_every_field():
    assert extract(page()) == {
        "url": URL,
        "site": "bakutel",
        "lang": "en",
        "title": "Azerbaijan, Japan sign agreement",
        "published": "2014-05-02T14:12:00+05:00",
        "published_raw": "02.05.2014 14:12",
        "dateline": None,
        "section": "Top News",
        "body": "First paragraph.\n\nSecond paragraph.",
        "boilerplate": {
            "headlines": [
                {"title": "Premier Tour", "url": "https://bakutel.az/en/news/4630.html"},
                {"title": "Free shuttle buses", "url": "https://bakutel.az/en/news/4629.html"},
            ],
            "rates": [
                {"currency": "USD", "date": "2021-09-23", "rate": 1.7},
                {"currency": "USD", "date": "2021-09-24", "rate": 1.7},
                {"currency": "EUR", "date": "2021-09-23", "rate": 1.8968},
                {"currency": "EUR", "date": "2021-09-24", "rate": 1.8931},
            ],
            "copyright": "BakuTel is Copyright © 2000-2021 All rights reserved. Hosted by VebTek",
        },
        "authors": [],
        "modified": None,
        "modified_raw": None,
        "description": None,
        "image": None,
        "tags": [],
        "canonical_url": None,
    }


def test_extract_layout_dispatches_to_bakutel():
    html = page()
    assert extract_layout("bakutel", html.encode(), URL) == extract(html)


# --- date ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "published"),
    [
        ("02.05.2014 14:12", "2014-05-02T14:12:00+05:00"),  # Baku summer time before 2016
        ("02.12.2014 14:12", "2014-12-02T14:12:00+04:00"),
        ("29.11.2021 09:03", "2021-11-29T09:03:00+04:00"),
        ("  29.11.2021&nbsp;09:03 ", "2021-11-29T09:03:00+04:00"),
        ("29.11.2021", "2021-11-29"),  # no time printed: only the day
        ("", None),
    ],
)
def test_news_date_in_baku_time(printed, published):
    record = extract(page(date=printed))
    assert record["published"] == published


# --- lang, section, title --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("https://bakutel.az/az/news/1.html", "az"),
        ("https://bakutel.az/ru/news/1.html", "ru"),
        ("http://127.0.0.1:8080/bakutel/en/news/1.html", "en"),
    ],
)
def test_lang_from_the_url_prefix(url, lang):
    assert extract(page(), url)["lang"] == lang


def test_section_is_the_path_text_and_title_the_news_title():
    record = extract(page(path='<a href="/az/news/top/">Əsas  xəbərlər</a>', title="Ş İ Ç Ə"))
    assert record["section"] == "Əsas xəbərlər"
    assert record["title"] == "Ş İ Ç Ə"


def test_missing_section_is_null():
    assert extract(page(path=""))["section"] is None


# --- body ------------------------------------------------------------------------------------


def test_empty_paragraphs_are_dropped():
    record = extract(page(text="<p>One.</p><p></p><p>&nbsp;</p><p>Two\n   lines.</p>"))
    assert record["body"] == "One.\n\nTwo lines."


def test_br_separated_body_of_old_articles():
    text = "First line of the story.<br>Second line.<br><br>\n Third   line.<br/>"
    assert extract(page(text=text))["body"] == (
        "First line of the story.\n\nSecond line.\n\nThird line."
    )


def test_mixed_bare_text_and_paragraphs_keep_their_order():
    text = "Intro line.<br><p>A paragraph.</p>Closing <b>line</b>."
    assert extract(page(text=text))["body"] == "Intro line.\n\nA paragraph.\n\nClosing line."


def test_navigation_is_not_body_or_headline():
    record = extract(page())
    assert "all news" not in record["body"]
    assert "Site map" not in record["body"]
    titles = [h["title"] for h in record["boilerplate"]["headlines"]]
    assert "all news" not in titles and "Site map" not in titles


# --- right column ----------------------------------------------------------------------------


@pytest.mark.parametrize("block_title", ["Top news", "Əsas xəbərlər", "Главные новости", ""])
def test_headlines_whatever_the_block_title_language(block_title):
    right = TOP_NEWS.replace("Top news", block_title)
    headlines = extract(page(right=right))["boilerplate"]["headlines"]
    assert [h["url"] for h in headlines] == [
        "https://bakutel.az/en/news/4630.html",
        "https://bakutel.az/en/news/4629.html",
    ]


def test_no_right_column_blocks():
    record = extract(page(right=""))
    assert record["boilerplate"]["headlines"] == []
    assert record["boilerplate"]["rates"] == []
    assert record["body"] == "First paragraph.\n\nSecond paragraph."


def test_one_rate_date():
    table = """<table class="currency"><tr><td></td><td>29/11/2021</td></tr>
      <tr><td class="cur">USD</td><td>1.7</td></tr>
      <tr><td class="cur">RUR</td><td>0.0228</td></tr></table>"""
    assert extract(page(right=table))["boilerplate"]["rates"] == [
        {"currency": "USD", "date": "2021-11-29", "rate": 1.7},
        {"currency": "RUR", "date": "2021-11-29", "rate": 0.0228},
    ]


def test_three_rate_dates_with_nbsp_and_stray_whitespace():
    table = """<table class="currency">
      <tr><td>&nbsp;</td><td> 22/09/2021 </td><td>23/09/2021&nbsp;</td><td>
        24/09/2021</td></tr>
      <tr><td class="cur"> GBP&nbsp;</td><td>&nbsp;2.1937</td><td>2.1935 </td><td>
         2.1934 </td></tr></table>"""
    assert extract(page(right=table))["boilerplate"]["rates"] == [
        {"currency": "GBP", "date": "2021-09-22", "rate": 2.1937},
        {"currency": "GBP", "date": "2021-09-23", "rate": 2.1935},
        {"currency": "GBP", "date": "2021-09-24", "rate": 2.1934},
    ]


def test_empty_and_non_numeric_cells_are_skipped():
    table = """<table class="currency"><tr><td></td><td>23/09/2021</td><td>24/09/2021</td></tr>
      <tr><td class="cur">USD</td><td>&nbsp;</td><td>1.7</td></tr>
      <tr><td class="cur">EUR</td><td>n/a</td><td>-</td></tr>
      <tr><td class="cur">TRY</td><td>0,2001</td></tr></table>"""
    assert extract(page(right=table))["boilerplate"]["rates"] == [
        {"currency": "USD", "date": "2021-09-24", "rate": 1.7},
        {"currency": "TRY", "date": "2021-09-23", "rate": 0.2001},
    ]


def test_rate_cell_helpers():
    assert parse_rate_date(" 24/09/2021 ") == "2021-09-24"
    assert parse_rate_date("31/02/2021") is None
    assert parse_rate_date("") is None
    assert parse_rate(" 1.8968 ") == 1.8968
    assert parse_rate("0,0263") == 0.0263
    assert parse_rate("\xa0") is None
    assert parse_rate("n/a") is None


# --- encodings -------------------------------------------------------------------------------


RU_URL = "https://bakutel.az/ru/news/7705.html"


def ru_page() -> bytes:
    html = page(
        charset="windows-1251",
        title="Азерселл расширяет сеть 4G",
        path='<a href="/ru/news/top/">Главные новости</a>',
        text="<p>Оператор сообщил о запуске.</p>",
        right=TOP_NEWS.replace("Top news", "Главные новости").replace("Premier   Tour", "Бакутел"),
        lang="ru",
    )
    return html.encode("cp1251")


def test_windows_1251_page_from_its_meta_declaration():
    record = extract_bakutel(ru_page(), RU_URL)
    assert record["title"] == "Азерселл расширяет сеть 4G"
    assert record["section"] == "Главные новости"
    assert record["body"] == "Оператор сообщил о запуске."
    assert record["boilerplate"]["headlines"][0]["title"] == "Бакутел"
    assert record["lang"] == "ru"


def test_windows_1251_page_from_the_header_charset():
    assert extract_bakutel(ru_page(), RU_URL, encoding="windows-1251") == extract_bakutel(
        ru_page(), RU_URL
    )
    # the header wins over a page that says nothing
    bare = ru_page().replace(b"; charset=windows-1251", b"")
    assert extract_bakutel(bare, RU_URL, encoding="cp1251")["title"] == (
        "Азерселл расширяет сеть 4G"
    )
