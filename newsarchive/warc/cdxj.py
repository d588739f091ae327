"""One CDXJ index per closed WARC file: ``DIR/indexes/{WARC name}.cdxj``.

Written by :class:`CdxjIndexer` when a file is closed (rotation or end of run) from the
lines it built while the file's records were written (:func:`cdxj_line`, given each
:class:`~newsarchive.warc.writer.WrittenRecord` by :class:`~newsarchive.warc.files.WarcFiles`):
the file is not read back. The lines are the ones ``cdxj-indexer`` writes for the file
(same fields, URL keys, order; a test compares them on every crawl it runs). A file whose
lines passed :data:`LINES_MEMORY` characters, or that a line could not be built for, is
indexed by reading it back with ``cdxj-indexer``, as are, at the start of a run,
closed files that have no index yet (files a killed run left, once repaired). Per-file
indexes never need rewriting, so a long-lived archive is indexed once; pywb reads a
folder of ``.cdxj`` files as one index, and ``cat indexes/*.cdxj | sort`` gives one sorted
index. Every index is written atomically.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Self

from cdxj_indexer.main import CDXJIndexer
from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParser
from warcio.timeutils import iso_date_to_timestamp
from warcio.warcwriter import WARCWriter

from newsarchive import names
from newsarchive import signals as na_signals
from newsarchive.atomicfile import write_text_atomically
from newsarchive.indexing import IndexingError, write_cdxj
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.files import WarcFiles
from newsarchive.warc.records import WrittenRecord, payload_digest

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = [
    "LINES_MEMORY",
    "CdxjIndexer",
    "cdxj_line",
    "index_missing",
    "index_path",
    "index_warc",
    "write_index_lines",
]

_STAT = "newsarchive/warc/"

LINES_MEMORY = 32 << 20
"""The most characters of CDXJ lines kept for one file being written (cdxj-indexer's
own sort buffer); a file past it is indexed by reading it back when closed."""

# What cdxj-indexer reads a record with (warcio's loader, HTTP heads not verified) and the
# records it indexes by default, so that a line built from a record being written is the
# line it would write for the record read back.
_HTTP_PARSER = StatusAndHeadersParser(ArcWarcRecordLoader.HTTP_TYPES, verify=False)
_URL_KEYS = CDXJIndexer(os.devnull, [])


@functools.lru_cache(maxsize=512)
def _url_key(url: str) -> str:
    """cdxj-indexer's key (the SURT) of ``url``; a page's response and its record's
    metadata record come one after the other, so half the keys are asked for twice."""
    key: str = _URL_KEYS.get_url_key(url)
    return key


def cdxj_line(record: WrittenRecord) -> str | None:
    """The CDXJ line ``cdxj-indexer`` writes for ``record`` (None: a record it leaves out).

    Its default fields, in its order: ``url``, ``mime`` (a revisit's ``warc/revisit``, a
    response's HTTP ``Content-Type``, another record's own), ``status``, ``digest`` (the
    payload digest; computed when a record that should have one has none), ``length``,
    ``offset`` and ``filename``; keyed by the SURT of the URL and the 14-digit
    ``WARC-Date``. For records as the crawl's writer writes them (one gzip member each,
    the target URI given, the HTTP head as captured); a file written otherwise is indexed
    by reading it back (:func:`index_warc`).
    """
    kind = record.record_type
    if kind not in CDXJIndexer.DEFAULT_RECORDS:
        return None
    if kind in ("resource", "metadata") and record.content_type == "application/warc-fields":
        return None
    url = record.target_uri
    if not url:
        return None
    head = record.http_head or b""
    http = None
    stream: io.BytesIO | None = None
    if (
        kind in ArcWarcRecordLoader.HTTP_RECORDS
        and (head or record.payload)
        and url.startswith(ArcWarcRecordLoader.HTTP_SCHEMES)
    ):
        # the reader parses the head from the block; a head that ends in its empty line
        # is all it reads, else it reads on into the payload
        whole = head.endswith((b"\r\n\r\n", b"\n\n"))
        stream = io.BytesIO(head if whole else head + record.payload)
        try:
            http = _HTTP_PARSER.parse(stream)
        except EOFError:
            if kind != "revisit":
                raise
            stream = None
        if whole and stream is not None:
            stream = io.BytesIO(record.payload)  # what follows the head
    index: dict[str, str] = {"url": url}
    if kind == "revisit":
        mime: str | None = "warc/revisit"
    elif kind == "response":
        mime = http.get_header("content-type") if http else None
    else:
        mime = record.content_type
    if mime and kind != "revisit":
        mime = CDXJIndexer.RE_SPACE.split(mime, 1)[0].strip()
    if mime is not None:
        index["mime"] = mime
    if kind in ("response", "revisit") and http:
        index["status"] = http.get_statuscode()
    digest = record.payload_digest
    if not digest and kind not in WARCWriter.NO_PAYLOAD_DIGEST_TYPES:
        # warcio computes it over what follows the head it parsed, if any
        digest = payload_digest(stream.read() if stream is not None else head + record.payload)
    if digest:
        index["digest"] = digest
    index["length"] = str(record.location.length)
    index["offset"] = str(record.location.offset)
    index["filename"] = record.location.file
    return f"{_url_key(url)} {iso_date_to_timestamp(record.warc_date)} {json.dumps(index)}\n"


def write_index_lines(lines: list[str], target: Path) -> None:
    """Write ``lines`` sorted, without repeats (as ``cdxj-indexer --sort``), atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(target, "".join(dict.fromkeys(sorted(lines))))


