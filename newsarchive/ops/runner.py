"""``newsarchive run PLAN``: start every site of a crawl plan that is due, each in its own
process, at most ``--jobs`` at once, all into one output folder.

Meant for cron: a call with nothing due exits 0 at once, and overlapping calls never
start a site twice. A site is skipped while its lock is held (a run of it is alive); the
decision *due and not running* and the start of the site's process happen under the
folder's launch lock (``DIR/.newsarchive-run.lock``), held until every process started
holds its site's lock (or has exited), so a second call waiting for the launch lock
finds those sites running.

Each site runs as ``python -m newsarchive crawl SPIDER --out DIR ... -s
NEWSARCHIVE_SITE=NAME`` (:meth:`~newsarchive.ops.plan.SiteEntry.crawl_args`), so a plan's
run is exactly a ``newsarchive crawl`` (lock, repair, resume, report, exit status).

Exit status (:data:`EXIT_TABLE`): 0 when every started site succeeded or nothing was due,
else the worst status of the started sites.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from newsarchive.ops.history import folder_history, is_running
from newsarchive.ops.plan import Plan, SiteEntry, is_due
from newsarchive.report import EXIT_DRIFT, EXIT_OK, EXIT_START_FAILED
from newsarchive.state.owner import FileLock

__all__ = ["EXIT_KILLED", "EXIT_TABLE", "LAUNCH_LOCK", "SiteResult", "due_sites", "run_plan"]

LAUNCH_LOCK = ".newsarchive-run.lock"
"""``DIR/.newsarchive-run.lock``: held while a ``run`` decides what to start and starts it."""
LAUNCH_LOCK_TIMEOUT = 600.0
LOCK_WAIT = 300.0
"""Seconds a started site's process has to take its lock (or exit)."""
RUNTIME_GRACE = 120.0
"""Seconds past a site's ``limits.runtime`` before ``run`` stops its process (SIGTERM,
then SIGKILL after :data:`KILL_GRACE`): its own CLOSESPIDER_TIMEOUT should end it first."""
KILL_GRACE = 60.0

EXIT_KILLED = 5
"""A site's process died from a signal (or was stopped past its run time)."""

EXIT_TABLE = """\
exit status:
  0  every started site succeeded, or nothing was due
  1  a site archived articles but counted errors (see its report)
  2  bad usage or an invalid plan
  3  a site could not start (unknown spider, output folder unwritable, ...)
  4  a site's crawl archived no article
  5  a site's process was killed (a signal, or stopped past limits.runtime)
  7  a site's crawl archived articles, but its field coverage drifted (see its report)
  with several sites the worst status wins (5 over 4 over 3 over 1)"""


@dataclass(frozen=True)
class SiteResult:
    """What ``run`` did with one site."""

    name: str
    started: bool
    exit_code: int | None
    line: str
    """The site's line on stdout."""


def due_sites(
    plan_sites: Sequence[SiteEntry], out: Path, now: datetime, *, force: bool = False
) -> tuple[list[SiteEntry], list[SiteResult]]:
    """The sites to start now, and a result line for each site that is not started."""
    history = folder_history(out)
    due: list[SiteEntry] = []
    skipped: list[SiteResult] = []
    for entry in plan_sites:
        runs = history.get(entry.name)
        last = runs.last_success if runs else None
        if is_running(out, entry.name):
            skipped.append(SiteResult(entry.name, False, None, f"{entry.name}: running"))
        elif force or is_due(entry.every, last.started if last else None, now):
            due.append(entry)
        else:
            assert last is not None
            line = (
                f"{entry.name}: not due (last success {_iso(last.started)}, "
                f"next due {_iso(last.started + entry.every)})"
            )
            skipped.append(SiteResult(entry.name, False, None, line))
    return due, skipped


@dataclass
class _Child:
    entry: SiteEntry
    proc: subprocess.Popen[bytes]
    stdout: IO[bytes]
    stderr: IO[bytes]
    deadline: float | None
    terminated_at: float | None = None


