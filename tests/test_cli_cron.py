"""The command line as cron meets it: checked arguments, one-line errors, exit statuses
that say what happened (and are documented in ``--help``), interruptions that the next
run resumes, progress only on a terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive.report import EXIT_CODES, EXIT_INTERRUPTED
from tests.archive_checks import crawl_args, jsonl_records
from tests.conftest import run_cli
from tests.static_site import StaticSite

SITE = Path(__file__).parent / "sites" / "generic"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--root", "notaurl"], "--root 'notaurl': not an http(s) URL"),
        (["--root", "ftp://example.org/"], "not an http(s) URL"),
        (["--root", "http://"], "no host"),
        (["--root", "http://a:99999/"], "bad port"),
        (["--log-level", "LOUD"], "'LOUD' is not one of DEBUG"),
        (["--max-articles", "0"], "must be at least 1"),
        (["--max-articles", "many"], "is not a whole number"),
        (["--max-runtime", "soon"], "is not a duration"),
        (["-s", "NEWSARCHIVE_GC_THRESHOLD=abc"], "expected a whole number"),
        (["-s", "NEWSARCHIVE_WARC_DEDUP=maybe"], "expected true or false"),
        (["-s", "novalue"], "expected NAME=VALUE"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_before_anything_starts(tmp_path, args, message):
    out = tmp_path / "out"
    result = run_cli("crawl", "generic", "--out", str(out), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not out.exists()  # nothing started: no folder, no lock, no log


def test_the_exit_status_table_is_in_crawl_help():
    result = run_cli("crawl", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for code, description in EXIT_CODES.items():
        assert f"{code} {' '.join(description.split()[:5])}" in text


def test_an_unreachable_site_prints_a_few_lines_and_no_traceback(tmp_path):
    result = run_cli(
        "crawl", "generic", "--root", "http://127.0.0.1:9/", "--out", str(tmp_path / "out")
    )
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 4, result.stderr
    log = next((tmp_path / "out" / "logs").glob("*.log")).read_text()
    assert "Traceback" in log or "Connect call failed" in log  # the details are in the log


def _slow_site_crawl(site: StaticSite, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, "-m", "newsarchive", "crawl", "generic",
            "--root", site.origin + "/", "--out", str(out),
            "-s", "CONCURRENT_REQUESTS=2", *extra,
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _report(out: Path) -> dict:
    latest = sorted((out / "reports").glob("generic-*.json"))[-1]
    return json.loads(latest.read_text())


def test_sigterm_exits_5_says_so_and_the_next_run_finishes_the_job(tmp_path):
    out = tmp_path / "out"
    with StaticSite(SITE, delay=0.05) as site:
        proc = _slow_site_crawl(site, out)
        deadline = time.monotonic() + 60
        # deterministic: stop once three records are written
        while len(jsonl_records(out) if (out / "jsonl").exists() else []) < 3:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == EXIT_INTERRUPTED, stderr
        assert "Traceback" not in stderr
        report = _report(out)
        assert report["exit_code"] == EXIT_INTERRUPTED
        assert report["finish_reason"] == "shutdown"
        assert "interrupted" in report["summary"] and "resumes" in report["summary"]
        again = run_cli("crawl", "generic", "--root", site.origin + "/", "--out", str(out))
    assert again.returncode == 0, again.stderr
    urls = [r["url"] for r in jsonl_records(out)]
    assert len(urls) == len(set(urls))  # every article once, over both runs
    assert _report(out)["stats"]["newsarchive/resume/runs"] == 1


def test_max_runtime_stops_the_run_resumable(tmp_path):
    out = tmp_path / "out"
    with StaticSite(SITE, delay=0.3) as site:
        started = time.monotonic()
        proc = _slow_site_crawl(site, out, "--max-runtime", "2s")
        _, stderr = proc.communicate(timeout=120)
        took = time.monotonic() - started
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    assert took < 20
    report = _report(out)
    assert report["finish_reason"] == "max_runtime"
    assert "NEWSARCHIVE_MAX_RUNTIME" in stderr  # one line says why it stopped


def test_progress_lines_only_when_asked_or_on_a_terminal(tmp_path):
    with StaticSite(SITE, delay=0.02) as site:
        quiet = _slow_site_crawl(site, tmp_path / "a")
        _, quiet_err = quiet.communicate(timeout=120)
        loud = _slow_site_crawl(
            site,
            tmp_path / "b",
            "-s", "NEWSARCHIVE_PROGRESS=on", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2",
        )  # fmt: skip
        _, loud_err = loud.communicate(timeout=120)
    assert quiet.returncode == loud.returncode == 0
    assert "pages/s" not in quiet_err  # stderr is a pipe here: cron gets nothing
    lines = [line for line in loud_err.splitlines() if line.startswith("generic: ")]
    assert lines and all(" pages, " in line and " articles, " in line for line in lines)


def test_the_demo_output_counts_still_go_to_stdout(replica_server, tmp_path):
    result = subprocess.run(
        crawl_args(replica_server, tmp_path / "out", "--max-articles", "5"),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    assert "trend: archived 5 articles" in result.stdout


def test_an_idle_frontier_worker_is_no_failure():
    from newsarchive.report import EXIT_NOTHING, EXIT_OK, outcome

    idle = {
        "finish_reason": "finished",
        "newsarchive/frontier/worker": "h:1",
        "newsarchive/frontier/taken": 0,
    }
    assert outcome(idle).exit_code == EXIT_OK
    assert "no work left" in outcome(idle).reason
    alone = {"finish_reason": "finished", "downloader/response_count": 4}
    assert outcome(alone).exit_code == EXIT_NOTHING  # not a frontier worker: nothing archived
    took = {**idle, "newsarchive/frontier/taken": 3}
    assert outcome(took).exit_code == EXIT_NOTHING  # it took work and archived nothing
