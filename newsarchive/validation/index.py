"""What the validator remembers about every WARC record, for checks across records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class RecordInfo:
    """What the cross-record checks need to know about one record."""

    path: str
    offset: int
    type: str | None
    record_id: str | None
    date: datetime | None
    target_uri: str | None
    concurrent_to: list[str] = field(default_factory=list)
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: datetime | None = None
    profile: str | None = None
    payload_digest: str | None = None
    warcinfo_id: str | None = None
    status: int | None = None
    location: str | None = None
    method: str | None = None
    payload_digests: set[tuple[str, bytes]] = field(default_factory=set)
    """The payload's digests as computed (both conventions for a chunked body)."""
    arc: bool = False
    """Read from an ARC file (no request records, no record ids)."""
    # Problems to report unless the paired request turns out to be a HEAD request.
    unless_head: list[tuple[str, str]] = field(default_factory=list)


class ArchiveIndex:
    """Every record seen in the WARC files, for checks across records and files."""

    def __init__(self) -> None:
        self.records: list[RecordInfo] = []
        self.by_id: dict[str, list[RecordInfo]] = defaultdict(list)
        self.redirects: dict[str, str] = {}
        self.files: dict[str, list[Path]] = defaultdict(list)  # basename -> paths
        self.loaded: set[Path] = set()

    def add(self, info: RecordInfo) -> None:
        """Remember one record."""
        self.records.append(info)
        if info.record_id:
            self.by_id[info.record_id].append(info)
        if info.status and 300 <= info.status < 400 and info.location and info.target_uri:
            self.redirects[info.target_uri] = info.location

    def add_file(self, path: Path) -> None:
        """Remember that ``path`` was read, under its name with and without ``.open``."""
        self.loaded.add(path.resolve())
        self.files[path.name].append(path)
        if path.name.endswith(".open"):
            self.files[path.name[: -len(".open")]].append(path)

    def redirect_joins(self, first: str, second: str, hops: int = 10) -> bool:
        """True when following recorded redirects leads from one URL to the other."""
        for start, goal in ((first, second), (second, first)):
            url = start
            for _ in range(hops):
                next_url = self.redirects.get(url)
                if next_url is None:
                    break
                if next_url == goal:
                    return True
                url = next_url
        return False
