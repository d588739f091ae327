"""A full disk never leaves an empty, header-only or cut WARC file under a final name.

The disk is full from a chosen write on (:class:`tests.full_disk.FullDisk`, no root
needed): at a rotation (the new file's warcinfo cannot be written), right after a
warcinfo, inside an exchange, with or without a short write first. Whatever the point,
the writer keeps every record it acknowledged, closes only files that hold records after
their warcinfo, removes the others, and the folder's state keeps no row for a removed
file; the next start's repair deletes an ``.open`` file that holds nothing complete.
"""

from __future__ import annotations

import errno
import itertools
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator

from newsarchive.crawling.limits import STORAGE_FAILURE, RunLimits
from newsarchive.names import STATE_NAME
from newsarchive.state.db import ArchiveState
from newsarchive.state.folder import prepare_folder
from newsarchive.state.repair import repair_warc
from newsarchive.validate import validate_paths
from newsarchive.warc.writer import RecordLocation, WarcFileWriter
from tests.archive_checks import beyond_legacy_digests
from tests.archive_run import EXTENSIONS, archive_run
from tests.full_disk import FullDisk

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n"
BODY = bytes(range(256)) * 2 + b"x" * 88  # 600 bytes that compress poorly


class Calls:
    """The writer's on_open / on_close / on_discard callbacks, recorded."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.closed: list[str] = []
        self.discarded: list[str] = []

    def options(self) -> dict[str, Any]:
        return {
            "on_open": self.opened.append,
            "on_close": lambda path: self.closed.append(path.name),
            "on_discard": self.discarded.append,
        }


def make_writer(directory: Path, calls: Calls, **kwargs: Any) -> WarcFileWriter:
    clock = (T0 + timedelta(seconds=i) for i in itertools.count())
    options: dict[str, Any] = {
        "prefix": "unit",
        "hostname": "host",
        "max_size": 1500,  # a rotation every two exchanges
        "clock": lambda: next(clock),
        **calls.options(),
    }
    options.update(kwargs)
    return WarcFileWriter(directory, **options)


def exchange(writer: WarcFileWriter, i: int) -> RecordLocation:
    return writer.write_exchange(
        f"http://example.com/{i}",
        response_head=HEAD,
        response_body=BODY,
        request_head=f"GET /{i} HTTP/1.1\r\nHost: example.com\r\n\r\n".encode(),
    )


def write_until_full(writer: WarcFileWriter, *, metadata_every: int = 0) -> list[RecordLocation]:
    """Exchanges (and metadata records) until a write fails; the acknowledged locations."""
    acknowledged: list[RecordLocation] = []
    with pytest.raises(OSError) as failure:
        for i in range(100):
            acknowledged.append(exchange(writer, i))
            if metadata_every and i % metadata_every == 0:
                acknowledged.append(writer.write_metadata(f"http://example.com/{i}", {"n": "1"}))
    assert failure.value.errno == errno.ENOSPC
    return acknowledged


def record_ids(path: Path) -> list[tuple[str, str]]:
    with open(path, "rb") as fh:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Record-ID"))
            for r in ArchiveIterator(fh, check_digests="raise")
        ]


def assert_only_complete_files(
    directory: Path, writer: WarcFileWriter, calls: Calls, acknowledged: list[RecordLocation]
) -> None:
    files = sorted(directory.iterdir()) if directory.exists() else []
    assert not [p for p in files if p.name.endswith(".open")]
    names = [p.name for p in files]
    assert names == calls.closed == [p.name for p in writer.closed_files]
    assert [n for n in calls.opened if n not in calls.discarded] == names
    assert writer.files_opened == len(files)
    records = 0
    kept: set[str] = set()
    for path in files:
        assert path.stat().st_size > 0
        assert beyond_legacy_digests(validate_paths([path])) == [], path
        ids = record_ids(path)
        assert ids[0][0] == "warcinfo" and len(ids) >= 3, (path, ids)
        records += len(ids)
        kept |= {record_id for _, record_id in ids}
    assert writer.records_written == records
    assert writer.bytes_written == sum(p.stat().st_size for p in files)
    for location in acknowledged:  # nothing acknowledged is lost
        assert location.file in names
        assert location.record_id in kept


@pytest.mark.parametrize("partial", [0, 40], ids=["enospc", "short-write"])
@pytest.mark.parametrize("writes", range(14))
def test_a_disk_full_at_any_write_leaves_only_complete_closed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writes: int, partial: int
) -> None:
    FullDisk(writes=writes, partial=partial).install(monkeypatch)
    calls = Calls()
    writer = make_writer(tmp_path / "warc", calls)
    acknowledged = write_until_full(writer, metadata_every=3)
    writer.close()
    assert_only_complete_files(tmp_path / "warc", writer, calls, acknowledged)


def test_a_disk_full_at_a_rotation_removes_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flaky ``warc-empty`` of test_disk_full: the new file's warcinfo fails."""
    disk = FullDisk(full_at_file="-00001-").install(monkeypatch)
    calls = Calls()
    writer = make_writer(tmp_path / "warc", calls)
    acknowledged = write_until_full(writer)
    assert disk.failures == 1  # the warcinfo of -00001-
    assert writer.current_path is None  # not kept to be closed later
    assert writer.close() is None
    assert [p.name for p in (tmp_path / "warc").iterdir()] == [acknowledged[0].file]
    assert "-00000-" in acknowledged[0].file
    assert calls.discarded == []  # never announced: no state row to forget
    assert_only_complete_files(tmp_path / "warc", writer, calls, acknowledged)


