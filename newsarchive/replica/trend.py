"""Trend-style pages (three edition hosts) and the records their articles yield.

Markup follows ``shared/layouts/README.md`` and the samples in ``shared/layouts/trend/``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from datetime import date
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from newsarchive.replica import words
from newsarchive.replica.model import TREND_HOSTS, Article, Link
from newsarchive.replica.pages import (
    HTML,
    HostSite,
    ModePicker,
    Resource,
    make_resource,
    mode_for_path,
)

if TYPE_CHECKING:
    from newsarchive.replica.content import Replica

#: Items on /latest/ and in each ``?ajax=1&date=`` fragment.
LATEST_PAGE = 20
#: Items on a section page.
SECTION_PAGE = 30
#: Items in the RSS feed.
RSS_ITEMS = 20

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">'
    b'<text x="0" y="22" font-size="22">Trend</text></svg>\n'
)
_ARTICLE_PATH = re.compile(r"^/([a-z]+)/([a-z]+)/(\d+)\.html$")


# ---------------------------------------------------------------------- text helpers


def _offset(art: Article) -> str:
    off = art.published.utcoffset()
    assert off is not None
    hours, rem = divmod(int(off.total_seconds()) // 60, 60)
    return f"+{hours:02d}:{rem:02d}"


def _month(lang: str, month: int) -> str:
    table = {"en": words.MONTHS_EN, "az": words.MONTHS_AZ, "ru": words.MONTHS_RU_GEN}[lang]
    return table[month - 1]


def visible_date(art: Article) -> str:
    """The article page's ``span.date-time`` text."""
    d = art.published
    text = f"{d.day} {_month(art.lang, d.month)} {d.year} {d:%H:%M}"
    if art.lang == "ru":
        return text
    return f"{text} (UTC {_offset(art)})"


def listing_date(art: Article, today: date) -> str:
    """A listing item's ``span.date-time``: no year; today's items show only the time."""
    d = art.published
    tz = f"(UTC{_offset(art)[:3]})"
    if d.date() == today:
        return f"{d:%H:%M} {tz}"
    return f"{d.day} {_month(art.lang, d.month)} {d:%H:%M} {tz}"


def copyright_line(year: int) -> str:
    """The footer copyright as a record gives it."""
    return f"© 2006-{year} Trend News Agency. All rights reserved."


def _image(art: Article, origin: str) -> str:
    d = art.published
    return f"{origin}/media/{d.year}/{d.month:02d}/{d.day:02d}/{art.id}.gif"


# ---------------------------------------------------------------------- page parts


