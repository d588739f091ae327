"""Pure functions behind export and load: records to typed rows (issue #13, item 2)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from newsarchive.tables import (
    COLUMNS,
    LatestFilter,
    ReadProblems,
    TableBuilder,
    article_row,
    headline_rows,
    iter_records,
    jsonl_files,
    rate_rows,
    typed_date,
)
from tests.test_schema_files import GOOD, v1


def test_typed_date_keeps_offset_and_precision():
    t = typed_date("2014-05-02T14:12:00+05:00")
    assert t.utc == datetime(2014, 5, 2, 9, 12, tzinfo=UTC)
    assert t.offset_minutes == 300
    assert t.precision == "second"
    assert t.day == date(2014, 5, 2)
    t = typed_date("2014-05-02T01:30+04:00")
    assert (t.utc, t.offset_minutes, t.precision) == (
        datetime(2014, 5, 1, 21, 30, tzinfo=UTC),
        240,
        "minute",
    )
    assert t.day == date(2014, 5, 2), "the day as the page printed it, not the UTC day"
    t = typed_date("2020-01-01T00:00:00.25-03:30")
    assert (t.offset_minutes, t.precision) == (-210, "microsecond")
    assert t.utc == datetime(2020, 1, 1, 3, 30, 0, 250000, tzinfo=UTC)


def test_a_day_only_date_stays_a_date():
    t = typed_date("2014-05-02")
    assert (t.utc, t.offset_minutes, t.precision, t.day) == (None, None, "day", date(2014, 5, 2))


@pytest.mark.parametrize("value", [None, "", "yesterday", "2014-02-30", 5, "2014-05-02T14:12"])
def test_no_date_or_a_bad_one_gives_nulls(value):
    t = typed_date(value)
    assert (t.utc, t.offset_minutes, t.precision, t.day) == (None, None, None, None)


def test_article_row_flattens_and_types_a_record():
    row = article_row(GOOD)
    assert set(row) == {name for name, _, _ in COLUMNS["articles"]}
    assert row["record_id"] == GOOD["warc"]["record_id"]
    assert row["published_utc"] == datetime(2014, 5, 2, 9, 12, tzinfo=UTC)
    assert row["fetched_at"] == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    assert row["copyright"] == "© 2014 Trend News Agency"
    assert (row["headline_count"], row["rate_count"]) == (1, 1)
    assert row["body_chars"] == len(GOOD["body"])
    assert (row["warc_offset"], row["warc_length"], row["version"]) == (0, 1234, 1)
    assert row["previous_record_id"] is None


def test_a_schema_version_1_record_reads_as_version_1():
    row = article_row(v1(GOOD))
    assert row["schema_version"] == 1
    assert row["version"] == 1
    assert row["authors"] == [] and row["tags"] == []
    assert row["modified_utc"] is None and row["canonical_url"] is None


def test_a_later_version_names_its_previous():
    later = {**GOOD, "version": 3, "previous": dict(GOOD["warc"], offset=99)}
    row = article_row(later)
    assert (row["version"], row["previous_record_id"], row["previous_warc_offset"]) == (
        3,
        GOOD["warc"]["record_id"],
        99,
    )


def test_rates_and_headlines_rows_carry_their_page():
    record = copy.deepcopy(GOOD)
    record["boilerplate"]["rates"].append({"currency": "EUR", "date": "2014-05-01", "rate": 1})
    rates = rate_rows(record)
    assert [(r["currency"], r["date"], r["rate"], r["position"]) for r in rates] == [
        ("USD", date(2014, 5, 2), 0.7843, 0),
        ("EUR", date(2014, 5, 1), 1.0, 1),
    ]
    assert isinstance(rates[1]["rate"], float)
    assert {r["url"] for r in rates} == {GOOD["url"]}
    assert {r["fetched_at"] for r in rates} == {datetime(2024, 5, 2, 10, tzinfo=UTC)}
    heads = headline_rows(record)
    assert [(h["title"], h["target_url"], h["url"]) for h in heads] == [
        ("Other story", "https://en.trend.az/other.html", GOOD["url"])
    ]
    empty = copy.deepcopy(GOOD)
    empty["boilerplate"] = {"headlines": [], "rates": [], "copyright": None}
    assert rate_rows(empty) == [] and headline_rows(empty) == []


def test_table_builder_types_columns_even_when_all_null():
    builder = TableBuilder("articles")
    record = {**GOOD, "dateline": None, "lang": None, "published": None}
    builder.add([article_row(record)])
    batch = builder.take()
    assert batch.schema.field("dateline").type == pa.string()
    assert batch.schema.field("published_utc").type == pa.timestamp("us", tz="UTC")
    assert batch.schema.field("published_date").type == pa.date32()
    assert batch.column("published_utc").null_count == 1
    assert builder.rows == 0 and builder.take().num_rows == 0


def test_iter_records_skips_a_partial_last_line_and_counts_bad_ones(tmp_path):
    folder = tmp_path / "jsonl"
    folder.mkdir()
    good = json.dumps(GOOD)
    (folder / "a.jsonl").write_text(f"{good}\nnot json\n[1]\n\n{good}\n{good[:40]}", "utf-8")
    problems = ReadProblems()
    assert jsonl_files(tmp_path) == [folder / "a.jsonl"]
    records = list(iter_records(jsonl_files(tmp_path), problems))
    assert len(records) == 2
    assert problems.count == 2 and problems.first.endswith("a.jsonl:2")


def test_latest_filter_follows_previous_and_versions():
    a1 = copy.deepcopy(GOOD)
    a2 = copy.deepcopy(GOOD)
    a2["version"], a2["previous"] = 2, dict(a1["warc"])
    a2["warc"]["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000002>"
    a2["fetched_at"] = "2024-05-03T10:00:00Z"
    other = copy.deepcopy(GOOD)
    other["url"] = "https://en.trend.az/other.html"
    other["warc"]["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    again = copy.deepcopy(other)  # the same article archived twice without version links
    again["warc"]["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000004>"
    again["fetched_at"] = "2024-06-01T00:00:00Z"
    latest = LatestFilter()
    records = [a2, a1, other, again]
    for record in records:
        latest.see(record)
    assert [latest.keep(r) for r in records] == [True, False, False, True]
