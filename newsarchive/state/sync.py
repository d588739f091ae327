"""Bring ``state.sqlite`` in line with the files: the files are the truth.

A killed run may have written records the database never heard of (killed between the
write and the commit), a repair may have cut a file back, and a user may have deleted
files. :func:`sync_state` compares every closed WARC file and every JSONL file with the
size the database has indexed, reads what is missing, and forgets what is gone:

* a file the database indexes at its current size is skipped (the common case: cheap);
* a file that grew is read from the indexed size on (record boundaries are kept);
* a file that shrank, or is unknown, is (re)read from the start;
* a file the database knows that is no longer there is forgotten with all it held.

JSONL files are read before WARC files, so a ``metadata`` record found in a WARC can be
matched with the stored record it carries.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from newsarchive.names import JSONL_DIR, JSONL_SUFFIX, WARC_DIR, is_archive
from newsarchive.state.db import ArchiveState, Capture, RecordSeen, record_content_hash
from newsarchive.warc.reader import ArchiveRecord, is_part_of, iter_records

logger = logging.getLogger(__name__)

__all__ = ["SyncReport", "is_record_metadata", "sync_state"]

#: ``WARC-Target-URI`` prefix of the metadata records carrying article records.
RECORD_METADATA_PREFIX = "metadata://newsarchive/record/"


@dataclass
class SyncReport:
    """What :func:`sync_state` read and forgot."""

    warc_files: int = 0
    jsonl_files: int = 0
    forgotten: int = 0
    captures: int = 0
    records: int = 0


def is_record_metadata(uri: str | None) -> bool:
    """True for the target URI of a metadata record that carries an article record."""
    return uri is not None and uri.startswith(RECORD_METADATA_PREFIX)


def sync_state(state: ArchiveState, out: Path) -> SyncReport:
    """Index into ``state`` whatever the files in ``out`` hold that it lacks (see module)."""
    out = Path(out)
    report = SyncReport()
    jsonl_dir, warc_dir = out / JSONL_DIR, out / WARC_DIR
    jsonl_files = sorted(jsonl_dir.glob("*" + JSONL_SUFFIX)) if jsonl_dir.is_dir() else []
    warc_files = (
        sorted(p for p in warc_dir.iterdir() if p.is_file() and is_archive(p, include_open=False))
        if warc_dir.is_dir()
        else []
    )
    # files another site's run writes now: known to the database under their final name
    being_written = {p.name.removesuffix(".open") for p in warc_dir.glob("*.open")}
    for kind, present in (("jsonl", jsonl_files), ("warc", warc_files)):
        names = {p.name for p in present} | (being_written if kind == "warc" else set())
        for name in state.known_files(kind):
            if name not in names:
                state.forget_file(name)
                report.forgotten += 1
    for path in jsonl_files:
        if _sync_file(state, path, "jsonl", report):
            report.jsonl_files += 1
    for path in warc_files:
        if _sync_file(state, path, "warc", report):
            report.warc_files += 1
    if report.jsonl_files or report.warc_files or report.forgotten:
        logger.info(
            "State of %s brought in line with the files: %d WARC and %d JSONL files read "
            "(%d captures, %d records), %d files forgotten",
            out,
            report.warc_files,
            report.jsonl_files,
            report.captures,
            report.records,
            report.forgotten,
        )
    return report


def _sync_file(state: ArchiveState, path: Path, kind: str, report: SyncReport) -> bool:
    """Index what ``path`` holds past the indexed size; True when anything was read."""
    size = path.stat().st_size
    indexed = state.file_size(path.name)
    if indexed == size:
        return False
    info = state.file_info(path.name)
    if indexed is not None and indexed > size:
        state.forget_file(path.name)
        indexed = None
    start = indexed or 0
    with state.transaction():
        if kind == "jsonl":
            end = _index_jsonl(state, path, start, report)
            state.set_file(path.name, "jsonl", end)
        else:
            site, run_id = info if info else (None, None)
            end, site = _index_warc(state, path, start, site, run_id, report)
            state.set_file(path.name, "warc", end, site=site, run_id=run_id)
    return True


def _index_jsonl(state: ArchiveState, path: Path, start: int, report: SyncReport) -> int:
    """Index the complete lines of ``path`` from byte ``start``; return the end indexed."""
    offset = start
    with path.open("rb") as fh:
        fh.seek(start)
        for line in fh:
            if not line.endswith(b"\n"):
                break  # a line still being written: not ours to index yet
            try:
                record = json.loads(line)
            except ValueError:
                logger.warning("%s@%d: not a JSON line; not indexed", path, offset)
                record = None
            if isinstance(record, dict) and isinstance(record.get("url"), str):
                state.add_record(RecordSeen.of(record, path.name, offset))
                report.records += 1
            offset += len(line)
    return offset


def _index_warc(
    state: ArchiveState,
    path: Path,
    start: int,
    site: str | None,
    run_id: str | None,
    report: SyncReport,
) -> tuple[int, str | None]:
    """Index the records of ``path`` from byte ``start``; return (end indexed, site)."""
    end = start
    try:
        for record, block in iter_records(path, start=start, payloads=("warcinfo", "metadata")):
            kind = record.rec_type
            if kind == "warcinfo" and site is None:
                site = is_part_of(block or b"")
            elif kind in ("response", "revisit"):
                state.add_capture(_capture(record, path.name, site, run_id))
                report.captures += 1
            elif kind == "metadata" and is_record_metadata(record.target_uri):
                _note_metadata(state, block or b"", record.get("WARC-Record-ID") or "")
            end = record.offset + record.length
    except Exception as exc:  # a damaged closed file: index what could be read
        logger.warning("%s: cannot read past byte %d (%s); indexed up to there", path, end, exc)
    return end, site


def _capture(record: ArchiveRecord, file: str, site: str | None, run_id: str | None) -> Capture:
    return Capture(
        record_id=record.get("WARC-Record-ID") or "",
        record_type=record.rec_type,
        uri=record.target_uri,
        status=record.status,
        date=record.get("WARC-Date") or "",
        file=file,
        offset=record.offset,
        length=record.length,
        payload_digest=record.get("WARC-Payload-Digest"),
        refers_to=record.get("WARC-Refers-To"),
        truncated=bool(record.get("WARC-Truncated")),
        site=site,
        run_id=run_id,
        etag=_http_header(record, "etag"),
        last_modified=_http_header(record, "last-modified"),
        redirect_to=_location(record),
    )


def _location(record: ArchiveRecord) -> str | None:
    """A redirect's target, absolute."""
    if record.status is None or not 300 <= record.status < 400:
        return None
    target = _http_header(record, "location")
    return urljoin(record.target_uri, target) if target else None


def _http_header(record: ArchiveRecord, name: str) -> str | None:
    """A header of the record's stored HTTP head (case-insensitive), or None."""
    for key, value in record.http_headers or ():
        if key.lower() == name:
            return value.strip() or None
    return None


def _note_metadata(state: ArchiveState, block: bytes, record_id: str) -> None:
    try:
        record = json.loads(block)
    except ValueError:
        return
    if isinstance(record, dict) and isinstance(record.get("url"), str):
        state.set_metadata_record(record["url"], record_content_hash(record), record_id)
