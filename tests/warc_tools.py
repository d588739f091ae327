"""Standard tools run on the archive: ``warcio check``, ``fastwarc check -p``, ``gzip -t``.

The files' ``WARC-Payload-Digest`` follows the WARC specification: the entity-body with
the transfer coding removed (iipc/warc-specifications#22; warcprox, wget-lua and Heritrix
since heritrix3#770 do the same). ``warcio check`` digests the bytes as stored, chunk
framing included (webrecorder/warcio#75, open since 2019), so it reports the payload
digest of a chunked response as failed although it is right. :func:`warcio_check` accepts
exactly those reports, after verifying the spec digest of each such record itself, and
nothing else; block digests must always pass.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.http.message import dechunk

BIN = Path(sys.executable).parent
_RECORD = re.compile(r"^\s*offset (\d+) WARC-Record-ID (\S+) (\S+)$")


def _spec_digest_ok(path: Path, offset: int) -> bool:
    """True when the record at ``offset`` is a chunked response whose payload digest is
    SHA-1 of its de-chunked entity."""
    if offset < 0:
        return False
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        http = record.http_headers
        chunked = (
            http is not None and "chunked" in (http.get_header("Transfer-Encoding") or "").lower()
        )
        declared = record.rec_headers.get_header("WARC-Payload-Digest") or ""
        raw = record.raw_stream.read()
    if not chunked or not declared.startswith("sha1:"):
        return False
    actual = base64.b32encode(hashlib.sha1(dechunk(raw)).digest()).decode()
    return declared == "sha1:" + actual


def warcio_check(path: Path) -> None:
    """``warcio check -v``: passes but for spec digests of chunked responses (see module)."""
    proc = subprocess.run(
        [str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True
    )
    current: tuple[int, str] | None = None
    unexplained = []
    for line in proc.stdout.splitlines():
        match = _RECORD.match(line)
        if match:
            current = (int(match.group(1)), match.group(3))
            continue
        if "failed" in line or "exception" in line.lower():
            if (
                current is not None
                and current[1] == "response"
                and "payload digest failed" in line
                and _spec_digest_ok(path, current[0])
            ):
                continue
            unexplained.append(f"{current}: {line.strip()}")
    assert not unexplained, (path, unexplained, proc.stderr[-2000:])


def fastwarc_check(path: Path) -> None:
    """``fastwarc check``: every block digest verifies (when fastwarc is installed). Its
    payload check (``-p``) is not used: like warcio it digests chunk framing, and it
    digests the absent payload of revisits and the block of resource records too."""
    tool = BIN / "fastwarc"
    if not tool.exists():
        found = shutil.which("fastwarc")
        if found is None:
            return
        tool = Path(found)
    proc = subprocess.run([str(tool), "check", "-q", str(path)], capture_output=True)
    assert proc.returncode == 0, (path, proc.stdout[-2000:], proc.stderr[-2000:])


def check_with_tools(path: Path) -> None:
    """Every standard check on one WARC file."""
    warcio_check(path)
    fastwarc_check(path)
    if path.name.endswith(".gz"):
        proc = subprocess.run(["gzip", "-t", str(path)], capture_output=True)
        assert proc.returncode == 0, (path, proc.stderr)
