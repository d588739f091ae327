"""``validate_paths``: a clean archive passes, and each kind of damage gets its own code."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.validate import CODES, validate_paths
from newsarchive.warc.reader import iter_strict
from tests.archive_builder import (
    DATE,
    WARCINFO_ID,
    Archive,
    Spec,
    article,
    build,
    good_specs,
    rid,
    write_archive,
    write_jsonl,
)


def codes_for(*paths: Path) -> set[str]:
    report = validate_paths(paths)
    for code in report.codes():
        assert code in CODES, code
    return report.codes()


def spec_by_id(specs: list[Spec], record_id: str) -> Spec:
    return next(spec for spec in specs if spec.record_id == record_id)


# -- the clean archive ---------------------------------------------------------------------


def test_good_archive_passes(tmp_path: Path) -> None:
    write_archive(tmp_path)
    report = validate_paths([tmp_path])
    assert report.problems == []
    assert report.ok and report.exit_status == 0
    assert (
        report.summary() == "checked 1 WARC files (11 records), 1 JSONL files (3 records): "
        "0 errors, 0 warnings, 0 notes"
    )
    assert report.render() == report.summary() + "\n"


def test_good_plain_warc_passes(tmp_path: Path) -> None:
    write_archive(tmp_path, compress=False)
    assert validate_paths([tmp_path]).problems == []


def test_files_given_one_by_one(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    report = validate_paths([archive.warc, archive.jsonl])
    assert report.problems == []
    assert (report.warc_files, report.jsonl_files) == (1, 1)


def test_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    report = validate_paths([tmp_path, archive.warc, tmp_path / "warc" / ".." / "warc"])
    assert report.problems == []
    assert report.warc_files == 1


def test_jsonl_alone_finds_its_warc_in_sibling_folder(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    report = validate_paths([archive.jsonl])
    assert report.problems == []
    assert report.warc_files == 0 and report.jsonl_records == 3


def test_file_written_by_warcio_writer_passes(tmp_path: Path) -> None:
    """A WARC written the ordinary way (WARCWriter, gzip) passes the digest checks."""
    path = tmp_path / "plain-writer.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        info = writer.create_warcinfo_record(path.name, {"software": "test"})
        writer.write_record(info)
        info_id = info.rec_headers.get_header("WARC-Record-ID")
        body = "Привет, мир".encode()
        http = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        from io import BytesIO

        response = writer.create_warc_record(
            "https://example.org/x",
            "response",
            payload=BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Warcinfo-ID": info_id},
        )
        request = writer.create_warc_record(
            "https://example.org/x",
            "request",
            payload=BytesIO(b""),
            http_headers=StatusAndHeaders(
                "GET /x HTTP/1.1", [("Host", "example.org")], is_http_request=True
            ),
            warc_headers_dict={"WARC-Warcinfo-ID": info_id},
        )
        writer.write_request_response_pair(request, response)
    report = validate_paths([path])
    assert report.problems == [], report.render()
    assert report.warc_records == 3


# -- one distinct code per kind of damage ---------------------------------------------------


def _chunks_with(specs: list[Spec], record_id: str, edit: Callable[[bytes], bytes]) -> list[bytes]:
    return [edit(build(s)) if s.record_id == record_id else build(s) for s in specs]


def test_flipped_payload_byte(tmp_path: Path) -> None:
    specs = good_specs()
    chunks = _chunks_with(specs, rid(1), lambda b: b.replace(b"Alpha body", b"Alpha bodz"))
    write_archive(tmp_path, specs, chunks=chunks)
    assert codes_for(tmp_path) == {"warc-payload-digest", "warc-block-digest"}


def test_flipped_byte_in_http_head_breaks_only_block_digest(tmp_path: Path) -> None:
    specs = good_specs()
    chunks = _chunks_with(specs, rid(1), lambda b: b.replace(b"text/html", b"text/htmm", 1))
    write_archive(tmp_path, specs, chunks=chunks)
    assert codes_for(tmp_path) == {"warc-block-digest"}


def test_truncated_last_record_gzip(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    data = archive.warc.read_bytes()
    archive.warc.write_bytes(data[:-30])
    report = validate_paths([tmp_path])
    assert report.codes() == {"gzip-truncated"}
    last_offset = max(offset for offset, _ in archive.offsets.values())
    assert report.problems[0].location == last_offset


def test_truncated_last_record_plain(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, compress=False)
    data = archive.warc.read_bytes()
    archive.warc.write_bytes(data[:-10])
    assert codes_for(tmp_path) == {"warc-truncated"}


def test_record_cut_at_member_boundary(tmp_path: Path) -> None:
    """A gzip file whose last member is a complete but short record."""
    specs = good_specs()
    chunks = [build(s) for s in specs]
    chunks[-1] = chunks[-1][:-40]
    write_archive(tmp_path, specs, chunks=chunks)
    assert codes_for(tmp_path) == {"warc-truncated"}


def test_stale_http_content_length(tmp_path: Path) -> None:
    specs = good_specs()
    spec = spec_by_id(specs, rid(1))
    spec.headers = [("Content-Type", "text/html"), ("Content-Length", str(len(spec.payload) + 7))]
    write_archive(tmp_path, specs)
    report = validate_paths([tmp_path])
    assert report.codes() == {"http-content-length"}
    assert "says 83 bytes, the record stores 76" in report.render()


def test_gzip_labelled_plain_body(tmp_path: Path) -> None:
    specs = good_specs()
    spec = spec_by_id(specs, rid(1))
    spec.headers.append(("Content-Encoding", "gzip"))
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"http-bad-gzip"}


def test_bad_chunking(tmp_path: Path) -> None:
    specs = good_specs()
    spec = spec_by_id(specs, rid(5))
    spec.payload = spec.payload.replace(b"10\r\n", b"zz\r\n", 1)
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"http-bad-chunking"}


def test_revisit_without_original(tmp_path: Path) -> None:
    specs = good_specs()
    spec = spec_by_id(specs, rid(9))
    spec.extra["WARC-Refers-To"] = rid(99)
    spec.extra["WARC-Refers-To-Date"] = "2020-01-01T00:00:00Z"
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"warc-revisit-orphan"}


def test_revisit_found_by_uri_and_date(tmp_path: Path) -> None:
    specs = good_specs()
    del spec_by_id(specs, rid(9)).extra["WARC-Refers-To"]
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == set()


def test_revisit_original_in_another_file(tmp_path: Path) -> None:
    specs = good_specs()
    write_archive(tmp_path / "one", specs[:9])
    info, revisit, request = Spec("warcinfo", record_id=rid(50)), specs[9], specs[10]
    revisit.extra["WARC-Warcinfo-ID"] = request.extra["WARC-Warcinfo-ID"] = rid(50)
    write_archive(tmp_path / "two", [info, revisit, request], records=[])
    assert "warc-revisit-orphan" in codes_for(tmp_path / "two")
    assert codes_for(tmp_path / "one" / "warc", tmp_path / "two" / "warc") == set()


def test_response_without_request(tmp_path: Path) -> None:
    specs = [s for s in good_specs() if s.record_id != rid(2)]
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"warc-unpaired-response"}


def test_request_with_other_date(tmp_path: Path) -> None:
    specs = good_specs()
    spec_by_id(specs, rid(2)).date = "2024-05-02T10:00:01Z"
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"warc-pair-mismatch"}


def test_file_without_warcinfo(tmp_path: Path) -> None:
    write_archive(tmp_path, good_specs()[1:])
    report = validate_paths([tmp_path])
    assert report.codes() == {"warc-no-warcinfo"}
    assert len(report.problems) == 1


def test_wrong_and_missing_warcinfo_id(tmp_path: Path) -> None:
    specs = good_specs()
    spec_by_id(specs, rid(1)).extra["WARC-Warcinfo-ID"] = rid(42)
    for record_id in (rid(3), rid(4)):
        del spec_by_id(specs, record_id).extra["WARC-Warcinfo-ID"]
    write_archive(tmp_path, specs)
    report = validate_paths([tmp_path])
    assert report.codes() == {"warc-warcinfo-id"}
    assert len(report.problems) == 2  # one wrong id, one line for both missing ones


def test_duplicate_record_id(tmp_path: Path) -> None:
    specs = good_specs()
    spec_by_id(specs, rid(4)).record_id = rid(2)
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"warc-duplicate-id"}


def test_missing_mandatory_header(tmp_path: Path) -> None:
    specs = good_specs()
    chunks = _chunks_with(specs, rid(6), lambda b: b.replace(b"WARC-Date: ", b"X-Date: ", 1))
    write_archive(tmp_path, specs, chunks=chunks)
    codes = codes_for(tmp_path)
    assert "warc-missing-header" in codes


def test_corrupt_gzip_member_is_skipped(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    offset, length = archive.offsets[rid(3)]
    data = bytearray(archive.warc.read_bytes())
    data[offset + length // 2] ^= 0xFF
    archive.warc.write_bytes(bytes(data))
    report = validate_paths([tmp_path])
    assert "gzip-corrupt" in report.codes()
    # the records after the damaged member are still read
    assert report.warc_records == 10


def test_trailing_garbage(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    archive.warc.write_bytes(archive.warc.read_bytes() + b"garbage\n")
    assert codes_for(tmp_path) == {"gzip-trailing-garbage"}


def test_several_records_in_one_member(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    chunks = [build(s) for s in good_specs()]
    archive.warc.write_bytes(gzip.compress(b"".join(chunks), mtime=0))
    codes = codes_for(archive.warc)
    assert codes == {"warc-gzip-layout"}


def test_uncompressed_file_named_gz(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, compress=False)
    renamed = archive.warc.with_name(archive.warc.name + ".gz")
    archive.warc.rename(renamed)
    assert codes_for(renamed) == {"warc-compression"}


def test_open_file_is_unclosed(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    archive.warc.rename(archive.warc.with_name(archive.warc.name + ".open"))
    assert codes_for(tmp_path) == {"warc-unclosed"}


def test_bad_record_end(tmp_path: Path) -> None:
    specs = good_specs()
    chunks = [build(s) for s in specs]
    chunks[2] = chunks[2][:-4] + b"\n\n"
    write_archive(tmp_path, specs, chunks=chunks, compress=False, records=[])
    assert "warc-bad-record-end" in codes_for(tmp_path)


# -- JSONL ---------------------------------------------------------------------------------


def _records(archive: Archive) -> list[dict]:
    return [json.loads(line) for line in archive.jsonl.read_text("utf-8").splitlines()]


def test_jsonl_partial_last_line(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    text = archive.jsonl.read_text("utf-8")
    archive.jsonl.write_text(text[:-25], encoding="utf-8")
    report = validate_paths([tmp_path])
    assert report.codes() == {"jsonl-partial-line"}
    assert report.problems[0].location == 3
    assert report.jsonl_records == 2


def test_jsonl_record_breaking_schema(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    records = _records(archive)
    records[0]["title"] = ""
    records[1]["boilerplate"]["rates"][0]["rate"] = "1.7"
    write_jsonl(archive.jsonl, records)
    report = validate_paths([tmp_path])
    assert report.codes() == {"record-schema"}
    assert [(p.location, p.message) for p in report.problems] == [
        (1, "title: must not be empty"),
        (2, "boilerplate.rates[0].rate: must be a number, not a string"),
    ]


def test_jsonl_bad_lines(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    good = archive.jsonl.read_bytes()
    archive.jsonl.write_bytes(good + b"\n{not json}\n\xff\xfe\n[1, 2]\n")
    report = validate_paths([archive.jsonl])
    assert [(p.location, p.code) for p in report.problems] == [
        (4, "jsonl-blank-line"),
        (5, "jsonl-bad-json"),
        (6, "jsonl-bad-utf8"),
        (7, "record-schema"),
    ]


def test_warc_pointer_to_wrong_offset(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    records = _records(archive)
    records[1]["warc"]["offset"] += 1
    write_jsonl(archive.jsonl, records)
    report = validate_paths([tmp_path])
    assert report.codes() == {"jsonl-warc-pointer"}
    assert report.problems[0].location == 2


def test_warc_pointer_with_wrong_length(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    records = _records(archive)
    records[0]["warc"]["length"] -= 1
    records[1]["warc"]["length"] += 1
    write_jsonl(archive.jsonl, records)
    assert codes_for(tmp_path) == {"jsonl-warc-pointer"}


def test_warc_pointer_to_request_id_and_url(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    records = _records(archive)
    request_extent = archive.offsets[rid(2)]
    records[0]["warc"]["offset"], records[0]["warc"]["length"] = request_extent
    records[1]["warc"]["record_id"] = rid(77)
    records[2]["url"] = "http://example.com/elsewhere"
    records[2]["fetched_at"] = "2024-05-02T10:00:01Z"
    write_jsonl(archive.jsonl, records)
    report = validate_paths([tmp_path])
    assert [(p.location, p.code) for p in report.problems] == [
        (1, "jsonl-warc-type"),
        (2, "jsonl-warc-id"),
        (3, "jsonl-warc-uri"),
        (3, "jsonl-fetched-at"),
    ]


def test_warc_pointer_to_missing_file(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    records = _records(archive)
    records[0]["warc"]["file"] = "nowhere.warc.gz"
    write_jsonl(archive.jsonl, records)
    assert codes_for(archive.jsonl) == {"jsonl-warc-missing"}


def test_record_for_unarchived_redirect_target(tmp_path: Path) -> None:
    """The redirect's start response may stand for the final URL only if a 3xx joins them."""
    specs = good_specs()
    spec_by_id(specs, rid(7)).headers = [("Location", "/b"), ("Content-Length", "0")]
    write_archive(tmp_path, specs)
    assert codes_for(tmp_path) == {"jsonl-warc-uri"}


