"""``newsarchive extract``: the crawl's records again, from its WARC files alone."""

from __future__ import annotations

import collections
import gzip
import json
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive import cli
from newsarchive.items import RECORD_ORDER
from newsarchive.reextract import ExtractStats, extract_warcs
from tests.conftest import run_cli

# --- the whole crawl again ---------------------------------------------------------------


def _lines_by_site(text: str) -> dict[str, collections.Counter]:
    by_site: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in text.splitlines():
        by_site[json.loads(line)["site"]][line] += 1
    return dict(by_site)


def _live_lines(crawl_run) -> str:
    return "".join(p.read_text("utf-8") for p in sorted((crawl_run.out / "jsonl").glob("*")))


def test_extract_to_a_file_reproduces_the_crawls_jsonl_line_for_line(crawl_run, tmp_path):
    assert crawl_run.result.returncode == 0, crawl_run.result.stderr[-2000:]
    out = tmp_path / "again.jsonl"
    result = run_cli("extract", str(crawl_run.out / "warc"), "-o", str(out), cwd=Path("/"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing left out, nothing to report
    live = _lines_by_site(_live_lines(crawl_run))
    again = _lines_by_site(out.read_text("utf-8"))
    assert set(again) == {"trend", "bakutel"}
    for site in live:
        assert again[site] == live[site], site
    assert sum(c.total() for c in again.values()) == len(crawl_run.records())
    assert f"{len(crawl_run.records())} records" in result.stdout


def test_extract_to_stdout_gives_the_same_records_in_archive_order(crawl_run):
    result = run_cli("extract", *map(str, crawl_run.warc_files()), cwd=Path("/"))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    for site in ("trend", "bakutel"):
        mine = [r for r in records if r["site"] == site]
        assert len(mine) == len(crawl_run.records(site))
        key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
        assert sorted(map(key, mine)) == sorted(map(key, crawl_run.records(site)))
    assert all(list(r) == list(RECORD_ORDER) for r in records)
    # archive order: files as given, records by their offset in the file
    places = [(r["warc"]["file"], r["warc"]["offset"]) for r in records]
    files = [p.name for p in crawl_run.warc_files()]
    assert places == sorted(places, key=lambda p: (files.index(p[0]), p[1]))


# --- small archives built here -----------------------------------------------------------

TREND = "https://en.trend.az"
URL = f"{TREND}/business/economy/3835140.html"
D1 = "2023-11-15T09:00:00.000000Z"
D2 = "2023-11-16T09:00:00.000000Z"
D3 = "2023-11-17T09:00:00.000000Z"


def article_html(date: str = "15 November 10:31 (UTC+04)", title: str = "Gas deal signed") -> bytes:
    """A Trend-style article page whose visible date has no year."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} - Trend.Az</title></head><body>
<main class="container"><article class="article-page">
  <h1>{title}</h1><span class="date-time">{date}</span>
  <div class="article-content"><p>BAKU, Azerbaijan, Nov. 15</p>
  <p>The  two   companies signed the deal on Wednesday.</p></div>
</article></main>
<footer class="site-footer"><p class="copyright">&copy; 2006-2023 Trend News Agency.</p>
</footer></body></html>""".encode()


class Warc:
    """A WARC file written with warcio: a warcinfo record, then what the test adds."""

    def __init__(self, path: Path, site: str | None = "trend", *, gzip: bool = True) -> None:
        self.path = path
        self.buffer = BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gzip, warc_version="1.1")
        info = {"software": "tests", "isPartOf": site} if site else {"software": "tests"}
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, info))

    def response(
        self,
        uri: str,
        date: str,
        body: bytes,
        *,
        status: str = "200 OK",
        content_type: str = "text/html; charset=utf-8",
        encoding: str | None = None,
    ) -> str:
        """Write a response record (``encoding="gzip"``: a gzip-encoded body); its id."""
        headers = [("Content-Type", content_type)]
        if encoding:
            body = gzip.compress(body)
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            uri,
            "response",
            payload=BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    def revisit(
        self,
        uri: str,
        date: str,
        *,
        refers_to: str | None,
        refers_to_uri: str,
        refers_to_date: str,
    ) -> None:
        """Write an identical-payload-digest revisit record with a 200 head."""
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        extra = {"WARC-Date": date}
        if refers_to:
            extra["WARC-Refers-To"] = refers_to
        record = self.writer.create_revisit_record(
            uri,
            "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri,
            refers_to_date,
            http_headers=http,
            warc_headers_dict=extra,
        )
        self.writer.write_record(record)

    def save(self) -> Path:
        self.path.write_bytes(self.buffer.getvalue())
        return self.path


