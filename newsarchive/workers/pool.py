"""Run picklable calls in worker processes, from the Twisted reactor.

A crawl spends as much time extracting article pages as Scrapy spends downloading them,
and one Python process uses one core. :class:`WorkerPool` moves the calls to child
processes (:mod:`newsarchive.workers.child`) that speak length-prefixed pickles over their
stdin and stdout, so the reactor thread pays for a ``write`` and a ``pickle.loads``:

* :meth:`WorkerPool.submit` returns a Deferred that fires with the call's value, or fails
  with :class:`WorkerError` (the call raised; its type name, message and traceback),
  :class:`WorkerCrashed` (the worker died running it) or :class:`WorkerTimeout` (it ran
  longer than ``timeout`` seconds: the worker is killed);
* a worker that dies is replaced (at most ``max_restarts`` times), and the calls queued
  behind the one that killed it go to the new worker; only that one call fails;
* a call that cannot be pickled, or that a worker cannot load (a class defined in a test
  function, say), runs in this process instead, and so does every call once no worker is
  left: extraction degrades to in-process, it never stops;
* :meth:`WorkerPool.close` ends the workers' input and waits for them to exit.

Counters (``newsarchive/extract/workers/...`` by default): ``started``, ``restarts``,
``crashes``, ``timeouts``, ``in_process``, and ``max_rss_kib`` (the largest worker's peak
resident memory, as its answers report it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any

from twisted.internet import defer, error, protocol
from twisted.internet.task import LoopingCall

from newsarchive.workers.child import HEADER

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

__all__ = ["WorkerCrashed", "WorkerError", "WorkerPool", "WorkerTimeout"]

CHILD_MODULE = "newsarchive.workers.child"


class WorkerError(Exception):
    """A call raised in a worker process."""

    def __init__(self, type_name: str, message: str, remote_traceback: str = "") -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.remote_traceback = remote_traceback


class WorkerCrashed(Exception):
    """The worker process died while it ran the call."""

    type_name = "WorkerCrashed"


class WorkerTimeout(WorkerCrashed):
    """The call ran longer than the pool's timeout; its worker was killed."""

    type_name = "WorkerTimeout"


@dataclass
class _Job:
    id: int
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    frame: bytes
    deferred: defer.Deferred = field(default_factory=defer.Deferred)


class _Worker(protocol.ProcessProtocol):
    """One child process: its queue of jobs (run in order) and its output buffer."""

    def __init__(self, pool: WorkerPool, number: int) -> None:
        self.pool = pool
        self.number = number
        self.jobs: deque[_Job] = deque()
        self.head_started: float | None = None
        self.buffer = bytearray()
        self.timed_out = False
        self.max_rss = 0
        self.exited: defer.Deferred = defer.Deferred()

    def send(self, job: _Job) -> None:
        assert self.transport is not None
        if not self.jobs:
            self.head_started = time.monotonic()
        self.jobs.append(job)
        self.transport.write(job.frame)

    def outReceived(self, data: bytes) -> None:  # noqa: N802 (Twisted's name)
        buffer = self.buffer
        buffer += data
        while len(buffer) >= HEADER:
            size = int.from_bytes(buffer[:HEADER], "big")
            end = HEADER + size
            if len(buffer) < end:
                return
            payload = bytes(buffer[HEADER:end])
            del buffer[:end]
            self.pool._reply(self, pickle.loads(payload))

    def processEnded(self, reason: Failure) -> None:  # noqa: N802 (Twisted's name)
        self.pool._ended(self, reason)
        self.exited.callback(None)


