"""Re-extraction: the article records of a crawl, from its archive files alone.

:func:`extract_warcs` gives, for archived responses, the records the live crawl wrote to
its JSON Lines (same fields, order and values, ``fetched_at`` and ``warc`` included):

* files are read with :mod:`newsarchive.warc.reader` (through warcio): ``.warc.gz``,
  ``.warc``, ``.arc``, ``.arc.gz``, WARC/1.0 and 1.1, ``.open`` files up to their last
  complete record; bodies are de-chunked and content-decoded (gzip, deflate, br, zstd);
* a file's site is its warcinfo ``isPartOf`` (the spider's name; the file name's prefix
  when the warcinfo has none), mapped to the spider class by Scrapy's spider loader with
  the project settings and the ``-s`` overrides, exactly as ``crawl`` finds spiders
  (``SPIDER_MODULES``); a file of a site no spider has (or of no site) is extracted
  with the generic spider's rules, and that is said once on stderr;
* the spider class decides which responses give a record with the same classmethod the
  live callbacks call (:meth:`~newsarchive.layouts.base.NewsSpider.yields_record`, on
  the URL, status, stored headers and decoded body), and extracts them
  (:meth:`~newsarchive.layouts.base.NewsSpider.extract_page`) with dates printed without
  a year resolved against the record's WARC-Date; for the generic spider, the pages the
  archived feeds and news sitemaps list count as ``listed``, as they did live;
* a ``revisit`` record (identical payload) is resolved to its original response among all
  the files given and extracted from the original's payload under the revisit's own URI
  and date; a revisit of a URI that already gave a record gives none;
* every record is normalised and validated as in the crawl's pipelines.

A file that cannot be read is reported (one line) and counted, and the other files are
still extracted. Problems are passed to ``on_problem`` one line each and counted in
:class:`ExtractStats`. :func:`run_extract` is the ``newsarchive extract`` command; its
exit status: 0 when records were written and nothing failed, 1 when records were written
but a file could not be read or a capture was left out, 4 when no record was written, 3
when the output cannot be written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from newsarchive.errors import StartError
from newsarchive.layouts.base import NewsSpider
from newsarchive.layouts.generic import GenericNewsSpider
from newsarchive.normalize import normalize_record
from newsarchive.projectsettings import base_settings
from newsarchive.records import build_record, capture_time, content_type_charset
from newsarchive.report import EXIT_ERRORS, EXIT_NOTHING, EXIT_OK
from newsarchive.schema import parse_utc_timestamp, validate_record
from newsarchive.state.model import RecordSeen, article_identity, next_version
from newsarchive.warc.reader import (
    Entry,
    PayloadReader,
    WarcFile,
    WarcReadError,
    expand_archive_paths,
    scan_archive,
)

__all__ = ["ExtractStats", "SpiderFinder", "extract_warcs", "run_extract"]

logger = logging.getLogger(__name__)

IDENTICAL_PAYLOAD = "identical-payload-digest"
"""The revisit profile whose original's payload is this capture's (WARC 1.0 and 1.1 URIs
both end with it)."""
MAX_BODY = 64 << 20
"""A decoded body larger than this (64 MiB) is not extracted (a decompression bomb)."""

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
    """Article responses that could not be extracted (undecodable, extractor error)."""
    bad_files: int = 0
    """Files that could not be read (missing, not an archive, cut short)."""
    generic_files: int = 0
    """Files of a site no spider has, extracted with the generic rules."""
    unchanged: int = 0
    """Captures of an article that said what its latest record says (no new version)."""

    @property
    def left_out(self) -> int:
        """Captures that should have given a record and did not."""
        return self.invalid + self.unresolved + self.failed


@dataclass
class SpiderFinder:
    """Spider classes by site name: Scrapy's spider loader on the project settings plus
    ``overrides`` (what ``crawl`` uses to find spiders)."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    _loader: Any = None

    def settings(self) -> Settings:
        settings = base_settings()
        settings.setdict(dict(self.overrides), priority="cmdline")
        return settings

    def find(self, site: str) -> type[NewsSpider] | None:
        """The :class:`NewsSpider` class named ``site``, or None."""
        if self._loader is None:
            self._loader = get_spider_loader(self.settings())
        try:
            cls = self._loader.load(site)
        except KeyError:
            return None
        return cls if isinstance(cls, type) and issubclass(cls, NewsSpider) else None


