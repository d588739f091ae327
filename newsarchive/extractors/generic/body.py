"""Finding the article text: score paragraph containers, keep the best one, clean it.

The rules (after Readability, simplified and made cheap):

* every paragraph-like element with at least 25 characters scores
  ``1 + commas + min(length / 100, 3)`` for its parent, half of that for its grandparent
  and a third for the great-grandparent; a container with text directly inside
  (``<br>``-separated) scores for itself;
* a container's score is weighted by its ``class``/``id`` (``article``, ``content``,
  ``story``... up; ``comment``, ``sidebar``, ``related``... down) and by
  ``1 - link density``;
* the best container is widened to its parent when several strong candidates share it,
  and its siblings join when they score well or are plain paragraphs;
* inside, subtrees that are navigation, forms, captions, sharing, related links,
  newsletters, comments, hidden elements or the headline (``h1``) are dropped, as are
  blocks made mostly of link text and lists made of links.

The body is the kept blocks' text: one paragraph per block, whitespace collapsed,
paragraphs joined by a blank line.
"""

from __future__ import annotations

import re

from lxml import etree

from .parse import clean

_PARAS = etree.XPath(
    "//p|//pre|//blockquote|//h2|//h3|//li|//td|//dd"
    "|//div[br or text()[string-length(normalize-space()) > 40]]"
    "|//div[not(p|div|ul|ol|table|section|article|blockquote|h2|h3|h4|pre|dl|form|br)]"
    "[not(text()[string-length(normalize-space()) > 40])][string-length(normalize-space()) > 25]"
    "|//section[br or text()[string-length(normalize-space()) > 40]]"
    "|//article[br or text()[string-length(normalize-space()) > 40]]"
)
_NSTR = etree.XPath("normalize-space()")
_LINKS = etree.XPath(".//a[@href]")

SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "aside",
        "footer",
        "form",
        "button",
        "select",
        "option",
        "input",
        "textarea",
        "iframe",
        "object",
        "embed",
        "canvas",
        "video",
        "audio",
        "figcaption",
        "h1",
        "head",
        "title",
        "meta",
        "link",
        "label",
        "menu",
        "dialog",
        "map",
        "area",
        "picture",
        "img",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "dl",
        "dt",
        "dd",
        "figure",
        "header",
        "address",
        "center",
        "hr",
        "br",
        "details",
        "summary",
    ]
)
_CONTAINERS = frozenset(["div", "section", "article", "main", "td", "body", "blockquote"])

_POSITIVE = re.compile(
    r"article|body|content|entry|main|post|story|text|blog|news|prose|rich|\\bcopy\\b|detail|"
    r"artikel|haber|xeber|statya|materia|noticia|contenu",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"comment|sidebar|related|recommend|footer|header|menu|nav|share|social|promo|sponsor|"
    r"advert|widget|banner|popup|modal|cookie|newsletter|subscri|teaser|more-|outbrain|"
    r"taboola|breadcrumb|pagination|pager|toolbar|masthead|login|signup|rating|tags?\b",
    re.IGNORECASE,
)
#: Subtrees dropped inside the chosen container.
_PRUNE = re.compile(
    r"(?<![a-z])(?:share|sharing|social|related|recommend|newsletter|subscri|promo|advert|"
    r"ads?|ad-slot|adv|sponsor|comments?|disqus|byline|author|tags?|tagline|breadcrumbs?|"
    r"caption|credit|toolbar|popup|modal|cookie|banner|widget|signup|read-?more|"
    r"more-stories|outbrain|taboola|print|pagination|pager|sidebar|nav|navigation|menu|"
    r"sr-only|visually-hidden|screen-reader-text|meta|dateline-meta|timestamp|"
    r"date|time|published|updated|infobox|embed|video|gallery|slideshow|photo|image|"
    r"tools|utility|follow|donate|paywall|subscribe|author-bio|bio|also|teaser)"
    r"(?![a-z])",
    re.IGNORECASE,
)
_HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:hidden|is-hidden|sr-only|visually-hidden|screen-reader-text|d-none)(?:\s|$)"
)
_KEEP = re.compile(r"article-?body|story-?body|entry-content|post-content|body-?text", re.I)
_COMMAS = re.compile(r"[,，、،]")


