"""Checks across records and files: duplicate ids, request/response pairs, revisits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from newsarchive.validation.digests import decode_digest
from newsarchive.validation.index import ArchiveIndex, RecordInfo

#: emit_at(path, offset, code, message) reports one problem in any file.
EmitAt = Callable[[str, int, str, str], None]


def check_relations(index: ArchiveIndex, emit_at: EmitAt) -> None:
    """Checks that need every record: duplicate ids, request/response pairs, revisits."""
    requests_for: dict[str, list[RecordInfo]] = defaultdict(list)
    by_uri_date: dict[tuple[str, datetime], list[RecordInfo]] = defaultdict(list)
    for info in index.records:
        if info.type == "request":
            for target in info.concurrent_to:
                requests_for[target].append(info)
        if info.type in ("response", "resource", "revisit") and info.target_uri and info.date:
            by_uri_date[(info.target_uri, info.date)].append(info)
    for record_id, infos in index.by_id.items():
        for dup in infos[1:]:
            first = infos[0]
            emit_at(
                dup.path,
                dup.offset,
                "warc-duplicate-id",
                f"{record_id} is also the id of the record at {first.path}:{first.offset}",
            )
    for info in index.records:
        if info.type == "response" and not info.arc:
            _check_pair(info, requests_for, index, emit_at)
        elif info.type == "revisit":
            _check_revisit(info, index, by_uri_date, emit_at)


def _check_pair(
    info: RecordInfo,
    requests_for: dict[str, list[RecordInfo]],
    index: ArchiveIndex,
    emit_at: EmitAt,
) -> None:
    candidates = list(requests_for.get(info.record_id or "", []))
    for other_id in info.concurrent_to:
        candidates += [r for r in index.by_id.get(other_id, []) if r.type == "request"]
    if not candidates:
        emit_at(
            info.path,
            info.offset,
            "warc-unpaired-response",
            f"no request record is WARC-Concurrent-To the response {info.record_id}",
        )
    else:
        good = [
            r
            for r in candidates
            if (r.date == info.date or None in (r.date, info.date))
            and (r.target_uri == info.target_uri or None in (r.target_uri, info.target_uri))
        ]
        if not good:
            req = candidates[0]
            what = []
            if req.date != info.date and None not in (req.date, info.date):
                what.append(f"WARC-Date {_iso(req.date)} vs {_iso(info.date)}")
            if req.target_uri != info.target_uri and None not in (req.target_uri, info.target_uri):
                what.append(f"WARC-Target-URI {req.target_uri} vs {info.target_uri}")
            emit_at(
                info.path,
                info.offset,
                "warc-pair-mismatch",
                f"request {req.record_id} differs from its response: " + "; ".join(what),
            )
        if any(r.method == "HEAD" for r in candidates):
            info.unless_head.clear()
    for code, message in info.unless_head:
        emit_at(info.path, info.offset, code, message)


def _check_revisit(
    info: RecordInfo,
    index: ArchiveIndex,
    by_uri_date: dict[tuple[str, datetime], list[RecordInfo]],
    emit_at: EmitAt,
) -> None:
    original: RecordInfo | None = None
    if info.refers_to and index.by_id.get(info.refers_to):
        original = index.by_id[info.refers_to][0]
    elif info.refers_to_uri and info.refers_to_date:
        found = by_uri_date.get((info.refers_to_uri, info.refers_to_date), [])
        original = next((other for other in found if other is not info), None)
    if original is None:
        target = info.refers_to or "(no WARC-Refers-To)"
        where = ""
        if info.refers_to_uri:
            where = f" ({info.refers_to_uri} at {_iso(info.refers_to_date)})"
        emit_at(
            info.path,
            info.offset,
            "warc-revisit-orphan",
            f"revisit refers to {target}{where}, which is in none of the given files",
        )
        return
    if (
        info.profile
        and info.profile.endswith("identical-payload-digest")
        and info.payload_digest
        and original.payload_digest
        and not _same_payload(info.payload_digest, original)
    ):
        emit_at(
            info.path,
            info.offset,
            "warc-revisit-digest",
            f"payload digest {info.payload_digest} differs from the original's "
            f"{original.payload_digest} ({original.path}:{original.offset})",
        )


def _same_payload(declared: str, original: RecordInfo) -> bool:
    """Whether a revisit's digest names its original's payload: as the original declares
    it, or as its payload hashes in either convention (a chunked original has two)."""
    digest = decode_digest(declared)
    if digest is None:
        return True  # reported as warc-digest-format on the revisit
    assert original.payload_digest is not None
    return digest in original.payload_digests or digest == decode_digest(original.payload_digest)


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else "(none)"
