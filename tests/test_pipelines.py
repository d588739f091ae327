"""Item pipelines on single items: normalisation, validation, dedup, JSONL storage."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newsarchive.items import RECORD_ORDER, ArticleItem
from newsarchive.jsonl import JsonlWriter, repair_jsonl
from newsarchive.report import build_report, outcome
from pipelines.dedup import DedupPipeline
from pipelines.jsonl import JsonlStoragePipeline
from pipelines.normalize import NormalizePipeline
from pipelines.validate import ValidatePipeline


def make_item(**overrides) -> ArticleItem:
    fields = {
        "url": "https://en.trend.az/business/economy/1.html",
        "site": "trend",
        "lang": "en",
        "title": "Oil prices rise",
        "published": "2014-05-02T14:12:00+05:00",
        "published_raw": "02.05.2014 14:12",
        "section": "business/economy",
        "body": "First paragraph.\n\nSecond one.",
        "boilerplate": {
            "headlines": [{"title": "Other", "url": "https://en.trend.az/a/b/2.html"}],
            "rates": [{"currency": "USD", "date": "2021-09-23", "rate": 1.7}],
            "copyright": "© 2006-2020 Trend News Agency. All rights reserved.",
        },
        "fetched_at": "2026-11-22T16:40:12Z",
        "warc": {
            "file": "trend-20261122164012-00000-host.warc.gz",
            "offset": 512,
            "length": 2048,
            "record_id": "<urn:uuid:12345678-1234-5678-1234-567812345678>",
        },
    }
    fields.update(overrides)
    return ArticleItem(**fields)


@pytest.fixture
def crawler():
    crawler = get_crawler()
    crawler.stats.open_spider()
    return crawler


def test_normalize_makes_nfc_and_collapses_whitespace(crawler):
    decomposed = "Bak\u0131da I\u0307KT"  # I + combining dot above
    item = make_item(
        title=f"  {decomposed}\u00a0 sərgisi\n açılıb ",
        body="  One   two\nthree.\n\n\n\n Four\u00a0five. ",
        dateline=" BAKU,  Azerbaijan ",
    )
    item.boilerplate["headlines"][0]["title"] = " Other\t title "
    item.boilerplate["copyright"] = "©  2006-2020\n Trend"
    NormalizePipeline(crawler).process_item(item)
    assert item.title == "Bakıda İKT sərgisi açılıb"
    assert item.body == "One two three.\n\nFour five."
    assert item.dateline == "BAKU, Azerbaijan"
    assert item.boilerplate["headlines"][0]["title"] == "Other title"
    assert item.boilerplate["copyright"] == "© 2006-2020 Trend"
    assert crawler.stats.get_value("newsarchive/normalize/changed/title") == 1


def test_valid_record_passes(crawler):
    item = make_item()
    assert ValidatePipeline(crawler).process_item(item) is item
    assert crawler.stats.get_value("newsarchive/validation/valid") == 1


def test_invalid_record_is_dropped_with_reason_and_counted_per_field(crawler):
    item = make_item(title="", published="2 May 2014")
    item.boilerplate["rates"][0]["rate"] = "1.7"
    with pytest.raises(DropItem) as exc:
        ValidatePipeline(crawler).process_item(item)
    assert "title" in str(exc.value)
    assert "published" in str(exc.value)
    stats = crawler.stats.get_stats()
    assert stats["newsarchive/validation/errors/title"] == 1
    assert stats["newsarchive/validation/errors/published"] == 1
    assert stats["newsarchive/validation/errors/boilerplate.rates.rate"] == 1
    assert stats["newsarchive/validation/dropped"] == 1


def test_dedup_drops_second_record_for_a_url(crawler):
    pipeline = DedupPipeline(crawler)
    pipeline.process_item(make_item())
    pipeline.process_item(make_item(url="https://en.trend.az/business/economy/3.html"))
    with pytest.raises(DropItem):
        pipeline.process_item(make_item())
    assert crawler.stats.get_value("newsarchive/dedup/dropped") == 1


def _jsonl_pipeline(out: Path) -> tuple[JsonlStoragePipeline, Crawler]:
    crawler = get_crawler(
        settings_dict={"NEWSARCHIVE_OUT": str(out), "NEWSARCHIVE_RUN_ID": "20261122164012"}
    )
    crawler.stats.open_spider()
    crawler.spider = type("S", (), {"name": "trend"})()
    pipeline = JsonlStoragePipeline(crawler)
    pipeline.open_spider()
    return pipeline, crawler


def test_jsonl_pipeline_writes_complete_lines_in_contract_order(tmp_path):
    pipeline, crawler = _jsonl_pipeline(tmp_path)
    pipeline.process_item(make_item(title="Bakıda İKT"))
    path = tmp_path / "jsonl" / "trend-20261122164012.jsonl"
    # on disk before the spider closes: a reader tailing the file sees the whole line
    text = path.read_text("utf-8")
    assert text.endswith("\n")
    record = json.loads(text)
    assert list(record) == list(RECORD_ORDER)
    assert record["title"] == "Bakıda İKT"  # UTF-8, not \\u escapes
    assert "Bakıda" in text
    pipeline.close_spider()
    assert crawler.stats.get_value("newsarchive/jsonl/records") == 1


def test_jsonl_file_is_created_by_the_first_record_only(tmp_path):
    pipeline, crawler = _jsonl_pipeline(tmp_path)
    pipeline.close_spider()  # a run that stored nothing (an unchanged recrawl, say)
    assert not (tmp_path / "jsonl").exists() or list((tmp_path / "jsonl").iterdir()) == []
    assert crawler.stats.get_value("newsarchive/jsonl/file") is None
    assert build_report("trend", "20261122164012", crawler.stats.get_stats())["jsonl_file"] is None


def test_a_record_that_cannot_be_written_is_dropped_and_counted_as_an_error(tmp_path):
    (tmp_path / "jsonl").write_text("a file where the folder should be")
    pipeline, crawler = _jsonl_pipeline(tmp_path)
    for _ in range(2):
        with pytest.raises(DropItem, match="could not write the record to .*trend-20261122164012"):
            pipeline.process_item(make_item())
    pipeline.close_spider()
    stats = crawler.stats.get_stats()
    assert stats["newsarchive/jsonl/errors"] == 2
    assert "newsarchive/jsonl/records" not in stats
    assert outcome(stats).errors == 2


def test_repair_cuts_a_partial_last_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": ')
    assert repair_jsonl(path) == len(b'{"c": ')
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert repair_jsonl(path) == 0
    with JsonlWriter(path) as writer:
        writer.write({"url": "u"})
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[2])["url"] == "u"


def test_a_failed_write_is_cut_back_so_the_next_record_starts_a_line(tmp_path, monkeypatch):
    import newsarchive.jsonl as jsonl_module

    path = tmp_path / "x.jsonl"
    real_write = os.write
    with JsonlWriter(path) as writer:
        writer.write(make_item(title="first"))

        def half_then_full_disk(fd, data):
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(jsonl_module.os, "write", half_then_full_disk)
        with pytest.raises(OSError, match="No space left"):
            writer.write(make_item(title="lost"))
        monkeypatch.setattr(jsonl_module.os, "write", real_write)
        writer.write(make_item(title="third"))
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["first", "third"]
    assert writer.count == 2
