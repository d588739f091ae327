"""Running crawls: one process, one run id, a lock per site in the output folder, one exit
status."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from newsarchive.console import install_console
from newsarchive.errors import StartError
from newsarchive.gctuning import gc_threshold, threshold_from_settings
from newsarchive.projectsettings import base_settings
from newsarchive.report import EXIT_NOTHING, EXIT_OK, EXIT_START_FAILED, Outcome, outcome
from newsarchive.runinfo import new_run_id

DEMO_PORTS = {"trend-en": 8101, "trend-az": 8102, "trend-ru": 8103, "bakutel": 8104}
"""Where ``newsarchive demo`` serves the replica when the ports are free."""


@dataclass
class CrawlOptions:
    """What ``newsarchive crawl`` was asked to do."""

    sites: list[str]
    roots: dict[str, list[str]] = field(default_factory=dict)
    out: Path = Path("archives")
    max_articles: int | None = None
    log_level: str = "INFO"
    settings: Mapping[str, object] = field(default_factory=dict)
    """Extra Scrapy settings (tests and the benchmark use this)."""


def claim_run_id(out: Path) -> str:
    """A run id no other run in ``out`` has used, claimed by creating its log file.

    Run ids are UTC seconds. The log file ``logs/{RUN}.log`` is created exclusively, so two
    runs starting in the same second (two sites sharing the folder, or a rerun right after
    a crash) never get one id: the later one takes the next second, and the earlier run
    stays distinguishable (and resumable).
    """
    log_dir = out / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    while True:
        run = new_run_id()
        used = any(
            next((out / folder).glob(f"*-{run}.*"), None) is not None
            for folder in ("jsonl", "reports")
        )
        if not used:
            try:
                (log_dir / f"{run}.log").open("x").close()
                return run
            except FileExistsError:
                pass
        time.sleep(0.05)


def project_settings(out: Path, run: str, log_level: str = "INFO") -> Settings:
    """newsarchive's Scrapy settings for a run writing into ``out``."""
    settings = base_settings()
    settings.set("NEWSARCHIVE_OUT", str(out), priority="cmdline")
    settings.set("NEWSARCHIVE_RUN_ID", run, priority="cmdline")
    log_dir = out / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    settings.set("LOG_FILE", str(log_dir / f"{run}.log"), priority="cmdline")
    settings.set("LOG_FILE_APPEND", False, priority="cmdline")
    settings.set("LOG_LEVEL", log_level.upper(), priority="cmdline")
    return settings


def run_crawl(options: CrawlOptions) -> int:
    """Crawl ``options.sites`` concurrently in this process; print one line per site and
    return the worst exit status (see :mod:`newsarchive.report`).

    Each site's run takes the folder's lock for that site itself (the ``ArchiveFolder``
    extension); a site whose lock another run holds does not start (exit 3) while the
    others crawl."""
    out = Path(options.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        run = claim_run_id(out)
        settings = project_settings(out, run, options.log_level)
    except OSError as exc:
        raise StartError(f"cannot write to {out}: {exc}") from exc
    settings.setdict(options.settings, priority="cmdline")
    try:
        threshold = threshold_from_settings(settings)
    except ValueError as exc:
        raise StartError(str(exc)) from exc
    process = CrawlerProcess(settings)
    console = install_console(settings.get("LOG_LEVEL", "INFO"))
    known = sorted(process.spider_loader.list())
    unknown = [s for s in options.sites if s not in known]
    if unknown:
        raise StartError(f"unknown site {', '.join(unknown)} (known: {', '.join(known)})")
    crawlers: list[Crawler] = []
    failed: dict[str, BaseException] = {}
    for site in options.sites:
        crawler = process.create_crawler(site)
        kwargs: dict[str, object] = {}
        if options.roots.get(site):
            kwargs["root"] = options.roots[site]
        if options.max_articles:
            kwargs["max_articles"] = options.max_articles
        try:  # a spider refusing its arguments (e.g. generic without --root) is exit 3
            crawler.spidercls(**kwargs)  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:
            raise StartError(f"{site}: {exc}") from exc
        deferred = process.crawl(crawler, **kwargs)
        deferred.addErrback(_note_failure, failed, site)
        crawlers.append(crawler)
    with gc_threshold(threshold):
        process.start()
    console.close_summary()
    outcomes = []
    for crawler in crawlers:
        site = crawler.spidercls.name
        if site in failed:
            outcomes.append((site, _start_failure(failed[site])))
        else:
            outcomes.append((site, _crawler_outcome(crawler)))
    for site, result in outcomes:
        if result.exit_code == EXIT_START_FAILED:
            print(f"newsarchive: {site}: {result.reason}", file=sys.stderr)
        print(f"{site}: {result.reason}")
    print(f"output: {out.resolve()} (run {run}; log {out / 'logs' / (run + '.log')})")
    return max((r.exit_code for _, r in outcomes), default=EXIT_OK)


def _note_failure(failure: Failure, failed: dict[str, BaseException], site: str) -> None:
    """A crawl that could not start (its folder lock is held, ...): kept for the outcome."""
    failed.setdefault(site, failure.value)


def _start_failure(error: BaseException) -> Outcome:
    """The outcome of a site whose crawl could not start (its folder lock is held, ...)."""
    if isinstance(error, StartError):
        why = str(error)
    else:
        why = f"could not start: {type(error).__name__}: {' '.join(str(error).split())}"
    return Outcome(EXIT_START_FAILED, why, 0, 0, 0)


def _crawler_outcome(crawler: Crawler) -> Outcome:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return outcome(stats)


def run_demo(out: Path, *, max_articles: int | None = None, log_level: str = "INFO") -> int:
    """Serve the bundled replica of both sites on 127.0.0.1 and crawl it into ``out``;
    into an empty folder, crawl it once more after it moved on six hours (new and
    corrected articles, ``--recheck all``), to show versions and 304 revisits."""
    from newsarchive.replica import Replica, ReplicaServer

    # The replica's clock is the start of the current day (UTC) and its ports are fixed
    # (when free): a second demo the same day meets the same site, in its later state, and
    # fetches no article page and stores no new record.
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = Replica(now=now - timedelta(hours=6))
    later = first.later(hours=6)
    fresh = not any(out.glob("jsonl/*.jsonl"))
    with ReplicaServer(first if fresh else later, ports=DEMO_PORTS) as server:
        roots = server.roots
        print("serving the replica sites:")
        for site, urls in roots.items():
            print(f"  {site}: {' '.join(urls)}")
        args = ["crawl", "trend", "bakutel", "--out", str(out), "--log-level", log_level]
        for site, urls in roots.items():
            args += [arg for url in urls for arg in ("--root", f"{site}={url}")]
        if max_articles:
            args += ["--max-articles", str(max_articles)]
        status = _demo_pass(args)
        if not fresh or status not in (EXIT_OK, EXIT_NOTHING):
            return status
        server.serve(later)
        fixed = server.url_for(later.corrected_articles[0])
        print(
            f"\nsix hours later: {len(later.new_articles)} new articles, "
            f"{len(later.corrected_articles)} corrected, new rates and headlines everywhere; "
            "crawling again with --recheck all (conditional requests):"
        )
        status = max(status, _demo_pass([*args, "--recheck", "all"]))
        print(f"\nan article's versions: newsarchive history {out} {fixed}")
        return status


def _demo_pass(args: list[str]) -> int:
    """One crawl of the demo, in its own process (a Twisted reactor runs once per process)."""
    return subprocess.run([sys.executable, "-m", "newsarchive", *args], check=False).returncode
