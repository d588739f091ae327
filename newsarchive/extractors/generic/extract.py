"""``extract_generic``: the record fields of a page that has no layout profile."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from .body import find_body, find_dateline
from .boilerplate import find_copyright, find_headlines, find_rates
from .language import guess_lang, normalise_lang
from .metadata import find_metadata
from .parse import clean, parse_html, repair_nesting, strip_junk
from .published import _types, find_published, jsonld_objects
from .title import find_title

_META = etree.XPath("//meta[@content]")
_JSONLD_TYPE = "application/ld+json"
_BASE = etree.XPath("//base/@href")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Languages whose numeric dates put the month first.
_MONTH_FIRST = frozenset({"en", "en-US", "en-PH", "en-CA"})
_ARTICLES = frozenset(
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
    ]
)


def _empty(url: str) -> dict:
    return {
        "url": url,
        "lang": None,
        "title": "",
        "published": None,
        "published_raw": None,
        "dateline": None,
        "section": None,
        "body": "",
        "boilerplate": {"headlines": [], "rates": [], "copyright": None},
        "authors": [],
        "modified": None,
        "modified_raw": None,
        "description": None,
        "image": None,
        "tags": [],
        "canonical_url": None,
    }


def _meta_map(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in _META(root):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if key:
            out.setdefault(key.strip().lower(), el.get("content", ""))
    return out


def extract_generic(
    html: bytes | str,
    url: str,
    *,
    captured_at: datetime | None = None,
    encoding: str | None = None,
) -> dict:
    """Extract the record fields from one page.

    Args:
        html: the response body (bytes, decoded with ``encoding``, the BOM, UTF-8 or the
            page's ``<meta charset>``), or already decoded text.
        url: the page's final URL (resolves relative links, and may hold the date).
        captured_at: when the page was captured; relative ("today, 15:49") and yearless
            dates are resolved against it, and no date after it is believed.
        encoding: the encoding from the HTTP headers, if any.

    Returns:
        ``url, lang, title, published, published_raw, dateline, section, body``,
        ``boilerplate: {headlines, rates, copyright}`` and ``authors, modified,
        modified_raw, description, image, tags, canonical_url``; a field the page does not
        have is ``None`` (or empty).
    """
    record = _empty(url)
    root = parse_html(html, encoding)
    if root is None:
        return record
    repair_nesting(root)
    meta = _meta_map(root)
    jsonld = jsonld_objects(root)
    scripts = [el.text for el in root.iter("script") if el.text and el.get("type") != _JSONLD_TYPE]
    strip_junk(root)  # scripts, styles, templates: no finder reads them from here on
    base = _BASE(root)
    base_url = url
    if base and base[0].strip().startswith("http"):
        base_url = base[0].strip()

    lang = normalise_lang(
        root.get("lang")
        or root.get(_XML_LANG)
        or meta.get("content-language")
        or meta.get("og:locale")
        or meta.get("language")
        or meta.get("dc.language")
    )
    article = next((o for o in jsonld if _types(o) & _ARTICLES), None)
    headline = None
    section = meta.get("article:section")
    if article is not None:
        h = article.get("headline") or article.get("name")
        headline = h if isinstance(h, str) else None
        s = article.get("articleSection")
        if isinstance(s, list):
            s = next((x for x in s if isinstance(x, str)), None)
        if not section and isinstance(s, str):
            section = s
    record["section"] = clean(section) or None
    record["title"] = find_title(root, meta, headline, url)

    found = find_published(
        root,
        url,
        jsonld,
        captured_at=captured_at,
        day_first=lang not in _MONTH_FIRST,
        scripts=scripts,
    )
    if found is not None:
        record["published"] = found.iso
        record["published_raw"] = found.raw or None

    record.update(
        find_metadata(
            root,
            url,
            base_url,
            jsonld,
            published=record["published"],
            captured_at=captured_at,
        )
    )
    blocks, content = find_body(root)
    if blocks and record["title"] and clean(blocks[0]).casefold() == record["title"].casefold():
        blocks = blocks[1:]
    record["body"] = "\n\n".join(blocks)
    record["dateline"] = find_dateline(blocks[0]) if blocks else None
    record["lang"] = lang or guess_lang(record["body"])
    record["boilerplate"] = {
        "headlines": find_headlines(root, base_url, content),
        "rates": find_rates(root),
        "copyright": find_copyright(root),
    }
    return record
