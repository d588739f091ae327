"""Opening an output folder for a run: repair, sync, index (no Scrapy here).

:func:`prepare_folder` is what :class:`newsarchive.state.owner.ArchiveFolder` runs under
the folder's opening lock before a run writes anything: it repairs what killed runs left
(:mod:`newsarchive.state.repair`) — but never the files of a run that is alive (another
site's run sharing the folder, asked through ``is_live``) — brings the database in line
with the files (:mod:`newsarchive.state.sync`) and writes missing CDXJ indexes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsarchive.names import STATE_NAME, WARC_DIR, parse_warc_name
from newsarchive.state.db import ArchiveState
from newsarchive.state.repair import RepairReport, repair_folder
from newsarchive.state.sync import SyncReport, sync_state
from newsarchive.warc.reader import is_part_of, iter_records

logger = logging.getLogger(__name__)

__all__ = ["FolderReport", "prepare_folder", "site_of_file"]


@dataclass
class FolderReport:
    """What opening a folder did."""

    repair: RepairReport
    sync: SyncReport
    indexes_written: int = 0


def site_of_file(path: Path) -> str | None:
    """The site a WARC or JSONL file of this folder belongs to: a WARC file's warcinfo
    ``isPartOf`` (else its name's prefix), a JSONL file's name (``{SITE}-{RUN}.jsonl``)."""
    name = path.name
    if name.endswith(".jsonl"):
        site, sep, _ = name[: -len(".jsonl")].rpartition("-")
        return site if sep else None
    try:
        for record, payload in iter_records(path, payloads=("warcinfo",)):
            if record.rec_type == "warcinfo" and payload:
                part_of = is_part_of(payload)
                if part_of:
                    return part_of
            break
    except Exception:  # a damaged head: fall back to the name
        pass
    parsed = parse_warc_name(name)
    return parsed.prefix if parsed else None


def prepare_folder(
    out: Path,
    *,
    cdxj: bool = True,
    is_live: Callable[[str | None], bool] | None = None,
    is_live_file: Callable[[Path], bool] | None = None,
) -> FolderReport:
    """Repair, sync and index ``out`` (see the module); ``is_live(site)`` says whether a
    run of ``site`` is writing now, whose files are left alone (``is_live_file(path)``,
    when given, decides per file instead: a shared frontier's workers of one site)."""
    out = Path(out)

    def skip(path: Path) -> bool:
        if is_live_file is not None:
            return is_live_file(path)
        return is_live is not None and is_live(site_of_file(path))

    repair = repair_folder(out, skip=skip)
    with ArchiveState(out / STATE_NAME) as state:
        sync = sync_state(state, out)
    report = FolderReport(repair, sync)
    if cdxj:
        from newsarchive.warc.cdxj import index_missing

        report.indexes_written = len(index_missing(out / WARC_DIR))
    return report