def test_a_file_left_with_its_warcinfo_only_is_removed_not_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FullDisk(writes=2).install(monkeypatch)  # the warcinfo and a response; not its request
    calls = Calls()
    writer = make_writer(tmp_path / "warc", calls)
    assert write_until_full(writer) == []
    name = calls.opened[0]
    assert (tmp_path / "warc" / (name + ".open")).stat().st_size > 0  # the warcinfo
    assert writer.close() is None
    assert list((tmp_path / "warc").iterdir()) == []
    assert calls.discarded == [name] and calls.closed == []
    assert (writer.files_opened, writer.records_written, writer.bytes_written) == (0, 0, 0)


@pytest.mark.parametrize("writes", [2, 4])
def test_a_file_that_cannot_be_cut_back_is_never_closed_with_a_partial_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writes: int
) -> None:
    FullDisk(writes=writes, partial=40).install(monkeypatch)

    def no_truncate(fd: int, length: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "ftruncate", no_truncate)
    calls = Calls()
    warc = tmp_path / "warc"
    writer = make_writer(warc, calls)
    acknowledged = write_until_full(writer)
    assert writer.current_path is None
    assert writer.close() is None
    assert calls.closed == []
    if not acknowledged:  # nothing after the warcinfo: removed
        assert list(warc.iterdir()) == [] and calls.discarded == calls.opened
        return
    # left .open, with a cut record at its end: the next start's repair closes it
    (left,) = warc.iterdir()
    assert left.name == acknowledged[0].file + ".open"
    monkeypatch.undo()
    repaired = repair_warc(left)
    assert repaired.final is not None and repaired.final.name == acknowledged[0].file
    assert [kind for kind, _ in record_ids(repaired.final)] == ["warcinfo", "response", "request"]
    assert acknowledged[0].record_id == record_ids(repaired.final)[1][1]


def test_a_file_whose_opening_cannot_be_recorded_is_removed(tmp_path: Path) -> None:
    calls = Calls()
    failing = [True]

    def on_open(name: str) -> None:
        calls.opened.append(name)
        if failing.pop(0) if failing else False:
            raise sqlite3.OperationalError("database or disk is full")

    writer = make_writer(tmp_path / "warc", calls, on_open=on_open)
    with pytest.raises(sqlite3.OperationalError):
        exchange(writer, 0)
    assert list((tmp_path / "warc").iterdir()) == []
    assert calls.discarded == calls.opened  # a row it may have left is forgotten
    location = exchange(writer, 1)  # room again: the writer goes on in a new file
    assert "-00001-" in location.file
    writer.close()
    assert [p.name for p in (tmp_path / "warc").iterdir()] == [location.file]


