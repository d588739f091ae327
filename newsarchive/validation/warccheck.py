"""Checks on WARC files: each record on its own (headers, digests, HTTP) and each file."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from newsarchive.schema import parse_utc_timestamp
from newsarchive.validation.httpcheck import body_problems, head_problems, split_http
from newsarchive.validation.index import ArchiveIndex, RecordInfo
from newsarchive.validation.warcread import RawRecord, iter_file

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
_NEEDS_TARGET = ("response", "resource", "request", "revisit", "conversion", "continuation")
_HTTP_RECORDS = ("response", "request", "revisit")
_ALGORITHMS = {
    "sha1": "sha1",
    "sha-1": "sha1",
    "sha256": "sha256",
    "sha-256": "sha256",
    "sha512": "sha512",
    "sha-512": "sha512",
    "md5": "md5",
}
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


def check_record(record: RawRecord, path: str, emit: Emit) -> RecordInfo:
    """Check one record on its own (headers, digests, HTTP) and describe it for later."""
    offset = record.offset
    for code, message in record.problems:
        emit(offset, code, message)
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

    target = record.get("WARC-Target-URI")
    if target and target.startswith("<") and target.endswith(">"):
        target = target[1:-1]  # WARC/1.0 style
    info = RecordInfo(
        path=path,
        offset=offset,
        type=rec_type,
        record_id=record_id,
        date=date,
        target_uri=target,
        concurrent_to=record.get_all("WARC-Concurrent-To"),
        refers_to=record.get("WARC-Refers-To"),
        refers_to_uri=record.get("WARC-Refers-To-Target-URI"),
        refers_to_date=_warc_date(
            record.get("WARC-Refers-To-Date"), "WARC-Refers-To-Date", offset, emit
        ),
        profile=record.get("WARC-Profile"),
        payload_digest=record.get("WARC-Payload-Digest"),
        warcinfo_id=record.get("WARC-Warcinfo-ID"),
    )
    is_http = (
        rec_type in _HTTP_RECORDS
        and bool(target)
        and target.lower().startswith(("http:", "https:"))
        and bool(record.block)
    )
    if not record.block and rec_type in ("response", "request") and target:
        emit(offset, "http-bad-head", f"the {rec_type} record's block is empty")
    payload = record.block
    if is_http:
        msg = split_http(record.block)
        payload = msg.payload
        for code, message in head_problems(msg, is_request=rec_type == "request"):
            emit(offset, code, message)
        if rec_type == "response":
            info.status = msg.status
            location = msg.get("Location")
            if location and target:
                info.location = urljoin(target, location)
            for code, message in body_problems(msg):
                if code == "http-content-length" and not msg.payload:
                    info.unless_head.append((code, message))
                else:
                    emit(offset, code, message)
        elif rec_type == "request":
            info.method = msg.method
    _check_digest(record.get("WARC-Block-Digest"), record.block, "block", offset, emit)
    if rec_type != "revisit":
        _check_digest(info.payload_digest, payload, "payload", offset, emit)
    return info


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


def decode_digest(value: str) -> tuple[str, bytes] | None:
    """Split ``algorithm:value`` and decode the value (base32, hex or base64) to raw bytes."""
    algo_text, sep, text = value.partition(":")
    algo = _ALGORITHMS.get(algo_text.strip().lower())
    if not sep or algo is None:
        return None
    size = hashlib.new(algo).digest_size
    text = text.strip()
    attempts = (
        lambda: base64.b32decode(text + "=" * (-len(text) % 8), casefold=True),
        lambda: bytes.fromhex(text),
        lambda: base64.b64decode(text + "=" * (-len(text) % 4), validate=True),
        lambda: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)),
    )
    for attempt in attempts:
        try:
            raw = attempt()
        except (binascii.Error, ValueError):
            continue
        if len(raw) == size:
            return algo, raw
    return None


def _check_digest(declared: str | None, data: bytes, kind: str, offset: int, emit: Emit) -> None:
    if not declared:
        return
    decoded = decode_digest(declared)
    header = f"WARC-{kind.capitalize()}-Digest"
    if decoded is None:
        emit(offset, "warc-digest-format", f"{header} {declared!r} cannot be parsed")
        return
    algo, expected = decoded
    actual = hashlib.new(algo, data).digest()
    if actual != expected:
        actual_b32 = base64.b32encode(actual).decode("ascii")
        emit(
            offset,
            f"warc-{kind}-digest",
            f"{header} is {declared} but the {kind} hashes to {algo}:{actual_b32}",
        )


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
    for event in iter_file(path):
        if event.problem is not None:
            emit_record(event.offset, *event.problem)
        if event.record is not None:
            info = check_record(event.record, shown, emit_record)
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
    for event in iter_file(path):
        if event.record is not None:
            index.add(check_record(event.record, shown, lambda *_: None))


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
        emit(offset, "warc-warcio-error", f"warcio cannot read the file: {exc}".strip())
