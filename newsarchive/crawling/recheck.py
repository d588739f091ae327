"""``RecheckPolicy``: which known articles a run fetches again, and how.

Discovery pages (home, sections, listings, feeds, the newest sitemaps) are fetched every
run. An article is fetched when it is new to the folder, and after that only re-checked:

* on a schedule after its first capture, ``NEWSARCHIVE_RECHECK_AFTER`` (default
  ``1h,6h,1d,7d``: four re-checks, then never again);
* whenever a sitemap ``<lastmod>`` (or a feed's date) says it changed after its last
  check;
* ``--recheck due|all|none`` (``NEWSARCHIVE_RECHECK``) overrides for one run: ``due`` (the
  default) as above, ``all`` every known article, ``none`` no known article.

A re-check is a conditional request: ``If-None-Match``/``If-Modified-Since`` from the
article's last full capture. A ``304`` is archived as a ``revisit`` record with the
server-not-modified profile referring to that capture (``meta["newsarchive_recheck"]``
names it) and gives no record.

Old sitemaps are not walked again: on a site crawled before, a child sitemap whose
``<lastmod>`` is older than ``NEWSARCHIVE_SITEMAP_WINDOW`` (default 30 days) is skipped;
``--since DATE`` (``NEWSARCHIVE_SINCE``) sets the start of the window for one run, first
runs included. Stats: ``newsarchive/recheck/{new,due,changed,all}`` (fetched) and
``newsarchive/recheck/skipped/{not_due,done,none}``, ``.../old_sitemaps``.
"""

from __future__ import annotations

import logging
from argparse import ArgumentTypeError
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from newsarchive.cliargs import duration
from newsarchive.schema import parse_utc_timestamp
from newsarchive.state.owner import ArchiveFolder

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newsarchive.state.model import Capture

logger = logging.getLogger(__name__)

__all__ = ["RECHECK_META_KEY", "Decision", "RecheckConfig", "RecheckPolicy", "parse_lastmod"]

RECHECK_META_KEY = "newsarchive_recheck"
"""``request.meta`` key of the capture a re-check revalidates (``record_id``, ``uri``,
``date``): a ``304`` is archived as a revisit of it."""
MODES = ("due", "all", "none")
_STAT = "newsarchive/recheck/"


@dataclass(frozen=True)
class RecheckConfig:
    """The recheck settings (see the module)."""

    after: tuple[float, ...] = (3600.0, 21600.0, 86400.0, 604800.0)
    mode: str = "due"
    window: float = 30 * 86400.0
    since: datetime | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        """Read ``NEWSARCHIVE_RECHECK*``/``SITEMAP_WINDOW``/``SINCE``; ValueError if bad."""
        raw = settings.get("NEWSARCHIVE_RECHECK_AFTER", "1h,6h,1d,7d")
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        try:
            after = tuple(duration(str(item)) for item in items if str(item).strip())
        except ArgumentTypeError as exc:
            raise ValueError(f"NEWSARCHIVE_RECHECK_AFTER: {exc}") from None
        mode = str(settings.get("NEWSARCHIVE_RECHECK", "due")).strip().lower()
        if mode not in MODES:
            raise ValueError(f"NEWSARCHIVE_RECHECK must be one of {', '.join(MODES)}")
        window_raw = str(settings.get("NEWSARCHIVE_SITEMAP_WINDOW", "30d")).strip()
        try:
            window = 0.0 if window_raw in ("", "0") else duration(window_raw)
        except ArgumentTypeError as exc:
            raise ValueError(f"NEWSARCHIVE_SITEMAP_WINDOW: {exc}") from None
        since_raw = settings.get("NEWSARCHIVE_SINCE")
        since = parse_lastmod(str(since_raw)) if since_raw else None
        if since_raw and since is None:
            raise ValueError(f"NEWSARCHIVE_SINCE {since_raw!r} is not a date (YYYY-MM-DD)")
        return cls(after=tuple(sorted(after)), mode=mode, window=window, since=since)


@dataclass
class Decision:
    """Whether to fetch an article URL, and how."""

    fetch: bool
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    revalidates: dict[str, str] | None = None
    """The capture a ``304`` would refer to (``record_id``, ``uri``, ``date``)."""
    url: str | None = None
    """Where to fetch, when not at the URL asked about: the target it last redirected to
    permanently (``301``/``308``), the known article's address."""


