"""``ArchiveFolder``: the one owner of an output folder while a site's run writes it.

Every other component reaches the folder through it (``crawler.get_extension(
ArchiveFolder)``): its path, its state database, the run's id and the earlier runs it
resumes. It is the first extension (``EXTENSIONS = {"newsarchive.state.owner.
ArchiveFolder": 0}``), so ``scrapy crawl`` and ``newsarchive crawl`` are equally safe:

* **locks**: the run holds ``DIR/.locks/{SITE}.lock`` (an ``flock``, which dies with the
  process) for as long as it lasts; a second run of the same site on the folder fails to
  start (:class:`FolderBusy`), runs of other sites share the folder. Opening the folder
  (repair, sync, indexes) happens under ``DIR/.newsarchive.lock``, held only for that;
* **frontier workers** (``NEWSARCHIVE_FRONTIER`` set): several runs of one site, each a
  worker of a shared frontier, share the folder: each holds ``{SITE}.lock`` *shared*
  (so a plain run of the site cannot start beside them, nor they beside it) and its own
  ``DIR/.locks/{SITE}@{RUN}.lock`` exclusively; a worker's files are left alone while its
  run's lock is held, and only runs whose lock is free are resumed;
* **opening** (:func:`newsarchive.state.folder.prepare_folder`): ``.open`` WARC files of
  runs that are gone (their site's lock is free) are repaired, partial JSONL lines cut,
  the database brought in line with the files, missing CDXJ indexes written;
* **runs**: this run is recorded as started at once (committed, so a ``kill -9`` leaves
  it resumable); :attr:`ArchiveFolder.resumes` are the site's unfinished earlier runs,
  which this run completes; when the spider closes having finished (``finished`` or a
  ``closespider_*`` reason) they and this run are marked finished, after every other
  component has closed its files; the database is closed and the lock released when the
  engine stops.

Stats: ``newsarchive/repair/{warc_files, warc_files_deleted, warc_bytes_cut,
warc_records_cut, jsonl_files, jsonl_bytes_cut}``, ``newsarchive/state/files_synced``,
``newsarchive/index/cdxj_written``.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

from scrapy import signals

from newsarchive.errors import StartError
from newsarchive.names import (
    FOLDER_LOCK,
    FRONTIER_DIR,
    JSONL_SUFFIX,
    LOCK_DIR,
    STATE_NAME,
    final_name,
    site_lock_path,
    worker_lock_path,
)
from newsarchive.runinfo import run_id
from newsarchive.state.db import ArchiveState
from newsarchive.state.folder import FolderReport, prepare_folder, site_of_file

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["ArchiveFolder", "FileLock", "FolderBusy", "is_complete", "lock_is_held"]

FOLDER_LOCK_TIMEOUT = 600.0
"""Seconds to wait for another run to finish opening the folder."""


class FolderBusy(StartError):
    """Another run of the same site is writing the output folder."""


def is_complete(reason: str) -> bool:
    """True for the finish reasons of a run that did all it set out to do."""
    return reason == "finished" or reason.startswith("closespider_")


class FileLock:
    """An exclusive ``flock`` on a file, holding the owner's pid; dies with the process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, *, timeout: float = 0.0, shared: bool = False) -> bool:
        """Take the lock; wait up to ``timeout`` seconds. False when another holds it.
        ``shared``: a shared lock (several holders; no pid written), which an exclusive
        one excludes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - kept open while the lock is held
        deadline = time.monotonic() + timeout
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return False
                time.sleep(0.05)
        if not shared:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        self._file = handle
        return True

    def holder(self) -> str:
        """The pid written by the lock's holder ("?" when unknown)."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_is_held(path: Path) -> bool:
    """True when a process holds the lock at ``path`` now (a missing file is not held)."""
    if not path.exists():
        return False
    probe = FileLock(path)
    if probe.acquire():
        probe.release()
        return False
    return True


