"""Recrawls into one folder: revisits instead of payloads, no new records for unchanged
articles, a new record for each changed one, and pywb replays the combined archive."""

from __future__ import annotations

import collections
import gzip
import json
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from newsarchive.replica import Replica, ReplicaServer
from tests.archive_checks import (
    check_records_in_archive,
    check_tools,
    crawl_args,
    jsonl_records,
    warc_entries,
)
from tests.pywb_helpers import fetch, wayback_server

pytestmark = pytest.mark.slow

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
#: Articles whose text changes before the third crawl (indexes into replica.articles).
CHANGED = (3, 75, 150, 200, 290, 355)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Three crawls into one folder: the site, the unchanged site, the site with six
    articles edited. Yields the folder, the server and what each run added."""
    out = tmp_path_factory.mktemp("recrawl") / "archive"
    with ReplicaServer(Replica(now=NOW)) as server:
        runs = [_crawl(server, out)]
        runs.append(_crawl(server, out))
        _edit_articles(server)
        runs.append(_crawl(server, out))
        yield {"out": out, "server": server, "runs": runs}


def _crawl(server: ReplicaServer, out: Path) -> dict:
    before = _snapshot(out)
    started = time.monotonic()
    result = subprocess.run(crawl_args(server, out), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    time.sleep(1.0)  # distinct run ids and WARC-Date seconds
    after = _snapshot(out)
    new_entries = [e for e in after["entries"] if e.file not in before["files"]]
    return {
        "seconds": time.monotonic() - started,
        "stdout": result.stdout,
        "entries": new_entries,
        "records": [
            json.loads(line)
            for path in sorted(out.glob("jsonl/*.jsonl"))
            if path.name not in before["files"]
            for line in path.read_text("utf-8").splitlines()
        ],
    }


def _snapshot(out: Path) -> dict:
    if not out.exists():
        return {"files": set(), "entries": [], "records": []}
    return {
        "files": {p.name for p in out.glob("*/*")},
        "entries": warc_entries(out),
        "records": jsonl_records(out),
    }


def _edit_articles(server: ReplicaServer) -> None:
    """Change the last paragraph of a few articles and serve the re-rendered pages."""
    for index in CHANGED:
        article = server.replica.articles[index]
        article.paragraphs = [*article.paragraphs[:-1], article.paragraphs[-1] + " (Updated.)"]
    fresh = server.replica.render(server.origins)
    for key, site in fresh.items():
        server.sites[key].__dict__.update(site.__dict__)


def _article_urls(server: ReplicaServer) -> set[str]:
    return {r["url"] for r in server.expected_records()}


def test_second_crawl_stores_revisits_and_no_records(crawls):
    first, second = crawls["runs"][:2]
    articles = _article_urls(crawls["server"])
    assert {r["url"] for r in first["records"]} == articles
    assert second["records"] == []
    kinds = collections.Counter(e.type for e in second["entries"])
    assert kinds["response"] == 0, kinds  # the site is unchanged: every payload is known
    revisits = collections.Counter(e.uri for e in second["entries"] if e.type == "revisit")
    assert {u for u in articles if revisits[u] != 1} == set()
    assert "180 more unchanged" in second["stdout"]
    first_kinds = collections.Counter(e.type for e in first["entries"])
    print(f"crawl 1: {first['seconds']:.2f} s, {first_kinds}")
    print(f"crawl 2: {second['seconds']:.2f} s, {kinds}")


def test_a_run_that_stores_no_record_leaves_no_jsonl_file(crawls):
    out = crawls["out"]
    files = sorted(out.glob("jsonl/*.jsonl"))
    # an empty JSON Lines file breaks readers (pyarrow: "Empty JSON stream")
    assert files and all(p.stat().st_size > 0 for p in files)
    reports = [json.loads(p.read_text("utf-8")) for p in sorted(out.glob("reports/*.json"))]
    assert len(reports) == 6  # three crawls of two sites
    unchanged = [r for r in reports if r["articles"] == 0]
    assert [r["site"] for r in unchanged] == ["bakutel", "trend"]  # the second crawl
    assert all(r["jsonl_file"] is None and r["exit_code"] == 0 for r in unchanged)
    stored = {Path(r["jsonl_file"]).name for r in reports if r["articles"]}
    assert stored == {p.name for p in files}


def test_changed_articles_get_new_records(crawls):
    server, third = crawls["server"], crawls["runs"][2]
    changed = {server.url_for(server.replica.articles[i]) for i in CHANGED}
    assert {r["url"] for r in third["records"]} == changed
    assert len(third["records"]) == len(changed)
    truth = {r["url"]: r for r in server.expected_records()}
    for record in third["records"]:
        assert record["body"] == truth[record["url"]]["body"]
        assert record["body"].endswith("(Updated.)")
    responses = {e.uri for e in third["entries"] if e.type == "response"}
    assert changed <= responses
    assert not (_article_urls(server) - changed) & responses


def test_combined_archive_validates(crawls):
    out = crawls["out"]
    records = collections.Counter(r["url"] for r in jsonl_records(out))
    assert len(records) == 360 and sum(records.values()) == 360 + len(CHANGED)
    check_records_in_archive(out)
    check_tools(out)
    indexes = sorted(p.name for p in (out / "indexes").glob("*.cdxj"))
    assert indexes == sorted(p.name + ".cdxj" for p in (out / "warc").glob("*.warc.gz"))


def _served(url: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def _revisit_dates(paths: list[Path]) -> dict[str, tuple[str, str, str]]:
    """URI -> (14-digit timestamp, WARC-Date as an HTTP date, HTTP Date header) of its
    revisit record."""
    found = {}
    for path in paths:
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "revisit":
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    stamp = iso_date_to_timestamp(rec.rec_headers.get_header("WARC-Date"))
                    moment = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
                    http_date = format_datetime(moment, usegmt=True)
                    found[uri] = (stamp, http_date, rec.http_headers.get_header("Date"))
    return found


def test_pywb_replays_the_revisits_byte_for_byte(crawls):
    """Every unchanged article, replayed at its second capture (a revisit), is the page
    the replica serves: pywb resolves the revisit to the first crawl's payload."""
    server, out = crawls["server"], crawls["out"]
    changed = {server.url_for(server.replica.articles[i]) for i in CHANGED}
    urls = sorted(_article_urls(server) - changed)
    files = sorted((out / "warc").glob("*.warc.gz"))
    second_files = {e.file for e in crawls["runs"][1]["entries"]}
    revisits = _revisit_dates([f for f in files if f.name in second_files])
    gzipped = 0
    with wayback_server(files) as base:
        for url in urls:
            stamp, memento, date = revisits[url]
            status, headers, body = fetch(f"{base}{stamp}id_/{url}")
            assert status == 200, url
            replayed = {k.lower(): v for k, v in headers}
            # the revisit's own head (pywb keeps the archived Date as X-Archive-Orig-Date)
            assert replayed.get("x-archive-orig-date", replayed.get("date")) == date, url
            assert replayed.get("memento-datetime") == memento, url
            served_headers, served = _served(url)
            if served_headers.get("content-encoding") == "gzip":
                gzipped += 1
                if replayed.get("content-encoding") == "gzip":
                    assert body == served, url
                else:
                    assert body == gzip.decompress(served), url
            else:
                assert body == served, url
    assert gzipped > 0


def test_records_carried_in_the_archive_match_the_jsonl(crawls):
    out = crawls["out"]
    metadata = [e for e in warc_entries(out) if e.type == "metadata"]
    urls = collections.Counter(json.loads(e.payload)["url"] for e in metadata)
    assert sum(urls.values()) == 360 + len(CHANGED)