def run_plan(
    plan: Plan,
    out: Path,
    *,
    jobs: int | None = None,
    sites: Sequence[str] = (),
    force: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    echo: Callable[[str], None] = print,
    error: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> int:
    """Start the due sites of ``plan`` into ``out`` (see the module); print one line per
    site; return the exit status."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    entries = [e for e in plan.sites if not sites or e.name in sites]
    out.mkdir(parents=True, exist_ok=True)
    pending: list[SiteEntry] | None = None
    running: list[_Child] = []
    results: list[SiteResult] = []
    while True:
        room = jobs - len(running)
        if room > 0 and (pending is None or pending):
            with _launch_lock(out):
                due, skipped = due_sites(
                    entries if pending is None else pending, out, now(), force=force
                )
                if pending is None:
                    results += skipped
                    for result in skipped:
                        echo(result.line)
                else:  # started by another call meanwhile
                    for result in skipped:
                        results.append(result)
                        echo(result.line)
                batch, pending = due[:room], due[room:]
                started = [_start(entry, out) for entry in batch]
                _wait_for_locks(out, started)
                running += started
        if not running and not pending:
            break
        finished = _reap(running)
        for child, code in finished:
            running.remove(child)
            result = _result(child, code)
            results.append(result)
            echo(result.line)
            if code != EXIT_OK:
                error(f"newsarchive: {result.line}")
        if not finished:
            time.sleep(0.1)
    return max((r.exit_code for r in results if r.exit_code is not None), default=EXIT_OK)


class _launch_lock:  # noqa: N801 - used as a context manager
    def __init__(self, out: Path) -> None:
        self.lock = FileLock(out / LAUNCH_LOCK)

    def __enter__(self) -> None:
        if not self.lock.acquire(timeout=LAUNCH_LOCK_TIMEOUT):
            raise TimeoutError(f"another `newsarchive run` holds {self.lock.path}")

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _start(entry: SiteEntry, out: Path) -> _Child:
    stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _result
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", *entry.crawl_args(out)],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        env=env,
    )
    deadline = None
    if entry.max_runtime is not None:
        deadline = time.monotonic() + entry.max_runtime.total_seconds() + RUNTIME_GRACE
    return _Child(entry, proc, stdout, stderr, deadline)


def _wait_for_locks(out: Path, children: list[_Child]) -> None:
    """Until each child holds its site's lock or has exited (so a concurrent ``run``
    sees it running)."""
    waiting = list(children)
    limit = time.monotonic() + LOCK_WAIT
    while waiting and time.monotonic() < limit:
        waiting = [
            c for c in waiting if c.proc.poll() is None and not is_running(out, c.entry.name)
        ]
        if waiting:
            time.sleep(0.05)


def _reap(running: list[_Child]) -> list[tuple[_Child, int]]:
    finished = []
    for child in running:
        code = child.proc.poll()
        if code is not None:
            finished.append((child, code))
            continue
        clock = time.monotonic()
        if child.deadline is not None and clock > child.deadline:
            if child.terminated_at is None:
                child.proc.send_signal(signal.SIGTERM)
                child.terminated_at = clock
            elif clock > child.terminated_at + KILL_GRACE:
                child.proc.kill()
    return finished


def _result(child: _Child, code: int) -> SiteResult:
    name = child.entry.name
    out_lines = _lines(child.stdout)
    err_lines = _lines(child.stderr)
    if code < 0 or child.terminated_at is not None:
        why = f"killed by signal {-code}" if code < 0 else "stopped past limits.runtime"
        return SiteResult(name, True, EXIT_KILLED, f"{name}: exit {EXIT_KILLED}: {why}")
    reason = next(
        (line.split(": ", 1)[1] for line in out_lines if not line.startswith("output:")),
        None,
    )
    if reason is None:  # no outcome line: a start failure's message is on stderr
        errors = [line for line in err_lines if line.startswith("newsarchive:")]
        reason = (errors or err_lines or ["no output"])[-1].removeprefix("newsarchive: ")
    run = next((line for line in out_lines if line.startswith("output:")), "")
    where = f" ({run[run.find('(run ') + 1 : run.find(';')]})" if "(run " in run else ""
    code = code if code in (*range(0, 5), EXIT_DRIFT) else EXIT_START_FAILED
    return SiteResult(name, True, code, f"{name}: exit {code}: {reason}{where}")


def _lines(handle: IO[bytes]) -> list[str]:
    handle.seek(0)
    text = handle.read().decode("utf-8", "replace")
    handle.close()
    return [line for line in text.splitlines() if line.strip()]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
