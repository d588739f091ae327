"""WarcFileWriter: golden bytes with fixed ids and dates, file lifecycle, rotation, locations."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import itertools
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive import __version__
from newsarchive.warc.writer import (
    RecordLocation,
    WarcFileWriter,
    default_software,
    format_warc_date,
    sanitize_hostname,
    split_http_message,
    warcinfo_fields,
)
from tests.warc_tools import check_with_tools

T0 = datetime(2026, 11, 22, 16, 40, 12, 345678, tzinfo=UTC)
T1 = datetime(2026, 11, 22, 16, 40, 13, tzinfo=UTC)
URI = "http://example.com/a?b=1"
RESPONSE_HEAD = (
    b"HTTP/1.1 200 Everything Fine\r\n"
    b"Set-Cookie: a=1\r\n"
    b"Set-Cookie: b=2\r\n"
    b"x-ODD:  v \r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"\r\n"
)
RESPONSE_BODY = b"5\r\nhello\r\n0\r\n\r\n"
REQUEST_HEAD = b"POST /a?b=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\n"
REQUEST_BODY = b"x=1"

GOLDEN_WARCINFO = (
    b"WARC/1.1\r\n"
    b"WARC-Type: warcinfo\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Date: 2026-11-22T16:40:12.345678Z\r\n"
    b"WARC-Filename: NEWSARCHIVE-20261122164012-00000-golden.warc\r\n"
    b"WARC-Block-Digest: sha1:2HPQYTL4N2N4PSX23P3PWZEIX6YV7VID\r\n"
    b"Content-Type: application/warc-fields\r\n"
    b"Content-Length: 224\r\n"
    b"\r\n"
    b"software: newsarchive/9.9 warcio/1.8.1\r\n"
    b"format: WARC File Format 1.1\r\n"
    b"conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
    b"robots: obey\r\n"
    b"operator: Ops\r\n"
    b"hostname: golden\r\n"
    b"ip: 10.0.0.1\r\n"
    b"\r\n\r\n"
)
GOLDEN_RESPONSE = (
    b"WARC/1.1\r\n"
    b"WARC-Type: response\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Date: 2026-11-22T16:40:13.000000Z\r\n"
    b"WARC-Target-URI: http://example.com/a?b=1\r\n"
    b"WARC-IP-Address: 127.0.0.1\r\n"
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Payload-Digest: sha1:FPKJFAEPEIMEFSS2G2SDNSN5YKX3N5JX\r\n"
    b"WARC-Block-Digest: sha1:XYX5ZJJYLQGEDETTQ6EPOGWO4S6WNJ2P\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 121\r\n"
    b"\r\n" + RESPONSE_HEAD + RESPONSE_BODY + b"\r\n\r\n"
)
GOLDEN_REQUEST = (
    b"WARC/1.1\r\n"
    b"WARC-Type: request\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
    b"WARC-Date: 2026-11-22T16:40:13.000000Z\r\n"
    b"WARC-Target-URI: http://example.com/a?b=1\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Payload-Digest: sha1:PSXWAVURGUCPAUEMMX5PFXB7ST7WLPH5\r\n"
    b"WARC-Block-Digest: sha1:UXLPGD6PRPYLCZCIQJS25AE3NHNYQNAB\r\n"
    b"Content-Type: application/http; msgtype=request\r\n"
    b"Content-Length: 65\r\n"
    b"\r\n" + REQUEST_HEAD + REQUEST_BODY + b"\r\n\r\n"
)
GOLDEN = [GOLDEN_WARCINFO, GOLDEN_RESPONSE, GOLDEN_REQUEST]


def fixed_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>"


def make_writer(directory: Path, **kwargs: Any) -> WarcFileWriter:
    options: dict[str, Any] = {
        "hostname": "golden",
        "clock": lambda: T0,
        "make_id": fixed_ids(),
        "warcinfo": warcinfo_fields(
            robots="obey",
            operator="Ops",
            hostname="golden",
            ip="10.0.0.1",
            software="newsarchive/9.9 warcio/1.8.1",
        ),
    }
    options.update(kwargs)
    return WarcFileWriter(directory, **options)


def write_pair(
    writer: WarcFileWriter, uri: str = URI, body: bytes = RESPONSE_BODY
) -> RecordLocation:
    return writer.write_exchange(
        uri,
        response_head=RESPONSE_HEAD,
        response_body=body,
        request_head=REQUEST_HEAD,
        request_body=REQUEST_BODY,
        ip_address="127.0.0.1",
        date=T1,
    )


def gzip_members(data: bytes) -> list[tuple[int, int, bytes]]:
    """Split a multi-member gzip file: (offset, compressed length, decompressed bytes)."""
    members, offset = [], 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        text = inflater.decompress(data[offset:])
        assert inflater.eof
        length = len(data) - offset - len(inflater.unused_data)
        members.append((offset, length, text))
        offset += length
    return members


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


# -- golden bytes ------------------------------------------------------------------------


def test_plain_file_is_golden(tmp_path: Path) -> None:
    writer = make_writer(tmp_path, gzip=False)
    location = write_pair(writer)
    path = writer.close()
    assert path == tmp_path / "NEWSARCHIVE-20261122164012-00000-golden.warc"
    assert path.read_bytes() == b"".join(GOLDEN)
    assert location == RecordLocation(
        file=path.name,
        offset=len(GOLDEN_WARCINFO),
        length=len(GOLDEN_RESPONSE),
        record_id="<urn:uuid:00000000-0000-4000-8000-000000000002>",
    )


def test_gzip_file_is_one_member_per_golden_record(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    location = write_pair(writer)
    path = writer.close()
    assert path is not None
    assert path.name == "NEWSARCHIVE-20261122164012-00000-golden.warc.gz"
    data = path.read_bytes()
    members = gzip_members(data)
    # Compressed bytes depend on the zlib build; the records inside must not. Only the
    # WARC-Filename header differs from the plain file.
    golden = [
        GOLDEN_WARCINFO.replace(b"golden.warc\r\n", b"golden.warc.gz\r\n"),
        GOLDEN_RESPONSE,
        GOLDEN_REQUEST,
    ]
    texts = [text for _, _, text in members]
    assert texts == golden
    assert all(data[offset : offset + 2] == b"\x1f\x8b" for offset, _, _ in members)
    assert gzip.decompress(data) == b"".join(texts)
    assert (location.offset, location.length) == members[1][:2]


def test_digests_are_sha1_of_what_was_written() -> None:
    """The golden digests are independently right: block = head + body, payload = body."""
    assert sha1_b32(RESPONSE_HEAD + RESPONSE_BODY).encode() in GOLDEN_RESPONSE
    assert sha1_b32(RESPONSE_BODY).encode() in GOLDEN_RESPONSE
    assert sha1_b32(REQUEST_HEAD + REQUEST_BODY).encode() in GOLDEN_REQUEST
    info_block = GOLDEN_WARCINFO.split(b"\r\n\r\n", 1)[1][:-4]
    assert sha1_b32(info_block).encode() in GOLDEN_WARCINFO


# -- reading back ------------------------------------------------------------------------


def test_round_trip_through_archive_iterator(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    write_pair(writer)
    path = writer.close()
    assert path is not None
    with open(path, "rb") as fh:
        records = []
        for record in ArchiveIterator(fh, check_digests="raise"):
            records.append((record, record.content_stream().read()))
    types = [record.rec_type for record, _ in records]
    assert types == ["warcinfo", "response", "request"]
    (info, _), (response, entity), (request, body) = records
    info_id = info.rec_headers.get_header("WARC-Record-ID")
    for record in (response, request):
        assert record.rec_headers.get_header("WARC-Warcinfo-ID") == info_id
        assert record.rec_headers.get_header("WARC-Date") == "2026-11-22T16:40:13.000000Z"
        assert record.rec_headers.protocol == "WARC/1.1"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header(
        "WARC-Record-ID"
    )
    assert response.http_headers.statusline == "200 Everything Fine"
    assert [v for k, v in response.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert entity == b"hello"  # warcio de-chunks on read
    assert request.http_headers.get_header("Host") == "example.com"
    assert body == REQUEST_BODY
    check_with_tools(path)


def test_record_location_opens_exactly_that_record(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    locations = [write_pair(writer, f"http://example.com/{i}") for i in range(3)]
    meta = writer.write_metadata(
        "http://example.com/1", {"note": "x"}, concurrent_to=locations[1].record_id
    )
    path = writer.close()
    assert path is not None
    for i, location in enumerate([*locations, meta]):
        assert location.file == path.name
        with open(path, "rb") as fh:
            fh.seek(location.offset)
            member = fh.read(location.length)
        inflater = zlib.decompressobj(wbits=31)
        text = inflater.decompress(member)
        assert inflater.eof and not inflater.unused_data  # exactly one whole member
        (record,) = list(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_headers.get_header("WARC-Record-ID") == location.record_id
        expected_type = "metadata" if i == 3 else "response"
        assert record.rec_type == expected_type
        assert text.startswith(b"WARC/1.1\r\n")
    assert locations[0].as_dict() == {
        "file": path.name,
        "offset": locations[0].offset,
        "length": locations[0].length,
        "record_id": locations[0].record_id,
    }


# -- file lifecycle ----------------------------------------------------------------------


def test_open_suffix_while_written_and_renamed_on_close(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, prefix="TEST", hostname="my host/x")
    assert writer.current_path is None
    assert list(tmp_path.iterdir()) == []  # the file is created with the first record
    location = write_pair(writer)
    open_path = writer.current_path
    assert open_path is not None and open_path.name.endswith(".warc.gz.open")
    assert open_path.name == location.file + ".open"
    assert [p.name for p in tmp_path.iterdir()] == [open_path.name]
    assert location.file.startswith("TEST-") and location.file.endswith("-00000-my-host-x.warc.gz")
    # flushed after each pair: readable while still open
    with open(open_path, "rb") as fh:
        assert [r.rec_type for r in ArchiveIterator(fh)] == ["warcinfo", "response", "request"]
    final = writer.close()
    assert final == tmp_path / location.file
    assert [p.name for p in tmp_path.iterdir()] == [location.file]
    assert writer.close() is None  # idempotent
    # the default warcinfo names the software and this machine
    with open(final, "rb") as fh:
        info = next(iter(ArchiveIterator(fh))).content_stream().read().decode()
    assert f"software: newsarchive/{__version__} warcio/" in info
    assert "format: WARC File Format 1.1\r\n" in info
    assert "hostname: " in info


def test_context_manager_closes(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        write_pair(writer)
    assert [p.suffix for p in tmp_path.iterdir()] == [".gz"]


def test_rotation_keeps_pairs_together_and_starts_each_file_with_warcinfo(
    tmp_path: Path,
) -> None:
    clock = iter(T0 + timedelta(seconds=i) for i in range(100))
    writer = make_writer(tmp_path, max_size=2000, clock=lambda: next(clock))
    body = b"x" * 700
    locations = [write_pair(writer, f"http://example.com/{i}", body) for i in range(7)]
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) > 1
    assert writer.files_opened == len(files)
    assert writer.closed_files == files
    seen_uris = []
    for serial, path in enumerate(files):
        assert f"-{serial:05d}-golden.warc.gz" in path.name
        with open(path, "rb") as fh:
            records = list(ArchiveIterator(fh, check_digests="raise"))
        types = [r.rec_type for r in records]
        assert types[0] == "warcinfo"
        assert types[1:] == ["response", "request"] * ((len(types) - 1) // 2)
        assert len(types) % 2 == 1
        info_id = records[0].rec_headers.get_header("WARC-Record-ID")
        assert records[0].rec_headers.get_header("WARC-Filename") == path.name
        for resp, req in zip(records[1::2], records[2::2], strict=True):
            assert req.rec_headers.get_header("WARC-Concurrent-To") == resp.rec_headers.get_header(
                "WARC-Record-ID"
            )
            assert resp.rec_headers.get_header("WARC-Warcinfo-ID") == info_id
            assert req.rec_headers.get_header("WARC-Warcinfo-ID") == info_id
            seen_uris.append(resp.rec_headers.get_header("WARC-Target-URI"))
        # a file is only continued while it is under the limit
        size_before_last_pair = path.stat().st_size - sum(
            loc.length for loc in locations if loc.file == path.name
        )
        assert size_before_last_pair < 2000 or len(types) == 3
    assert seen_uris == [f"http://example.com/{i}" for i in range(7)]
    assert {loc.file for loc in locations} == {p.name for p in files}
    # each file's name has the UTC time at its creation
    assert files[0].name.startswith("NEWSARCHIVE-20261122164012-")


def test_existing_name_is_never_overwritten(tmp_path: Path) -> None:
    taken = tmp_path / "NEWSARCHIVE-20261122164012-00000-golden.warc.gz"
    taken.write_bytes(b"keep me")
    (tmp_path / "NEWSARCHIVE-20261122164012-00001-golden.warc.gz.open").write_bytes(b"me too")
    writer = make_writer(tmp_path)
    location = write_pair(writer)
    writer.close()
    assert location.file == "NEWSARCHIVE-20261122164012-00002-golden.warc.gz"
    assert taken.read_bytes() == b"keep me"


def test_failed_write_leaves_a_valid_file(tmp_path: Path) -> None:
    ids = fixed_ids()
    calls = itertools.count()

    def flaky_id() -> str:
        if next(calls) == 4:  # warcinfo, resp, req, resp, [req of the 2nd pair]
            raise OSError("disk on fire")
        return ids()

    writer = make_writer(tmp_path, make_id=flaky_id)
    write_pair(writer, "http://example.com/ok")
    with pytest.raises(OSError, match="disk on fire"):
        write_pair(writer, "http://example.com/broken")
    write_pair(writer, "http://example.com/after")
    path = writer.close()
    assert path is not None
    with open(path, "rb") as fh:
        records = list(ArchiveIterator(fh, check_digests="raise"))
    uris = [r.rec_headers.get_header("WARC-Target-URI") for r in records[1:]]
    assert uris == ["http://example.com/ok"] * 2 + ["http://example.com/after"] * 2


def test_write_record_and_metadata(tmp_path: Path) -> None:
    writer = make_writer(tmp_path, gzip=False)
    response = write_pair(writer)
    meta = writer.write_metadata(
        URI, '{"title": "Çay"}', concurrent_to=response.record_id, content_type="application/json"
    )
    revisit = writer.write_record(
        "revisit",
        URI,
        http_head=RESPONSE_HEAD,
        warc_headers={
            "WARC-Refers-To": response.record_id,
            "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
            "WARC-Payload-Digest": sha1_b32(RESPONSE_BODY),
        },
    )
    resource = writer.write_record(
        "resource", "file:///tmp/x.txt", b"plain", content_type="text/plain"
    )
    path = writer.close()
    assert path is not None
    with open(path, "rb") as fh:
        records = {
            r.rec_headers.get_header("WARC-Record-ID"): (r, r.content_stream().read())
            for r in ArchiveIterator(fh, check_digests="raise")
        }
    record, payload = records[meta.record_id]
    assert record.rec_type == "metadata"
    assert record.rec_headers.get_header("WARC-Concurrent-To") == response.record_id
    assert record.rec_headers.get_header("Content-Type") == "application/json"
    assert payload.decode() == '{"title": "Çay"}'
    record, payload = records[revisit.record_id]
    assert record.rec_type == "revisit"
    assert record.rec_headers.get_header("WARC-Refers-To") == response.record_id
    assert record.http_headers.statusline == "200 Everything Fine"
    record, payload = records[resource.record_id]
    assert record.rec_headers.get_header("Content-Type") == "text/plain"
    assert payload == b"plain"
    warcinfo_id = next(iter(records.values()))[0].rec_headers.get_header("WARC-Record-ID")
    for record, _ in list(records.values())[1:]:
        assert record.rec_headers.get_header("WARC-Warcinfo-ID") == warcinfo_id


def test_raw_head_bytes_survive_unusual_formatting(tmp_path: Path) -> None:
    head = b"HTTP/1.0 200\nX-Latin: caf\xe9\nno-colon-line\nX-Folded: a\n b\n\n"
    writer = make_writer(tmp_path)
    writer.write_exchange(
        "http://example.com/odd",
        response_head=head,
        response_body=b"body",
        request_head=b"GET /odd HTTP/1.0\r\nHost: example.com\r\n\r\n",
    )
    path = writer.close()
    assert path is not None
    with open(path, "rb") as fh:
        blocks = [r.raw_stream.read() for r in ArchiveIterator(fh, no_record_parse=True)]
    assert blocks[1] == head + b"body"


def test_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_size"):
        WarcFileWriter(tmp_path, max_size=0)
    with pytest.raises(ValueError, match="prefix"):
        WarcFileWriter(tmp_path, prefix="a/b")


# -- helpers -----------------------------------------------------------------------------


def test_format_warc_date() -> None:
    assert format_warc_date(T1) == "2026-11-22T16:40:13.000000Z"
    assert format_warc_date(T0.replace(tzinfo=None)) == "2026-11-22T16:40:12.345678Z"
    baku = timezone(timedelta(hours=4))
    assert format_warc_date(datetime(2026, 11, 22, 20, 40, 13, tzinfo=baku)) == (
        "2026-11-22T16:40:13.000000Z"
    )


def test_sanitize_hostname() -> None:
    assert sanitize_hostname("crawler-01.example.org") == "crawler-01.example.org"
    assert sanitize_hostname("my host/x_y") == "my-host-x-y"
    assert sanitize_hostname("///") == "localhost"


def test_split_http_message() -> None:
    assert split_http_message(REQUEST_HEAD + REQUEST_BODY) == (REQUEST_HEAD, REQUEST_BODY)
    assert split_http_message(b"GET / HTTP/1.0\n\n\r\nx") == (b"GET / HTTP/1.0\n\n", b"\r\nx")
    assert split_http_message(b"GET / HTTP/1.1\r\nHost: a\r\n") == (
        b"GET / HTTP/1.1\r\nHost: a\r\n",
        b"",
    )


def test_warcinfo_fields_order_and_defaults() -> None:
    fields = warcinfo_fields(robots="ignore", description="d", hostname="h")
    assert list(fields) == ["software", "format", "conformsTo", "robots", "description", "hostname"]
    assert fields["software"] == default_software()
    assert default_software().startswith(f"newsarchive/{__version__} warcio/")


@pytest.mark.parametrize("level", [1, 9])
def test_gzip_level_changes_the_bytes_not_the_records(tmp_path: Path, level: int) -> None:
    default = make_writer(tmp_path / "default")
    write_pair(default, body=RESPONSE_BODY * 200)
    chosen = make_writer(tmp_path / "chosen", gzip_level=level)
    write_pair(chosen, body=RESPONSE_BODY * 200)
    default_data = default.close().read_bytes()  # type: ignore[union-attr]
    chosen_data = chosen.close().read_bytes()  # type: ignore[union-attr]
    assert [t for _, _, t in gzip_members(chosen_data)] == [
        t for _, _, t in gzip_members(default_data)
    ]
    if level == 1:  # faster, larger
        assert len(chosen_data) > len(default_data)


def test_gzip_level_out_of_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="gzip_level"):
        make_writer(tmp_path, gzip_level=12)
