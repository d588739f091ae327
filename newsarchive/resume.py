"""Resume: what an interrupted run archived is served from the archive, not fetched again.

When earlier runs of a site in this output folder never finished (killed, interrupted),
the new run completes them: :class:`ResumeMiddleware` answers every GET request whose URL
one of those runs captured with a response rebuilt from the archived record, and the
network is asked only for the rest. Discovery and extraction then run exactly as live:
listings archived by the killed run give the same links, articles it archived get their
record now (the record dedup pipeline drops those already stored), and nothing is
archived twice (a response returned by a downloader middleware never reaches
``response_downloaded``).

The rebuilt response is what Scrapy's own middlewares would see from the network: status,
headers and URL of the archived head, the body de-chunked but still content-encoded
(``HttpCompressionMiddleware`` decodes it), a 3xx that ``RedirectMiddleware`` follows.
``meta["newsarchive_warc"]`` / ``["newsarchive_fetched_at"]`` name the archived record and
its WARC-Date (``["newsarchive_revisit"]`` for a revisit, whose payload comes from its
original), and ``meta["newsarchive_resumed"]`` is True. Captures with a status Scrapy
retries (``RETRY_HTTP_CODES``) or cut short (``WARC-Truncated``) are fetched again.

Enable with ``DOWNLOADER_MIDDLEWARES = {"newsarchive.resume.ResumeMiddleware": 120}``
(after robots.txt); ``NEWSARCHIVE_RESUME = False`` turns it off. Stats:
``newsarchive/resume/runs`` (unfinished runs being completed), ``.../responses``
(requests answered from the archive) and ``.../errors`` (archived records that could not
be read; those URLs are fetched).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from newsarchive.state.db import ArchiveState, Capture
from newsarchive.state.owner import ArchiveFolder
from newsarchive.warc.archiver import FETCHED_AT_META_KEY, REVISIT_META_KEY, WARC_META_KEY
from newsarchive.warc.reader import HttpRecord, WarcReadError, read_http_record

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["RESUMED_META_KEY", "ResumeMiddleware", "archived_response"]

#: ``request.meta`` key set to True when the response came from the archive.
RESUMED_META_KEY = "newsarchive_resumed"
#: Hop-by-hop headers twisted does not hand to Scrapy.
_HOP_BY_HOP = {b"transfer-encoding", b"connection", b"keep-alive"}
_STAT = "newsarchive/resume/"


class ArchiveReadError(Exception):
    """An archived record that cannot be turned back into a response."""


def _read_record(path: Path, offset: int) -> HttpRecord:
    """The stored HTTP message of the record at ``offset`` (:mod:`newsarchive.warc.reader`:
    the entity de-chunked, content coding kept)."""
    try:
        return read_http_record(path, offset)
    except WarcReadError as exc:
        raise ArchiveReadError(str(exc)) from exc


def archived_response(
    capture: Capture, state: ArchiveState, warc_dir: Path, request: Request
) -> Response:
    """Rebuild the response Scrapy got for ``capture`` (see the module docstring).

    A revisit takes its original's entity, found by ``WARC-Refers-To``: whichever
    convention its ``WARC-Payload-Digest`` follows (over the chunk framing, or over the
    de-chunked entity as the WARC spec says), the stored bytes are read the same way.
    """
    stored = _read_record(warc_dir / capture.file, capture.offset)
    body = stored.entity
    if capture.record_type == "revisit":
        original = state.capture(capture.refers_to or "")
        if original is None:
            raise ArchiveReadError(f"the original of revisit {capture.record_id} is not indexed")
        body = _read_record(warc_dir / original.file, original.offset).entity
    scrapy_headers = Headers()
    for name, value in stored.headers:
        if name.lower().encode("latin-1") not in _HOP_BY_HOP:
            scrapy_headers.appendlist(name, value)
    if stored.status is None:
        raise ArchiveReadError(f"no status in {capture.record_id}")
    cls = responsetypes.from_args(headers=scrapy_headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=stored.status,
        headers=scrapy_headers,
        body=body,
        flags=["archived"],
        request=request,
        protocol="HTTP/1.1",
    )


class ResumeMiddleware:
    """Answer requests from the archive of the site's unfinished runs (see the module)."""

    def __init__(self, stats: StatsCollector, folder: ArchiveFolder, retry_codes: set[int]) -> None:
        self.stats = stats
        self.folder = folder
        self.state = folder.state
        self.warc_dir = folder.path / "warc"
        self.run = folder.run
        self.retry_codes = retry_codes
        self.site: str | None = None
        self.runs: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_RESUME", True):
            raise NotConfigured("NEWSARCHIVE_RESUME is off")
        folder = crawler.get_extension(ArchiveFolder)
        if folder is None:
            raise NotConfigured("resuming needs the ArchiveFolder extension")
        assert crawler.stats is not None
        retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        mw = cls(crawler.stats, folder, retry_codes)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        """Find the unfinished runs of this site that this run completes."""
        self.site = spider.name
        self.runs = list(self.folder.resumes)
        self.stats.set_value(_STAT + "runs", len(self.runs))
        self.stats.set_value(_STAT + "responses", 0)
        if self.runs:
            logger.warning(
                "Resuming interrupted run(s) %s of %s: what they archived is read from "
                "the archive, not fetched again",
                ", ".join(self.runs),
                spider.name,
            )

    def process_request(self, request: Request) -> Response | None:
        """The archived response for ``request``, or None to fetch it."""
        if not self.runs or self.site is None or request.method != "GET":
            return None
        for capture in self.state.captures_of(request.url, self.site, self.runs):
            if capture.truncated or capture.status in self.retry_codes:
                continue
            try:
                response = archived_response(capture, self.state, self.warc_dir, request)
            except Exception as exc:
                self.stats.inc_value(_STAT + "errors")
                logger.error(
                    "Cannot replay %s from %s@%d (%s); fetching it",
                    request.url,
                    capture.file,
                    capture.offset,
                    exc,
                )
                return None
            request.meta[WARC_META_KEY] = capture.location
            request.meta[FETCHED_AT_META_KEY] = capture.date
            request.meta[RESUMED_META_KEY] = True
            if capture.record_type == "revisit":
                request.meta[REVISIT_META_KEY] = True
            self.stats.inc_value(_STAT + "responses")
            return response
        return None
