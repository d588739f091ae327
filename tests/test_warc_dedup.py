"""The WARC extensions across runs: revisits, records as metadata records, CDXJ indexes,
and a resumed request answered from the archive - fed Scrapy objects directly."""

from __future__ import annotations

import contextlib
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from newsarchive.capture.exchange import CAPTURE_META_KEY, WireCapture
from newsarchive.resume import archived_response
from newsarchive.state.db import ArchiveState
from newsarchive.validate import validate_paths
from newsarchive.warc.writer import REVISIT_PROFILE
from tests.archive_checks import beyond_legacy_digests
from tests.archive_run import ArchiveRun, archive_run

URL = "http://example.com/news/1.html"
BODY = gzip.compress(b"<html><body>" + b"news " * 200 + b"</body></html>", mtime=0)
CHUNKED = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY)


class _Spider(Spider):
    name = "unit"


def _fetch(ext: ArchiveRun, spider: Spider, second: int) -> Request:
    request = Request(URL)
    request.meta[CAPTURE_META_KEY] = WireCapture(
        started_at=datetime(2026, 3, 1, 12, 0, second, tzinfo=UTC),
        request=bytearray(b"GET /news/1.html HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        response_head=bytearray(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
            b"Transfer-Encoding: chunked\r\nDate: %d\r\n\r\n" % second
        ),
        response_body=bytearray(CHUNKED),
        complete=True,
    )
    ext.response_downloaded(HtmlResponse(URL, body=b"", request=request), request)
    return request


def _run(out: Path, run: str, **settings: Any) -> tuple[ArchiveRun, Any, Spider]:
    ext = archive_run(_Spider, out, NEWSARCHIVE_RUN_ID=run, **settings)
    return ext, ext.crawler, ext.spider


def _rotating_run(out: Path, fetches: int) -> Any:
    """``fetches`` exchanges, each after the first in a new WARC file (a 1-byte size limit),
    then the spider closed; returns the crawler."""
    ext, crawler, spider = _run(
        out, "20260301120000", NEWSARCHIVE_WARC_MAX_SIZE=1, NEWSARCHIVE_WARC_DEDUP=False
    )
    for second in range(1, fetches + 1):
        _fetch(ext, spider, second)
    ext.close()
    return crawler


