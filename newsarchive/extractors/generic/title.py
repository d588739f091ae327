"""Choosing the headline as printed.

Candidates: the page's ``<h1>`` elements, ``og:title``, ``twitter:title``, the JSON-LD
``headline`` and ``<title>`` (HTML entities left in metadata by a double escape are
decoded). The site's name is known from ``og:site_name``/``application-name`` and from
the part of ``<title>`` that is not the headline. An ``<h1>`` that is the site's name or
logo, or empty, is not a headline. The rules, in order:

1. an ``<h1>`` whose text is one of the metadata titles, or a part of one between
   site-name separators (``|``, ``-``, ``–``, ``—``, ``::``, ``·``, ``»``), is the headline
   (one matching a whole title first);
2. else the first remaining ``<h1>`` of at least two words: the headline as printed
   (metadata titles are often rewritten for search engines and social networks);
3. else the metadata title (JSON-LD ``headline``, ``og:title``, ``twitter:title``) with a
   site name removed from either end;
4. else, on a page without an ``<h1>``, an ``<h2>`` that a metadata title confirms;
5. else a one-word ``<h1>``;
6. else ``<title>`` with the site name removed (the longest part between separators).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from lxml import etree

from .parse import class_name, clean

_H1 = etree.XPath("//h1")
_H2 = etree.XPath("//h2")
_TITLE = etree.XPath("//title")
_NSTR = etree.XPath("normalize-space()")
_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+|\s*\|\s*")
_SPACE = re.compile(r"\s+")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold().strip(" .:;")


def _parts(title: str) -> list[str]:
    return [p.strip() for p in _SEPARATORS.split(title) if p.strip()]


def _unescape(text: str) -> str:
    """Metadata escaped twice (``&amp;#8211;``) shows its entities after parsing."""
    return html.unescape(text) if "&" in text and _ENTITY.search(text) else text


def _strip_site(title: str, site_names: set[str], strict: bool = False) -> str:
    """Remove a site name from either end of ``title``: a known one, or (unless
    ``strict``) a short part at the end or a much shorter one at the start."""
    seps = list(_SEPARATORS.finditer(title))
    if not seps:
        return title
    first = title[: seps[0].start()].strip()
    last = title[seps[-1].end() :].strip()
    if _norm(last) in site_names:
        return title[: seps[-1].start()].strip()
    if _norm(first) in site_names:
        return title[seps[0].end() :].strip()
    if strict:
        return title
    if len(last.split()) <= 3 and len(last) < len(first):
        return title[: seps[-1].start()].strip()
    if len(first.split()) <= 3 and len(first) < len(last) / 2:
        return title[seps[0].end() :].strip()
    return title


_ARCHIVED = re.compile(r"^[a-z]+://[^/]+/(?:[\w-]+/)?\d{4,14}(?:[a-z]{2}_)?/(?=https?:/)")


def _is_logo(h1: etree._Element) -> bool:
    """An ``<h1>`` that links to the site's home page (the logo or the site's name)."""
    for a in h1.iter("a"):
        if a.get("rel") == "home":
            return True
        href = a.get("href")
        if href is None:
            continue  # an anchor (<a id="top">), not a link
        href = href.strip()
        m = _ARCHIVED.match(href)
        if m:
            href = href[m.end() :]
        if href in ("", "#", "/", "./", "index.html", "/index.html"):
            return True
        try:
            parts = urlsplit(href)
        except ValueError:
            continue
        if parts.netloc and parts.path in ("", "/") and not parts.query:
            return True
    return False


_FURNITURE_TAGS = frozenset(["nav", "aside", "footer", "form", "label", "button"])
_FURNITURE_NAME = re.compile(
    r"(?<![a-z])(?:nav|navigation|menu|sidebar|footer|sr-only|"
    r"screen-reader-text|visually-hidden|assistive)(?![a-z])"
)


def _furniture(el: etree._Element) -> bool:
    """Whether a heading belongs to the page's furniture: navigation, a sidebar widget,
    a footer, a label for screen readers."""
    for node in (el, *el.iterancestors()):
        tag = node.tag
        if tag in ("article", "main", "body"):
            return False
        if tag in _FURNITURE_TAGS:
            return True
        name = class_name(node)
        if name and _FURNITURE_NAME.search(name):
            return True
    return False


def _site_parts(page_title: str, others: list[str], host: str) -> set[str]:
    """The parts of ``<title>`` that name the site: the last part when the rest of the
    title is a metadata title or an ``<h1>``, else the first when the rest is; and any
    part that holds the site's domain name (``FINANZCHECK.de``)."""
    parts = _parts(page_title)
    if len(parts) < 2:
        return set()
    known = {_norm(o) for o in others}
    out = set()
    seps = list(_SEPARATORS.finditer(page_title))
    head, tail = page_title[: seps[-1].start()], page_title[seps[0].end() :]
    if _norm(head) in known:
        out.add(_norm(parts[-1]))
    elif _norm(tail) in known:
        out.add(_norm(parts[0]))
    if host:
        out.update(
            _norm(p) for p in (parts[0], parts[-1]) if host in p.casefold() and _name_like(p)
        )
    return out


def _site_host(url: str) -> str:
    """The distinctive part of the site's domain: ``finanzcheck`` for
    ``https://www.finanzcheck.de/...``."""
    m = _ARCHIVED.match(url)
    if m:
        url = url[m.end() :]
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    labels = [x for x in host.split(".") if x not in ("www", "m", "amp")]
    if len(labels) >= 2:
        labels = labels[:-1]  # the top-level domain
    name = max(labels, key=len) if labels else ""
    return name if len(name) >= 4 else ""


def _name_like(part: str) -> bool:
    """A part of a title that reads as a name (``La Stampa``, ``Daily Mail Online``,
    ``selbst.de``): at most three words, each capitalised, a number or a domain."""
    words = part.split()
    return 0 < len(words) <= 3 and all(
        w[0].isupper() or w[0].isdigit() or "." in w for w in words if w[0].isalnum()
    )


def _without_site(title: str, site_names: set[str]) -> str:
    """A metadata title without a site name at its end or start: a known name, or a
    short name-like last part."""
    stripped = _strip_site(title, site_names, strict=True)
    if stripped != title:
        return stripped
    seps = list(_SEPARATORS.finditer(title))
    if seps:
        last = title[seps[-1].end() :].strip()
        rest = title[: seps[-1].start()].strip()
        if _name_like(last) and len(rest.split()) >= 3:
            return rest
    return title


#: Parts of a headline element that are not the headline: a kicker, the section, the date,
#: a label for screen readers.
_NOT_HEADLINE = re.compile(
    r"kicker|overline|supertitle|super-title|dachzeile|topline|roofline|eyebrow|rubric|"
    r"(?<![a-z])(?:section|category|label|date|time|invisible|hidden|sr-only|"
    r"screen-reader-text|visually-hidden)(?![a-z])"
)
_HEADLINE_PART = re.compile(r"(?<![a-z])(?:headline|title)(?![a-z])")


def _headline_text(h1: etree._Element) -> str:
    """The headline in an ``<h1>`` that also prints a kicker, a section or a date in
    their own elements: the part marked as the headline, else the text without those
    parts (``""`` when the ``<h1>`` has no such parts)."""
    parts = [c for c in h1.iterdescendants() if isinstance(c.tag, str) and c.get("class")]
    if not parts:
        return ""
    for el in parts:
        cls = el.get("class").lower()
        if _HEADLINE_PART.search(cls) and not _NOT_HEADLINE.search(cls):
            text = clean(_NSTR(el))
            if len(text.split()) >= 2:
                return text
    drop = [el for el in parts if _NOT_HEADLINE.search(el.get("class").lower())]
    if not drop:
        return ""
    out: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            out.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child not in drop and child.tag != "time":
                walk(child)
            out.append(" ")
            if child.tail:
                out.append(child.tail)

    walk(h1)
    return clean("".join(out)).strip(" :|-–—")


def find_title(
    root: etree._Element, meta: dict[str, str], jsonld_headline: str | None, url: str = ""
) -> str:
    """The headline as printed (``""`` when the page has none)."""
    page_title = clean(_unescape(_NSTR(_TITLE(root)[0]))) if _TITLE(root) else ""
    metas = [
        clean(_unescape(x))
        for x in (jsonld_headline, meta.get("og:title"), meta.get("twitter:title"))
        if x and clean(x)
    ]
    h1s: list[tuple[str, etree._Element]] = []
    whole: dict[etree._Element, str] = {}
    for el in _H1(root)[:8]:
        text = clean(_NSTR(el))
        if text and len(text) < 400:
            whole[el] = text
            h1s.append((_headline_text(el) or text, el))
    site_names = {
        _norm(x)
        for x in (
            meta.get("og:site_name"),
            meta.get("application-name"),
            meta.get("al:ios:app_name"),
        )
        if x
    }
    h1s = [(t, el) for t, el in h1s if not _is_logo(el)]
    site_names |= _site_parts(page_title, metas + [t for t, _ in h1s], _site_host(url))
    h1s = [(t, el) for t, el in h1s if _norm(t) not in site_names]
    if page_title:
        metas.append(page_title)
    # an h1 that prints a metadata title after a kicker, a date or the site's name
    variants = {_without_site(m, site_names) for m in metas} | set(metas)
    for text, _el in h1s:
        n = _norm(text)
        for m in variants:
            k = _norm(m)
            if k != n and len(m.split()) >= 3 and n.endswith(k):
                return m
    # 1. an h1 that a metadata title confirms, a whole title first
    norm_metas = [_norm(m) for m in metas]
    meta_parts = {_norm(p) for m in metas for p in _parts(m)} - site_names
    for text, el in h1s:
        if _norm(whole[el]) in norm_metas:
            return whole[el]
        if _norm(text) in norm_metas:
            return text
    for text, _el in h1s:
        if _norm(text) in meta_parts:
            return text
    # 2. the first h1 that reads as a headline, outside navigation and sidebars
    for text, el in h1s:
        if len(text.split()) >= 2 and not _furniture(el):
            return text
    # 3. metadata title without the site name
    for m in metas:
        if m is page_title:
            break
        return _without_site(m, site_names)
    # 4. on a page without a headline element, a subheading a metadata title confirms
    if not h1s:
        for el in _H2(root)[:8]:
            text = clean(_NSTR(el))
            if text and (_norm(text) in norm_metas or _norm(text) in meta_parts):
                return text
    # 5. a one-word h1
    for text, el in h1s:
        if not _furniture(el):
            return text
    # 6. <title> without the site name
    if page_title:
        stripped = _strip_site(page_title, site_names)
        if stripped != page_title:
            return stripped
        parts = _parts(page_title)
        if len(parts) > 1:
            return max(parts, key=len)
        return page_title
    return ""
