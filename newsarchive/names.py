"""Every file name and suffix of an output folder, in one place.

::

    DIR/warc/{PREFIX}-{YYYYMMDDhhmmss}-{SERIAL:05}-{HOST}.warc.gz   # + ".open" while written
    DIR/jsonl/{SITE}-{RUN}.jsonl
    DIR/reports/{SITE}-{RUN}.json
    DIR/logs/{RUN}.log
    DIR/indexes/{WARC file name}.cdxj
    DIR/state.sqlite
    DIR/.locks/{SITE}.lock                                         # held while SITE runs
    DIR/.locks/{SITE}@{RUN}.lock                                   # a frontier worker's run
    DIR/.newsarchive.lock                                          # held while a run opens DIR
    DIR/.frontier/{SITE}-{RUN}/                                    # the run's pending requests

``{RUN}`` is the run id, ``YYYYMMDDhhmmss`` in UTC. Readers also take files written by
other tools: ``.warc``, ``.warc.gz``, ``.arc`` and ``.arc.gz`` (see :func:`is_archive`).
No Scrapy here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ARCHIVE_SUFFIXES",
    "FOLDER_LOCK",
    "FRONTIER_DIR",
    "INDEX_DIR",
    "JSONL_DIR",
    "JSONL_SUFFIX",
    "LOCK_DIR",
    "LOGS_DIR",
    "OPEN_SUFFIX",
    "REPORTS_DIR",
    "STATE_NAME",
    "WARC_DIR",
    "WarcName",
    "final_name",
    "index_path",
    "is_archive",
    "is_open",
    "jsonl_name",
    "log_name",
    "parse_warc_name",
    "report_name",
    "site_lock_path",
    "worker_lock_path",
    "warc_name",
]

WARC_DIR = "warc"
JSONL_DIR = "jsonl"
REPORTS_DIR = "reports"
LOGS_DIR = "logs"
INDEX_DIR = "indexes"
LOCK_DIR = ".locks"
FRONTIER_DIR = ".frontier"
STATE_NAME = "state.sqlite"
FOLDER_LOCK = ".newsarchive.lock"

OPEN_SUFFIX = ".open"
"""What a WARC file's name ends with while it is being written."""
WARC_GZ = ".warc.gz"
WARC_PLAIN = ".warc"
ARCHIVE_SUFFIXES: tuple[str, ...] = (".warc.gz", ".warc", ".arc.gz", ".arc")
"""The archive files readers take (WARC 1.0/1.1 and ARC, gzip-compressed or not)."""
JSONL_SUFFIX = ".jsonl"

_WARC_NAME = re.compile(
    r"^(?P<prefix>.+)-(?P<timestamp>\d{14})-(?P<serial>\d{5})-(?P<host>[A-Za-z0-9.-]+)"
    r"(?P<suffix>\.warc(?:\.gz)?)(?P<open>\.open)?$"
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class WarcName:
    """The parts of a WARC file name this project writes."""

    prefix: str
    timestamp: str
    serial: int
    host: str
    suffix: str
    open: bool


def warc_name(prefix: str, timestamp: str, serial: int, host: str, *, gzip: bool = True) -> str:
    """``{PREFIX}-{YYYYMMDDhhmmss}-{SERIAL:05}-{HOST}.warc.gz`` (the closed file's name)."""
    return f"{prefix}-{timestamp}-{serial:05d}-{host}{WARC_GZ if gzip else WARC_PLAIN}"


def parse_warc_name(name: str) -> WarcName | None:
    """The parts of a name :func:`warc_name` made (with or without ``.open``), else None."""
    match = _WARC_NAME.match(name)
    if match is None:
        return None
    return WarcName(
        prefix=match["prefix"],
        timestamp=match["timestamp"],
        serial=int(match["serial"]),
        host=match["host"],
        suffix=match["suffix"],
        open=bool(match["open"]),
    )


def is_open(path: str | Path) -> bool:
    """True for a WARC file still being written (or left by a killed run)."""
    return str(path).endswith(OPEN_SUFFIX)


def final_name(path: str | Path) -> str:
    """A file's name once closed: ``.open`` dropped."""
    name = Path(path).name
    return name[: -len(OPEN_SUFFIX)] if name.endswith(OPEN_SUFFIX) else name


def is_archive(path: str | Path, *, include_open: bool = True) -> bool:
    """True when the name is a WARC or ARC file's (``.open`` ones unless excluded)."""
    name = Path(path).name.lower()
    if name.endswith(OPEN_SUFFIX):
        if not include_open:
            return False
        name = name[: -len(OPEN_SUFFIX)]
    return name.endswith(ARCHIVE_SUFFIXES)


def jsonl_name(site: str, run: str) -> str:
    """``{SITE}-{RUN}.jsonl``."""
    return f"{site}-{run}{JSONL_SUFFIX}"


def report_name(site: str, run: str) -> str:
    """``{SITE}-{RUN}.json``."""
    return f"{site}-{run}.json"


def log_name(run: str) -> str:
    """``{RUN}.log``."""
    return f"{run}.log"


def index_path(out: Path, warc_file: str | Path) -> Path:
    """``DIR/indexes/{WARC file name}.cdxj`` of a closed WARC file."""
    return Path(out) / INDEX_DIR / (final_name(warc_file) + ".cdxj")


def site_lock_path(out: Path, site: str) -> Path:
    """``DIR/.locks/{SITE}.lock``: held by the run of ``site`` writing ``out``."""
    return Path(out) / LOCK_DIR / f"{safe_component(site)}.lock"


def worker_lock_path(out: Path, site: str, run: str) -> Path:
    """``DIR/.locks/{SITE}@{RUN}.lock``: held by run ``run`` of ``site`` while it crawls as
    one worker of a shared frontier (several such runs of one site share the folder)."""
    return Path(out) / LOCK_DIR / f"{safe_component(site)}@{run}.lock"


def safe_component(text: str) -> str:
    """``text`` usable in a file name: runs of other characters than ``A-Za-z0-9._-``
    become ``-``."""
    return _UNSAFE.sub("-", text).strip("-.") or "_"
