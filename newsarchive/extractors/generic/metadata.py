"""The article's metadata beyond title and date: authors, modification date, description,
lead image, tags and canonical URL, from every source a page offers.

* **authors**: the names a reader sees in the byline. Candidates come from the JSON-LD
  article's ``author`` (``Person`` objects, names, references to a ``Person`` elsewhere
  in the graph), ``<meta>`` (``author``, ``article:author`` when not a profile URL,
  ``dc.creator``, ``byl``, ``parsely-author``, ``citation_author``...), microdata
  (``itemprop="author"``) and visible bylines (``rel="author"`` links and elements whose
  class, id or itemprop names an author or byline, read after "By", "Von", "Par"...).
  Machine names that the page also prints in a byline win; else the printed byline;
  else the JSON-LD article's person names. A ``<meta>`` name that the page never prints
  (often the site's owner) is not taken. Each name loses its "By" and its role ("Staff
  Writer", ", Redakteur"), several in one line are split ("A and B", "A, B", "A und B");
  an organisation the page names as its publisher or site is not an author.
* **modified**: JSON-LD ``dateModified``, then ``article:modified_time``,
  ``og:updated_time`` and other modification ``<meta>``, then ``itemprop="dateModified"``
  markup, parsed like ``published`` (same format), with the raw value in
  ``modified_raw``; never earlier than ``published``'s day.
* **description**: ``og:description``, ``twitter:description``, ``<meta
  name="description">``, the JSON-LD article's ``description``: the first that is text.
* **image**: ``og:image`` (``:secure_url``), ``twitter:image``, the JSON-LD article's
  ``image``, ``<link rel="image_src">``: made absolute, ``http(s)`` only.
* **tags**: ``article:tag`` (each), ``news_keywords``, ``keywords``, the JSON-LD article's
  ``keywords``, then the page's ``rel="tag"`` links: split at commas, once each
  (case-insensitive), in that order.
* **canonical_url**: ``<link rel="canonical">``, else ``og:url``, made absolute,
  ``http(s)`` only.

Nothing is guessed: a field the page does not give is ``None`` (or an empty list).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsarchive.dates import MONTHS, fold

from .parse import class_name, clean, marked_elements
from .published import parse_machine

__all__ = ["find_metadata"]

_AUTHOR_ATTRS = etree.XPath("//*[@itemprop='author' or @rel='author']")


def _marked(root: etree._Element) -> list[etree._Element]:
    """Elements that may hold a byline: a byline-ish class or id (in document order), then
    the other ``itemprop="author"`` and ``rel="author"`` elements."""
    found = marked_elements(root, _BYLINE_HINT)
    extra = _AUTHOR_ATTRS(root)
    if not extra:
        return found
    have = set(found)
    return found + [el for el in extra if el not in have]


#: A class or id that may name a byline (matched in lower case).
_BYLINE_HINT = re.compile(
    r"author|byline|by-line|autor|writer|creator|contribut|reporter|verfasser|redakteur"
)
_NOT_BYLINE_TAGS = frozenset(["meta", "link", "script", "style", "body", "html", "head"])
_TAG_LINKS = etree.XPath("//a[@rel][@rel='tag' or contains(concat(' ', @rel, ' '), ' tag ')]")
_MODIFIED_MARKUP = etree.XPath("//*[@itemprop='dateModified']")
_NSTR = etree.XPath("normalize-space()")

#: Author keys of ``<meta name|property>``, most trusted first.
_AUTHOR_META = (
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
    "citation_author",
    "cxenseparse:author",
    "article.author",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "modified",
    "article:modified",
)
_DESCRIPTION_META = ("og:description", "twitter:description", "description", "dc.description")
_IMAGE_META = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)
_ARTICLE_TYPES = frozenset(
    [
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "liveblogposting",
        "techarticle",
        "scholarlyarticle",
        "socialmediaposting",
        "report",
        "recipe",
        "webpage",
    ]
)

#: Class, id or itemprop of an element that holds a byline.
_BYLINE_NAME = re.compile(
    r"(?<![a-z])(?:by-?line|author(?:s|-?name|-?link)?|autor(?:in)?|writer|creator|"
    r"contributor|reporter|verfasser|redakteur|fn)(?![a-z])"
)
#: Blocks about an author that are not the byline: a biography, a comment, a list.
_NOT_BYLINE = re.compile(
    r"(?<![a-z])(?:bio|biography|description|about|comment|comments|reply|avatar|box|"
    r"info|list|related|more|social|follow|image|photo|img)(?![a-z])"
)
#: Words before a name in a byline: "By", "Von", "Par", "Por", "Di", "Door", "Av"...
_BY = re.compile(
    r"^(?:(?:written|posted|reported|words|story|text|published|geschrieben|verfasst|"
    r"veröffentlicht|erstellt|publiziert|ein\s+beitrag|un\s+article|publié|publicado|"
    r"pubblicato|gepubliceerd|escrito|scritto|an\s+article)\s+)?"
    r"(?:by|von|vom|par|por|di|da|door|av|af|durch|autor(?:in)?|author|auteur|text|"
    r"texte|redaktion\s*:|bearbeitet\s+von|de)\b\s*:?\s*",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:autor(?:in)?|author|auteur|text|texte|von|by|written by|verfasser(?:in)?)\s*:\s*",
    re.IGNORECASE,
)
#: What ends the names in a byline: a date, a separator, "Published", "Updated", a role.
_BYLINE_END = re.compile(
    r"\s(?:[|·•/]{1,2}|[-–—]{1,2}|//)\s|\s*[|·•]\s*|\d|\bpublished\b|\bupdated\b|\bposted\b|"
    r"\bveröffentlicht\b|\baktualisiert\b|\bam\s|\bon\s[A-Z]|\bpublié\b|\bpublicado\b|"
    r"\bmis à jour\b|\bin\s(?:[A-Z]|uncategorized)|\bsagt\b|\bsays\b|@|https?://|\bfoto\b|"
    r"\bphoto\b|\bbild\b|\bview\b|\bfollow\b|\bmore\b|\bshare\b|\bmin(?:utes)?\s+read\b",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\s(?:and|und|et|y|e|i|en|och|og)\s)\s*", re.IGNORECASE)
#: Role words after a name ("Jane Doe, Staff Writer", "Max Muster Redakteur").
_ROLE = re.compile(
    r"(?:\b(?:staff|senior|chief|contributing|freelance|special|political|sports|business)?\s*"
    r"(?:writer|reporter|editor|correspondent|columnist|journalist|contributor|"
    r"redakteur(?:in)?|redaktorin|redaktor|korrespondent(?:in)?|journalist(?:in)?|"
    r"autor(?:in)?|chefredakteur(?:in)?|rédacteur|rédactrice|journaliste|periodista|"
    r"redactor|redactora|giornalista|reporter)s?\b.*)$",
    re.IGNORECASE,
)
#: Lower-case words that may sit inside a name (Jose de la Cruz, Ursula von der Leyen).
_PARTICLES = frozenset(
    [
        "de",
        "la",
        "le",
        "du",
        "des",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "do",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "ten",
        "zu",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "e",
        "of",
    ]
)
_MAX_NAME = 60


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if "&" in value:
        value = html.unescape(value)
    return clean(value)


def _meta_values(root: etree._Element) -> dict[str, list[str]]:
    """Every ``<meta>`` value by lower-cased key (a key may repeat: ``article:tag``)."""
    out: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        if el.get("content") is None:
            continue
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if key:
            out.setdefault(key.strip().lower(), []).append(el.get("content", ""))
    return out


# --- authors -----------------------------------------------------------------------------


def _looks_like_name(name: str, machine: bool = False) -> bool:
    """A person's or a desk's name: 1-6 words, no digits, no URL, not a month, mostly
    capitalised (or a handle written as one word; any case when the page's metadata
    names it as the author)."""
    if not name or len(name) > _MAX_NAME or "://" in name or "@" in name:
        return False
    if any(ch.isdigit() for ch in name):
        return False
    words = name.split()
    if not 1 <= len(words) <= 6:
        return False
    if len(words) == 1 and (fold(name.rstrip(".")) in MONTHS or name.casefold() in _NOT_NAMES):
        return False
    if machine:
        return True
    if len(words) == 1:
        return name[0].isalpha() or name[0] in "_."
    lower = [w for w in words if w[0].islower() and w.lower() not in _PARTICLES]
    return not lower


_TOKEN = re.compile(r"[^\s,;&]+|[,;&]")
_CONNECTORS = frozenset(["and", "und", "et", "y", "e", "i", "en", "och", "og", ",", ";", "&"])


def _name_run(text: str) -> str:
    """The names at the start of a byline: capitalised words, initials, particles and
    connectors ("and", ","), up to the first other word."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        low = token.casefold()
        if (
            token[0].isupper()
            or token[0] in "_."
            or low in _PARTICLES
            or (low in _CONNECTORS and out)
        ):
            out.append(token)
        elif not out and token[0].isalpha() and len(text.split()) == 1:
            out.append(token)  # a handle: "freeman1984", "uriebe"
        else:
            break
    while out and (out[-1].casefold() in _CONNECTORS or out[-1].casefold() in _PARTICLES):
        out.pop()
    return " ".join(out).replace(" ,", ",").replace(" ;", ";")


