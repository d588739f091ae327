"""The links of a listing page, sorted by where they stand and what they are for.

:func:`page_links` returns a :class:`PageLinks`: every ``<a href>`` as an absolute,
normalised URL with its region (``nav``: inside ``nav``/``header``/``role=navigation`` or an
element whose class or id names a menu or nav; ``side``: ``footer``/``aside``; ``main``:
anything else), the page's next-page links, and its feed links.

A **next-page link** is ``<link rel=next>`` / ``<a rel=next>``; an anchor whose text (or
``aria-label``/``title``) says next (``»``, ``›``, ``Next``, ``Older``, ``Далее``,
``Следующая``, ``Növbəti``, ``Sonrakı``, ...); or a link to ``/page/N/`` or ``?page=N`` of the
same listing (same path, or the same path before ``/page/``).

A **feed link** is ``<link rel=alternate>`` with type ``application/rss+xml`` or
``application/atom+xml``, or an ``<a href>`` whose path looks like a feed
(:func:`~newsarchive.discovery.urls.is_feed_url`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from newsarchive.discovery.urls import is_feed_url, normalize_url, page_number

Region = Literal["nav", "side", "main"]

_NEXT_TEXT = re.compile(
    r"^(?:next|next page|older|older posts|older entries|more news|далее|дальше|следующая"
    r"|следующая страница|вперед|вперёд|növbəti|sonrakı|irəli|ileri|sonraki|weiter|suivant"
    r"|siguiente)\b",
    re.I,
)
_ARROWS = re.compile(r"^[\s»›>→⟩⇢]+$")
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
_PAGE_SUFFIX = re.compile(r"/page/\d+/?$", re.I)
_SPACE = re.compile(r"\s+")
_NAV_WORD = re.compile(r"(?:^|[-_])(?:nav|navbar|navigation|menu|mainmenu|topmenu)(?:$|[-_])")


@dataclass
class PageLinks:
    """The links of one page (absolute, normalised, each once, in page order)."""

    links: list[tuple[str, Region]] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    capped: int = 0
    """Anchors left unread because the page had more than ``max_links``."""


def _region(a: etree._Element) -> Region:
    side = False
    for anc in a.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in ("nav", "header") or (anc.get("role") or "").lower() == "navigation":
            return "nav"
        names = f"{anc.get('class') or ''} {anc.get('id') or ''}".lower().split()
        if any(_NAV_WORD.search(n) for n in names):
            return "nav"
        if tag in ("footer", "aside"):
            side = True
    return "side" if side else "main"


def _listing_path(path: str) -> str:
    return _PAGE_SUFFIX.sub("/", path)


def _says_next(a: etree._Element) -> bool:
    text = _SPACE.sub(" ", "".join(a.itertext())).strip()
    labels = [text, a.get("aria-label") or "", a.get("title") or ""]
    return any(_NEXT_TEXT.match(t.strip()) or (t and _ARROWS.match(t)) for t in labels)


def _same_listing(url: str, current: str) -> bool:
    if page_number(url) is None:
        return False
    here, there = urlsplit(current), urlsplit(url)
    return here.netloc == there.netloc and _listing_path(here.path) == _listing_path(there.path)


def page_links(page: Selector | etree._Element, url: str, *, max_links: int = 0) -> PageLinks:
    """Sort the links of the page at ``url`` (a parsel ``Selector`` or an lxml root).

    With ``max_links``, only the first that many anchors are read (a page with 100,000
    links costs what one with ``max_links`` does); :attr:`PageLinks.capped` counts the
    rest."""
    root = page.root if isinstance(page, Selector) else page
    result = PageLinks()
    if not isinstance(root, etree._Element):
        return result
    bases = root.xpath("//base/@href")
    base = urljoin(url, bases[0].strip()) if bases else url
    current = normalize_url(url)
    seen: set[str] = set()
    nexts: dict[str, None] = {}
    feeds: dict[str, None] = {}

    def absolute(href: str | None) -> str | None:
        href = (href or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return None
        target = normalize_url(urljoin(base, href))
        return target if target.startswith(("http://", "https://")) else None

    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        target = absolute(link.get("href"))
        if target is None:
            continue
        if "next" in rel:
            nexts.setdefault(target)
        elif "alternate" in rel and (link.get("type") or "").lower().strip() in _FEED_TYPES:
            feeds.setdefault(target)
    read = 0
    for a in root.iter("a"):
        read += 1
        if max_links and read > max_links:
            result.capped += 1
            continue
        target = absolute(a.get("href"))
        if target is None or target == current:
            continue
        if is_feed_url(target):
            feeds.setdefault(target)
            continue
        if (
            "next" in (a.get("rel") or "").lower().split()
            or _says_next(a)
            or _same_listing(target, current)
        ):
            nexts.setdefault(target)
        if target not in seen:
            seen.add(target)
            result.links.append((target, _region(a)))
    result.next_pages = [u for u in nexts if u != current]
    result.feeds = list(feeds)
    return result
