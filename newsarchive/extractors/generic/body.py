"""Finding the article text: score paragraph containers, keep the best one, clean it.

The rules (after Readability, simplified, made cheap and made to hold on unseen sites):

* every paragraph-like element with at least 25 characters scores
  ``1 + commas + min(length / 100, 3)`` for its parent, half of that for its grandparent
  and a third for the great-grandparent; a container with text directly inside
  (``<br>``-separated) scores for itself. Paragraphs of navigation, sidebars and footers
  are not scored, and one inside a comment thread, a sidebar or related block (by class or
  id, matched as whole words, layout modifiers such as ``with-sidebar`` and
  ``sidebar-off`` aside; a block named like a sidebar that holds most of the page's text
  is a wrapper) or a list of posts counts a fifth;
* a list of posts is found by its marks, not its name: three or more of its items carry
  an avatar, a reply link or comment markup. Such a thread counts a fifth only when a
  story of its own (400 characters) stands beside it; else it is the page's content (a
  forum topic);
* a container's score is weighted by its ``class``/``id`` (``article``, ``content``,
  ``story``... up; ``comment``, ``sidebar``, ``related``... down), by boilerplate around
  or on it, and by ``1 - link density``;
* the best container is widened to its parent when several strong candidates share it;
  its siblings join when they score well or are plain paragraphs; and, going up from it to
  the ``<article>``/``<main>`` or a level that holds navigation or a footer, the blocks
  built like the one on the way (same tag and first class, or plain ``<section>``s: the
  sections of page builders and long-form pages) join when they read as article text;
* inside, subtrees that are navigation, forms (not a page-wide ``<form>``), captions,
  sharing, related links, newsletters, comments or the headline (``h1``) are dropped, as
  are blocks made mostly of link text, lists made of links and advertisement labels.
  Names that only sometimes mark boilerplate (``widget``, ``print``, ``button``) and
  classes that hide (``hidden``, ``d-none``, shown again by ``d-md-block``; one slide of a
  set) drop a subtree only when it holds no prose; ``hidden``/``display:none`` markup and
  screen-reader labels always do;
* when the best candidate gives no text after cleaning, it is cleaned again without the
  class-name rules; then the next candidates are tried the same way; last, the whole page
  without its header, when that reads as prose. A page with text never has an empty body.

The body is the kept blocks' text: one paragraph per block, whitespace collapsed,
paragraphs joined by a blank line.
"""

from __future__ import annotations

import re

from lxml import etree

from .parse import class_name as _name
from .parse import clean, page_names

