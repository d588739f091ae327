"""What a WARC record is made of: dates, ids, digests, warcinfo fields, where a record
lies, what a revisit refers to, and the HTTP head kept byte for byte.

Pure helpers and value types, shared by :mod:`newsarchive.warc.writer` (which re-exports
the public ones), the archiver and the indexer; no file is opened here.
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from warcio.statusandheaders import StatusAndHeaders

import newsarchive

__all__ = [
    "NOT_MODIFIED_PROFILE",
    "REVISIT_PROFILE",
    "WARC_CONFORMS_TO",
    "WARC_DATE_FORMAT",
    "WARC_VERSION",
    "RawHttpHead",
    "RecordLocation",
    "RevisitOf",
    "WrittenRecord",
    "default_software",
    "format_warc_date",
    "local_hostname",
    "local_ip",
    "new_record_id",
    "one_line",
    "payload_digest",
    "sanitize_hostname",
    "sha1_label",
    "split_http_message",
    "utc_now",
    "warcinfo_fields",
]

#: ``WARC-Date`` (and ``fetched_at``) format: UTC, always six fractional digits.
WARC_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: The specification the files conform to (warcinfo ``conformsTo``).
WARC_CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

#: ``WARC-Profile`` of a revisit whose payload is identical to its original's (WARC/1.1).
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
#: ``WARC-Profile`` of a revisit the server answered 304 Not Modified to (WARC/1.1).
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

#: The version the files are written in.
WARC_VERSION = "WARC/1.1"
_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def format_warc_date(moment: datetime) -> str:
    """Format ``moment`` as a WARC-Date: UTC with microseconds, ``2026-11-22T16:40:12.000123Z``.

    A naive datetime is taken to be UTC already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(WARC_DATE_FORMAT)


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the writer's default clock)."""
    return datetime.now(UTC)


def new_record_id() -> str:
    """Return a fresh ``<urn:uuid:...>`` WARC-Record-ID (the writer's default id factory)."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def payload_digest(payload: bytes | bytearray) -> str:
    """The ``WARC-Payload-Digest`` warcio writes for ``payload``: ``sha1:`` + base32.

    ``payload`` is what follows the HTTP head in the record (content-encoded, with
    chunked framing if it was chunked), as :meth:`WarcFileWriter.write_exchange` stores it.
    """
    return sha1_label(hashlib.sha1(payload).digest())


def sha1_label(digest: bytes) -> str:
    """``sha1:`` and the base32 of ``digest``, as WARC digests are written."""
    return "sha1:" + base64.b32encode(digest).decode("ascii")


def sanitize_hostname(name: str) -> str:
    """Make ``name`` safe for a file name: keep ``A-Za-z0-9.-``, replace runs of others by ``-``."""
    cleaned = _HOST_UNSAFE.sub("-", name).strip("-.")
    return cleaned or "localhost"


def local_hostname() -> str:
    """Return this machine's host name (not sanitised)."""
    return socket.gethostname() or "localhost"


def local_ip(hostname: str | None = None) -> str | None:
    """Return the IP address ``hostname`` resolves to locally, or None when it does not.

    Uses the resolver only (``/etc/hosts`` for the own host name on most systems); no
    packet is sent anywhere.
    """
    try:
        return socket.gethostbyname(hostname or local_hostname())
    except OSError:
        return None


def default_software() -> str:
    """Return the warcinfo ``software`` value: ``newsarchive/<version> warcio/<version>``."""
    try:
        warcio_version = version("warcio")
    except PackageNotFoundError:  # pragma: no cover - warcio imported from a source tree
        warcio_version = "unknown"
    return f"newsarchive/{newsarchive.__version__} warcio/{warcio_version}"