def _class_weight(el: etree._Element) -> float:
    """A factor for a container's score: > 1 for article-like names, < 1 for boilerplate."""
    name = (el.get("class") or "") + " " + (el.get("id") or "")
    if len(name) < 2:
        return 1.0
    weight = 1.0
    if _NEGATIVE.search(name):
        weight *= 0.5
    if _POSITIVE.search(name):
        weight *= 1.3
    return weight


#: A class or id token that starts or ends with one of these words.
_ANCESTOR_NEGATIVE = re.compile(
    r"(?:^|\s)(?:comment|sidebar|footer|related|disqus|repl(?:y|ies))|"
    r"(?:comments?|sidebar|footer|related|disqus|repl(?:y|ies))(?:\s|$)",
    re.I,
)


def _inside_boilerplate(el: etree._Element) -> bool:
    """Whether an ancestor is a comment thread, sidebar, footer or related block."""
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            return False
        if anc.tag in ("aside", "footer", "nav"):
            return True
        name = anc.get("class") or anc.get("id")
        if name and _ANCESTOR_NEGATIVE.search(name):
            return True
    return False


def _link_density(el: etree._Element, length: int) -> float:
    if not length:
        return 1.0
    links = sum(len(_NSTR(a)) for a in _LINKS(el))
    return min(1.0, links / length)


def _score(root: etree._Element) -> dict[etree._Element, float]:
    scores: dict[etree._Element, float] = {}
    for el in _PARAS(root):
        tag = el.tag
        if tag in _CONTAINERS and (
            el.find("br") is not None
            or (el.text or "").strip()
            or any((c.tail or "").strip() for c in el)
        ):
            # text directly inside (br-separated)
            text = (el.text or "") + "".join((c.tail or "") for c in el)
            text = text.strip()
            length = len(text)
            if length < 40:
                continue
            s = 1 + len(_COMMAS.findall(text)) + min(length / 100, 3)
            scores[el] = scores.get(el, 0.0) + s
            parent = el.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0.0) + s / 2
            continue
        text = _NSTR(el)
        length = len(text)
        if length < 25:
            continue
        s = 1 + len(_COMMAS.findall(text)) + min(length / 100, 3)
        if tag == "li" or tag == "td" or tag == "dd":
            s *= 0.5
        node = el.getparent()
        level = 1
        while node is not None and level <= 3:
            scores[node] = scores.get(node, 0.0) + s / (1 if level == 1 else level * 1.5)
            node = node.getparent()
            level += 1
    return scores


def find_content(root: etree._Element) -> list[etree._Element]:
    """The elements holding the article text, in document order (empty if none)."""
    body = root.find("body")
    scores = _score(root)
    if not scores:
        return [body] if body is not None else []
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:12]
    finals: list[tuple[float, etree._Element]] = []
    for el, raw in ranked:
        if el.tag in ("html", "head"):
            continue
        length = len(_NSTR(el))
        final = raw * _class_weight(el) * (1 - _link_density(el, length))
        if _inside_boilerplate(el):
            final *= 0.2
        finals.append((final, el))
    if not finals:
        return [body] if body is not None else []
    finals.sort(key=lambda x: x[0], reverse=True)
    top_score, top = finals[0]
    # several strong candidates under one ancestor: the ancestor is the article
    strong = [el for s, el in finals[1:6] if s >= 0.75 * top_score and not _is_ancestor(el, top)]
    if strong:
        for anc in list(top.iterancestors())[:3]:
            if anc.tag == "body":
                break
            if all(_is_ancestor(anc, el) for el in strong):
                top = anc
                break
    parent = top.getparent()
    if parent is None or top.tag == "body":
        return [top]
    threshold = max(10.0, top_score * 0.2)
    kept = []
    for sib in parent:
        if sib is top:
            kept.append(sib)
            continue
        if not isinstance(sib.tag, str):
            continue
        s = scores.get(sib)
        if s is not None and s * _class_weight(sib) >= threshold:
            length = len(_NSTR(sib))
            if _link_density(sib, length) < 0.3:
                kept.append(sib)
                continue
        if sib.tag == "p":
            text = _NSTR(sib)
            ld = _link_density(sib, len(text))
            if (len(text) > 80 and ld < 0.25) or (
                0 < len(text) <= 80 and ld == 0 and text.endswith((".", "!", "?", "”", '"'))
            ):
                kept.append(sib)
    return kept


