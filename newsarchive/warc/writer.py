"""WARC file lifecycle: ``.open`` names, warcinfo first, exchange pairs, size rotation.

This module knows nothing about Scrapy: it takes bytes and writes WARC/1.1 records with
warcio, one gzip member per record (what a record is made of, :mod:`newsarchive.warc.records`,
is re-exported here). :class:`WarcFileWriter` owns the files:

* a file is created as ``{PREFIX}-{YYYYMMDDhhmmss}-{SERIAL:05}-{HOST}.warc.gz.open`` (UTC
  timestamp of the file's creation) and renamed to drop ``.open`` when it is closed;
* every file starts with a ``warcinfo`` record and every later record carries
  ``WARC-Warcinfo-ID`` pointing at it;
* :meth:`WarcFileWriter.write_exchange` writes a ``response`` record and then a ``request``
  record (``WARC-Concurrent-To`` the response, same ``WARC-Date``) and flushes; given a
  :class:`RevisitOf`, it writes an identical-payload-digest ``revisit`` record (the HTTP
  head only) instead of the response;
* ``on_open`` / ``on_close`` callbacks learn of every file created and closed (the WARC
  extension indexes them), ``on_discard`` of a file removed for holding nothing,
  ``on_record`` of every record once it is in the file for good (a :class:`WrittenRecord`:
  the CDXJ index is built from these, without reading the file back), and
  :attr:`WarcFileWriter.position` is the end of the last record written;
* a file never holds a partial record (a failed write is cut back) and never gets its
  final name without a record after its warcinfo: a file whose warcinfo cannot be
  written (a full disk at a rotation), or whose every later write failed, is removed
  instead of being closed; a file that cannot be cut back is left ``.open`` for the next
  start's repair (:mod:`newsarchive.state.repair`);
* once a file has reached ``max_size`` bytes, the next exchange goes to a new file, so a
  response and its request never split across files (a file exceeds ``max_size`` by at
  most one exchange and the records written right after it).

The HTTP head and body given to the writer land in the record byte for byte: warcio
would re-serialise parsed headers (``Name: value``), so the head is handed to warcio as a
:class:`~warcio.statusandheaders.StatusAndHeaders` that keeps the original bytes.

Digests are SHA-1, base32, as warcio computes them: ``WARC-Block-Digest`` over the whole
block; ``WARC-Payload-Digest`` is the caller's (the crawl passes the digest of the entity
with its transfer coding removed, as the WARC specification says) or, when it gives none,
over the bytes after the HTTP head as stored.

The writer is not thread-safe; Scrapy calls it from the reactor thread only.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Self

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.warc.records import (
    NOT_MODIFIED_PROFILE,
    REVISIT_PROFILE,
    WARC_CONFORMS_TO,
    WARC_DATE_FORMAT,
    WARC_VERSION,
    RawHttpHead,
    RecordLocation,
    RevisitOf,
    WrittenRecord,
    default_software,
    format_warc_date,
    local_hostname,
    local_ip,
    new_record_id,
    one_line,
    payload_digest,
    sanitize_hostname,
    sha1_label,
    split_http_message,
    utc_now,
    warcinfo_fields,
)

logger = logging.getLogger(__name__)

__all__ = [
    "NOT_MODIFIED_PROFILE",
    "REVISIT_PROFILE",
    "WARC_CONFORMS_TO",
    "WARC_DATE_FORMAT",
    "RecordLocation",
    "RevisitOf",
    "WarcFileWriter",
    "WrittenRecord",
    "default_software",
    "format_warc_date",
    "local_hostname",
    "local_ip",
    "payload_digest",
    "sanitize_hostname",
    "split_http_message",
    "warcinfo_fields",
]

#: The default size at which a file is rotated (1 GB, as Heritrix and warcprox).
DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_GZIP_LEVEL = 6
"""zlib's own default: about 10 % faster than warcio's level 9 for the same size; level 1
is about three times faster still, for files about 15 % larger."""


class WarcFileWriter:
    """Write WARC/1.1 files into ``directory``: warcinfo first, ``.open`` until closed.

    :param directory: where the files go (created when the first file is).
    :param prefix: the file name prefix.
    :param max_size: once the current file has this many bytes, the next exchange
        starts a new file.
    :param gzip: one gzip member per record (``.warc.gz``); ``False`` writes ``.warc``.
    :param warcinfo: the warcinfo fields, in order (see :func:`warcinfo_fields`);
        defaults to software, format, conformsTo, hostname and ip.
    :param hostname: the host name used in file names (sanitised); defaults to this
        machine's.
    :param clock: returns the current time (an aware UTC datetime); used for file names,
        warcinfo dates and records written without an explicit ``date``.
    :param make_id: returns a new ``<urn:uuid:...>`` record id.
    :param on_open: called with the file's final name once a new file has its warcinfo.
    :param on_close: called with the final path once a file is closed and renamed.
    :param on_discard: called with the final name of a file that was removed instead of
        closed, for holding no record after its warcinfo (its writes failed), when
        ``on_open`` may have been called for it.
    :param on_record: called with a :class:`WrittenRecord` for every record (warcinfo
        included) once the write that holds it succeeded, before the next write; never
        for a record cut back after a failed write.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        prefix: str = "NEWSARCHIVE",
        max_size: int = DEFAULT_MAX_SIZE,
        gzip: bool = True,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        warcinfo: Mapping[str, str] | None = None,
        hostname: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        make_id: Callable[[], str] = new_record_id,
        on_open: Callable[[str], None] | None = None,
        on_close: Callable[[Path], None] | None = None,
        on_discard: Callable[[str], None] | None = None,
        on_record: Callable[[WrittenRecord], None] | None = None,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size!r}")
        if not prefix or "/" in prefix or os.sep in prefix:
            raise ValueError(f"invalid WARC file prefix {prefix!r}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.gzip = gzip
        if not 0 <= gzip_level <= 9:
            raise ValueError(f"gzip_level must be 0..9, got {gzip_level!r}")
        self.gzip_level = gzip_level
        self._buffer = BytesIO()
        raw_host = hostname or local_hostname()
        self.hostname = sanitize_hostname(raw_host)
        if warcinfo is None:
            warcinfo = warcinfo_fields(hostname=raw_host, ip=local_ip(raw_host))
        self.warcinfo = dict(warcinfo)
        self._clock = clock
        self._make_id = make_id
        self._on_open = on_open
        self._on_close = on_close
        self._on_discard = on_discard
        self._on_record = on_record
        self._written: list[WrittenRecord] = []
        """Records of the write in progress, given to ``on_record`` once it succeeded."""
        self._serial = 0
        self._fh: IO[bytes] | None = None
        self._warcio: WARCWriter | None = None
        self._name: str | None = None
        self._warcinfo_id: str | None = None
        self._records_in_file = 0
        self._bytes_in_file = 0
        self._announced = False
        """True once ``on_open`` was called for the current file."""
        #: Final paths of the files closed so far, in order.
        self.closed_files: list[Path] = []
        #: Records written (warcinfo included) since the writer was created.
        self.records_written = 0
        #: Bytes written to files (as stored, i.e. compressed) since the writer was created.
        self.bytes_written = 0
        #: Files created since the writer was created (but those removed for holding no
        #: record after their warcinfo).
        self.files_opened = 0

    # -- file lifecycle --------------------------------------------------------------

    @property
    def current_path(self) -> Path | None:
        """Path of the file being written (ending in ``.open``), or None."""
        if self._name is None:
            return None
        return self.directory / (self._name + ".open")

    @property
    def current_name(self) -> str | None:
        """Final basename of the file being written (without ``.open``), or None."""
        return self._name

    @property
    def position(self) -> int:
        """Size of the current file so far (the end of its last record); 0 without one."""
        return self._fh.tell() if self._fh is not None else 0

    def _extension(self) -> str:
        return ".warc.gz" if self.gzip else ".warc"

    def _open_new_file(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        created = self._clock()
        stamp = created.astimezone(UTC) if created.tzinfo else created
        timestamp = stamp.strftime("%Y%m%d%H%M%S")
        while True:
            name = f"{self.prefix}-{timestamp}-{self._serial:05d}-{self.hostname}"
            name += self._extension()
            self._serial += 1
            final = self.directory / name
            if final.exists():
                continue
            try:
                # unbuffered: every record reaches the file in write(), or is cut back
                fh = open(self.directory / (name + ".open"), "xb", buffering=0)  # noqa: SIM115
            except FileExistsError:
                continue
            break
        self._fh = fh
        self._name = name
        # warcio serialises each record into a buffer; _write compresses it as one gzip
        # member at gzip_level (warcio's own gzip is fixed at level 9, three times slower)
        self._warcio = WARCWriter(self._buffer, gzip=False, warc_version=WARC_VERSION)
        self._records_in_file = 0
        self._bytes_in_file = 0
        self._announced = False
        self.files_opened += 1
        logger.debug("Opened WARC file %s", self.current_path)
        try:
            self._write_warcinfo(created)
            fh.flush()
            if self._on_open is not None:
                self._announced = True
                self._on_open(name)
        except BaseException:
            # e.g. a full disk at a rotation: an empty or warcinfo-only file must not stay
            # to be closed under its final name later
            self._remove_current()
            raise
        self._deliver()

    def _write_warcinfo(self, created: datetime) -> None:
        record_id = self._make_id()
        payload = "".join(
            f"{name}: {one_line(value)}\r\n" for name, value in self.warcinfo.items()
        ).encode("utf-8")
        headers = [
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", format_warc_date(created)),
            ("WARC-Filename", self._name or ""),
        ]
        self._write(
            "warcinfo", "", headers, payload, head=None, content_type="application/warc-fields"
        )
        self._warcinfo_id = record_id

    def close(self) -> Path | None:
        """Close the current file and drop ``.open`` from its name; return its final path.

        A file that holds no record after its warcinfo (every write after it failed) is
        removed instead, and None returned: it is never given its final name. When the
        file cannot be synced or renamed, the error is raised and the file stays ``.open``
        (the next start's repair closes it).
        """
        if self._fh is None or self._name is None:
            return None
        if self._records_in_file <= 1:
            self._remove_current()
            return None
        fh, name = self._fh, self._name
        self._fh = self._warcio = self._name = self._warcinfo_id = None
        try:
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fh.close()
        final = self.directory / name
        os.rename(self.directory / (name + ".open"), final)
        self.closed_files.append(final)
        logger.debug("Closed WARC file %s", final)
        if self._on_close is not None:
            self._on_close(final)
        return final

    def _remove_current(self) -> None:
        """Close and delete the current file (it holds no record worth keeping).

        Needs no space on the device. The file is left ``.open`` when it cannot be
        deleted (the next start's repair deletes it).
        """
        self._written.clear()
        fh, name = self._fh, self._name
        if fh is None or name is None:
            return
        path = self.directory / (name + ".open")
        self._fh = self._warcio = self._name = self._warcinfo_id = None
        self.records_written -= self._records_in_file
        self.bytes_written -= self._bytes_in_file
        self.files_opened -= 1
        self._records_in_file = self._bytes_in_file = 0
        with contextlib.suppress(OSError):  # nothing in it is kept
            fh.close()
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:  # left .open: the next start's repair deletes it
            logger.error("Could not remove %s, which holds no record: %s", path, exc)
            return
        # info: the failure that caused it has been reported already
        logger.info("Removed %s: no record could be written to it after its warcinfo", path)
        if self._announced and self._on_discard is not None:
            self._on_discard(name)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _ensure_file(self, *, rotate: bool) -> None:
        if (
            rotate
            and self._fh is not None
            and self._records_in_file > 1
            and self._fh.tell() >= self.max_size
        ):
            self.close()
        if self._fh is None:
            self._open_new_file()

    # -- records ---------------------------------------------------------------------

    def write_exchange(
        self,
        target_uri: str,
        *,
        response_head: bytes,
        response_body: bytes,
        request_head: bytes,
        request_body: bytes = b"",
        ip_address: str | None = None,
        date: datetime | None = None,
        truncated: str | None = None,
        revisit: RevisitOf | None = None,
        response_payload_digest: str | None = None,
    ) -> RecordLocation:
        """Write a ``response`` (or ``revisit``) record and then its ``request`` record; flush.

        Both records get the same ``WARC-Date`` (``date``, or the clock). The heads are
        the status/request line and header lines exactly as on the wire, including the
        empty line that ends them; the bodies are the bytes that followed (for the
        response: still content-encoded, with chunked framing if it was chunked).
        ``truncated`` (``length``, ``time``, ``disconnect`` or ``unspecified``) marks a
        response body that was cut short with ``WARC-Truncated``.

        With ``revisit``, the first record is a ``revisit`` of that original (profile
        identical-payload-digest, ``WARC-Refers-To*``, its ``WARC-Payload-Digest``): the
        block is the response head only and ``response_body`` is not stored.

        ``response_payload_digest``, when the caller has computed it
        (:func:`payload_digest` of ``response_body``), is not computed again.

        :returns: where the response (or revisit) record lies.
        """
        self._ensure_file(rotate=True)
        assert self._fh is not None
        mark = self._mark()
        try:
            warc_date = format_warc_date(date or self._clock())
            response_id = self._make_id()
            kind = "response" if revisit is None else "revisit"
            response_headers = [
                ("WARC-Type", kind),
                ("WARC-Record-ID", response_id),
                ("WARC-Date", warc_date),
                ("WARC-Target-URI", target_uri),
            ]
            if ip_address:
                response_headers.append(("WARC-IP-Address", ip_address))
            if truncated:
                response_headers.append(("WARC-Truncated", truncated))
            if revisit is not None:
                response_headers += [
                    ("WARC-Profile", revisit.profile),
                    ("WARC-Refers-To", revisit.record_id),
                    ("WARC-Refers-To-Target-URI", revisit.target_uri),
                    ("WARC-Refers-To-Date", revisit.date),
                ]
                if revisit.payload_digest:
                    response_headers.append(("WARC-Payload-Digest", revisit.payload_digest))
                response_body = b""
            location = self._write(
                kind,
                target_uri,
                response_headers,
                response_body,
                head=response_head,
                content_type="application/http; msgtype=response" if revisit else None,
                known_payload_digest=response_payload_digest,
            )
            request_headers = [
                ("WARC-Type", "request"),
                ("WARC-Record-ID", self._make_id()),
                ("WARC-Date", warc_date),
                ("WARC-Target-URI", target_uri),
                ("WARC-Concurrent-To", response_id),
            ]
            self._write("request", target_uri, request_headers, request_body, head=request_head)
            self._fh.flush()
        except BaseException:
            self._discard_from(mark)
            raise
        self._deliver()
        return location

    def write_record(
        self,
        record_type: str,
        target_uri: str | None = None,
        payload: bytes = b"",
        *,
        content_type: str | None = None,
        http_head: bytes | None = None,
        date: datetime | None = None,
        warc_headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        rotate: bool = False,
    ) -> RecordLocation:
        """Write one record of any type (``metadata``, ``resource``, ``revisit``, ...).

        :param payload: the block after ``http_head`` (for a ``revisit``, warcio writes
            only the HTTP head).
        :param content_type: the record's Content-Type; warcio's default for the type
            when omitted.
        :param http_head: raw HTTP status/request line and headers for ``response``,
            ``request`` and ``revisit`` records; stored byte for byte.
        :param warc_headers: extra WARC headers, e.g. ``WARC-Concurrent-To``,
            ``WARC-Refers-To``, ``WARC-Profile``, ``WARC-Payload-Digest``.
        :param rotate: check the size limit before writing, as an exchange does. The
            default keeps the record in the current file, next to the records it
            refers to.
        """
        self._ensure_file(rotate=rotate)
        assert self._fh is not None
        mark = self._mark()
        try:
            headers = [
                ("WARC-Type", record_type),
                ("WARC-Record-ID", self._make_id()),
                ("WARC-Date", format_warc_date(date or self._clock())),
            ]
            if target_uri:
                headers.append(("WARC-Target-URI", target_uri))
            extra = warc_headers.items() if isinstance(warc_headers, Mapping) else warc_headers
            headers.extend(extra or ())
            location = self._write(
                record_type,
                target_uri or "",
                headers,
                payload,
                head=http_head,
                content_type=content_type,
            )
            self._fh.flush()
        except BaseException:
            self._discard_from(mark)
            raise
        self._deliver()
        return location

    def write_metadata(
        self,
        target_uri: str,
        content: str | bytes | Mapping[str, str],
        *,
        concurrent_to: str | None = None,
        content_type: str | None = None,
        date: datetime | None = None,
    ) -> RecordLocation:
        """Write a ``metadata`` record about ``target_uri``.

        ``content`` is a mapping (written as ``application/warc-fields`` lines), text or
        bytes (``content_type`` defaults to ``application/warc-fields``; pass e.g.
        ``application/json`` for JSON).
        """
        if isinstance(content, Mapping):
            payload = "".join(f"{k}: {one_line(v)}\r\n" for k, v in content.items()).encode()
        elif isinstance(content, str):
            payload = content.encode("utf-8")
        else:
            payload = bytes(content)
        extra = [("WARC-Concurrent-To", concurrent_to)] if concurrent_to else []
        return self.write_record(
            "metadata",
            target_uri,
            payload,
            content_type=content_type or "application/warc-fields",
            date=date,
            warc_headers=extra,
        )

    def _write(
        self,
        record_type: str,
        target_uri: str,
        headers: list[tuple[str, str]],
        payload: bytes,
        *,
        head: bytes | None,
        content_type: str | None = None,
        known_payload_digest: str | None = None,
    ) -> RecordLocation:
        assert self._fh is not None and self._warcio is not None
        headers = list(headers)
        if self._warcinfo_id is not None:
            headers.append(("WARC-Warcinfo-ID", self._warcinfo_id))
        record_id = dict(headers)["WARC-Record-ID"]
        # The digests warcio would add, in its order, computed here in one pass each (and
        # the payload digest not at all when the caller has it): warcio then skips its own
        # chunked re-reading of the record.
        if record_type not in WARCWriter.NO_PAYLOAD_DIGEST_TYPES:
            digest = known_payload_digest or payload_digest(payload)
            headers.append(("WARC-Payload-Digest", digest))
        block = hashlib.sha1(head) if head else hashlib.sha1()
        block.update(payload)
        headers.append(("WARC-Block-Digest", sha1_label(block.digest())))
        http_headers = None
        if head is not None:
            http_headers = RawHttpHead(head)
        record: ArcWarcRecord = self._warcio.create_warc_record(
            target_uri,
            record_type,
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type=content_type or "",
            warc_headers=StatusAndHeaders("", headers, protocol=WARC_VERSION),
            http_headers=http_headers,
        )
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._warcio.write_record(record)
        data = buffer.getvalue()
        if self.gzip:
            compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            data = compressor.compress(data) + compressor.flush()
        offset = self._fh.tell()
        view = memoryview(data)
        while view:  # a raw write may take part of the data
            view = view[self._fh.write(view) or 0 :]
        length = len(data)
        self._records_in_file += 1
        self._bytes_in_file += length
        self.records_written += 1
        self.bytes_written += length
        assert self._name is not None
        location = RecordLocation(self._name, offset, length, record_id)
        if self._on_record is not None:
            self._written.append(
                WrittenRecord(
                    location,
                    record_type,
                    target_uri,
                    record.rec_headers.get_header("WARC-Date") or "",
                    record.rec_headers.get_header("Content-Type"),
                    record.rec_headers.get_header("WARC-Payload-Digest"),
                    head,
                    payload,
                )
            )
        return location

    def _deliver(self) -> None:
        """Give the records of the write that just succeeded to ``on_record``."""
        if not self._written:
            return
        written, self._written = self._written, []
        assert self._on_record is not None
        for record in written:
            self._on_record(record)

    def _mark(self) -> _Mark:
        """Where the current file ends now, to cut it back there if a write fails."""
        assert self._fh is not None
        return _Mark(
            self._fh.tell(),
            self._records_in_file,
            self._bytes_in_file,
            self.records_written,
            self.bytes_written,
        )

    def _discard_from(self, mark: _Mark) -> None:
        """After a failed write, cut the file back to ``mark`` so it stays valid (and
        forget the records cut: a file left with its warcinfo only is not closed)."""
        self._written.clear()  # cut back: never in the file
        fh = self._fh
        if fh is None:
            return
        self._records_in_file = mark.records_in_file
        self._bytes_in_file = mark.bytes_in_file
        self.records_written = mark.records_written
        self.bytes_written = mark.bytes_written
        try:
            os.ftruncate(fh.fileno(), mark.offset)  # needs no space: works on a full disk
            fh.seek(mark.offset)
        except Exception:  # the original error is what matters
            logger.exception("Could not cut %s back after a failed write", self.current_path)
            if self._records_in_file <= 1:
                self._remove_current()
                return
            # never closed under its final name with a partial record at its end: left
            # .open, it is cut back to its last complete record by the next start's repair
            self._fh = self._warcio = self._name = self._warcinfo_id = None
            self._records_in_file = self._bytes_in_file = 0
            with contextlib.suppress(OSError):
                fh.close()


@dataclass(frozen=True)
class _Mark:
    """The end of the current file and the counters before a write (see ``_mark``)."""

    offset: int
    records_in_file: int
    bytes_in_file: int
    records_written: int
    bytes_written: int
