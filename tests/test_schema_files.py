"""The record's schema files: generated from one declaration, shipped, and true to every
record the suite's crawls write (issue #13, item 1)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.json as pajson
import pytest

from newsarchive import schemas
from newsarchive.schema import FIELDS_BY_VERSION, RECORD_FIELDS, SCHEMA_VERSION, validate_record

GOOD = {
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
        "headlines": [{"title": "Other story", "url": "https://en.trend.az/other.html"}],
        "rates": [{"currency": "USD", "date": "2014-05-02", "rate": 0.7843}],
        "copyright": "© 2014 Trend News Agency",
    },
    "authors": [],
    "modified": None,
    "modified_raw": None,
    "description": None,
    "image": None,
    "tags": [],
    "canonical_url": "https://en.trend.az/business/3891234.html",
    "fetched_at": "2024-05-02T10:00:00Z",
    "warc": {
        "file": "trend-20240502100000-00000-host.warc.gz",
        "offset": 0,
        "length": 1234,
        "record_id": "<urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427>",
    },
    "version": 1,
    "previous": None,
}


def v1(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k in FIELDS_BY_VERSION[1]}
    out["schema_version"] = 1
    return out


def validator(version: int = SCHEMA_VERSION) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schemas.load_json_schema(version))


def schema_errors(record: dict) -> list[str]:
    version = record.get("schema_version")
    version = version if version in FIELDS_BY_VERSION else SCHEMA_VERSION
    return [e.message for e in validator(version).iter_errors(record)]


# -- one source ----------------------------------------------------------------------------


def test_the_declaration_names_exactly_the_record_fields_of_each_version():
    assert tuple(f.name for f in schemas.RECORD_TYPES) == RECORD_FIELDS
    for version, names in FIELDS_BY_VERSION.items():
        assert tuple(f.name for f in schemas.record_fields(version)) == names


def test_shipped_files_are_what_the_declaration_generates(tmp_path):
    generated = list(schemas.generated_files())
    names = {item.name for item in generated}
    shipped = {p.name for p in schemas.shipped_path("").iterdir() if not p.name.endswith(".py")}
    shipped.discard("__pycache__")
    assert shipped == names, "run python -m newsarchive.schemas"
    for item in generated:
        path = schemas.shipped_path(item.name)
        if isinstance(item.content, str):
            assert path.read_text("utf-8") == item.content, f"{item.name}: regenerate"
        else:
            with pa.OSFile(str(path)) as fh:
                shipped_schema = pa.ipc.read_schema(fh)
            fresh = pa.ipc.read_schema(pa.py_buffer(item.content))
            assert shipped_schema.equals(fresh, check_metadata=True), f"{item.name}: regenerate"


def test_a_changed_declaration_fails_the_comparison(monkeypatch):
    """The comparison above has teeth: a field described differently generates other files."""
    changed = tuple(
        schemas.Field(f.name, f.type, f.doc + " (changed)", f.since) if f.name == "title" else f
        for f in schemas.RECORD_TYPES
    )
    monkeypatch.setattr(schemas, "RECORD_TYPES", changed)
    fresh = {item.name: item.content for item in schemas.generated_files()}
    assert fresh["record-v2.schema.json"] != schemas.shipped_path(
        "record-v2.schema.json"
    ).read_text("utf-8")


@pytest.mark.parametrize("version", sorted(FIELDS_BY_VERSION))
def test_json_schemas_are_valid_draft_2020_12(version):
    schema = schemas.load_json_schema(version)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == schemas.JSON_SCHEMA_DIALECT
    assert schema["required"] == list(FIELDS_BY_VERSION[version])
    assert schema["properties"]["schema_version"] == {
        "description": "the record format's version",
        "const": version,
    }


@pytest.mark.parametrize("version", sorted(FIELDS_BY_VERSION))
def test_features_and_arrow_schema_agree(version):
    datasets = pytest.importorskip("datasets")
    features = datasets.Features.from_dict(schemas.load_hf_features(version))
    arrow = schemas.load_arrow_schema("record", version)
    assert features == datasets.Features.from_arrow_schema(arrow)
    assert arrow.names == list(FIELDS_BY_VERSION[version])
    assert arrow.metadata[b"newsarchive.schema_version"] == str(version).encode()


# -- the JSON Schema and validate_record agree ----------------------------------------------


def test_good_records_pass_both():
    assert validate_record(GOOD) == []
    assert schema_errors(GOOD) == []
    old = v1(GOOD)
    assert validate_record(old) == []
    assert schema_errors(old) == []
    day_only = {**GOOD, "published": "2014-05-02", "modified": "2014-05-03T09:00-03:30"}
    day_only["modified_raw"] = "3 May"
    assert validate_record(day_only) == []
    assert schema_errors(day_only) == []
    later = {**GOOD, "version": 2, "previous": dict(GOOD["warc"])}
    assert validate_record(later) == []
    assert schema_errors(later) == []


def _mutate(path: str, value):
    record = copy.deepcopy(GOOD)
    target = record
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return record


BAD = [
    ("title", KeyError),
    ("title", None),
    ("title", ""),
    ("title", "two\nlines"),
    ("title", " padded"),
    ("url", "ftp://example.com/x"),
    ("url", "/relative.html"),
    ("url", "https://exa mple.com/"),
    ("lang", "english language"),
    ("published", "2014-05-02T14:12:00Z"),
    ("published", "2014-05-02 14:12"),
    ("published", "2014-13-02"),
    ("published", "2014-05-02T25:12+05:00"),
    ("published", 1399021920),
    ("body", "one\nline break"),
    ("body", "para\n\n\n\ntoo many blank lines"),
    ("body", ""),
    ("boilerplate.rates.0.rate", "0.78"),
    ("boilerplate.rates.0.date", "02.05.2014"),
    ("boilerplate.rates.0.currency", KeyError),
    ("boilerplate.headlines.0.url", "other.html"),
    ("boilerplate.copyright", KeyError),
    ("boilerplate", None),
    ("authors", None),
    ("tags", ["ok", " bad"]),
    ("image", "data:image/png;base64,AAAA"),
    ("fetched_at", "2024-05-02T10:00:00+04:00"),
    ("fetched_at", "2024-05-02"),
    ("warc.offset", -1),
    ("warc.length", 0),
    ("warc.record_id", "urn:uuid:1b4e28ba"),
    ("warc.file", KeyError),
    ("schema_version", 3),
    ("schema_version", "2"),
    ("version", 0),
    ("version", KeyError),
    ("previous", {"file": "x.warc.gz", "offset": 0, "length": 1, "record_id": "<bad>"}),
    ("dateline", ""),
    ("section", 5),
]


@pytest.mark.parametrize(("path", "value"), BAD, ids=[f"{p}={v!r}" for p, v in BAD])
def test_bad_records_fail_both(path, value):
    record = _mutate(path, value)
    assert validate_record(record), "validate_record accepted it"
    assert schema_errors(record), "the JSON Schema accepted it"


def test_version_and_previous_must_match_in_both():
    dangling = {**GOOD, "version": 1, "previous": dict(GOOD["warc"])}
    orphan = {**GOOD, "version": 2, "previous": None}
    for record in (dangling, orphan):
        assert validate_record(record)
        assert schema_errors(record)


def test_a_v1_record_is_not_a_v2_record():
    old = {**v1(GOOD), "schema_version": 2}
    missing = {e.message for e in validator(2).iter_errors(old)}
    assert "'authors' is a required property" in missing
    assert validate_record(old)


# -- every record the suite's crawls write ----------------------------------------------


def test_every_crawled_record_matches_the_json_schema(crawl_run):
    records = crawl_run.records()
    assert len(records) == 360
    check = validator()
    for record in records:
        errors = [e.message for e in check.iter_errors(record)]
        assert errors == [], (record["url"], errors)


def test_every_crawled_record_reads_with_the_arrow_schema(crawl_run):
    """pyarrow's JSON reader fails on the files without the schema (a column null in every
    line of one file); with the shipped schema every file reads, with the same types."""
    schema = schemas.load_arrow_schema("record")
    tables = []
    for path in sorted((crawl_run.out / "jsonl").glob("*.jsonl")):
        table = pajson.read_json(path, parse_options=pajson.ParseOptions(explicit_schema=schema))
        assert table.schema.names == schema.names, path
        # the reader reports every field nullable; the types are the shipped ones
        plain = [str(f.type).replace(" not null", "") for f in schema]
        assert [str(f.type).replace(" not null", "") for f in table.schema] == plain, path
        table = table.cast(schema)  # and the data meets the schema's non-null fields
        tables.append(table)
    combined = pa.concat_tables(tables)
    assert combined.num_rows == 360
    published = combined.column("published").to_pylist()
    assert all(p is None or isinstance(p, str) for p in published)
    assert any(p and p.endswith("+05:00") for p in published)


def test_crawled_records_of_a_v1_archive_match_the_v1_schema(crawl_run, tmp_path: Path):
    check = validator(1)
    for record in crawl_run.records()[:50]:
        old = v1(record)
        assert validate_record(old) == []
        assert [e.message for e in check.iter_errors(old)] == []


def test_demo_like_crawl_of_bigger_replica_matches(replica_server):
    """The replica's truth (every article of both layouts) matches the schema too."""
    check = validator()
    for expected in replica_server.expected_records():
        record = {
            **copy.deepcopy(GOOD),
            **{k: v for k, v in expected.items() if k in RECORD_FIELDS},
        }
        assert [e.message for e in check.iter_errors(record)] == [], json.dumps(expected)[:200]
