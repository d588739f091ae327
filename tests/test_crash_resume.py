"""``kill -9`` a crawl of the replica at ten moments; the rerun repairs and completes it.

One crawl is measured first (its duration and the bytes its WARC files reach). Each
scenario then starts a fresh crawl into an empty folder, kills it when its WARC files
reach a fraction of that size (or right after start), reruns it to completion and checks
that every article is archived exactly once, that nothing archived by the killed run was
fetched again, and that every file passes ``newsarchive validate``, ``warcio check``,
``fastwarc check`` and ``gzip -t``. Files rotate at 300 kB, so kills land in every part
of a file's life, rotations included.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsarchive.replica import Replica, ReplicaServer
from tests.archive_checks import (
    check_records_in_archive,
    check_tools,
    crawl_args,
    jsonl_records,
    warc_entries,
)

pytestmark = pytest.mark.slow

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = ("-s", "CONCURRENT_REQUESTS=4", "-s", "NEWSARCHIVE_WARC_MAX_SIZE=300000")
#: When to kill: ``None`` is right after start; a number is that fraction of the bytes a
#: whole crawl writes to its WARC files.
MOMENTS = [None, 0.01, 0.08, 0.2, 0.33, 0.47, 0.6, 0.73, 0.86, 0.97]


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(Replica(now=NOW)) as srv:
        yield srv


@pytest.fixture(scope="module")
def full_crawl(server, tmp_path_factory) -> dict:
    """One uninterrupted crawl: how long it takes and how many WARC bytes it writes."""
    out = tmp_path_factory.mktemp("full") / "archive"
    started = time.monotonic()
    result = subprocess.run(crawl_args(server, out, *SETTINGS), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return {
        "seconds": time.monotonic() - started,
        "bytes": _warc_bytes(out),
    }


def _warc_bytes(out: Path) -> int:
    try:
        return sum(e.stat().st_size for e in os.scandir(out / "warc"))
    except FileNotFoundError:
        return 0


def _start_and_kill(args: list[str], out: Path, threshold: int | None) -> int:
    """Start the crawl and ``kill -9`` it at the moment; return its exit status."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if threshold is None:
            time.sleep(0.05)
        else:
            while proc.poll() is None and _warc_bytes(out) < threshold:
                time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: "start" if m is None else f"{m:.0%}")
def test_kill_and_rerun_archives_every_article_once(server, full_crawl, tmp_path, moment):
    out = tmp_path / "archive"
    args = crawl_args(server, out, *SETTINGS)
    threshold = None if moment is None else int(full_crawl["bytes"] * moment)
    first = len(server.requests)
    status = _start_and_kill(args, out, threshold)
    assert status == -signal.SIGKILL, "the crawl ended before it could be killed"
    killed_requests = server.requests[first:]
    killed_files = {p.name.removesuffix(".open") for p in out.glob("warc/*")}
    # A site whose run completed before the kill is crawled anew by the rerun (a recrawl:
    # revisits, every page fetched again); the others are resumed.
    completed = {p.name.split("-")[0] for p in out.glob("reports/*.json")}

    second = len(server.requests)
    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr[-3000:]
    rerun_requests = server.requests[second:]

    # every article has exactly one record, and exactly one response record
    expected = {r["url"] for r in server.expected_records()}
    records = collections.Counter(r["url"] for r in jsonl_records(out))
    assert set(records) == expected
    assert [u for u, n in records.items() if n > 1] == []
    entries = warc_entries(out)
    responses = collections.Counter(e.uri for e in entries if e.type == "response")
    revisits = collections.Counter(e.uri for e in entries if e.type == "revisit")
    assert {u: responses[u] for u in expected if responses[u] != 1} == {}
    site_of = {r["url"]: r["site"] for r in server.expected_records()}
    resumed = {u for u in expected if site_of[u] not in completed}
    assert {u: revisits[u] for u in resumed if revisits[u]} == {}

    # what the killed run archived was not fetched again; nothing was fetched 3 times
    key = _request_key(server)
    archived_by_killed = {e.uri for e in entries if e.type == "response" and e.file in killed_files}
    refetched = collections.Counter((k, p) for k, _m, p, _h in rerun_requests)
    before = collections.Counter((k, p) for k, _m, p, _h in killed_requests)
    for url in resumed:
        if url in archived_by_killed:
            assert refetched[key(url)] == 0, f"{url} was archived, yet fetched again"
        assert before[key(url)] + refetched[key(url)] <= 2, url
        assert refetched[key(url)] <= 1, url

    check_records_in_archive(out)
    check_tools(out)


def _request_key(server: ReplicaServer):
    hosts = server.host_of_origin

    def key(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return hosts[f"{parts.scheme}://{parts.netloc}"], path

    return key


def test_measured_crawl(full_crawl):
    """The reference crawl the kill moments are spread over (shown with ``-rA``)."""
    print(f"full crawl: {full_crawl['seconds']:.2f} s, {full_crawl['bytes']} WARC bytes")
    assert full_crawl["bytes"] > 1_000_000
