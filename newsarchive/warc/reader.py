"""The one WARC reader: every module that reads archived records goes through it.

Two modes, one for each kind of reader:

* **lenient** (this module, on warcio's public API): ``.warc.gz``, ``.warc``, ``.arc``,
  ``.arc.gz``, WARC/1.0 and 1.1, and files other tools wrote. :func:`iter_records` gives
  each record's offset, length, WARC headers and HTTP head; :func:`payload_chunks` its
  payload, de-chunked with :class:`newsarchive.http.message.Dechunker` (lenient, and a
  body labelled chunked that is not is read as it is, as warcio and browsers do) and
  content-decoded with :mod:`newsarchive.http.codings` (gzip, deflate, br, zstd), in
  pieces. :func:`scan_archive` lists a file's responses and revisits for re-extraction,
  :class:`PayloadReader` reads one record's body at its offset, :func:`read_http_record`
  one record's HTTP head and entity (resume). Used by ``extract``, the state sync and
  resume.
* **strict** (:mod:`newsarchive.warc.strict`, re-exported here): the bytes exactly as
  stored, gzip members and record framing checked, every structural fault reported;
  streaming, so memory stays flat in record size. Used by ``validate`` and by the repair
  of ``.open`` files, which must not read past damage. It lives in its own module only to
  keep each file short; it shares no state with warcio.

A payload is the same whichever digest convention wrote it: both the legacy
``WARC-Payload-Digest`` (over the bytes after the HTTP head, chunk framing included) and
the WARC spec's (over the entity with the transfer coding removed) describe one stored
block, which this reader reads the same way.
"""

from __future__ import annotations

import re
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from newsarchive.errors import StartError
from newsarchive.names import final_name, is_archive, is_open
from newsarchive.warc.payload import entity_chunks, http_codings, is_chunked, payload_chunks
from newsarchive.warc.strict import (
    Event,
    PointerError,
    StrictRecord,
    is_gzip_file,
    iter_strict,
    read_record_at,
)

__all__ = [
    "ArchiveRecord",
    "Entry",
    "HttpRecord",
    "Event",
    "PayloadReader",
    "PointerError",
    "StrictRecord",
    "WarcFile",
    "WarcReadError",
    "entity_chunks",
    "expand_archive_paths",
    "http_codings",
    "is_chunked",
    "is_gzip_file",
    "is_arc_file",
    "is_part_of",
    "iter_records",
    "iter_strict",
    "payload_chunks",
    "read_http_record",
    "read_record_at",
    "scan_archive",
    "strip_brackets",
]

_CHUNK = 1 << 16
_ENTRY_TYPES = ("response", "revisit")
_ARC_IDS = uuid.UUID("6d1c6d5e-3f0e-4c53-9a43-5b7f2a1a6c01")
_NAME_PREFIX = re.compile(r"^(?P<site>.+?)-\d{14}-\d{5}-")


class WarcReadError(StartError):
    """An archive file that cannot be read (missing, unreadable, not an archive, cut short)."""


# -- records -------------------------------------------------------------------------------


