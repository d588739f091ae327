"""The output folder's state: repairing what a killed run left, the SQLite cache, syncing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.state.db import ArchiveState, Capture, RecordSeen, record_content_hash
from newsarchive.state.repair import repair_folder, repair_warc
from newsarchive.state.sync import sync_state
from newsarchive.validate import validate_paths
from newsarchive.warc.gzmembers import CHUNK
from newsarchive.warc.strict import iter_strict, read_record_at
from newsarchive.warc.writer import RevisitOf, WarcFileWriter, payload_digest
from tests.archive_checks import beyond_legacy_digests

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"


def _request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: example.com\r\n\r\n".encode()


def write_sample(directory: Path) -> tuple[Path, list[tuple[int, int, str]]]:
    """A closed WARC: warcinfo, 3 exchanges (one a revisit), a metadata record, another
    exchange. Returns it and its records' (offset, end, type)."""
    clock = iter(T0 + timedelta(seconds=i) for i in range(100))
    writer = WarcFileWriter(directory, prefix="unit", hostname="host", clock=lambda: next(clock))
    body = b"<html>" + b"x" * 2000 + b"</html>"
    first = writer.write_exchange(
        "http://example.com/a",
        response_head=HEAD % len(body),
        response_body=body,
        request_head=_request("/a"),
    )
    writer.write_exchange(
        "http://example.com/b",
        response_head=HEAD % 5,
        response_body=b"hello",
        request_head=_request("/b"),
    )
    writer.write_exchange(
        "http://example.com/a2",
        response_head=HEAD % len(body),
        response_body=body,
        request_head=_request("/a2"),
        revisit=RevisitOf(
            first.record_id,
            "http://example.com/a",
            "2026-03-01T12:00:00.000000Z",
            payload_digest(body),
        ),
    )
    writer.write_metadata(
        "metadata://newsarchive/record/http://example.com/a",
        '{"url": "http://example.com/a", "site": "unit"}',
        concurrent_to=first.record_id,
        content_type="application/json",
    )
    writer.write_exchange(
        "http://example.com/c",
        response_head=HEAD % 3,
        response_body=b"abc",
        request_head=_request("/c"),
    )
    path = writer.close()
    assert path is not None
    extents = []
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        for record in iterator:
            record.content_stream().read()
            offset = iterator.get_record_offset()
            extents.append((offset, offset + iterator.get_record_length(), record.rec_type))
    return path, extents


