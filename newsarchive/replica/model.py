"""The replica's content model: articles, their links and what each page shows.

Generation (``content.py``) fills these; rendering (``trend.py``, ``bakutel.py``) reads them.
Nothing here knows about ports: a URL is made from an origin given at render time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

BAKU = ZoneInfo("Asia/Baku")

#: The four "hosts" of the replica: one listening socket each.
HOST_KEYS: tuple[str, ...] = ("trend-en", "trend-az", "trend-ru", "bakutel")
TREND_HOSTS: dict[str, str] = {"en": "trend-en", "az": "trend-az", "ru": "trend-ru"}

#: robots.txt ``Disallow`` prefixes per host.
DISALLOWED_PREFIXES: dict[str, list[str]] = {
    "trend-en": ["/search/"],
    "trend-az": ["/search/"],
    "trend-ru": ["/search/"],
    "bakutel": ["/search/", "/cgi-bin/"],
}


@dataclass(eq=False)
class Link:
    """A link from one page to an article, the way that page prints it."""

    article: Article
    #: ``"sec/sub"`` that the link wrongly uses (Trend; answered with a 301), or None.
    wrong_section: str | None = None
    #: Root-relative href instead of an absolute one.
    relative: bool = False
    #: Print the listing ``span.date-time`` inside the link.
    date_time: bool = False

    def path(self) -> str:
        """The path the href points at (wrong section included)."""
        return self.article.path_in(self.wrong_section)


@dataclass(eq=False)
class Rail:
    """One ``ul.news-list`` (``with-images`` or not) after a Trend article."""

    with_images: bool
    links: list[Link] = field(default_factory=list)


@dataclass(eq=False)
class RateTable:
    """BakuTel's ``table.currency``: rate dates and one printed rate per date per row."""

    dates: list[date]
    rows: list[tuple[str, list[str]]]
    nbsp: bool = False
    stray_whitespace: bool = False


@dataclass(eq=False)
class Article:
    """One generated article with everything its page and its record need."""

    site: str  # "trend" | "bakutel"
    lang: str  # "en" | "az" | "ru"
    published: datetime  # aware, in Asia/Baku
    title: str
    paragraphs: list[str]
    #: Trend: "section/sub"; BakuTel: section slug (``top``, ``telecom`` ...).
    section: str
    id: int = 0
    dateline: str | None = None
    #: Names of the layout "varies" items this article's page exercises.
    features: set[str] = field(default_factory=set)
    # --- Trend
    machine_dates: frozenset[str] = frozenset()  # subset of {"meta", "itemprop", "json-ld"}
    paid: bool = False
    social_follow: str | None = None  # None | "end" | "inline"
    wrappers: bool = False
    rails: list[Rail] | None = None  # None: no rail at all; [] never used
    #: Listings (/latest/ chain, home) link this article under this wrong "sec/sub".
    listing_wrong_section: str | None = None
    image: str = ""
    # --- BakuTel
    top_news: list[Link] | None = None  # None: the block is missing
    block_title_foreign: bool = False
    rates: RateTable | None = None  # None: the block is missing
    body_style: str = "p"  # "p" | "empty-p" | "br"
    # --- versions (a later state of the replica, see ``later.py``)
    #: When the article was last corrected (None: never); sent as ``Last-Modified``.
    modified: datetime | None = None
    #: 1, then 2, 3 ... after each correction (Trend's ``ETag``).
    revision: int = 1

    @property
    def host_key(self) -> str:
        """Which replica host serves this article."""
        return TREND_HOSTS[self.lang] if self.site == "trend" else "bakutel"

    @property
    def path(self) -> str:
        """The article's canonical path."""
        return self.path_in(None)

    def path_in(self, section: str | None) -> str:
        """The article's path, under ``section`` instead of its own (Trend) when given."""
        if self.site == "trend":
            return f"/{section or self.section}/{self.id}.html"
        return f"/{self.lang}/news/{self.id}.html"

    @property
    def last_modified(self) -> datetime:
        """When what the article says last changed: its correction, else publication."""
        return self.modified or self.published

    @property
    def timestamp(self) -> int:
        """Unix seconds of publication (the /latest/ cursor unit)."""
        return int(self.published.timestamp())


