"""WarcConfig and the WARC extensions without the network: fed Scrapy objects directly."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newsarchive.capture.exchange import CAPTURE_META_KEY, WireCapture, reconstruct_capture
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.files import WarcFiles
from tests.archive_run import ArchiveRun, archive_run
from tests.warc_tools import check_with_tools


class _Spider(Spider):
    name = "unit"


def make_extension(tmp_path: Path, **settings: Any) -> tuple[ArchiveRun, Any, Spider]:
    run = archive_run(_Spider, tmp_path, **settings)
    return run, run.crawler, run.spider


def records(path: Path) -> list[Any]:
    with open(path, "rb") as fh:
        return [
            (r.rec_type, r.rec_headers, r.raw_stream.read())
            for r in ArchiveIterator(fh, no_record_parse=True)
        ]


def warcio_check(path: Path) -> None:
    check_with_tools(path)


# -- config ------------------------------------------------------------------------------


def test_config_defaults() -> None:
    config = WarcConfig.from_settings(Settings())
    assert config == WarcConfig(
        enabled=True,
        directory=Path("archives/warc"),
        prefix=None,
        max_size=1_000_000_000,
        operator=None,
        description=None,
        robots="ignore",  # Scrapy's default ROBOTSTXT_OBEY is False
        user_agent=Settings().get("USER_AGENT"),
    )


def test_config_from_settings() -> None:
    config = WarcConfig.from_settings(
        Settings(
            {
                "NEWSARCHIVE_OUT": "/data/run1",
                "NEWSARCHIVE_WARC_PREFIX": "TREND",
                "NEWSARCHIVE_WARC_MAX_SIZE": "5000000",
                "NEWSARCHIVE_WARC_OPERATOR": "Archive Team",
                "NEWSARCHIVE_WARC_DESCRIPTION": "daily crawl",
                "NEWSARCHIVE_WARC_ENABLED": "False",
                "ROBOTSTXT_OBEY": True,
            }
        )
    )
    assert config.directory == Path("/data/run1/warc")
    assert (config.prefix, config.max_size, config.robots) == ("TREND", 5_000_000, "obey")
    assert (config.operator, config.description) == ("Archive Team", "daily crawl")
    assert config.enabled is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSARCHIVE_WARC_MAX_SIZE", 0, "MAX_SIZE"),
        ("NEWSARCHIVE_WARC_PREFIX", "a/b", "PREFIX"),
        ("NEWSARCHIVE_WARC_PREFIX", "two words", "PREFIX"),
    ],
)
def test_config_rejects_invalid_values(name: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WarcConfig.from_settings(Settings({name: value}))


def test_prefix_defaults_to_the_spider_name() -> None:
    assert WarcConfig().prefix_for("trend") == "trend"
    assert WarcConfig().prefix_for("my spider/1") == "my-spider-1"
    assert WarcConfig().prefix_for(None) == "NEWSARCHIVE"
    assert WarcConfig(prefix="TREND").prefix_for("trend") == "TREND"


def test_disabled_extension_is_not_configured(tmp_path: Path) -> None:
    crawler = get_crawler(_Spider, {"NEWSARCHIVE_WARC_ENABLED": False})
    with pytest.raises(NotConfigured, match="NEWSARCHIVE_WARC_ENABLED"):
        WarcFiles.from_crawler(crawler)


# -- the extension -----------------------------------------------------------------------


def test_writes_the_capture_and_sets_meta(tmp_path: Path) -> None:
    ext, crawler, spider = make_extension(
        tmp_path, NEWSARCHIVE_WARC_OPERATOR="Ops", ROBOTSTXT_OBEY=True
    )
    url = "http://example.com/page?id=1"
    request = Request(url)
    started = datetime(2026, 11, 22, 16, 40, 12, 5, tzinfo=UTC)
    capture = WireCapture(
        started_at=started,
        ip_address="192.0.2.7",
        request=bytearray(b"GET /page?id=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        response_head=bytearray(b"HTTP/1.1 200 Fine\r\nContent-Length: 2\r\n\r\n"),
        response_body=bytearray(b"ok"),
        complete=True,
    )
    request.meta[CAPTURE_META_KEY] = capture
    response = HtmlResponse(url, body=b"ok", request=request)
    ext.response_downloaded(response, request)

    assert CAPTURE_META_KEY not in request.meta
    assert request.meta["newsarchive_fetched_at"] == "2026-11-22T16:40:12.000005Z"
    warc = request.meta["newsarchive_warc"]
    assert set(warc) == {"file", "offset", "length", "record_id"}
    assert response.meta["newsarchive_warc"] == warc  # what the spider callback reads

    ext.close()
    path = tmp_path / "warc" / warc["file"]
    assert path.exists()
    recs = records(path)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request"]
    assert b"robots: obey\r\n" in recs[0][2]
    assert b"operator: Ops\r\n" in recs[0][2]
    assert b"isPartOf: unit\r\n" in recs[0][2]
    _, headers, block = recs[1]
    assert block == bytes(capture.response_head + capture.response_body)
    assert headers.get_header("WARC-IP-Address") == "192.0.2.7"
    assert headers.get_header("WARC-Date") == "2026-11-22T16:40:12.000005Z"
    assert headers.get_header("WARC-Record-ID") == warc["record_id"]
    assert recs[2][2] == bytes(capture.request)
    warcio_check(path)

    stats = crawler.stats
    assert stats.get_value("newsarchive/warc/responses") == 1
    assert stats.get_value("newsarchive/warc/records") == 3
    assert stats.get_value("newsarchive/warc/files") == 1
    assert stats.get_value("newsarchive/warc/bytes") == path.stat().st_size
    assert stats.get_value("newsarchive/warc/reconstructed") == 0
    assert stats.get_value("newsarchive/warc/errors") == 0
    assert stats.get_value("newsarchive/warc/file_names") == [path.name]
    assert path.name.startswith("unit-")


def test_missing_capture_is_reconstructed_counted_and_warned_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ext, crawler, spider = make_extension(tmp_path)
    for path in ("/gone", "/also-gone"):
        url = f"https://example.com:8443{path}?q=1"
        request = Request(url, headers={"Accept": "text/html"})
        response = Response(
            url,
            status=404,
            headers={"Content-Type": "text/html", "Set-Cookie": ["a=1", "b=2"]},
            body=b"<p>nope</p>",
            request=request,
            protocol="HTTP/1.1",
        )
        with caplog.at_level(logging.WARNING, logger="newsarchive.warc.archiver"):
            ext.response_downloaded(response, request)
        assert "newsarchive_warc" in request.meta
    ext.close()
    assert crawler.stats.get_value("newsarchive/warc/reconstructed") == 2
    warnings = [r for r in caplog.records if "No wire capture" in r.getMessage()]
    assert len(warnings) == 1
    (path,) = (tmp_path / "warc").iterdir()
    recs = records(path)
    response_block, request_block = recs[1][2], recs[2][2]
    assert response_block.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n" in response_block
    assert response_block.endswith(b"Content-Length: 11\r\n\r\n<p>nope</p>")
    assert request_block.startswith(
        b"GET /gone?q=1 HTTP/1.1\r\nHost: example.com:8443\r\nAccept: text/html\r\n"
    )
    warcio_check(path)


def test_reconstruct_capture_fixes_content_length_and_adds_body() -> None:
    request = Request("http://example.com/form", method="POST", body=b"a=1")
    response = Response(
        "http://example.com/form",
        status=599,
        headers={"Content-Length": "99"},
        body=b"partial",
        protocol=None,
    )
    capture = reconstruct_capture(request, response)
    assert capture.reconstructed
    assert bytes(capture.response_head) == b"HTTP/1.1 599 \r\nContent-Length: 7\r\n\r\n"
    assert bytes(capture.request).endswith(b"Content-Length: 3\r\n\r\na=1")
    assert bytes(capture.request).startswith(b"POST /form HTTP/1.1\r\nHost: example.com\r\n")


def test_non_http_url_becomes_a_resource_record(tmp_path: Path) -> None:
    ext, crawler, spider = make_extension(tmp_path)
    request = Request("file:///srv/page.html")
    response = Response(
        request.url, headers={"Content-Type": "text/html"}, body=b"<p>x</p>", request=request
    )
    ext.response_downloaded(response, request)
    ext.close()
    (path,) = (tmp_path / "warc").iterdir()
    recs = records(path)
    assert [r[0] for r in recs] == ["warcinfo", "resource"]
    assert recs[1][1].get_header("Content-Type") == "text/html"
    assert recs[1][2] == b"<p>x</p>"
    assert request.meta["newsarchive_warc"]["record_id"] == recs[1][1].get_header("WARC-Record-ID")
    assert crawler.stats.get_value("newsarchive/warc/resources") == 1
    warcio_check(path)


def test_write_error_is_logged_with_the_url_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    ext, crawler, spider = make_extension(tmp_path)
    url = "http://example.com/doomed"
    request = Request(url)
    response = Response(url, body=b"x", request=request)
    ext.response_downloaded(response, request)  # creates the writer's file

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    assert ext.writer is not None
    monkeypatch.setattr(ext.writer, "write_exchange", boom)
    request2 = Request(url + "2")
    with caplog.at_level(logging.ERROR, logger="newsarchive.warc.archiver"):
        ext.response_downloaded(Response(request2.url, request=request2), request2)
    assert crawler.stats.get_value("newsarchive/warc/errors") == 1
    assert "newsarchive_warc" not in request2.meta
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert url + "2" in error.getMessage()
    assert "No space left on device" in error.getMessage()
    ext.close()
    assert not list((tmp_path / "warc").glob("*.open"))


def test_cut_short_responses_are_marked_truncated(tmp_path: Path) -> None:
    ext, _crawler, spider = make_extension(tmp_path)
    for path, flags in (("/lost", ["dataloss"]), ("/stopped", ["download_stopped"]), ("/ok", [])):
        url = f"http://example.com{path}"
        request = Request(url)
        request.meta[CAPTURE_META_KEY] = WireCapture(
            started_at=datetime.now(UTC),
            request=bytearray(f"GET {path} HTTP/1.1\r\nHost: example.com\r\n\r\n".encode()),
            response_head=bytearray(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
            response_body=bytearray(b"only part"),
        )
        ext.response_downloaded(Response(url, body=b"only part", flags=flags), request)
    ext.close()
    (warc,) = (tmp_path / "warc").iterdir()
    truncated = {
        headers.get_header("WARC-Target-URI"): headers.get_header("WARC-Truncated")
        for kind, headers, _ in records(warc)
        if kind == "response"
    }
    assert truncated == {
        "http://example.com/lost": "disconnect",
        "http://example.com/stopped": "unspecified",
        "http://example.com/ok": None,
    }