@dataclass
class ArchiveRecord:
    """One record as warcio reads it (ARC records as their WARC equivalents)."""

    offset: int
    """Byte offset of the record (its gzip member) in the file."""
    length: int
    """Bytes the record takes in the file."""
    rec_type: str
    headers: list[tuple[str, str]]
    """WARC headers (for ARC files: warcio's WARC translation, with a ``WARC-Record-ID``
    made from the file name and offset, the same at every read)."""
    status: int | None
    """The HTTP status of a stored response head, else None."""
    http_headers: list[tuple[str, str]] | None
    """The stored HTTP head's header fields, None when the record holds no HTTP message."""
    format: str = "warc"
    """``warc`` or ``arc``."""

    def get(self, name: str) -> str | None:
        """The first WARC header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def target_uri(self) -> str:
        """``WARC-Target-URI`` without the ``<...>`` some WARC/1.0 writers put around it."""
        return strip_brackets(self.get("WARC-Target-URI") or "")


def strip_brackets(uri: str) -> str:
    """A target URI as written by WARC/1.0's grammar (``<uri>``) or 1.1's (``uri``)."""
    uri = uri.strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri


def iter_records(
    path: Path, *, start: int = 0, payloads: Iterable[str] = ()
) -> Iterator[tuple[ArchiveRecord, bytes | None]]:
    """``(record, raw payload or None)`` for every record of ``path`` from byte ``start``.

    The raw payload (the bytes after the HTTP head, or the whole block without one) is
    read for the record types named in ``payloads`` (small records: warcinfo, metadata);
    others are skipped unread. Raises :class:`WarcReadError` for a record cut short (its
    ``.limit`` says bytes are missing) and whatever warcio raises on bytes it cannot read.
    """
    wanted = set(payloads)
    arc = is_arc_file(path)
    with open(path, "rb") as fh:
        fh.seek(start)
        iterator = ArchiveIterator(fh, arc2warc=True)
        for record in iterator:
            kind = record.rec_type or ""
            data = record.raw_stream.read() if kind in wanted else None
            _drain(record)
            http = record.http_headers
            offset = iterator.get_record_offset()
            headers = list(record.rec_headers.headers)
            if arc:  # ARC has no record ids: one made from the place, the same at every read
                name = f"{final_name(path)}@{offset}"
                headers = [(k, v) for k, v in headers if k.lower() != "warc-record-id"]
                headers.append(("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(_ARC_IDS, name)}>"))
            yield (
                ArchiveRecord(
                    offset=offset,
                    length=iterator.get_record_length(),
                    rec_type=kind,
                    headers=headers,
                    status=_status(http) if http is not None else None,
                    http_headers=list(http.headers) if http is not None else None,
                    format="arc" if arc else "warc",
                ),
                data,
            )


def is_arc_file(path: Path) -> bool:
    """True when the file (gzip-compressed or not) starts as an ARC file does."""
    with open(path, "rb") as fh:
        start = fh.read(512)
    if start[:2] == b"\x1f\x8b":
        try:
            start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(start, 16)
        except zlib.error:
            return False
    return start.startswith(b"filedesc://")


def _drain(record: Any) -> None:
    """Read the rest of ``record``'s block; raise :class:`WarcReadError` if it is cut short."""
    length = (record.rec_headers.get_header("Content-Length") or "").strip()
    if record.format not in ("arc", "arc2warc") and (not record.rec_type or not length.isdigit()):
        raise WarcReadError("a record head without WARC-Type or Content-Length")
    stream = record.raw_stream
    while stream.read(_CHUNK):
        pass
    missing = getattr(stream, "limit", 0)
    if missing:
        uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_type
        raise WarcReadError(f"the record of {uri} ends {missing} bytes early")


def _status(http: Any) -> int | None:
    code = http.get_statuscode() if http is not None else None
    try:
        return int(code) if code else None
    except ValueError:
        return None


# -- payloads ------------------------------------------------------------------------------


def _read_pieces(stream: Any) -> Iterator[bytes]:
    while piece := stream.read(_CHUNK):
        yield piece


@dataclass
class HttpRecord:
    """One record's stored HTTP message (see :func:`read_http_record`)."""

    status: int | None
    headers: list[tuple[str, str]]
    entity: bytes
    """The body with the transfer coding removed, content coding kept."""
    truncated: bool = False


def read_http_record(path: Path, offset: int) -> HttpRecord:
    """The HTTP message of the record at ``offset``; :class:`WarcReadError` when there is
    none."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, arc2warc=True)), None)
        if record is None or record.http_headers is None:
            raise WarcReadError(f"no HTTP record at {Path(path).name}@{offset}")
        headers = list(record.http_headers.headers)
        entity = b"".join(entity_chunks(_read_pieces(record.raw_stream), is_chunked(headers)))
        truncated = bool(record.rec_headers.get_header("WARC-Truncated"))
        return HttpRecord(_status(record.http_headers), headers, entity, truncated)


# -- files for re-extraction ---------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One ``response`` or ``revisit`` record: where it lies and what its headers say."""

    path: Path
    file: str
    """The file's name once closed (without ``.open``): the record's ``warc.file``."""
    offset: int
    length: int
    record_type: str
    record_id: str
    uri: str
    """``WARC-Target-URI`` (WARC/1.0 brackets removed)."""
    date: str
    status: int | None
    http_headers: tuple[tuple[str, str], ...] = ()
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    profile: str | None = None

    @property
    def content_type(self) -> str | None:
        """The stored HTTP ``Content-Type`` header, if any."""
        return next((v for k, v in self.http_headers if k.lower() == "content-type"), None)

    @property
    def location(self) -> dict[str, Any]:
        """``{file, offset, length, record_id}``: the record's ``warc`` field."""
        return {
            "file": self.file,
            "offset": self.offset,
            "length": self.length,
            "record_id": self.record_id,
        }


@dataclass
class WarcFile:
    """What :func:`scan_archive` found in one file."""

    path: Path
    site: str | None
    """The warcinfo's ``isPartOf`` (the spider's name), else the file name's prefix."""
    site_from_name: bool = False
    entries: list[Entry] = field(default_factory=list)
    cut_short: str | None = None
    """For a ``.open`` file read only up to its last complete record: why it stopped."""


