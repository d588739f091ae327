"""Decoding and parsing: one lxml parse per page, plus the text helpers every part shares."""

from __future__ import annotations

import codecs
import re
import unicodedata

from lxml import etree

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_PARSERS: dict[str, etree.HTMLParser] = {}

#: Names that browsers treat as windows-1252 or that Python knows under another name.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}


def _parser(encoding: str | None) -> etree.HTMLParser:
    key = encoding or ""
    parser = _PARSERS.get(key)
    if parser is None:
        parser = etree.HTMLParser(
            encoding=encoding,
            remove_comments=True,
            remove_pis=True,
            no_network=True,
            collect_ids=False,
            default_doctype=False,
        )
        _PARSERS[key] = parser
    return parser


def _known(name: str | None) -> str | None:
    if not name:
        return None
    name = _ALIASES.get(name.lower(), name.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_encoding(data: bytes, declared: str | None = None) -> str:
    """Pick the page's encoding: BOM, then valid UTF-8, then the declared or meta charset.

    Valid UTF-8 with non-ASCII bytes wins over a declared single-byte charset, since pages
    are often re-saved as UTF-8 without their ``<meta charset>`` being updated.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    declared = _known(declared)
    if declared is None:
        m = _META_CHARSET.search(data, 0, 4096) or _META_CHARSET.search(data)
        declared = _known(m.group(1).decode("ascii", "replace")) if m else None
    if declared in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        declared = None  # a page that parses as bytes here is not UTF-16
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return declared if declared and declared != "utf-8" else "cp1252"
    return "utf-8"


def parse_html(html: bytes | str, encoding: str | None = None) -> etree._Element | None:
    """Parse a page once, without comments and processing instructions."""
    if isinstance(html, str):
        html = _XML_DECL.sub("", html, count=1).encode("utf-8")
        enc = "utf-8"
    else:
        enc = detect_encoding(html, encoding)
    if not html.strip():
        return None
    try:
        root = etree.fromstring(html, _parser(enc))
    except (etree.ParserError, ValueError, LookupError):
        try:
            root = etree.fromstring(html.decode(enc, "replace").encode("utf-8"), _parser("utf-8"))
        except (etree.ParserError, ValueError):
            return None
    return root


def clean(text: str | None) -> str:
    """NFC and whitespace collapsed to single spaces, stripped."""
    if not text:
        return ""
    text = " ".join(text.split())  # str.split() splits at the same whitespace as \s
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


#: A layout modifier, not a block: ``with-sidebar``, ``has-comments``, ``no-sidebar``.
_MODIFIER = re.compile(
    r"(?<!\S)(?:[\w-]*?(?:with|has|no|without|show|hide|one|two|three|left|right|both|single"
    r"|double|content|main|primary|full|is|layout|page|template)[-_]*sidebars?[\w-]*"
    r"|[\w-]*?(?:with|has|no|without|show|hide|is|allow|enable|disable|open|closed)[-_]+"
    r"(?:comments?|footer|header|nav|menu|related|share|social|widgets?|banner|tags?)[\w-]*"
    r"|(?:sidebars?|comments?)[-_]+(?:left|right|open|closed|active|enabled|disabled|layout"
    r"|on|off|count|number|link|icon|btn|button))(?!\S)"
)


#: A cheap test for names that may hold a layout modifier.
_MODIFIER_HINT = re.compile(
    r"sidebar|comment|footer|header|nav|menu|related|share|social|widget|banner|tag"
)


def class_name(el: etree._Element) -> str:
    """The element's class and id in lower case, without the layout modifiers among
    them."""
    cls, id_ = el.get("class"), el.get("id")
    name = (cls + " " + id_ if cls and id_ else cls or id_ or "").lower()
    if name and _MODIFIER_HINT.search(name):
        name = _MODIFIER.sub("", name)
    return name


_NSTR = etree.XPath("normalize-space()")
_ROLE_MAIN = etree.XPath("//*[@role='main']")
#: Furniture that may wrap the article only by a parser's mistake.
_FURNITURE = frozenset(["nav", "header", "footer", "aside"])
_JUNK = ("script", "style", "template", "svg")
#: A ``<noscript>`` holding at least this much text may be the page's content.
_NOSCRIPT_TEXT = 200


def repair_nesting(root: etree._Element) -> None:
    """Undo a parser's nesting of the page's main content inside its navigation.

    libxml2 ignores an end tag that does not match the open element: after an unclosed
    ``<div>`` in a menu, ``</nav></header>`` are dropped and everything that follows, the
    ``<main>`` too, ends up inside the ``<nav>``. A browser would have closed them. So a
    ``<nav>``, ``<header>``, ``<footer>`` or ``<aside>`` that holds a ``<main>`` (or
    ``role="main"``, or, for a ``<nav>``, an ``<article>``) is treated as a plain block.
    """
    mains = [*root.iter("main"), *_ROLE_MAIN(root)]
    for nav in root.iter("nav"):
        mains.extend(a for a in nav.iter("article") if len(a.findall(".//p")) >= 3)
    for main in mains:  # (an <article> in a menu with fewer paragraphs is a teaser)
        for anc in main.iterancestors():
            if anc.tag in _FURNITURE:
                anc.tag = "div"


def strip_junk(root: etree._Element) -> None:
    """Remove scripts, styles, templates, SVG and ``<noscript>``, except a ``<noscript>``
    that holds more text than the rest of the page: the server-rendered fallback of a
    script-built page (Discourse, single-page apps), which is then read as a block."""
    etree.strip_elements(root, *_JUNK, with_tail=False)
    noscripts = [el for el in root.iter("noscript") if el.getparent() is not None]
    if noscripts:
        body = root.find("body")
        total = len(_NSTR(body)) if body is not None else 0
        sizes = [len(_NSTR(el)) for el in noscripts]
        visible = total - sum(sizes)
        for el, size in zip(noscripts, sizes, strict=True):
            if size >= _NOSCRIPT_TEXT and size > visible:
                el.tag = "div"
    etree.strip_elements(root, "noscript", with_tail=False)


_CLASS_ID = etree.XPath("//@class|//@id")
#: The last page's names, joined: several finders search them in turn (kept for one page).
_NAMES_CACHE: list = [(None, None)]  # one (root, names) pair, replaced whole


def _page_names(root: etree._Element) -> tuple[list, str]:
    """The page's class and id values, and their text joined by NUL characters (which no
    attribute value holds) and lower-cased."""
    cached_root, names = _NAMES_CACHE[0]
    if cached_root is root:
        return names
    values = _CLASS_ID(root)
    text = "\0".join(values)
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare letter whose lower case is longer
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    _NAMES_CACHE[0] = (root, (values, lowered))
    return values, lowered


def marked_elements(root: etree._Element, pattern: re.Pattern[str]) -> list[etree._Element]:
    """The elements whose ``class`` or ``id`` matches ``pattern`` (written in lower case:
    it is matched against the lower-cased names), in document order, each once. All the
    page's names are searched as one string (one regex pass, not one per element);
    ``pattern`` must not match a NUL character. The tree must not change between
    calls for the same page (the joined names are kept for the last page)."""
    values, text = _page_names(root)
    out: list[etree._Element] = []
    index = 0  # the value the last match lies in
    pos = 0
    last = -1
    for m in pattern.finditer(text):
        index += text.count("\0", pos, m.start())
        pos = m.start()
        if index == last:
            continue
        last = index
        el = values[index].getparent()
        if el is not None and (not out or out[-1] is not el):
            out.append(el)
    return out


def page_names(root: etree._Element) -> str:
    """All the page's class and id values in lower case, separated by NUL characters."""
    return _page_names(root)[1]
