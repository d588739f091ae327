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

Across runs, the output folder's state (:mod:`newsarchive.state`) makes the archive
deduplicated and self-describing:

* **revisits**: a response whose payload digest is archived already (any run, this one
  included) is written as a ``revisit`` record (profile identical-payload-digest, the HTTP
  head kept, ``WARC-Refers-To``/``-Target-URI``/``-Date`` naming the original, the
  same-URI original preferred) plus its ``request`` record; ``meta["newsarchive_warc"]``
  then points at the revisit and ``meta["newsarchive_revisit"]`` is True. Every response
  and revisit is recorded in the state database as it is written.
* **records in the archive**: on :data:`newsarchive.signals.record_stored` (a record was
  written to the JSONL file) the record is written as a ``metadata`` record
  (``application/json``, ``WARC-Concurrent-To`` its response record). Its target URI is
  ``metadata://newsarchive/record/{article URL}``, not the article URL: replay tools
  index metadata records, and pywb would otherwise answer a request for the article at
  that second with the JSON. Records stored but not yet in any WARC (a run killed in
  between) are written at the next start.
* **indexes**: each file closed gets ``DIR/indexes/{name}.cdxj``
  (:mod:`newsarchive.warc.cdxj`). A file rotated mid-crawl is indexed on a background
  thread (a 1 GB file takes many seconds, which would stall every download); the file
  closed at the end of the run is indexed at once, after waiting for those, so the stats
  count every index.