def warcinfo_fields(
    *,
    robots: str | None = None,
    operator: str | None = None,
    description: str | None = None,
    is_part_of: str | None = None,
    user_agent: str | None = None,
    hostname: str | None = None,
    ip: str | None = None,
    software: str | None = None,
) -> dict[str, str]:
    """Build the ordered warcinfo fields; ``None`` values are left out.

    ``software``, ``format`` and ``conformsTo`` are always present.
    """
    fields: dict[str, str | None] = {
        "software": software or default_software(),
        "format": "WARC File Format 1.1",
        "conformsTo": WARC_CONFORMS_TO,
        "robots": robots,
        "operator": operator,
        "description": description,
        "isPartOf": is_part_of,
        "http-header-user-agent": user_agent,
        "hostname": hostname,
        "ip": ip,
    }
    return {name: value for name, value in fields.items() if value}


def split_http_message(message: bytes) -> tuple[bytes, bytes]:
    """Split a raw HTTP message into (head, body) after the first empty line.

    The head keeps its line endings, including the empty line (``\\r\\n`` or a bare
    ``\\n``). A message without an empty line is all head.
    """
    end = message.find(b"\n")
    while end >= 0:
        start = end + 1
        end = message.find(b"\n", start)
        if end >= 0 and message[start : end + 1] in (b"\r\n", b"\n"):
            return message[: end + 1], message[end + 1 :]
    return message, b""


@dataclass(frozen=True)
class RecordLocation:
    """Where a record lies: the file's final name, the gzip member's offset and length."""

    file: str
    """Basename of the WARC file, without ``.open`` (the name it has once closed)."""
    offset: int
    """Byte offset of the record (its gzip member) in the file."""
    length: int
    """Length in bytes of the record as stored (the compressed gzip member)."""
    record_id: str
    """The record's ``WARC-Record-ID``, ``<urn:uuid:...>``."""

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"file", "offset", "length", "record_id"}`` (the contract's ``warc``)."""
        return asdict(self)


@dataclass(frozen=True)
class RevisitOf:
    """The original response a ``revisit`` record refers to (identical payload digest)."""

    record_id: str
    """``WARC-Refers-To``: the original's ``WARC-Record-ID``."""
    target_uri: str
    """``WARC-Refers-To-Target-URI``: the original's ``WARC-Target-URI``."""
    date: str
    """``WARC-Refers-To-Date``: the original's ``WARC-Date``, as written."""
    payload_digest: str | None
    """The ``WARC-Payload-Digest`` both records share (None for a 304: no payload)."""
    profile: str = REVISIT_PROFILE
    """``WARC-Profile``: identical payload (the default) or server not modified."""


@dataclass(frozen=True)
class WrittenRecord:
    """A record now in its file for good (given to the writer's ``on_record``): what an
    index needs of it without reading the file back."""

    location: RecordLocation
    record_type: str
    target_uri: str
    warc_date: str
    content_type: str | None
    """The record's own ``Content-Type`` (for a response: ``application/http; ...``)."""
    payload_digest: str | None
    """``WARC-Payload-Digest`` as written (None on a revisit without one, and warcinfo)."""
    http_head: bytes | None
    """The HTTP status or request line and headers as stored, or None."""
    payload: bytes
    """The block after ``http_head`` as stored."""


class RawHttpHead(StatusAndHeaders):
    """An HTTP status + header block that serialises back to the exact original bytes.

    warcio's writer calls :meth:`compute_headers_buffer` and writes ``headers_buff``;
    keeping the captured bytes there makes the record (and its block digest) hold what
    was on the wire, whatever the spacing, case, order or folding of the header lines.
    """

    def __init__(self, raw: bytes) -> None:
        # warcio's writer only reads ``headers_buff`` (and the digests over it): the head
        # is not parsed, which keeps the cost of a record independent of its header count.
        super().__init__("", [], protocol="")
        self.total_len = len(raw)
        self._raw = bytes(raw)
        self.headers_buff = self._raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        """Keep the original bytes instead of re-serialising the parsed headers."""
        self.headers_buff = self._raw

    def __bool__(self) -> bool:
        return bool(self._raw)


def one_line(value: object) -> str:
    """Keep a warc-fields value on one line."""
    return " ".join(str(value).splitlines())
