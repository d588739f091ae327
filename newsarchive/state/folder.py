"""Open an output folder for a run: repair, sync, index - once per process and folder.

Every component that needs the folder's state (the WARC extension, the record pipelines,
the resume middleware, the run bookkeeping) calls :func:`open_folder`; the first call in
a process repairs what a killed run left (:mod:`newsarchive.state.repair`), brings the
database in line with the files (:mod:`newsarchive.state.sync`) and writes the missing
CDXJ indexes; later calls return the same :class:`OutputFolder`. Components are built
before the first response arrives, so this happens before the new run writes anything.
:func:`newsarchive.crawl.run_crawl` calls it under the folder's lock before the crawl
starts; a plain ``scrapy crawl`` gets it from the first component (without the lock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.state.db import STATE_NAME, ArchiveState
from newsarchive.state.repair import RepairReport, repair_folder
from newsarchive.state.sync import SyncReport, sync_state

logger = logging.getLogger(__name__)

__all__ = ["OutputFolder", "close_folders", "open_folder"]


@dataclass
class OutputFolder:
    """An output folder opened for this process's runs."""

    path: Path
    state: ArchiveState
    repair: RepairReport
    sync: SyncReport
    indexes_written: int = 0
    _resume: dict[str, list[str]] = field(default_factory=dict)

    def runs_to_resume(self, site: str, run: str) -> list[str]:
        """The earlier runs of ``site`` that never finished, which run ``run`` completes.

        Computed once per site (before ``run`` is recorded as started, which this does),
        so every component of the run sees the same list.
        """
        if site not in self._resume:
            self._resume[site] = self.state.unfinished_runs(site, before=run)
            self.state.start_run(site, run)
        return self._resume[site]


_OPEN: dict[Path, OutputFolder] = {}


def open_folder(out: str | Path, *, cdxj: bool = True) -> OutputFolder:
    """The :class:`OutputFolder` for ``out``: repaired, synced and indexed on first use."""
    key = Path(out).resolve()
    folder = _OPEN.get(key)
    if folder is not None:
        return folder
    key.mkdir(parents=True, exist_ok=True)
    repair = repair_folder(key)
    state = ArchiveState(key / STATE_NAME)
    sync = sync_state(state, key)
    folder = OutputFolder(key, state, repair, sync)
    if cdxj:
        from newsarchive.warc.cdxj import index_missing

        folder.indexes_written = len(index_missing(key / "warc"))
    _OPEN[key] = folder
    return folder


def close_folders() -> None:
    """Close every open folder's database (tests; the process exit does it otherwise)."""
    for folder in _OPEN.values():
        folder.state.close()
    _OPEN.clear()
