"""Scrapy extension writing every fetch into WARC files, on ``response_downloaded``.

Every response that passes through the downloader (pages, redirects, errors,
robots.txt) reaches the ``response_downloaded`` signal with its body still
content-encoded. The extension writes it as a ``response`` record followed by a
``request`` record, from the wire bytes the capturing download handler
(:mod:`newsarchive.warc.capture`) left in ``request.meta["newsarchive_capture"]``, and
then sets, for the spider callback to put into the item::

    request.meta["newsarchive_warc"] = {"file", "offset", "length", "record_id"}
    request.meta["newsarchive_fetched_at"] = "2026-11-22T16:40:12.000123Z"  # the WARC-Date

Enable it with ``EXTENSIONS = {"newsarchive.warc.extension.WarcCaptureExtension": 100}``.

Stats (``newsarchive/warc/...``): ``records``, ``bytes``, ``files``, ``file_names`` (the
files' final basenames, in order), ``responses``, ``reconstructed`` (responses without a
wire capture), ``resources`` (non-HTTP URLs, written as ``resource`` records) and
``errors`` (fetches that could not be written; each is logged with its URL).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsarchive.warc.capture import CAPTURE_META_KEY, WireCapture, reconstruct_capture
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.writer import (
    RecordLocation,
    WarcFileWriter,
    format_warc_date,
    local_hostname,
    local_ip,
    split_http_message,
    utc_now,
    warcinfo_fields,
)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["FETCHED_AT_META_KEY", "WARC_META_KEY", "WarcCaptureExtension"]

#: ``request.meta`` key of the response record's location.
WARC_META_KEY = "newsarchive_warc"
#: ``request.meta`` key of the WARC-Date of the fetch.
FETCHED_AT_META_KEY = "newsarchive_fetched_at"

_STAT = "newsarchive/warc/"


class WarcCaptureExtension:
    """Archive every downloaded response (and its request) into WARC files."""

    def __init__(self, stats: StatsCollector, config: WarcConfig) -> None:
        self.stats = stats
        self.config = config
        self.writer: WarcFileWriter | None = None
        self._warned_reconstructed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the extension from the crawler's settings and connect its signals."""
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled:
            raise NotConfigured("WARC capture disabled by NEWSARCHIVE_WARC_ENABLED")
        assert crawler.stats is not None
        ext = cls(crawler.stats, config)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _make_writer(self, spider: Spider | None) -> WarcFileWriter:
        hostname = local_hostname()
        info = warcinfo_fields(
            robots=self.config.robots,
            operator=self.config.operator,
            description=self.config.description,
            is_part_of=getattr(spider, "name", None),
            user_agent=self.config.user_agent,
            hostname=hostname,
            ip=local_ip(hostname),
        )
        return WarcFileWriter(
            self.config.directory,
            prefix=self.config.prefix_for(getattr(spider, "name", None)),
            max_size=self.config.max_size,
            warcinfo=info,
            hostname=hostname,
        )

    def spider_opened(self, spider: Spider) -> None:
        """Create the writer; the first file is created with the first record."""
        self.writer = self._make_writer(spider)
        for name in (
            "records",
            "bytes",
            "files",
            "responses",
            "reconstructed",
            "resources",
            "errors",
        ):
            self.stats.set_value(_STAT + name, 0)
        logger.info("Writing WARC files to %s", self.config.directory)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the current file (dropping ``.open`` from its name)."""
        if self.writer is None:
            return
        try:
            self.writer.close()
        except Exception:
            self.stats.inc_value(_STAT + "errors")
            logger.exception("Could not close WARC file %s", self.writer.current_path)
        self._update_stats()
        logger.info(
            "WARC files written: %s",
            ", ".join(str(path) for path in self.writer.closed_files) or "none",
        )

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Write the fetch; set ``newsarchive_warc`` and ``newsarchive_fetched_at`` in meta."""
        capture = request.meta.pop(CAPTURE_META_KEY, None)
        if self.writer is None:
            self.writer = self._make_writer(spider)
        try:
            location, warc_date = self._archive(response, request, capture)
        except Exception as exc:
            self.stats.inc_value(_STAT + "errors")
            logger.error(
                "Could not write %s to the WARC: %s: %s",
                response.url,
                type(exc).__name__,
                exc,
                exc_info=True,
                extra={"spider": spider},
            )
            return
        finally:
            self._update_stats()
        request.meta[WARC_META_KEY] = location.as_dict()
        request.meta[FETCHED_AT_META_KEY] = warc_date

    def _archive(
        self, response: Response, request: Request, capture: object
    ) -> tuple[RecordLocation, str]:
        assert self.writer is not None
        if urlsplit(response.url).scheme not in ("http", "https"):
            # No HTTP message to store: keep the content as a resource record.
            date = utc_now()
            content_type = response.headers.get(b"Content-Type")
            location = self.writer.write_record(
                "resource",
                response.url,
                response.body,
                content_type=content_type.decode("latin-1") if content_type else None,
                date=date,
                rotate=True,
            )
            self.stats.inc_value(_STAT + "resources")
            return location, format_warc_date(date)

        if not isinstance(capture, WireCapture):
            capture = reconstruct_capture(request, response)
            self.stats.inc_value(_STAT + "reconstructed")
            if not self._warned_reconstructed:
                self._warned_reconstructed = True
                logger.warning(
                    "No wire capture for %s: archiving a reconstruction from Scrapy's "
                    "response (reason phrase, header case and framing may differ). Is "
                    "DOWNLOAD_HANDLERS set to newsarchive.warc.capture."
                    "CapturingHTTP11DownloadHandler? Counted in %sreconstructed; "
                    "not logged again.",
                    response.url,
                    _STAT,
                )
        truncated = None
        if "dataloss" in response.flags:
            truncated = "disconnect"
        elif "download_stopped" in response.flags:
            truncated = "unspecified"
        request_head, request_body = split_http_message(bytes(capture.request))
        location = self.writer.write_exchange(
            response.url,
            response_head=bytes(capture.response_head),
            response_body=bytes(capture.response_body),
            request_head=request_head,
            request_body=request_body,
            ip_address=capture.ip_address,
            date=capture.started_at,
            truncated=truncated,
        )
        self.stats.inc_value(_STAT + "responses")
        return location, format_warc_date(capture.started_at)

    def _update_stats(self) -> None:
        if self.writer is None:
            return
        self.stats.set_value(_STAT + "records", self.writer.records_written)
        self.stats.set_value(_STAT + "bytes", self.writer.bytes_written)
        self.stats.set_value(_STAT + "files", self.writer.files_opened)
        names = [path.name for path in self.writer.closed_files]
        if self.writer.current_name is not None:
            names.append(self.writer.current_name)
        self.stats.set_value(_STAT + "file_names", names)