class _Edition:
    """Renders the pages of one Trend edition host."""

    def __init__(self, replica: Replica, lang: str, origins: dict[str, str]) -> None:
        self.replica = replica
        self.lang = lang
        self.origins = origins
        self.origin = origins[TREND_HOSTS[lang]]
        self.ui = words.TREND_UI[lang]
        self.arts = replica.edition("trend", lang)
        self.today = replica.now.date()
        self.year = replica.now.year
        self.by_id = {a.id: a for a in self.arts}

    # -- shared chrome

    def header(self) -> str:
        o = self.origins
        menu = " ".join(
            f'<a href="/{sec}/{sub}/">{escape(labels[self.lang][1])}</a>'
            for (sec, sub), labels in words.TREND_SECTIONS.items()
        )
        return (
            '<header class="site-header">\n'
            '  <a class="logo" href="/"><img src="/static/img/logo.svg" '
            'alt="Trend News Agency"></a>\n'
            f'  <nav class="langs"><a href="{o["trend-az"]}/">AZ</a> '
            f'<a href="{o["trend-ru"]}/">RU</a> <a href="{o["trend-en"]}/">EN</a></nav>\n'
            f'  <nav class="main-menu">\n    {menu}\n'
            f'    <a href="/latest/">{escape(self.ui["all_news"])}</a>\n  </nav>\n'
            f'  <a class="search-link" href="/search/?q=Azerbaijan">'
            f"{escape(self.ui['search'])}</a>\n"
            "</header>\n"
        )

    def footer(self, wrappers: bool = False) -> str:
        copy = (
            f'<p class="copyright">&copy; 2006-{self.year} Trend News Agency. '
            "All rights reserved.</p>"
        )
        if wrappers:
            copy = f'<div class="footer-inner"><div class="footer-col">{copy}</div></div>'
        return (
            '<footer class="site-footer">\n'
            f"  {copy}\n"
            f'  <p class="footer-links"><a href="/about/">{escape(self.ui["about"])}</a> '
            f'<a href="/contacts/">{escape(self.ui["contacts"])}</a> '
            '<a href="/feeds/index.rss">RSS</a></p>\n'
            "</footer>\n"
        )

    def page(
        self, title: str, main: str, head_extra: str = "", tail: str = "", wrappers: bool = False
    ) -> str:
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{self.lang}">\n<head>\n  <meta charset="utf-8">\n'
            f"  <title>{escape(title)} - Trend.Az</title>\n{head_extra}</head>\n<body>\n"
            f"{self.header()}"
            f'<main class="container">\n{main}</main>\n{tail}{self.footer(wrappers)}'
            "</body>\n</html>\n"
        )

    # -- listings

    def href(self, link: Link) -> str:
        path = link.path()
        return path if link.relative else f"{self.origin}{path}"

    def item(self, link: Link, with_images: bool, indent: str = "    ") -> str:
        art = link.article
        title = escape(art.title)
        extra = ""
        if link.date_time:
            extra += f'<span class="date-time">{listing_date(art, self.today)}</span>'
        if art.paid:
            extra += '<span class="paid-article-icon"></span>'
        if with_images:
            return (
                f'{indent}<li><a href="{self.href(link)}">\n'
                f'{indent}  <div class="image"><img data-src="{_image(art, self.origin)}" alt="">'
                f'<div class="photo-caption">{title}</div></div>\n'
                f"{indent}  <h4>{title}</h4>{extra}</a></li>\n"
            )
        return f'{indent}<li><a href="{self.href(link)}"><h4>{title}</h4>{extra}</a></li>\n'

    def news_list(self, links: list[Link], with_images: bool = False, indent: str = "  ") -> str:
        cls = "news-list with-images" if with_images else "news-list"
        items = "".join(self.item(lk, with_images, indent + "  ") for lk in links)
        return f'{indent}<ul class="{cls}">\n{items}{indent}</ul>\n'

    def listing_link(self, art: Article, *, relative: bool = False) -> Link:
        return Link(art, art.listing_wrong_section, relative=relative, date_time=True)

    # -- pages

    def home(self) -> str:
        latest = [self.listing_link(a) for a in self.arts[:LATEST_PAGE]]
        main = [
            Link(a, relative=True)
            for a in self.arts[:: max(1, len(self.arts) // 8)][:8]
            if not a.listing_wrong_section
        ]
        body = (
            f'  <h2 class="block-title">{escape(self.ui["latest"])}</h2>\n'
            f"{self.news_list(latest)}"
            f'  <h2 class="block-title">{escape(self.ui["main"])}</h2>\n'
            f"{self.news_list(main, with_images=True)}"
            f'  <a class="all-news" href="/latest/">{escape(self.ui["all_news"])}</a>\n'
        )
        return self.page("Trend News Agency", body)

    def section_page(self, label: str, arts: list[Article]) -> str:
        links = [Link(a, date_time=True) for a in arts[:SECTION_PAGE]]
        body = (
            f'  <h1 class="page-title">{escape(label)}</h1>\n'
            f"{self.news_list(links, with_images=True)}"
            f'  <a class="all-news" href="/latest/">{escape(self.ui["all_news"])}</a>\n'
        )
        return self.page(label, body)

    def latest(self) -> str:
        first = self.arts[:LATEST_PAGE]
        cursor = first[-1].timestamp if first else 0
        body = (
            f'  <h1 class="page-title">{escape(self.ui["all_news"])}</h1>\n'
            f"{self.news_list([self.listing_link(a) for a in first])}"
            f'  <button class="load-more">{escape(self.ui["more"])}</button>\n'
        )
        tail = f"<script>var currentNewsList = {{}}; currentNewsList.date = {cursor};</script>\n"
        return self.page(self.ui["all_news"], body, tail=tail)

    def fragment(self, start: int) -> str:
        """The ``?ajax=1&date=`` answer listing the articles from index ``start`` on."""
        chunk = self.arts[start : start + LATEST_PAGE]
        if not chunk:
            return '<ul class="news-list">\n</ul>\n'
        items = "".join(self.item(self.listing_link(a), False) for a in chunk)
        return (
            f'<ul class="news-list">\n{items}</ul>\n'
            f"<script>currentNewsList.date = {chunk[-1].timestamp};</script>\n"
        )

    def article(self, art: Article) -> str:
        url = f"{self.origin}{art.path}"
        iso = art.published.isoformat()
        title = escape(art.title)
        head = (
            f'  <link rel="canonical" href="{url}">\n'
            '  <meta property="og:type" content="article">\n'
            f'  <meta property="og:title" content="{title}">\n'
            f'  <meta property="og:url" content="{url}">\n'
        )
        if "meta" in art.machine_dates:
            head += f'  <meta property="article:published_time" content="{iso}">\n'
        if "json-ld" in art.machine_dates:
            data = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": art.title,
                "datePublished": iso,
                "mainEntityOfPage": url,
                "publisher": {"@type": "Organization", "name": "Trend News Agency"},
            }
            ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
            head += f'  <script type="application/ld+json">{ld}</script>\n'

        sec, sub = art.section.split("/")
        labels = words.TREND_SECTIONS[(sec, sub)][self.lang]
        crumbs = (
            f'<div class="breadcrumbs"><a href="/{sec}/">{escape(labels[0])}</a> '
            f'<a href="/{sec}/{sub}/">{escape(labels[1])}</a></div>'
        )
        h1 = f"<h1>{title}</h1>"
        date = f'<span class="date-time">{visible_date(art)}</span>'
        paras = [f"    <p>{escape(p)}</p>\n" for p in art.paragraphs]
        follow = f'    <p class="social-follow">{escape(self.ui["follow"])}</p>\n'
        if art.social_follow == "end":
            paras.append(follow)
        elif art.social_follow == "inline":
            inline = f'    <p class="social-follow">{escape(self.ui["follow_inline"])}</p>\n'
            paras.insert(min(1, len(paras)), inline)
        if art.dateline:
            paras.insert(0, f"    <p>{escape(art.dateline)}</p>\n")
        content = f'<div class="article-content article-paddings">\n{"".join(paras)}    </div>'
        if art.wrappers:
            crumbs = f'<div class="top-bar"><div class="top-bar-inner">{crumbs}</div></div>'
            h1 = f'<div class="article-title">{h1}</div>'
            date = f'<div class="article-meta"><div class="meta-left">{date}</div></div>'
            content = (
                f'<div class="article-body-wrap"><div class="row">\n    {content}\n    </div></div>'
            )
        itemprop = (
            f'    <meta itemprop="datePublished" content="{iso}">\n'
            if "itemprop" in art.machine_dates
            else ""
        )
        paid = ""
        if art.paid:
            paid = (
                f'    <div class="paid-article-notice"><span class="paid-article-icon"></span> '
                f'{escape(self.ui["paid"])} <a href="/subscribe/">Subscribe</a></div>\n'
            )
        tag = words.TREND_SECTIONS[(sec, sub)][self.lang][1]
        tags = (
            f'    <div class="article-tags">{escape(self.ui["tags"])}: '
            f'<a href="/search/?tag={quote(tag.lower())}">{escape(tag)}</a></div>\n'
        )
        article = (
            '  <article class="article-page" itemscope '
            'itemtype="https://schema.org/NewsArticle">\n'
            f"{itemprop}    {crumbs}\n    {h1}\n    {date}\n    {content}\n{paid}{tags}"
            "  </article>\n"
        )
        main = article + self.aside(art)
        return self.page(art.title, main, head_extra=head, wrappers=art.wrappers)

    def aside(self, art: Article) -> str:
        rails = art.rails or []
        blocks = []
        for rail in rails:
            ul = self.news_list(rail.links, rail.with_images, indent="    ")
            if art.wrappers:
                ul = f'    <div class="rail"><div class="rail-inner">\n{ul}    </div></div>\n'
            blocks.append(ul)
        bars = '    <div class="bars-widget"><div class="loader">Loading Bars</div></div>\n'
        blocks.insert(min(1, len(blocks)), bars)
        return (
            '  <aside class="latest-block">\n'
            f"{''.join(blocks)}"
            f'    <a class="all-news" href="/latest/">{escape(self.ui["all_news"])}</a>\n'
            "  </aside>\n"
        )

    def rss(self) -> str:
        items = []
        for art in self.arts[:RSS_ITEMS]:
            url = f"{self.origin}{art.path}"
            lead = art.paragraphs[0] if art.paragraphs else ""
            items.append(
                "<item>"
                f"<title>{escape(art.title, quote=False)}</title>"
                f"<link>{url}</link>"
                f'<guid isPermaLink="true">{url}</guid>'
                f"<pubDate>{format_datetime(art.published)}</pubDate>"
                f"<category>{art.section}</category>"
                f"<description>{escape(lead, quote=False)}</description>"
                "</item>\n"
            )
        built = format_datetime(self.arts[0].published if self.arts else self.replica.now)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            "<title>Trend News Agency</title>\n"
            f"<link>{self.origin}/</link>\n"
            "<description>Latest news of Trend News Agency</description>\n"
            f"<language>{self.lang}</language>\n"
            f"<lastBuildDate>{built}</lastBuildDate>\n"
            f'<atom:link href="{self.origin}/feeds/index.rss" rel="self" '
            'type="application/rss+xml"/>\n'
            f"{''.join(items)}</channel>\n</rss>\n"
        )

    def sitemaps(self) -> tuple[str, dict[str, str]]:
        """The sitemap index and its monthly urlsets (path -> XML)."""
        months: dict[str, list[Article]] = defaultdict(list)
        for art in self.arts:
            months[f"{art.published:%Y-%m}"].append(art)
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        sets: dict[str, str] = {}
        index = []
        for month in sorted(months, reverse=True):
            arts = months[month]
            path = f"/sitemap/{month}.xml"
            urls = "".join(
                f"<url><loc>{self.origin}{a.path}</loc>"
                f"<lastmod>{a.last_modified.isoformat()}</lastmod></url>\n"
                for a in arts
            )
            sets[path] = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>\n{urls}</urlset>\n'
            lastmod = max(a.last_modified for a in arts).isoformat()
            index.append(
                f"<sitemap><loc>{self.origin}{path}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<sitemapindex {ns}>\n{''.join(index)}</sitemapindex>\n"
        )
        return xml, sets

    def robots(self) -> str:
        return f"User-agent: *\nDisallow: /search/\n\nSitemap: {self.origin}/sitemap.xml\n"

    def simple(self, title: str, text: str) -> str:
        return self.page(
            title, f'  <h1 class="page-title">{escape(title)}</h1>\n  <p>{escape(text)}</p>\n'
        )


