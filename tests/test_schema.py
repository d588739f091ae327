"""``validate_record``: the record contract of CONTRACT.md, field by field."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import pytest

from newsarchive.schema import (
    METADATA_FIELDS,
    RECORD_FIELDS,
    SCHEMA_VERSION,
    FieldProblem,
    parse_utc_timestamp,
    validate_record,
)


def good() -> dict[str, Any]:
    return {
        "schema_version": 2,
        "url": "https://en.trend.az/business/3891234.html",
        "site": "trend",
        "lang": "en",
        "title": "Azerbaijan's GDP grows 4%",
        "published": "2014-05-02T14:12:00+05:00",
        "published_raw": "2 May 2014 14:12 (GMT+05:00)",
        "dateline": "Baku, Azerbaijan, May 2",
        "section": "Business",
        "body": "First paragraph with words.\n\nSecond paragraph.",
        "boilerplate": {
            "headlines": [
                {"title": "Other story", "url": "https://en.trend.az/other.html"},
                {"title": "Third story", "url": "https://en.trend.az/third.html"},
            ],
            "rates": [
                {"currency": "USD", "date": "2014-05-02", "rate": 0.7843},
                {"currency": "EUR", "date": "2014-05-02", "rate": 1},
            ],
            "copyright": "© 2014 Trend News Agency",
        },
        "authors": ["Jane Doe", "Max Muster"],
        "modified": "2014-05-03T09:00:00+05:00",
        "modified_raw": "2014-05-03T09:00:00+05:00",
        "description": "Azerbaijan's economy grew by 4 percent.",
        "image": "https://en.trend.az/img/gdp.jpg",
        "tags": ["economy", "GDP"],
        "canonical_url": "https://en.trend.az/business/3891234.html",
        "fetched_at": "2024-05-02T10:00:00Z",
        "warc": {
            "file": "trend-20240502100000-00000-en.trend.az.warc.gz",
            "offset": 0,
            "length": 1234,
            "record_id": "<urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427>",
        },
        "version": 1,
        "previous": None,
    }


def with_change(path: str, value: Any) -> dict[str, Any]:
    """A copy of ``good()`` with the field at dotted ``path`` set (or deleted for ...)."""
    record = good()
    target: Any = record
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return record


def fields(problems: list[FieldProblem]) -> list[str]:
    return [problem.field for problem in problems]


def test_constants() -> None:
    assert SCHEMA_VERSION == 2
    assert RECORD_FIELDS == (
        "schema_version",
        "url",
        "site",
        "lang",
        "title",
        "published",
        "published_raw",
        "dateline",
        "section",
        "body",
        "boilerplate",
        "authors",
        "modified",
        "modified_raw",
        "description",
        "image",
        "tags",
        "canonical_url",
        "fetched_at",
        "warc",
        "version",
        "previous",
    )


def test_good_record_passes() -> None:
    assert validate_record(good()) == []


def test_nulls_and_empty_lists_pass() -> None:
    record = good()
    for name in ("lang", "published", "published_raw", "dateline", "section"):
        record[name] = None
    for name in ("modified", "modified_raw", "description", "image", "canonical_url"):
        record[name] = None
    record["authors"] = record["tags"] = []
    record["boilerplate"] = {"headlines": [], "rates": [], "copyright": None}
    assert validate_record(record) == []


def test_a_version_1_record_is_valid_without_the_version_2_fields() -> None:
    record = good()
    for name in METADATA_FIELDS:
        del record[name]
    assert fields(validate_record(record)) == [*METADATA_FIELDS]
    record["schema_version"] = 1
    assert validate_record(record) == []


def test_extra_fields_are_allowed() -> None:
    record = good()
    record["crawler_note"] = "an addition a later version may make"
    assert validate_record(record) == []


def test_problem_is_frozen_and_printable() -> None:
    problem = FieldProblem("boilerplate.rates[2].rate", "must be a number")
    with pytest.raises(AttributeError):
        problem.field = "x"  # type: ignore[misc]
    assert str(problem) == "boilerplate.rates[2].rate: must be a number"


@pytest.mark.parametrize("value", [["not", "a", "dict"], "text", None, 3])
def test_not_an_object(value: Any) -> None:
    assert fields(validate_record(value)) == [""]


@pytest.mark.parametrize("name", RECORD_FIELDS)
def test_every_field_is_required(name: str) -> None:
    assert name in fields(validate_record(with_change(name, ...)))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("schema_version", 3),
        ("schema_version", "2"),
        ("schema_version", True),
        ("url", "/relative/path.html"),
        ("url", "ftp://example.com/x"),
        ("url", "https:///nohost"),
        ("url", "https://example.com/a b"),
        ("url", None),
        ("site", ""),
        ("lang", "english language"),
        ("lang", 5),
        ("title", ""),
        ("title", "   "),
        ("title", None),
        ("title", "Two  spaces"),
        ("title", "Line\nbreak"),
        ("published", "2014-05-02T14:12:00"),
        ("published", "2014-05-02T14:12:00Z"),
        ("published", "2014-05-02 14:12:00+05:00"),
        ("published", "2014-13-02"),
        ("published", "2014-02-30T10:00+04:00"),
        ("published", "02.05.2014"),
        ("published", "2014-05-02T14:12:00.1234567+05:00"),
        ("published", 1399025520),
        ("published", "２０１４-05-02"),
        ("published_raw", ""),
        ("dateline", 12),
        ("section", ["News"]),
        ("body", ""),
        ("body", None),
        ("body", "one\n\n\n\ntwo"),
        ("body", "one\ntwo"),
        ("body", " padded"),
        ("body", "tab\there"),
        ("boilerplate", None),
        ("boilerplate", []),
        ("boilerplate.headlines", None),
        ("boilerplate.headlines[0]", "text"),
        ("boilerplate.headlines[0].url", "/relative.html"),
        ("boilerplate.headlines[0].title", ""),
        ("boilerplate.headlines[1].url", "https://en.trend.az/other.html"),
        ("boilerplate.rates", {}),
        ("boilerplate.rates[0].rate", "0.78"),
        ("boilerplate.rates[0].rate", True),
        ("boilerplate.rates[0].rate", float("nan")),
        ("boilerplate.rates[0].date", "02.05.2014"),
        ("boilerplate.rates[0].date", "2014-05-02T00:00:00+00:00"),
        ("boilerplate.rates[0].currency", None),
        ("boilerplate.copyright", 2014),
        ("fetched_at", "2024-05-02T10:00:00+04:00"),
        ("fetched_at", "2024-05-02T10:00:00"),
        ("fetched_at", "2024-05-02"),
        ("fetched_at", None),
        ("warc", None),
        ("warc.offset", -1),
        ("warc.offset", "0"),
        ("warc.length", 0),
        ("warc.length", 1.5),
        ("warc.record_id", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ("warc.record_id", "<urn:uuid:not-a-uuid>"),
        ("warc.file", ""),
        ("authors", None),
        ("authors", "Jane Doe"),
        ("authors[0]", ""),
        ("authors[0]", "By  Jane"),
        ("authors[1]", "jane doe"),
        ("tags", {}),
        ("tags[1]", None),
        ("modified", "2014-05-03 09:00"),
        ("modified", "2014-05-03T09:00:00"),
        ("modified_raw", ""),
        ("description", ""),
        ("description", "two\nlines"),
        ("image", "/img/gdp.jpg"),
        ("image", ""),
        ("canonical_url", "javascript:void(0)"),
    ],
)
def test_bad_value_is_reported_at_its_path(path: str, value: Any) -> None:
    problems = validate_record(with_change(path, value))
    assert problems, f"{path}={value!r} passed"
    assert fields(problems)[0] == path, problems


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("published", "2014-05-02"),
        ("published", "2014-05-02T14:12+05:00"),
        ("published", "2014-05-02T14:12:00-03:30"),
        ("published", "2014-05-02T14:12:00+00:00"),
        ("published", "2014-05-02T14:12:00.250000+05:00"),
        ("fetched_at", "2024-05-02T10:00:00+00:00"),
        ("fetched_at", "2024-05-02T10:00:00.123456Z"),
        ("fetched_at", "2024-05-02T10:00:00.123456789Z"),
        ("lang", "az-Latn"),
        ("lang", "pt-BR"),
        ("url", "http://127.0.0.1:8080/trend/en/x.html?id=1#top"),
        ("boilerplate.rates[0].rate", 2),
        ("title", "Café “quoted” — dash"),
        ("modified", "2014-05-03"),
        ("authors", []),
        ("tags", ["one"]),
    ],
)
def test_good_values_pass(path: str, value: Any) -> None:
    assert validate_record(with_change(path, value)) == []


def test_missing_nested_fields() -> None:
    record = good()
    del record["boilerplate"]["rates"][1]["rate"]
    del record["warc"]["record_id"]
    del record["boilerplate"]["copyright"]
    assert fields(validate_record(record)) == [
        "boilerplate.copyright",
        "boilerplate.rates[1].rate",
        "warc.record_id",
    ]


def test_non_nfc_text_is_reported() -> None:
    decomposed = unicodedata.normalize("NFD", "Bakı şəhəri")
    record = with_change("title", decomposed)
    record["boilerplate"]["headlines"][1]["title"] = decomposed
    problems = validate_record(record)
    assert fields(problems) == ["title", "boilerplate.headlines[1].title"]
    assert all("NFC" in problem.message for problem in problems)


def test_several_problems_are_all_reported() -> None:
    record = good()
    record["title"] = ""
    record["published"] = "yesterday"
    record["boilerplate"]["rates"][1]["rate"] = "1"
    assert fields(validate_record(record)) == [
        "title",
        "published",
        "boilerplate.rates[1].rate",
    ]


def test_does_not_modify_the_record() -> None:
    record = good()
    record["title"] = 5
    before = copy.deepcopy(record)
    validate_record(record)
    assert record == before


def test_parse_utc_timestamp() -> None:
    parsed = parse_utc_timestamp("2024-05-02T10:00:00.123456789Z")
    assert parsed is not None and parsed.microsecond == 123456
    assert parse_utc_timestamp("2024-05-02T10:00:00+00:00") == parse_utc_timestamp(
        "2024-05-02T10:00:00Z"
    )
    assert parse_utc_timestamp("2024-05-02T10:00:00+01:00") is None
    assert parse_utc_timestamp("2024-02-30T10:00:00Z") is None


POINTER = {
    "file": "trend-20260101000000-00000-host.warc.gz",
    "offset": 10,
    "length": 20,
    "record_id": "<urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427>",
}


@pytest.mark.parametrize(
    ("version", "previous", "problem"),
    [
        (1, None, None),
        (2, POINTER, None),
        (0, None, "version"),
        ("2", POINTER, "version"),
        (1, POINTER, "previous"),
        (2, None, "previous"),
        (3, {"file": "x.warc.gz"}, "previous.offset"),
    ],
)
def test_version_and_previous(version: Any, previous: Any, problem: str | None) -> None:
    record = with_change("version", version)
    record["previous"] = previous
    found = fields(validate_record(record))
    assert found == ([] if problem is None else [problem]) or (problem and problem in found)
