"""Checks on WARC files: each record on its own (headers, digests, HTTP) and each file."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from newsarchive.http.codings import register_with_warcio
from newsarchive.schema import parse_utc_timestamp
from newsarchive.validation.digests import check_payload_digest, compare, digest_of
from newsarchive.validation.httpcheck import PayloadCheck, head_end, head_problems, split_http
from newsarchive.validation.index import ArchiveIndex, RecordInfo
from newsarchive.warc.reader import Event, StrictRecord, iter_records, iter_strict, strip_brackets

#: emit(offset, code, message) reports one problem in the file being checked.
Emit = Callable[[int, str, str], None]

_WARC_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$", re.ASCII)
_RECORD_ID_RE = re.compile(r"^<[^<>\s:]+:[^<>\s]+>$")
_MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
# WARC/1.1 fields that may appear once (WARC-Concurrent-To is the one repeatable field).
_SINGLE_VALUED = (
    "WARC-Record-ID",
    "WARC-Date",
    "WARC-Type",
    "WARC-Target-URI",
    "Content-Type",
    "WARC-Block-Digest",
    "WARC-Payload-Digest",
    "WARC-IP-Address",
    "WARC-Refers-To",
    "WARC-Refers-To-Target-URI",
    "WARC-Refers-To-Date",
    "WARC-Truncated",
    "WARC-Warcinfo-ID",
    "WARC-Filename",
    "WARC-Profile",
    "WARC-Identified-Payload-Type",
    "WARC-Segment-Number",
)
_MAX_HTTP_HEAD = 1 << 20
_NEEDS_TARGET = ("response", "resource", "request", "revisit", "conversion", "continuation")
_HTTP_RECORDS = ("response", "request", "revisit")
STRUCTURAL_CODES = frozenset(
    {
        "warc-empty",
        "gzip-corrupt",
        "gzip-truncated",
        "gzip-trailing-garbage",
        "warc-truncated",
        "warc-not-a-record",
        "warc-bad-record-end",
        "warc-missing-header",
        "warc-bad-header",
        "warc-gzip-layout",
    }
)


# -- one record ----------------------------------------------------------------------------


def check_record(record: StrictRecord, path: str, emit: Emit) -> RecordInfo | None:
    """Check one record on its own (headers, digests, HTTP), reading its block in pieces,
    and describe it for later; None when the block was cut short (the reader reports
    that, and nothing else is said of the record)."""
    found: list[tuple[int, str, str]] = []

    def note(offset: int, code: str, message: str) -> None:
        found.append((offset, code, message))

    info = _check_head(record, path, note)
    _check_block(record, info, note)
    if not record.complete:
        return None
    for code, message in record.problems:
        note(record.offset, code, message)
    found.sort(key=lambda item: _ORDER.get(item[1], 0))
    for item in found:
        emit(*item)
    return info


_ORDER = {"warc-bad-record-end": -1, "warc-bad-header": -1}


def _check_head(record: StrictRecord, path: str, emit: Emit) -> RecordInfo:
    offset = record.offset
    if record.version not in ("1.0", "1.1"):
        emit(offset, "warc-bad-header", f"unknown WARC version {record.version}")
    rec_type = record.get("WARC-Type")
    for name in _MANDATORY:
        if record.get(name) is None:
            emit(offset, "warc-missing-header", f"{name} is missing")
    if rec_type in _NEEDS_TARGET and not record.get("WARC-Target-URI"):
        emit(offset, "warc-missing-header", f"WARC-Target-URI is missing in a {rec_type} record")
    if rec_type == "revisit" and not record.get("WARC-Profile"):
        emit(offset, "warc-missing-header", "WARC-Profile is missing in a revisit record")
    for name in _SINGLE_VALUED:
        if len(record.get_all(name)) > 1:
            emit(offset, "warc-bad-header", f"{name} appears more than once")
    record_id = record.get("WARC-Record-ID")
    if record_id is not None and not _RECORD_ID_RE.match(record_id):
        emit(offset, "warc-bad-header", f"WARC-Record-ID {record_id!r} is not <scheme:id>")
    date = _warc_date(record.get("WARC-Date"), "WARC-Date", offset, emit)
    truncated = record.get("WARC-Truncated")
    if truncated is not None:
        emit(offset, "warc-truncated-record", f"WARC-Truncated: {truncated}: the payload is cut")
    return RecordInfo(
        path=path,
        offset=offset,
        type=rec_type,
        record_id=record_id,
        date=date,
        target_uri=strip_brackets(record.get("WARC-Target-URI") or "") or None,
        concurrent_to=record.get_all("WARC-Concurrent-To"),
        refers_to=record.get("WARC-Refers-To"),
        refers_to_uri=strip_brackets(record.get("WARC-Refers-To-Target-URI") or "") or None,
        refers_to_date=_warc_date(
            record.get("WARC-Refers-To-Date"), "WARC-Refers-To-Date", offset, emit
        ),
        profile=record.get("WARC-Profile"),
        payload_digest=record.get("WARC-Payload-Digest"),
        warcinfo_id=record.get("WARC-Warcinfo-ID"),
    )


def _check_block(record: StrictRecord, info: RecordInfo, emit: Emit) -> None:
    """Read the block once: its digest, the HTTP head, the payload and its digests."""
    offset = record.offset
    block_digest = digest_of(record.get("WARC-Block-Digest"), "WARC-Block-Digest", offset, emit)
    payload_digest = None
    if info.type != "revisit":
        payload_digest = digest_of(info.payload_digest, "WARC-Payload-Digest", offset, emit)
    block_hash = hashlib.new(block_digest[0]) if block_digest else None
    target = info.target_uri or ""
    is_http = (
        info.type in _HTTP_RECORDS
        and target.lower().startswith(("http:", "https:"))
        and record.content_length > 0
    )
    if record.content_length == 0 and info.type in ("response", "request") and target:
        emit(offset, "http-bad-head", f"the {info.type} record's block is empty")
    algo = payload_digest[0] if payload_digest else None
    head = bytearray()
    check: PayloadCheck | None = None
    plain = None if is_http or algo is None else hashlib.new(algo)
    for piece in record.chunks():
        if block_hash is not None:
            block_hash.update(piece)
        if plain is not None:
            plain.update(piece)
        if not is_http:
            continue
        if check is None:
            head += piece
            end = head_end(head)
            if end < 0:
                if len(head) > _MAX_HTTP_HEAD:
                    is_http = False  # reported below as a head without its blank line
                continue
            msg = split_http(bytes(head[:end]))
            check = PayloadCheck(msg, algo, truncated=record.get("WARC-Truncated") is not None)
            rest = bytes(head[end:])
            head.clear()
            if rest:
                check.feed(rest)
        else:
            check.feed(piece)
    if not record.complete:
        return
    if block_digest and block_hash is not None:
        compare(
            block_digest,
            block_hash.digest(),
            record.get("WARC-Block-Digest"),
            "block",
            offset,
            emit,
        )
    if (
        info.type in _HTTP_RECORDS
        and target.lower().startswith(("http:", "https:"))
        and record.content_length
    ):
        _check_http(info, check, bytes(head), emit)
        if check is not None and payload_digest is not None:
            check_payload_digest(info, check, payload_digest, offset, emit)
    elif payload_digest is not None and plain is not None:
        compare(payload_digest, plain.digest(), info.payload_digest, "payload", offset, emit)
        info.payload_digests.add((payload_digest[0], plain.digest()))


def _check_http(info: RecordInfo, check: PayloadCheck | None, head: bytes, emit: Emit) -> None:
    offset = info.offset
    msg = check.msg if check is not None else split_http(head)
    for code, message in head_problems(msg, is_request=info.type == "request"):
        if not msg.head_complete and code == "http-bad-head" and info.type != "response":
            # a request or revisit block that ends with the head's last header line:
            # nothing follows it, readers parse it all the same
            code, message = "http-head-unterminated", message + " (the block ends there)"
        emit(offset, code, message)
    if check is None:
        return
    if info.type == "response":
        info.status = msg.status
        location = msg.get("Location")
        if location and info.target_uri:
            info.location = urljoin(info.target_uri, location)
        for code, message in check.finish():
            if code == "http-content-length" and not check.size:
                info.unless_head.append((code, message))
            else:
                emit(offset, code, message)
    elif info.type == "request":
        info.method = msg.method


def _warc_date(value: str | None, name: str, offset: int, emit: Emit) -> datetime | None:
    if value is None:
        return None
    if not _WARC_DATE_RE.match(value):
        emit(offset, "warc-bad-header", f"{name} {value!r} is not YYYY-MM-DDThh:mm:ss[.f]Z")
        return None
    parsed = parse_utc_timestamp(value)
    if parsed is None:
        emit(offset, "warc-bad-header", f"{name} {value!r} is not a real date")
    return parsed


# -- one file ------------------------------------------------------------------------------


def check_warc_file(path: Path, shown: str, index: ArchiveIndex, emit: Emit) -> int:
    """Check every record of one WARC file and the file as a whole; return the record count."""
    index.add_file(path)
    if path.name.endswith(".open"):
        emit(0, "warc-unclosed", "the file still ends in .open: its writer never closed it")
    structural = False
    infos: list[RecordInfo] = []

    def emit_record(offset: int, code: str, message: str) -> None:
        nonlocal structural
        structural = structural or code in STRUCTURAL_CODES
        emit(offset, code, message)

    gzipped_name = path.name.endswith((".gz", ".gz.open"))
    for event in _events(path):
        if event.problem is not None:
            emit_record(event.offset, *event.problem)
        if event.record is not None:
            info = check_record(event.record, shown, emit_record)
            if info is not None:
                infos.append(info)
                index.add(info)
    if infos:
        _check_compression_name(path, gzipped_name, emit)
    _check_warcinfo(infos, emit)
    if not structural and infos:
        _check_with_warcio(path, emit)
    return len(infos)


def load_warc_file(path: Path, shown: str, index: ArchiveIndex) -> None:
    """Read a WARC file into ``index`` without reporting its problems (for JSONL checks)."""
    index.add_file(path)
    for event in _events(path):
        if event.record is not None:
            info = check_record(event.record, shown, lambda *_: None)
            if info is not None:
                index.add(info)


def _events(path: Path) -> Iterator[Event]:
    if path.stat().st_size == 0:
        yield Event(0, problem=("warc-empty", "the file is empty"))
        return
    with path.open("rb") as fh:
        yield from iter_strict(fh)


def check_arc_file(path: Path, shown: str, index: ArchiveIndex, emit: Emit) -> int:
    """An ARC file: read through warcio (what pywb and wacz do); no strict checks."""
    index.add_file(path)
    emit(0, "arc-file", "an ARC file: checked only by reading it with warcio")
    count = 0
    try:
        for record, _ in iter_records(path):
            count += 1
            index.add(
                RecordInfo(
                    path=shown,
                    offset=record.offset,
                    type=record.rec_type,
                    record_id=record.get("WARC-Record-ID"),
                    date=parse_utc_timestamp(record.get("WARC-Date") or ""),
                    target_uri=record.target_uri or None,
                    status=record.status,
                    arc=True,
                )
            )
    except Exception as exc:  # warcio raises many kinds; each is a finding here
        emit(0, "warc-warcio-error", f"warcio cannot read the file: {_one_line(exc)}")
    return count


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_compression_name(path: Path, gzipped_name: bool, emit: Emit) -> None:
    with path.open("rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    if gzipped != gzipped_name:
        actual = "gzip-compressed" if gzipped else "not compressed"
        emit(0, "warc-compression", f"the file name says otherwise but the file is {actual}")


def _check_warcinfo(infos: list[RecordInfo], emit: Emit) -> None:
    if not infos:
        return
    first = infos[0]
    if first.type != "warcinfo":
        emit(first.offset, "warc-no-warcinfo", f"the first record is a {first.type}, not warcinfo")
        return
    warcinfo_id = first.record_id
    missing: list[RecordInfo] = []
    for info in infos[1:]:
        if info.type == "warcinfo":
            continue
        if info.warcinfo_id is None:
            missing.append(info)
        elif info.warcinfo_id != warcinfo_id:
            emit(
                info.offset,
                "warc-warcinfo-id",
                f"WARC-Warcinfo-ID {info.warcinfo_id} is not the file's warcinfo {warcinfo_id}",
            )
    if missing:
        emit(
            missing[0].offset,
            "warc-warcinfo-id",
            f"{len(missing)} record(s) have no WARC-Warcinfo-ID (first at offset "
            f"{missing[0].offset}); it should name the warcinfo {warcinfo_id}",
        )


def _check_with_warcio(path: Path, emit: Emit) -> None:
    """Read the file with warcio too: what pywb and wacz will use to replay it."""
    from warcio.archiveiterator import ArchiveIterator

    register_with_warcio()
    offset = 0
    try:
        with path.open("rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                offset = iterator.get_record_offset()
                stream = record.content_stream()
                while stream.read(1 << 16):
                    pass
    except Exception as exc:  # warcio raises many kinds; each is a finding here
        emit(offset, "warc-warcio-error", f"warcio cannot read the file: {_one_line(exc)}")
