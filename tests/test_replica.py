"""The bundled replica: pages, transfer framing, discovery paths, and its ground truth."""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from newsarchive.replica import Replica, ReplicaServer, words
from newsarchive.replica.model import BAKU
from newsarchive.replica.pages import MODES, chunk_frame
from newsarchive.replica.server import accepts_gzip

NOW = datetime(2024, 6, 15, 10, 40, 12, tzinfo=UTC)  # 14:40 in Baku
SEED = 7
FAKE_ORIGINS = {
    "trend-en": "http://127.0.0.1:1",
    "trend-az": "http://127.0.0.1:2",
    "trend-ru": "http://127.0.0.1:3",
    "bakutel": "http://127.0.0.1:4",
}
REQUIRED_FEATURES = {
    # Trend
    "meta-published-time",
    "itemprop-date-published",
    "json-ld",
    "no-machine-date",
    "dateline",
    "no-dateline",
    "dateline-variant-0",
    "dateline-variant-1",
    "dateline-variant-2",
    "dateline-variant-3",
    "rails-none",
    "rails-empty",
    "rails-1",
    "rails-2",
    "rails-3",
    "rail-with-images",
    "rail-plain",
    "rail-duplicate",
    "rail-relative-link",
    "rail-wrong-section",
    "rail-date-time",
    "rail-paid-icon",
    "rail-long",
    "paid",
    "social-follow",
    "social-follow-inline",
    "extra-wrappers",
    "wrong-section-listing",
    "az-month-capital",
    "az-title-capitals",
    "az-title-uppercase",
    "title-entities",
    "today",
    "offset+04",
    "offset+05",
    "pre-2016-summer",
    "pre-2016-winter",
    # BakuTel
    "block-title-native",
    "block-title-foreign",
    "top-news-0",
    "top-news-1",
    "top-news-many",
    "no-top-news-block",
    "rate-dates-1",
    "rate-dates-2",
    "rate-dates-3",
    "currency-extra",
    "no-currency-block",
    "no-right-column",
    "cell-nbsp",
    "cell-whitespace",
    "body-empty-p",
    "body-br",
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(Replica(seed=SEED, now=NOW, articles_per_edition=60)) as srv:
        yield srv


class Client:
    """A keep-alive HTTP client per origin (http.client leaves gzip bodies encoded)."""

    def __init__(self) -> None:
        self.conns: dict[str, http.client.HTTPConnection] = {}

    def get(
        self, url: str, *, gzip_ok: bool = False, method: str = "GET"
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        conn = self.conns.get(parts.netloc)
        if conn is None:
            conn = self.conns[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=5)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept-Encoding": "gzip"} if gzip_ok else {"Accept-Encoding": "identity"}
        conn.request(method, target, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


@pytest.fixture()
def client():
    c = Client()
    yield c
    c.close()


def html_of(body: bytes, charset: str = "utf-8") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(body.decode(charset))


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def ids_in(hrefs: list[str]) -> list[int]:
    return [int(m.group(1)) for h in hrefs if (m := re.search(r"/(\d+)\.html$", h))]


# --------------------------------------------------------------------------- page types


def test_each_page_type_answers_with_status_and_content_type(server, client):
    en, az, ru = server.roots["trend"]
    bt = server.roots["bakutel"][0]
    art = server.replica.edition("trend", "az")[5]
    bart = server.replica.edition("bakutel", "en")[3]
    cursor = server.replica.edition("trend", "en")[19].timestamp
    html = "text/html; charset=utf-8"
    cases = [
        (en, 200, html),
        (f"{en}business/", 200, html),
        (f"{en}business/energy/", 200, html),
        (f"{ru}latest/", 200, html),
        (f"{en}latest/?ajax=1&date={cursor}", 200, html),
        (server.url_for(art), 200, html),
        (f"{az}feeds/index.rss", 200, "application/rss+xml; charset=utf-8"),
        (f"{en}sitemap.xml", 200, "application/xml; charset=utf-8"),
        (f"{en}robots.txt", 200, "text/plain; charset=utf-8"),
        (f"{en}no/such/page/", 404, html),
        (bt, 200, html),
        (f"{bt}en/", 200, html),
        (f"{bt}az/news/", 200, html),
        (f"{bt}en/news/?page=2", 200, html),
        (f"{bt}en/news/top/", 200, html),
        (f"{bt}ru/news/top/", 200, "text/html; charset=windows-1251"),
        (server.url_for(bart), 200, html),
        (f"{bt}az/sitemap/", 200, html),
        (f"{bt}robots.txt", 200, "text/plain; charset=utf-8"),
        (f"{bt}en/news/999999.html", 404, html),
        (f"{bt}en/news/?page=999", 404, html),
    ]
    for url, status, ctype in cases:
        got, headers, body = client.get(url)
        assert (got, headers["content-type"]) == (status, ctype), url
        assert body, url
    status, _, body = client.get(server.url_for(art))
    doc = html_of(body)
    assert doc.get("lang") == "az"
    assert doc.findtext(".//title") == f"{art.title} - Trend.Az"
    status, _, body = client.get(server.url_for(bart))
    assert html_of(body).findtext(".//title") == f"BakuTel - {bart.title}"


def test_keep_alive_and_head(server):
    host, port = urlsplit(server.roots["trend"][0]).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    for path in ("/", "/latest/", "/robots.txt"):
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200 and not resp.will_close
    conn.request("HEAD", "/latest/")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b""
    conn.request("POST", "/latest/", body=b"x=1")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 405
    conn.close()


def test_absolute_links_point_at_the_replica(server, client):
    own = {o for o in server.origins.values()}
    for url in (*server.roots["trend"], server.url_for(server.replica.articles[3])):
        _, _, body = client.get(url)
        for href in re.findall(rb'(?:href|src|data-src)="(https?://[^"]+)"', body):
            origin = "/".join(href.decode().split("/")[:3])
            assert origin in own, href


# --------------------------------------------------------------------------- discovery


@pytest.mark.parametrize("lang", words.LANGS)
def test_latest_ajax_chain_reaches_every_article_once(server, client, lang):
    root = server.roots["trend"][words.LANGS.index(lang)]
    _, _, body = client.get(f"{root}latest/")
    doc = html_of(body)
    hrefs = doc.xpath("//ul[contains(@class,'news-list')]/li/a/@href")
    cursor = re.search(rb"currentNewsList\.date = (\d+);", body).group(1).decode()
    fragments = 0
    while True:
        status, _, frag = client.get(f"{root}latest/?ajax=1&date={cursor}")
        assert status == 200
        fragments += 1
        page = lxml.html.fragment_fromstring(frag.decode(), create_parent="div")
        items = page.xpath(".//ul[@class='news-list']/li/a/@href")
        if not items:
            break
        hrefs += items
        cursor = re.search(rb"currentNewsList\.date = (\d+);", frag).group(1).decode()
        assert fragments < 100
    ids = ids_in(hrefs)
    expected = {a.id for a in server.replica.edition("trend", lang)}
    assert len(ids) == len(set(ids)), "an article listed twice"
    assert set(ids) == expected
    assert fragments >= 3


@pytest.mark.parametrize("lang", words.LANGS)
def test_bakutel_pagination_reaches_every_article_once(server, client, lang):
    root = server.roots["bakutel"][0]
    charset = "cp1251" if lang == "ru" else "utf-8"
    url = f"{root}{lang}/news/"
    hrefs: list[str] = []
    pages = 0
    while url:
        status, _, body = client.get(url)
        assert status == 200
        pages += 1
        doc = html_of(body, charset)
        hrefs += doc.xpath("//ul[@class='all-news']/li/a/@href")
        dates = doc.xpath("//ul[@class='all-news']/li/span[@class='date']/text()")
        assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", d) for d in dates)
        nxt = [a.get("href") for a in doc.xpath("//div[@class='pages']/a") if a.text == "»"]
        url = urljoin(url, nxt[0]) if nxt else ""
    ids = ids_in(hrefs)
    assert len(ids) == len(set(ids))
    assert set(ids) == {a.id for a in server.replica.edition("bakutel", lang)}
    assert pages == 3


def test_sitemaps_list_every_trend_article(server, client):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for lang, root in zip(words.LANGS, server.roots["trend"], strict=True):
        _, _, body = client.get(f"{root}sitemap.xml")
        index = ET.fromstring(body)
        locs = []
        for sm in index.findall("s:sitemap", ns):
            assert datetime.fromisoformat(sm.findtext("s:lastmod", namespaces=ns)).tzinfo
            status, _, sub = client.get(sm.findtext("s:loc", namespaces=ns))
            assert status == 200
            for url in ET.fromstring(sub).findall("s:url", ns):
                locs.append(url.findtext("s:loc", namespaces=ns))
                assert url.findtext("s:lastmod", namespaces=ns)
        assert len(index.findall("s:sitemap", ns)) > 5
        want = [server.url_for(a) for a in server.replica.edition("trend", lang)]
        assert sorted(locs) == sorted(want)


def test_rss_lists_latest_articles(server, client):
    _, _, body = client.get(f"{server.roots['trend'][0]}feeds/index.rss")
    channel = ET.fromstring(body).find("channel")
    links = [i.findtext("link") for i in channel.findall("item")]
    newest = server.replica.edition("trend", "en")[:20]
    assert links == [server.url_for(a) for a in newest]


def test_wrong_section_answers_301_to_the_right_url(server, client):
    listed = server.replica.with_feature("wrong-section-listing")
    assert listed
    for art in listed[:6]:
        wrong = f"{server.origins[art.host_key]}{art.path_in(art.listing_wrong_section)}"
        status, headers, _ = client.get(wrong)
        assert status == 301
        assert headers["location"] == server.url_for(art)
        assert client.get(headers["location"])[0] == 200
    # rails really link some articles under a wrong section
    page = server.replica.with_feature("rail-wrong-section")[0]
    _, _, body = client.get(server.url_for(page))
    hrefs = html_of(body).xpath("//aside//ul[contains(@class,'news-list')]//a/@href")
    canon = {server.url_for(a) for a in server.replica.edition("trend", page.lang)}
    wrong = [urljoin(server.url_for(page), h) for h in hrefs]
    wrong = [h for h in wrong if h not in canon]
    assert wrong
    for url in wrong:
        assert client.get(url)[0] == 301


def test_latest_listing_shows_only_time_for_today(server, client):
    _, _, body = client.get(f"{server.roots['trend'][0]}latest/")
    dates = html_of(body).xpath("//ul[@class='news-list']//span[@class='date-time']/text()")
    today = [a for a in server.replica.edition("trend", "en") if "today" in a.features]
    assert today and all(re.fullmatch(r"\d\d:\d\d \(UTC\+04\)", d) for d in dates[: len(today)])
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d\d:\d\d \(UTC\+0[45]\)", dates[len(today)])


# --------------------------------------------------------------------------- transfer


def test_every_page_type_meets_the_three_transfer_modes(server):
    by_type: dict[str, set[str]] = {}
    for site in server.sites.values():
        for target, ptype in site.page_types.items():
            by_type.setdefault(ptype, set()).add(site.pages[target].mode)
    for ptype in ("trend-home", "trend-latest", "trend-article", "trend-ajax", "trend-section",
                  "trend-sitemap", "trend-rss", "robots", "bakutel-article", "bakutel-news",
                  "bakutel-home", "bakutel-section", "bakutel-sitemap"):  # fmt: skip
        assert by_type[ptype] == set(MODES), ptype


def test_gzip_response_decompresses_to_the_same_html(server, client):
    site = server.sites["trend-en"]
    target = next(t for t, r in site.pages.items() if r.mode == "gzip" and t.endswith(".html"))
    url = f"{server.origins['trend-en']}{target}"
    _, plain_headers, plain = client.get(url)
    assert "content-encoding" not in plain_headers
    assert int(plain_headers["content-length"]) == len(plain)
    _, headers, zipped = client.get(url, gzip_ok=True)
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(zipped)
    assert gzip.decompress(zipped) == plain
    assert b"<h1>" in plain
    # a non-gzip page is never compressed, even when the client allows it
    other = next(t for t, r in site.pages.items() if r.mode == "length" and t.endswith(".html"))
    _, headers, _ = client.get(f"{server.origins['trend-en']}{other}", gzip_ok=True)
    assert "content-encoding" not in headers


def test_accept_encoding_parsing():
    assert accepts_gzip("gzip, deflate, br")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8")
    assert accepts_gzip("*")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("gzip;q=0, *")


def _raw_exchange(origin: str, requests: bytes, responses: int) -> list[tuple[bytes, bytes]]:
    """Send raw request bytes; read ``responses`` responses as (head, raw body bytes)."""
    host, port = urlsplit(origin).netloc.split(":")
    out = []
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(requests)
        buf = b""
        while len(out) < responses:
            while b"\r\n\r\n" not in buf:
                buf += sock.recv(65536)
            head, buf = buf.split(b"\r\n\r\n", 1)
            if b"transfer-encoding: chunked" in head.lower():
                while not re.search(rb"(^|\r\n)0\r\n\r\n", buf):
                    buf += sock.recv(65536)
                end = re.search(rb"(^|\r\n)0\r\n\r\n", buf).end()
            else:
                length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
                while len(buf) < length:
                    buf += sock.recv(65536)
                end = length
            out.append((head, buf[:end]))
            buf = buf[end:]
    return out


def _unchunk(raw: bytes) -> tuple[bytes, int]:
    body, chunks = b"", 0
    while True:
        size_line, raw = raw.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            assert raw == b"\r\n"
            return body, chunks
        body, raw, chunks = body + raw[:size], raw[size + 2 :], chunks + 1


def test_chunked_response_is_really_chunked(server):
    site = server.sites["bakutel"]
    targets = [t for t, r in site.pages.items() if r.mode == "chunked" and t.endswith(".html")]
    req = b"".join(
        f"GET {t} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n".encode()
        for t in targets[:2]
    )
    responses = _raw_exchange(server.origins["bakutel"], req, 2)  # pipelined, one socket
    for target, (head, raw) in zip(targets, responses, strict=False):
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nTransfer-Encoding: chunked" in head
        assert b"Content-Length" not in head and b"Content-Encoding" not in head
        body, chunks = _unchunk(raw)
        assert chunks >= 3
        assert body == site.pages[target].body
    # an HTTP/1.0 client gets the body plain, with Content-Length
    [(head, raw)] = _raw_exchange(
        server.origins["bakutel"], f"GET {targets[0]} HTTP/1.0\r\n\r\n".encode(), 1
    )
    assert b"Transfer-Encoding" not in head and raw == site.pages[targets[0]].body


def test_chunk_frame():
    assert chunk_frame(b"") == b"0\r\n\r\n"
    assert _unchunk(chunk_frame(b"abcdefghij"))[0] == b"abcdefghij"
    assert _unchunk(chunk_frame(b"x" * 50_000))[1] >= 7


def test_status_lines_use_standard_reason_phrases(server):
    art = server.replica.with_feature("wrong-section-listing")[0]
    wrong = art.path_in(art.listing_wrong_section)
    req = f"GET /nope HTTP/1.1\r\n\r\nGET {wrong} HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"
    heads = [h for h, _ in _raw_exchange(server.origins[art.host_key], req.encode(), 3)]
    assert heads[0].startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert heads[1].startswith(b"HTTP/1.1 301 Moved Permanently\r\n")
    assert heads[2].startswith(b"HTTP/1.1 200 OK\r\n")


# --------------------------------------------------------------------------- encodings


def test_ru_bakutel_is_windows_1251(server, client):
    art = server.replica.edition("bakutel", "ru")[0]
    _, headers, body = client.get(server.url_for(art))
    assert headers["content-type"] == "text/html; charset=windows-1251"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    page = body.decode("cp1251")
    assert f'<h1 class="news-title">{html.escape(art.title)}</h1>' in page
    en = server.replica.edition("bakutel", "az")[0]
    _, headers, body = client.get(server.url_for(en))
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"charset=utf-8" in body
    body.decode("utf-8")


# --------------------------------------------------------------------------- robots


def test_robots_txt_and_disallowed_paths(server, client):
    for root in server.roots["trend"]:
        _, _, body = client.get(f"{root}robots.txt")
        lines = body.decode().splitlines()
        assert "Disallow: /search/" in lines
        assert f"Sitemap: {root}sitemap.xml" in lines
    bt = server.roots["bakutel"][0]
    _, _, body = client.get(f"{bt}robots.txt")
    lines = body.decode().splitlines()
    assert "Sitemap" not in body.decode()
    assert {"Disallow: /search/", "Disallow: /cgi-bin/"} <= set(lines)
    assert server.disallowed_prefixes == {
        "trend-en": ["/search/"],
        "trend-az": ["/search/"],
        "trend-ru": ["/search/"],
        "bakutel": ["/search/", "/cgi-bin/"],
    }
    # ordinary pages do link into the disallowed paths
    _, _, home = client.get(server.roots["trend"][0])
    assert b'href="/search/?q=' in home
    _, _, article = client.get(server.url_for(server.replica.edition("bakutel", "en")[0]))
    assert b'href="/cgi-bin/print.pl?id=' in article
    # and the server records requests that follow them
    before = len(server.disallowed_requests())
    assert client.get(f"{bt}cgi-bin/print.pl?id=1")[0] == 200
    hits = server.disallowed_requests()[before:]
    assert [(h[0], h[1], h[2]) for h in hits] == [("bakutel", "GET", "/cgi-bin/print.pl?id=1")]
    assert hits[0][3]["Accept-Encoding"] == "identity"


# --------------------------------------------------------------------------- content


def test_every_varies_feature_occurs(server):
    assert server.replica.features >= REQUIRED_FEATURES
    for feature in REQUIRED_FEATURES:
        assert server.replica.with_feature(feature)


def test_ids_dates_and_editions(server):
    trend = [a for a in server.replica.articles if a.site == "trend"]
    baku = [a for a in server.replica.articles if a.site == "bakutel"]
    assert len(trend) == len({a.id for a in trend}) == 180
    assert len(baku) == len({a.id for a in baku}) == 180
    for (site, lang), arts in server.replica.editions.items():
        assert arts[0].published.date() == NOW.astimezone(BAKU).date(), (site, lang)
        stamps = [a.timestamp for a in arts]
        assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == len(stamps)
        assert all(a.published <= NOW for a in arts)
    summer = server.replica.with_feature("pre-2016-summer")[0]
    assert summer.published.isoformat().endswith("+05:00")
    az = next(a for a in server.replica.edition("trend", "az") if a.published.month == 7)
    assert "az-month-capital" in az.features
    record = {r["url"]: r for r in server.expected_records()}[server.url_for(az)]
    assert " İyul " in record["published_raw"]


def test_generation_is_deterministic():
    a = Replica(seed=11, now=NOW, articles_per_edition=60)
    b = Replica(seed=11, now=NOW, articles_per_edition=60)
    c = Replica(seed=12, now=NOW, articles_per_edition=60)
    assert a.expected_records(FAKE_ORIGINS) == b.expected_records(FAKE_ORIGINS)
    assert [x.features for x in a.articles] == [x.features for x in b.articles]
    pa, pb = a.render(FAKE_ORIGINS), b.render(FAKE_ORIGINS)
    for key in pa:
        assert pa[key].pages.keys() == pb[key].pages.keys()
        for target in pa[key].pages:
            assert pa[key].pages[target].payload == pb[key].pages[target].payload
            assert pa[key].pages[target].gz_payload == pb[key].pages[target].gz_payload
    assert a.expected_records(FAKE_ORIGINS) != c.expected_records(FAKE_ORIGINS)


def test_text_is_in_the_edition_language():
    r = Replica(seed=3, now=NOW, articles_per_edition=60)
    az = " ".join(a.title + " ".join(a.paragraphs) for a in r.articles if a.lang == "az")
    assert set("əşçğıöüİŞÇƏÖÜ") <= set(az)
    ru = " ".join(a.title for a in r.articles if a.lang == "ru")
    assert len(re.findall("[а-яА-Я]", ru)) > len(ru) / 2
    for art in r.edition("bakutel", "ru"):
        (art.title + "".join(art.paragraphs)).encode("cp1251")


# --------------------------------------------------------------------------- truth


def _trend_record(body: bytes, url: str) -> dict:
    """A small spec-following extraction of a Trend article page."""
    doc = html_of(body)
    art = doc.xpath("//article")[0]
    machine = doc.xpath("//meta[@property='article:published_time']/@content")
    machine += art.xpath(".//meta[@itemprop='datePublished']/@content")
    for script in doc.xpath("//script[@type='application/ld+json']/text()"):
        machine.append(json.loads(script)["datePublished"])
    raw = text(art.xpath(".//span[@class='date-time']")[0])
    ps = [
        text(p)
        for p in art.xpath(".//div[contains(@class,'article-content')]/p")
        if "social-follow" not in (p.get("class") or "")
    ]
    heads, seen = [], set()
    for a in doc.xpath("//aside//ul[contains(@class,'news-list')]/li/a"):
        link = urljoin(url, a.get("href"))
        if link not in seen:
            seen.add(link)
            heads.append({"title": text(a.xpath(".//h4")[0]), "url": link})
    return {
        "title": text(doc.xpath("//h1")[0]),
        "machine": machine,
        "published_raw": raw,
        "paragraphs": ps,
        "section": "/".join(urlsplit(url).path.split("/")[1:3]),
        "headlines": heads,
        "copyright": text(doc.xpath("//p[@class='copyright']")[0]),
    }


def _visible_to_iso(raw: str, lang: str) -> str:
    months = {"en": words.MONTHS_EN, "az": words.MONTHS_AZ, "ru": words.MONTHS_RU_GEN}[lang]
    day, month, year, hm = raw.split()[:4]
    local = datetime.strptime(f"{year}-{months.index(month) + 1}-{day} {hm}", "%Y-%m-%d %H:%M")
    return local.replace(tzinfo=BAKU).isoformat()


def _bakutel_record(body: bytes, charset: str, url: str) -> dict:
    doc = html_of(body, charset)
    ps = doc.xpath("//div[@class='news-text']/p")
    if ps:
        paras = [text(p) for p in ps]
    else:
        chunks = lxml.html.tostring(doc.xpath("//div[@class='news-text']")[0], encoding="unicode")
        paras = [text(lxml.html.fragment_fromstring(c, create_parent="div")) for c in
                 re.split(r"<br\s*/?>", chunks)]  # fmt: skip
    rates = []
    for table in doc.xpath("//table[@class='currency']"):
        rows = table.xpath("./tr")
        dates = [text(td) for td in rows[0].xpath("./td[@class='rate-date']")]
        dates = ["-".join(reversed(d.replace("\xa0", "").strip().split("/"))) for d in dates]
        for row in rows[1:]:
            cells = [td.text_content().replace("\xa0", " ").strip() for td in row.xpath("./td")]
            for day, value in zip(dates, cells[1:], strict=True):
                rates.append({"currency": cells[0], "date": day, "rate": float(value)})
    heads = [
        {"title": text(a), "url": urljoin(url, a.get("href"))}
        for a in doc.xpath("//ul[@class='top-news']/li/a")
    ]
    return {
        "title": text(doc.xpath("//h1[@class='news-title']")[0]),
        "published_raw": text(doc.xpath("//div[@class='news-date']")[0]),
        "section": text(doc.xpath("//div[@class='path']")[0]),
        "body": "\n\n".join(p for p in paras if p),
        "headlines": heads,
        "rates": rates,
        "copyright": text(doc.xpath("//div[@id='footer']")[0]),
    }


def test_expected_records_agree_with_every_article_page(server):
    assert len(server.expected_records()) == 360
    check_expected_records(server)


def check_expected_records(server: ReplicaServer) -> None:
    """Every article page, read by a small spec-following parser, gives its expected record."""
    records = server.expected_records()
    by_url = {r["url"]: r for r in records}
    for art in server.replica.articles:
        url = server.url_for(art)
        rec = by_url[url]
        assert rec["site"] == art.site and rec["lang"] == art.lang
        page = server.sites[art.host_key].pages[art.path].body
        if art.site == "trend":
            got = _trend_record(page, url)
            assert all(m == rec["published"] for m in got["machine"])
            assert bool(got["machine"]) == ("no-machine-date" not in art.features)
            assert _visible_to_iso(got["published_raw"], art.lang) == rec["published"]
            dateline = [rec["dateline"]] if rec["dateline"] else []
            assert got["paragraphs"] == dateline + rec["body"].split("\n\n")
            assert got["headlines"] == rec["boilerplate"]["headlines"]
            assert got["copyright"] == rec["boilerplate"]["copyright"]
            for key in ("title", "published_raw", "section"):
                assert got[key] == rec[key], key
        else:
            got = _bakutel_record(page, "cp1251" if art.lang == "ru" else "utf-8", url)
            assert rec["dateline"] is None
            local = datetime.strptime(got["published_raw"], "%d.%m.%Y %H:%M")
            assert local.replace(tzinfo=BAKU).isoformat() == rec["published"]
            assert got["rates"] == rec["boilerplate"]["rates"]
            assert got["headlines"] == rec["boilerplate"]["headlines"]
            for key in ("title", "published_raw", "section", "body"):
                assert got[key] == rec[key], key
            assert got["copyright"] == rec["boilerplate"]["copyright"]


def test_records_have_the_sample_format(server):
    keys = ["url", "site", "lang", "title", "published", "published_raw", "dateline"]
    keys += ["section", "body", "boilerplate"]
    keys += ["authors", "modified", "modified_raw", "description", "image", "tags"]
    keys += ["canonical_url"]
    for rec in server.expected_records():
        assert list(rec) == keys
        assert list(rec["boilerplate"]) == ["headlines", "rates", "copyright"]
        assert rec["url"].startswith(tuple(server.origins.values()))
        assert datetime.fromisoformat(rec["published"]).utcoffset() is not None
    dup = server.replica.with_feature("rail-duplicate")[0]
    rec = {r["url"]: r for r in server.expected_records()}[server.url_for(dup)]
    urls = [h["url"] for h in rec["boilerplate"]["headlines"]]
    assert len(urls) == len(set(urls))
    wrong = server.replica.with_feature("rail-wrong-section")[0]
    rec = {r["url"]: r for r in server.expected_records()}[server.url_for(wrong)]
    canon = {server.url_for(a) for a in server.replica.articles}
    assert any(h["url"] not in canon for h in rec["boilerplate"]["headlines"])


# --------------------------------------------------------------------------- entry point


def test_module_entry_point_serves_until_sigterm():
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.replica", "--seed", "2", "--articles-per-edition", "8"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = json.loads(proc.stdout.readline())
        root = line["roots"]["trend"][0]
        assert set(line["roots"]) == {"trend", "bakutel"}
        c = Client()
        assert c.get(f"{root}robots.txt")[0] == 200
        c.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert json.loads(proc.stderr.read())["requests"] == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_preferred_ports_are_used_when_free_and_replaced_when_taken() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        replica = Replica(seed=3, articles_per_edition=60)
        with ReplicaServer(replica, ports={"trend-en": free, "bakutel": busy}) as server:
            assert server.origins["trend-en"] == f"http://127.0.0.1:{free}"
            assert server.origins["bakutel"] != f"http://127.0.0.1:{busy}"
