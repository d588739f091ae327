"""The garbage collector's pace during a crawl (``NEWSARCHIVE_GC_THRESHOLD``)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest
from scrapy.settings import Settings

from newsarchive.gctuning import gc_threshold, threshold_from_settings
from tests.conftest import run_cli


def test_threshold_holds_within_the_block_and_is_put_back():
    before = gc.get_threshold()
    with gc_threshold(12345):
        assert gc.get_threshold() == (12345, *before[1:])
    assert gc.get_threshold() == before


def test_threshold_is_put_back_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), gc_threshold(5000):
        raise RuntimeError("crawl failed")
    assert gc.get_threshold() == before


def test_zero_keeps_pythons_own():
    before = gc.get_threshold()
    with gc_threshold(0):
        assert gc.get_threshold() == before


@pytest.mark.parametrize(
    ("raw", "expected"), [(10_000, 10_000), ("2500", 2500), ("0", 0), (None, 0)]
)
def test_threshold_from_settings(raw, expected):
    settings = Settings({"NEWSARCHIVE_GC_THRESHOLD": raw})
    assert threshold_from_settings(settings) == expected


@pytest.mark.parametrize(("raw", "why"), [("lots", "whole number"), ("-5", "0 (Python's own)")])
def test_bad_thresholds_are_refused_with_the_setting_named(raw, why):
    with pytest.raises(ValueError, match=r"NEWSARCHIVE_GC_THRESHOLD must be") as exc:
        threshold_from_settings(Settings({"NEWSARCHIVE_GC_THRESHOLD": raw}))
    assert why in str(exc.value)


def test_a_bad_threshold_on_the_command_line_exits_2(tmp_path):
    result = run_cli(
        "crawl", "trend", "--root", "http://127.0.0.1:9/", "--out", str(tmp_path / "out"),
        "-s", "NEWSARCHIVE_GC_THRESHOLD=lots",
    )  # fmt: skip
    assert result.returncode == 2  # checked with the other arguments, before anything starts
    assert "NEWSARCHIVE_GC_THRESHOLD=lots: expected a whole number" in result.stderr


def test_a_negative_threshold_is_refused_before_the_crawl(tmp_path):
    result = run_cli(
        "crawl", "trend", "--root", "http://127.0.0.1:9/", "--out", str(tmp_path / "out"),
        "-s", "NEWSARCHIVE_GC_THRESHOLD=-5",
    )  # fmt: skip
    assert result.returncode == 3
    assert "NEWSARCHIVE_GC_THRESHOLD" in result.stderr


RUN_AND_REPORT = textwrap.dedent(
    """
    import gc, sys
    from pathlib import Path
    from scrapy.crawler import CrawlerProcess
    from newsarchive.crawl import CrawlOptions, run_crawl

    before, during = gc.get_threshold()[0], []
    CrawlerProcess.start = lambda self, *a, **k: during.append(gc.get_threshold()[0])
    settings = dict(arg.split("=", 1) for arg in sys.argv[2:])
    run_crawl(CrawlOptions(sites=["trend"], roots={"trend": ["http://127.0.0.1:9/"]},
                           out=Path(sys.argv[1]), settings=settings))
    print(before, gc.get_threshold()[0], during[0])
    """
)


@pytest.mark.parametrize(
    ("settings", "during"),
    [
        ([], 10_000),
        (["NEWSARCHIVE_GC_THRESHOLD=0"], 700),
        (["NEWSARCHIVE_GC_THRESHOLD=3000"], 3000),
    ],
)
def test_the_crawl_runs_at_the_configured_threshold(tmp_path, settings, during):
    # the real run_crawl in its own process; only the reactor is not started
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT, str(tmp_path / "out"), *settings],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    before, after, seen = map(int, result.stdout.split()[-3:])
    assert seen == (before if during is None else during)  # None: Python's own
    assert after == before  # back once the crawl is over