def extract_warcs(
    paths: Iterable[Path],
    *,
    on_problem: Problem | None = None,
    stats: ExtractStats | None = None,
    spiders: SpiderFinder | None = None,
) -> Iterator[dict[str, Any]]:
    """The article records held in the archive files ``paths``, in archive order.

    ``paths`` are files or folders (their archive files, sorted by name). Every file is
    scanned once before this returns (a file that cannot be read is reported, counted in
    ``stats.bad_files`` and left out); the records are then extracted as the iterator is
    consumed.
    """
    report = on_problem or logger.warning
    counts = stats if stats is not None else ExtractStats()
    files: list[WarcFile] = []
    for path in expand_archive_paths(paths):
        counts.files += 1
        try:
            scanned = scan_archive(path)
        except WarcReadError as exc:
            counts.bad_files += 1
            report(str(exc))
            continue
        if scanned.cut_short:
            report(f"{scanned.path}: read up to its last complete record ({scanned.cut_short})")
        files.append(scanned)
    return _Extraction(files, report, counts, spiders or SpiderFinder()).records()


class _Extraction:
    """Pass two: the records, with revisits resolved through the index of pass one."""

    def __init__(
        self, files: list[WarcFile], report: Problem, stats: ExtractStats, spiders: SpiderFinder
    ) -> None:
        self.files = files
        self.report = report
        self.stats = stats
        self.spiders = spiders
        self.by_id: dict[str, Entry] = {}
        self.by_capture: dict[tuple[str, Any], Entry] = {}
        for scanned in files:
            for entry in scanned.entries:
                if entry.record_type == "response":
                    self.by_id.setdefault(entry.record_id, entry)
                    self.by_capture.setdefault((entry.uri, _instant(entry.date)), entry)
        self.produced: set[str] = set()
        self.latest: dict[tuple[Any, str], RecordSeen] = {}
        self.listed: set[str] | None = None
        self.reader = PayloadReader(max_size=MAX_BODY)

    def records(self) -> Iterator[dict[str, Any]]:
        with self.reader:
            for scanned in self.files:
                if not scanned.entries:
                    continue
                site, spider = self._spider(scanned)
                for entry in scanned.entries:
                    record = self._record(site, spider, entry)
                    if record is not None and self._versioned(record):
                        self.produced.add(entry.uri)
                        self.stats.records += 1
                        yield record

    def _versioned(self, record: dict[str, Any]) -> bool:
        """Set ``version``/``previous`` as the crawl did; False for a capture whose article
        says what its latest record says (the crawl stored no record for it)."""
        key = (record.get("site"), article_identity(record))
        decided = next_version(record, self.latest.get(key))
        if decided is None:
            self.stats.unchanged += 1
            return False
        record["version"], record["previous"] = decided
        self.latest[key] = RecordSeen.of(record, "", 0)
        return True

    def _spider(self, scanned: WarcFile) -> tuple[str, type[NewsSpider]]:
        if scanned.site is not None:
            spider = self.spiders.find(scanned.site)
            if spider is not None:
                return spider.name, spider
        generic = self.spiders.find("generic") or GenericNewsSpider
        site = scanned.site or generic.name or "generic"
        what = f"site {scanned.site!r} has no spider" if scanned.site else "no site named"
        self.report(f"{scanned.path}: {what}: extracted with the generic rules")
        self.stats.generic_files += 1
        return site, generic

    def _listed(self, spider: type[NewsSpider]) -> set[str]:
        """Every page the archived feeds and news sitemaps list (read once)."""
        if self.listed is None:
            self.listed = set()
            for scanned in self.files:
                for entry in scanned.entries:
                    if entry.record_type != "response" or entry.status != 200:
                        continue
                    if "html" in (entry.content_type or "").lower():
                        continue
                    try:
                        body = self.reader.body(entry)
                    except Exception:  # noqa: S112 - not a feed then
                        continue
                    self.listed.update(spider.listed_urls(entry.uri, body))
        return self.listed

    def _record(self, site: str, spider: type[NewsSpider], entry: Entry) -> dict[str, Any] | None:
        """The record of one capture, or ``None`` (with the reason reported when it is a
        failure)."""
        if not spider.may_yield_record(entry.uri):
            return None
        source = entry
        if entry.record_type == "revisit":
            if entry.uri in self.produced or entry.status not in (None, 200):
                return None
            original = self._original(entry)
            if original is None:
                return None
            source = original
        status = entry.status if entry.status is not None else source.status
        if status is None or not 200 <= status < 300:
            return None
        where = f"{entry.file}@{entry.offset} {entry.uri}"
        try:
            body = self.reader.body(source)
        except Exception as exc:  # an undecodable body is this capture's problem only
            return self._fail(f"{where}: cannot read the body: {type(exc).__name__}: {exc}")
        headers = list(entry.http_headers or source.http_headers)
        listed = spider.lists_articles and entry.uri in self._listed(spider)
        if not spider.yields_record(entry.uri, status, headers, body, listed=listed):
            return None
        content_type = entry.content_type or source.content_type
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
            site, fields, url=entry.uri, fetched_at=entry.date, warc=entry.location
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

    def _fail(self, message: str) -> dict[str, Any] | None:
        """Count and report a capture that should have given a record; None."""
        self.stats.failed += 1
        self.report(message)
        return None


