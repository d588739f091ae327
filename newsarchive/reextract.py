"""Re-extraction: the article records of a crawl, from its WARC files alone.

:func:`extract_warcs` gives, for archived responses, the records the live crawl wrote to
its JSON Lines (same fields, order and values, ``fetched_at`` and ``warc`` included):

* a file's site is its warcinfo ``isPartOf`` (the spider's name; the file name's prefix
  when the warcinfo has none), mapped to the spider class by Scrapy's spider loader with
  the project settings; the class says which URLs are articles
  (:meth:`~newsarchive.layouts.base.NewsSpider.is_article_url`) and extracts them
  (:meth:`~newsarchive.layouts.base.NewsSpider.extract_page`);
* ``response`` records with status 200 at an article URL are extracted from their entity
  body, with dates printed without a year resolved against the record's WARC-Date;
* a ``revisit`` record (identical payload) is resolved to its original response among all
  the files given and extracted from the original's payload under the revisit's own URI
  and date; a revisit of a URI that already gave a record gives none (the live crawl adds
  no record for an unchanged article recrawled);
* every record is normalised and validated as in the crawl's pipelines; an invalid one is
  left out and reported.

Problems (invalid records, revisits whose original is missing, pages that cannot be
extracted, unknown sites) are passed to ``on_problem`` one line each and counted in
:class:`ExtractStats`. :func:`run_extract` is the ``newsarchive extract`` command.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.spiderloader import get_spider_loader

from newsarchive.errors import StartError
from newsarchive.layouts.base import NewsSpider
from newsarchive.normalize import normalize_record
from newsarchive.projectsettings import base_settings
from newsarchive.records import build_record, capture_time, content_type_charset
from newsarchive.report import EXIT_NOTHING, EXIT_OK
from newsarchive.schema import parse_utc_timestamp, validate_record
from newsarchive.warcscan import (
    Entry,
    PayloadReader,
    WarcFile,
    expand_warc_paths,
    scan_warc,
)

__all__ = ["ExtractStats", "extract_warcs", "run_extract", "spider_class"]

logger = logging.getLogger(__name__)

IDENTICAL_PAYLOAD = "identical-payload-digest"
"""The revisit profile whose original's payload is this capture's (WARC 1.0 and 1.1 URIs
both end with it)."""

Problem = Callable[[str], None]


@dataclass
class ExtractStats:
    """What a re-extraction did."""

    files: int = 0
    records: int = 0
    """Records yielded."""
    invalid: int = 0
    """Records left out because they do not meet the contract."""
    unresolved: int = 0
    """Revisits whose original response is in none of the files."""
    failed: int = 0
    """Article responses that could not be extracted (not text, undecodable, extractor
    error)."""
    skipped_files: int = 0
    """Files of an unknown site, or of no site at all."""


@cache
def _spider_loader() -> Any:
    return get_spider_loader(base_settings())


def spider_class(site: str) -> type[NewsSpider] | None:
    """The spider class named ``site`` in the project's ``SPIDER_MODULES``, when it is a
    :class:`NewsSpider`; else ``None``."""
    try:
        cls = _spider_loader().load(site)
    except KeyError:
        return None
    return cls if isinstance(cls, type) and issubclass(cls, NewsSpider) else None


def extract_warcs(
    paths: Iterable[Path],
    *,
    on_problem: Problem | None = None,
    stats: ExtractStats | None = None,
) -> Iterator[dict[str, Any]]:
    """The article records held in the WARC files ``paths``, in archive order.

    ``paths`` are files (``.warc.gz``, ``.warc``, ``.open``) or folders (their WARC files,
    sorted by name). Every file is read once before this returns, so a file that cannot be
    read raises :class:`~newsarchive.warcscan.WarcReadError` here, before any record; the
    records are then extracted as the iterator is consumed. ``stats`` (if given) is
    updated as it goes.
    """
    report = on_problem or logger.warning
    counts = stats if stats is not None else ExtractStats()
    files = [scan_warc(path) for path in expand_warc_paths(paths)]
    counts.files = len(files)
    for scanned in files:
        if scanned.cut_short:
            report(f"{scanned.path}: read up to its last complete record ({scanned.cut_short})")
    return _Extraction(files, report, counts).records()


class _Extraction:
    """Pass two: the records, with revisits resolved through the index of pass one."""

    def __init__(self, files: list[WarcFile], report: Problem, stats: ExtractStats) -> None:
        self.files = files
        self.report = report
        self.stats = stats
        self.by_id: dict[str, Entry] = {}
        self.by_capture: dict[tuple[str, Any], Entry] = {}
        for scanned in files:
            for entry in scanned.entries:
                if entry.record_type == "response":
                    self.by_id.setdefault(entry.record_id, entry)
                    self.by_capture.setdefault((entry.uri, _instant(entry.date)), entry)
        self.produced: set[str] = set()

    def records(self) -> Iterator[dict[str, Any]]:
        with PayloadReader() as reader:
            for scanned in self.files:
                spider = self._spider(scanned) if scanned.entries else None
                if spider is None:
                    continue
                for entry in scanned.entries:
                    if not spider.is_article_url(entry.uri):
                        continue
                    record = self._record(spider, entry, reader)
                    if record is not None:
                        self.produced.add(entry.uri)
                        self.stats.records += 1
                        yield record

    def _spider(self, scanned: WarcFile) -> type[NewsSpider] | None:
        if scanned.site is None:
            self.report(f"{scanned.path}: no site (no warcinfo isPartOf): skipped")
        else:
            spider = spider_class(scanned.site)
            if spider is not None:
                return spider
            self.report(f"{scanned.path}: unknown site {scanned.site!r}: skipped")
        self.stats.skipped_files += 1
        return None

    def _record(
        self, spider: type[NewsSpider], entry: Entry, reader: PayloadReader
    ) -> dict[str, Any] | None:
        """The record of one article capture, or ``None`` (with the reason reported)."""
        source = entry
        if entry.record_type == "revisit":
            if entry.uri in self.produced or entry.status not in (None, 200):
                return None
            original = self._original(entry)
            if original is None:
                return None
            source = original
        if (entry.status if entry.status is not None else source.status) != 200:
            return None
        where = f"{entry.file}@{entry.offset} {entry.uri}"
        try:
            body = reader.body(source)
        except Exception as exc:  # an undecodable body is this record's problem only
            return self._fail(f"{where}: cannot read the body: {type(exc).__name__}: {exc}")
        content_type = entry.content_type or source.content_type
        if not _is_text(content_type, entry.uri, body):
            return self._fail(f"{where}: not a text page, no record")
        try:
            fields = spider.extract_page(
                body,
                entry.uri,
                encoding=content_type_charset(content_type),
                captured_at=capture_time(entry.date),
            )
        except Exception as exc:  # a broken page must not stop the others
            return self._fail(f"{where}: extraction failed: {type(exc).__name__}: {exc}")
        record = build_record(
            spider.name, fields, url=entry.uri, fetched_at=entry.date, warc=entry.location
        )
        normalize_record(record)
        problems = validate_record(record)
        if problems:
            self.stats.invalid += 1
            self.report(f"{where}: invalid record: " + "; ".join(map(str, problems)))
            return None
        return record

    def _original(self, revisit: Entry) -> Entry | None:
        """The response a revisit refers to, or ``None`` (reported)."""
        where = f"{revisit.file}@{revisit.offset} {revisit.uri}"
        if IDENTICAL_PAYLOAD not in (revisit.profile or ""):
            self.report(f"{where}: revisit profile {revisit.profile!r} not supported: skipped")
            return None
        original = self.by_id.get(revisit.refers_to or "")
        if original is None and revisit.refers_to_uri and revisit.refers_to_date:
            key = (revisit.refers_to_uri, _instant(revisit.refers_to_date))
            original = self.by_capture.get(key)
        if original is None:
            self.stats.unresolved += 1
            target = revisit.refers_to or f"{revisit.refers_to_uri} at {revisit.refers_to_date}"
            self.report(f"{where}: revisit's original ({target}) is in none of the files")
        return original

    def _fail(self, message: str) -> None:
        self.stats.failed += 1
        self.report(message)
        return None


def _instant(warc_date: str) -> Any:
    """A WARC-Date as a comparable instant (the string itself when it does not parse)."""
    return parse_utc_timestamp(warc_date) or warc_date


def _is_text(content_type: str | None, url: str, body: bytes) -> bool:
    """Whether Scrapy would give the spider a text response for this capture (the live
    crawl extracts only those)."""
    headers = Headers({"Content-Type": content_type} if content_type else {})
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return issubclass(cls, TextResponse)


# --- the command ----------------------------------------------------------------------


def run_extract(warcs: Iterable[Path], output: Path | None = None) -> int:
    """``newsarchive extract WARC... [-o FILE]``: records to ``output`` (JSON Lines,
    replaced) or stdout; problems on stderr, one line each. Returns the exit status: 0
    when at least one record was written, 4 when none; raises
    :class:`~newsarchive.errors.StartError` (exit 3) when a file cannot be read or the
    output cannot be written."""
    from newsarchive.jsonl import JsonlWriter

    stats = ExtractStats()
    records = extract_warcs(warcs, on_problem=_stderr, stats=stats)
    if output is None:
        try:
            for record in records:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `newsarchive extract ... | head`: the reader has enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(b"")
            writer = JsonlWriter(output)
        except OSError as exc:
            raise StartError(f"cannot write {output}: {exc.strerror or exc}") from exc
        with writer:
            for record in records:
                writer.write(record)
        print(f"extracted {_summary(stats)} into {output}")
    if stats.records == 0:
        _stderr(f"no article record in {stats.files} WARC file(s)")
        return EXIT_NOTHING
    return EXIT_OK


def _summary(stats: ExtractStats) -> str:
    text = f"{stats.records} records from {stats.files} WARC files"
    left_out = stats.invalid + stats.unresolved + stats.failed
    return text + (f" ({left_out} left out, see above)" if left_out else "")


def _stderr(message: str) -> None:
    print(f"newsarchive: {message}", file=sys.stderr)