class ArchiveFolder:
    """The output folder of one site's run: lock, state, runs (see the module)."""

    def __init__(
        self,
        stats: StatsCollector,
        path: Path,
        site: str,
        run: str,
        *,
        cdxj: bool = True,
        frontier: bool = False,
    ) -> None:
        self.stats = stats
        self.path = Path(path)
        self.site = site
        self.run = run
        self.frontier = frontier
        """A worker of a shared frontier: other runs of the site may share the folder."""
        self.lock = FileLock(site_lock_path(self.path, site))
        self.worker_lock = FileLock(worker_lock_path(self.path, site, run)) if frontier else None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            got = self.lock.acquire(shared=frontier)
            if got and self.worker_lock is not None and not self.worker_lock.acquire():
                self.lock.release()
                raise FolderBusy(f"run {run} of {site} is running already; not starting")
        except OSError as exc:
            raise StartError(f"cannot use output folder {self.path}: {exc}") from exc
        if not got:
            if frontier:
                why = f"a run of {site} that is no frontier worker (pid {self.lock.holder()})"
            else:
                why = f"another run of {site} (pid {self.lock.holder()})"
            raise FolderBusy(f"{why} is writing {self.path}; not starting")
        try:
            self._forget_old_frontiers()
            self.report = self._open(cdxj=cdxj)
            self.state = ArchiveState(self.path / STATE_NAME)
            unfinished = self.state.unfinished_runs(site, before=run)
            if frontier:  # other workers' runs are unfinished while they crawl
                unfinished = [r for r in unfinished if not self._run_alive(r)]
            self.resumes: list[str] = unfinished
            """Earlier runs of the site that never finished: this run completes them."""
            self.state.start_run(site, run)
        except BaseException:
            self._release_locks()
            raise
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        assert crawler.stats is not None
        spider = crawler.spider
        site = getattr(spider, "name", None) or getattr(crawler.spidercls, "name", None)
        folder = cls(
            crawler.stats,
            Path(settings.get("NEWSARCHIVE_OUT") or "archives"),
            site or "spider",
            run_id(settings),
            cdxj=settings.getbool("NEWSARCHIVE_WARC_CDXJ", True),
            frontier=bool(settings.get("NEWSARCHIVE_FRONTIER")),
        )
        crawler.signals.connect(folder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(folder.engine_stopped, signal=signals.engine_stopped)
        return folder

    def _forget_old_frontiers(self) -> None:
        """Remove the disk queues earlier runs of this site left (killed runs): a run is
        resumed from the archive, not from them."""
        mine = site_lock_path(self.path, self.site).stem
        frontiers = self.path / FRONTIER_DIR
        if not frontiers.is_dir():
            return
        for old in frontiers.glob(f"{mine}-*"):
            if old.name != f"{mine}-{self.run}" and old.name[len(mine) + 1 :].isdigit():
                shutil.rmtree(old, ignore_errors=True)

    def _open(self, *, cdxj: bool) -> FolderReport:
        folder_lock = FileLock(self.path / FOLDER_LOCK)
        if not folder_lock.acquire(timeout=FOLDER_LOCK_TIMEOUT):
            raise FolderBusy(
                f"{self.path} is being opened by another run (pid {folder_lock.holder()}) "
                f"for more than {FOLDER_LOCK_TIMEOUT:.0f} s; not starting"
            )
        try:
            if self.frontier:
                return prepare_folder(self.path, cdxj=cdxj, is_live_file=self._is_live_file)
            return prepare_folder(self.path, cdxj=cdxj, is_live=self._is_live)
        finally:
            folder_lock.release()

    def _run_alive(self, run: str) -> bool:
        """True when frontier worker run ``run`` of this site holds its lock now."""
        if run == self.run:
            return False
        return lock_is_held(worker_lock_path(self.path, self.site, run))

    def _is_live_file(self, path: Path) -> bool:
        """A frontier worker's test: is ``path`` written by a live run? Other sites' files
        by their site's lock; this site's by their run's worker lock (a file whose run is
        not known yet is live while any other worker of the site is)."""
        site = site_of_file(path)
        if site != self.site:
            return self._is_live(site)
        run = self._run_of_file(path)
        if run is not None:
            return self._run_alive(run)
        prefix = worker_lock_path(self.path, self.site, "").name[: -len(".lock")]
        runs = [
            lock.name[len(prefix) : -len(".lock")]
            for lock in (self.path / LOCK_DIR).glob("*.lock")
            if lock.name.startswith(prefix)
        ]
        return any(self._run_alive(r) for r in runs if r)

    def _run_of_file(self, path: Path) -> str | None:
        if path.name.endswith(JSONL_SUFFIX):
            return path.name[: -len(JSONL_SUFFIX)].rpartition("-")[2] or None
        with ArchiveState(self.path / STATE_NAME) as state:
            info = state.file_info(final_name(path))
        return info[1] if info is not None else None

    def _is_live(self, site: str | None) -> bool:
        """True when a run of ``site`` other than this one holds its lock now."""
        if site is None or site == self.site:
            return False
        return lock_is_held(site_lock_path(self.path, site))

    # -- signals ---------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        for name, value in self.report.repair.stats().items():
            self.stats.set_value(f"newsarchive/repair/{name}", value)
        synced = self.report.sync.warc_files + self.report.sync.jsonl_files
        self.stats.set_value("newsarchive/state/files_synced", synced)
        self.stats.set_value("newsarchive/index/cdxj_written", self.report.indexes_written)
        # connected now, after every component connected its own handlers in from_crawler:
        # the run is marked finished only once they have closed their files
        signals_ = spider.crawler.signals
        signals_.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not is_complete(reason):
            logger.info(
                "Run %s of %s ended with %r: the next run resumes it", self.run, self.site, reason
            )
            return
        self.state.finish_runs(self.site, [*self.resumes, self.run])

    def engine_stopped(self) -> None:
        self.close()

    def close(self) -> None:
        """Commit and close the database; release the site's lock."""
        if self._closed:
            return
        self._closed = True
        try:
            self.state.close()
        except Exception as exc:  # a full disk: the database is a cache of the files
            logger.warning(
                "The state database of %s keeps what it had before (%s); the next run "
                "brings it in line with the files",
                self.path,
                " ".join(str(exc).split()),
            )
        finally:
            self._release_locks()

    def _release_locks(self) -> None:
        if self.worker_lock is not None:
            self.worker_lock.release()
        self.lock.release()