#: Paragraph-like elements (paragraphs and list items of navigation, sidebars and footers
#: are not scored: they are never the article's, and menus have many).
_PARAS = etree.XPath(
    "//p[not(ancestor::nav|ancestor::footer|ancestor::aside)]|//pre|//blockquote|//h2|//h3"
    "|//li[not(ancestor::nav|ancestor::footer|ancestor::aside)]|//td|//dd"
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
    r"artikel|haber|xeber|statya|materia|noticia|contenu"
)
_NEGATIVE = re.compile(
    r"comment|sidebar|related|recommend|footer|header|menu|nav|share|social|promo|sponsor|"
    r"advert|banner|popup|modal|cookie|newsletter|subscri|teaser|more-|outbrain|"
    r"taboola|breadcrumb|pagination|pager|toolbar|masthead|login|signup|rating|tags?\b|"
    r"kommentar|commentaire|comentario|reacties|discussion"
)
#: Subtrees dropped inside the chosen container (whole words of a class or id: ``ad``
#: matches ``ad-slot`` but not the hex id ``post-3ad9f1``).
_PRUNE = re.compile(
    r"(?<![a-z0-9])(?:share|sharing|social|related|recommend|newsletter|subscri|promo|advert|"
    r"ads?|ad-slot|adv|sponsor|comments?|disqus|byline|author|tags?|tagline|breadcrumbs?|"
    r"caption|credit|toolbar|popup|modal|cookie|banner|signup|read-?more|"
    r"more-stories|outbrain|taboola|print-only|printfooter|visible-print|pagination|pager|"
    r"sidebar|nav|navigation|menu|"
    r"sr-only|visually-hidden|screen-reader-text|meta|dateline-meta|timestamp|"
    r"date|time|published|updated|infobox|embed|video|gallery|slideshow|photo|image|"
    r"tools|utility|follow|donate|paywall|subscribe|author-bio|bio|also|teaser)"
    r"(?![a-z0-9])"
)
#: Names that mark boilerplate as often as they wrap content (``widget`` in page builders,
#: ``print`` in "hidden-print"): such a subtree is dropped only when short or made of links.
_WEAK_PRUNE = re.compile(
    r"(?<![a-z0-9])(?:widgets?|print|button|btn|hidden|ad-?container|actions|extras?)(?![a-z0-9])"
)
#: Classes that hide an element. ``sr-only`` and the like always hide a short label;
#: ``hidden``/``d-none`` are often taken off by a script (slides, tabs, "read more"), so
#: they hide only short or link-heavy blocks; ``d-none d-md-block`` shows on wide screens.
_LABEL_CLASS = re.compile(r"(?:^|\s)(?:sr-only|visually-hidden|screen-reader-text)(?:\s|$)")
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|is-hidden|d-none)(?:\s|$)")
_SHOWN_CLASS = re.compile(r"(?:^|\s)d-(?:sm|md|lg|xl|xxl)-(?:block|flex|grid|inline|table)")
#: A block that says only this is an advertisement's label.
_AD_LABELS = frozenset(
    [
        "advert",
        "advertisement",
        "advertising",
        "anzeige",
        "werbung",
        "publicité",
        "publicidad",
        "pubblicità",
        "publicidade",
        "реклама",
        "reklam",
        "reklama",
        "sponsored",
        "ad",
        "ads",
    ]
)
_URL_TEXT = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)
_KEEP = re.compile(r"article-?body|story-?body|entry-content|post-content|body-?text")
#: A hidden block, or one with a name that is only sometimes boilerplate, is kept when it
#: holds prose: this many characters, a sentence, few links.
_PROSE = 80
_SENTENCE = re.compile(r"\w[.!?。…][\s\"”»)]|\w[.!?。…]$")


def _class_weight(el: etree._Element) -> float:
    """A factor for a container's score: > 1 for article-like names, < 1 for boilerplate."""
    cls, id_ = el.get("class"), el.get("id")
    raw = (cls + " " + id_ if cls and id_ else cls or id_ or "").lower()
    if len(raw) < 2:
        return 1.0
    weight = 1.0
    if _NEGATIVE.search(raw) and _NEGATIVE.search(_name(el)):
        weight *= 0.5
    if _POSITIVE.search(raw):
        weight *= 1.3
    return weight


#: A class or id token that starts or ends with one of these words.
_ANCESTOR_NEGATIVE = re.compile(
    r"(?:^|\s)(?:comment|sidebar|footer|related|disqus|repl(?:y|ies)|kommentar)|"
    r"(?:comments?|sidebar|footer|related|disqus|repl(?:y|ies)|kommentare?)(?:\s|$)"
)
_COMMENTS = re.compile(r"comment|disqus|repl(?:y|ies)|kommentar")
#: Elements whose text is never the article's: a paragraph inside one is not a candidate.
_NOT_CANDIDATE = frozenset(
    ["figcaption", "button", "label", "select", "option", "dialog", "menu", "textarea"]
)
#: A block named like a sidebar, footer or related links that holds more than this share
#: of the page's text is a layout wrapper (``sidebar-and-content``), not one.
_FURNITURE_SHARE = 0.5


def _boilerplate_name(el: etree._Element, memo: dict | None = None) -> bool:
    """Whether the class or id names a comment thread (whatever its size), or a sidebar,
    footer or related block that does not hold most of the page's text."""
    raw = el.get("class") or el.get("id")
    if raw is None:
        return False
    if not _ANCESTOR_NEGATIVE.search(raw.lower()) and not (el.get("id") and el.get("class")):
        return False
    name = _name(el)
    m = _ANCESTOR_NEGATIVE.search(name)
    if m is None:
        return False
    if _COMMENTS.search(m.group()):
        return True
    total = memo.get(None) if memo is not None else None
    return total is None or len(_NSTR(el)) < _FURNITURE_SHARE * total


