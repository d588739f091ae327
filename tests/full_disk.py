"""A full disk on demand, without root: ``ENOSPC`` from the WARC writer's files.

:class:`FullDisk` replaces the ``open`` the WARC writer (:mod:`newsarchive.warc.writer`)
creates its files with: the files it returns write normally until the disk is "full",
then take ``partial`` bytes of the next write (a short write, as a real file system gives
when the last blocks go) and raise ``OSError(ENOSPC)`` for every write after that. The
disk fills after a given number of write calls, or when the writer creates a file whose
name contains ``full_at_file`` (e.g. ``"-00001-"``: at the first rotation, the case that
used to leave an empty file). Truncating and deleting still work, as on a full disk.

In a test: ``FullDisk(writes=3).install(monkeypatch)``. In a crawl subprocess:
:func:`crawl_args_with_full_disk` runs ``python -m newsarchive`` with one installed.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Any

import newsarchive.warc.writer as writer_module

REPO = Path(__file__).resolve().parents[1]


class FullDisk:
    """See the module."""

    def __init__(
        self, *, writes: int | None = None, partial: int = 0, full_at_file: str | None = None
    ) -> None:
        self.writes = writes
        """Write calls that still succeed (None: until ``full_at_file`` is created)."""
        self.partial = partial
        self.full_at_file = full_at_file
        self.failures = 0
        """Writes refused so far."""

    @property
    def full(self) -> bool:
        return self.writes is not None and self.writes <= 0

    def open(self, file: Any, mode: str = "r", buffering: int = -1, **kwargs: Any) -> io.FileIO:
        assert "b" in mode and buffering == 0, (mode, buffering)  # what the writer uses
        if self.full_at_file is not None and self.full_at_file in os.fspath(file):
            self.writes = 0
        return _DiskFile(self, file, mode)

    def install(self, monkeypatch: Any = None) -> FullDisk:
        """Make the WARC writer create its files on this disk."""
        if monkeypatch is not None:
            monkeypatch.setattr(writer_module, "open", self.open, raising=False)
        else:
            writer_module.open = self.open  # type: ignore[attr-defined]
        return self


class _DiskFile(io.FileIO):
    def __init__(self, disk: FullDisk, file: Any, mode: str) -> None:
        super().__init__(file, mode)
        self._disk = disk

    def write(self, data: Any) -> int:
        disk = self._disk
        if disk.full:
            disk.failures += 1
            if disk.partial and disk.failures == 1 and len(data) > 1:
                return super().write(bytes(data)[: min(disk.partial, len(data) - 1)]) or 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if disk.writes is not None:
            disk.writes -= 1
        return super().write(data) or 0


def crawl_args_with_full_disk(args: list[str], **disk: Any) -> tuple[list[str], dict[str, str]]:
    """``(argv, env)`` running the ``python -m newsarchive ...`` of ``args`` on a
    :class:`FullDisk` made with ``disk`` (``writes``, ``partial``, ``full_at_file``)."""
    assert args[1:3] == ["-m", "newsarchive"], args
    code = (
        "import sys; from tests.full_disk import FullDisk; "
        f"FullDisk(**{disk!r}).install(); "
        "from newsarchive.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return [args[0], "-c", code, *args[3:]], env
