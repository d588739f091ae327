"""The per-run report: ``DIR/reports/{SITE}-{RUN_ID}.json``, and what a run's outcome means.

:func:`outcome` is the one place that turns a crawl's stats into an exit status, so the
report file and the command's exit code always agree.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive import __version__
from newsarchive import signals as newsarchive_signals
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
EXIT_DRIFT = 7  # archived articles, but a field's coverage fell well below recent runs

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
    EXIT_DRIFT: "drift: articles archived, but a field's coverage fell well below the "
    "site's recent runs (a layout change?); see the report's drift",
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
    if articles == 0 and unchanged == 0 and _idle_frontier_worker(stats, reason):
        why = "the shared frontier had no work left for this worker (the others did it)"
        return Outcome(EXIT_OK, why, articles, responses, errors, unchanged)
    if articles == 0 and unchanged == 0:
        why = f"archived no article ({fetched}, finish reason {reason})"
        return Outcome(EXIT_NOTHING, why, articles, responses, errors, unchanged)
    got = f"archived {articles} articles"
    details = [f"{new_versions} of them new versions"] if new_versions else []
    if unchanged:
        details.append(f"{unchanged} more unchanged since archived")
    if details:
        got += f" ({'; '.join(details)})"
    drift = stats.get(DRIFT_STAT)
    if drift:
        with_errors = f", and {errors} errors" if errors else ""
        why = f"{got}, but coverage drifted: {drift}{with_errors} (see the report)"
        return Outcome(EXIT_DRIFT, why, articles, responses, errors, unchanged)
    if errors:
        why = f"{got} with {errors} errors (see the report)"
        return Outcome(EXIT_ERRORS, why, articles, responses, errors, unchanged)
    return Outcome(EXIT_OK, f"{got}, {fetched}", articles, responses, errors, unchanged)


def _idle_frontier_worker(stats: dict[str, Any], reason: str) -> bool:
    """A worker of a shared frontier that finished without taking a request: the other
    workers had done the site (a worker started late, or restarted), not a failure."""
    return (
        reason == "finished"
        and "newsarchive/frontier/worker" in stats
        and not stats.get("newsarchive/frontier/taken")
    )


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


def build_report(
    site: str,
    run: str,
    stats: dict[str, Any],
    coverage: Mapping[str, Any] | None = None,
    drift: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report's content: outcome first, then field coverage and drift (when given),
    then every crawl stat."""
    result = outcome(stats)
    extra: dict[str, Any] = {}
    if coverage is not None:
        extra["coverage"] = dict(coverage)
        extra["drift"] = drift  # None: not checked (an incomplete or small run)
    return {
        "report_version": REPORT_VERSION,
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
        **extra,
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
    """Write ``DIR/reports/{SITE}-{RUN_ID}.json`` when the spider closes, with the field
    coverage of the records the run stored and the drift against the site's recent runs
    (which also goes into the stats, so the exit status says it: :data:`EXIT_DRIFT`)."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSARCHIVE_REPORT_ENABLED", True):
            raise NotConfigured("NEWSARCHIVE_REPORT_ENABLED is off")
        self.crawler = crawler
        self.out = Path(crawler.settings.get("NEWSARCHIVE_OUT", "archives")) / "reports"
        self.path: Path | None = None
        self.coverage = CoverageCounter()
        self.rule = DriftRule.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReportExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.record_stored, signal=newsarchive_signals.record_stored)
        return ext

    def record_stored(self, record: Mapping[str, Any], **kwargs: Any) -> None:
        self.coverage.add(record)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        run = run_id(self.crawler.settings)
        coverage = self.coverage.summary()
        drift = None
        if complete_run(stats.get("finish_reason"), coverage, self.rule):
            history = prior_coverage(self.out, spider.name, run, self.rule)
            drift = find_drift(coverage, history, self.rule)
            if drift:
                names = ", ".join(d["field"] for d in drift)
                self.crawler.stats.set_value(DRIFT_STAT, names)
                stats[DRIFT_STAT] = names
                logger.warning(
                    "coverage drift: %s",
                    "; ".join(
                        f"{d['field']} {d['coverage']:.0%} (recent runs {d['baseline']:.0%})"
                        for d in drift
                    ),
                )
        report = build_report(spider.name, run, stats, coverage, drift)
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


# --- field coverage and drift (#13) -----------------------------------------------------

REPORT_VERSION = 2
"""Version 2 added ``coverage`` and ``drift``."""

DRIFT_STAT = "newsarchive/drift/fields"
"""The stat naming the drifted fields (comma-separated); :func:`outcome` reads it."""

COVERAGE_FIELDS: tuple[str, ...] = (
    "title",
    "published",
    "published_time",
    "body",
    "dateline",
    "section",
    "headlines",
    "rates",
    "copyright",
    "authors",
    "tags",
    "description",
    "image",
    "canonical_url",
)
"""The fields whose coverage a report gives: the share of the run's records that have
the field (not null, not an empty list). ``published_time``: ``published`` with a time
of day, not just the day; ``body``: a body of at least :data:`BODY_MIN_CHARS`
characters; ``headlines``, ``rates``, ``copyright``: the boilerplate's."""

BODY_MIN_CHARS = 200
"""A body shorter than this does not count for ``body`` coverage (a page whose article
text the layout no longer finds yields a caption or a lead)."""


def field_present(record: Mapping[str, Any], name: str) -> bool:
    """Whether ``record`` has the coverage field ``name`` (see :data:`COVERAGE_FIELDS`)."""
    boiler = record.get("boilerplate")
    boiler = boiler if isinstance(boiler, Mapping) else {}
    if name in ("headlines", "rates", "copyright"):
        value = boiler.get(name)
    elif name == "published_time":
        value = record.get("published")
        return isinstance(value, str) and len(value) > 10
    elif name == "body":
        value = record.get("body")
        return isinstance(value, str) and len(value) >= BODY_MIN_CHARS
    else:
        value = record.get(name)
    return value is not None and value != [] and value != ""


class CoverageCounter:
    """Counts, over the records a run stores, how many have each coverage field."""

    def __init__(self) -> None:
        self.records = 0
        self.present = dict.fromkeys(COVERAGE_FIELDS, 0)
        self.body_chars: list[int] = []

    def add(self, record: Mapping[str, Any]) -> None:
        self.records += 1
        for name in COVERAGE_FIELDS:
            if field_present(record, name):
                self.present[name] += 1
        body = record.get("body")
        self.body_chars.append(len(body) if isinstance(body, str) else 0)

    def summary(self) -> dict[str, Any]:
        """``{"records": N, "fields": {name: share 0..1}, "body_chars_median": M}``;
        shares are null when the run stored no record."""
        n = self.records
        return {
            "records": n,
            "fields": {
                name: round(count / n, 4) if n else None for name, count in self.present.items()
            },
            "body_chars_median": statistics.median(self.body_chars) if self.body_chars else None,
        }


@dataclass(frozen=True)
class DriftRule:
    """When a run's coverage of a field is drift (docs/cli.md, "Coverage and drift").

    The baseline of a field is the median of its coverage over the site's last ``runs``
    complete runs before this one (finish reason ``finished``, at least ``min_records``
    records); this run (complete too) drifts on the field when the baseline is at least
    ``floor`` and this run's coverage is below ``ratio`` times the baseline."""

    runs: int = 5
    min_records: int = 20
    ratio: float = 0.5
    floor: float = 0.3

    @classmethod
    def from_settings(cls, settings: Any) -> DriftRule:
        return cls(
            runs=settings.getint("NEWSARCHIVE_DRIFT_RUNS", cls.runs),
            min_records=settings.getint("NEWSARCHIVE_DRIFT_MIN_RECORDS", cls.min_records),
            ratio=settings.getfloat("NEWSARCHIVE_DRIFT_RATIO", cls.ratio),
            floor=settings.getfloat("NEWSARCHIVE_DRIFT_FLOOR", cls.floor),
        )


def complete_run(finish_reason: Any, coverage: Mapping[str, Any] | None, rule: DriftRule) -> bool:
    """A run that counts for drift: finished (not interrupted or stopped) with at least
    ``rule.min_records`` records."""
    if finish_reason != "finished" or not isinstance(coverage, Mapping):
        return False
    records = coverage.get("records")
    return isinstance(records, int) and records >= max(1, rule.min_records)


def prior_coverage(
    reports: Path, site: str, run: str, rule: DriftRule
) -> list[tuple[str, dict[str, float]]]:
    """``(run id, field shares)`` of the site's last ``rule.runs`` complete runs before
    ``run``, newest first, from the reports in ``reports``."""
    found: list[tuple[str, dict[str, float]]] = []
    if rule.runs <= 0 or not reports.is_dir():
        return found
    for path in reports.glob(f"{site}-*.json"):
        other = path.stem[len(site) + 1 :]
        if not (len(other) == 14 and other.isdigit()) or other >= run:
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        coverage = data.get("coverage")
        if not complete_run(data.get("finish_reason"), coverage, rule):
            continue
        fields = coverage.get("fields") if isinstance(coverage, Mapping) else None
        if isinstance(fields, Mapping):
            shares = {
                k: float(v)
                for k, v in fields.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            }
            found.append((other, shares))
    found.sort(reverse=True)
    return found[: rule.runs]


def find_drift(
    coverage: Mapping[str, Any],
    history: list[tuple[str, dict[str, float]]],
    rule: DriftRule,
) -> list[dict[str, Any]]:
    """The fields whose coverage in this run is well below their baseline (see
    :class:`DriftRule`), each ``{field, coverage, baseline, runs}``."""
    drift: list[dict[str, Any]] = []
    fields = coverage.get("fields") or {}
    for name in COVERAGE_FIELDS:
        current = fields.get(name)
        past = [shares[name] for _, shares in history if name in shares]
        if current is None or not past:
            continue
        baseline = statistics.median(past)
        if baseline >= rule.floor and current < rule.ratio * baseline:
            drift.append(
                {
                    "field": name,
                    "coverage": current,
                    "baseline": round(baseline, 4),
                    "runs": [run for run, shares in history if name in shares],
                }
            )
    return drift
