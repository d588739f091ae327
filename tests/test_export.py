"""`newsarchive export`: tidy typed tables read back by every tool researchers use, written
atomically (issue #13, item 2)."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsarchive import export as export_module
from newsarchive.cli import main
from newsarchive.export import PARTIAL, export
from newsarchive.tables import TABLE_NAMES, table_schema
from tests.conftest import run_cli
from tests.test_schema_files import GOOD, v1

TS = pa.timestamp("us", tz="UTC")


@pytest.fixture(scope="module")
def parquet_export(crawl_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "parquet"
    result = run_cli("export", str(crawl_run.out), "--format", "parquet", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def expected_counts(crawl_run) -> dict[str, int]:
    records = crawl_run.records()
    return {
        "articles": len(records),
        "rates": sum(len(r["boilerplate"]["rates"]) for r in records),
        "headlines": sum(len(r["boilerplate"]["headlines"]) for r in records),
    }


def test_cli_prints_one_line_per_table(crawl_run, tmp_path):
    out = tmp_path / "out"
    result = run_cli("export", str(crawl_run.out), "-o", str(out))
    assert result.returncode == 0, result.stderr
    counts = expected_counts(crawl_run)
    assert result.stdout.splitlines() == [
        f"{out / (t + '.parquet')}: {counts[t]} rows" for t in TABLE_NAMES
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.parquet",
        "datapackage.json",
        "headlines.parquet",
        "rates.parquet",
    ]


def test_parquet_embeds_the_schema_and_reads_back_with_pyarrow(crawl_run, parquet_export):
    counts = expected_counts(crawl_run)
    for table in TABLE_NAMES:
        read = pq.read_table(parquet_export / f"{table}.parquet")
        assert read.schema.equals(table_schema(table), check_metadata=True), table
        assert read.num_rows == counts[table], table
    articles = pq.read_table(parquet_export / "articles.parquet")
    assert articles.schema.field("published_utc").type == TS
    assert articles.schema.field("published_date").type == pa.date32()
    description = articles.schema.field("published_offset_minutes").metadata[b"description"]
    assert b"offset" in description
    rows = articles.to_pylist()
    records = {r["warc"]["record_id"]: r for r in crawl_run.records()}
    assert {r["record_id"] for r in rows} == set(records)
    for row in rows:
        record = records[row["record_id"]]
        if record["published"] is None:
            assert row["published_utc"] is None and row["published_date"] is None
            continue
        local = datetime.fromisoformat(record["published"])
        assert row["published_utc"] == local.astimezone(UTC)
        assert row["published_offset_minutes"] == local.utcoffset().total_seconds() // 60
        assert row["published_date"] == local.date()
    offsets = {r["published_offset_minutes"] for r in rows}
    assert {240, 300} <= offsets, "both Baku offsets kept"
    rates = pq.read_table(parquet_export / "rates.parquet")
    assert rates.schema.field("rate").type == pa.float64()
    assert rates.schema.field("date").type == pa.date32()
    assert set(rates.column("site").to_pylist()) == {"bakutel"}


def test_parquet_reads_back_with_pandas(crawl_run, parquet_export):
    pd = pytest.importorskip("pandas")
    articles = pd.read_parquet(parquet_export / "articles.parquet")
    assert len(articles) == 360
    assert str(articles["published_utc"].dtype).startswith("datetime64")
    assert str(articles["published_utc"].dt.tz) == "UTC"
    assert str(articles["fetched_at"].dt.tz) == "UTC"
    rates = pd.read_parquet(parquet_export / "rates.parquet")
    assert rates["rate"].dtype == "float64"
    assert len(rates) == expected_counts(crawl_run)["rates"]


def test_parquet_reads_back_with_polars(crawl_run, parquet_export):
    pl = pytest.importorskip("polars")
    articles = pl.read_parquet(parquet_export / "articles.parquet")
    assert articles.height == 360
    assert articles.schema["published_utc"] == pl.Datetime("us", "UTC")
    assert articles.schema["published_date"] == pl.Date
    assert articles.schema["authors"] == pl.List(pl.String)
    rates = pl.read_parquet(parquet_export / "rates.parquet")
    assert rates.schema["rate"] == pl.Float64 and rates.schema["date"] == pl.Date


def test_parquet_reads_back_with_duckdb(crawl_run, parquet_export):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    path = str(parquet_export / "articles.parquet")
    rel = con.read_parquet(path)
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert types["published_utc"] == "TIMESTAMP WITH TIME ZONE"
    assert types["published_date"] == "DATE"
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    count = con.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
    assert count == 360
    rates = con.read_parquet(str(parquet_export / "rates.parquet"))
    assert dict(zip(rates.columns, map(str, rates.types), strict=True))["rate"] == "DOUBLE"


def test_parquet_reads_back_with_datasets(crawl_run, parquet_export, tmp_path):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_parquet(
        str(parquet_export / "articles.parquet"), cache_dir=str(tmp_path / "hf")
    )
    assert ds.num_rows == 360
    assert ds.features["published_utc"] == datasets.Value("timestamp[us, tz=UTC]")
    assert ds.features["published_date"] == datasets.Value("date32")
    rates = datasets.Dataset.from_parquet(
        str(parquet_export / "rates.parquet"), cache_dir=str(tmp_path / "hf")
    )
    assert rates.features["rate"] == datasets.Value("float64")


def test_datapackage_describes_the_tables(crawl_run, parquet_export):
    package = json.loads((parquet_export / "datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert package["newsarchive"]["schema_version"] == 2
    counts = expected_counts(crawl_run)
    by_name = {r["name"]: r for r in package["resources"]}
    assert {name: r["rows"] for name, r in by_name.items()} == counts
    fields = {f["name"]: f["type"] for f in by_name["articles"]["schema"]["fields"]}
    assert fields["published_utc"] == "datetime" and fields["published_date"] == "date"
    assert fields["authors"] == "array"


def test_csv_reads_back_typed_with_pandas_and_duckdb(crawl_run, tmp_path):
    pd = pytest.importorskip("pandas")
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "csv"
    assert main(["export", str(crawl_run.out), "--format", "csv", "-o", str(out)]) == 0
    articles = pd.read_csv(out / "articles.csv", parse_dates=["published_utc", "fetched_at"])
    assert len(articles) == 360
    assert str(articles["fetched_at"].dt.tz) == "UTC"
    first = {r["warc"]["record_id"]: r for r in crawl_run.records()}[articles["record_id"][0]]
    assert json.loads(articles["tags"].iloc[0]) == first["tags"]
    rel = duckdb.connect().read_csv(str(out / "rates.csv"))
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert types["rate"] == "DOUBLE" and types["date"] == "DATE"
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"


def test_jsonl_export_is_flat_and_iso_dated(crawl_run, tmp_path):
    out = tmp_path / "jsonl"
    assert main(["export", str(crawl_run.out), "--format", "jsonl", "-o", str(out)]) == 0
    lines = (out / "articles.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 360
    row = json.loads(lines[0])
    assert row["fetched_at"].endswith("Z")
    assert isinstance(row["authors"], list)
    rates = [json.loads(line) for line in (out / "rates.jsonl").read_text("utf-8").splitlines()]
    assert all(isinstance(r["rate"], float) for r in rates)
    assert date.fromisoformat(rates[0]["date"])


# -- versions, old records, bad lines -------------------------------------------------------


def write_archive(folder: Path, records: list[dict], tail: str = "") -> Path:
    (folder / "jsonl").mkdir(parents=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (folder / "jsonl" / "trend-20240502100000.jsonl").write_text(lines + tail, "utf-8")
    return folder


def versions() -> list[dict]:
    first = copy.deepcopy(GOOD)
    second = copy.deepcopy(GOOD)
    second["title"] = "Azerbaijan's GDP grows 5%"
    second["version"], second["previous"] = 2, dict(first["warc"])
    second["warc"]["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000002>"
    second["fetched_at"] = "2024-05-03T10:00:00Z"
    return [first, second]


def test_latest_keeps_each_articles_last_version(tmp_path):
    source = write_archive(tmp_path / "a", versions())
    assert main(["export", str(source), "-o", str(tmp_path / "all")]) == 0
    assert main(["export", str(source), "--latest", "-o", str(tmp_path / "latest")]) == 0
    every = pq.read_table(tmp_path / "all" / "articles.parquet")
    latest = pq.read_table(tmp_path / "latest" / "articles.parquet")
    assert every.column("version").to_pylist() == [1, 2]
    assert latest.column("title").to_pylist() == ["Azerbaijan's GDP grows 5%"]
    # rates and headlines keep every capture
    assert pq.read_table(tmp_path / "latest" / "rates.parquet").num_rows == 2


def test_schema_version_1_records_export_with_null_new_columns(tmp_path):
    source = write_archive(tmp_path / "old", [v1(GOOD), GOOD])
    assert main(["export", str(source), "-o", str(tmp_path / "out")]) == 0
    rows = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert [(r["schema_version"], r["version"]) for r in rows] == [(1, 1), (2, 1)]
    assert rows[0]["canonical_url"] is None and rows[0]["authors"] == []


def test_bad_lines_are_skipped_and_exit_1(tmp_path, capsys):
    source = write_archive(tmp_path / "a", [GOOD], tail='{"no": "record"}\n{"half": ')
    assert main(["export", str(source), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsarchive: 1 lines skipped") and err.count("\n") == 1
    assert pq.read_table(tmp_path / "out" / "articles.parquet").num_rows == 1


def test_nothing_to_export_exits_4_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "empty" / "jsonl").mkdir(parents=True)
    assert main(["export", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == 4
    assert "no JSON Lines records" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unwritable_output_exits_3(tmp_path, capsys):
    source = write_archive(tmp_path / "a", [GOOD])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", str(source), "-o", str(blocker / "out")]) == 3
    assert capsys.readouterr().err.startswith("newsarchive: cannot write to")


def test_bad_format_is_usage_exit_2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["export", str(tmp_path), "--format", "xlsx", "-o", str(tmp_path / "o")])
    assert exc.value.code == 2


# -- atomic: a killed export leaves no half file ------------------------------------------


def _fail_after(monkeypatch, rows: int, error: type[BaseException]) -> None:
    """Make TableWriter.write raise once ``rows`` rows have been written (deterministic)."""
    original = export_module.TableWriter.write
    written = {"rows": 0}

    def write(self, batch):
        if written["rows"] + batch.num_rows > rows:
            raise error(f"injected after {rows} rows")
        written["rows"] += batch.num_rows
        original(self, batch)

    monkeypatch.setattr(export_module.TableWriter, "write", write)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_an_export_stopped_midway_leaves_no_file_and_the_earlier_export_intact(
    crawl_run, tmp_path, monkeypatch, fmt
):
    out = tmp_path / "out"
    export(crawl_run.out, out, fmt)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _fail_after(monkeypatch, 500, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        export(crawl_run.out, out, fmt, batch_rows=50)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before, "earlier export replaced or a partial file left"


def test_a_first_export_stopped_midway_leaves_no_table_file(crawl_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _fail_after(monkeypatch, 100, OSError)
    with pytest.raises(export_module.ExportError):
        export(crawl_run.out, out, "parquet", batch_rows=20)
    assert list(out.iterdir()) == []


def test_an_export_killed_with_sigkill_leaves_only_a_partial_file_that_the_next_removes(
    crawl_run, tmp_path
):
    out = tmp_path / "out"
    script = f"""
import os, signal
from newsarchive import export as e
original = e.TableWriter.write
count = [0]
def write(self, batch):
    count[0] += batch.num_rows
    if count[0] > 300:
        os.kill(os.getpid(), signal.SIGKILL)
    original(self, batch)
e.TableWriter.write = write
e.export({str(crawl_run.out)!r}, {str(out)!r}, "parquet", batch_rows=25)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL
    names = sorted(p.name for p in out.iterdir())
    assert names and all(PARTIAL in name and name.startswith(".") for name in names), names
    assert not any(n.endswith((".parquet", ".json")) for n in names)
    result = run_cli("export", str(crawl_run.out), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert not [p for p in out.iterdir() if PARTIAL in p.name]
    assert pq.read_table(out / "articles.parquet").num_rows == 360
    assert os.path.getsize(out / "datapackage.json") > 0