def _inside_boilerplate(el: etree._Element, memo: dict | None = None) -> bool:
    """Whether an ancestor is a comment thread, sidebar, footer or related block (or an
    element whose text is never the article's, such as a caption). ``memo`` caches the
    answer per element and holds the page's text length under ``None``."""
    parent = el.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return False
    if memo is not None:
        known = memo.get(parent)
        if known is not None:
            return known
    tag = parent.tag
    found = (
        tag in ("aside", "footer", "nav")
        or tag in _NOT_CANDIDATE
        or _boilerplate_name(parent, memo)
        or _inside_boilerplate(parent, memo)
    )
    if memo is not None:
        memo[parent] = found
    return found


#: The text length of each link of the last page (nested candidates count the same links).
#: (one (root, lengths) pair, replaced whole, so that a thread never sees half of one)
_LINK_LENGTHS: list = [(None, {})]


def _link_density(el: etree._Element, length: int) -> float:
    if not length:
        return 1.0
    root = el.getroottree().getroot()
    cached_root, lengths = _LINK_LENGTHS[0]
    if cached_root is not root:
        lengths = {}
        _LINK_LENGTHS[0] = (root, lengths)
    links = 0
    for a in _LINKS(el):
        n = lengths.get(a)
        if n is None:
            n = lengths[a] = len(_NSTR(a))
        links += n
    return min(1.0, links / length)


def _commas(text: str) -> int:
    return text.count(",") + text.count("，") + text.count("、") + text.count("،")


def _text_inside(el: etree._Element) -> bool:
    """Whether a container holds text of its own (between ``<br>``s or its children)."""
    if el.find("br") is not None or (el.text and not el.text.isspace()):
        return True
    for child in el:
        tail = child.tail
        if tail and not tail.isspace():
            return True
    return False


def _score(root: etree._Element, memo: dict) -> dict[etree._Element, float]:
    """Each paragraph's score added to its parent, grandparent and great-grandparent (a
    fifth of it from a paragraph inside a comment thread, sidebar or footer)."""
    scores: dict[etree._Element, float] = {}
    for el in _PARAS(root):
        tag = el.tag
        if tag in _CONTAINERS and _text_inside(el):
            # text directly inside (br-separated)
            text = (el.text or "") + "".join((c.tail or "") for c in el)
            text = text.strip()
            length = len(text)
            if length < 40:
                continue
            s = 1 + _commas(text) + min(length / 100, 3)
            if _inside_boilerplate(el, memo):
                s *= 0.2
            scores[el] = scores.get(el, 0.0) + s
            parent = el.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0.0) + s / 2
            continue
        text = _NSTR(el)
        length = len(text)
        if length < 25:
            continue
        s = 1 + _commas(text) + min(length / 100, 3)
        if tag == "li" or tag == "td" or tag == "dd":
            s *= 0.5
        if _inside_boilerplate(el, memo):
            s *= 0.2
        node = el.getparent()
        level = 1
        while node is not None and level <= 3:
            scores[node] = scores.get(node, 0.0) + s / (1 if level == 1 else level * 1.5)
            node = node.getparent()
            level += 1
    return scores


#: What marks a post of a comment thread or forum: an avatar, a reply link, comment markup.
#: What marks a post of a comment thread or forum: an avatar, a reply link, comment markup.
_POST_MARKS = etree.XPath(
    "//img[contains(@class, 'avatar') or contains(@src, 'avatar') or contains(@class, 'userpic')]"
    "|//*[contains(@itemtype, 'Comment') or @itemprop='comment']"
    "|//a[contains(@class, 'reply') or contains(@href, 'replytocom=')"
    " or contains(@onclick, 'reply') or contains(@data-action, 'reply')]"
)
#: Words one of which a page with a thread of posts has in its class or id names.
_THREAD_WORDS = ("comment", "avatar", "repl", "discus", "thread", "forum", "userpic", "kommentar")
#: How far above a mark the list of posts is looked for.
_THREAD_DEPTH = 8
#: A page has a story beside its list of posts when the best block outside it holds this
#: much text; else the posts are the content (a forum topic).
_STORY = 400