#: "Artikel von X", "Un documentaire de X", "Ein Beitrag von X": the name after a by-word
#: that follows a word or two.
_LATE_BY = re.compile(
    r"^(?:\S+\s){1,3}?(?:by|von|par|por|di|door|de|da)\s*:?\s+(?=\S)", re.IGNORECASE
)
#: A by-word later in a byline: "10 December 2019 · by freeman1984 · in News".
_INNER_BY = re.compile(r"(?:^|\s)(?:by|von|par|por|door|durch)\s*:?\s+(?=[^\W\d])", re.I)
#: Words of a byline's frame, not names.
_NOT_NAMES = frozenset(
    [
        "publiziert",
        "veröffentlicht",
        "published",
        "posted",
        "updated",
        "aktualisiert",
        "artikel",
        "article",
        "autor",
        "author",
        "autorin",
        "text",
        "foto",
        "photo",
        "bild",
        "kommentar",
        "kommentare",
        "comment",
        "comments",
        "share",
        "teilen",
        "mehr",
        "more",
        "posts",
        "beiträge",
        "written",
        "geschrieben",
        "am",
        "on",
        "uhr",
        "read",
        "lesen",
        "profil",
        "profile",
        "follow",
        "folgen",
        "home",
        "startseite",
        "name",
        "email",
        "website",
        "admin",
        "redaktionell",
        "anonymous",
    ]
)
_REPEATED = re.compile(r"^(.{3,}?)\s*\1$")
_ANY_LABEL = re.compile(r"^[^\W\d_][\w-]{1,20}\s*:\s+")


