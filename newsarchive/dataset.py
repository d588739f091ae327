"""Load an archive's records as typed tables, for analysis, without giving a schema.

>>> from newsarchive import dataset
>>> articles = dataset.load("archives")                      # doctest: +SKIP
>>> rates = dataset.load("archives", "rates", to="polars")    # doctest: +SKIP

``load(PATH, table, to=...)`` reads an output folder (its ``jsonl/``), a folder of
``*.jsonl`` files, one ``.jsonl`` file, or a folder written by ``newsarchive export
--format parquet``, and returns the table (``articles``, ``rates`` or ``headlines``, see
:mod:`newsarchive.tables` and ``docs/datasets.md``) as:

* ``to="pandas"``: a DataFrame; timestamps ``datetime64[us, UTC]``, dates
  ``date32[pyarrow]``, integer columns nullable (``Int16``, ``Int32``, ``Int64``), rates
  ``float64``;
* ``to="polars"``: a DataFrame (``Datetime("us", "UTC")``, ``Date``, ``Float64``,
  ``List(String)``);
* ``to="duckdb"``: a relation (``TIMESTAMP WITH TIME ZONE``, ``DATE``, ``DOUBLE``), on
  ``connection`` or DuckDB's default connection;
* ``to="datasets"``: a Hugging Face ``datasets.Dataset`` (``timestamp[us, tz=UTC]``,
  ``date32``, ``float64``);
* ``to="arrow"``: a ``pyarrow.Table`` (pyarrow is a dependency of newsarchive; the others
  are the optional extra ``pip install 'newsarchive[analysis]'``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from newsarchive.tables import (
    ROWS,
    TABLE_NAMES,
    LatestFilter,
    TableBuilder,
    iter_records,
    jsonl_files,
    table_schema,
)

if TYPE_CHECKING:
    import pyarrow as pa

TARGETS: dict[str, str] = {
    "pandas": "pandas",
    "polars": "polars",
    "duckdb": "duckdb",
    "datasets": "datasets",
    "arrow": "pyarrow",
}
"""What :func:`load` can return, and the module each needs."""

EXTRA = "analysis"
BATCH_ROWS = 4096

__all__ = ["TARGETS", "MissingDependencyError", "load", "read_table"]


class MissingDependencyError(ImportError):
    """A library :func:`load` needs is not installed (the message says how to get it)."""


def _require(module: str, to: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"newsarchive.dataset.load(to={to!r}) needs {module}, which is not installed: "
            f"pip install 'newsarchive[{EXTRA}]' (or pip install {module})"
        ) from None


def read_table(path: str | Path, table: str = "articles", *, latest: bool = False) -> pa.Table:
    """One table of the records in ``path`` as a ``pyarrow.Table`` (see the module)."""
    import pyarrow as pa

    if table not in TABLE_NAMES:
        raise ValueError(f"unknown table {table!r} (one of {', '.join(TABLE_NAMES)})")
    path = Path(path)
    exported = path / f"{table}.parquet"
    if path.is_dir() and exported.is_file():
        result = _read_export(exported, table)
        return _latest(result) if latest and table == "articles" else result
    paths = jsonl_files(path)
    if not paths:
        raise FileNotFoundError(f"{path}: no JSON Lines records and no {table}.parquet")
    keep = None
    if latest and table == "articles":
        keep = LatestFilter()
        for record in iter_records(paths):
            keep.see(record)
    builder = TableBuilder(table)
    batches = []
    for record in iter_records(paths):
        if keep is not None and not keep.keep(record):
            continue
        builder.add(ROWS[table](record))
        if builder.rows >= BATCH_ROWS:
            batches.append(builder.take())
    batches.append(builder.take())
    return pa.Table.from_batches(batches, schema=builder.schema)


def _read_export(path: Path, table: str) -> pa.Table:
    """An exported table, with the columns and types this version of newsarchive knows (an
    export by another version: a column it lacks is null, one it has extra is left out)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = table_schema(table)
    found = pq.read_table(path)
    columns = [
        found.column(name).cast(schema.field(name).type)
        if name in found.column_names
        else pa.nulls(found.num_rows, schema.field(name).type)
        for name in schema.names
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _latest(table: pa.Table) -> pa.Table:
    """The rows of an exported ``articles`` table that are each article's latest version."""
    import pyarrow as pa

    keep = LatestFilter()
    rows = table.select(["record_id", "url", "fetched_at", "version", "previous_record_id"])
    records = [
        {
            "warc": {"record_id": r["record_id"]},
            "url": r["url"],
            "fetched_at": r["fetched_at"].isoformat() if r["fetched_at"] else None,
            "version": r["version"],
            "previous": {"record_id": r["previous_record_id"]},
        }
        for r in rows.to_pylist()
    ]
    for record in records:
        keep.see(record)
    mask = pa.array([keep.keep(record) for record in records], pa.bool_())
    return table.filter(mask)


def _pandas_types(pd: Any) -> Any:
    import pyarrow as pa

    nullable_ints = {
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
    }

    def mapper(arrow_type: pa.DataType) -> Any:
        if pa.types.is_date32(arrow_type):
            return pd.ArrowDtype(arrow_type)
        return nullable_ints.get(arrow_type)

    return mapper


def load(
    path: str | Path,
    table: str = "articles",
    *,
    to: str = "pandas",
    latest: bool = False,
    connection: Any = None,
) -> Any:
    """``table`` of the records in ``path`` as a pandas or polars DataFrame, a DuckDB
    relation, a ``datasets.Dataset`` or a ``pyarrow.Table`` (``to``).

    ``latest``: only each article's latest version (``articles`` only). ``connection``:
    the DuckDB connection for ``to="duckdb"`` (default: DuckDB's default connection).
    Raises :class:`MissingDependencyError` when the library for ``to`` is not installed.
    """
    if to not in TARGETS:
        raise ValueError(f"unknown target {to!r} (one of {', '.join(TARGETS)})")
    module = _require(TARGETS[to], to)
    arrow_table = read_table(path, table, latest=latest)
    if to == "arrow":
        return arrow_table
    if to == "pandas":
        return arrow_table.to_pandas(types_mapper=_pandas_types(module))
    if to == "polars":
        return module.from_arrow(arrow_table)
    if to == "duckdb":
        return module.from_arrow(arrow_table, connection=connection)
    table_module = importlib.import_module("datasets.table")
    return module.Dataset(table_module.InMemoryTable(arrow_table))