Stats (``newsarchive/warc/...``): ``records``, ``bytes``, ``files``, ``file_names`` (the
files' final basenames, in order), ``responses``, ``revisits``, ``metadata``,
``cdxj_files``, ``reconstructed`` (responses without a wire capture), ``resources``
(non-HTTP URLs, written as ``resource`` records) and ``errors`` (fetches that could not
be written; each is logged with its URL).
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsarchive import signals as na_signals
from newsarchive.runinfo import run_id
from newsarchive.state.db import ArchiveState, Capture, record_content_hash
from newsarchive.state.folder import open_folder
from newsarchive.state.sync import RECORD_METADATA_PREFIX
from newsarchive.capture.exchange import CAPTURE_META_KEY, WireCapture, reconstruct_capture
from newsarchive.warc.cdxj import index_warc
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.writer import (
    RecordLocation,
    RevisitOf,
    WarcFileWriter,
    format_warc_date,
    local_hostname,
    local_ip,
    payload_digest,
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

__all__ = [
    "FETCHED_AT_META_KEY",
    "REVISIT_META_KEY",
    "WARC_META_KEY",
    "WarcCaptureExtension",
]

#: ``request.meta`` key of the response record's location.
WARC_META_KEY = "newsarchive_warc"
#: ``request.meta`` key of the WARC-Date of the fetch.
FETCHED_AT_META_KEY = "newsarchive_fetched_at"
#: ``request.meta`` key set to True when the fetch was archived as a revisit.
REVISIT_META_KEY = "newsarchive_revisit"

_STAT = "newsarchive/warc/"


class WarcCaptureExtension:
    """Archive every downloaded response (and its request) into WARC files."""

    def __init__(
        self,
        stats: StatsCollector,
        config: WarcConfig,
        state: ArchiveState | None = None,
        run: str | None = None,
    ) -> None:
        self.stats = stats
        self.config = config
        self.state = state
        self.run = run
        self.site: str | None = None
        self.writer: WarcFileWriter | None = None
        self._warned_reconstructed = False
        self._closing = False
        self._indexer: ThreadPoolExecutor | None = None
        self._indexing: list[tuple[Path, Future[Path]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the extension from the crawler's settings and connect its signals."""
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled:
            raise NotConfigured("WARC capture disabled by NEWSARCHIVE_WARC_ENABLED")
        assert crawler.stats is not None
        folder = open_folder(config.directory.parent, cdxj=config.cdxj)
        ext = cls(crawler.stats, config, folder.state, run_id(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.record_stored, signal=na_signals.record_stored)
        crawler.signals.connect(ext.capture_failed, signal=na_signals.capture_failed)
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
            gzip_level=self.config.gzip_level,
            warcinfo=info,
            hostname=hostname,
            on_open=self._file_opened,
            on_close=self._file_closed,
        )

    def spider_opened(self, spider: Spider) -> None:
        """Create the writer (the first file comes with the first record); write the
        records an interrupted run stored in JSONL but not yet in a WARC file."""
        self.site = getattr(spider, "name", None)
        self.writer = self._make_writer(spider)
        for name in (
            "records",
            "bytes",
            "files",
            "responses",
            "revisits",
            "metadata",
            "cdxj_files",
            "reconstructed",
            "resources",
            "errors",
        ):
            self.stats.set_value(_STAT + name, 0)
        logger.info("Writing WARC files to %s", self.config.directory)
        self._write_missing_metadata()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the current file (dropping ``.open`` from its name)."""
        if self.writer is None:
            return
        self._closing = True
        try:
            self.writer.close()
        except Exception:
            self.stats.inc_value(_STAT + "errors")
            logger.exception("Could not close WARC file %s", self.writer.current_path)
        self._collect_indexes(wait=True)
        if self._indexer is not None:
            self._indexer.shutdown()
            self._indexer = None
        self._update_stats()
        logger.info(
            "WARC files written: %s",
            ", ".join(str(path) for path in self.writer.closed_files) or "none",
        )

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Write the fetch; set ``newsarchive_warc`` and ``newsarchive_fetched_at`` in meta."""
        capture = request.meta.pop(CAPTURE_META_KEY, None)
        if self.writer is None:
            self.site = self.site or getattr(spider, "name", None)
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
                    "DOWNLOAD_HANDLERS set to newsarchive.capture.handler."
                    "CapturingDownloadHandler? Counted in %sreconstructed; "
                    "not logged again.",
                    response.url,
                    _STAT,
                )
        truncated = capture.truncated
        if truncated is None and "dataloss" in response.flags:
            truncated = "disconnect"
        elif truncated is None and "download_stopped" in response.flags:
            truncated = "unspecified"
        return self._write_capture(response.url, response.status, capture, truncated, request)

    def capture_failed(self, request: Request, capture: WireCapture, reason: str) -> None:
        """Archive an exchange cut short (timeout, size limit, early close) as it came."""
        if self.writer is None:
            self.writer = self._make_writer(None)
        try:
            self._write_capture(request.url, None, capture, reason, request)
        except Exception as exc:
            self.stats.inc_value(_STAT + "errors")
            logger.error("Could not write %s to the WARC: %s", request.url, exc)
        finally:
            self._update_stats()
        request.meta.pop(CAPTURE_META_KEY, None)

    def _write_capture(
        self,
        url: str,
        status: int | None,
        capture: WireCapture,
        truncated: str | None,
        request: Request,
    ) -> tuple[RecordLocation, str]:
        assert self.writer is not None
        request_head, request_body = split_http_message(bytes(capture.request))
        body = bytes(capture.response_body)
        digest = payload_digest(capture.payload)
        revisit = None if truncated else self._original(digest, url, len(body))
        location = self.writer.write_exchange(
            url,
            response_head=bytes(capture.response_head),
            response_body=body,
            request_head=request_head,
            request_body=request_body,
            ip_address=capture.ip_address,
            date=capture.started_at,
            truncated=truncated,
            revisit=revisit,
            response_payload_digest=digest,
        )
        warc_date = format_warc_date(capture.started_at)
        if truncated:
            self.stats.inc_value(_STAT + f"truncated/{truncated}")
        self.stats.inc_value(_STAT + ("responses" if revisit is None else "revisits"))
        if revisit is not None:
            request.meta[REVISIT_META_KEY] = True
        self._remember(
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
                site=self.site,
                run_id=self.run,
            )
        )
        return location, warc_date

    # -- the state database ------------------------------------------------------------

    def _original(self, digest: str, uri: str, size: int) -> RevisitOf | None:
        """The archived response with this payload, when the fetch should be a revisit."""
        if self.state is None or not self.config.dedup or size < self.config.dedup_min_size:
            return None
        original = self.state.original_for(digest, uri)
        if original is None:
            return None
        return RevisitOf(original.record_id, original.uri, original.date, digest)

    def _remember(self, capture: Capture) -> None:
        """Record a capture and how far its file now goes, in one transaction."""
        if self.state is None or self.writer is None:
            return
        with self.state.transaction(batch=True):
            self.state.add_capture(capture)
            self.state.set_file(capture.file, "warc", self.writer.position)

    def _file_opened(self, name: str) -> None:
        if self.state is not None and self.writer is not None:
            # committed at once (not batched): after a kill -9, the re-index of this file
            # must still know which run wrote it, or that run could not be resumed
            with self.state.transaction():
                self.state.set_file(
                    name, "warc", self.writer.position, site=self.site, run_id=self.run
                )

    def _file_closed(self, path: Path) -> None:
        if not self.config.cdxj:
            return
        if self._closing:
            try:
                index_warc(path)
            except Exception as exc:
                self._count_index(path, exc)
            else:
                self._count_index(path, None)
            return
        # rotated mid-crawl: indexing reads the whole file, keep it off the reactor thread
        if self._indexer is None:
            self._indexer = ThreadPoolExecutor(1, thread_name_prefix="newsarchive-cdxj")
        self._indexing.append((path, self._indexer.submit(index_warc, path)))

    def _collect_indexes(self, *, wait: bool) -> None:
        """Count the background indexes that are done (all of them with ``wait``)."""
        pending = []
        for path, future in self._indexing:
            if wait or future.done():
                self._count_index(path, future.exception())
            else:
                pending.append((path, future))
        self._indexing = pending

    def _count_index(self, path: Path, error: BaseException | None) -> None:
        if error is not None:  # the archive is sound without its index; say so
            self.stats.inc_value(_STAT + "errors")
            logger.error("Could not write the CDXJ index of %s: %s", path, error)
            return
        self.stats.inc_value(_STAT + "cdxj_files")

    # -- article records as metadata records ----------------------------------------------

    def record_stored(
        self,
        record: dict[str, Any],
        spider: Spider,
        line: bytes,
        content_hash: str | None = None,
    ) -> None:
        """Write a stored article record into the WARC as a ``metadata`` record: ``line``,
        the record's JSON line exactly as the JSONL file holds it."""
        if not self.config.records:
            return
        if self.writer is None:
            self.writer = self._make_writer(spider)
        try:
            self._write_record(record, line, content_hash)
        except Exception as exc:
            self.stats.inc_value(_STAT + "errors")
            logger.error(
                "Could not write the record of %s to the WARC: %s: %s",
                record.get("url"),
                type(exc).__name__,
                exc,
                exc_info=True,
            )
        finally:
            self._update_stats()

    def _write_record(
        self, record: dict[str, Any], line: bytes, content_hash: str | None = None
    ) -> None:
        assert self.writer is not None
        warc = record.get("warc") or {}
        location = self.writer.write_metadata(
            RECORD_METADATA_PREFIX + str(record.get("url")),
            line,
            concurrent_to=warc.get("record_id"),
            content_type="application/json",
        )
        self.stats.inc_value(_STAT + "metadata")
        if self.state is not None:
            with self.state.transaction(batch=True):
                self.state.set_metadata_record(
                    record["url"], content_hash or record_content_hash(record), location.record_id
                )
                self.state.set_file(location.file, "warc", self.writer.position)

    def _write_missing_metadata(self) -> None:
        """Write the records of this site stored in JSONL files but in no WARC file."""
        if not self.config.records or self.state is None or self.site is None:
            return
        missing = self.state.records_without_metadata(self.site)
        if not missing:
            return
        jsonl_dir = self.config.directory.parent / "jsonl"
        written = 0
        for seen in missing:
            try:
                with open(jsonl_dir / seen.file, "rb") as fh:
                    fh.seek(seen.offset)
                    line = fh.readline()
                self._write_record(json.loads(line), line)
                written += 1
            except Exception as exc:
                self.stats.inc_value(_STAT + "errors")
                logger.error("Could not write the record at %s@%d: %s", seen.file, seen.offset, exc)
        self._update_stats()
        logger.info("Wrote %d stored records that were in no WARC file yet", written)

    def _update_stats(self) -> None:
        if self._indexing:
            self._collect_indexes(wait=False)
        if self.writer is None:
            return
        self.stats.set_value(_STAT + "records", self.writer.records_written)
        self.stats.set_value(_STAT + "bytes", self.writer.bytes_written)
        self.stats.set_value(_STAT + "files", self.writer.files_opened)
        names = [path.name for path in self.writer.closed_files]
        if self.writer.current_name is not None:
            names.append(self.writer.current_name)
        self.stats.set_value(_STAT + "file_names", names)


def _status_of(capture: WireCapture) -> int | None:
    """The status code of a captured response head."""
    parts = bytes(capture.response_head[:20]).split(b" ", 2)
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return None
