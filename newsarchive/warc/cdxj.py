"""One CDXJ index per closed WARC file: ``DIR/indexes/{WARC name}.cdxj``.

Written when the WARC extension closes a file (rotation or end of run) and, at the start
of a run, for every closed file that has none yet (files a killed run left, once
repaired). Per-file indexes never need rewriting, so a long-lived archive is indexed
once; pywb reads a folder of ``.cdxj`` files as one index, and
``cat indexes/*.cdxj | sort`` gives one sorted index. Built by
:func:`newsarchive.indexing.write_cdxj` (cdxj-indexer), atomically.
"""

from __future__ import annotations

import logging
from pathlib import Path

from newsarchive.indexing import IndexingError, write_cdxj

logger = logging.getLogger(__name__)

__all__ = ["index_missing", "index_path", "index_warc"]

INDEX_DIR = "indexes"
WARC_NAMES = (".warc.gz", ".warc")


def index_path(warc: Path) -> Path:
    """Where the index of ``warc`` (a closed file in ``DIR/warc``) goes."""
    return warc.parent.parent / INDEX_DIR / (warc.name + ".cdxj")


def index_warc(warc: Path) -> Path:
    """Write the CDXJ index of one closed WARC file; return its path.

    Raises :class:`~newsarchive.indexing.IndexingError` when it cannot be built.
    """
    target = index_path(warc)
    write_cdxj([warc], target)
    return target


def index_missing(warc_dir: Path) -> list[Path]:
    """Index every closed WARC file in ``warc_dir`` that has no index (or an older one).

    A file that cannot be indexed is logged and skipped; returns the indexes written.
    """
    written: list[Path] = []
    if not warc_dir.is_dir():
        return written
    for warc in sorted(warc_dir.iterdir()):
        if not (warc.is_file() and warc.name.endswith(WARC_NAMES)):
            continue
        target = index_path(warc)
        if target.exists() and target.stat().st_mtime >= warc.stat().st_mtime:
            continue
        try:
            written.append(index_warc(warc))
        except IndexingError as exc:
            logger.error("No CDXJ index for %s: %s", warc, exc)
    return written
