"""Running crawls: one process, one run id, one lock on the output folder, one exit status."""

from __future__ import annotations

import fcntl
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from newsarchive.errors import StartError
from newsarchive.gctuning import gc_threshold, threshold_from_settings
from newsarchive.projectsettings import base_settings
from newsarchive.report import EXIT_OK, Outcome, outcome
from newsarchive.runinfo import new_run_id

LOCK_NAME = ".newsarchive.lock"
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
    settings: dict[str, object] = field(default_factory=dict)
    """Extra Scrapy settings (tests and the benchmark use this)."""


class OutputLock:
    """An exclusive ``flock`` on ``DIR/.newsarchive.lock``: no two runs write one folder.

    The lock dies with the process, so a crashed or killed run never leaves it stale.
    """

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")  # noqa: SIM115 - kept open while the run lasts
        except OSError as exc:
            raise StartError(f"cannot use output folder {self.path.parent}: {exc}") from exc
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise StartError(
                f"another run (pid {holder}) is writing {self.path.parent}; not starting"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def unique_run_id(out: Path) -> str:
    """A run id no earlier run in ``out`` has used.

    Run ids are UTC seconds; a run started within the second after another (a rerun right
    after a crash) waits for the next second, so that its files never mix with the
    earlier run's and the earlier run stays distinguishable (and resumable).
    """
    while True:
        run = new_run_id()
        used = (out / "logs" / f"{run}.log").exists() or any(
            next((out / folder).glob(f"*-{run}.*"), None) is not None
            for folder in ("jsonl", "reports")
        )
        if not used:
            return run
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


def _console_warnings(level: str) -> None:
    """Warnings and errors also go to stderr (cron mails them); the rest to the log file."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def run_crawl(options: CrawlOptions) -> int:
    """Crawl ``options.sites`` concurrently in this process; print one line per site and
    return the worst exit status (see :mod:`newsarchive.report`)."""
    out = Path(options.out)
    with OutputLock(out):
        run = unique_run_id(out)
        try:
            settings = project_settings(out, run, options.log_level)
        except OSError as exc:
            raise StartError(f"cannot write to {out}: {exc}") from exc
        settings.setdict(options.settings, priority="cmdline")
        try:
            threshold = threshold_from_settings(settings)
        except ValueError as exc:
            raise StartError(str(exc)) from exc
        process = CrawlerProcess(settings)
        _console_warnings(settings.get("LOG_LEVEL", "INFO"))
        known = sorted(process.spider_loader.list())
        unknown = [s for s in options.sites if s not in known]
        if unknown:
            raise StartError(f"unknown site {', '.join(unknown)} (known: {', '.join(known)})")
        crawlers: list[Crawler] = []
        for site in options.sites:
            crawler = process.create_crawler(site)
            kwargs: dict[str, object] = {}
            if options.roots.get(site):
                kwargs["root"] = options.roots[site]
            if options.max_articles:
                kwargs["max_articles"] = options.max_articles
            try:  # a spider refusing its arguments (e.g. generic without --root) is exit 3
                crawler.spidercls(**kwargs)
            except (ValueError, TypeError) as exc:
                raise StartError(f"{site}: {exc}") from exc
            process.crawl(crawler, **kwargs)
            crawlers.append(crawler)
        with gc_threshold(threshold):
            process.start()
        outcomes = [(c.spidercls.name, _crawler_outcome(c)) for c in crawlers]
    for site, result in outcomes:
        print(f"{site}: {result.reason}")
    print(f"output: {out.resolve()} (run {run}; log {out / 'logs' / (run + '.log')})")
    return max((r.exit_code for _, r in outcomes), default=EXIT_OK)


def _open_output(out: Path, settings: Settings) -> None:
    """Repair what a killed run left and sync the state, under the lock, before the crawl."""
    from newsarchive.state.folder import open_folder

    try:
        open_folder(out, cdxj=settings.getbool("NEWSARCHIVE_WARC_CDXJ", True))
    except OSError as exc:
        raise StartError(f"cannot open output folder {out}: {exc}") from exc


def _crawler_outcome(crawler: Crawler) -> Outcome:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return outcome(stats)


def run_demo(out: Path, *, max_articles: int | None = None, log_level: str = "INFO") -> int:
    """Serve the bundled replica of both sites on 127.0.0.1 and crawl it into ``out``."""
    from newsarchive.replica import Replica, ReplicaServer

    # The replica's clock is the start of the current hour and its ports are fixed (when
    # free): a second demo within the hour meets the same, unchanged site and stores
    # revisits and no new records, while "today" is still today.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with ReplicaServer(Replica(now=now), ports=DEMO_PORTS) as server:
        roots = server.roots
        print("serving the replica sites:")
        for site, urls in roots.items():
            print(f"  {site}: {' '.join(urls)}")
        options = CrawlOptions(
            sites=["trend", "bakutel"],
            roots={site: list(urls) for site, urls in roots.items()},
            out=out,
            max_articles=max_articles,
            log_level=log_level,
        )
        return run_crawl(options)