# -- the run and the folder's state ---------------------------------------------------------


class _Spider(Spider):
    name = "unit"


def _response(i: int) -> tuple[Response, Request]:
    request = Request(f"http://example.com/{i}")
    return Response(request.url, body=BODY, request=request), request


def _run(out: Path, responses: int) -> Any:
    run = archive_run(
        _Spider,
        out,
        EXTENSIONS={**EXTENSIONS, "newsarchive.crawling.limits.RunLimits": 50},
        NEWSARCHIVE_WARC_MAX_SIZE=1500,
    )
    for i in range(responses):
        response, request = _response(i)
        run.response_downloaded(response, request)
    return run


@pytest.mark.parametrize(
    "disk",
    [{"writes": 1}, {"writes": 2}, {"full_at_file": "-00001-"}, {"writes": 5, "partial": 30}],
    ids=["after-warcinfo", "inside-first-exchange", "at-rotation", "short-write"],
)
def test_the_state_keeps_no_row_for_a_removed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk: dict[str, Any]
) -> None:
    FullDisk(**disk).install(monkeypatch)
    stopped: list[str] = []
    monkeypatch.setattr(RunLimits, "close", lambda self, reason: stopped.append(reason))
    out = tmp_path / "out"
    run = _run(out, 6)
    assert stopped == [STORAGE_FAILURE]
    assert "No space left on device" in run.stats.get_value("newsarchive/storage/failure")
    run.close(STORAGE_FAILURE)
    files = sorted((out / "warc").glob("*.warc.gz*"))
    assert not [p for p in files if p.name.endswith(".open")]
    for path in files:
        assert len(record_ids(path)) >= 3
    assert run.stats.get_value("newsarchive/warc/file_names") == [p.name for p in files]
    assert run.stats.get_value("newsarchive/warc/files") == len(files)
    with ArchiveState(out / STATE_NAME) as state:
        assert sorted(state.known_files("warc")) == [p.name for p in files]
        for path in files:  # each row is indexed up to the end of the file's last record
            assert state.file_size(path.name) == path.stat().st_size
    # the next start finds nothing to repair and nothing to forget
    monkeypatch.undo()
    report = prepare_folder(out, cdxj=False)
    assert not report.repair.warc and report.sync.forgotten == 0


@pytest.mark.parametrize("keep", ["nothing", "half-warcinfo", "warcinfo", "unpaired-response"])
def test_the_next_start_deletes_an_open_file_with_nothing_complete_and_forgets_it(
    tmp_path: Path, keep: str
) -> None:
    out = tmp_path / "out"
    warc = out / "warc"
    calls = Calls()
    writer = make_writer(warc, calls)
    location = exchange(writer, 0)
    final = writer.close()
    assert final is not None
    data = final.read_bytes()
    cut = {
        "nothing": 0,
        "half-warcinfo": location.offset // 2,
        "warcinfo": location.offset,
        "unpaired-response": location.offset + location.length,
    }[keep]
    final.unlink()
    left = warc / (final.name + ".open")  # what a run killed (or stopped) there leaves
    left.write_bytes(data[:cut])
    with ArchiveState(out / STATE_NAME) as state:  # the row the run made when it opened it
        state.set_file(final.name, "warc", location.offset, site="unit", run_id="r1")
    report = prepare_folder(out, cdxj=False)
    assert [r.final for r in report.repair.warc] == [None]
    assert list(warc.iterdir()) == []
    with ArchiveState(out / STATE_NAME) as state:
        assert state.known_files("warc") == []