def _is_ancestor(anc: etree._Element, el: etree._Element) -> bool:
    node = el.getparent()
    while node is not None:
        if node is anc:
            return True
        node = node.getparent()
    return False


def _hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and ("display:none" in style.replace(" ", "").lower())


class _Collector:
    __slots__ = ("blocks", "parts", "links", "total")

    def __init__(self, total: int) -> None:
        self.blocks: list[str] = []
        self.parts: list[str] = []
        self.links = 0
        self.total = total

    def flush(self) -> None:
        if self.parts:
            text = clean("".join(self.parts))
            if text and (self.links == 0 or self.links < 0.6 * len(text)):
                self.blocks.append(text)
            self.parts = []
        self.links = 0

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return
        if tag in SKIP_TAGS or _hidden(el):
            return
        name = el.get("class") or el.get("id")
        if name is not None:
            name = (el.get("class") or "") + " " + (el.get("id") or "")
            if (
                _PRUNE.search(name) and not _KEEP.search(name) and len(_NSTR(el)) < 0.3 * self.total
            ) or _HIDDEN_CLASS.search(name):
                return
        if tag in ("ul", "ol") and _link_list(el):
            return
        if tag in BLOCK_TAGS:
            self.flush()
            if tag == "br":
                return
        if tag == "a":
            self.links += len(_NSTR(el))
        if el.text:
            self.parts.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                if child.tag == "br":
                    self.flush()
                self.parts.append(child.tail)
        if tag in BLOCK_TAGS:
            self.flush()


def _link_list(el: etree._Element) -> bool:
    items = [li for li in el if li.tag == "li"]
    if len(items) < 2:
        return False
    text = _NSTR(el)
    return _link_density(el, len(text)) > 0.5


def extract_text(nodes: list[etree._Element]) -> list[str]:
    """The paragraphs of the given content elements, boilerplate dropped."""
    c = _Collector(sum(len(_NSTR(n)) for n in nodes))
    for node in nodes:
        c.walk(node)
        c.flush()
    return c.blocks


_DATELINE = re.compile(
    r"^((?:[A-ZÀ-ÖØ-ÞА-ЯЁƏÇĞİÖŞÜ][A-ZÀ-ÖØ-ÞА-ЯЁƏÇĞİÖŞÜ.'’-]+)"  # an ALL-CAPS place
    r"(?:[ /][A-ZÀ-ÖØ-ÞА-ЯЁƏÇĞİÖŞÜ][\w.'’-]*){0,3}"
    r"(?:,[^.!?\n—–]{1,60}?)?"  # ", Azerbaijan, May 2"
    r"(?:\s*\([^)\n]{1,40}\))?)"  # "(Reuters)"
    r"\s*(?:[-–—:]|--)\s+"
)
_DATELINE_MIXED = re.compile(
    r"^([A-ZÀ-ÖØ-ÞА-ЯЁƏÇĞİÖŞÜ][\w.'’-]+(?: [\w.'’-]+){0,3},[^.!?\n—–]{1,60}?"
    r"\([^)\n]{1,40}\))\s*(?:[-–—:]|--)\s+"
)


def find_dateline(first_paragraph: str) -> str | None:
    """The opening place/date/agency line, e.g. ``LONDON (Reuters)``, or ``None``."""
    if not first_paragraph:
        return None
    m = _DATELINE.match(first_paragraph) or _DATELINE_MIXED.match(first_paragraph)
    if m is None:
        return None
    line = m.group(1).strip()
    if len(line) < 3 or len(line) > 100:
        return None
    head = line.split()[0].strip(",")
    if len(head) < 2 or (m.re is _DATELINE and not head.isupper()):
        return None
    return line
