"""A full disk stops the crawl cleanly, and the next run repairs and resumes it.

The output folder is a small tmpfs (mounting one needs root: the test skips, saying so,
without it). The crawl must stop within seconds with its own exit status and one clear
line, leave at most one ``.open`` file (no pile of empty ones), write its report or say
why it cannot; once there is room again, the next run validates clean and has every
article once.

Where the tmpfs fills depends on timing; the disk filling exactly at a WARC rotation
(the new file's warcinfo cannot be written: that used to leave an empty WARC file closed
under its final name) is checked deterministically, without root, by a simulated full
disk (:mod:`tests.full_disk`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from newsarchive.report import EXIT_OK, EXIT_STORAGE
from tests.archive_checks import crawl_args, jsonl_records
from tests.conftest import run_cli
from tests.full_disk import crawl_args_with_full_disk


def _mount_tmpfs(path: Path, size: str) -> None:
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    try:
        _mount_tmpfs(mnt, "400k")
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc.stderr.decode(errors='replace').strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_stops_within_seconds_and_the_next_run_resumes(replica_server, small_disk):
    out = small_disk / "archive"
    started = time.monotonic()
    result = subprocess.run(
        crawl_args(replica_server, out, "-s", "NEWSARCHIVE_WARC_MAX_SIZE=60000"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    assert result.returncode == EXIT_STORAGE, (result.returncode, result.stderr[-2000:])
    assert took < 30
    assert "Traceback" not in result.stderr
    assert "--- Logging error ---" not in result.stderr
    assert "No space left on device" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 12, result.stderr
    opened = list((out / "warc").glob("*.open"))
    assert len(opened) <= 2  # at most the file each site was writing
    for line in result.stdout.splitlines()[:-1]:
        assert "stopped: cannot write" in line or "archived" in line, result.stdout
    reports = list((out / "reports").glob("*.json")) if (out / "reports").exists() else []
    for report in reports:  # written when there was room, else stderr said why
        assert json.loads(report.read_text())["exit_code"] == EXIT_STORAGE
    if len(reports) < 2:
        assert "Cannot write the run report" in result.stderr

    # room again: the next run repairs, resumes and completes
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = subprocess.run(crawl_args(replica_server, out), capture_output=True, text=True)
    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert not list((out / "warc").glob("*.open"))
    urls = [r["url"] for r in jsonl_records(out)]
    assert len(urls) == len(set(urls)) == 360
    validate = run_cli("validate", str(out / "warc"), str(out / "jsonl"))
    assert validate.returncode == 0, validate.stdout[-3000:]


def test_a_disk_full_at_a_rotation_leaves_no_empty_warc_and_the_next_run_resumes(
    replica_server, tmp_path
):
    out = tmp_path / "archive"
    args, env = crawl_args_with_full_disk(
        crawl_args(replica_server, out, "-s", "NEWSARCHIVE_WARC_MAX_SIZE=60000"),
        full_at_file="-00001-",  # the disk is full from the first rotation's warcinfo on
    )
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_STORAGE, (result.returncode, result.stderr[-2000:])
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((out / "warc").glob("*.open"))
    closed = sorted((out / "warc").glob("*.warc.gz"))
    assert closed and not [p for p in closed if "-00001-" in p.name]  # removed, not closed
    validate = run_cli("validate", str(out / "warc"))
    assert validate.returncode == 0, validate.stdout[-3000:]

    again = subprocess.run(crawl_args(replica_server, out), capture_output=True, text=True)
    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert not list((out / "warc").glob("*.open"))
    urls = [r["url"] for r in jsonl_records(out)]
    assert len(urls) == len(set(urls)) == 360
    validate = run_cli("validate", str(out / "warc"), str(out / "jsonl"))
    assert validate.returncode == 0, validate.stdout[-3000:]