def extract(*paths: Path) -> tuple[list[dict], list[str], ExtractStats]:
    problems: list[str] = []
    stats = ExtractStats()
    records = list(extract_warcs(paths, on_problem=problems.append, stats=stats))
    return records, problems, stats


def test_a_response_gives_the_record_with_where_it_lies(tmp_path):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    record_id = warc.response(URL, D1, article_html(), encoding="gzip")
    path = warc.save()
    (record,), problems, _stats = extract(path)
    assert problems == []
    assert list(record) == list(RECORD_ORDER)
    assert record["site"] == "trend"
    assert record["url"] == URL
    assert record["title"] == "Gas deal signed"
    assert record["body"] == "The two companies signed the deal on Wednesday."  # normalised
    assert record["dateline"] == "BAKU, Azerbaijan, Nov. 15"
    assert record["fetched_at"] == D1
    pointer = record["warc"]
    assert pointer["file"] == path.name
    assert pointer["record_id"] == record_id
    member = path.read_bytes()[pointer["offset"] : pointer["offset"] + pointer["length"]]
    head = gzip.decompress(member).split(b"\r\n\r\n", 1)[0].decode()
    assert f"WARC-Record-ID: {record_id}" in head
    assert "WARC-Type: response" in head


@pytest.mark.parametrize(
    ("captured", "published"),
    [
        ("2023-11-15T09:00:00.000000Z", "2023-11-15T10:31:00+04:00"),
        ("2019-11-20T12:00:00Z", "2019-11-15T10:31:00+04:00"),
        ("2021-01-03T08:00:00.000000Z", "2020-11-15T10:31:00+04:00"),  # not a future date
    ],
)
def test_a_date_without_year_takes_the_year_of_the_capture(tmp_path, captured, published):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    warc.response(URL, captured, article_html())
    (record,), _problems, _stats = extract(warc.save())
    assert record["published"] == published
    assert record["published_raw"] == "15 November 10:31 (UTC+04)"
    assert record["fetched_at"] == captured


def test_revisit_of_an_extracted_article_adds_no_record(tmp_path):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    original = warc.response(URL, D1, article_html())
    warc.revisit(URL, D2, refers_to=original, refers_to_uri=URL, refers_to_date=D1)
    records, problems, stats = extract(warc.save())
    assert [(r["url"], r["fetched_at"]) for r in records] == [(URL, D1)]
    assert problems == []
    assert stats.records == 1


def test_revisit_under_another_uri_uses_the_originals_payload_from_another_file(tmp_path):
    other = f"{TREND}/world/other/3835140.html"
    first = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    first.response(URL, D1, article_html())
    second = Warc(tmp_path / "trend-20231117090000-00001-host.warc.gz")
    # no WARC-Refers-To: found by the original's URI and date
    second.revisit(other, D3, refers_to=None, refers_to_uri=URL, refers_to_date=D1)
    later, earlier = second.save(), first.save()
    records, problems, _stats = extract(later, earlier)
    assert problems == []
    # archive order is the order the files were given in
    assert [(r["url"], r["fetched_at"]) for r in records] == [(other, D3), (URL, D1)]
    revisited = records[0]
    assert revisited["title"] == "Gas deal signed"
    assert revisited["section"] == "world/other"  # from the revisit's own URI
    assert revisited["published"] == "2023-11-15T10:31:00+04:00"
    assert revisited["warc"]["file"] == later.name  # the revisit record, not the original


def test_revisit_without_original_is_reported_and_counted(tmp_path):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    missing = "<urn:uuid:00000000-0000-4000-8000-000000000099>"
    warc.revisit(URL, D2, refers_to=missing, refers_to_uri=URL, refers_to_date=D1)
    path = warc.save()
    records, problems, stats = extract(path)
    assert records == []
    assert stats.unresolved == 1
    assert len(problems) == 1
    assert URL in problems[0] and missing in problems[0]


def test_cli_reports_unresolved_revisit_and_exits_4_when_nothing_extracted(tmp_path, capsys):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    warc.revisit(URL, D2, refers_to=None, refers_to_uri=URL, refers_to_date=D1)
    path = warc.save()
    assert cli.main(["extract", str(path)]) == 4
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "in none of the files" in captured.err
    assert "no article record" in captured.err