def _records(path: Path) -> list[Any]:
    with open(path, "rb") as fh:
        return [(r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(fh)]


def test_known_payload_becomes_a_revisit_and_records_go_into_the_archive(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ext, crawler, spider = _run(out, "20260301120000")
    first = _fetch(ext, spider, 1)
    assert "newsarchive_revisit" not in first.meta
    record = {"url": URL, "site": "unit", "body": "news", "warc": first.meta["newsarchive_warc"]}
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    ext.record_stored(record, line)
    ext.close()

    ext2, crawler2, spider2 = _run(out, "20260301120100")
    second = _fetch(ext2, spider2, 2)
    ext2.close()
    assert second.meta["newsarchive_revisit"] is True
    assert crawler2.stats.get_value("newsarchive/warc/revisits") == 1
    assert crawler2.stats.get_value("newsarchive/warc/responses") == 0

    files = sorted((out / "warc").glob("*.warc.gz"))
    assert len(files) == 2
    kinds = [[r[0] for r in _records(f)] for f in files]
    assert kinds == [
        ["warcinfo", "response", "request", "metadata"],
        ["warcinfo", "revisit", "request"],
    ]
    original = _records(files[0])[1][1]
    _, meta_headers, meta_block = _records(files[0])[3]
    assert meta_headers.get_header("Content-Type") == "application/json"
    assert meta_headers.get_header("WARC-Concurrent-To") == original.get_header("WARC-Record-ID")
    assert meta_block == line
    _, revisit, block = _records(files[1])[1]
    assert revisit.get_header("WARC-Profile") == REVISIT_PROFILE
    assert revisit.get_header("WARC-Refers-To") == original.get_header("WARC-Record-ID")
    assert revisit.get_header("WARC-Refers-To-Target-URI") == URL
    assert revisit.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
    assert revisit.get_header("WARC-Payload-Digest") == original.get_header("WARC-Payload-Digest")
    assert block == b""  # the head only
    assert beyond_legacy_digests(validate_paths([out / "warc"])) == []
    assert sorted(p.name for p in (out / "indexes").iterdir()) == [f.name + ".cdxj" for f in files]


def test_archived_response_is_what_scrapy_got_from_the_network(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ext, _crawler, spider = _run(out, "20260301120000")
    _fetch(ext, spider, 1)
    _fetch(ext, spider, 2)  # a revisit of the first
    ext.close()
    state = ArchiveState(out / "state.sqlite")
    captures = state.captures_of(URL, "unit", ["20260301120000"])
    assert [c.record_type for c in captures] == ["revisit", "response"]
    for capture in captures:
        request = Request(URL)
        response = archived_response(capture, state, out / "warc", request)
        assert response.status == 200
        assert response.body == BODY  # de-chunked, still gzip (HttpCompression decodes it)
        assert response.headers.get("Content-Encoding") == b"gzip"
        assert response.headers.get("Transfer-Encoding") is None
        assert isinstance(response, HtmlResponse)


def test_rotated_files_are_indexed_from_the_lines_kept_while_writing_them(
    tmp_path: Path, monkeypatch
) -> None:
    import newsarchive.warc.cdxj as extension
    from newsarchive.indexing import write_cdxj

    def no_reading_back(path: Path) -> Path:
        raise AssertionError(f"{path} read back")

    monkeypatch.setattr(extension, "index_warc", no_reading_back)
    out = tmp_path / "out"
    crawler = _rotating_run(out, 4)

    files = sorted((out / "warc").glob("*.warc.gz"))
    assert len(files) == 4
    assert crawler.stats.get_value("newsarchive/warc/cdxj_files") == 4
    assert crawler.stats.get_value("newsarchive/warc/cdxj_reread") is None
    for path in files:  # the lines cdxj-indexer writes reading the closed file
        write_cdxj([path], tmp_path / "read-back.cdxj")
        index = (out / "indexes" / (path.name + ".cdxj")).read_text()
        assert index == (tmp_path / "read-back.cdxj").read_text()
        assert index.count("\n") == 1 and f'"filename": "{path.name}"' in index


def test_a_file_whose_line_cannot_be_built_is_read_back(tmp_path: Path, monkeypatch) -> None:
    import newsarchive.warc.cdxj as extension

    real_line = extension.cdxj_line
    calls: list[str] = []

    def fail_second_file(record: Any) -> str | None:
        if record.record_type == "response":
            calls.append(record.location.file)
            if len(calls) == 2:
                raise ValueError("unparsable head")
        return real_line(record)

    monkeypatch.setattr(extension, "cdxj_line", fail_second_file)
    out = tmp_path / "out"
    crawler = _rotating_run(out, 3)
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert crawler.stats.get_value("newsarchive/warc/cdxj_files") == 3
    assert crawler.stats.get_value("newsarchive/warc/cdxj_reread") == 1
    assert sorted(p.name for p in (out / "indexes").iterdir()) == [f.name + ".cdxj" for f in files]
    assert URL.split("//")[1].split("/")[0] in (out / "indexes" / (calls[1] + ".cdxj")).read_text()


def test_rotated_files_read_back_are_indexed_off_the_reactor_thread_and_all_counted(
    tmp_path: Path, monkeypatch
) -> None:
    import threading

    import newsarchive.warc.cdxj as extension

    monkeypatch.setattr(extension, "LINES_MEMORY", 0)  # no file's lines are kept
    threads: list[str] = []
    real_index = extension.index_warc

    def index_and_note(path: Path) -> Path:
        threads.append(threading.current_thread().name)
        return real_index(path)

    monkeypatch.setattr(extension, "index_warc", index_and_note)
    out = tmp_path / "out"
    crawler = _rotating_run(out, 4)

    files = sorted((out / "warc").glob("*.warc.gz"))
    assert len(files) == 4
    assert sorted(p.name for p in (out / "indexes").iterdir()) == [f.name + ".cdxj" for f in files]
    assert crawler.stats.get_value("newsarchive/warc/cdxj_files") == 4
    assert crawler.stats.get_value("newsarchive/warc/errors") == 0
    main = threading.main_thread().name
    # three rotations indexed in the background, the last file at close
    assert [name.startswith("newsarchive-cdxj") for name in threads] == [True] * 3 + [False]
    assert threads[-1] == main


def test_a_background_index_that_fails_is_counted_as_an_error(tmp_path: Path, monkeypatch) -> None:
    import newsarchive.warc.cdxj as extension
    from newsarchive.indexing import IndexingError

    real_index = extension.index_warc
    closed: list[Path] = []

    def fail_first(path: Path) -> Path:
        closed.append(path)
        if len(closed) == 1:
            raise IndexingError("disk full")
        return real_index(path)

    monkeypatch.setattr(extension, "index_warc", fail_first)
    monkeypatch.setattr(extension, "LINES_MEMORY", 0)  # every file is read back
    out = tmp_path / "out"
    crawler = _rotating_run(out, 3)
    assert len(closed) == 3
    assert crawler.stats.get_value("newsarchive/warc/errors") == 1
    assert crawler.stats.get_value("newsarchive/warc/cdxj_files") == 2
    assert not (out / "indexes" / (closed[0].name + ".cdxj")).exists()


def _jsonl_record_no_warc_holds(out: Path) -> None:
    """A JSONL record of an earlier run that no WARC metadata record carries (a run killed
    after writing its line): the next run writes that metadata record when it opens."""
    (out / "jsonl").mkdir(parents=True)
    record = {"url": URL, "site": "unit", "body": "news"}
    (out / "jsonl" / "unit-20260301115900.jsonl").write_text(json.dumps(record) + "\n")


def test_records_written_when_the_run_opens_are_in_the_index(tmp_path: Path) -> None:
    from newsarchive.indexing import write_cdxj

    out = tmp_path / "out"
    _jsonl_record_no_warc_holds(out)
    ext, crawler, spider = _run(out, "20260301120000")
    assert crawler.stats.get_value("newsarchive/warc/metadata") == 1
    _fetch(ext, spider, 1)
    ext.close()
    (path,) = sorted((out / "warc").glob("*.warc.gz"))
    index = (out / "indexes" / (path.name + ".cdxj")).read_text()
    write_cdxj([path], tmp_path / "read-back.cdxj")
    assert index == (tmp_path / "read-back.cdxj").read_text()
    assert "metadata://newsarchive/record/" + URL in index and index.count("\n") == 2
    assert crawler.stats.get_value("newsarchive/warc/cdxj_reread") is None


def test_a_file_whose_first_records_the_indexer_missed_is_read_back(tmp_path: Path) -> None:
    from newsarchive.indexing import write_cdxj
    from tests.archive_run import EXTENSIONS

    out = tmp_path / "out"
    _jsonl_record_no_warc_holds(out)
    late = {**EXTENSIONS, "newsarchive.warc.cdxj.CdxjIndexer": 130}  # after RecordArchiver
    ext, crawler, spider = _run(out, "20260301120000", EXTENSIONS=late)
    _fetch(ext, spider, 1)
    ext.close()
    (path,) = sorted((out / "warc").glob("*.warc.gz"))
    write_cdxj([path], tmp_path / "read-back.cdxj")
    index = (out / "indexes" / (path.name + ".cdxj")).read_text()
    assert index == (tmp_path / "read-back.cdxj").read_text() and index.count("\n") == 2
    assert crawler.stats.get_value("newsarchive/warc/cdxj_reread") == 1


def test_lines_of_a_file_that_could_not_be_closed_are_let_go(tmp_path: Path, monkeypatch) -> None:
    import os as os_module

    from newsarchive.warc.cdxj import CdxjIndexer

    out = tmp_path / "out"
    ext, crawler, spider = _run(
        out, "20260301120000", NEWSARCHIVE_WARC_MAX_SIZE=1, NEWSARCHIVE_WARC_DEDUP=False
    )
    indexer = crawler.get_extension(CdxjIndexer)
    _fetch(ext, spider, 1)
    real_fsync = os_module.fsync

    def fsync_fails_once(fd: int) -> None:
        monkeypatch.setattr(os_module, "fsync", real_fsync)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os_module, "fsync", fsync_fails_once)
    with contextlib.suppress(OSError):  # the rotation's close fails: the first file
        _fetch(ext, spider, 2)  # stays .open for the next start's repair
    _fetch(ext, spider, 3)
    assert len(indexer._lines) == 1  # the abandoned file's lines were let go
    ext.close()