def clean_name(raw: str) -> str:
    """A name as a byline prints it, without "By", its role and what follows it."""
    text = clean(raw)
    for _ in range(2):
        text = _LABEL.sub("", text)
        text = _BY.sub("", text).strip(" :-–—,|")
        text = _ANY_LABEL.sub("", text)
        m = _LATE_BY.match(text)
        if m and not _BY.match(text):
            text = text[m.end() :]
        else:
            m = _INNER_BY.search(text)
            if m and m.start() > 0:
                text = text[m.end() :]
    m = _BYLINE_END.search(text)
    if m:
        text = text[: m.start()]
    text = _ROLE.sub("", text).strip(" :-–—,|.·")
    m = _REPEATED.match(text)  # a name printed twice (an avatar's text and the name)
    return m.group(1) if m else text


def split_names(raw: str, printed: bool = False) -> list[str]:
    """The names in one byline (``"By A and B"``, ``"A, B"``, ``"A und B"``), cleaned;
    parts that are not names (a place, a role) are dropped. A ``printed`` byline is read
    only up to its first word that is not part of a name; a machine value (``printed``
    false) may name a desk in lower case ("Staff and news service reports")."""
    text = clean_name(raw)
    if printed:
        text = _name_run(text)
    if not text:
        return []
    parts = [p.strip(" .") for p in _NAME_SPLIT.split(text)]
    names = []
    for part in parts:
        part = _ROLE.sub("", part).strip(" .,")
        if _looks_like_name(part, machine=not printed):
            names.append(part)
    return names


