"""Machine-readable lists of a site's pages: robots.txt, sitemaps and RSS/Atom feeds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from protego import Protego
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

#: The most a gzipped sitemap may inflate to (the sitemap protocol allows 50 MB).
MAX_SITEMAP_SIZE = 64 * 1024 * 1024


def parse_robots(text: str) -> Protego:
    """A robots.txt parser (the one Scrapy's RobotsTxtMiddleware uses)."""
    return Protego.parse(text)


def robots_sitemaps(robots: Protego, base: str) -> list[str]:
    """The ``Sitemap:`` URLs of a parsed robots.txt, absolute against ``base``, once each."""
    return absolute_urls(robots.sitemaps, base)


def absolute_urls(urls: Iterable[str], base: str) -> list[str]:
    """``urls`` made absolute against ``base``, blanks dropped, once each, in order."""
    found: dict[str, None] = {}
    for url in urls:
        url = url.strip()
        if url:
            found.setdefault(urljoin(base, url))
    return list(found)


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<loc>`` of a sitemap: a child sitemap (in an index) or a page (in a urlset)."""

    loc: str
    news: bool = False
    """The entry carries a Google News ``<news:news>`` element: an article by definition."""
    lastmod: str | None = None
    """The entry's ``<lastmod>`` as written (W3C datetime), if any."""


@dataclass(frozen=True)
class ParsedSitemap:
    """A sitemap index (``children``) or a urlset (``pages``)."""

    kind: str
    """``sitemapindex``, ``urlset`` or whatever the root element is called."""
    entries: list[SitemapEntry]

    @property
    def is_index(self) -> bool:
        return self.kind == "sitemapindex"


def sitemap_body(body: bytes) -> bytes:
    """The XML of a sitemap response: gunzipped when it is a ``.xml.gz`` file."""
    if body[:2] == b"\x1f\x8b":
        return gunzip(body, max_size=MAX_SITEMAP_SIZE)
    return body


def parse_sitemap(body: bytes) -> ParsedSitemap:
    """Parse a sitemap or sitemap index (plain or gzipped); raises ``ValueError`` when the
    body is not one."""
    try:
        sitemap = Sitemap(sitemap_body(body))
    except Exception as exc:  # lxml, gzip or an empty body
        raise ValueError(f"not a sitemap: {exc}") from exc
    if sitemap.type not in ("sitemapindex", "urlset"):
        raise ValueError(f"not a sitemap: root element {sitemap.type!r}")
    entries = []
    for entry in sitemap:
        loc = (entry.get("loc") or "").strip()
        if loc:
            lastmod = (entry.get("lastmod") or "").strip() or None
            entries.append(SitemapEntry(loc=loc, news="news" in entry, lastmod=lastmod))
    return ParsedSitemap(kind=sitemap.type, entries=entries)


def feed_entry_links(body: bytes, base: str) -> Iterator[str]:
    """The article links of an RSS 2.0 / RSS 1.0 or Atom feed, absolute, in feed order.

    RSS: each ``item``'s ``link`` (its ``guid`` when it is a permalink and there is no
    link); Atom: each ``entry``'s ``link`` with ``rel=alternate`` or no ``rel``.
    """
    for link, _updated in feed_entries(body, base):
        yield link


def feed_entries(body: bytes, base: str) -> Iterator[tuple[str, str | None]]:
    """``(link, updated)`` of each entry of a feed (links as :func:`feed_entry_links`);
    ``updated`` is when the feed says the entry last changed, as written: Atom's
    ``<updated>``, an RSS item's ``<atom:updated>`` or ``<dc:modified>``; else None (an
    RSS ``pubDate`` is the publication, not a change)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError:
        return
    if root is None:
        return
    for item in root.iter():
        name = etree.QName(item).localname if isinstance(item.tag, str) else ""
        if name == "item":
            link = _rss_link(item)
        elif name == "entry":
            link = _atom_link(item)
        else:
            continue
        if link:
            updated = next(
                (
                    c.text.strip()
                    for c in item
                    if isinstance(c.tag, str)
                    and etree.QName(c).localname in ("updated", "modified")
                    and c.text
                    and c.text.strip()
                ),
                None,
            )
            yield urljoin(base, link.strip()), updated


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _rss_link(item: etree._Element) -> str | None:
    for link in _children(item, "link"):
        if link.text and link.text.strip():
            return link.text
        if link.get("href"):  # an Atom link inside an RSS item
            return link.get("href")
    for guid in _children(item, "guid"):
        if (guid.get("isPermaLink") or "true").lower() == "true" and guid.text:
            text = guid.text.strip()
            if text.startswith(("http://", "https://")):
                return text
    return None


def _atom_link(entry: etree._Element) -> str | None:
    for link in _children(entry, "link"):
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return None
