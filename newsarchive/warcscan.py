"""Reading WARC files for re-extraction: which files, what each holds, a record's payload.

:func:`scan_warc` reads a file once with warcio and lists its ``response`` and ``revisit``
records (:class:`Entry`: where each lies and its WARC headers, no payload), with the site the
file belongs to (the warcinfo ``isPartOf``). :class:`PayloadReader` later reads one record's
entity body at its offset, de-chunked and content-decoded. ``.warc.gz`` and ``.warc`` files
are read; a ``.open`` file (still being written, or left by a killed crawl) is read up to
its last complete record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from newsarchive.errors import StartError
from newsarchive.warc.writer import RecordLocation

__all__ = [
    "OPEN_SUFFIX",
    "WARC_SUFFIXES",
    "Entry",
    "PayloadReader",
    "WarcFile",
    "WarcReadError",
    "expand_warc_paths",
    "scan_warc",
]

OPEN_SUFFIX = ".open"
"""What a WARC file's name ends with while it is being written."""
WARC_SUFFIXES: tuple[str, ...] = (".warc.gz", ".warc", ".warc.gz.open", ".warc.open")
"""The file names read from a folder."""

_ENTRY_TYPES = ("response", "revisit")
_NAME_PREFIX = re.compile(r"^(?P<site>.+?)-\d{14}-\d{5}-")


class WarcReadError(StartError):
    """A WARC file that cannot be read (missing, unreadable, not a WARC, cut short)."""


@dataclass(frozen=True)
class Entry:
    """One ``response`` or ``revisit`` record: where it lies and what its headers say."""

    path: Path
    """The file it was read from."""
    file: str
    """The file's name once closed (without ``.open``): the record's ``warc.file``."""
    offset: int
    """Byte offset of the record (its gzip member) in the file."""
    length: int
    """Bytes the record takes in the file (the compressed gzip member)."""
    record_type: str
    """``response`` or ``revisit``."""
    record_id: str
    """``WARC-Record-ID``."""
    uri: str
    """``WARC-Target-URI``."""
    date: str
    """``WARC-Date`` exactly as written."""
    status: int | None
    """The HTTP status code of the stored head; ``None`` when there is none."""
    content_type: str | None
    """The stored HTTP ``Content-Type`` header, if any."""
    refers_to: str | None = None
    """``WARC-Refers-To`` (revisits)."""
    refers_to_uri: str | None = None
    """``WARC-Refers-To-Target-URI`` (revisits)."""
    refers_to_date: str | None = None
    """``WARC-Refers-To-Date`` (revisits)."""
    profile: str | None = None
    """``WARC-Profile`` (revisits)."""

    @property
    def location(self) -> dict[str, Any]:
        """``{file, offset, length, record_id}``: the record's ``warc`` field."""
        return RecordLocation(self.file, self.offset, self.length, self.record_id).as_dict()


@dataclass
class WarcFile:
    """What :func:`scan_warc` found in one file."""

    path: Path
    site: str | None
    """The warcinfo's ``isPartOf`` (the spider's name), else the file name's prefix."""
    site_from_name: bool = False
    """True when the warcinfo named no site and ``site`` comes from the file name."""
    entries: list[Entry] = field(default_factory=list)
    """Its ``response`` and ``revisit`` records, in file order."""
    cut_short: str | None = None
    """For a ``.open`` file read only up to its last complete record: why it stopped."""


def final_name(path: Path) -> str:
    """The file's name once closed: ``.open`` dropped."""
    name = path.name
    return name[: -len(OPEN_SUFFIX)] if name.endswith(OPEN_SUFFIX) else name