# -- bad input never crashes ---------------------------------------------------------------


def test_missing_unknown_and_empty_paths(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / "zero.warc.gz").write_bytes(b"")
    report = validate_paths(
        [tmp_path / "nope", tmp_path / "empty", tmp_path / "notes.txt", tmp_path / "zero.warc.gz"]
    )
    assert [p.code for p in report.problems] == [
        "path-missing",
        "path-empty",
        "path-unknown-type",
        "warc-empty",
    ]
    assert report.exit_status == 1
    assert report.lines()[0] == (
        f"{tmp_path / 'nope'}:0: error: path-missing: no such file or directory"
    )


def test_random_bytes_never_crash(tmp_path: Path) -> None:
    rng = random.Random(7)
    for name in ("junk.warc.gz", "junk.warc", "junk.jsonl"):
        (tmp_path / name).write_bytes(bytes(rng.randrange(256) for _ in range(3000)))
    (tmp_path / "fake.warc.gz").write_bytes(b"\x1f\x8b\x08" + bytes(200))
    (tmp_path / "head.warc").write_bytes(b"WARC/1.1\r\nContent-Length: x\r\n\r\n")
    report = validate_paths([tmp_path])
    assert "internal-error" not in report.codes()
    assert {p.path for p in report.problems} >= {str(tmp_path / "junk.warc.gz")}


