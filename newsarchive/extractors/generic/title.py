"""Choosing the headline as printed.

Candidates: the page's ``<h1>`` elements, ``og:title``, ``twitter:title``, the JSON-LD
``headline`` and ``<title>``. The rules, in order:

1. an ``<h1>`` whose text is one of the metadata titles, or a part of one between
   site-name separators (``|``, ``-``, ``–``, ``—``, ``::``, ``·``, ``»``), is the headline;
2. else the metadata title (JSON-LD ``headline``, ``og:title``, ``twitter:title``) with a
   trailing or leading site name removed;
3. else the first ``<h1>`` that is not the site's logo;
4. else ``<title>`` with the site name removed (the longest part between separators).
"""

from __future__ import annotations

import re

from lxml import etree

from .parse import clean

_H1 = etree.XPath("//h1")
_H2 = etree.XPath("//h2")
_TITLE = etree.XPath("//title")
_NSTR = etree.XPath("normalize-space()")
_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+|\s*\|\s*")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold().strip(" .:;")


def _parts(title: str) -> list[str]:
    return [p.strip() for p in _SEPARATORS.split(title) if p.strip()]


def _strip_site(title: str, site_names: set[str]) -> str:
    """Remove a site name from either end of ``title``."""
    parts = _parts(title)
    if len(parts) < 2:
        return title
    seps = list(_SEPARATORS.finditer(title))
    if not seps:
        return title
    first = title[: seps[0].start()].strip()
    last = title[seps[-1].end() :].strip()
    if _norm(last) in site_names or (len(last.split()) <= 3 and len(last) < len(first)):
        return title[: seps[-1].start()].strip()
    if _norm(first) in site_names or (len(first.split()) <= 3 and len(first) < len(last) / 2):
        return title[seps[0].end() :].strip()
    return title


def _is_logo(h1: etree._Element) -> bool:
    for a in h1.iter("a"):
        href = (a.get("href") or "").rstrip("/")
        if href in ("", "#") or href.count("/") <= 2:
            return True
    return False


def find_title(root: etree._Element, meta: dict[str, str], jsonld_headline: str | None) -> str:
    """The headline as printed (``""`` when the page has none)."""
    page_title = clean(_NSTR(_TITLE(root)[0])) if _TITLE(root) else ""
    metas = [
        clean(x)
        for x in (jsonld_headline, meta.get("og:title"), meta.get("twitter:title"), page_title)
        if x and clean(x)
    ]
    site_names = {_norm(x) for x in (meta.get("og:site_name"), meta.get("application-name")) if x}
    h1s = []
    for el in _H1(root)[:8]:
        text = clean(_NSTR(el))
        if text and len(text) < 400:
            h1s.append((text, el))
    # 1. an h1 that a metadata title confirms
    norm_metas = [_norm(m) for m in metas]
    meta_parts = {_norm(p) for m in metas for p in _parts(m)}
    confirmed = [
        text for text, _el in h1s if _norm(text) in norm_metas or _norm(text) in meta_parts
    ]
    if confirmed:  # the longest, so that a logo naming the site loses to the headline
        return max(confirmed, key=len)
    for text, _el in h1s:
        n = _norm(text)
        if len(n) > 15 and any(m.startswith(n) or m.endswith(n) for m in norm_metas):
            return text
    # 2. metadata title without the site name
    for m in metas[:3]:
        if m is page_title:
            break
        if m:
            return _strip_site(m, site_names)
    # 3. the first h1 that is not a logo
    for text, el in h1s:
        if not _is_logo(el) and len(text.split()) >= 2:
            return text
    # 4. <title> without the site name
    if page_title:
        stripped = _strip_site(page_title, site_names)
        if stripped != page_title:
            return stripped
        parts = _parts(page_title)
        if len(parts) > 1:
            return max(parts, key=len)
        return page_title
    for text, _el in h1s:
        return text
    return ""