def _jsonld_names(value: Any, by_id: dict[str, dict], depth: int = 0) -> list[str]:
    """Person names in a JSON-LD ``author``: strings, objects, lists, ``@id`` references."""
    if depth > 3 or value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for item in value[:10]:
            out.extend(_jsonld_names(item, by_id, depth + 1))
        return out
    if isinstance(value, str):
        return split_names(value) if "://" not in value else []
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str):
            target = by_id.get(value["@id"])
            if target is not None and target is not value:
                return _jsonld_names(target, by_id, depth + 1)
            return []
        if _types(value) & {"organization", "newsmediaorganization", "corporation"}:
            return []
        name = value.get("name")
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        return split_names(name) if isinstance(name, str) else []
    return []


def _byline_texts(root: etree._Element, limit: int = 12) -> list[tuple[str, bool]]:
    """The visible bylines: ``(text, is_link)`` of elements that name an author or a
    byline (class, id, itemprop or ``rel``), outermost first, outside comments, author
    biographies and lists of other articles."""
    out: list[tuple[str, bool]] = []
    seen: set[etree._Element] = set()
    for el in _marked(root):
        if el in seen or el.tag in _NOT_BYLINE_TAGS:
            continue
        seen.add(el)
        name = el.get("itemprop") or ""
        rel = el.get("rel") or ""
        cls = ((el.get("class") or "") + " " + (el.get("id") or "")).lower()
        marked = name == "author" or "author" in rel.split() or _BYLINE_NAME.search(cls)
        if not marked or _NOT_BYLINE.search(cls):
            continue
        if _in_other_block(el):
            continue
        seen.update(el.iterdescendants())
        text = _NSTR(el)
        if not text or len(text) > 200:
            continue
        out.append((text, el.tag == "a"))
        if len(out) >= limit:
            break
    return out


_OTHER_BLOCK = re.compile(
    r"(?<![a-z])(?:comments?|related|recommend\w*|teasers?|sidebar|footer|widget|more|"
    r"latest|popular|repl(?:y|ies)|share|newsletter)(?![a-z])"
)


def _in_other_block(el: etree._Element) -> bool:
    """Whether a byline belongs to something else: a comment, a sidebar, a footer, a
    list of other articles (an ``<article>`` or ``<main>`` on the way is the page's)."""
    for anc in el.iterancestors():
        tag = anc.tag
        if tag in ("body", "html", "article", "main"):
            return False
        if tag in ("aside", "footer", "nav"):
            return True
        name = class_name(anc)
        if name and _OTHER_BLOCK.search(name):
            return True
    return False


#: A user name rather than a person's name: one lower-case word, or one with "_".
_HANDLE = re.compile(r"^(?:[a-z0-9_.-]+|\S*_\S*)$")
_TEXT_WITH = etree.XPath("//body//text()[contains(., $name)]")
_NOT_ARTICLE_TAGS = frozenset(
    ["nav", "footer", "aside", "header", "title", "head", "script", "style", "option", "a"]
)


def _printed_in_article(root: etree._Element, name: str) -> bool:
    """Whether the page prints ``name`` in its text (not in navigation, a footer, a
    sidebar, a link or a comment)."""
    if len(name) < 4 or "'" in name:
        return False
    for text in _TEXT_WITH(root, name=name)[:5]:
        el = text.getparent()
        if el is None:
            continue
        if el.tag in _NOT_ARTICLE_TAGS or _in_other_block(el):
            continue
        if any(anc.tag in _NOT_ARTICLE_TAGS for anc in el.iterancestors()):
            continue
        return True
    return False


def _norm(name: str) -> str:
    return " ".join(name.replace(".", " ").split()).casefold()


