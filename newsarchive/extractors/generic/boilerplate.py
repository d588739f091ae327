"""The page's boilerplate as data: headline lists, currency-rate tables, the copyright line.

* **Headlines**: links whose text reads like a headline (at least three words, 15-250
  characters) that sit in a list item or in a block holding at least three such links,
  outside the article text; same site only, URLs made absolute, each URL once, the page
  itself excluded.
* **Rates**: tables with rows headed by an ISO 4217 code (or a cell holding one) and plain
  numbers; a date from the table's header cells, caption or the heading just before it
  labels each value (a column header that is a date labels that column).
* **Copyright**: the last short block holding ``©``, ``(c)``, "Copyright" or "all rights
  reserved" in one of the archive's languages, whitespace collapsed.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .parse import clean

_ANCHORS = etree.XPath("//a[@href]")
_NSTR = etree.XPath("normalize-space()")
_TABLES = etree.XPath("//table")
_CURRENCIES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "RUB",
        "TRY",
        "JPY",
        "CNY",
        "CHF",
        "AZN",
        "GEL",
        "UAH",
        "KZT",
        "BYN",
        "IRR",
        "AED",
        "SAR",
        "CAD",
        "AUD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "KRW",
        "INR",
        "BRL",
        "MXN",
        "ZAR",
        "HKD",
        "SGD",
        "KWD",
        "QAR",
        "AMD",
        "UZS",
        "TJS",
        "TMT",
        "KGS",
        "MDL",
        "RON",
        "BGN",
        "ILS",
        "EGP",
        "NZD",
        "THB",
        "MYR",
        "IDR",
        "PHP",
        "PKR",
        "XAU",
        "XAG",
        "XDR",
        "SDR",
    ]
)
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")
_NUMBER = re.compile(r"^\d{1,7}(?:[.,]\d{1,6})?$|^\d{1,3}(?:[ ,]\d{3})+(?:\.\d{1,6})?$")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_HEADINGS = frozenset(
    ["h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "caption", "strong", "b", "span"]
)


_ABSOLUTE = re.compile(r"https?://", re.IGNORECASE)
#: What urljoin would normalise or reject in an absolute URL: dot segments, whitespace,
#: an IPv6 or odd authority.
_UNSAFE = re.compile(r"/\.\.?(?:/|$)|\s|\[|@")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?=[/?#]|$)")
_PLAIN_HOST = re.compile(r"^https?://([A-Za-z0-9.-]+)(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


def _host(url: str) -> str:
    m = _PLAIN_HOST.match(url)
    if m:
        host = m.group(1).lower()
    else:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:  # a malformed address
            return ""
    return host[4:] if host.startswith("www.") else host


def find_headlines(
    root: etree._Element, base_url: str, content: list[etree._Element]
) -> list[dict[str, str]]:
    """Headline links in the page's lists (outside the article text), once each."""
    excluded = set(content)
    page_host = _host(base_url)
    m = _ORIGIN.match(base_url)
    origin = m.group(0) if m else ""
    page = base_url.split("#", 1)[0].rstrip("/")
    groups: dict[etree._Element, list[tuple[str, str]]] = {}
    listed: set[str] = set()
    order: list[tuple[str, str, etree._Element, bool]] = []
    for a in _ANCHORS(root):
        text = _NSTR(a)  # whitespace already collapsed: only NFC is left to do
        if not 15 <= len(text) <= 250 or len(text.split()) < 3:
            continue
        text = clean(text)
        href = a.get("href", "").strip()
        if href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        in_li = False
        container = None
        inside = False
        for depth, anc in enumerate(a.iterancestors()):
            if anc in excluded:
                inside = True
                break
            if anc.tag == "li":
                in_li = True
            if depth == 2:
                container = anc
            if depth > 40:
                break
        if inside:
            continue
        order.append((text, href, container, in_li))
        if container is not None:
            groups.setdefault(container, []).append((text, href))
    out = []
    for text, href, container, in_li in order:
        if not in_li and (container is None or len(groups.get(container, ())) < 3):
            continue
        if _ABSOLUTE.match(href) and not _UNSAFE.search(href):
            url = href.split("#", 1)[0]  # the common case, without urljoin's cost
        elif (
            origin
            and href.startswith("/")
            and not href.startswith("//")
            and not _UNSAFE.search(href)
        ):
            url = origin + href.split("#", 1)[0]  # a path on the same site
        else:
            try:
                url = urljoin(base_url, href).split("#", 1)[0]
            except ValueError:  # a malformed link, e.g. "https://[not-an-address]/"
                continue
        if not url.startswith(("http://", "https://")) or url.rstrip("/") == page:
            continue
        host = _host(url)
        if page_host and host != page_host and not host.endswith("." + page_host):
            continue
        if url in listed:
            continue
        listed.add(url)
        out.append({"title": text, "url": url})
    return out


