"""``newsarchive run PLAN`` and ``newsarchive status DIR`` through the real command line:
a plan of four sites (Trend and BakuTel of the replica, the generic spider on a replica
edition and on the static test site) crawled into one folder by parallel processes."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.static_site import StaticSite

SITE = Path(__file__).parent / "sites" / "generic"
STATIC_ARTICLES = len(json.loads((SITE / "expected.json").read_text("utf-8")))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def static_site():
    with StaticSite(SITE) as site:
        yield site


def write_plan(path: Path, replica, static_site, extra: str = "") -> Path:
    trend_en, trend_az, trend_ru = replica.roots["trend"]
    (bakutel,) = replica.roots["bakutel"]
    path.write_text(
        f"""
[defaults]
every = "6h"

# politeness delays make every crawl last several seconds, longer than the processes take
# to start one after the other (each run claims its own second as its id)

[sites.trend]
roots = ["{trend_en}", "{trend_az}"]
politeness = {{ delay = 0.04 }}

[sites.bakutel]
roots = ["{bakutel}"]
politeness = {{ delay = 0.04 }}

[sites.trend_ru]
spider = "generic"
roots = ["{trend_ru}"]
politeness = {{ delay = 0.07 }}

[sites.static_news]
spider = "generic"
roots = ["{static_site.origin}/"]
politeness = {{ delay = 0.3 }}
{extra}
"""
    )
    return path


def start_run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
    )


def reports(out: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = collections.defaultdict(list)
    for path in sorted((out / "reports").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        found[data["site"]].append(data)
    return found


def records(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((out / "jsonl").glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def plan_run(replica_server, static_site, tmp_path_factory):
    """Two overlapping ``run`` calls of a four-site plan into one folder."""
    tmp = tmp_path_factory.mktemp("plan")
    plan = write_plan(tmp / "plan.toml", replica_server, static_site)
    out = tmp / "archive"
    before = len(replica_server.requests)
    started = time.monotonic()
    first = start_run(str(plan), "--out", str(out), "--jobs", "4")
    second = start_run(str(plan), "--out", str(out), "--jobs", "4")
    results = [p.communicate(timeout=600) for p in (first, second)]
    wall = time.monotonic() - started
    codes = [first.returncode, second.returncode]
    requests = list(replica_server.requests[before:])
    return plan, out, results, codes, wall, requests


def test_every_site_is_crawled_once_by_overlapping_calls(plan_run):
    _plan, out, results, codes, _wall, _requests = plan_run
    assert codes == [0, 0], results
    found = reports(out)
    assert sorted(found) == ["bakutel", "static_news", "trend", "trend_ru"]
    assert all(len(runs) == 1 for runs in found.values()), found.keys()
    assert all(runs[0]["exit_code"] == 0 for runs in found.values())
    lines = [line for stdout, _ in results for line in stdout.splitlines()]
    for site in found:
        mine = [line for line in lines if line.startswith(site + ":")]
        assert len(mine) == 2, lines  # one line per site and call
        assert sum(": exit 0: archived" in line for line in mine) == 1, mine
        # the other call found it running or, once done, not due
        assert sum(line.endswith(": running") or "not due" in line for line in mine) == 1


def test_the_sites_ran_in_parallel_processes(plan_run):
    _plan, out, _results, _codes, wall, _requests = plan_run
    found = reports(out)
    spans = [(when(r[0]["started_at"]), when(r[0]["finished_at"])) for r in found.values()]
    # at one moment all four crawls were running at once
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans
    assert wall < sum((end - start).total_seconds() for start, end in spans)
    assert len({r[0]["run_id"] for r in found.values()}) == 4  # four processes, four logs


def test_records_and_warc_files_of_the_sites_validate_together(plan_run, replica_server):
    _plan, out, _results, _codes, _wall, _requests = plan_run
    by_site = collections.defaultdict(list)
    for record in records(out):
        by_site[record["site"]].append(record["url"])
    truth = collections.defaultdict(set)
    for record in replica_server.expected_records():
        truth[record["url"].split("/")[2]].add(record["url"])
    trend_en, trend_az, trend_ru = (u.split("/")[2] for u in replica_server.roots["trend"])
    (bakutel,) = (u.split("/")[2] for u in replica_server.roots["bakutel"])
    assert sorted(by_site["trend"]) == sorted(truth[trend_en] | truth[trend_az])
    assert sorted(by_site["bakutel"]) == sorted(truth[bakutel])
    assert sorted(by_site["trend_ru"]) == sorted(truth[trend_ru])
    assert len(by_site["static_news"]) == len(set(by_site["static_news"])) == STATIC_ARTICLES
    prefixes = {p.name.split("-")[0] for p in (out / "warc").glob("*.warc.gz")}
    assert prefixes == {"trend", "bakutel", "trend_ru", "static_news"}
    result = run_cli("validate", str(out / "warc"), str(out / "jsonl"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert " 0 errors" in result.stdout


def test_a_second_call_starts_nothing_and_exits_at_once(plan_run):
    plan, out, _results, _codes, _wall, _requests = plan_run
    logs = sorted(p.name for p in (out / "logs").iterdir())
    started = time.monotonic()
    result = run_cli("run", str(plan), "--out", str(out))
    assert time.monotonic() - started < 10
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert all("not due (last success" in line for line in lines), lines
    assert result.stderr == ""
    assert sorted(p.name for p in (out / "logs").iterdir()) == logs  # no run started


def test_status_shows_each_site(plan_run):
    plan, out, _results, _codes, _wall, _requests = plan_run
    result = run_cli("status", str(out), "--plan", str(plan), "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["site"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert sorted(rows) == ["bakutel", "static_news", "trend", "trend_ru"]
    for row in rows.values():
        assert row["exit_code"] == 0 and row["outcome"].startswith("exit 0: archived")
        assert row["next_due"] > row["last_run"]  # six hours later (ISO strings)
        assert not row["running"]
    assert rows["static_news"]["articles"] == STATIC_ARTICLES
    text = run_cli("status", str(out)).stdout
    assert text.splitlines()[0].split()[:2] == ["SITE", "LAST"]
    assert any(line.startswith("trend_ru ") for line in text.splitlines())


def test_a_site_that_cannot_start_gives_the_worst_status(
    replica_server, static_site, tmp_path: Path
):
    plan = write_plan(
        tmp_path / "plan.toml",
        replica_server,
        static_site,
        extra='\n[sites.nosuch]\nspider = "nosuchspider"\n',
    )
    result = run_cli("run", str(plan), "--out", str(tmp_path / "out"), "--site", "nosuch")
    assert result.returncode == 3
    assert result.stdout.startswith("nosuch: exit 3: unknown site nosuchspider")
    assert result.stderr.count("\n") == 1 and "nosuch" in result.stderr
    again = run_cli("run", str(plan), "--out", str(tmp_path / "out"), "--site", "nosuch")
    assert again.returncode == 3  # a failed site is due again


def test_an_invalid_plan_is_bad_usage(tmp_path: Path):
    plan = tmp_path / "plan.toml"
    plan.write_text("[sites.trend]\n")
    result = run_cli("run", str(plan), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no schedule" in result.stderr
    assert not (tmp_path / "out").exists()
