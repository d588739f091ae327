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
    def timestamp(self) -> int:
        """Unix seconds of publication (the /latest/ cursor unit)."""
        return int(self.published.timestamp())
