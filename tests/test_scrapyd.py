"""A real Scrapyd on 127.0.0.1: the project deployed as an egg with ``scrapyd-deploy``
(``scrapy.cfg [deploy]``), a job scheduled through ``schedule.json`` archives the
replica's Trend editions like ``newsarchive crawl`` (lock, report, the same records) and
logs its exit status."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from newsarchive.names import site_lock_path
from tests.conftest import REPO

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SCRAPYD = shutil.which("scrapyd", path=str(BIN))
DEPLOY = shutil.which("scrapyd-deploy", path=str(BIN))
CAPTURE_FIELDS = ("fetched_at", "warc")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    if SCRAPYD is None or DEPLOY is None:
        pytest.skip("scrapyd / scrapyd-client are not installed (pip install -e '.[test]')")
    home = tmp_path_factory.mktemp("scrapyd")
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {home / "eggs"}
logs_dir = {home / "logs"}
dbs_dir = {home / "dbs"}
items_dir =
max_proc = 2
poll_interval = 0.2
"""
    )
    proc = subprocess.Popen(
        [SCRAPYD], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("scrapyd did not start")
            time.sleep(0.2)
        yield url, home
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_scrapyd_job_archives_like_newsarchive_crawl(scrapyd, crawl_run, tmp_path):
    url, home = scrapyd
    # deploy from a copy of the project, as an operator would from a checkout
    project = tmp_path / "project"
    for name in ("newsarchive", "spiders", "pipelines", "pyproject.toml", "README.md"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    config = (REPO / "scrapy.cfg").read_text().replace("http://localhost:6800/", url)
    (project / "scrapy.cfg").write_text(config)
    deployed = subprocess.run([DEPLOY], cwd=project, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stderr
    assert _get(url + "listprojects.json")["projects"] == ["newsarchive"]
    spiders = _get(url + "listspiders.json?project=newsarchive")
    assert "trend" in spiders.get("spiders", []), spiders

    out = tmp_path / "archive"
    job = _post(
        url + "schedule.json",
        [
            ("project", "newsarchive"),
            ("spider", "trend"),
            ("root", ",".join(crawl_run.server.roots["trend"])),
            ("setting", f"NEWSARCHIVE_OUT={out}"),
            ("setting", "LOG_LEVEL=INFO"),
        ],
    )
    assert job["status"] == "ok", job
    jobid = job["jobid"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        jobs = _get(url + "listjobs.json?project=newsarchive")
        if any(j["id"] == jobid for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the Scrapyd job did not finish")

    log = (home / "logs" / "newsarchive" / "trend" / f"{jobid}.log").read_text("utf-8")
    assert "newsarchive: trend: exit status 0: archived" in log
    (report_path,) = (out / "reports").glob("trend-*.json")
    report = json.loads(report_path.read_text("utf-8"))
    assert report["exit_code"] == 0
    assert site_lock_path(out, "trend").exists()  # the folder's owner took the site lock

    def content(records: list[dict]) -> list[dict]:
        return sorted(
            ({k: v for k, v in r.items() if k not in CAPTURE_FIELDS} for r in records),
            key=lambda r: r["url"],
        )

    (jsonl,) = (out / "jsonl").glob("trend-*.jsonl")
    got = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    assert content(got) == content(crawl_run.records("trend"))
    validate = subprocess.run(
        [sys.executable, "-m", "newsarchive", "validate", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert validate.returncode == 0, validate.stdout[-3000:]