class WorkerPool:
    """``size`` worker processes running calls for the reactor thread (see the module)."""

    def __init__(
        self,
        size: int,
        *,
        timeout: float = 60.0,
        max_restarts: int = 10,
        stats: StatsCollector | None = None,
        stats_prefix: str = "newsarchive/extract/workers/",
        reactor: Any = None,
    ) -> None:
        if size < 0:
            raise ValueError(f"size must be >= 0, got {size!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self.size = size
        self.timeout = timeout
        self.max_restarts = max_restarts
        self.stats = stats
        self.prefix = stats_prefix
        self.reactor = reactor
        self.workers: list[_Worker] = []
        self.restarts = 0
        self.closing = False
        self._ids = count(1)
        self._numbers = count(1)
        self._watchdog: LoopingCall | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the workers and the timeout watchdog."""
        for _ in range(self.size):
            self._spawn()
        if self.size:
            self._watchdog = LoopingCall(self._check_timeouts)
            self._watchdog.clock = self.reactor
            self._watchdog.start(min(1.0, self.timeout / 4), now=False)

    def close(self, grace: float = 10.0) -> defer.Deferred:
        """End the workers' input; fires once every worker has exited (killing any that
        has not after ``grace`` seconds)."""
        self.closing = True
        if self._watchdog is not None and self._watchdog.running:
            self._watchdog.stop()
        waits = []
        for worker in list(self.workers):
            if worker.transport is not None:
                worker.transport.closeStdin()
            kill = self.reactor.callLater(grace, self._kill, worker)
            waits.append(worker.exited.addBoth(_cancel, kill))
        return defer.DeferredList(waits)

    def _spawn(self) -> None:
        worker = _Worker(self, next(self._numbers))
        env = dict(os.environ)
        # the parent's import path, so the child finds what the parent imported (a
        # project's spiders run from its checkout, a test's spider modules)
        paths = [os.path.abspath(p or os.curdir) for p in sys.path]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
        self.reactor.spawnProcess(
            worker,
            sys.executable,
            [sys.executable, "-m", CHILD_MODULE],
            env=env,
            childFDs={0: "w", 1: "r", 2: 2},
        )
        self.workers.append(worker)
        self._inc("started")

    def _kill(self, worker: _Worker) -> None:
        if worker in self.workers and worker.transport is not None:
            with contextlib.suppress(error.ProcessExitedAlready):
                worker.transport.signalProcess("KILL")

    # -- calls ---------------------------------------------------------------------------

    def submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> defer.Deferred:
        """Run ``function(*args, **kwargs)`` in a worker; a Deferred of its value."""
        job_id = next(self._ids)
        try:
            body = pickle.dumps((function, args, kwargs), protocol=5)
        except Exception as exc:
            logger.debug("running %r in process: cannot pickle it (%s)", function, exc)
            return self._in_process(function, args, kwargs)
        frame = (HEADER + len(body)).to_bytes(HEADER, "big") + job_id.to_bytes(HEADER, "big")
        job = _Job(job_id, function, args, kwargs, frame + body)
        if not self._dispatch(job):
            return self._in_process(function, args, kwargs)
        return job.deferred

    def _dispatch(self, job: _Job) -> bool:
        live = [w for w in self.workers if w.transport is not None and not w.timed_out]
        if not live or self.closing:
            return False
        min(live, key=lambda w: len(w.jobs)).send(job)
        return True

    def _in_process(
        self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> defer.Deferred:
        self._inc("in_process")
        return defer.maybeDeferred(function, *args, **kwargs)

    def _reply(self, worker: _Worker, reply: tuple[int, bool | None, Any, int]) -> None:
        job_id, status, value, max_rss = reply
        if max_rss > worker.max_rss:
            worker.max_rss = max_rss
            if self.stats is not None:
                self.stats.max_value(self.prefix + "max_rss_kib", max_rss)
        job = worker.jobs.popleft()
        if job.id != job_id:  # cannot happen: a worker answers in order
            raise RuntimeError(f"worker {worker.number} answered job {job_id}, not {job.id}")
        worker.head_started = time.monotonic() if worker.jobs else None
        if status is True:
            job.deferred.callback(value)
        elif status is False:
            job.deferred.errback(WorkerError(*value))
        else:  # the worker could not load the call: run it here
            logger.debug("worker could not load %r (%s): running it here", job.function, value)
            self._in_process(job.function, job.args, job.kwargs).chainDeferred(job.deferred)

    def _ended(self, worker: _Worker, reason: Failure) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
        if self.closing and not worker.jobs:
            return
        # it died: the call it was running fails, the calls queued behind it are re-sent
        queued = list(worker.jobs)
        worker.jobs.clear()
        if queued:
            culprit = queued.pop(0)
            if worker.timed_out:
                self._inc("timeouts")
                exc: WorkerCrashed = WorkerTimeout(
                    f"extraction ran longer than {self.timeout:g} s; worker killed"
                )
            else:
                self._inc("crashes")
                exc = WorkerCrashed(f"worker process died: {reason.value}")
            culprit.deferred.errback(exc)
        if not self.closing:
            logger.warning("extraction worker %d exited: %s", worker.number, reason.value)
            if self.restarts < self.max_restarts:
                self.restarts += 1
                self._inc("restarts")
                self._spawn()
            elif not self.workers:
                logger.error(
                    "extraction workers died %d times: extracting in the crawl's process",
                    self.restarts + 1,
                )
        for job in queued:
            if not self._dispatch(job):
                self._in_process(job.function, job.args, job.kwargs).chainDeferred(job.deferred)

    def _check_timeouts(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            started = worker.head_started
            if started is not None and not worker.timed_out and now - started > self.timeout:
                worker.timed_out = True
                self._kill(worker)

    def _inc(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(self.prefix + name)


def _cancel(result: Any, call: Any) -> Any:
    if call.active():
        call.cancel()
    return result
