"""Field coverage in every run report, and drift against the site's recent runs (exit 7)
(issue #13, item 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsarchive.replica import Replica, ReplicaServer
from newsarchive.report import (
    BODY_MIN_CHARS,
    COVERAGE_FIELDS,
    DRIFT_STAT,
    EXIT_CODES,
    EXIT_DRIFT,
    EXIT_ERRORS,
    EXIT_OK,
    CoverageCounter,
    DriftRule,
    build_report,
    complete_run,
    field_present,
    find_drift,
    outcome,
    prior_coverage,
)
from tests.conftest import run_cli
from tests.test_schema_files import GOOD, validator

RULE = DriftRule()


# -- pure functions ----------------------------------------------------------------------


def test_field_present():
    assert all(field_present(GOOD, name) for name in ("title", "published", "dateline"))
    assert field_present(GOOD, "published_time")
    assert not field_present({**GOOD, "published": "2014-05-02"}, "published_time")
    assert field_present({**GOOD, "published": "2014-05-02"}, "published")
    assert not field_present({**GOOD, "published": None}, "published")
    assert not field_present(GOOD, "authors") and not field_present(GOOD, "image")
    assert field_present(GOOD, "headlines") and field_present(GOOD, "rates")
    assert not field_present({**GOOD, "boilerplate": {"rates": []}}, "rates")
    assert not field_present(GOOD, "body"), "a 46-character body is below the minimum"
    assert field_present({**GOOD, "body": "x" * BODY_MIN_CHARS}, "body")


def test_coverage_counter_gives_shares():
    counter = CoverageCounter()
    assert counter.summary()["fields"]["title"] is None
    for published in ("2014-05-02T14:12:00+05:00", None, None, "2014-05-02"):
        counter.add({**GOOD, "published": published})
    summary = counter.summary()
    assert summary["records"] == 4
    assert set(summary["fields"]) == set(COVERAGE_FIELDS)
    assert summary["fields"]["published"] == 0.5
    assert summary["fields"]["published_time"] == 0.25
    assert summary["fields"]["title"] == 1.0
    assert summary["body_chars_median"] == len(GOOD["body"])


def coverage(records: int = 100, **shares: float) -> dict:
    fields = dict.fromkeys(COVERAGE_FIELDS, 1.0)
    fields.update(shares)
    return {"records": records, "fields": fields}


def test_drift_is_well_below_the_median_of_recent_runs():
    history = [
        (f"2024010{i}000000", coverage(published=v)["fields"])
        for i, v in enumerate((0.9, 1.0, 0.2, 1.0, 0.95))
    ]
    # median 0.95: below 0.475 drifts, at 0.5 it does not
    assert find_drift(coverage(published=0.5), history, RULE) == []
    drift = find_drift(coverage(published=0.4), history, RULE)
    assert [(d["field"], d["coverage"], d["baseline"]) for d in drift] == [("published", 0.4, 0.95)]
    assert drift[0]["runs"] == [run for run, _ in history]


def test_no_drift_without_history_or_below_the_floor():
    assert find_drift(coverage(published=0.0), [], RULE) == []
    low = [("20240101000000", coverage(dateline=0.25)["fields"])]
    assert find_drift(coverage(dateline=0.0), low, RULE) == [], "baseline under the floor"
    at_floor = [("20240101000000", coverage(dateline=0.3)["fields"])]
    assert [d["field"] for d in find_drift(coverage(dateline=0.1), at_floor, RULE)] == ["dateline"]


def test_complete_runs_only():
    assert complete_run("finished", coverage(records=20), RULE)
    assert not complete_run("finished", coverage(records=19), RULE)
    assert not complete_run("shutdown", coverage(), RULE)
    assert not complete_run("finished", None, RULE)


def write_report(folder: Path, site: str, run: str, cov: dict | None, reason="finished"):
    folder.mkdir(parents=True, exist_ok=True)
    report = {"site": site, "run_id": run, "finish_reason": reason, "exit_code": 0}
    if cov is not None:
        report["coverage"] = cov
    (folder / f"{site}-{run}.json").write_text(json.dumps(report), "utf-8")


def test_prior_coverage_takes_the_last_complete_runs_of_the_site(tmp_path):
    reports = tmp_path / "reports"
    for day in range(1, 9):
        write_report(reports, "trend", f"2024010{day}000000", coverage(published=day / 10))
    write_report(reports, "trend", "20240109000000", coverage(), reason="shutdown")
    write_report(reports, "trend", "20240109100000", coverage(records=3))
    write_report(reports, "trend", "20240109200000", None)  # a report before coverage
    write_report(reports, "bakutel", "20240109300000", coverage())
    write_report(reports, "trend", "20240120000000", coverage())  # later than this run
    (reports / "trend-20240109400000.json").write_text("{broken", "utf-8")
    found = prior_coverage(reports, "trend", "20240110000000", RULE)
    assert [run for run, _ in found] == [f"2024010{d}000000" for d in (8, 7, 6, 5, 4)]
    assert found[0][1]["published"] == 0.8
    assert prior_coverage(reports, "trend", "20240110000000", DriftRule(runs=0)) == []


def test_outcome_exit_7_with_drift_and_unchanged_without():
    stats = {"newsarchive/jsonl/records": 50, "finish_reason": "finished"}
    assert outcome(stats).exit_code == EXIT_OK
    drifted = outcome({**stats, DRIFT_STAT: "published, published_time"})
    assert drifted.exit_code == EXIT_DRIFT == 7
    assert "coverage drifted: published, published_time" in drifted.reason
    errors = {**stats, "newsarchive/validation/errors/x": 2}
    assert outcome(errors).exit_code == EXIT_ERRORS
    both = outcome({**errors, DRIFT_STAT: "title"})
    assert both.exit_code == EXIT_DRIFT and "2 errors" in both.reason
    nothing = outcome({"finish_reason": "finished", DRIFT_STAT: "title"})
    assert nothing.exit_code == 4


def test_report_carries_coverage_and_drift():
    cov = coverage()
    report = build_report("trend", "20240101000000", {"finish_reason": "finished"}, cov, [])
    assert report["report_version"] == 2
    assert report["coverage"] == cov and report["drift"] == []
    assert "coverage" not in build_report("trend", "20240101000000", {})


def test_exit_7_is_documented():
    assert "drift" in EXIT_CODES[EXIT_DRIFT]
    docs = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text("utf-8")
    assert "| 7 |" in docs and "NEWSARCHIVE_DRIFT_RATIO" in docs


# -- end to end: a replica whose BakuTel date markup changed ---------------------------------


def crawl(server: ReplicaServer, out: Path, *sites: str):
    args = ["crawl", *sites, "--out", str(out)]
    for site in sites:
        args += [arg for url in server.roots[site] for arg in ("--root", f"{site}={url}")]
    return run_cli(*args, cwd=Path("/"))


def seeded_folder(crawl_run, tmp_path: Path) -> Path:
    """A fresh output folder whose reports/ holds the session crawl's reports: the sites'
    recent runs (a fresh folder, so every article is fetched and recorded again)."""
    out = tmp_path / "archives"
    shutil.copytree(crawl_run.out / "reports", out / "reports")
    return out


def test_the_session_crawl_reports_full_coverage(crawl_run):
    reports = crawl_run.reports()
    for site in ("trend", "bakutel"):
        cov = reports[site]["coverage"]
        assert cov["records"] == 180
        assert cov["fields"]["published"] == 1.0 and cov["fields"]["title"] == 1.0
        assert reports[site]["drift"] == []
    assert reports["bakutel"]["coverage"]["fields"]["rates"] > 0.5
    assert reports["trend"]["coverage"]["fields"]["rates"] == 0.0
    assert reports["trend"]["coverage"]["fields"]["dateline"] > 0.5


@pytest.mark.slow
def test_a_layout_whose_date_markup_changed_trips_the_drift_code(crawl_run, tmp_path):
    out = seeded_folder(crawl_run, tmp_path)
    with ReplicaServer(Replica(undated=("bakutel",)), record_requests=False) as server:
        result = crawl(server, out, "trend", "bakutel")
    assert result.returncode == EXIT_DRIFT, result.stdout + result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines()[:2])
    # the pages lost their time of day; the crawl still takes the day from the listings
    assert "coverage drifted: published_time (see the report)" in lines["bakutel"]
    assert lines["trend"].startswith("archived 180 articles"), "trend unchanged: exit 0"
    report = max(
        (json.loads(p.read_text()) for p in (out / "reports").glob("bakutel-*.json")),
        key=lambda r: r["run_id"],
    )
    assert report["exit_code"] == EXIT_DRIFT
    assert report["coverage"]["fields"]["published_time"] == 0.0
    assert report["coverage"]["fields"]["title"] == 1.0
    assert [d["field"] for d in report["drift"]] == ["published_time"]
    assert report["drift"][0]["baseline"] == 1.0
    assert report["drift"][0]["runs"] == [crawl_run.reports()["bakutel"]["run_id"]]
    trend = max((out / "reports").glob("trend-*.json"))
    assert json.loads(trend.read_text())["drift"] == []
    # the drifted records (day-only dates from the listings) meet the shipped JSON Schema
    check = validator()
    for path in (out / "jsonl").glob("bakutel-*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            assert len(record["published"]) == 10, record["published"]
            assert [e.message for e in check.iter_errors(record)] == [], record["url"]
    # the records are valid: a missing date is null, not an error
    assert report["errors"] == 0


@pytest.mark.slow
def test_the_same_crawl_of_the_unchanged_replica_exits_0(crawl_run, tmp_path):
    out = seeded_folder(crawl_run, tmp_path)
    with ReplicaServer(Replica(), record_requests=False) as server:
        result = crawl(server, out, "bakutel")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    latest = max((out / "reports").glob("bakutel-*.json"))
    assert json.loads(latest.read_text())["drift"] == []


def test_the_replica_knob_is_opt_in():
    default, undated = (
        Replica(articles_per_edition=3),
        Replica(articles_per_edition=3, undated=["bakutel"]),
    )
    origins = {
        k: f"http://127.0.0.1:{8000 + i}"
        for i, k in enumerate(("trend-en", "trend-az", "trend-ru", "bakutel"))
    }
    art = default.edition("bakutel", "en")[0]
    page = default.render(origins)["bakutel"].pages[art.path].body
    changed = undated.render(origins)["bakutel"].pages[art.path].body
    assert b'class="news-date"' in page and b"news-time" not in page
    assert b'class="news-time"' in changed and b"news-date" not in changed
    assert page.replace(b"news-date", b"news-time") == changed, "only the markup changed"
    truth = {r["url"]: r for r in undated.expected_records(origins)}
    assert truth[origins["bakutel"] + art.path]["published"] is None
    with pytest.raises(ValueError, match="unknown site"):
        Replica(undated=["nosuch"])