def test_only_200_article_pages_are_extracted(tmp_path):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    warc.response(f"{TREND}/latest/", D1, article_html(title="A listing"))
    warc.response(f"{TREND}/business/economy/1.html", D1, article_html(), status="404 Not Found")
    warc.response(URL, D1, article_html())
    records, problems, _stats = extract(warc.save())
    assert [r["url"] for r in records] == [URL]
    assert problems == []


def test_the_charset_of_the_stored_header_decodes_the_page(tmp_path):
    title = "Газовая сделка"
    body = article_html(title=title).replace(b'<meta charset="utf-8">', b"")
    body = body.decode("utf-8").encode("cp1251")
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    warc.response(URL, D1, body, content_type="text/html; charset=windows-1251")
    (record,), _problems, _stats = extract(warc.save())
    assert record["title"] == title


def test_plain_warc_and_site_from_the_file_name(tmp_path):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc", site=None, gzip=False)
    warc.response(URL, D1, article_html())
    path = warc.save()
    (record,), problems, _stats = extract(path)
    assert record["site"] == "trend"
    assert problems == []
    pointer = record["warc"]
    raw = path.read_bytes()[pointer["offset"] : pointer["offset"] + pointer["length"]]
    assert raw.startswith(b"WARC/1.1\r\n")
    assert f"WARC-Record-ID: {pointer['record_id']}".encode() in raw


