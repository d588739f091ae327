"""BakuTel-style pages (one host, ``/en/ /az/ /ru/`` prefixes) and their articles' records.

Markup follows ``shared/layouts/README.md`` and the samples in ``shared/layouts/bakutel/``.
The Russian edition is encoded in windows-1251, the others in UTF-8.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from newsarchive.replica import words
from newsarchive.replica.model import Article, Link, RateTable
from newsarchive.replica.pages import HostSite, ModePicker, Resource, make_resource
from newsarchive.replica.trend import GIF, PAGE_METADATA

if TYPE_CHECKING:
    from newsarchive.replica.content import Replica

#: Items on each ``/{lang}/news/?page=N`` page.
NEWS_PAGE = 20
#: Items on an edition home page.
HOME_ITEMS = 15
#: At most this many items on a section page (``/{lang}/news/top/`` ...).
SECTION_ITEMS = 60

CHARSETS: dict[str, str] = {"en": "utf-8", "az": "utf-8", "ru": "windows-1251"}
ENCODINGS: dict[str, str] = {"en": "utf-8", "az": "utf-8", "ru": "cp1251"}
HOME_LABELS: dict[str, str] = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}

#: The keywords every page declares (``<meta name="keywords">``): an article's ``tags``.
KEYWORDS = ("telecom", "ICT", "Azerbaijan")


def visible_date(art: Article) -> str:
    """``div.news-date``: ``dd.mm.yyyy HH:MM`` in Baku local time."""
    return f"{art.published:%d.%m.%Y %H:%M}"


def date_class(replica: Replica) -> str:
    """The date element's class: ``news-date``, or ``news-time`` when the replica has BakuTel
    ``undated`` (markup the layout does not know)."""
    return "news-time" if "bakutel" in replica.undated else "news-date"


def copyright_line(year: int) -> str:
    """The footer as a record gives it."""
    return f"BakuTel is Copyright © 2000-{year} All rights reserved. Hosted by VebTek"


def section_label(art: Article) -> str:
    """The ``div.path`` text of an article."""
    return words.BAKUTEL_SECTIONS[art.section][art.lang]


def section_path(lang: str, slug: str) -> str:
    """A section listing's path."""
    return f"/{lang}/news/{slug}/"


