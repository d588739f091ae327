"""What an output folder says about its sites' runs (no Scrapy here).

A run's report (``reports/{SITE}-{RUN}.json``) holds its outcome; a run killed before it
could write one is known from the state database's ``runs`` table (started, never
finished). A site is *running* while its lock (``.locks/{SITE}.lock``) is held.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsarchive.names import REPORTS_DIR, STATE_NAME, site_lock_path
from newsarchive.report import EXIT_DRIFT, EXIT_ERRORS, EXIT_OK
from newsarchive.state.owner import lock_is_held

__all__ = ["RunInfo", "SiteHistory", "folder_history", "is_running", "run_started"]


def run_started(run: str) -> datetime:
    """A run id (``YYYYMMDDhhmmss``, UTC) as the time the run started."""
    return datetime.strptime(run, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class RunInfo:
    """One run of a site."""

    run: str
    exit_code: int | None
    """The report's exit status; None when the run left no report (killed, or running)."""
    summary: str
    articles: int = 0

    @property
    def started(self) -> datetime:
        return run_started(self.run)

    @property
    def succeeded(self) -> bool:
        """Archived articles (exit 0, 1 or 7): the schedule counts from it."""
        return self.exit_code in (EXIT_OK, EXIT_ERRORS, EXIT_DRIFT)


@dataclass
class SiteHistory:
    """A site's runs in a folder, oldest first."""

    site: str
    runs: list[RunInfo] = field(default_factory=list)

    @property
    def last(self) -> RunInfo | None:
        return self.runs[-1] if self.runs else None

    @property
    def last_success(self) -> RunInfo | None:
        return next((r for r in reversed(self.runs) if r.succeeded), None)

    @property
    def articles(self) -> int:
        """Records stored by all its runs (from their reports)."""
        return sum(r.articles for r in self.runs)


def is_running(out: Path, site: str) -> bool:
    """True while a run of ``site`` holds its lock on ``out``."""
    return lock_is_held(site_lock_path(out, site))


def folder_history(out: Path) -> dict[str, SiteHistory]:
    """Every site's runs in ``out``, by site name."""
    out = Path(out)
    runs: dict[tuple[str, str], RunInfo] = {}
    for site, run in _db_runs(out / STATE_NAME):
        runs[(site, run)] = RunInfo(run, None, "no report (killed, or running)")
    reports = out / REPORTS_DIR
    if reports.is_dir():
        for path in reports.glob("*.json"):
            site, sep, run = path.stem.rpartition("-")
            if not sep or not (len(run) == 14 and run.isdigit()):
                continue
            try:
                data = json.loads(path.read_text("utf-8"))
                code = int(data["exit_code"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            summary = str(data.get("summary", ""))
            runs[(site, run)] = RunInfo(run, code, summary, int(data.get("articles") or 0))
    result: dict[str, SiteHistory] = {}
    for (site, _), info in sorted(runs.items()):
        result.setdefault(site, SiteHistory(site)).runs.append(info)
    return result


def _db_runs(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute("SELECT site, run_id FROM runs").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []
    return [(str(site), str(run)) for site, run in rows]