def find_threads(root: etree._Element) -> set[etree._Element]:
    """Lists of posts (comment threads, forum topics, whatever they are named): elements
    with at least three children that each hold a post mark (an avatar, a reply link or
    comment markup)."""
    names = page_names(root)
    if not any(word in names for word in _THREAD_WORDS):
        return set()  # no comment, reply, avatar or forum names at all: no thread
    marks = _POST_MARKS(root)
    if len(marks) < 3:
        return set()
    marked: dict[etree._Element, set[etree._Element]] = {}
    for mark in marks:
        child = mark
        for _, anc in zip(range(_THREAD_DEPTH), mark.iterancestors(), strict=False):
            if anc.tag in ("body", "html"):
                break
            marked.setdefault(anc, set()).add(child)
            child = anc
    return {el for el, children in marked.items() if len(children) >= 3}


def _rank(scores: dict[etree._Element, float], memo: dict) -> list[tuple[float, etree._Element]]:
    """Candidates, best first: the raw score weighted by the class name, by boilerplate
    around or on the candidate (a comment thread, a list of posts, a sidebar, a caption:
    x0.2) and by its link density."""
    threads = memo.get("threads") or ()
    raw = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:40]
    weighted: list[tuple[float, etree._Element]] = []
    for el, value in raw:
        tag = el.tag
        if tag in ("html", "head") or tag in _NOT_CANDIDATE or tag in SKIP_TAGS and tag != "form":
            continue
        value *= _class_weight(el)
        if el in threads or _boilerplate_name(el, memo) or _inside_boilerplate(el, memo):
            value *= 0.2
        weighted.append((value, el))
    weighted.sort(key=lambda x: x[0], reverse=True)
    finals: list[tuple[float, etree._Element]] = []
    for value, el in weighted[:12]:
        length = len(_NSTR(el))
        finals.append((value * (1 - _link_density(el, length)), el))
    finals.sort(key=lambda x: x[0], reverse=True)
    return finals


def find_content(root: etree._Element) -> list[etree._Element]:
    """The elements holding the article text, in document order (empty if none)."""
    return find_body(root)[1]


def find_body(root: etree._Element) -> tuple[list[str], list[etree._Element]]:
    """The article's paragraphs and the elements they come from.

    The best candidate (widened to the ancestor it shares with other strong candidates,
    joined by its article-like siblings and by the same-kind sections of a page builder)
    is cleaned strictly, then leniently (no class-name rules); when that gives nothing,
    the next candidates are tried the same way, and last the whole ``<body>``.
    """
    body = root.find("body")
    memo: dict = {None: len(_NSTR(body)) if body is not None else 0}
    threads = find_threads(root)
    if threads:
        memo["threads"] = threads
        for thread in threads:
            memo[thread] = True  # its paragraphs count as inside boilerplate
    scores = _score(root, memo)
    finals = _rank(scores, memo) if scores else []
    if threads and (not finals or len(_NSTR(finals[0][1])) < _STORY):
        # no story beside the posts: the posts are the page's content (a forum topic)
        memo = {None: memo[None]}
        threads = set()
        scores = _score(root, memo)
        finals = _rank(scores, memo) if scores else []
    tried: list[etree._Element] = []
    for i, (top_score, top) in enumerate(finals[:6]):
        if any(t is top or _is_ancestor(t, top) for t in tried):
            continue
        tried.append(top)
        nodes = _assemble(top, top_score, finals if i == 0 else [], scores, threads)
        for lenient in (False, True):
            blocks = extract_text(nodes, lenient=lenient)
            if blocks and sum(len(b) for b in blocks) >= 25:
                return blocks, nodes
        if top_score <= 0:
            break
    if body is None:
        return [], []
    # last, the whole page without its header, when that reads as prose
    blocks = extract_text([body], lenient=True, skip=("header",))
    text = " ".join(blocks)
    if len(text) < _PROSE or not _SENTENCE.search(text):
        return [], [body]
    return blocks, [body]


