"""The archive over time (#11), end to end through the CLI against the replica.

One folder, three crawls: the replica's first state; the same, unchanged, right after;
then the replica's later state (new articles, corrected articles, new boilerplate
everywhere, validators answered with 304) with ``--recheck all``. A copy of the folder
taken after the second crawl gets the third crawl killed (``kill -9``) at its 150th
conditional request, then rerun.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from newsarchive.replica import Replica, ReplicaServer
from newsarchive.warc.writer import NOT_MODIFIED_PROFILE
from tests.archive_checks import check_records_in_archive, check_tools, crawl_args, jsonl_records
from tests.conftest import run_cli
from tests.pywb_helpers import fetch, pywb_missing, wayback_server

pytestmark = pytest.mark.slow

#: The replica's clock: seven hours ago, so that its later state (six hours on) is still
#: in the past and the newest sitemaps are inside the 30-day window of a recrawl.
NOW = (datetime.now(UTC) - timedelta(hours=7)).replace(minute=0, second=0, microsecond=0)
NEW, CORRECTED = 7, 5
ARTICLE = re.compile(r"/\d+\.html$")
KILL_AT = 150


def _crawl(server: ReplicaServer, out: Path, *extra: str) -> dict:
    before = {r["warc"]["record_id"] for r in jsonl_records(out)} if out.exists() else set()
    first_request = len(server.requests)
    result = subprocess.run(
        crawl_args(server, out, *extra), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    requests = server.requests[first_request:]
    return {
        "stdout": result.stdout,
        "requests": requests,
        "articles_requested": [r for r in requests if ARTICLE.search(r[2])],
        "records": [r for r in jsonl_records(out) if r["warc"]["record_id"] not in before],
    }


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    base = tmp_path_factory.mktemp("versions")
    out, killed = base / "archive", base / "killed"
    first = Replica(now=NOW)
    later = first.later(hours=6, new=NEW, corrected=CORRECTED)
    with ReplicaServer(first) as server:
        runs = [_crawl(server, out), _crawl(server, out)]
        shutil.copytree(out, killed)
        first_origins = dict(server.origins)
        first_records = {r["url"]: r for r in server.expected_records()}
        server.serve(later)
        runs.append(_crawl(server, out, "--recheck", "all"))
        kill = _kill_and_rerun(server, killed)
        yield {
            "out": out,
            "killed": killed,
            "server": server,
            "runs": runs,
            "kill": kill,
            "first": first,
            "later": later,
            "first_truth": first_records,
            "origins": first_origins,
        }


def _kill_and_rerun(server: ReplicaServer, out: Path) -> dict:
    """``kill -9`` a ``--recheck all`` crawl when its 150th conditional request arrives
    (before it is answered), then run it again to completion."""
    before = {r["warc"]["record_id"] for r in jsonl_records(out)}
    proc = subprocess.Popen(
        crawl_args(server, out, "--recheck", "all"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = [0]
    lock = threading.Lock()

    def on_request(key: str, method: str, target: str, headers: dict[str, str]) -> None:
        if not ({"If-None-Match", "If-Modified-Since"} & set(headers)):
            return
        with lock:
            seen[0] += 1
            if seen[0] == KILL_AT:
                os.kill(proc.pid, signal.SIGKILL)

    server.on_request = on_request
    try:
        killed_status = proc.wait(timeout=600)
    finally:
        server.on_request = None
    after_kill = [r for r in jsonl_records(out) if r["warc"]["record_id"] not in before]
    rerun = _crawl(server, out, "--recheck", "all")
    return {"status": killed_status, "after_kill": after_kill, "rerun": rerun, "before": before}


def _urls(server: ReplicaServer, articles) -> set[str]:
    return {server.url_for(a) for a in articles}


def test_an_unchanged_site_right_after_is_read_without_its_articles(history):
    first, second = history["runs"][:2]
    assert len(first["records"]) == 360
    assert {(r["version"], r["previous"]) for r in first["records"]} == {(1, None)}
    assert second["records"] == []
    assert second["articles_requested"] == []
    discovery = len(second["requests"])
    print(f"recrawl of the unchanged replica: {discovery} requests (first crawl "
          f"{len(first['requests'])}), 0 article pages")  # fmt: skip
    # home, sections, /latest/, the feed, the sitemap index and the newest sitemaps, robots
    assert 20 < discovery < len(first["requests"]) / 4
    assert "unchanged" in second["stdout"]


def test_the_later_state_adds_n_new_and_m_second_versions(history):
    server, third, later = history["server"], history["runs"][2], history["later"]
    new_urls = _urls(server, later.new_articles)
    fixed_urls = _urls(server, later.corrected_articles)
    records = third["records"]
    assert len(records) == NEW + CORRECTED
    assert {r["url"] for r in records if r["version"] == 1} == new_urls
    assert {r["url"] for r in records if r["version"] == 2} == fixed_urls
    assert all(r["previous"] is None for r in records if r["version"] == 1)
    v1 = {r["url"]: r for r in history["runs"][0]["records"]}
    truth = {r["url"]: r for r in server.expected_records()}
    for record in records:
        want = truth[record["url"]]
        assert (record["title"], record["body"]) == (want["title"], want["body"])
        if record["version"] == 2:
            assert record["previous"] == v1[record["url"]]["warc"]
            assert record["body"] != v1[record["url"]]["body"]
            # the boilerplate moved on too: the record carries the page as it is now
            assert record["boilerplate"] == want["boilerplate"]


def test_unchanged_articles_are_revalidated_and_stored_as_304_revisits(history):
    server, out, third = history["server"], history["out"], history["runs"][2]
    fixed_urls = _urls(server, history["later"].corrected_articles)
    old_urls = _urls(server, history["first"].articles)
    conditional = {
        r[2]: r[3] for r in third["articles_requested"]
        if {"If-None-Match", "If-Modified-Since"} & set(r[3])
    }  # fmt: skip
    # every known article was re-checked with a conditional request
    assert len(conditional) == 360
    trend = [h for path, h in conditional.items() if "If-None-Match" in h]
    assert len(trend) == 180 and all(h["If-None-Match"].startswith('W/"') for h in trend)
    revisits, originals = {}, {}
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                h = rec.rec_headers
                uri = h.get_header("WARC-Target-URI")
                if rec.rec_type == "response" and uri in old_urls:
                    originals.setdefault(uri, h.get_header("WARC-Record-ID"))
                profile = h.get_header("WARC-Profile")
                if rec.rec_type == "revisit" and profile == NOT_MODIFIED_PROFILE:
                    assert rec.http_headers.get_statuscode() == "304"
                    assert h.get_header("WARC-Payload-Digest") is None
                    revisits[uri] = h
    assert set(revisits) == old_urls - fixed_urls
    for uri, h in revisits.items():
        assert h.get_header("WARC-Refers-To") == originals[uri]
        assert h.get_header("WARC-Refers-To-Target-URI") == uri
        assert h.get_header("WARC-Refers-To-Date") < h.get_header("WARC-Date")


def test_the_folder_validates_and_extract_reproduces_every_version(history, tmp_path):
    out = history["out"]
    check_records_in_archive(out)
    check_tools(out)
    target = tmp_path / "again.jsonl"
    result = run_cli("extract", str(out / "warc"), "-o", str(target))
    assert result.returncode == 0, result.stderr[-2000:]
    again = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    stored = jsonl_records(out)
    assert len(stored) == 360 + NEW + CORRECTED
    dump = lambda rs: collections.Counter(json.dumps(r, sort_keys=True) for r in rs)  # noqa: E731
    assert dump(again) == dump(stored)


def _warc_date(out: Path, pointer: dict) -> str:
    with open(out / "warc" / pointer["file"], "rb") as fh:
        fh.seek(pointer["offset"])
        rec = next(iter(ArchiveIterator(fh)))
        return iso_date_to_timestamp(rec.rec_headers.get_header("WARC-Date"))


def _text(body: bytes, headers: dict[str, str]) -> str:
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return " ".join(lxml.html.document_fromstring(body).text_content().split())


@pytest.mark.skipif(pywb_missing() is not None, reason=str(pywb_missing()))
def test_pywb_replays_every_version(history):
    server, out = history["server"], history["out"]
    fixed = _urls(server, history["later"].corrected_articles)
    new = _urls(server, history["later"].new_articles)
    versions = [r for r in jsonl_records(out) if r["url"] in fixed | new]
    assert len(versions) == 2 * CORRECTED + NEW
    files = sorted((out / "warc").glob("*.warc.gz"))
    with wayback_server(files) as base:
        for record in versions:
            stamp = _warc_date(out, record["warc"])
            status, headers, body = fetch(f"{base}{stamp}id_/{record['url']}")
            assert status == 200, record["url"]
            text = _text(body, {k.lower(): v for k, v in headers})
            for paragraph in record["body"].split("\n\n"):
                assert " ".join(paragraph.split()) in text, (record["url"], record["version"])


def test_history_prints_the_versions_with_a_word_diff(history):
    server, out, later = history["server"], history["out"], history["later"]
    fixed = later.corrected_articles[0]
    url = server.url_for(fixed)
    result = run_cli("history", str(out), url)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"{url}: 2 versions\n")
    assert "version 1  captured " in text and "version 2  captured " in text
    added = fixed.paragraphs[0].split()[-1]
    assert re.search(r"body, paragraph 1: .*\{\+[^}]*" + re.escape(added), text)
    assert "title: " in text.split("version 2")[1]  # the first correction edits the title
    as_json = run_cli("history", str(out), url, "--json").stdout
    rows = [json.loads(line) for line in as_json.splitlines()]
    assert [r["version"] for r in rows] == [1, 2] and rows[1]["previous"] == rows[0]["warc"]
    new_url = server.url_for(later.new_articles[0])
    assert run_cli("history", str(out), new_url).stdout.startswith(f"{new_url}: 1 version\n")
    missing = run_cli("history", str(out), new_url.replace(".html", "0.html"))
    assert missing.returncode == 4 and missing.stderr.count("\n") == 1


def test_a_recheck_run_killed_midway_is_completed_by_the_next(history):
    server, killed, kill = history["server"], history["killed"], history["kill"]
    later = history["later"]
    assert kill["status"] == -signal.SIGKILL
    after = [r for r in jsonl_records(killed) if r["warc"]["record_id"] not in kill["before"]]
    by_version = collections.Counter((r["url"], r["version"]) for r in after)
    assert all(n == 1 for n in by_version.values()), by_version.most_common(3)
    assert {u for u, v in by_version if v == 1} == _urls(server, later.new_articles)
    assert {u for u, v in by_version if v == 2} == _urls(server, later.corrected_articles)
    v1 = {r["url"]: r["warc"] for r in jsonl_records(killed) if r["version"] == 1}
    assert all(r["previous"] == v1[r["url"]] for r in after if r["version"] == 2)
    print(f"killed at conditional request {KILL_AT}: {len(kill['after_kill'])} records "
          f"before the kill, {len(kill['rerun']['records'])} by the rerun")  # fmt: skip
    check_records_in_archive(killed)
    check_tools(killed)
