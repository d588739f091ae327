"""Repair what a killed run left in an output folder, before the next run writes anything.

* A WARC file still named ``*.open`` is cut back to the end of its last complete record
  (one gzip member per record, as :class:`~newsarchive.warc.writer.WarcFileWriter` writes
  them); a ``response`` or ``revisit`` left without the ``request`` record that follows it
  is cut too, so every exchange stays a pair. The file is then fsynced and renamed without
  ``.open``. A file left with nothing but its warcinfo (or nothing at all) is deleted.
* A JSONL file never keeps a partial last line (:func:`newsarchive.jsonl.repair_jsonl`).

The caller must hold the folder's opening lock (:mod:`newsarchive.state.owner`): a
``.open`` file is assumed to belong to a run that is gone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.jsonl import repair_jsonl
from newsarchive.names import OPEN_SUFFIX, WARC_DIR, is_open
from newsarchive.warc.reader import iter_strict

logger = logging.getLogger(__name__)

__all__ = ["RepairReport", "WarcRepair", "repair_folder", "repair_warc"]

#: Records that the writer always follows with their ``request`` record.
_PAIRED = ("response", "revisit")


@dataclass(frozen=True)
class WarcRepair:
    """What :func:`repair_warc` did to one ``.open`` file."""

    path: Path
    """The ``.open`` file as found."""
    final: Path | None
    """Its closed name, or None when it was deleted (no record worth keeping)."""
    records: int
    """Complete records kept (the warcinfo included)."""
    cut_bytes: int
    """Bytes cut off the end."""
    cut_records: int
    """Complete records cut because their pair was incomplete."""


@dataclass
class RepairReport:
    """What :func:`repair_folder` did."""

    warc: list[WarcRepair] = field(default_factory=list)
    jsonl: dict[Path, int] = field(default_factory=dict)
    """JSONL files that had a partial last line -> bytes cut."""

    @property
    def changed(self) -> bool:
        """True when anything was repaired."""
        return bool(self.warc or self.jsonl)

    def stats(self) -> dict[str, int]:
        """Counters for the crawl stats (``newsarchive/repair/...`` keys, without prefix)."""
        return {
            "warc_files": len(self.warc),
            "warc_files_deleted": sum(1 for r in self.warc if r.final is None),
            "warc_bytes_cut": sum(r.cut_bytes for r in self.warc),
            "warc_records_cut": sum(r.cut_records for r in self.warc),
            "jsonl_files": len(self.jsonl),
            "jsonl_bytes_cut": sum(self.jsonl.values()),
        }


@dataclass(frozen=True)
class _Extent:
    offset: int
    end: int
    type: str | None


def _records(path: Path) -> Iterator[_Extent]:
    """Complete records of a WARC file (read by the strict mode of the one reader), up to
    the first that is damaged, cut off, or (``.warc.gz``) not in gzip members of its own."""
    if path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        for event in iter_strict(fh):
            record = event.record
            if record is None:
                return
            for _ in record.chunks():
                pass
            if not record.complete or record.length is None:
                return
            yield _Extent(record.offset, record.offset + record.length, record.get("WARC-Type"))


def complete_extent(path: Path) -> tuple[int, int, int]:
    """``(keep, records, cut_records)``: how many leading bytes of ``path`` hold complete
    records with every exchange paired, how many records that is, and how many complete
    records past it had to go (an unpaired response or revisit)."""
    extents = list(_records(path))
    cut = 0
    while extents and extents[-1].type in _PAIRED:
        extents.pop()
        cut += 1
    keep = extents[-1].end if extents else 0
    return keep, len(extents), cut


def repair_warc(path: Path) -> WarcRepair:
    """Cut one ``.open`` WARC file back to its last complete pair, close and rename it.

    Returns what was done; the file is deleted when no record but the warcinfo is left.
    """
    path = Path(path)
    if not path.name.endswith(OPEN_SUFFIX):
        raise ValueError(f"not an .open WARC file: {path}")
    size = path.stat().st_size
    keep, records, cut_records = complete_extent(path)
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    if records <= 1:
        path.unlink()
        logger.warning(
            "Deleted %s left by an interrupted run: no complete record after its warcinfo "
            "(%d bytes)",
            path,
            size,
        )
        return WarcRepair(path, None, 0, size, cut_records)
    with open(path, "rb+") as fh:
        if keep < size:
            fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    if final.exists():
        raise FileExistsError(f"cannot close {path}: {final} exists")
    os.rename(path, final)
    _fsync_dir(path.parent)
    logger.warning(
        "Repaired %s left by an interrupted run: kept %d records, cut %d bytes "
        "(%d unpaired records); closed as %s",
        path,
        records,
        size - keep,
        cut_records,
        final.name,
    )
    return WarcRepair(path, final, records, size - keep, cut_records)


def repair_folder(out: Path, *, skip: Callable[[Path], bool] | None = None) -> RepairReport:
    """Repair every ``DIR/warc/*.open`` WARC file and every ``DIR/jsonl/*.jsonl`` file,
    but those ``skip(path)`` says belong to a run that is still writing them."""
    out = Path(out)
    report = RepairReport()
    warc_dir = out / WARC_DIR
    if warc_dir.is_dir():
        for path in sorted(warc_dir.iterdir()):
            if (
                path.is_file()
                and is_open(path)
                and path.name.endswith((".warc.gz.open", ".warc.open"))
            ):
                if skip is not None and skip(path):
                    continue
                report.warc.append(repair_warc(path))
    jsonl_dir = out / "jsonl"
    if jsonl_dir.is_dir():
        for path in sorted(jsonl_dir.glob("*.jsonl")):
            if skip is not None and skip(path):
                continue
            cut = repair_jsonl(path)
            if cut:
                report.jsonl[path] = cut
                logger.warning("Repaired %s: cut a partial last line of %d bytes", path, cut)
    return report


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
