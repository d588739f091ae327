"""One owner per site in a shared output folder: the ``ArchiveFolder`` extension.

Runs of different sites share a folder; a run of the same site does not start twice; a
starting run never touches the files of another site's run that is still writing, and
repairs them once that run is gone. The lock is the extension's, so ``scrapy crawl`` is
as safe as ``newsarchive crawl``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from newsarchive.names import site_lock_path
from newsarchive.state.owner import FileLock
from newsarchive.warc.writer import WarcFileWriter, warcinfo_fields
from tests.conftest import REPO, run_cli
from tests.static_site import StaticSite

SITE = Path(__file__).parent / "sites" / "generic"


def _live_trend_file(out: Path) -> Path:
    """A WARC file of a 'trend' run that is still writing: .open, one exchange."""
    writer = WarcFileWriter(
        out / "warc", prefix="trend", warcinfo=warcinfo_fields(is_part_of="trend")
    )
    writer.write_exchange(
        "http://trend.example/a",
        response_head=b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
        response_body=b"ok",
        request_head=b"GET /a HTTP/1.1\r\nHost: trend.example\r\n\r\n",
        date=datetime(2026, 1, 1, tzinfo=UTC),
    )
    path = writer.current_path
    assert path is not None and path.name.endswith(".open")
    return path


def test_another_sites_live_files_are_left_alone_then_repaired(tmp_path):
    out = tmp_path / "archive"
    live = _live_trend_file(out)
    before = live.read_bytes()
    lock = FileLock(site_lock_path(out, "trend"))
    assert lock.acquire()
    with StaticSite(SITE) as site:
        try:
            result = run_cli("crawl", "generic", "--root", site.origin + "/", "--out", str(out))
            assert result.returncode == 0, result.stderr[-2000:]
            assert live.read_bytes() == before  # trend's run is alive: not repaired
        finally:
            lock.release()
        result = run_cli("crawl", "generic", "--root", site.origin + "/", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert not live.exists()  # the trend run is gone now: its file was closed
    assert live.with_name(live.name.removesuffix(".open")).exists()


def test_scrapy_crawl_takes_the_same_lock(tmp_path):
    """``scrapy crawl`` (the project's settings) refuses to run beside a live run."""
    out = tmp_path / "archive"
    lock = FileLock(site_lock_path(out, "generic"))
    assert lock.acquire()
    try:
        result = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "crawl", "generic",
                "-a", "root=http://127.0.0.1:9/", "-s", f"NEWSARCHIVE_OUT={out}",
            ],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        lock.release()
    assert f"another run of generic (pid {os.getpid()}) is writing" in result.stderr
    assert not (out / "warc").exists() or not list((out / "warc").iterdir())