def _number(text: str) -> float | None:
    text = text.strip().replace("\u00a0", " ")
    if not _NUMBER.match(text):
        return None
    if " " in text or ("," in text and "." in text):
        text = text.replace(" ", "").replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _find_day(text: str) -> str | None:
    m = _YMD.search(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DMY.search(text)
        if not m:
            return None
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _table_date(table: etree._Element) -> str | None:
    for cap in table.iter("caption", "th"):
        day = _find_day(_NSTR(cap))
        if day:
            return day
    prev = table.getprevious()
    hops = 0
    node = table
    while prev is None and hops < 2:
        node = node.getparent()
        if node is None:
            return None
        prev = node.getprevious()
        hops += 1
    if prev is not None and prev.tag in _HEADINGS:
        text = _NSTR(prev)
        if len(text) < 200:
            return _find_day(text)
    return None


def find_rates(root: etree._Element) -> list[dict]:
    """``{currency, date, rate}`` for every numeric cell of currency tables."""
    out: list[dict] = []
    for table in _TABLES(root):
        rows = [[_NSTR(c) for c in tr if c.tag in ("td", "th")] for tr in table.iter("tr")]
        coded = 0
        for cells in rows:
            if any(_currency(c) for c in cells[:2]):
                coded += 1
        if coded < 2:
            continue
        table_day = _table_date(table)
        column_days: dict[int, str] = {}
        for cells in rows:
            code = next((c for c in (_currency(x) for x in cells[:2]) if c), None)
            if code is None:
                for i, c in enumerate(cells):
                    day = _find_day(c) if len(c) < 40 else None
                    if day:
                        column_days[i] = day
                continue
            for i, c in enumerate(cells):
                value = _number(c)
                if value is None or _currency(c):
                    continue
                out.append({"currency": code, "date": column_days.get(i, table_day), "rate": value})
    return out


def _currency(cell: str) -> str | None:
    if len(cell) > 40:
        return None
    for m in _CODE.finditer(cell):
        if m.group(1) in _CURRENCIES:
            return m.group(1)
    return None


_COPYRIGHT_TEXT = re.compile(
    "©|opyright|COPYRIGHT|\\([cC]\\)|ights reserved|IGHTS RESERVED|права защищены|hüquqlar|"
    "hakları saklıdır|Rechte vorbehalten|droits réservés|derechos reservados|Müəllif hüquq"
)


def find_copyright(root: etree._Element) -> str | None:
    """The copyright line (the last one on the page), whitespace collapsed."""
    body = root.find("body")
    if body is None:
        return None
    # from the end of the page: the last text holding a copyright mark wins (the page's
    # last elements first, where it nearly always is, then the rest)
    tail = _LAST_ELEMENTS(body)
    found = _last_copyright(tail)
    if found is None and len(tail) >= _TAIL:
        found = _last_copyright(list(body.iter()))
    return found


_TAIL = 120
_LAST_ELEMENTS = etree.XPath(f"(.//*)[position() > last() - {_TAIL}]")


def _last_copyright(elements: list[etree._Element]) -> str | None:
    for el in reversed(elements):
        if not isinstance(el.tag, str):
            continue
        for text, is_tail in ((el.tail, True), (el.text, False)):
            if not text or not _COPYRIGHT_TEXT.search(text):
                continue
            parent = el.getparent() if is_tail else el
            if parent is None:
                continue
            line = clean(_NSTR(parent))
            if not line or len(line) > 300:
                line = clean(text)
            if line and len(line) <= 300:
                return line
    return None
