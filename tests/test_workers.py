"""The extraction worker pool (newsarchive.workers.pool), on real child processes.

Each test drives a pool under a real Twisted reactor in a subprocess (a reactor runs once
per process) and checks what it printed: values, errors, counters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRELUDE = """
import json, os, sys
from twisted.internet import defer, task
from newsarchive.workers.pool import WorkerPool
from tests import worker_jobs as jobs

class Stats:
    def __init__(self):
        self.values = {}
    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count
    def max_value(self, key, value):
        self.values[key] = max(self.values.get(key, value), value)

async def outcome(d):
    try:
        return {"value": await d.asFuture(__import__("asyncio").get_event_loop())}
    except Exception as exc:
        return {"error": type(exc).__name__, "type_name": getattr(exc, "type_name", None),
                "message": str(exc), "remote": getattr(exc, "remote_traceback", "")}
"""


def run_pool(body: str, timeout: float = 60) -> dict:
    """Run ``body`` (the inside of ``async def scenario(pool, stats)``) and return the JSON
    it prints."""
    script = (
        PRELUDE
        + "\nasync def scenario(pool, stats):\n"
        + textwrap.indent(textwrap.dedent(body), "    ")
        + textwrap.dedent(
            """
            def main(reactor):
                stats = Stats()
                pool = WorkerPool(1, timeout=float(os.environ.get("POOL_TIMEOUT", 60)),
                                  stats=stats, reactor=reactor)
                pool.start()
                async def go():
                    result = await scenario(pool, stats)
                    await pool.close().asFuture(__import__("asyncio").get_event_loop())
                    result["stats"] = stats.values
                    result["workers_left"] = len(pool.workers)
                    print("RESULT " + json.dumps(result))
                import asyncio
                return defer.Deferred.fromFuture(asyncio.ensure_future(go()))

            from twisted.internet import asyncioreactor
            asyncioreactor.install()
            task.react(main)
            """
        )
    )
    env = {**os.environ, "POOL_TIMEOUT": os.environ.get("POOL_TIMEOUT", "60")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1][len("RESULT ") :])


def test_values_come_back_in_order_from_one_worker_process():
    result = run_pool(
        """
        values = [await outcome(pool.submit(jobs.square, n)) for n in range(20)]
        pids = {(await outcome(pool.submit(jobs.pid)))["value"] for _ in range(3)}
        return {"values": [v["value"] for v in values], "pids": sorted(pids),
                "me": os.getpid()}
        """
    )
    assert result["values"] == [n * n for n in range(20)]
    assert len(result["pids"]) == 1 and result["pids"][0] != result["me"]
    assert result["stats"]["newsarchive/extract/workers/started"] == 1
    assert "newsarchive/extract/workers/in_process" not in result["stats"]
    assert result["workers_left"] == 0  # close() waited for the worker to exit
    assert result["stats"]["newsarchive/extract/workers/max_rss_kib"] > 1000


def test_concurrent_calls_all_answer():
    result = run_pool(
        """
        ds = [pool.submit(jobs.square, n) for n in range(200)]
        values = [(await outcome(d))["value"] for d in ds]
        return {"values": values}
        """
    )
    assert result["values"] == [n * n for n in range(200)]


def test_an_exception_in_the_worker_fails_that_call_with_its_type_and_traceback():
    result = run_pool(
        """
        bad = await outcome(pool.submit(jobs.fail, "no title"))
        good = await outcome(pool.submit(jobs.square, 3))
        return {"bad": bad, "good": good}
        """
    )
    assert result["bad"]["error"] == "WorkerError"
    assert result["bad"]["type_name"] == "ValueError"
    assert result["bad"]["message"] == "ValueError: no title"
    assert "worker_jobs.py" in result["bad"]["remote"]
    assert result["good"] == {"value": 9}


def test_a_crash_fails_only_the_running_call_and_the_queue_goes_to_a_new_worker():
    result = run_pool(
        """
        first = pool.submit(jobs.pid)
        crash = pool.submit(jobs.die)
        queued = [pool.submit(jobs.square, n) for n in range(5)]
        after = pool.submit(jobs.pid)
        return {"first": await outcome(first), "crash": await outcome(crash),
                "queued": [await outcome(d) for d in queued], "after": await outcome(after)}
        """
    )
    assert result["crash"]["error"] == "WorkerCrashed"
    assert [q["value"] for q in result["queued"]] == [0, 1, 4, 9, 16]
    assert result["after"]["value"] != result["first"]["value"]  # a new process
    stats = result["stats"]
    assert stats["newsarchive/extract/workers/crashes"] == 1
    assert stats["newsarchive/extract/workers/restarts"] == 1
    assert stats["newsarchive/extract/workers/started"] == 2


def test_a_call_past_the_timeout_kills_its_worker_and_fails_alone(monkeypatch):
    monkeypatch.setenv("POOL_TIMEOUT", "1")
    result = run_pool(
        """
        slow = pool.submit(jobs.sleep, 60)
        queued = pool.submit(jobs.square, 7)
        return {"slow": await outcome(slow), "queued": await outcome(queued)}
        """,
        timeout=45,
    )
    assert result["slow"]["error"] == "WorkerTimeout"
    assert result["queued"] == {"value": 49}
    assert result["stats"]["newsarchive/extract/workers/timeouts"] == 1


def test_calls_a_worker_cannot_load_run_in_the_parent():
    result = run_pool(
        """
        import __main__
        def local_double(n):
            return 2 * n
        # pickled as __main__.local_double: the worker's __main__ has no such function
        local_double.__qualname__ = "local_double"
        __main__.local_double = local_double
        unpicklable = await outcome(pool.submit(lambda n: n * 10, 4))
        here = await outcome(pool.submit(local_double, 21))
        return {"unpicklable": unpicklable, "here": here}
        """
    )
    assert result["unpicklable"] == {"value": 40}
    assert result["here"] == {"value": 42}
    assert result["stats"]["newsarchive/extract/workers/in_process"] == 2


def test_prints_in_a_job_do_not_corrupt_the_results():
    result = run_pool(
        """
        return {"values": [(await outcome(pool.submit(jobs.noisy, n)))["value"]
                           for n in range(5)]}
        """
    )
    assert result["values"] == [1, 2, 3, 4, 5]


def test_a_worker_error_is_counted_under_the_original_exception_type():
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from newsarchive.workers.pool import WorkerError, WorkerTimeout
    from spiders.trend import TrendSpider

    crawler = get_crawler(TrendSpider)
    crawler.stats.open_spider()
    spider = TrendSpider.from_crawler(crawler)
    response = HtmlResponse("http://trend-en.test/en/a/1.html", body=b"<html></html>")
    spider._extraction_failed(response, WorkerError("ValueError", "bad date", "Traceback..."))
    spider._extraction_failed(response, WorkerTimeout("ran longer than 60 s"))
    stats = crawler.stats.get_stats()
    assert stats["newsarchive/extract/errors"] == 2
    assert stats["newsarchive/extract/errors/ValueError"] == 1
    assert stats["newsarchive/extract/errors/WorkerTimeout"] == 1