class _Site:
    """Renders the BakuTel host."""

    def __init__(self, replica: Replica, origin: str) -> None:
        self.replica = replica
        self.origin = origin
        self.year = replica.now.year

    # -- chrome

    def page(self, lang: str, title: str, content: str, right: str, keywords: bool = True) -> str:
        ui = words.BAKUTEL_UI[lang]
        meta = f'<meta name="keywords" content="{", ".join(KEYWORDS)}">\n' if keywords else ""
        return (
            "<html>\n<head>\n"
            '<meta http-equiv="Content-Type" '
            f'content="text/html; charset={CHARSETS[lang]}">\n'
            f"<title>BakuTel - {escape(title)}</title>\n{meta}</head>\n<body>\n"
            '<table id="header" width="100%" cellpadding="0" cellspacing="0"><tr>\n'
            f'  <td class="logo"><a href="/{lang}/"><img src="/img/logo.gif" alt=""></a></td>\n'
            f'  <td class="topmenu"><a href="/{lang}/sitemap/">{escape(ui["sitemap"])}</a> '
            '&nbsp; <a href="/az/">AZ</a> <a href="/ru/">RU</a> <a href="/en/">EN</a> '
            f'&nbsp; <a href="/search/?lang={lang}">{escape(ui["search"])}</a></td>\n'
            "</tr></table>\n"
            '<table id="layout" width="100%" cellpadding="0" cellspacing="0"><tr>\n'
            f'  <td id="content" valign="top">\n{content}  </td>\n'
            f'  <td id="right" width="220" valign="top">\n{right}  </td>\n'
            "</tr></table>\n"
            f"{self.footer()}</body>\n</html>\n"
        )

    def footer(self) -> str:
        return (
            f'<div id="footer">BakuTel is Copyright &copy; 2000-{self.year} All rights reserved. '
            'Hosted by <a href="/vebtek/">VebTek</a></div>\n'
        )

    def right(
        self, lang: str, top: list[Link] | None, rates: RateTable | None, foreign: bool
    ) -> str:
        out = ""
        if top is not None:
            title = "Top news" if foreign else words.BAKUTEL_UI[lang]["top_news"]
            items = "".join(
                f'        <li><a href="{self.origin}{lk.path()}">{escape(lk.article.title)}</a>'
                "</li>\n"
                for lk in top
            )
            out += (
                '    <div class="block">\n'
                f'      <div class="block-title">{escape(title)}</div>\n'
                f'      <ul class="top-news">\n{items}      </ul>\n'
                "    </div>\n"
            )
        if rates is not None:
            out += '    <div class="block">\n' + self.rate_table(rates) + "    </div>\n"
        return out

    @staticmethod
    def rate_table(rates: RateTable) -> str:
        def cell(text: str, cls: str = "", k: int = 0) -> str:
            attr = f' class="{cls}"' if cls else ""
            if rates.nbsp and k % 2 == 0:
                text = f"&nbsp;{text}" if k % 4 == 0 else f"{text}&nbsp;"
            if rates.stray_whitespace and k % 3 != 1:
                text = f"\n          {text} " if k % 3 == 0 else f" {text}\t"
            return f"<td{attr}>{text}</td>"

        first = cell("&nbsp;" if rates.nbsp else "", k=1) + "".join(
            cell(f"{d:%d/%m/%Y}", "rate-date", k=j) for j, d in enumerate(rates.dates)
        )
        rows = [f"        <tr>{first}</tr>\n"]
        for r, (code, values) in enumerate(rates.rows):
            cells = cell(code, "cur", k=r) + "".join(
                cell(v, k=r + j + 1) for j, v in enumerate(values)
            )
            rows.append(f"        <tr>{cells}</tr>\n")
        return f'      <table class="currency" cellpadding="2">\n{"".join(rows)}      </table>\n'

    # -- pages

    def article(self, art: Article) -> str:
        ui = words.BAKUTEL_UI[art.lang]
        lang = art.lang
        if art.body_style == "br":
            sep = "<br>\n        " if art.id % 2 else "<br><br>\n        "
            text = "        " + sep.join(escape(p) for p in art.paragraphs) + "\n"
        else:
            paras = [f"        <p>{escape(p)}</p>\n" for p in art.paragraphs]
            if art.body_style == "empty-p":
                empty = "        <p></p>\n" if art.id % 2 else "        <p>&nbsp;</p>\n"
                paras.insert(len(paras) if art.id % 3 == 0 else 1, empty)
            text = "".join(paras)
        content = (
            f'    <div class="path"><a href="{section_path(lang, art.section)}">'
            f"{escape(section_label(art))}</a></div>\n"
            '    <div class="news">\n'
            f'      <div class="{date_class(self.replica)}">{visible_date(art)}</div>\n'
            f'      <h1 class="news-title">{escape(art.title)}</h1>\n'
            f'      <div class="news-text">\n{text}      </div>\n'
            f'      <div class="print"><a href="/cgi-bin/print.pl?id={art.id}">'
            f"{escape(ui['print'])}</a></div>\n"
            f'      <div class="news-more"><a href="/{lang}/news/">{escape(ui["all_news"])}</a>'
            "</div>\n"
            "    </div>\n"
        )
        right = self.right(lang, art.top_news, art.rates, art.block_title_foreign)
        return self.page(lang, art.title, content, right)

    def listing(
        self, lang: str, title: str, path_html: str, arts: list[Article], pages: str, right: str
    ) -> str:
        items = "".join(
            f'      <li><span class="date">{a.published:%d.%m.%Y}</span> '
            f'<a href="{a.path}">{escape(a.title)}</a></li>\n'
            for a in arts
        )
        content = (
            f'    <div class="path">{path_html}</div>\n'
            f'    <ul class="all-news">\n{items}    </ul>\n{pages}'
        )
        return self.page(lang, title, content, right, keywords=False)

    @staticmethod
    def pager(lang: str, page: int, last: int) -> str:
        shown = sorted(
            {1, last} | set(range(max(1, page - 5), min(last, page + 5) + 1))
            if last > 15
            else set(range(1, last + 1))
        )
        parts: list[str] = []
        prev = 0
        for n in shown:
            if n > prev + 1:
                parts.append("...")
            parts.append(
                f"<b>{n}</b>" if n == page else f'<a href="/{lang}/news/?page={n}">{n}</a>'
            )
            prev = n
        if page < last:
            parts.append(f'<a href="/{lang}/news/?page={page + 1}">&raquo;</a>')
        return f'    <div class="pages">{" ".join(parts)}</div>\n'

    def sitemap(self, lang: str, right: str) -> str:
        ui = words.BAKUTEL_UI[lang]
        secs = "".join(
            f'<li><a href="{section_path(lang, slug)}">{escape(labels[lang])}</a></li>'
            for slug, labels in words.BAKUTEL_SECTIONS.items()
        )
        content = (
            f'    <div class="path">{escape(ui["sitemap"])}</div>\n'
            '    <ul class="sitemap">\n'
            f'      <li><a href="/{lang}/">{escape(ui["home"])}</a></li>\n'
            f'      <li><a href="/{lang}/news/">{escape(ui["news"])}</a><ul>{secs}</ul></li>\n'
            "    </ul>\n"
        )
        return self.page(lang, ui["sitemap"], content, right)

    def root(self) -> str:
        links = " | ".join(f'<a href="/{lang}/">{HOME_LABELS[lang]}</a>' for lang in words.LANGS)
        return (
            "<html>\n<head>\n"
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            "<title>BakuTel</title>\n</head>\n<body>\n"
            f'<div class="langs">{links}</div>\n{self.footer()}</body>\n</html>\n'
        )

    def simple(self, title: str, text: str) -> str:
        return (
            "<html>\n<head>\n"
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            f"<title>BakuTel - {escape(title)}</title>\n</head>\n<body>\n"
            f"<h1>{escape(title)}</h1>\n<p>{escape(text)}</p>\n{self.footer()}</body>\n</html>\n"
        )


