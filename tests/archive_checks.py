"""What every crawl output folder must satisfy, shared by the crash and recrawl tests."""

from __future__ import annotations

import collections
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.replica import ReplicaServer
from newsarchive.validate import Problem, ValidationReport
from tests.conftest import run_cli
from tests.warc_tools import check_with_tools

BIN = Path(sys.executable).parent
RECORD_PREFIX = "metadata://newsarchive/record/"


@dataclass(frozen=True)
class WarcEntry:
    file: str
    type: str
    uri: str
    date: str
    record_id: str
    payload: bytes  # metadata records only


def crawl_args(server: ReplicaServer, out: Path, *extra: str) -> list[str]:
    """``python -m newsarchive crawl trend bakutel`` of the replica into ``out``."""
    args = [sys.executable, "-m", "newsarchive", "crawl", "trend", "bakutel", "--out", str(out)]
    for site, urls in server.roots.items():
        for url in urls:
            args += ["--root", f"{site}={url}"]
    return [*args, *extra]


def jsonl_records(out: Path) -> list[dict]:
    rows = []
    for path in sorted((out / "jsonl").glob("*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path} ends in a partial line"
        rows += [json.loads(line) for line in data.splitlines()]
    return rows


def warc_entries(out: Path) -> list[WarcEntry]:
    entries = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                h = rec.rec_headers
                payload = rec.content_stream().read() if rec.rec_type == "metadata" else b""
                entries.append(
                    WarcEntry(
                        path.name,
                        rec.rec_type,
                        h.get_header("WARC-Target-URI") or "",
                        h.get_header("WARC-Date") or "",
                        h.get_header("WARC-Record-ID") or "",
                        payload,
                    )
                )
    return entries


def check_tools(out: Path) -> None:
    """``warcio check``, ``fastwarc check -p`` and ``gzip -t`` pass on every WARC file
    (:mod:`tests.warc_tools`); ``newsarchive validate`` passes on the whole folder."""
    files = sorted((out / "warc").iterdir())
    assert files and not [f for f in files if f.name.endswith(".open")]
    for path in files:
        check_with_tools(path)
    result = run_cli("validate", str(out / "warc"), str(out / "jsonl"))
    assert result.returncode == 0, result.stdout[-3000:]
    check_indexes(out)


def check_indexes(out: Path) -> None:
    """Every closed WARC file has its CDXJ index, and it holds what cdxj-indexer writes
    reading the file back (the crawl builds it while writing)."""
    from newsarchive.indexing import write_cdxj

    files = sorted((out / "warc").glob("*.warc.gz"))
    assert files
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            index = out / "indexes" / (path.name + ".cdxj")
            write_cdxj([path], Path(tmp) / "read-back.cdxj")
            assert index.read_text() == (Path(tmp) / "read-back.cdxj").read_text(), path.name


def check_records_in_archive(out: Path) -> None:
    """Every JSONL record is also in the WARC files, once, as a metadata record."""
    records = jsonl_records(out)
    carried = collections.Counter(
        json.dumps(json.loads(e.payload), sort_keys=True)
        for e in warc_entries(out)
        if e.type == "metadata" and e.uri.startswith(RECORD_PREFIX)
    )
    wanted = collections.Counter(json.dumps(r, sort_keys=True) for r in records)
    assert carried == wanted


def fastwarc_available() -> bool:
    return (BIN / "fastwarc").exists() or shutil.which("fastwarc") is not None


def beyond_legacy_digests(report: ValidationReport) -> list[Problem]:
    """The report's problems but the warnings on legacy payload digests (over the chunk
    framing), which files written before the writer digested the de-chunked entity have."""
    return [p for p in report.problems if p.code != "warc-payload-digest-legacy"]
