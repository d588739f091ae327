"""Telling an article page from a listing page by its content, when the URL does not say.

:func:`page_signals` measures a parsed page; :func:`decide` turns the measures into a
:class:`PageKind`:

- **structured data** says article: ``og:type=article``, a JSON-LD ``NewsArticle`` /
  ``Article`` / ``BlogPosting`` (any ``*Article``), or an ``article:published_time`` /
  ``itemprop=datePublished`` date. Such a page is an article unless it looks like a listing
  all the same (5+ headline links and under 200 characters of paragraph text in one block:
  some sites label every page ``article``).
- **without structured data**, a page with exactly one ``h1`` (outside header, nav and
  footer) and one block of substantial paragraph text (400+ characters, and at least
  50 characters per headline link on the page) is an article;
- a JSON-LD ``CollectionPage``/``ItemList``/``SearchResultsPage``, or 5+ distinct headline
  links (anchor text of 3+ words and 20+ characters, outside header, nav and footer), or
  3+ ``<article>`` teasers make a **listing**;
- anything else is **other** (an about page, a form): neither archived nor followed.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lxml import etree
from parsel import Selector


class PageKind(StrEnum):
    """What a fetched page is."""

    ARTICLE = "article"
    LISTING = "listing"
    OTHER = "other"


@dataclass(frozen=True)
class PageSignals:
    """What :func:`decide` looks at."""

    og_article: bool = False
    jsonld_article: bool = False
    jsonld_listing: bool = False
    published_meta: bool = False
    h1_count: int = 0
    main_text: int = 0
    """Characters of paragraph text in the block that holds the most of it."""
    headline_links: int = 0
    article_elements: int = 0

    @property
    def structured(self) -> bool:
        """The page's metadata says it is an article."""
        return self.og_article or self.jsonld_article or self.published_meta


_BOILER = frozenset({"nav", "header", "footer", "aside"})
_JSONLD_LISTING = frozenset({"collectionpage", "itemlist", "searchresultspage"})
_SPACE = re.compile(r"\s+")
#: Fewer characters than this in a paragraph and it is a caption or a label, not text.
_MIN_PARAGRAPH = 30
_HEADLINE_CHARS = 20
_HEADLINE_WORDS = 3
_LISTING_LINKS = 5


def _text(el: etree._Element) -> str:
    return _SPACE.sub(" ", "".join(el.itertext())).strip()


def _in_boilerplate(el: etree._Element, extra: frozenset[str] = frozenset()) -> bool:
    for anc in el.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in _BOILER or tag in extra:
            return True
    return False


def _jsonld_types(root: etree._Element) -> set[str]:
    found: set[str] = set()

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 6:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            kind = node.get("@type")
            for name in kind if isinstance(kind, list) else [kind]:
                if isinstance(name, str):
                    found.add(name.rsplit("/", 1)[-1].lower())
            for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                if isinstance(node.get(key), list | dict):
                    walk(node[key], depth + 1)

    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            walk(json.loads(script.text or ""))
        except ValueError:
            continue
    return found


def _nested_article(el: etree._Element) -> bool:
    return any(anc.tag == "article" for anc in el.iterancestors())


def _is_article_type(name: str) -> bool:
    return name.endswith("article") or name in ("blogposting", "liveblogposting")


def _main_text(root: etree._Element) -> int:
    by_parent: dict[etree._Element, int] = defaultdict(int)
    for p in root.iter("p"):
        if _in_boilerplate(p, frozenset({"a", "li"})):
            continue
        size = len(_text(p))
        parent = p.getparent()
        if size >= _MIN_PARAGRAPH and parent is not None:
            by_parent[parent] += size
    return max(by_parent.values(), default=0)


def _headline_links(root: etree._Element) -> int:
    targets: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = _text(a)
        if len(text) < _HEADLINE_CHARS or len(text.split()) < _HEADLINE_WORDS:
            continue
        if not _in_boilerplate(a):
            targets.add(href)
    return len(targets)


def page_signals(page: Selector | etree._Element) -> PageSignals:
    """Measure a parsed HTML page (a parsel ``Selector``, e.g. ``response.selector``, or an
    lxml root)."""
    root = page.root if isinstance(page, Selector) else page
    if not isinstance(root, etree._Element):
        return PageSignals()
    og_type = ""
    published = False
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key == "og:type":
            og_type = (meta.get("content") or "").strip().lower()
        elif key in ("article:published_time", "datepublished"):
            published = True
    published = published or bool(root.xpath("//*[@itemprop='datePublished']"))
    types = _jsonld_types(root)
    h1s = [h for h in root.iter("h1") if not _in_boilerplate(h)]
    articles = [
        a for a in root.iter("article") if not any(x.tag == "article" for x in a.iterancestors())
    ]
    return PageSignals(
        og_article=og_type.startswith("article"),
        jsonld_article=any(_is_article_type(t) for t in types),
        jsonld_listing=bool(types & _JSONLD_LISTING),
        published_meta=published,
        h1_count=len(h1s),
        main_text=_main_text(root),
        headline_links=_headline_links(root),
        article_elements=len(articles),
    )


def decide(s: PageSignals) -> PageKind:
    """Article, listing or other, from a page's :class:`PageSignals` (rules above)."""
    listing_like = s.headline_links >= _LISTING_LINKS or s.article_elements >= 3
    if s.jsonld_listing and not s.jsonld_article:
        return PageKind.LISTING
    if s.structured and not (listing_like and s.main_text < 200):
        return PageKind.ARTICLE
    if (
        not s.structured
        and s.h1_count == 1
        and s.main_text >= 400
        and s.main_text >= 50 * s.headline_links
    ):
        return PageKind.ARTICLE
    if listing_like:
        return PageKind.LISTING
    return PageKind.OTHER


def classify_page(page: Selector | etree._Element) -> PageKind:
    """What a fetched page is: :func:`decide` on :func:`page_signals`."""
    return decide(page_signals(page))
