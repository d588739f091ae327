"""``ArchiveFolder``: the one owner of an output folder while a site's run writes it.

Every other component reaches the folder through it (``crawler.get_extension(
ArchiveFolder)``): its path, its state database, the run's id and the earlier runs it
resumes. It is the first extension (``EXTENSIONS = {"newsarchive.state.owner.
ArchiveFolder": 0}``), so ``scrapy crawl`` and ``newsarchive crawl`` are equally safe:

* **locks**: the run holds ``DIR/.locks/{SITE}.lock`` (an ``flock``, which dies with the
  process) for as long as it lasts; a second run of the same site on the folder fails to
  start (:class:`FolderBusy`), runs of other sites share the folder. Opening the folder
  (repair, sync, indexes) happens under ``DIR/.newsarchive.lock``, held only for that;
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
from newsarchive.names import FOLDER_LOCK, FRONTIER_DIR, STATE_NAME, site_lock_path
from newsarchive.runinfo import run_id
from newsarchive.state.db import ArchiveState
from newsarchive.state.folder import FolderReport, prepare_folder

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["ArchiveFolder", "FolderBusy", "FileLock", "is_complete"]

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

    def acquire(self, *, timeout: float = 0.0) -> bool:
        """Take the lock; wait up to ``timeout`` seconds. False when another holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - kept open while the lock is held
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return False
                time.sleep(0.05)
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
    ) -> None:
        self.stats = stats
        self.path = Path(path)
        self.site = site
        self.run = run
        self.lock = FileLock(site_lock_path(self.path, site))
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            got = self.lock.acquire()
        except OSError as exc:
            raise StartError(f"cannot use output folder {self.path}: {exc}") from exc
        if not got:
            raise FolderBusy(
                f"another run of {site} (pid {self.lock.holder()}) is writing {self.path}; "
                "not starting"
            )
        try:
            self._forget_old_frontiers()
            self.report = self._open(cdxj=cdxj)
            self.state = ArchiveState(self.path / STATE_NAME)
            self.resumes: list[str] = self.state.unfinished_runs(site, before=run)
            """Earlier runs of the site that never finished: this run completes them."""
            self.state.start_run(site, run)
        except BaseException:
            self.lock.release()
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
            return prepare_folder(self.path, cdxj=cdxj, is_live=self._is_live)
        finally:
            folder_lock.release()

    def _is_live(self, site: str | None) -> bool:
        """True when a run of ``site`` other than this one holds its lock now."""
        if site is None or site == self.site:
            return False
        probe = FileLock(site_lock_path(self.path, site))
        if probe.acquire():
            probe.release()
            return False
        return True

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
            self.lock.release()