def machine_authors(
    meta: dict[str, list[str]], jsonld: list[dict], organisations: set[str]
) -> list[str]:
    """The authors the page's metadata names (JSON-LD article, else ``<meta>``)."""
    by_id = {o["@id"]: o for o in jsonld if isinstance(o.get("@id"), str) and "name" in o}
    article = next((o for o in jsonld if _types(o) & _ARTICLE_TYPES and o.get("author")), None)
    names = _jsonld_names(article.get("author"), by_id) if article is not None else []
    if not names:
        for key in _AUTHOR_META:
            for value in meta.get(key, ()):
                value = _text(value)
                if value and "://" not in value and not value.startswith("www."):
                    names.extend(split_names(value))
    orgs = {_norm(o) for o in organisations if o}
    out, seen = [], set()
    for n in names:
        k = _norm(n)
        if k and k not in seen and k not in orgs:
            seen.add(k)
            out.append(n)
    return out


def find_authors(
    root: etree._Element,
    meta: dict[str, list[str]],
    jsonld: list[dict],
    organisations: set[str],
    trace: list | None = None,
) -> list[str]:
    """The article's authors as printed (see the module docstring)."""
    by_id = {o["@id"]: o for o in jsonld if isinstance(o.get("@id"), str) and "name" in o}
    article = next((o for o in jsonld if _types(o) & _ARTICLE_TYPES and o.get("author")), None)
    ld_names = _jsonld_names(article.get("author"), by_id) if article is not None else []
    meta_names: list[str] = []
    for key in _AUTHOR_META:
        for value in meta.get(key, ()):
            value = _text(value)
            if value and "://" not in value and not value.startswith(("www.", "facebook.com")):
                meta_names.extend(split_names(value))
    bylines = _byline_texts(root)
    printed_by_line = [split_names(text, printed=True) for text, _ in bylines]
    printed = [n for names in printed_by_line for n in names]
    printed_norm = {_norm(n) for n in printed}
    byline_blob = _norm(" ".join(text for text, _ in bylines))
    orgs = {_norm(o) for o in organisations if o}

    def keep(names: Iterable[str]) -> list[str]:
        out, seen = [], set()
        for n in names:
            k = _norm(n)
            if k and k not in seen and k not in orgs:
                seen.add(k)
                out.append(n)
        return out

    machine = keep(ld_names or meta_names)
    confirmed = [n for n in machine if _norm(n) in printed_norm or _norm(n) in byline_blob]
    if confirmed:
        if trace is not None:
            trace.append("confirmed")
        return confirmed
    first = next((names for names in printed_by_line if keep(names)), [])
    if first:
        if trace is not None:
            trace.append("printed")
        return keep(first)
    seen_in_text = [n for n in machine if _printed_in_article(root, n)]
    if seen_in_text:
        if trace is not None:
            trace.append("in-text")
        return seen_in_text
    if trace is not None:
        trace.append("jsonld" if ld_names else "none")
    return keep(n for n in ld_names if not _HANDLE.match(n))


# --- the other fields --------------------------------------------------------------------


def _first_meta(meta: dict[str, list[str]], keys: Iterable[str]) -> tuple[str, str] | None:
    for key in keys:
        for value in meta.get(key, ()):
            text = _text(value)
            if text:
                return key, text
    return None