def render_site(
    replica: Replica, origins: dict[str, str], picker: ModePicker | None = None
) -> HostSite:
    """Pre-render the BakuTel host for ``origins``."""
    picker = picker or ModePicker()
    origin = origins["bakutel"]
    site = HostSite("bakutel", origin, "Apache", picker)
    r = _Site(replica, origin)
    site.add("/", r.root(), "bakutel-root")
    site.add(
        "/robots.txt",
        "User-agent: *\nDisallow: /search/\nDisallow: /cgi-bin/\n",
        "robots",
        "text/plain; charset=utf-8",
    )
    for lang in words.LANGS:
        arts = replica.edition("bakutel", lang)
        ui = words.BAKUTEL_UI[lang]
        enc = ENCODINGS[lang]
        ctype = f"text/html; charset={CHARSETS[lang]}"

        def add(
            target: str,
            body: str,
            page_type: str,
            enc: str = enc,
            ctype: str = ctype,
            last_modified: datetime | None = None,
        ) -> None:
            site.add(target, body, page_type, ctype, encoding=enc, last_modified=last_modified)

        top_arts = [a for a in arts if a.section == "top"]
        with_rates = next((a.rates for a in arts if a.rates is not None), None)
        right = r.right(lang, [Link(a) for a in top_arts[:5]], with_rates, False)
        news_link = f'<a href="/{lang}/news/">{escape(ui["news"])}</a>'

        home_items = r.listing(lang, ui["home"], news_link, arts[:HOME_ITEMS], "", right)
        more = (
            f'    <div class="news-more"><a href="/{lang}/news/">{escape(ui["all_news"])}</a>'
            "</div>\n"
        )
        add(f"/{lang}/", home_items.replace("    </ul>\n", "    </ul>\n" + more, 1), "bakutel-home")

        last = max(1, -(-len(arts) // NEWS_PAGE))
        for page in range(1, last + 1):
            chunk = arts[(page - 1) * NEWS_PAGE : page * NEWS_PAGE]
            body = r.listing(lang, ui["news"], news_link, chunk, r.pager(lang, page, last), right)
            add(f"/{lang}/news/?page={page}", body, "bakutel-news")
            if page == 1:
                add(f"/{lang}/news/", body, "bakutel-news")

        for slug, labels in words.BAKUTEL_SECTIONS.items():
            sec = [a for a in arts if a.section == slug][:SECTION_ITEMS]
            path_html = f'<a href="{section_path(lang, slug)}">{escape(labels[lang])}</a>'
            add(
                section_path(lang, slug),
                r.listing(lang, labels[lang], path_html, sec, "", right),
                "bakutel-section",
            )
        add(f"/{lang}/sitemap/", r.sitemap(lang, right), "bakutel-sitemap")
        for art in arts:
            # Last-Modified only (no ETag): re-checks revalidate with If-Modified-Since
            add(art.path, r.article(art), "bakutel-article", last_modified=art.last_modified)

    site.add("/vebtek/", r.simple("VebTek", "Hosting by VebTek."), "bakutel-static")
    site.add("/img/logo.gif", GIF, "asset", "image/gif", mode="length")
    site.not_found = make_resource(404, r.simple("404", "Not found").encode(), server="Apache")
    site.dynamic = _dynamic(replica, site, r)
    return site


def _dynamic(replica: Replica, site: HostSite, r: _Site) -> Any:
    search = make_resource(200, r.simple("Search", "Nothing found.").encode(), server="Apache")
    printed = make_resource(200, r.simple("Print", "Print version.").encode(), server="Apache")

    def dynamic(path: str, query: str) -> Resource | None:
        if path.startswith("/search/"):
            return search
        if path.startswith("/cgi-bin/"):
            return printed
        if len(path) == 9 and path.endswith("/news/") and path[1:3] in words.LANGS:
            page = parse_qs(query).get("page", [""])[0]
            if page.isdigit():
                return site.pages.get(f"{path}?page={int(page)}") or site.not_found
            return None
        return None

    return dynamic


def expected_record(art: Article, replica: Replica, origins: dict[str, str]) -> dict[str, Any]:
    """The record a correct extraction of ``art``'s page gives."""
    origin = origins["bakutel"]
    headlines: list[dict[str, str]] = []
    seen: set[str] = set()
    for link in art.top_news or []:
        url = f"{origin}{link.path()}"
        if url not in seen:
            seen.add(url)
            headlines.append({"title": link.article.title, "url": url})
    rates = []
    if art.rates is not None:
        for code, values in art.rates.rows:
            for day, value in zip(art.rates.dates, values, strict=True):
                rates.append({"currency": code, "date": day.isoformat(), "rate": float(value)})
    return {
        "url": f"{origin}{art.path}",
        "site": "bakutel",
        "lang": art.lang,
        "title": art.title,
        "published": None if "bakutel" in replica.undated else art.published.isoformat(),
        "published_raw": None if "bakutel" in replica.undated else visible_date(art),
        "dateline": None,
        "section": section_label(art),
        "body": "\n\n".join(" ".join(p.split()) for p in art.paragraphs),
        "boilerplate": {
            "headlines": headlines,
            "rates": rates,
            "copyright": copyright_line(replica.now.year),
        },
        **PAGE_METADATA,
        "tags": list(KEYWORDS),  # <meta name="keywords">
    }