#: Every name that can appear in ``Article.features``, with what the article's page shows.
FEATURES: dict[str, str] = {
    # --- Trend: machine dates
    "meta-published-time": 'has <meta property="article:published_time">',
    "itemprop-date-published": 'has <meta itemprop="datePublished">',
    "json-ld": "has a JSON-LD NewsArticle with datePublished",
    "no-machine-date": "old article (before 2013): the visible date is the only date",
    # --- Trend: dateline
    "dateline": "the first p of div.article-content is a dateline (record: dateline)",
    "no-dateline": "no dateline paragraph",
    "dateline-variant-0": "en 'BAKU, Azerbaijan, May 15' / az 'Bakı. Trend:' / ru 'Баку, "
    "Азербайджан, 11 декабря /корр. Trend/'",
    "dateline-variant-1": "en 'BAKU, Azerbaijan, Dec.3' / az 'Bakı. 4 iyul. Trend:' / ru "
    "'Баку. Trend:'",
    "dateline-variant-2": "another city: en 'TBILISI, Georgia, Nov. 5' / az 'Şuşa. Trend:' / "
    "ru 'Ташкент, Узбекистан, 28 апреля /корр. Trend/'",
    "dateline-variant-3": "with a correspondent: en '... By Name - Trend:' / az 'Bakı. "
    "Trend.Az / müxbir Name /' / ru '... /корр. Trend Э.Гасанова/'",
    # --- Trend: rails (aside ul.news-list)
    "rails-none": "no rail at all (only Loading Bars and All news)",
    "rails-empty": "two rails (with-images and plain) with no items",
    "rails-1": "one rail",
    "rails-2": "two rails",
    "rails-3": "three rails",
    "rail-with-images": "a ul.news-list.with-images rail: div.image with a div.photo-caption "
    "repeating the h4 title",
    "rail-plain": "a plain ul.news-list rail",
    "rail-duplicate": "one link appears twice in the rails (the record keeps it once)",
    "rail-relative-link": "a rail link is root-relative",
    "rail-wrong-section": "a rail link uses a wrong section (answered 301; the record keeps "
    "the URL as linked)",
    "rail-date-time": "rail items carry span.date-time",
    "rail-paid-icon": "a rail item carries span.paid-article-icon",
    "rail-long": "30 or more rail links",
    # --- Trend: other
    "paid": "paid article: the body is only a lead; listings show span.paid-article-icon",
    "social-follow": "a p.social-follow line ends div.article-content",
    "social-follow-inline": "a p.social-follow line sits between body paragraphs",
    "extra-wrappers": "extra divs around breadcrumbs, h1, date, article-content, rails, copyright",
    "wrong-section-listing": "/latest/ (and its fragments) and the home page link this "
    "article under a wrong section",
    "az-month-capital": "Azerbaijani date with a capitalised İyun/İyul",
    "az-title-capitals": "Azerbaijani title with İ Ş Ç Ə Ğ Ö Ü",
    "az-title-uppercase": "Azerbaijani title in capitals (İ for i)",
    "title-entities": "title with & ' \" (escaped in the markup)",
    # --- both sites: dates
    "today": "published today (Baku): Trend listings show only 'HH:MM (UTC+04)'",
    "offset+04": "published at an instant when Baku was UTC+04:00",
    "offset+05": "published in Baku summer time (UTC+05:00, before 2016)",
    "pre-2016-summer": "before 2016, in summer (+05:00)",
    "pre-2016-winter": "before 2016, in winter (+04:00)",
    # --- BakuTel
    "section-top": "div.path 'Top News' (and translations)",
    "section-telecom": "div.path 'Telecom'",
    "section-it": "div.path 'IT'",
    "section-post": "div.path 'Post'",
    "section-events": "div.path 'Events'",
    "block-title-native": "div.block-title in the edition's language",
    "block-title-foreign": "div.block-title 'Top news' in English on an az/ru page",
    "top-news-0": "a top-news block with an empty ul.top-news",
    "top-news-1": "one top-news link",
    "top-news-many": "two or more top-news links",
    "no-top-news-block": "no top-news block",
    "rate-dates-1": "table.currency with one rate date",
    "rate-dates-2": "table.currency with two rate dates",
    "rate-dates-3": "table.currency with three rate dates",
    "currency-extra": "currencies beyond USD EUR GBP RUR (TRY, GEL, CHF, JPY, CNY, KZT, UAH)",
    "no-currency-block": "no table.currency",
    "no-right-column": "neither right-column block (td#right is empty)",
    "cell-nbsp": "&nbsp; inside currency cells",
    "cell-whitespace": "newlines, tabs and spaces around currency cell text",
    "body-empty-p": "old article: an empty <p></p> or <p>&nbsp;</p> in div.news-text",
    "body-br": "old article: div.news-text holds text separated by <br> (or <br><br>), no p",
}