def expand_archive_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given (in order), each folder replaced by its archive files sorted by name
    (:func:`newsarchive.names.is_archive`); a file given twice is read once."""
    result: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and is_archive(p))
        else:
            found = [path]
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                result.append(item)
    return result


def scan_archive(path: Path) -> WarcFile:
    """List the ``response``/``revisit`` records of one archive file and its site.

    Raises :class:`WarcReadError` when the file cannot be opened or read, or (unless its
    name ends in ``.open``) when it is cut short.
    """
    path = Path(path)
    scanned = WarcFile(path=path, site=None)
    end = 0
    try:
        for record, data in iter_records(path, payloads=("warcinfo",)):
            end = record.offset + record.length
            if record.rec_type == "warcinfo" and scanned.site is None and data:
                scanned.site = is_part_of(data)
            elif record.rec_type in _ENTRY_TYPES:
                scanned.entries.append(_entry(path, record))
        _check_end(path, end)
    except OSError as exc:
        if not path.exists() or not scanned.entries:
            raise WarcReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
        _cut(scanned, f"{type(exc).__name__}: {_one_line(exc)}")
    except Exception as exc:  # warcio, zlib, cut short: unreadable from here
        reason = str(exc) if isinstance(exc, WarcReadError) else f"{type(exc).__name__}: "
        reason = reason if isinstance(exc, WarcReadError) else reason + _one_line(exc)
        _cut(scanned, reason)
    if scanned.site is None:
        match = _NAME_PREFIX.match(path.name)
        if match:
            scanned.site = match.group("site")
            scanned.site_from_name = True
    return scanned


def _cut(scanned: WarcFile, reason: str) -> None:
    if not is_open(scanned.path):
        raise WarcReadError(f"cannot read {scanned.path}: {reason}")
    scanned.cut_short = reason


def _entry(path: Path, record: ArchiveRecord) -> Entry:
    return Entry(
        path=path,
        file=final_name(path),
        offset=record.offset,
        length=record.length,
        record_type=record.rec_type,
        record_id=record.get("WARC-Record-ID") or "",
        uri=record.target_uri,
        date=record.get("WARC-Date") or "",
        status=record.status,
        http_headers=tuple(record.http_headers or ()),
        refers_to=record.get("WARC-Refers-To"),
        refers_to_uri=strip_brackets(record.get("WARC-Refers-To-Target-URI") or "") or None,
        refers_to_date=record.get("WARC-Refers-To-Date"),
        profile=record.get("WARC-Profile"),
    )


def _check_end(path: Path, end: int) -> None:
    """warcio stops quietly at a record cut short in its head: whatever follows the last
    complete record (beyond blank lines) is such a record."""
    with open(path, "rb") as fh:
        fh.seek(end)
        rest = fh.read(1 << 16)
        if rest.strip(b"\r\n"):
            size = fh.seek(0, 2)
            raise WarcReadError(f"{size - end} bytes after offset {end} are no complete record")


def is_part_of(payload: bytes) -> str | None:
    """The ``isPartOf`` value of a warcinfo payload (``application/warc-fields``)."""
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "ispartof" and value.strip():
            return value.strip()
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or "unreadable"


class PayloadReader:
    """Reads records' entity bodies at known offsets, keeping each file open once."""

    def __init__(self, *, max_size: int = 0) -> None:
        self.max_size = max_size
        self._files: dict[Path, IO[bytes]] = {}

    def body(self, entry: Entry) -> bytes:
        """``entry``'s entity body: de-chunked and content-decoded.

        Raises :class:`~newsarchive.http.codings.DecodeError` (and its subclasses) on a body
        that does not decode, :class:`WarcReadError` when no record is at the offset.
        """
        fh = self._files.get(entry.path)
        if fh is None:
            fh = self._files[entry.path] = open(entry.path, "rb")  # noqa: SIM115
        fh.seek(entry.offset)
        record = next(iter(ArchiveIterator(fh, arc2warc=True)), None)
        if record is None:
            raise WarcReadError(f"no record at {entry.file}@{entry.offset}")
        headers = list(record.http_headers.headers) if record.http_headers else []
        pieces = payload_chunks(_read_pieces(record.raw_stream), headers, max_size=self.max_size)
        return b"".join(pieces)

    def close(self) -> None:
        """Close every file opened."""
        for fh in self._files.values():
            fh.close()
        self._files.clear()

    def __enter__(self) -> PayloadReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