# ---------------------------------------------------------------------- sites


def render_sites(
    replica: Replica, origins: dict[str, str], picker: ModePicker | None = None
) -> dict[str, HostSite]:
    """Pre-render the three Trend edition hosts for ``origins``."""
    picker = picker or ModePicker()
    sites: dict[str, HostSite] = {}
    editions = {lang: _Edition(replica, lang, origins) for lang in words.LANGS}
    for lang in words.LANGS:
        key = TREND_HOSTS[lang]
        sites[key] = HostSite(key, origins[key], "nginx", picker)
    # Render page type by page type across the three hosts, so that even the one-per-host
    # pages (home, /latest/, robots.txt ...) meet the three transfer modes.
    for lang, ed in editions.items():
        site = sites[TREND_HOSTS[lang]]
        site.add("/", ed.home(), "trend-home")
        site.add("/latest/", ed.latest(), "trend-latest")
        site.add("/feeds/index.rss", ed.rss(), "trend-rss", "application/rss+xml; charset=utf-8")
        site.add("/robots.txt", ed.robots(), "robots", "text/plain; charset=utf-8")
    for lang, ed in editions.items():
        site = sites[TREND_HOSTS[lang]]
        index, sets = ed.sitemaps()
        xml = "application/xml; charset=utf-8"
        site.add("/sitemap.xml", index, "trend-sitemap-index", xml)
        for path, body in sets.items():
            site.add(path, body, "trend-sitemap", xml)
        by_sec: dict[str, list[Article]] = defaultdict(list)
        for art in ed.arts:
            by_sec[art.section.split("/")[0]].append(art)
            by_sec[art.section].append(art)
        for (sec, sub), labels in words.TREND_SECTIONS.items():
            site.add(f"/{sec}/", ed.section_page(labels[lang][0], by_sec[sec]), "trend-section")
            site.add(
                f"/{sec}/{sub}/",
                ed.section_page(labels[lang][1], by_sec[f"{sec}/{sub}"]),
                "trend-subsection",
            )
        starts = set(range(LATEST_PAGE, len(ed.arts), LATEST_PAGE)) | {len(ed.arts)}
        for start in sorted(s for s in starts if s > 0):
            cursor = ed.arts[start - 1].timestamp
            site.add(f"/latest/?ajax=1&date={cursor}", ed.fragment(start), "trend-ajax")
        for art in ed.arts:
            # CMS validators: the article's revision and last correction, not the page
            # bytes, so a changed rail or footer alone still answers 304.
            site.add(
                art.path,
                ed.article(art),
                "trend-article",
                etag=f'W/"{art.id}-{art.revision}"',
                last_modified=art.last_modified,
            )
        ui = ed.ui
        site.add("/about/", ed.simple(ui["about"], "Trend News Agency, Baku."), "trend-static")
        site.add("/contacts/", ed.simple(ui["contacts"], "Baku, Azerbaijan."), "trend-static")
        site.add("/subscribe/", ed.simple("Subscribe", ui["paid"]), "trend-static")
        site.add("/static/img/logo.svg", LOGO_SVG, "asset", "image/svg+xml", mode="length")
        site.not_found = make_resource(404, ed.simple("404", "Page not found").encode())
        site.dynamic = _dynamic(ed, site)
    return sites


