"""The command line's parsing and its exit statuses (real subprocesses where it runs)."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from newsarchive.cli import main, parse_args, parse_settings, roots_by_site
from newsarchive.errors import UsageError
from newsarchive.names import site_lock_path
from newsarchive.state.owner import FileLock
from tests.conftest import run_cli


def test_parse_args_keeps_parsing_apart_from_running():
    args = parse_args(["crawl", "trend", "--root", "http://127.0.0.1:9/", "--max-articles", "5"])
    assert args.command == "crawl"
    assert args.sites == ["trend"]
    assert args.root == ["http://127.0.0.1:9/"]
    assert args.max_articles == 5
    assert args.out == Path("archives")


def test_bad_option_exits_2():
    with pytest.raises(SystemExit) as exc:
        parse_args(["crawl"])
    assert exc.value.code == 2


def test_roots_go_to_their_sites():
    assert roots_by_site(["trend"], ["http://a/", "http://b/"]) == {
        "trend": ["http://a/", "http://b/"]
    }
    assert roots_by_site(["trend", "bakutel"], ["trend=http://a/", "bakutel=http://b/"]) == {
        "trend": ["http://a/"],
        "bakutel": ["http://b/"],
    }
    with pytest.raises(UsageError):
        roots_by_site(["trend", "bakutel"], ["http://a/"])


def test_set_pairs():
    assert parse_settings(["A=1", "B={}"]) == {"A": "1", "B": "{}"}
    with pytest.raises(UsageError):
        parse_settings(["nonsense"])


def test_ambiguous_root_is_a_usage_error(capsys, tmp_path):
    status = main(["crawl", "trend", "bakutel", "--root", "http://a/", "--out", str(tmp_path)])
    assert status == 2
    assert "SITE=URL" in capsys.readouterr().err


def test_unknown_site_exits_3_with_a_reason(tmp_path):
    result = run_cli("crawl", "nosuchsite", "--out", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "unknown site nosuchsite" in result.stderr
    assert "trend" in result.stderr


def test_a_second_run_of_a_site_on_the_same_folder_does_not_start(tmp_path):
    out = tmp_path / "out"
    lock = FileLock(site_lock_path(out, "trend"))
    assert lock.acquire()
    try:
        result = run_cli("crawl", "trend", "--root", "http://127.0.0.1:9/", "--out", str(out))
    finally:
        lock.release()
    assert result.returncode == 3
    assert f"another run of trend (pid {os.getpid()}) is writing" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_site_archives_nothing_and_exits_4(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    result = run_cli(
        "crawl", "bakutel", "--root", f"http://127.0.0.1:{port}/", "--out", str(out),
        "-s", "RETRY_TIMES=0",
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "archived no article" in result.stdout
    report = json.loads(next((out / "reports").glob("bakutel-*.json")).read_text())
    assert report["exit_code"] == 4
    assert report["articles"] == 0


def test_robots_refusals_are_not_errors():
    from newsarchive.report import error_count

    stats = {
        "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 5,
        "newsarchive/validation/errors/title": 2,
    }
    assert error_count(stats) == 2


def test_generic_without_root_is_a_start_error(tmp_path):
    result = run_cli("crawl", "generic", "--out", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "needs --root" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rerun_within_the_same_second_gets_its_own_run_id(tmp_path, monkeypatch):
    from newsarchive import crawl

    stamps = iter(["20261122180000", "20261122180000", "20261122180001"])
    monkeypatch.setattr(crawl, "new_run_id", lambda: next(stamps))
    monkeypatch.setattr(crawl.time, "sleep", lambda _s: None)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "20261122180000.log").write_text("the killed run\n")
    assert crawl.claim_run_id(tmp_path) == "20261122180001"
    assert (tmp_path / "logs" / "20261122180001.log").exists()  # claimed
