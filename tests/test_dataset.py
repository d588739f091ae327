"""`newsarchive.dataset.load`: the same typed tables in every tool, no schema to give
(issue #13, item 3)."""

from __future__ import annotations

import importlib

import pyarrow as pa
import pytest

from newsarchive import dataset
from newsarchive.export import export
from tests.test_export import expected_counts, versions, write_archive


@pytest.fixture(scope="module")
def counts(crawl_run) -> dict[str, int]:
    return expected_counts(crawl_run)


@pytest.mark.parametrize("table", ["articles", "rates", "headlines"])
def test_arrow_form_has_the_jsonl_row_counts_and_types(crawl_run, counts, table):
    loaded = dataset.load(crawl_run.out, table, to="arrow")
    assert isinstance(loaded, pa.Table)
    assert loaded.num_rows == counts[table]
    assert loaded.schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")


@pytest.mark.parametrize("table", ["articles", "rates", "headlines"])
def test_pandas_form(crawl_run, counts, table):
    pd = pytest.importorskip("pandas")
    frame = dataset.load(crawl_run.out, table)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == counts[table]
    assert str(frame["fetched_at"].dt.tz) == "UTC"
    if table == "articles":
        assert str(frame["published_utc"].dt.tz) == "UTC"
        assert frame["published_date"].dtype == pd.ArrowDtype(pa.date32())
        assert frame["published_offset_minutes"].dtype == pd.Int16Dtype()
        assert set(frame["published_offset_minutes"].dropna()) == {240, 300}
        # the failure: mixed offsets need no utc=True here, they are instants
        assert frame["published_utc"].min() < frame["published_utc"].max()
    if table == "rates":
        assert frame["rate"].dtype == "float64"


@pytest.mark.parametrize("table", ["articles", "rates", "headlines"])
def test_polars_form(crawl_run, counts, table):
    pl = pytest.importorskip("polars")
    frame = dataset.load(crawl_run.out, table, to="polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame.height == counts[table]
    assert frame.schema["fetched_at"] == pl.Datetime("us", "UTC")
    if table == "articles":
        assert frame.schema["published_date"] == pl.Date
        assert frame.schema["dateline"] == pl.String, "all-null in BakuTel, string anyway"
    if table == "rates":
        assert frame.schema["rate"] == pl.Float64 and frame.schema["date"] == pl.Date


@pytest.mark.parametrize("table", ["articles", "rates", "headlines"])
def test_duckdb_form(crawl_run, counts, table):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    rel = dataset.load(crawl_run.out, table, to="duckdb", connection=con)
    assert rel.count("*").fetchall()[0][0] == counts[table]
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    if table == "articles":
        assert types["published_date"] == "DATE"
        per_site = dict(rel.aggregate("site, count(*)", "site").fetchall())
        assert per_site == {"trend": 180, "bakutel": 180}
    if table == "rates":
        assert types["rate"] == "DOUBLE"


@pytest.mark.parametrize("table", ["articles", "rates", "headlines"])
def test_datasets_form(crawl_run, counts, table):
    datasets = pytest.importorskip("datasets")
    ds = dataset.load(crawl_run.out, table, to="datasets")
    assert isinstance(ds, datasets.Dataset)
    assert ds.num_rows == counts[table]
    assert ds.features["fetched_at"] == datasets.Value("timestamp[us, tz=UTC]")
    if table == "articles":
        assert ds.features["published_date"] == datasets.Value("date32")
    if table == "rates":
        assert ds.features["rate"] == datasets.Value("float64")


def test_an_export_folder_loads_the_same_table(crawl_run, tmp_path):
    export(crawl_run.out, tmp_path / "exp", "parquet")
    from_export = dataset.load(tmp_path / "exp", "rates", to="arrow")
    from_jsonl = dataset.load(crawl_run.out, "rates", to="arrow")
    assert from_export.equals(from_jsonl)


def test_one_jsonl_file_and_latest(tmp_path):
    source = write_archive(tmp_path / "a", versions())
    path = next((source / "jsonl").glob("*.jsonl"))
    assert dataset.load(path, to="arrow").num_rows == 2
    latest = dataset.load(source, to="arrow", latest=True)
    assert latest.column("version").to_pylist() == [2]
    export(source, tmp_path / "exp", "parquet")
    assert dataset.load(tmp_path / "exp", to="arrow", latest=True).column(
        "version"
    ).to_pylist() == [2]


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown table"):
        dataset.load(tmp_path, "pages", to="arrow")
    with pytest.raises(ValueError, match="unknown target"):
        dataset.load(tmp_path, to="excel")
    with pytest.raises(FileNotFoundError):
        dataset.load(tmp_path, to="arrow")


@pytest.mark.parametrize("to", ["pandas", "polars", "duckdb", "datasets"])
def test_a_missing_library_says_how_to_install_it(monkeypatch, tmp_path, to):
    real = importlib.import_module

    def import_module(name, package=None):
        if name == dataset.TARGETS[to]:
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    with pytest.raises(dataset.MissingDependencyError) as exc:
        dataset.load(tmp_path, to=to)
    message = str(exc.value)
    assert "\n" not in message
    assert f"needs {dataset.TARGETS[to]}" in message
    assert "pip install 'newsarchive[analysis]'" in message
    assert isinstance(exc.value, ImportError)


def test_an_export_by_another_version_loads_with_this_versions_columns(tmp_path):
    import pyarrow.parquet as pq

    source = write_archive(tmp_path / "a", versions())
    export(source, tmp_path / "exp", "parquet")
    path = tmp_path / "exp" / "articles.parquet"
    older = (
        pq.read_table(path)
        .drop_columns(["body_chars"])
        .append_column("future", pa.array(["x", "y"]))
    )
    pq.write_table(older, path)
    loaded = dataset.load(tmp_path / "exp", to="arrow")
    assert loaded.column_names == dataset.read_table(source).column_names
    assert loaded.column("body_chars").null_count == 2
    assert "future" not in loaded.column_names