def _assemble(
    top: etree._Element,
    top_score: float,
    finals: list[tuple[float, etree._Element]],
    scores: dict[etree._Element, float],
    threads: set[etree._Element],
) -> list[etree._Element]:
    """The candidate with the rest of its article around it."""
    # several strong candidates under one ancestor: the ancestor is the article
    strong = [
        el
        for s, el in finals[1:6]
        if s >= 0.75 * top_score
        and not _is_ancestor(el, top)
        and not _is_ancestor(top, el)
        and not _boilerplate_name(el)
        and el not in threads
    ]
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
        if (
            s is not None
            and s * _class_weight(sib) >= threshold
            and not _boilerplate_name(sib)
            and sib not in threads
        ):
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
    return _join_sections(kept, top)


_HEADINGS = frozenset(["h2", "h3", "h4", "h5", "h6"])
_CHROME_TAGS = frozenset(["nav", "aside", "footer", "header", "form", "menu"])
_DIGITS = re.compile(r"\d+")
#: How far above the candidate sections of a page builder are looked for.
_SECTION_LEVELS = 7


def _kind(el: etree._Element) -> tuple[str, str]:
    """What a block is built as: its tag and its first class without numbers."""
    cls = (el.get("class") or "").split()
    return el.tag, _DIGITS.sub("", cls[0]) if cls else ""


def _same_kind(a: etree._Element, b: etree._Element) -> bool:
    ka, kb = _kind(a), _kind(b)
    return ka == kb and (bool(ka[1]) or ka[0] == "section")


def _article_like(el: etree._Element) -> bool:
    """A block that reads as part of an article: prose or a subheading, few links, no
    boilerplate name, no headline of its own."""
    if el.tag in _CHROME_TAGS or el.tag in SKIP_TAGS:
        return False
    name = _name(el)
    if len(name) > 1 and _NEGATIVE.search(name):
        return False
    text = _NSTR(el)
    if not text or el.find(".//h1") is not None:
        return False
    if _link_density(el, len(text)) >= 0.25:
        return False
    if len(text) >= 60:
        return True
    return el.tag in _HEADINGS or any(True for _ in el.iter(*_HEADINGS))


def _chrome(el: etree._Element) -> bool:
    """A block of page furniture with some text: navigation, a sidebar, a footer."""
    if el.tag in ("nav", "aside", "footer", "menu"):
        return True
    text = _NSTR(el)
    if len(text) < 100:
        return False
    name = _name(el)
    if len(name) > 1 and _NEGATIVE.search(name):
        return True
    return len(text) >= 200 and _link_density(el, len(text)) > 0.5


def _join_sections(kept: list[etree._Element], top: etree._Element) -> list[etree._Element]:
    """Join the other sections of a page built from many: going up from the candidate,
    at each level the siblings built like the block on the way (same tag and first class,
    or both a plain ``<section>``) that read as article text join, with the subheadings and
    paragraphs between them. Stops at ``<article>``/``<main>`` (a whole article), at the
    ``<body>``, and at a level that holds navigation, a sidebar or a footer."""
    node = top
    for _ in range(_SECTION_LEVELS):
        if node.tag in ("article", "main", "body"):
            break
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html") or _boilerplate_name(parent):
            break
        siblings = [s for s in parent if s is not node and isinstance(s.tag, str)]
        if any(_chrome(s) for s in siblings):
            break
        joined = [s for s in siblings if _same_kind(s, node) and _article_like(s)]
        if len(joined) == 1 and not _joins_alone(joined[0], node):
            joined = []
        joined = [s for s in joined if s not in kept]
        if joined:
            extra = set(joined)
            for s in siblings:
                if (
                    (s.tag in _HEADINGS or s.tag == "p")
                    and s not in extra
                    and s not in kept
                    and _article_like(s)
                ):
                    extra.add(s)
            before: list[etree._Element] = []
            after: list[etree._Element] = []
            seen_node = False
            for s in parent:
                if s is node:
                    seen_node = True
                elif s in extra:
                    (after if seen_node else before).append(s)
            kept = before + kept + after
        node = parent
    return kept