def expand_warc_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given (in order), each folder replaced by its WARC files sorted by name;
    a file given twice is read once."""
    result: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES)),
                key=lambda p: p.name,
            )
        else:
            found = [path]
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                result.append(item)
    return result


def scan_warc(path: Path) -> WarcFile:
    """List the ``response``/``revisit`` records of one WARC file and the site it is of.

    Raises :class:`WarcReadError` when the file cannot be opened or read, or (unless its
    name ends in ``.open``) when it is cut short.
    """
    path = Path(path)
    best_effort = path.name.endswith(OPEN_SUFFIX)
    scanned = WarcFile(path=path, site=None)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise WarcReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with fh:
        try:
            _scan(fh, scanned)
        except _CutShort as exc:
            if not best_effort:
                raise WarcReadError(f"cannot read {path}: {exc}") from None
            scanned.cut_short = str(exc)
        except Exception as exc:  # warcio, zlib, OSError: all mean unreadable from here
            reason = f"{type(exc).__name__}: {_one_line(exc)}"
            if not best_effort:
                raise WarcReadError(f"cannot read {path}: {reason}") from exc
            scanned.cut_short = reason
    if scanned.site is None:
        match = _NAME_PREFIX.match(path.name)
        if match:
            scanned.site = match.group("site")
            scanned.site_from_name = True
    return scanned


class _CutShort(Exception):
    """A record ends before its Content-Length says."""


def _scan(fh: IO[bytes], scanned: WarcFile) -> None:
    """Fill ``scanned`` from ``fh``; raise :class:`_CutShort` when a record is incomplete
    or bytes that are no complete record follow the last one."""
    iterator = ArchiveIterator(fh)
    end = 0
    for record in iterator:
        kind = record.rec_type
        if kind == "warcinfo" and scanned.site is None:
            scanned.site = is_part_of(record.content_stream().read())
        headers = record.rec_headers
        _drain(record)
        offset, length = iterator.get_record_offset(), iterator.get_record_length()
        end = offset + length
        if kind not in _ENTRY_TYPES:
            continue
        http = record.http_headers
        scanned.entries.append(
            Entry(
                path=scanned.path,
                file=final_name(scanned.path),
                offset=offset,
                length=length,
                record_type=kind,
                record_id=headers.get_header("WARC-Record-ID") or "",
                uri=headers.get_header("WARC-Target-URI") or "",
                date=headers.get_header("WARC-Date") or "",
                status=_status(http),
                content_type=http.get_header("Content-Type") if http else None,
                refers_to=headers.get_header("WARC-Refers-To"),
                refers_to_uri=headers.get_header("WARC-Refers-To-Target-URI"),
                refers_to_date=headers.get_header("WARC-Refers-To-Date"),
                profile=headers.get_header("WARC-Profile"),
            )
        )
    _check_end(fh, end)


def _check_end(fh: IO[bytes], end: int) -> None:
    """warcio stops quietly at a record cut short in its head: whatever follows the last
    complete record (beyond the blank lines that end it) is such a record."""
    fh.seek(end)
    rest = fh.read(1 << 16)
    if rest.strip(b"\r\n"):
        size = fh.seek(0, 2)
        raise _CutShort(f"{size - end} bytes after offset {end} are no complete record")


def _drain(record: Any) -> None:
    """Read the rest of ``record``'s block; raise :class:`_CutShort` if it is incomplete."""
    length = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not record.rec_type or not length.isdigit():
        raise _CutShort("a record head without WARC-Type or Content-Length")
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    missing = getattr(stream, "limit", 0)
    if missing:
        uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_type
        raise _CutShort(f"the record of {uri} ends {missing} bytes early")


def is_part_of(payload: bytes) -> str | None:
    """The ``isPartOf`` value of a warcinfo payload (``application/warc-fields``)."""
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "ispartof" and value.strip():
            return value.strip()
    return None


def _status(http: StatusAndHeaders | None) -> int | None:
    code = http.get_statuscode() if http else None
    try:
        return int(code) if code else None
    except ValueError:
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or "unreadable"


class PayloadReader:
    """Reads records' entity bodies at known offsets, keeping each file open once."""

    def __init__(self) -> None:
        self._files: dict[Path, IO[bytes]] = {}

    def body(self, entry: Entry) -> bytes:
        """``entry``'s entity body: de-chunked and content-decoded.

        Raises whatever warcio or the decompressor raises on a body it cannot decode.
        """
        fh = self._files.get(entry.path)
        if fh is None:
            fh = self._files[entry.path] = open(entry.path, "rb")  # noqa: SIM115
        fh.seek(entry.offset)
        record = next(iter(ArchiveIterator(fh)))
        return record.content_stream().read()

    def close(self) -> None:
        """Close every file opened."""
        for fh in self._files.values():
            fh.close()
        self._files.clear()

    def __enter__(self) -> PayloadReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
