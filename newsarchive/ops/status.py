"""``newsarchive status DIR [--plan PLAN]``: per site, its last run, that run's outcome,
when it is next due and the articles its runs stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from newsarchive.errors import StartError
from newsarchive.ops.history import SiteHistory, folder_history, is_running
from newsarchive.ops.plan import Plan

__all__ = ["print_status", "site_status"]


def site_status(
    out: Path, name: str, history: SiteHistory | None, plan: Plan | None, now: datetime
) -> dict[str, object]:
    """One site's status as a dict (the ``--json`` line)."""
    last = history.last if history else None
    success = history.last_success if history else None
    entry = plan.site(name) if plan else None
    running = is_running(out, name)
    if running:
        outcome = "running"
    elif last is None:
        outcome = "never ran"
    elif last.exit_code is None:
        outcome = "killed (no report; the next run resumes it)"
    else:
        outcome = f"exit {last.exit_code}: {last.summary}"
    next_due: str | None = None
    if entry is not None:
        if success is None:
            next_due = "now"
        else:
            due = success.started + entry.every
            next_due = "now" if due <= now else _iso(due)
    return {
        "site": name,
        "last_run": _iso(last.started) if last else None,
        "run_id": last.run if last else None,
        "exit_code": last.exit_code if last else None,
        "outcome": outcome,
        "running": running,
        "last_success": _iso(success.started) if success else None,
        "next_due": next_due,
        "articles": history.articles if history else 0,
        "articles_last_run": last.articles if last else 0,
        "runs": len(history.runs) if history else 0,
    }


def print_status(out: Path, plan: Plan | None, *, as_json: bool = False) -> int:
    """Print the status of every site in ``out`` (and of the plan's sites); exit 0."""
    if not out.is_dir():
        raise StartError(f"{out} is not a folder")
    history = folder_history(out)
    names = list(history)
    if plan is not None:
        names = [s.name for s in plan.sites] + [n for n in names if plan.site(n) is None]
    now = datetime.now(UTC)
    rows = [site_status(out, name, history.get(name), plan, now) for name in names]
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print(f"{out}: no runs yet")
        return 0
    header = ("SITE", "LAST RUN", "NEXT DUE", "ARTICLES", "OUTCOME")
    table: list[tuple[str, str, str, str, str]] = [
        (
            str(r["site"]),
            str(r["last_run"] or "-"),
            str(r["next_due"] or "-"),
            f"{r['articles']} ({r['articles_last_run']} last)",
            str(r["outcome"]),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *table]) for i in range(4)]
    for line in [header, *table]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(line[:4])]
        print("  ".join(cells) + "  " + line[4])
    return 0


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