def _joins_alone(sib: etree._Element, node: etree._Element) -> bool:
    """Whether the one block built like ``node`` beside it is more of the article rather
    than a trailer (an author's note, "about the company"): it comes first, or it is at
    least half as long as ``node``."""
    for s in sib.itersiblings(preceding=True):
        if s is node:
            return len(_NSTR(sib)) >= 0.5 * len(_NSTR(node))
    return True


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
    __slots__ = ("blocks", "parts", "links", "total", "lenient", "root", "skip")

    def __init__(self, total: int, lenient: bool = False, skip: tuple[str, ...] = ()) -> None:
        self.blocks: list[str] = []
        self.parts: list[str] = []
        self.links = 0
        self.total = total
        self.lenient = lenient
        self.skip = skip
        self.root: etree._Element | None = None

    def flush(self) -> None:
        if self.parts:
            text = clean("".join(self.parts))
            if (
                text
                and (self.links == 0 or self.links < 0.6 * len(text))
                and not (len(text) < 20 and text.strip(" .:-–—()[]").casefold() in _AD_LABELS)
            ):
                self.blocks.append(text)
            self.parts = []
        self.links = 0

    def _pruned(self, el: etree._Element, tag: str) -> bool:
        """Whether a subtree is left out by its tag, its class or id, or as hidden."""
        if tag in self.skip:
            return True
        if tag in SKIP_TAGS:
            # a page-wide <form> (ASP.NET) or the chosen block itself is a wrapper
            return not (el is self.root or (tag == "form" and len(_NSTR(el)) >= 0.5 * self.total))
        if self.lenient:
            return False
        if _hidden(el):
            return True
        cls = el.get("class")
        name = cls or el.get("id")
        if name is None:
            return False
        if cls and el.get("id"):
            name = cls + " " + el.get("id")
        name = name.lower()
        if _LABEL_CLASS.search(name):
            return True
        if _HIDDEN_CLASS.search(name) and not _SHOWN_CLASS.search(name):
            return not _one_of_a_set(el) and self._short_or_links(el)
        if el is self.root or _KEEP.search(name):
            return False
        if _PRUNE.search(name):
            return len(_NSTR(el)) < 0.3 * self.total
        return bool(_WEAK_PRUNE.search(name)) and self._short_or_links(el)

    def _short_or_links(self, el: etree._Element) -> bool:
        """No prose in it: short, without a sentence, or mostly link text."""
        text = _NSTR(el)
        if _link_density(el, len(text)) > 0.3:
            return True
        if len(text) >= _PROSE and _SENTENCE.search(text):
            return False
        # a subheading (in a page builder's heading widget) is the article's too
        heading = el if el.tag in _HEADINGS else next(el.iter(*_HEADINGS), None)
        return heading is None or len(_NSTR(heading)) < len(text)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return
        if self._pruned(el, tag):
            return
        if tag in ("ul", "ol") and _link_list(el):
            return
        if tag in BLOCK_TAGS:
            self.flush()
            if tag == "br":
                return
        if tag == "a":
            text = _NSTR(el)
            if not _URL_TEXT.match(text):  # a pasted address is part of the text
                self.links += len(text)
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


def _one_of_a_set(el: etree._Element) -> bool:
    """Whether a block hidden by its class is one of a set shown one at a time (slides,
    tabs, steps): a sibling built the same way is not hidden."""
    parent = el.getparent()
    if parent is None:
        return False
    kind = _kind(el)
    for sib in parent:
        if (
            sib is not el
            and kind[1]
            and _kind(sib) == kind
            and not _HIDDEN_CLASS.search((sib.get("class") or "").lower())
        ):
            return True
    return False


def _link_list(el: etree._Element) -> bool:
    items = [li for li in el if li.tag == "li"]
    if len(items) < 2:
        return False
    text = _NSTR(el)
    return _link_density(el, len(text)) > 0.5


def extract_text(
    nodes: list[etree._Element], *, lenient: bool = False, skip: tuple[str, ...] = ()
) -> list[str]:
    """The paragraphs of the given content elements, boilerplate dropped (``lenient``:
    only by tag, link lists and link-heavy blocks, not by class names or hiding; ``skip``:
    more tags to leave out)."""
    c = _Collector(sum(len(_NSTR(n)) for n in nodes), lenient, skip)
    for node in nodes:
        c.root = node
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
