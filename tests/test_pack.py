"""CDXJ indexes and WACZ packages of a small archive folder."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from newsarchive.indexing import (
    IndexingError,
    collect_pages,
    pack_wacz,
    read_wacz_pages,
    validate_wacz,
    write_cdxj,
)
from tests.archive_builder import WARC_NAME, rid, write_archive


def cdxj_lines(path: Path) -> list[tuple[str, str, dict]]:
    lines = []
    for line in path.read_text("utf-8").splitlines():
        key, ts, data = line.split(" ", 2)
        lines.append((key, ts, json.loads(data)))
    return lines


def test_cdxj_names_each_response(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    out = tmp_path / "indexes" / "index.cdxj"
    count = write_cdxj([archive.warc], out)
    lines = cdxj_lines(out)
    assert count == len(lines) == 5  # 4 responses and 1 revisit; no requests, no warcinfo
    urls = {data["url"] for _, _, data in lines}
    assert urls == {
        "http://example.com/a",
        "http://example.com/b",
        "http://example.com/c",
        "http://example.com/old",
    }
    assert [key for key, _, _ in lines] == sorted(key for key, _, _ in lines)
    for key, ts, data in lines:
        assert key.startswith("com,example)/")
        assert ts == "20240502100000"
        assert data["filename"] == WARC_NAME
    by_offset = {int(data["offset"]): int(data["length"]) for _, _, data in lines}
    assert by_offset[archive.offsets[rid(1)][0]] == archive.offsets[rid(1)][1]


def test_cdxj_walks_directories_and_keeps_default_records_after_wacz_import(
    tmp_path: Path,
) -> None:
    import wacz.waczindexer  # noqa: F401  (it widens cdxj-indexer's defaults process-wide)

    write_archive(tmp_path)
    out = tmp_path / "index.cdxj"
    assert write_cdxj([tmp_path / "warc"], out, dir_root=tmp_path) == 5
    assert all(data["filename"] == f"warc/{WARC_NAME}" for _, _, data in cdxj_lines(out))


def test_cdxj_bad_input(tmp_path: Path) -> None:
    with pytest.raises(IndexingError, match="no such file"):
        write_cdxj([tmp_path / "missing.warc.gz"], tmp_path / "i.cdxj")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexingError, match="no WARC files"):
        write_cdxj([tmp_path / "empty"], tmp_path / "i.cdxj")
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"not gzip at all")
    with pytest.raises(IndexingError, match="junk.warc.gz"):
        write_cdxj([junk], tmp_path / "i.cdxj")
    assert not (tmp_path / "i.cdxj").exists()


def test_pack_wacz(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archives")
    out = tmp_path / "out" / "archives.wacz"
    result = pack_wacz(archive.root, out)
    assert result.path == out and out.is_file()
    assert result.warc_files == [archive.warc]
    assert result.warnings() == []

    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        datapackage = json.loads(wacz.read("datapackage.json"))
    assert {"datapackage.json", "pages/pages.jsonl", f"archive/{WARC_NAME}"} <= names
    assert names & {"indexes/index.cdx.gz", "indexes/index.cdx", "indexes/index.cdxj"}
    assert {res["path"] for res in datapackage["resources"]} == names - {
        "datapackage.json",
        "datapackage-digest.json",
    }

    pages = read_wacz_pages(out)
    assert sorted((p["url"], p["title"], p["ts"]) for p in pages) == [
        ("http://example.com/a", "Alpha", "2024-05-02T10:00:00Z"),
        ("http://example.com/b", "Beta", "2024-05-02T10:00:00Z"),
    ]  # the third record repeats /a at the same instant: one page
    assert result.pages == 2
    assert {p["id"] for p in pages} == {rid(1)[10:-1], rid(3)[10:-1]}

    valid, output = validate_wacz(out)
    assert valid, output
    run = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "is valid" in run.stdout


def test_pack_reports_what_it_left_out(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    (archive.warc.parent / "later.warc.gz.open").write_bytes(b"")
    with archive.jsonl.open("ab") as fh:
        fh.write(b'{"url": "http://example.com/never", "title": "N", ')
        fh.write(b"\n")
        fh.write(
            json.dumps(
                {
                    "url": "http://example.com/zzz",
                    "title": "Z",
                    "fetched_at": "2024-05-02T10:00:00Z",
                }
            ).encode()
            + b"\n"
        )
    result = pack_wacz(tmp_path, tmp_path / "a.wacz")
    assert [p.name for p in result.skipped_open] == ["later.warc.gz.open"]
    assert result.skipped_lines == 1
    assert result.unmatched_pages == ["2024-05-02T10:00:00Z http://example.com/zzz"]
    assert len(result.warnings()) == 3
    assert validate_wacz(tmp_path / "a.wacz")[0]


def test_pack_bad_input(tmp_path: Path) -> None:
    with pytest.raises(IndexingError, match="no warc/ folder"):
        pack_wacz(tmp_path, tmp_path / "x.wacz")
    (tmp_path / "warc").mkdir()
    with pytest.raises(IndexingError, match="no closed WARC files"):
        pack_wacz(tmp_path, tmp_path / "x.wacz")
    (tmp_path / "warc" / "bad.warc.gz").write_bytes(b"not gzip at all")
    with pytest.raises(IndexingError, match="wacz create failed"):
        pack_wacz(tmp_path, tmp_path / "x.wacz")
    assert not (tmp_path / "x.wacz").exists()
    assert validate_wacz(tmp_path / "warc" / "bad.warc.gz")[0] is False


def test_collect_pages_without_jsonl(tmp_path: Path) -> None:
    assert collect_pages(tmp_path / "jsonl") == ([], 0)
