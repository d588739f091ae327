"""The JSON Lines writer: one complete UTF-8 line per record, on disk as soon as it is ready.

Built on Scrapy's :class:`~scrapy.exporters.JsonLinesItemExporter`; this module adds the
file lifecycle: the field order of the contract, each line written straight to the file
(a reader tailing the file never sees half a record), a failed write cut back so the file
stays valid, and :func:`repair_jsonl` for files a killed run left with a partial last
line.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any, BinaryIO

from scrapy.exporters import JsonLinesItemExporter

from newsarchive.items import RECORD_ORDER


class JsonlWriter:
    """Append records to ``path``, one JSON object a line, flushed after each record."""

    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_jsonl(self.path)
        # unbuffered: each line goes to the file in write(), or is cut back if it fails
        self._file: BinaryIO = open(self.path, "ab", buffering=0)  # noqa: SIM115
        # the exporter writes each line into this buffer (its public export_item), and
        # write() moves the line to the file in one piece
        self._line = io.BytesIO()
        self._exporter = JsonLinesItemExporter(
            self._line,
            fields_to_export=list(RECORD_ORDER),
            encoding="utf-8",
            ensure_ascii=False,
        )
        self._exporter.start_exporting()
        self._fsync = fsync
        self.count = 0

    @property
    def size(self) -> int:
        """The file's size: where the next line will start."""
        return os.lseek(self._file.fileno(), 0, os.SEEK_END)

    def write(self, record: Any) -> bytes:
        """Write one record (an item or a mapping) as one complete line; return the line
        written (UTF-8, ending in a newline).

        When the write fails (a full disk, say) the ``OSError`` is raised and whatever part
        of the line reached the file is cut off again, so the next record starts a line.
        """
        buffer = self._line
        buffer.seek(0)
        buffer.truncate()
        self._exporter.export_item(record)
        line = buffer.getvalue()
        fd = self._file.fileno()
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            if self._fsync:
                os.fsync(fd)
        except OSError:
            # the original error is what matters; repair_jsonl is the net behind this
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
        self.count += 1
        return line

    def close(self) -> None:
        """Finish and close the file."""
        if not self._file.closed:
            self._exporter.finish_exporting()
            self._file.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def repair_jsonl(path: Path) -> int:
    """Cut a partial last line (no trailing newline) off ``path``; return bytes removed.

    A run killed mid-write can leave half a record at the end of the file; JSON Lines
    readers would fail on it, so it is dropped (the next run fetches that article again).
    """
    path = Path(path)
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with open(path, "rb+") as f:
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return 0
        # Walk back to the last newline.
        pos = size
        chunk = 65536
        keep = 0
        while pos > 0:
            start = max(0, pos - chunk)
            f.seek(start)
            block = f.read(pos - start)
            idx = block.rfind(b"\n")
            if idx >= 0:
                keep = start + idx + 1
                break
            pos = start
        f.truncate(keep)
        return size - keep