def _instant(warc_date: str) -> Any:
    """A WARC-Date as a comparable instant (the string itself when it does not parse)."""
    return parse_utc_timestamp(warc_date) or warc_date


# --- the command ----------------------------------------------------------------------


def run_extract(
    warcs: Iterable[Path], output: Path | None = None, settings: Mapping[str, Any] | None = None
) -> int:
    """``newsarchive extract ARCHIVE... [-o FILE] [-s NAME=VALUE]``: records to ``output``
    (JSON Lines, replaced) or stdout; problems on stderr, one line each. Returns the exit
    status (see the module docstring); raises :class:`~newsarchive.errors.StartError`
    (exit 3) when the output cannot be written."""
    from newsarchive.jsonl import JsonlWriter

    stats = ExtractStats()
    finder = SpiderFinder(settings or {})
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(b"")
            writer = JsonlWriter(output)
        except OSError as exc:
            raise StartError(f"cannot write {output}: {exc.strerror or exc}") from exc
    records = extract_warcs(warcs, on_problem=_stderr, stats=stats, spiders=finder)
    if output is None:
        try:
            for record in records:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `newsarchive extract ... | head`: the reader has enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
    else:
        with writer:
            for record in records:
                writer.write(record)
        print(f"extracted {_summary(stats)} into {output}")
    if stats.records == 0:
        _stderr(f"no article record in {stats.files} archive file(s)")
        return EXIT_NOTHING
    if stats.bad_files or stats.left_out:
        _stderr(f"{_summary(stats)}: some files or captures failed (see above)")
        return EXIT_ERRORS
    return EXIT_OK


def _summary(stats: ExtractStats) -> str:
    text = f"{stats.records} records from {stats.files} archive files"
    if stats.bad_files:
        text += f", {stats.bad_files} unreadable"
    return text + (f" ({stats.left_out} left out, see above)" if stats.left_out else "")


def _stderr(message: str) -> None:
    print(f"newsarchive: {message}", file=sys.stderr)