def test_an_open_file_is_read_up_to_its_last_complete_record(tmp_path):
    name = "trend-20231115090000-00000-host.warc.gz"
    warc = Warc(tmp_path / name)
    warc.response(URL, D1, article_html())
    complete = len(warc.buffer.getvalue())
    warc.response(f"{TREND}/world/other/2.html", D2, article_html(title="Cut off"))
    data = warc.buffer.getvalue()
    path = tmp_path / (name + ".open")
    path.write_bytes(data[: complete + (len(data) - complete) // 2])  # a killed crawl
    records, problems, _stats = extract(path)
    assert [r["url"] for r in records] == [URL]
    assert records[0]["warc"]["file"] == name  # the name the file has once closed
    assert len(problems) == 1 and "last complete record" in problems[0]


def test_a_file_of_an_unknown_site_is_extracted_with_the_generic_rules(tmp_path):
    warc = Warc(tmp_path / "x.warc.gz", site="nosuchsite")
    warc.response(URL, D1, article_html())
    records, problems, stats = extract(warc.save())
    (record,) = records
    assert record["site"] == "nosuchsite"  # the archive's site, the generic extractor
    assert record["title"] == "Gas deal signed"
    assert record["url"] == URL
    assert stats.generic_files == 1
    assert len(problems) == 1
    assert "'nosuchsite' has no spider" in problems[0] and "generic" in problems[0]


def test_cli_writes_a_file_and_exits_0(tmp_path, capsys):
    warc = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    warc.response(URL, D1, article_html(title="Bakıda İKT"))
    warc.save()
    out = tmp_path / "out" / "records.jsonl"
    out.parent.mkdir()
    out.write_text('{"stale": true}\n')
    assert cli.main(["extract", str(tmp_path), "-o", str(out)]) == 0
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 1  # the file is replaced, not appended to
    assert "Bakıda İKT" in lines[0]  # UTF-8, not \\u escapes
    assert json.loads(lines[0])["url"] == URL
    assert "1 records" in capsys.readouterr().out


def test_an_unreadable_file_is_reported_and_the_others_still_extracted(tmp_path, capsys):
    good = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    good.response(URL, D1, article_html())
    not_warc = tmp_path / "notes.warc.gz"
    not_warc.write_text("not a WARC file\n")
    cut = tmp_path / "trend-20231116090000-00001-host.warc.gz"
    for bad in (tmp_path / "missing.warc.gz", not_warc, cut):
        if bad == cut:
            data = good.save().read_bytes()
            cut.write_bytes(data[: len(data) - 100])  # a closed file cut short
        assert cli.main(["extract", str(bad), str(good.save())]) == 1
        captured = capsys.readouterr()
        (line,) = [json.loads(text) for text in captured.out.splitlines()]
        assert line["url"] == URL  # the good file is still extracted
        errors = captured.err.splitlines()
        assert len(errors) == 2, errors  # one line for the bad file, then the summary
        assert str(bad) in errors[0]
        assert "1 unreadable" in errors[1]


def test_only_unreadable_files_exit_4(tmp_path, capsys):
    bad = tmp_path / "notes.warc"
    bad.write_text("not a WARC file\n")
    assert cli.main(["extract", str(bad)]) == 4
    assert "no article record" in capsys.readouterr().err


def test_cli_exits_3_when_the_output_cannot_be_written(tmp_path, capsys):
    good = Warc(tmp_path / "trend-20231115090000-00000-host.warc.gz")
    good.response(URL, D1, article_html())
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "records.jsonl"
    assert cli.main(["extract", str(good.save()), "-o", str(out)]) == 3
    assert capsys.readouterr().err.count("\n") == 1


def test_extract_has_help():
    result = run_cli("extract", "--help")
    assert result.returncode == 0
    assert "usage: newsarchive extract" in result.stdout
    assert "--output FILE" in result.stdout


# --- other tools' formats ------------------------------------------------------------------


def _arc(path: Path, url: str, body: bytes) -> Path:
    """An ARC v1 file (one gzip member per record) holding one HTTP response."""
    desc = b"1 0 Tests\nURL IP-address Archive-date Content-type Archive-length\n"
    head = b"filedesc://%s 127.0.0.1 20231115090000 text/plain %d\n" % (
        path.name.encode(),
        len(desc),
    )
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    http += b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    line = b"%s 127.0.0.1 20231115090000 text/html %d\n" % (url.encode(), len(http))
    path.write_bytes(
        gzip.compress(head + desc + b"\n", mtime=0) + gzip.compress(line + http + b"\n", mtime=0)
    )
    return path


def test_an_arc_file_is_extracted(tmp_path):
    path = _arc(tmp_path / "trend-20231115090000-00000-host.arc.gz", URL, article_html())
    (record,), problems, stats = extract(path)
    assert problems == []
    assert record["site"] == "trend"  # from the file name: an ARC file has no warcinfo
    assert record["title"] == "Gas deal signed"
    assert record["fetched_at"] == "2023-11-15T09:00:00Z"
    assert record["warc"]["file"] == path.name and record["warc"]["offset"] > 0


def test_a_warc_1_0_file_with_bracketed_uris_is_extracted(tmp_path):
    path = tmp_path / "trend-20231115090000-00000-host.warc"
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=False, warc_version="1.0")
    writer.write_record(writer.create_warcinfo_record(path.name, {"isPartOf": "trend"}))
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
    body = article_html()
    writer.write_record(
        writer.create_warc_record(
            URL,
            "response",
            payload=BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2023-11-15T09:00:00Z"},
        )
    )
    data = buffer.getvalue().replace(
        f"WARC-Target-URI: {URL}".encode(), f"WARC-Target-URI: <{URL}>".encode()
    )
    assert data.startswith(b"WARC/1.0\r\n")
    path.write_bytes(data)
    (record,), problems, _stats = extract(path)
    assert problems == []
    assert record["url"] == URL  # the WARC/1.0 brackets dropped
    assert record["title"] == "Gas deal signed"


def test_spiders_outside_the_project_are_found_through_spider_modules(tmp_path, capsys):
    package = tmp_path / "mysite_spiders"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from newsarchive.layouts import TrendLayoutSpider\n\n\n"
        "class MySite(TrendLayoutSpider):\n    name = 'mysite'\n"
    )
    warc = Warc(tmp_path / "mysite-20231115090000-00000-host.warc.gz", site="mysite")
    warc.response(URL, D1, article_html())
    path = warc.save()
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        assert cli.main(["extract", str(path), "-s", "SPIDER_MODULES=mysite_spiders"]) == 0
    finally:
        sys.path.remove(str(tmp_path))
    captured = capsys.readouterr()
    assert captured.err == ""  # found: no generic fallback
    (line,) = captured.out.splitlines()
    assert json.loads(line)["site"] == "mysite"


def test_an_arc_record_gets_the_same_id_at_every_read(tmp_path):
    path = _arc(tmp_path / "trend-20231115090000-00000-host.arc.gz", URL, article_html())
    (first,), _, _ = extract(path)
    (second,), _, _ = extract(path)
    assert first["warc"]["record_id"] == second["warc"]["record_id"]
    assert first["warc"]["record_id"].startswith("<urn:uuid:")