@pytest.mark.parametrize("compress", [True, False])
def test_every_truncation_point_is_reported(tmp_path: Path, compress: bool) -> None:
    archive = write_archive(tmp_path, compress=compress)
    data = archive.warc.read_bytes()
    for cut in range(1, len(data), 97):
        archive.warc.write_bytes(data[:cut])
        report = validate_paths([archive.warc])
        assert report.problems, cut
        assert "internal-error" not in report.codes(), report.render()


def test_random_damage_never_crashes(tmp_path: Path) -> None:
    rng = random.Random(11)
    archive = write_archive(tmp_path, compress=False)
    data = archive.warc.read_bytes()
    for _ in range(60):
        damaged = bytearray(data)
        for _ in range(3):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        archive.warc.write_bytes(bytes(damaged))
        report = validate_paths([tmp_path])
        assert "internal-error" not in report.codes(), report.render()


@pytest.mark.parametrize("compress", [True, False])
def test_strict_reader_gives_each_records_extent(tmp_path: Path, compress: bool) -> None:
    archive = write_archive(tmp_path, compress=compress)
    extents = []
    with archive.warc.open("rb") as fh:
        for event in iter_strict(fh):
            assert event.record is not None, event.problem
            size = sum(len(piece) for piece in event.record.chunks())
            assert event.record.complete and size == event.record.content_length
            extents.append((event.offset, event.record.length))
    assert extents == sorted(archive.offsets.values())


def test_report_format(tmp_path: Path) -> None:
    archive = write_archive(tmp_path)
    records = _records(archive)
    records.append(article("http://example.com/b", "B", rid(3), archive.offsets[rid(1)]))
    write_jsonl(archive.jsonl, records)
    report = validate_paths([tmp_path])
    assert report.lines() == [
        f"{archive.jsonl}:4: error: jsonl-warc-id: "
        f"{archive.warc.name}@{archive.offsets[rid(1)][0]} "
        f"is record {rid(1)}, not {rid(3)}"
    ]
    assert report.summary().endswith(": 1 errors, 0 warnings, 0 notes")
    assert DATE and WARCINFO_ID  # fixtures are fixed, so the lines above are too
