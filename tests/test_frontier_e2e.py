"""Two workers on one Redis frontier crawl the replica's Trend editions through the real
command line (a real redis-server on 127.0.0.1): together every article once, no URL
fetched twice; and with one worker killed (``kill -9`` after N records, watched in its
JSONL file) and restarted, still every article once."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.redis_server import redis_url  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

KILL_AFTER = 15
"""Records worker A has written when it is killed."""


def worker(out: Path, roots: list[str], frontier: str, prefix: str, *extra: str):
    args = [sys.executable, "-m", "newsarchive", "crawl", "trend", "--out", str(out)]
    for root in roots:
        args += ["--root", root]
    args += ["--frontier", frontier, "-s", f"NEWSARCHIVE_FRONTIER_PREFIX={prefix}", *extra]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/"
    )


def records(*folders: Path) -> list[dict]:
    return [
        json.loads(line)
        for out in folders
        for path in sorted((out / "jsonl").glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]


def trend_truth(server) -> set[str]:
    hosts = {url.split("/")[2] for url in server.roots["trend"]}
    return {r["url"] for r in server.expected_records() if r["url"].split("/")[2] in hosts}


def report_stats(*folders: Path) -> list[dict]:
    return [
        json.loads(p.read_text("utf-8"))["stats"]
        for out in folders
        for p in sorted((out / "reports").glob("*.json"))
    ]


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    stdout, stderr = proc.communicate(timeout=timeout)
    return proc.returncode, stdout, stderr


def test_two_workers_crawl_every_article_once(replica_server, redis_url, tmp_path):  # noqa: F811
    roots = replica_server.roots["trend"]
    prefix = f"test:{uuid.uuid4().hex}:"
    outs = [tmp_path / "machine-a", tmp_path / "machine-b"]  # a folder each, as two hosts
    before = len(replica_server.requests)
    procs = [worker(out, roots, redis_url, prefix) for out in outs]
    results = [finish(p) for p in procs]
    requests = list(replica_server.requests[before:])
    assert [code for code, _, _ in results] == [0, 0], [err[-2000:] for _, _, err in results]

    urls = collections.Counter(r["url"] for r in records(*outs))
    assert set(urls) == trend_truth(replica_server)
    assert max(urls.values()) == 1  # every article exactly once
    per_worker = [len(records(out)) for out in outs]
    assert all(n > 0 for n in per_worker), per_worker  # both did work

    fetched = collections.Counter((key, path) for key, _method, path, _h in requests)
    twice = {k: n for k, n in fetched.items() if n > 1 and k[1] != "/robots.txt"}
    assert twice == {}  # no URL fetched twice (each worker reads robots.txt itself)

    for out in outs:
        names = [p.name for p in (out / "warc").glob("*.warc.gz")]
        assert names and all(n.rsplit("-", 1)[1].split(".")[0].isdigit() for n in names)
        assert not list((out / "warc").glob("*.open"))
    pids = {n.rsplit("-", 1)[1].split(".")[0] for o in outs for n in os.listdir(o / "warc")}
    assert len(pids) == 2  # {host}-{pid}: one per worker

    stats = report_stats(*outs)
    assert sum(s["newsarchive/frontier/taken"] for s in stats) == sum(
        s["newsarchive/frontier/acked"] for s in stats
    )
    result = run_cli("validate", *(str(o) for o in outs))
    assert result.returncode == 0, result.stdout[-3000:]
    assert " 0 errors, 0 warnings" in result.stdout


def test_a_worker_killed_and_restarted_loses_nothing(replica_server, redis_url, tmp_path):  # noqa: F811
    roots = replica_server.roots["trend"]
    prefix = f"test:{uuid.uuid4().hex}:"
    out = tmp_path / "archive"  # both workers share one folder on one machine
    lease = ("-s", "NEWSARCHIVE_FRONTIER_LEASE_SECONDS=10")
    first = worker(out, roots, redis_url, prefix, *lease)
    jsonl = _wait_for(lambda: next(iter((out / "jsonl").glob("*.jsonl")), None), 120)
    second = worker(out, roots, redis_url, prefix, *lease)
    _wait_for(lambda: _lines(jsonl) >= KILL_AFTER or first.poll() is not None, 120)
    os.kill(first.pid, signal.SIGKILL)
    code, _, _ = finish(first)
    assert code == -signal.SIGKILL, "worker A ended before it could be killed"
    killed_at = _lines(jsonl)
    assert killed_at < len(trend_truth(replica_server))  # midway
    restarted = worker(out, roots, redis_url, prefix, *lease)
    results = [finish(second), finish(restarted)]
    # the restarted worker may find the work done (exit 0 all the same)
    assert [c for c, _, _ in results] == [0, 0], [err[-2000:] for _, _, err in results]

    urls = collections.Counter(r["url"] for r in records(out))
    assert set(urls) == trend_truth(replica_server)
    assert max(urls.values()) == 1, [u for u, n in urls.items() if n > 1]
    stats = report_stats(out)
    assert len(stats) == 2  # the killed run wrote no report
    assert sum(s.get("newsarchive/frontier/reclaimed", 0) for s in stats) > 0
    assert any(s.get("newsarchive/repair/warc_files", 0) for s in stats)  # A's .open file
    assert not list((out / "warc").glob("*.open"))
    result = run_cli("validate", str(out))
    assert result.returncode == 0, result.stdout[-3000:]
    assert " 0 errors" in result.stdout


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def _wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    pytest.fail("timed out")
