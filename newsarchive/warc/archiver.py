"""``ExchangeArchiver``: every HTTP exchange into the WARC files, deduplicated.

On ``response_downloaded`` (every response that passes through the downloader: pages,
redirects, errors, robots.txt, with its body still content-encoded) it writes a
``response`` record and then its ``request`` record, from the wire bytes the capturing
download handler left in ``request.meta["newsarchive_capture"]`` (a reconstruction from
Scrapy's response when there are none, counted in ``newsarchive/warc/reconstructed``). On
:data:`newsarchive.signals.capture_failed` it writes an exchange cut short with
``WARC-Truncated``. Then it sets, for the spider callback to put into the item::

    request.meta["newsarchive_warc"] = {"file", "offset", "length", "record_id"}
    request.meta["newsarchive_fetched_at"] = "2026-11-22T16:40:12.000123Z"  # the WARC-Date

A response whose payload digest (SHA-1 of the entity-body with the transfer coding
removed, as the WARC specification says; for a chunked response archived by an older
version, the legacy digest over the chunk framing also matches) is archived already, in
any run of the folder, is written as a ``revisit`` record (profile
identical-payload-digest, the HTTP head kept, ``WARC-Refers-To*`` naming the original,
the same URI's preferred) and
``meta["newsarchive_revisit"]`` is True. Every capture is recorded in the state database.

Stats (``newsarchive/warc/``): ``responses``, ``revisits``, ``reconstructed``,
``resources`` (non-HTTP URLs, as ``resource`` records), ``truncated/{reason}``,
``errors``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsarchive import signals as na_signals
from newsarchive.capture.exchange import CAPTURE_META_KEY, WireCapture, reconstruct_capture
from newsarchive.crawling.recheck import RECHECK_META_KEY
from newsarchive.state.db import Capture
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.files import STAT, WarcFiles
from newsarchive.warc.writer import (
    NOT_MODIFIED_PROFILE,
    RecordLocation,
    RevisitOf,
    format_warc_date,
    payload_digest,
    split_http_message,
    utc_now,
)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["FETCHED_AT_META_KEY", "REVISIT_META_KEY", "WARC_META_KEY", "ExchangeArchiver"]

#: ``request.meta`` key of the response record's location.
WARC_META_KEY = "newsarchive_warc"
#: ``request.meta`` key of the WARC-Date of the fetch.
FETCHED_AT_META_KEY = "newsarchive_fetched_at"
#: ``request.meta`` key set to True when the fetch was archived as a revisit.
REVISIT_META_KEY = "newsarchive_revisit"


class ExchangeArchiver:
    """Archive every downloaded response and its request (see the module)."""

    def __init__(self, crawler: Crawler, config: WarcConfig) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self._files: WarcFiles | None = None
        self._warned_reconstructed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled:
            raise NotConfigured("WARC capture disabled by NEWSARCHIVE_WARC_ENABLED")
        archiver = cls(crawler, config)
        crawler.signals.connect(archiver.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(archiver.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(archiver.capture_failed, signal=na_signals.capture_failed)
        return archiver

    @property
    def files(self) -> WarcFiles:
        if self._files is None:
            files = self.crawler.get_extension(WarcFiles)
            if files is None:
                raise RuntimeError("ExchangeArchiver needs the WarcFiles extension")
            self._files = files
        return self._files

    def spider_opened(self, spider: Spider) -> None:
        for name in ("responses", "revisits", "reconstructed", "resources"):
            self.stats.set_value(STAT + name, 0)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Write the fetch; set ``newsarchive_warc`` and ``newsarchive_fetched_at`` in meta."""
        capture = request.meta.pop(CAPTURE_META_KEY, None)
        if not self.files.writable:
            return  # a write failed before: the run is stopping
        try:
            location, warc_date = self._archive(response, request, capture, spider)
        except Exception as exc:
            self.files.write_failed(exc, f"the WARC record of {response.url}")
            return
        request.meta[WARC_META_KEY] = location.as_dict()
        request.meta[FETCHED_AT_META_KEY] = warc_date

    def capture_failed(self, request: Request, capture: WireCapture, reason: str) -> None:
        """Archive an exchange cut short (timeout, size limit, early close) as it came."""
        request.meta.pop(CAPTURE_META_KEY, None)
        if not self.files.writable:
            return
        try:
            self._write_capture(request.url, capture, reason)
        except Exception as exc:
            self.files.write_failed(exc, f"the WARC record of {request.url}")

    def _archive(
        self, response: Response, request: Request, capture: object, spider: Spider
    ) -> tuple[RecordLocation, str]:
        if urlsplit(response.url).scheme not in ("http", "https"):
            # No HTTP message to store: keep the content as a resource record.
            date = utc_now()
            content_type = response.headers.get(b"Content-Type")
            writer = self.files.writer_for(spider)
            location = writer.write_record(
                "resource",
                response.url,
                response.body,
                content_type=content_type.decode("latin-1") if content_type else None,
                date=date,
                rotate=True,
            )
            self.stats.inc_value(STAT + "resources")
            self.files.note_written(location.file)
            return location, format_warc_date(date)
        if not isinstance(capture, WireCapture):
            capture = reconstruct_capture(request, response)
            self.stats.inc_value(STAT + "reconstructed")
            if not self._warned_reconstructed:
                self._warned_reconstructed = True
                logger.warning(
                    "No wire capture for %s: archiving a reconstruction from Scrapy's "
                    "response (reason phrase, header case and framing may differ). Is "
                    "DOWNLOAD_HANDLERS set to newsarchive.capture.handler."
                    "CapturingDownloadHandler? Counted in %sreconstructed; not logged again.",
                    response.url,
                    STAT,
                )
        truncated = capture.truncated
        if truncated is None and "dataloss" in response.flags:
            truncated = "disconnect"
        elif truncated is None and "download_stopped" in response.flags:
            truncated = "unspecified"
        revalidated = request.meta.get(RECHECK_META_KEY)
        not_modified = None
        if response.status == 304 and isinstance(revalidated, dict):
            not_modified = RevisitOf(
                revalidated["record_id"],
                revalidated["uri"],
                revalidated["date"],
                None,
                NOT_MODIFIED_PROFILE,
            )
            self.stats.inc_value("newsarchive/recheck/not_modified")
        location, warc_date, revisit = self._write_capture(
            response.url, capture, truncated, status=response.status, revisit=not_modified
        )
        if revisit:
            request.meta[REVISIT_META_KEY] = True
        return location, warc_date

    def _write_capture(
        self,
        url: str,
        capture: WireCapture,
        truncated: str | None,
        *,
        status: int | None = None,
        revisit: RevisitOf | None = None,
    ) -> tuple[RecordLocation, str, bool]:
        writer = self.files.writer_for()
        request_head, request_body = split_http_message(bytes(capture.request))
        body = bytes(capture.response_body)
        digest = payload_digest(capture.payload)
        if revisit is None and not truncated:
            revisit = self._original(digest, url, len(capture.payload))
            if revisit is None and capture.entity is not None:
                # a chunked payload archived before this version digested it with its
                # chunk framing ("legacy"): still the same payload
                revisit = self._original(payload_digest(body), url, len(body))
        location = writer.write_exchange(
            url,
            response_head=bytes(capture.response_head),
            response_body=body,
            request_head=request_head,
            request_body=request_body,
            ip_address=capture.ip_address,
            date=capture.started_at,
            truncated=truncated,
            revisit=revisit,
            response_payload_digest=digest if revisit is None else revisit.payload_digest,
        )
        warc_date = format_warc_date(capture.started_at)
        self.stats.inc_value(STAT + ("responses" if revisit is None else "revisits"))
        if truncated:
            self.stats.inc_value(STAT + f"truncated/{truncated}")
        folder = self.files.folder
        if folder is not None:
            with folder.state.transaction(batch=True):
                folder.state.add_capture(
                    Capture(
                        record_id=location.record_id,
                        record_type="response" if revisit is None else "revisit",
                        uri=url,
                        status=status if status is not None else _status_of(capture),
                        date=warc_date,
                        file=location.file,
                        offset=location.offset,
                        length=location.length,
                        payload_digest=digest,
                        refers_to=revisit.record_id if revisit else None,
                        truncated=truncated is not None,
                        etag=_head_field(capture, b"etag"),
                        last_modified=_head_field(capture, b"last-modified"),
                        redirect_to=_redirect(url, capture),
                        site=folder.site,
                        run_id=folder.run,
                    )
                )
                self.files.note_written(location.file)
        else:
            self.files.update_stats()
        return location, warc_date, revisit is not None

    def _original(self, digest: str, uri: str, size: int) -> RevisitOf | None:
        """The archived response with this payload, when the fetch should be a revisit."""
        folder = self.files.folder
        if folder is None or not self.config.dedup or size < self.config.dedup_min_size:
            return None
        original = folder.state.original_for(digest, uri)
        if original is None:
            return None
        return RevisitOf(original.record_id, original.uri, original.date, digest)


def _redirect(url: str, capture: WireCapture) -> str | None:
    """The absolute target of a captured redirect."""
    status = _status_of(capture)
    if status is None or not 300 <= status < 400:
        return None
    target = _head_field(capture, b"location")
    return urljoin(url, target) if target else None


def _head_field(capture: WireCapture, name: bytes) -> str | None:
    """A header of the captured response head (lower-case ``name``), or None."""
    head = bytes(capture.response_head)
    if name not in head.lower():
        return None
    for line in head.split(b"\n")[1:]:
        key, sep, value = line.partition(b":")
        if sep and key.strip().lower() == name:
            return value.strip().decode("latin-1") or None
    return None


def _status_of(capture: WireCapture) -> int | None:
    """The status code of a captured response head."""
    parts = bytes(capture.response_head[:20]).split(b" ", 2)
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return None