def index_path(warc: Path) -> Path:
    """Where the index of ``warc`` (a closed file in ``DIR/warc``) goes."""
    return names.index_path(warc.parent.parent, warc)


def index_warc(warc: Path) -> Path:
    """Write the CDXJ index of one closed WARC file; return its path.

    Raises :class:`~newsarchive.indexing.IndexingError` when it cannot be built.
    """
    target = index_path(warc)
    write_cdxj([warc], target)
    return target


def index_missing(warc_dir: Path) -> list[Path]:
    """Index every closed WARC file in ``warc_dir`` that has no index (or an older one).

    A file that cannot be indexed is logged and skipped; returns the indexes written.
    """
    written: list[Path] = []
    if not warc_dir.is_dir():
        return written
    for warc in sorted(warc_dir.iterdir()):
        if not (warc.is_file() and names.is_archive(warc, include_open=False)):
            continue
        target = index_path(warc)
        if target.exists() and target.stat().st_mtime >= warc.stat().st_mtime:
            continue
        try:
            written.append(index_warc(warc))
        except IndexingError as exc:
            logger.error("No CDXJ index for %s: %s", warc, exc)
    return written


class CdxjIndexer:
    """Index every WARC file the run closes (``NEWSARCHIVE_WARC_CDXJ``).

    The lines of a file are built as its records are written (it listens from
    ``spider_opened``, before the components that write records: its priority in
    ``EXTENSIONS`` is lower than theirs); when the file is closed they are written
    sorted (``newsarchive/warc/cdxj_files``). A file whose first records it missed, or
    whose lines could not be kept, is read back with ``cdxj-indexer``
    (``newsarchive/warc/cdxj_reread``): on a background thread when it was rotated
    mid-crawl (a 1 GB file takes many seconds, which would stall every download), at once
    when closed at the end of the run, after waiting for those, so the stats count every
    index. Failures count in ``newsarchive/warc/errors`` (the archive is sound without its
    index, and the next run writes the missing ones).
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[tuple[Path, Future[Path]]] = []
        self._lines: dict[str, list[str]] = {}
        """The lines so far of each file being written, by its final name."""
        self._sizes: dict[str, int] = {}
        self._reread: set[str] = set()
        """Files to read back when closed (lines past LINES_MEMORY, or a line failed)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled or not config.cdxj:
            raise NotConfigured("no CDXJ indexes (NEWSARCHIVE_WARC_ENABLED/_CDXJ)")
        indexer = cls(crawler)
        crawler.signals.connect(indexer.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(indexer.file_closed, signal=na_signals.warc_file_closed)
        return indexer

    def spider_opened(self, spider: Spider) -> None:
        self.stats.set_value(_STAT + "cdxj_files", 0)
        files = self.crawler.get_extension(WarcFiles)
        if files is not None:
            files.add_record_listener(self.record_written)

    def record_written(self, record: WrittenRecord) -> None:
        """Keep the CDXJ line of a record now in its file."""
        name = record.location.file
        if name in self._reread:
            return
        if name not in self._lines:
            if record.record_type != "warcinfo":
                # records of this file were written before this listener was added: its
                # lines would be incomplete
                self._read_back_later(name)
                return
            # a new file: another file still here was abandoned (its close failed; the
            # next start's repair closes and indexes it)
            self._lines.clear()
            self._sizes.clear()
            self._reread.clear()
            self._lines[name] = []
        try:
            line = cdxj_line(record)
        except Exception as exc:
            logger.debug("No CDXJ line for a record of %s (read back when closed): %s", name, exc)
            self._read_back_later(name)
            return
        if line is None:
            return
        size = self._sizes.get(name, 0) + len(line)
        if size > LINES_MEMORY:
            self._read_back_later(name)
            return
        self._sizes[name] = size
        self._lines[name].append(line)

    def _read_back_later(self, name: str) -> None:
        self._reread.add(name)
        self._lines.pop(name, None)
        self._sizes.pop(name, None)

    def file_closed(self, path: Path, final: bool) -> None:
        from newsarchive.crawling.limits import RunLimits

        lines = self._lines.pop(path.name, [])
        self._sizes.pop(path.name, None)
        read_back = path.name in self._reread
        self._reread.discard(path.name)
        limits = self.crawler.get_extension(RunLimits)
        if limits is not None and not limits.writable:
            return  # the folder cannot be written: the next run writes the missing index
        if not read_back:
            try:
                write_index_lines(lines, index_path(path))
            except Exception as exc:
                self._count(path, exc)
            else:
                self._count(path, None)
            if final:
                self._finish()
            return
        self.stats.inc_value(_STAT + "cdxj_reread")
        if final:
            self._finish()
            self._index_now(path)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="newsarchive-cdxj")
        self._pending.append((path, self._pool.submit(index_warc, path)))
        self._collect(wait=False)

    def _finish(self) -> None:
        """At the end of the run: wait for the files being read back."""
        self._collect(wait=True)
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _index_now(self, path: Path) -> None:
        try:
            index_warc(path)
        except Exception as exc:
            self._count(path, exc)
        else:
            self._count(path, None)

    def _collect(self, *, wait: bool) -> None:
        """Count the background indexes that are done (all of them with ``wait``)."""
        pending = []
        for path, future in self._pending:
            if wait or future.done():
                self._count(path, future.exception())
            else:
                pending.append((path, future))
        self._pending = pending

    def _count(self, path: Path, error: BaseException | None) -> None:
        if error is not None:
            self.stats.inc_value(_STAT + "errors")
            logger.error("Could not write the CDXJ index of %s: %s", path, error)
            return
        self.stats.inc_value(_STAT + "cdxj_files")
