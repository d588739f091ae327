"""Checks on JSONL files: complete lines, the record contract, and each record's WARC pointer."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from newsarchive.names import OPEN_SUFFIX
from newsarchive.schema import parse_utc_timestamp, validate_record
from newsarchive.validation.index import ArchiveIndex
from newsarchive.validation.warccheck import load_warc_file
from newsarchive.warc.reader import PointerError, read_record_at, strip_brackets

#: emit(line_number, code, message) reports one problem in the file being checked.
Emit = Callable[[int, str, str], None]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def check_jsonl_file(path: Path, index: ArchiveIndex, emit: Emit) -> int:
    """Check one JSONL file line by line; return how many lines held a JSON object."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif data:
        emit(
            len(lines),
            "jsonl-partial-line",
            f"the last line ({len(lines[-1])} bytes) has no newline: an interrupted write",
        )
        lines.pop()
    count = 0
    for number, raw in enumerate(lines, start=1):
        record = _parse_line(raw, number, emit)
        if record is None:
            continue
        count += 1
        problems = validate_record(record)
        for problem in problems:
            emit(number, "record-schema", str(problem))
        if isinstance(record, Mapping):
            check_pointer(record, path, number, index, emit)
    return count


def _parse_line(raw: bytes, number: int, emit: Emit) -> Any | None:
    if not raw.strip():
        emit(number, "jsonl-blank-line", "empty line")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        emit(number, "jsonl-bad-utf8", f"not UTF-8: {exc}")
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        emit(number, "jsonl-bad-json", f"not JSON: {exc}")
        return None


def check_pointer(
    record: Mapping[str, Any], jsonl_path: Path, number: int, index: ArchiveIndex, emit: Emit
) -> None:
    """Check that ``record["warc"]`` opens the response record the record was taken from."""
    pointer = record.get("warc")
    if not isinstance(pointer, Mapping):
        return
    name, offset, length = pointer.get("file"), pointer.get("offset"), pointer.get("length")
    if not isinstance(name, str) or not name:
        return
    if not isinstance(offset, int) or not isinstance(length, int):
        return  # already a record-schema problem
    if not _is_int(offset) or not _is_int(length) or offset < 0 or length <= 0:
        return
    warc_path, looked = _find_warc(name, jsonl_path, index)
    if warc_path is None:
        emit(number, "jsonl-warc-missing", f"WARC file {name!r} not found (looked in {looked})")
        return
    try:
        target = read_record_at(warc_path, offset, length)
    except PointerError as exc:
        emit(number, "jsonl-warc-pointer", f"{warc_path}: {exc}")
        return
    except OSError as exc:
        emit(number, "jsonl-warc-pointer", f"{warc_path}: cannot read: {exc}")
        return
    rec_type = target.get("WARC-Type")
    if rec_type not in ("response", "revisit"):
        # A revisit is the capture a record of an unchanged payload was extracted from.
        emit(
            number,
            "jsonl-warc-type",
            f"{name}@{offset} is a {rec_type} record, not a response or revisit",
        )
        return
    record_id = pointer.get("record_id")
    actual_id = target.get("WARC-Record-ID")
    if record_id != actual_id:
        emit(number, "jsonl-warc-id", f"{name}@{offset} is record {actual_id}, not {record_id}")
        return
    url = record.get("url")
    target_uri = strip_brackets(target.get("WARC-Target-URI") or "")
    if isinstance(url, str) and target_uri != url:
        if warc_path.resolve() not in index.loaded:
            load_warc_file(warc_path, str(warc_path), index)
        if not index.redirect_joins(target_uri, url):
            emit(
                number,
                "jsonl-warc-uri",
                f"{name}@{offset} is the response for {target_uri}, not {url}, "
                "and no archived redirect joins them",
            )
    _check_fetched_at(record.get("fetched_at"), target.get("WARC-Date"), number, emit)


def _check_fetched_at(fetched_at: Any, warc_date: str | None, number: int, emit: Emit) -> None:
    if not isinstance(fetched_at, str) or warc_date is None:
        return
    ours, theirs = parse_utc_timestamp(fetched_at), parse_utc_timestamp(warc_date)
    if ours is not None and theirs is not None and ours != theirs:
        emit(
            number,
            "jsonl-fetched-at",
            f"fetched_at {fetched_at} is not the response's WARC-Date {warc_date}",
        )


def _find_warc(name: str, jsonl_path: Path, index: ArchiveIndex) -> tuple[Path | None, str]:
    """Find the WARC file a pointer names: among the given files, then in ``../warc/``."""
    base = Path(name).name
    variants = [base]
    if base.endswith(OPEN_SUFFIX):
        variants.append(base[: -len(OPEN_SUFFIX)])
    else:
        variants.append(base + OPEN_SUFFIX)
    for variant in variants:
        for path in index.files.get(variant, []):
            if path.is_file():
                return path, ""
    archive_dir = jsonl_path.resolve().parent.parent
    candidates: list[Path] = []
    if Path(name).is_absolute():
        candidates.append(Path(name))
    elif "/" in name:
        candidates.append(archive_dir / name)
    candidates += [archive_dir / "warc" / variant for variant in variants]
    for candidate in candidates:
        if candidate.is_file():
            return candidate, ""
    return None, f"the given WARC files and {archive_dir / 'warc'}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
