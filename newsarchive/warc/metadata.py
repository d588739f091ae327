"""``RecordArchiver``: every stored article record into the WARC files as well.

On :data:`newsarchive.signals.record_stored` (a record was written to the JSONL file) it
writes the record's JSON line, byte for byte, as a ``metadata`` record
(``application/json``, ``WARC-Concurrent-To`` its response record), so the WARC files
alone carry the data. Its target URI is ``metadata://newsarchive/record/{article URL}``,
not the article URL: replay tools index metadata records, and pywb would otherwise answer
a request for the article at that second with the JSON. Records a killed run stored in
JSONL but not yet in a WARC file are written when the next run of the site opens.

Stats: ``newsarchive/warc/metadata``; failures in ``newsarchive/warc/errors``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsarchive import signals as na_signals
from newsarchive.state.db import record_content_hash
from newsarchive.state.sync import RECORD_METADATA_PREFIX
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.files import STAT, WarcFiles

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["RecordArchiver"]


class RecordArchiver:
    """Write stored article records as WARC ``metadata`` records (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self._files: WarcFiles | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled:
            raise NotConfigured("WARC capture disabled by NEWSARCHIVE_WARC_ENABLED")
        if not config.records:
            raise NotConfigured("NEWSARCHIVE_WARC_RECORDS is off")
        archiver = cls(crawler)
        crawler.signals.connect(archiver.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(archiver.record_stored, signal=na_signals.record_stored)
        return archiver

    @property
    def files(self) -> WarcFiles:
        if self._files is None:
            files = self.crawler.get_extension(WarcFiles)
            if files is None:
                raise RuntimeError("RecordArchiver needs the WarcFiles extension")
            self._files = files
        return self._files

    def spider_opened(self, spider: Spider) -> None:
        self.stats.set_value(STAT + "metadata", 0)
        self._write_missing()

    def record_stored(
        self,
        record: dict[str, Any],
        spider: Spider,
        line: bytes,
        content_hash: str | None = None,
    ) -> None:
        """Write ``line``, the record's JSON line as the JSONL file holds it."""
        if not self.files.writable:
            return
        try:
            self._write(record, line, content_hash)
        except Exception as exc:
            self.files.write_failed(exc, f"the WARC metadata record of {record.get('url')}")

    def _write(self, record: dict[str, Any], line: bytes, content_hash: str | None = None) -> None:
        writer = self.files.writer_for()
        warc = record.get("warc") or {}
        location = writer.write_metadata(
            RECORD_METADATA_PREFIX + str(record.get("url")),
            line,
            concurrent_to=warc.get("record_id"),
            content_type="application/json",
        )
        self.stats.inc_value(STAT + "metadata")
        folder = self.files.folder
        if folder is None:
            self.files.update_stats()
            return
        with folder.state.transaction(batch=True):
            folder.state.set_metadata_record(
                record["url"], content_hash or record_content_hash(record), location.record_id
            )
            self.files.note_written(location.file)

    def _write_missing(self) -> None:
        """Write the records of this site stored in JSONL files but in no WARC file."""
        folder = self.files.folder
        if folder is None:
            return
        missing = folder.state.records_without_metadata(folder.site)
        if not missing:
            return
        jsonl_dir = folder.path / "jsonl"
        written = 0
        for seen in missing:
            try:
                with open(jsonl_dir / seen.file, "rb") as fh:
                    fh.seek(seen.offset)
                    line = fh.readline()
                self._write(json.loads(line), line)
                written += 1
            except Exception as exc:
                self.stats.inc_value(STAT + "errors")
                logger.error("Could not write the record at %s@%d: %s", seen.file, seen.offset, exc)
        logger.info("Wrote %d stored records that were in no WARC file yet", written)