def _absolute(base: str, value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if not value or value.startswith(("data:", "javascript:")):
        return None
    try:
        url = urljoin(base, value) if base else value
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url


def _jsonld_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
        if isinstance(value, list):
            value = value[0] if value else None
    return value if isinstance(value, str) else None


def _split_tags(value: str) -> list[str]:
    return [t for t in (clean(x) for x in re.split(r"[,;]", value)) if t]


def find_tags(
    root: etree._Element, meta: dict[str, list[str]], article: dict | None, links: bool = True
) -> list[str]:
    """Tags and keywords, once each (case-insensitive), in order of the sources (the
    page's ``rel="tag"`` links too, unless not ``links``)."""
    found: list[str] = []
    for value in meta.get("article:tag", ()):
        found.extend(_split_tags(_text(value)))
    for key in ("news_keywords", "keywords"):
        for value in meta.get(key, ()):
            found.extend(_split_tags(_text(value)))
    if article is not None:
        keywords = article.get("keywords")
        if isinstance(keywords, str):
            found.extend(_split_tags(_text(keywords)))
        elif isinstance(keywords, list):
            found.extend(_text(k) for k in keywords if isinstance(k, str))
    for a in _TAG_LINKS(root)[:50] if links else ():
        text = clean(_NSTR(a))
        if text and len(text) <= 60:
            found.append(text.lstrip("#"))
    out, seen = [], set()
    for tag in found:
        key = tag.casefold()
        if tag and len(tag) <= 100 and key not in seen:
            seen.add(key)
            out.append(tag)
    return out


def find_modified(
    root: etree._Element,
    meta: dict[str, list[str]],
    article: dict | None,
    published: str | None,
    captured_at: datetime | None,
    markup: bool = True,
) -> tuple[str | None, str | None]:
    """``(modified, modified_raw)``: the machine modification date, parsed like
    ``published``; never before the publication day."""
    limit = ((captured_at or datetime.now(UTC)) + timedelta(days=1)).date()
    values: list[str] = []
    if article is not None and isinstance(article.get("dateModified"), str):
        values.append(article["dateModified"])
    for key in _MODIFIED_META:
        values.extend(meta.get(key, ()))
    for el in _MODIFIED_MARKUP(root) if markup else ():
        values.extend(v for v in (el.get("datetime"), el.get("content")) if v)
    for value in values:
        iso = parse_machine(value, limit)
        if iso is None:
            continue
        if published and iso[:10] < published[:10]:
            continue
        return iso, clean(value)
    return None, None


def find_metadata(
    root: etree._Element,
    url: str,
    base_url: str,
    jsonld: list[dict],
    *,
    published: str | None = None,
    captured_at: datetime | None = None,
    site_names: Iterable[str] = (),
    bylines: bool = True,
    trace: list | None = None,
) -> dict[str, Any]:
    """``authors, modified, modified_raw, description, image, tags, canonical_url``.

    ``url`` is the page's address, ``base_url`` what its relative links resolve against
    (its ``<base href>``), ``jsonld`` its JSON-LD objects. Without ``bylines`` (a layout
    whose pages have no byline, tag links or date markup) only the page's metadata is
    read: authors from JSON-LD and ``<meta>``, no ``rel="tag"`` links, no microdata."""
    meta = _meta_values(root)
    article = next((o for o in jsonld if _types(o) & _ARTICLE_TYPES), None)
    organisations = set(site_names)
    for obj in jsonld:
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            organisations.add(publisher["name"])
        if _types(obj) & {"organization", "newsmediaorganization", "website"} and isinstance(
            obj.get("name"), str
        ):
            organisations.add(obj["name"])
    for key in ("og:site_name", "application-name"):
        organisations.update(_text(v) for v in meta.get(key, ()))
    modified, modified_raw = find_modified(
        root, meta, article, published, captured_at, markup=bylines
    )
    description = None
    found = _first_meta(meta, _DESCRIPTION_META)
    if found is not None:
        description = found[1]
    elif article is not None and _text(article.get("description")):
        description = _text(article.get("description"))
    image = None
    candidates = [v for key in _IMAGE_META for v in meta.get(key, ())]
    if article is not None:
        candidates.append(_jsonld_image(article.get("image")) or "")
    links = [el for el in root.iter("link") if el.get("rel") and el.get("href")]
    candidates += [el.get("href") for el in links if el.get("rel") == "image_src"]
    for value in candidates:
        image = _absolute(base_url, value)
        if image:
            break
    canonical = None
    for el in links:
        if "canonical" in (el.get("rel") or "").lower().split():
            canonical = _absolute(base_url, el.get("href"))
            if canonical:
                break
    if canonical is None:
        for value in meta.get("og:url", ()):
            canonical = _absolute(base_url, value)
            if canonical:
                break
    return {
        "authors": (
            find_authors(root, meta, jsonld, organisations, trace)
            if bylines
            else machine_authors(meta, jsonld, organisations)
        ),
        "modified": modified,
        "modified_raw": modified_raw,
        "description": description,
        "image": image,
        "tags": find_tags(root, meta, article, links=bylines),
        "canonical_url": canonical,
    }
