"""Shared fixtures: the replica sites served on 127.0.0.1:0 for the whole session, and one
end-to-end crawl of both sites through the real command line, reused by many tests."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsarchive.replica import Replica, ReplicaServer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

ARTIFACTS: list[str] = []
"""Lines naming files the tests made for people to look at (screenshots), printed at the
end of the run."""


def pytest_terminal_summary(terminalreporter) -> None:
    if ARTIFACTS:
        terminalreporter.section("artifacts")
        for line in ARTIFACTS:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def replica_server():
    """Both replica sites, served from a background thread for the whole session."""
    with ReplicaServer(Replica()) as server:
        yield server


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m newsarchive ARGS`` in a subprocess (Twisted runs once a process)."""
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class CrawlRun:
    """One finished ``newsarchive crawl trend bakutel`` against the replica."""

    out: Path
    result: subprocess.CompletedProcess
    server: ReplicaServer
    requests: list
    """Every request the replica received during this crawl."""

    def records(self, site: str | None = None) -> list[dict]:
        rows = []
        for path in sorted((self.out / "jsonl").glob("*.jsonl")):
            for line in path.read_text("utf-8").splitlines():
                record = json.loads(line)
                if site is None or record["site"] == site:
                    rows.append(record)
        return rows

    def reports(self) -> dict[str, dict]:
        return {
            p.name.rsplit("-", 1)[0]: json.loads(p.read_text("utf-8"))
            for p in sorted((self.out / "reports").glob("*.json"))
        }

    def warc_files(self) -> list[Path]:
        return sorted((self.out / "warc").glob("*.warc.gz"))


@pytest.fixture(scope="session")
def crawl_run(replica_server, tmp_path_factory) -> CrawlRun:
    """Crawl both replica sites once, from a directory that is not the project's."""
    out = tmp_path_factory.mktemp("crawl") / "archives"
    roots = [f"trend={url}" for url in replica_server.roots["trend"]]
    roots += [f"bakutel={url}" for url in replica_server.roots["bakutel"]]
    args = ["crawl", "trend", "bakutel", "--out", str(out)]
    for root in roots:
        args += ["--root", root]
    before = len(replica_server.requests)
    result = run_cli(*args, cwd=Path("/"))
    requests = list(replica_server.requests[before:])
    return CrawlRun(out=out, result=result, server=replica_server, requests=requests)
