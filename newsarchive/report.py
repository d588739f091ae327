"""The per-run report: ``DIR/reports/{SITE}-{RUN_ID}.json``, and what a run's outcome means.

:func:`outcome` is the one place that turns a crawl's stats into an exit status, so the
report file and the command's exit code always agree.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive import __version__
from newsarchive.crawling.limits import INTERRUPTED_REASONS, STORAGE_FAILURE
from newsarchive.runinfo import run_id

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERRORS = 1  # archived articles, but some pages or records had errors
EXIT_USAGE = 2  # bad command line
EXIT_START_FAILED = 3  # could not start: unknown site, output folder busy or unwritable
EXIT_NOTHING = 4  # the crawl ran but archived no article
EXIT_INTERRUPTED = 5  # stopped before done (SIGTERM, SIGINT, --max-runtime): resumable
EXIT_STORAGE = 6  # the output folder could not be written (disk full, ...): resumable

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "every site archived articles (or found them unchanged); no error counted",
    EXIT_ERRORS: "articles archived, but errors were counted (see the report)",
    EXIT_USAGE: "bad usage: an argument or setting is wrong (nothing started)",
    EXIT_START_FAILED: "could not start: unknown site, folder unwritable, or the site's "
    "run already writing the folder",
    EXIT_NOTHING: "the crawl ran but archived no article (e.g. the site was unreachable)",
    EXIT_INTERRUPTED: "interrupted (SIGTERM, SIGINT, --max-runtime): the next run resumes it",
    EXIT_STORAGE: "the output folder could not be written (disk full, ...): the crawl "
    "stopped; the next run repairs and resumes it",
}
"""Every exit status of ``newsarchive crawl``/``demo``; with several sites the highest
wins."""


def exit_code_table() -> str:
    """The exit statuses as lines for ``--help``."""
    return "exit status:\n" + "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())


ERROR_STAT_PREFIXES = (
    "newsarchive/validation/errors/",
    "newsarchive/extract/errors",
    "newsarchive/warc/errors",
    "newsarchive/jsonl/errors",
    "spider_exceptions/",
    "downloader/exception_type_count/",
)


@dataclass(frozen=True)
class Outcome:
    """What a site's crawl amounted to."""

    exit_code: int
    reason: str
    articles: int
    responses: int
    errors: int
    unchanged: int = 0
    """Articles found unchanged since an earlier run stored them (no new record)."""


NOT_ERRORS = frozenset(
    {
        # a request refused by robots.txt is the crawler obeying the site, not a failure
        "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest",
    }
)


def error_count(stats: dict[str, Any]) -> int:
    """Sum of the error counters in ``stats`` (validation, extraction, WARC, exceptions)."""
    total = 0
    for key, value in stats.items():
        if key.startswith(ERROR_STAT_PREFIXES) and key not in NOT_ERRORS and isinstance(value, int):
            total += value
    return total


def outcome(stats: dict[str, Any]) -> Outcome:
    """Exit status and a one-line reason for a finished crawl's stats."""
    articles = int(stats.get("newsarchive/jsonl/records", 0))
    unchanged = int(stats.get("newsarchive/dedup/unchanged", 0)) + sum(
        value
        for key, value in stats.items()
        if key.startswith("newsarchive/recheck/skipped/") and isinstance(value, int)
    )  # known articles not due for a re-check count as unchanged
    unchanged += int(stats.get("newsarchive/recheck/not_modified", 0))  # answered 304
    new_versions = int(stats.get("newsarchive/versions/new", 0))
    responses = int(stats.get("newsarchive/warc/responses", 0))
    revisits = int(stats.get("newsarchive/warc/revisits", 0))
    errors = error_count(stats)
    reason = stats.get("finish_reason", "unknown")
    fetched = f"{responses} responses"
    if revisits:
        fetched += f", {revisits} revisits"
    if reason == STORAGE_FAILURE:
        why = stats.get("newsarchive/storage/failure") or "the output folder cannot be written"
        text = f"stopped: {why}; archived {articles} articles; the next run resumes it"
        return Outcome(EXIT_STORAGE, text, articles, responses, errors, unchanged)
    if reason in INTERRUPTED_REASONS:
        text = f"interrupted ({reason}) after {articles} articles; the next run resumes it"
        return Outcome(EXIT_INTERRUPTED, text, articles, responses, errors, unchanged)
    if articles == 0 and unchanged == 0:
        why = f"archived no article ({fetched}, finish reason {reason})"
        return Outcome(EXIT_NOTHING, why, articles, responses, errors, unchanged)
    got = f"archived {articles} articles"
    details = [f"{new_versions} of them new versions"] if new_versions else []
    if unchanged:
        details.append(f"{unchanged} more unchanged since archived")
    if details:
        got += f" ({'; '.join(details)})"
    if errors:
        why = f"{got} with {errors} errors (see the report)"
        return Outcome(EXIT_ERRORS, why, articles, responses, errors, unchanged)
    return Outcome(EXIT_OK, f"{got}, {fetched}", articles, responses, errors, unchanged)


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def build_report(site: str, run: str, stats: dict[str, Any]) -> dict[str, Any]:
    """The report's content: outcome first, then every crawl stat."""
    result = outcome(stats)
    return {
        "report_version": 1,
        "software": f"newsarchive/{__version__}",
        "site": site,
        "run_id": run,
        "started_at": _json_safe(stats.get("start_time")),
        "finished_at": _json_safe(stats.get("finish_time")),
        "finish_reason": stats.get("finish_reason"),
        "exit_code": result.exit_code,
        "summary": result.reason,
        "articles": result.articles,
        "articles_unchanged": result.unchanged,
        "responses_archived": result.responses,
        "revisits_archived": stats.get("newsarchive/warc/revisits", 0),
        "responses_resumed": stats.get("newsarchive/resume/responses", 0),
        "errors": result.errors,
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        "jsonl_file": stats.get("newsarchive/jsonl/file"),
        "warc_files": stats.get("newsarchive/warc/file_names", []),
        "peak_rss_mib": peak_rss_mib(),
        "stats": _json_safe(stats),
    }


def peak_rss_mib() -> float | None:
    """This process's peak resident memory so far (Linux ``VmHWM``), in MiB; None
    elsewhere. With several sites in one process, it is the whole process's."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


class RunReportExtension:
    """Write ``DIR/reports/{SITE}-{RUN_ID}.json`` when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSARCHIVE_REPORT_ENABLED", True):
            raise NotConfigured("NEWSARCHIVE_REPORT_ENABLED is off")
        self.crawler = crawler
        self.out = Path(crawler.settings.get("NEWSARCHIVE_OUT", "archives")) / "reports"
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReportExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        run = run_id(self.crawler.settings)
        report = build_report(spider.name, run, stats)
        self.path = self.out / f"{spider.name}-{run}.json"
        tmp = self.path.with_suffix(".json.tmp")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
            tmp.replace(self.path)
        except OSError as exc:  # a full disk: say so; the outcome line still goes to stdout
            logger.error("Cannot write the run report %s: %s", self.path, exc.strerror or exc)
            tmp.unlink(missing_ok=True)
            self.path = None
            return
        logger.info("run report written to %s: %s", self.path, report["summary"])
