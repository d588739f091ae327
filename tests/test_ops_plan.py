"""Crawl plans: parsing, checking and the schedule rule (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsarchive.ops.history import RunInfo, SiteHistory, run_started
from newsarchive.ops.plan import (
    PlanError,
    is_due,
    load_plan,
    parse_duration,
    parse_plan,
    parse_size,
)

PLAN = """
out = "archive"

[defaults]
every = "6h"

[sites.trend]
roots = ["http://127.0.0.1:8101/", "http://127.0.0.1:8102/"]
max_articles = 50

[sites.trend.limits]
pages = 1000
bytes = "500MB"
runtime = "1h"

[sites.trend.politeness]
delay = 0.5
concurrency = 2
autothrottle = true

[sites.trend.settings]
NEWSARCHIVE_WARC_MAX_SIZE = 100000000
NEWSARCHIVE_WARC_DEDUP = false
CUSTOM_LIST = ["a", "b"]

[sites.static_news]
spider = "generic"
roots = "http://127.0.0.1:9000/"
every = "30m"
frontier = "redis://127.0.0.1:6379/0"
"""


def test_a_plan_is_read_with_its_defaults(tmp_path: Path):
    path = tmp_path / "plan.toml"
    path.write_text(PLAN)
    plan = load_plan(path)
    assert plan.out == tmp_path / "archive"
    trend, static = plan.sites
    assert (trend.name, trend.spider, trend.every) == ("trend", "trend", timedelta(hours=6))
    assert (static.name, static.spider, static.every) == (
        "static_news",
        "generic",
        timedelta(minutes=30),
    )
    assert static.roots == ("http://127.0.0.1:9000/",)
    assert trend.max_bytes == 500_000_000
    assert trend.scrapy_settings() == {
        "NEWSARCHIVE_SITE": "trend",
        "CLOSESPIDER_PAGECOUNT": "1000",
        "NEWSARCHIVE_MAX_BYTES": "500000000",
        "CLOSESPIDER_TIMEOUT": "3600",
        "DOWNLOAD_DELAY": "0.5",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "AUTOTHROTTLE_ENABLED": "1",
        "NEWSARCHIVE_WARC_MAX_SIZE": "100000000",
        "NEWSARCHIVE_WARC_DEDUP": "0",
        "CUSTOM_LIST": '["a", "b"]',
    }


def test_an_entry_becomes_crawl_arguments(tmp_path: Path):
    plan = parse_plan(__import__("tomllib").loads(PLAN), tmp_path / "p.toml")
    static = plan.site("static_news")
    assert static is not None
    assert static.crawl_args(Path("/data")) == [
        "crawl", "generic", "--out", "/data",
        "--root", "http://127.0.0.1:9000/",
        "--frontier", "redis://127.0.0.1:6379/0",
        "-s", "NEWSARCHIVE_SITE=static_news",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no [sites.NAME] table"),
        ("[sites.x]\nspider='trend'\n", "no schedule"),
        ("[sites.x]\nevery='6 hours'\n", "not a duration"),
        ("[sites.x]\nevery='0s'\n", "not a positive duration"),
        ("[sites.x]\nevery='6h'\nroot='http://a/'\n", "unknown key root"),
        ("[sites.x-y]\nevery='6h'\n", "the name may hold only"),
        ("[sites.x]\nevery='6h'\nroots=['ftp://a/']\n", "not an http(s) URL"),
        ("[sites.x]\nevery='6h'\nmax_articles=0\n", "max_articles must be"),
        ("[sites.x]\nevery='6h'\n[sites.x.limits]\nbytes='lots'\n", "not a size"),
        ("[sites.x]\nevery='6h'\n[sites.x.limits]\nitems=3\n", "unknown key limits.items"),
        ("[sites.x]\nevery='6h'\n[sites.x.politeness]\ndelay='1s'\n", "delay must be"),
        ("[sites.x]\nevery='6h'\nfrontier='http://redis/'\n", "frontier must be"),
        ("sites = 3\n", "no [sites.NAME] table"),
        ("other = 1\n[sites.x]\nevery='1h'\n", "unknown key other"),
    ],
)
def test_invalid_plans_say_what_is_wrong(tmp_path: Path, text: str, message: str):
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_unreadable_and_broken_plans(tmp_path: Path):
    with pytest.raises(PlanError, match="cannot read"):
        load_plan(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[sites\n")
    with pytest.raises(PlanError, match="not TOML"):
        load_plan(tmp_path / "bad.toml")


def test_durations_and_sizes():
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("1.5h") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("1w") == timedelta(days=7)
    assert parse_duration(600) == timedelta(minutes=10)
    assert parse_size("2GB") == 2_000_000_000
    assert parse_size("10MiB") == 10 * 1024**2
    assert parse_size("1500") == 1500
    assert parse_size(4096) == 4096
    for bad in (True, "-1h", "h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_due_when_never_ran_or_the_last_success_is_old_enough():
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    every = timedelta(hours=6)
    assert is_due(every, None, now)
    assert is_due(every, now - timedelta(hours=6), now)
    assert not is_due(every, now - timedelta(hours=5, minutes=59), now)


def test_failed_and_killed_runs_do_not_count_as_success():
    history = SiteHistory(
        "trend",
        [
            RunInfo("20260102000000", 0, "archived 5 articles", 5),
            RunInfo("20260102060000", 1, "archived 4 articles with 1 errors", 4),
            RunInfo("20260102070000", 4, "archived no article"),
            RunInfo("20260102080000", None, "no report"),
        ],
    )
    assert history.last_success is not None
    assert history.last_success.run == "20260102060000"
    assert history.last is not None and history.last.run == "20260102080000"
    assert history.articles == 9
    assert run_started("20260102060000") == datetime(2026, 1, 2, 6, 0, tzinfo=UTC)