def _dynamic(ed: _Edition, site: HostSite) -> Any:
    """Answers for targets that are not pre-rendered: 301s, any cursor, search, media."""
    stamps = [-a.timestamp for a in ed.arts]  # ascending
    search = make_resource(200, ed.simple(ed.ui["search"], "0").encode(), mode="length")
    gif = make_resource(200, GIF, "image/gif")

    def dynamic(path: str, query: str) -> Resource | None:
        if path == "/latest/":
            params = parse_qs(query)
            date = params.get("date", [""])[0]
            if "ajax" in params and date.lstrip("-").isdigit():
                start = bisect_right(stamps, -int(date))  # first article older than date
                body = ed.fragment(start).encode()
                return make_resource(200, body, HTML, mode_for_path(path + "?" + query))
            return site.pages["/latest/"]
        m = _ARTICLE_PATH.match(path)
        if m:
            art = ed.by_id.get(int(m.group(3)))
            if art is not None and path != art.path:
                return site.redirect(f"{ed.origin}{art.path}")
            return None
        if path.startswith("/search/"):
            return search
        if path.startswith("/media/"):
            return gif
        return None

    return dynamic


# ---------------------------------------------------------------------- truth


def headlines(art: Article, origin: str) -> list[dict[str, str]]:
    """Every rail link once, first occurrence order, as the page's link resolves."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for rail in art.rails or []:
        for link in rail.links:
            url = f"{origin}{link.path()}"
            if url not in seen:
                seen.add(url)
                out.append({"title": link.article.title, "url": url})
    return out


#: The record fields of schema version 2 that the article pages do not fill.
PAGE_METADATA: dict[str, Any] = {
    "authors": [],
    "modified": None,
    "modified_raw": None,
    "description": None,
    "image": None,
    "tags": [],
    "canonical_url": None,
}


def expected_record(art: Article, replica: Replica, origins: dict[str, str]) -> dict[str, Any]:
    """The record a correct extraction of ``art``'s page gives."""
    origin = origins[TREND_HOSTS[art.lang]]
    url = f"{origin}{art.path}"
    return {
        "url": url,
        "site": "trend",
        "lang": art.lang,
        "title": art.title,
        "published": art.published.isoformat(),
        "published_raw": visible_date(art),
        "dateline": art.dateline,
        "section": art.section,
        "body": "\n\n".join(" ".join(p.split()) for p in art.paragraphs),
        "boilerplate": {
            "headlines": headlines(art, origin),
            "rates": [],
            "copyright": copyright_line(replica.now.year),
        },
        **PAGE_METADATA,
        "canonical_url": url,  # <link rel="canonical">
    }