def parse_lastmod(value: str | None) -> datetime | None:
    """A sitemap ``<lastmod>`` (W3C datetime: a day, or a time with its offset) in UTC."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class RecheckPolicy:
    """Decide, per article URL, whether this run fetches it (see the module)."""

    def __init__(self, crawler: Crawler, config: RecheckConfig) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.folder: ArchiveFolder | None = None
        self.seen_site_before = False
        self.now = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        policy = cls(crawler, RecheckConfig.from_settings(crawler.settings))
        crawler.signals.connect(policy.spider_opened, signal=signals.spider_opened)
        return policy

    def spider_opened(self, spider: Spider) -> None:
        self.folder = self.crawler.get_extension(ArchiveFolder)
        self.now = datetime.now(UTC)
        if self.folder is not None:
            # a run that finished covered the site; a killed first run did not, and the
            # run resuming it walks everything again
            self.seen_site_before = self.folder.state.site_has_finished_run(self.folder.site)

    # -- what to visit --------------------------------------------------------------------

    def known(self, url: str) -> bool:
        """True when the folder has a record of the article at ``url``."""
        return self.folder is not None and self.folder.state.has_record_of_url(url)

    def stop_listing(self, article_urls: list[str]) -> bool:
        """Stop paging a listing chain here? Yes on a site crawled before (and no
        ``--since``) when this page lists articles and every one is known: older pages
        hold older articles, which the schedule and the sitemaps re-check."""
        if not self.seen_site_before or self.config.since is not None or not article_urls:
            return False
        if all(self.known(url) for url in article_urls):
            self.stats.inc_value(_STAT + "listings_stopped")
            return True
        return False

    def scheduled_urls(self) -> Iterator[str]:
        """Known articles of the site this run re-checks whatever discovery finds: every
        one with ``--recheck all``, those whose schedule is due with ``due``."""
        if self.folder is None or self.config.mode == "none":
            return
        for url, first, checks in self.folder.state.article_checks(self.folder.site):
            if self.config.mode == "all":
                yield url
                continue
            done = checks - 1
            start = _instant(first)
            if start is None or done >= len(self.config.after):
                continue
            if self.now >= start + timedelta(seconds=self.config.after[done]):
                yield url

    # -- articles ---------------------------------------------------------------------------

    def decide(self, url: str, *, lastmod: datetime | None = None) -> Decision:
        """Fetch ``url`` in this run? Counted in the stats either way."""
        decision = self._decide(url, lastmod)
        name = decision.reason if decision.fetch else f"skipped/{decision.reason}"
        self.stats.inc_value(_STAT + name)
        return decision

    def _decide(self, url: str, lastmod: datetime | None, hops: int = 0) -> Decision:
        if self.folder is None:
            return Decision(True, "new")
        state = self.folder.state
        if not state.has_record_of_url(url):
            moved = _moved_to(state.captures_of_uri(url))
            if moved is not None and hops < 5:
                # moved permanently: its article is known (or not) at the new address,
                # which is fetched (or not) instead
                decision = self._decide(moved, lastmod, hops + 1)
                decision.url = decision.url or moved
                return decision
            return Decision(True, "new")
        checks = [
            c for c in state.captures_of_uri(url) if c.status in (200, 304) and not c.truncated
        ]
        if not checks:
            return Decision(True, "new")
        mode = self.config.mode
        if mode == "none":
            return Decision(False, "none")
        first = _instant(checks[0].date)
        last = _instant(checks[-1].date)
        if mode == "all":
            return self._conditional(checks, "all")
        if lastmod is not None and last is not None and lastmod > last:
            return self._conditional(checks, "changed")
        done = len(checks) - 1  # re-checks made so far
        if done >= len(self.config.after) or first is None:
            return Decision(False, "done")
        if self.now >= first + timedelta(seconds=self.config.after[done]):
            return self._conditional(checks, "due")
        return Decision(False, "not_due")

    def _conditional(self, checks: list[Capture], reason: str) -> Decision:
        """A re-check: conditional headers from the last full capture."""
        full = [c for c in checks if c.status == 200]
        if not full:
            return Decision(True, reason)
        latest = full[-1]
        headers: dict[str, str] = {}
        if latest.etag:
            headers["If-None-Match"] = latest.etag
        if latest.last_modified:
            headers["If-Modified-Since"] = latest.last_modified
        original = latest
        if latest.record_type == "revisit" and latest.refers_to and self.folder is not None:
            original = self.folder.state.capture(latest.refers_to) or latest
        refers = {"record_id": original.record_id, "uri": original.uri, "date": original.date}
        return Decision(True, reason, headers, refers if headers else None)

    # -- sitemaps ---------------------------------------------------------------------------

    def sitemap_wanted(self, lastmod: datetime | None) -> bool:
        """Walk a child sitemap of this ``<lastmod>``? Old ones are skipped on a site
        crawled before (and before ``--since`` always)."""
        if lastmod is None:
            return True
        if self.config.since is not None:
            start = self.config.since
        elif self.config.window and self.seen_site_before:
            start = self.now - timedelta(seconds=self.config.window)
        else:
            return True
        if lastmod >= start:
            return True
        self.stats.inc_value(_STAT + "old_sitemaps")
        return False


def _instant(value: str) -> datetime | None:
    return parse_utc_timestamp(value)


def _moved_to(captures: list[Capture]) -> str | None:
    """Where a URL last redirected permanently (301/308), if its last capture did."""
    if captures and captures[-1].status in (301, 308) and captures[-1].redirect_to:
        return captures[-1].redirect_to
    return None


def request_kwargs(decision: Decision) -> dict[str, Any]:
    """``scrapy.Request`` arguments for a decision to fetch."""
    kwargs: dict[str, Any] = {}
    if decision.headers:
        kwargs["headers"] = dict(decision.headers)
    if decision.revalidates is not None:
        kwargs["meta"] = {RECHECK_META_KEY: decision.revalidates}
    return kwargs
