"""Files that appear complete or not at all: written under a hidden partial name beside
the target, synced, then renamed over it (``os.replace`` is atomic within a folder)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PARTIAL", "partial_path", "write_text_atomically"]

PARTIAL = ".partial-"
"""What marks a file being written: ``.{name}.partial-{pid}``, beside its target."""


def partial_path(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place."""
    return path.with_name(f".{path.name}{PARTIAL}{os.getpid()}")


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the whole new
    one; the partial file is removed when the write fails."""
    partial = partial_path(path)
    try:
        with open(partial, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