def _types(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        return [r.rec_type for r in ArchiveIterator(fh)]


def _expected_types(extents: list[tuple[int, int, str]], cut: int) -> list[str]:
    kept = [kind for _start, end, kind in extents if end <= cut]
    while kept and kept[-1] in ("response", "revisit"):
        kept.pop()
    return kept


def test_sample_is_valid(tmp_path: Path) -> None:
    path, extents = write_sample(tmp_path)
    assert [k for *_, k in extents] == [
        "warcinfo",
        "response",
        "request",
        "response",
        "request",
        "revisit",
        "request",
        "metadata",
        "response",
        "request",
    ]
    assert beyond_legacy_digests(validate_paths([path])) == []


def test_repair_cuts_back_to_the_last_complete_pair_at_any_offset(tmp_path: Path) -> None:
    original, extents = write_sample(tmp_path / "src")
    data = original.read_bytes()
    cuts = {0, 1, 10, len(data) - 1, len(data)}
    for start, end, _kind in extents:
        cuts |= {start, start + 1, start + 30, (start + end) // 2, end - 9, end - 1, end}
    for cut in sorted(c for c in cuts if 0 <= c <= len(data)):
        work = tmp_path / f"cut{cut}"
        work.mkdir()
        broken = work / (original.name + ".open")
        broken.write_bytes(data[:cut])
        result = repair_warc(broken)
        expected = _expected_types(extents, cut)
        assert not broken.exists()
        if len(expected) <= 1:  # nothing but the warcinfo: the file goes
            assert result.final is None and not list(work.iterdir()), cut
            continue
        assert result.final == work / original.name
        assert _types(result.final) == expected, cut
        assert result.final.read_bytes() == data[: len(result.final.read_bytes())]
        report = validate_paths([result.final])
        problems = [p for p in beyond_legacy_digests(report) if p.code != "warc-revisit-orphan"]
        assert problems == [], (cut, problems)


def test_repair_folder_closes_open_warcs_and_cuts_partial_jsonl_lines(tmp_path: Path) -> None:
    original, extents = write_sample(tmp_path / "src")
    (tmp_path / "out" / "warc").mkdir(parents=True)
    (tmp_path / "out" / "jsonl").mkdir()
    cut = extents[3][0] + 20  # inside the second response
    open_path = tmp_path / "out" / "warc" / (original.name + ".open")
    open_path.write_bytes(original.read_bytes()[:cut])
    shutil.copy(original, tmp_path / "out" / "warc" / "closed-00000-host.warc.gz")
    jsonl = tmp_path / "out" / "jsonl" / "site-1.jsonl"
    jsonl.write_bytes(b'{"url": "a"}\n{"url": "b", "ti')
    report = repair_folder(tmp_path / "out")
    assert report.stats() == {
        "warc_files": 1,
        "warc_files_deleted": 0,
        "warc_bytes_cut": cut - extents[2][1],
        "warc_records_cut": 0,
        "jsonl_files": 1,
        "jsonl_bytes_cut": len(b'{"url": "b", "ti'),
    }
    assert jsonl.read_bytes() == b'{"url": "a"}\n'
    assert sorted(p.name for p in (tmp_path / "out" / "warc").iterdir()) == sorted(
        [original.name, "closed-00000-host.warc.gz"]
    )
    assert repair_folder(tmp_path / "out").changed is False


def test_repair_drops_a_response_whose_request_is_missing(tmp_path: Path) -> None:
    original, extents = write_sample(tmp_path / "src")
    end_of_response = extents[3][1]  # the second response, complete; its request is not
    broken = tmp_path / (original.name + ".open")
    broken.write_bytes(original.read_bytes()[:end_of_response])
    result = repair_warc(broken)
    assert result.cut_records == 1
    assert result.final is not None
    assert _types(result.final) == ["warcinfo", "response", "request"]


# -- the database ---------------------------------------------------------------------------


def _capture(record_id: str, uri: str, digest: str, **kw: object) -> Capture:
    values: dict = {
        "record_type": "response",
        "status": 200,
        "date": "2026-03-01T12:00:00.000000Z",
        "file": "f.warc.gz",
        "offset": 0,
        "length": 10,
        "payload_digest": digest,
        "site": "trend",
        "run_id": "r1",
    }
    values.update(kw)
    return Capture(record_id=record_id, uri=uri, **values)


def test_original_prefers_the_same_uri_and_skips_truncated(tmp_path: Path) -> None:
    with ArchiveState(tmp_path / "state.sqlite") as state:
        state.add_capture(_capture("<a>", "http://x/1", "sha1:D", date="2026-01-01T00:00:00Z"))
        state.add_capture(_capture("<b>", "http://x/2", "sha1:D", date="2026-02-01T00:00:00Z"))
        state.add_capture(_capture("<c>", "http://x/3", "sha1:E", truncated=True))
        state.add_capture(_capture("<d>", "http://x/2", "sha1:D", record_type="revisit"))
        assert state.original_for("sha1:D", "http://x/2").record_id == "<b>"
        assert state.original_for("sha1:D", "http://x/9").record_id == "<a>"
        assert state.original_for("sha1:E", "http://x/3") is None
        assert state.original_for("sha1:F", "http://x/1") is None
        assert state.capture("<c>").truncated is True
        assert [c.record_id for c in state.captures_of("http://x/2", "trend", ["r1"])] == [
            "<d>",
            "<b>",
        ]
        assert state.captures_of("http://x/2", "trend", ["r2"]) == []


def test_runs_unfinished_and_finished(tmp_path: Path) -> None:
    with ArchiveState(tmp_path / "state.sqlite") as state:
        state.start_run("trend", "20260101000000")
        state.start_run("bakutel", "20260101000000")
        state.start_run("trend", "20260102000000")
        assert state.unfinished_runs("trend") == ["20260101000000", "20260102000000"]
        assert state.unfinished_runs("trend", before="20260102000000") == ["20260101000000"]
        state.finish_runs("trend", ["20260101000000", "20260102000000"])
        assert state.unfinished_runs("trend") == []
        assert state.unfinished_runs("bakutel") == ["20260101000000"]


def test_records_by_content_and_by_source(tmp_path: Path) -> None:
    record = {"url": "http://x/1", "body": "text", "fetched_at": "t1", "warc": {"a": 1}}
    same = {**record, "fetched_at": "t2", "warc": {"a": 2}}
    changed = {**record, "body": "new text"}
    assert record_content_hash(record) == record_content_hash(same)
    assert record_content_hash(record) != record_content_hash(changed)
    with ArchiveState(tmp_path / "state.sqlite") as state:
        state.add_record(
            RecordSeen("http://x/1", record_content_hash(record), "<r1>", "trend", "j", 0)
        )
        assert state.has_record("http://x/1", record_content_hash(same))
        assert not state.has_record("http://x/1", record_content_hash(changed))
        assert state.has_record_from("<r1>") and not state.has_record_from("<r2>")
        assert len(state.records_without_metadata("trend")) == 1
        state.set_metadata_record("http://x/1", record_content_hash(record), "<m>")
        assert state.records_without_metadata("trend") == []


def test_state_survives_reopening(tmp_path: Path) -> None:
    with ArchiveState(tmp_path / "state.sqlite") as state:
        state.add_capture(_capture("<a>", "http://x/1", "sha1:D"))
    with ArchiveState(tmp_path / "state.sqlite") as state:
        assert state.count_captures() == 1


# -- sync -----------------------------------------------------------------------------------


def test_sync_reads_what_the_database_lacks_and_forgets_what_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    warc, _ = write_sample(out / "warc")
    (out / "jsonl").mkdir()
    record = {"url": "http://example.com/a", "site": "unit", "warc": {"record_id": "<x>"}}
    (out / "jsonl" / "unit-1.jsonl").write_text(json.dumps(record) + "\n" + '{"url": "par')
    with ArchiveState(out / "state.sqlite") as state:
        report = sync_state(state, out)
        assert (report.warc_files, report.jsonl_files) == (1, 1)
        assert report.captures == 4  # three responses and a revisit
        assert state.count_records() == 1  # the partial line is not indexed
        assert state.records_without_metadata("unit") == []  # the sample carries it
        assert state.file_size(warc.name) == warc.stat().st_size
        again = sync_state(state, out)
        assert (again.warc_files, again.jsonl_files, again.forgotten) == (0, 1, 0)
        digest = payload_digest(b"hello")
        assert state.original_for(digest, "http://example.com/b") is not None
        warc.unlink()
        gone = sync_state(state, out)
        assert gone.forgotten == 1
        assert state.count_captures() == 0


def test_sync_resumes_a_file_from_the_indexed_size(tmp_path: Path) -> None:
    out = tmp_path / "out"
    warc, extents = write_sample(out / "warc")
    with ArchiveState(out / "state.sqlite") as state:
        state.set_file(warc.name, "warc", extents[5][0], site="unit", run_id="r1")
        report = sync_state(state, out)
        assert report.captures == 2  # the revisit and the last response, nothing before
        rows = state.captures_of("http://example.com/c", "unit", ["r1"])
        assert [c.offset for c in rows] == [extents[8][0]]


@pytest.mark.parametrize("name", ["x.warc.gz", "x.txt"])
def test_repair_refuses_closed_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ValueError):
        repair_warc(path)


def _committed_size(db: Path, name: str) -> int | None:
    """What another reader (the next run after a kill -9) sees of ``name``."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT size FROM files WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def test_batched_writes_wait_but_a_started_run_is_committed_at_once(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    state = ArchiveState(db)
    with state.transaction(batch=True):
        state.set_file("a.warc.gz", "warc", 100)
    assert _committed_size(db, "a.warc.gz") is None  # the batch is not committed yet
    # a run started while a batch is open is committed at once, batch and all
    state.start_run("trend", "20261122000000")
    assert _committed_size(db, "a.warc.gz") == 100
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT run_id FROM runs WHERE finished IS NULL").fetchall()
    assert runs == [("20261122000000",)]
    # a killed process loses only what a batch had not committed: the files say the rest
    with state.transaction(batch=True):
        state.set_file("b.warc.gz", "warc", 7)
    state._db.close()  # no commit: what kill -9 leaves
    assert _committed_size(db, "b.warc.gz") is None
    assert ArchiveState(db).unfinished_runs("trend") == ["20261122000000"]


def test_a_batch_commits_after_its_size(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    state = ArchiveState(db)
    for n in range(ArchiveState.BATCH_WRITES):
        with state.transaction(batch=True):
            state.set_file(f"{n}.warc.gz", "warc", n)
    assert not state._db.in_transaction
    assert _committed_size(db, "0.warc.gz") == 0


# -- a gzip member whose end lies past a read chunk ----------------------------------------


def _warc_record(kind: str, number: int, block: bytes) -> bytes:
    head = (
        f"WARC/1.1\r\nWARC-Type: {kind}\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{number:012d}>\r\n"
        f"WARC-Target-URI: http://example.com/{number}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def _gzip_member(data: bytes, level: int = 9) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _all_out_before_the_end(member: bytes) -> range:
    """Prefix lengths of ``member`` that decompress to all its bytes but do not end it."""
    whole = len(zlib.decompress(member, 16 + zlib.MAX_WBITS))
    first = next(
        k
        for k in range(1, len(member))
        if len(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(member[:k])) == whole
    )
    return range(first, len(member))


def _filler(size: int) -> bytes:
    """A stored (level 0) gzip member of exactly ``size`` bytes."""
    empty = len(_gzip_member(_warc_record("resource", 1, b""), level=0))
    for n in range(max(0, size - empty - 30), size - empty + 1):
        member = _gzip_member(_warc_record("resource", 1, b"x" * n), level=0)
        if len(member) == size:
            return member
    raise AssertionError(f"no filler of {size} bytes")


def test_a_record_whose_gzip_end_lies_past_a_read_chunk_is_complete(tmp_path: Path) -> None:
    """The kill -9 stress repro: the strict reader reads files in CHUNKs; when a chunk
    ended inside a member's last bytes (final deflate bits, CRC32, size) after all of the
    member's data was decompressed, the record had no length and repair cut it and all
    records after it, though the JSONL pointed at them (1 in ~50 kills)."""
    warcinfo = _gzip_member(_warc_record("warcinfo", 0, b"software: unit\r\n"))
    response = _gzip_member(_warc_record("response", 2, b"HTTP/1.1 200 OK\r\n\r\n" + b"a" * 900))
    request = _gzip_member(_warc_record("request", 3, b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"))
    after = _gzip_member(_warc_record("metadata", 4, b'{"url": "http://example.com/2"}'))
    window = _all_out_before_the_end(request)
    assert len(window) >= 2  # the situation exists: output complete, member end not read
    for before_chunk in window:
        filler = _filler(CHUNK - before_chunk - len(warcinfo) - len(response))
        head = warcinfo + filler + response
        assert len(head) + before_chunk == CHUNK
        for tail, kinds in ((b"", 4), (after, 5)):
            data = head + request + tail
            path = tmp_path / f"k{before_chunk}-{len(tail)}.warc.gz.open"
            path.write_bytes(data)
            with path.open("rb") as fh:
                events = list(iter_strict(fh))
            assert [e.problem for e in events if e.problem] == []
            records = [e.record for e in events if e.record is not None]
            assert [(r.offset, r.length, r.complete) for r in records][3] == (
                len(head),
                len(request),
                True,
            )
            assert all(r.length is not None for r in records)
            result = repair_warc(path)
            assert (result.records, result.cut_bytes, result.cut_records) == (kinds, 0, 0)
            assert result.final is not None and result.final.read_bytes() == data
            assert read_record_at(result.final, len(head), len(request)).complete
        # the file ends inside the request's gzip trailer: the pair is not complete
        path = tmp_path / f"k{before_chunk}-cut.warc.gz.open"
        path.write_bytes(head + request[:-1])
        result = repair_warc(path)
        assert (result.records, result.cut_records) == (2, 1)
        assert result.final is not None
        assert result.final.read_bytes() == head[: len(head) - len(response)]
