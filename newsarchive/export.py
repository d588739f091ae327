"""``newsarchive export``: an archive's records as tidy, typed tables on disk.

``articles``, ``rates`` and ``headlines`` (:mod:`newsarchive.tables`) are written as
Parquet (the Arrow schema embedded, with each column's description), CSV or JSON Lines,
plus ``datapackage.json`` (a Frictionless Tabular Data Package: every table's columns,
types and descriptions, for CSV and JSON Lines readers). Records are read and written in
batches, so memory stays flat however large the archive.

Every file is written under a temporary name (``.NAME.partial-PID``) in the output folder
and renamed into place only when complete: a killed export leaves the files of an earlier
export intact and never a half file under a table's name; the next export removes the
partial files a killed one left.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newsarchive import __version__
from newsarchive.atomicfile import PARTIAL, partial_path, write_text_atomically
from newsarchive.schema import SCHEMA_VERSION
from newsarchive.tables import (
    COLUMNS,
    ROWS,
    TABLE_NAMES,
    LatestFilter,
    ReadProblems,
    TableBuilder,
    iter_records,
    jsonl_files,
)

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS: dict[str, str] = {"parquet": ".parquet", "csv": ".csv", "jsonl": ".jsonl"}
"""Output formats and their file suffixes."""

BATCH_ROWS = 2048
"""Records converted and written at a time (a Parquet row group holds one batch)."""

DATAPACKAGE = "datapackage.json"

#: Table Schema type (https://specs.frictionlessdata.io/table-schema/) of each column type.
TABLE_SCHEMA_TYPES = {
    "string": "string",
    "timestamp": "datetime",
    "date": "date",
    "int16": "integer",
    "int32": "integer",
    "int64": "integer",
    "float64": "number",
    "list<string>": "array",
}


class ExportError(Exception):
    """The export could not be written (the reason is the message, one line)."""


@dataclass
class ExportResult:
    """What an export wrote."""

    out: Path
    format: str
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    records: int = 0
    skipped: ReadProblems = field(default_factory=ReadProblems)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


class TableWriter:
    """One table's output file, written under a partial name and renamed on :meth:`commit`."""

    def __init__(self, out: Path, table: str, fmt: str, schema: pa.Schema) -> None:
        self.table = table
        self.format = fmt
        self.schema = schema
        self.path = out / f"{table}{FORMATS[fmt]}"
        self.partial = partial_path(self.path)
        self.rows = 0
        self._list_columns = [name for name, kind, _ in COLUMNS[table] if kind.startswith("list<")]
        self._file: IO[bytes] = open(self.partial, "wb")  # noqa: SIM115 - closed in close()
        self._writer: Any = None
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self._writer = pq.ParquetWriter(self._file, schema, compression="zstd")
        elif fmt == "csv":
            import pyarrow.csv as pcsv

            self._writer = pcsv.CSVWriter(self._file, self._csv_schema())

    def _csv_schema(self) -> pa.Schema:
        import pyarrow as pa

        schema = self.schema
        for name in self._list_columns:  # a list is written as its JSON array
            index = schema.get_field_index(name)
            schema = schema.set(index, schema.field(name).with_type(pa.string()))
        return schema

    def write(self, batch: pa.RecordBatch) -> None:
        """Append one batch of rows."""
        if self.format == "parquet":
            self._writer.write_batch(batch)
        elif self.format == "csv":
            self._writer.write_batch(self._csv_batch(batch))
        else:
            lines = [
                json.dumps(row, ensure_ascii=False, default=_json_default) + "\n"
                for row in batch.to_pylist()
            ]
            self._file.write("".join(lines).encode("utf-8"))
        self.rows += batch.num_rows

    def _csv_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        import pyarrow as pa

        if not self._list_columns:
            return batch
        columns = []
        for name in batch.schema.names:
            column = batch.column(name)
            if name in self._list_columns:
                column = pa.array(
                    [json.dumps(v, ensure_ascii=False) for v in column.to_pylist()], pa.string()
                )
            columns.append(column)
        return pa.RecordBatch.from_arrays(columns, schema=self._csv_schema())

    def close(self) -> None:
        """Finish the file (Parquet footer) and put it on disk; it keeps its partial name."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def commit(self) -> Path:
        """Give the finished file its table's name (replacing an earlier export's)."""
        self.close()
        os.replace(self.partial, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the partial file."""
        try:
            if self._writer is not None:
                self._writer.close()
        except Exception:  # noqa: BLE001 - the file is deleted anyway
            pass
        self._file.close()
        self.partial.unlink(missing_ok=True)


def remove_partials(out: Path) -> list[Path]:
    """Delete the partial files a killed export left in ``out``."""
    removed = []
    if out.is_dir():
        for path in out.glob(f".*{PARTIAL}*"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def datapackage(result: ExportResult, source: Path, latest: bool) -> dict[str, Any]:
    """``datapackage.json``: the tables, their files and columns (Table Schema)."""
    media = {"parquet": "application/vnd.apache.parquet", "csv": "text/csv"}
    resources = []
    for table, path in result.files.items():
        fields = []
        for name, kind, doc in COLUMNS[table]:
            entry: dict[str, Any] = {
                "name": name,
                "type": TABLE_SCHEMA_TYPES[kind],
                "description": doc,
            }
            if kind == "timestamp":
                entry["format"] = "any"
            fields.append(entry)
        schema: dict[str, Any] = {"fields": fields}
        if table == "articles":
            schema["primaryKey"] = ["record_id"]
        else:
            schema["primaryKey"] = ["record_id", "position"]
            schema["foreignKeys"] = [
                {
                    "fields": ["record_id"],
                    "reference": {"resource": "articles", "fields": ["record_id"]},
                }
            ]
        resource: dict[str, Any] = {
            "name": table,
            "path": path.name,
            "format": result.format,
            "mediatype": media.get(result.format, "application/jsonl"),
            "encoding": "utf-8",
            "rows": result.rows[table],
            "schema": schema,
        }
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": "newsarchive-export",
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "newsarchive": {
            "software": f"newsarchive/{__version__}",
            "schema_version": SCHEMA_VERSION,
            "source": str(Path(source).resolve()),
            "records": result.records,
            "latest": latest,
        },
        "resources": resources,
    }


def export(
    source: Path,
    out: Path,
    fmt: str = "parquet",
    *,
    latest: bool = False,
    tables: Iterable[str] = TABLE_NAMES,
    batch_rows: int = BATCH_ROWS,
) -> ExportResult:
    """Write the tables of the records in ``source`` into the folder ``out``.

    ``latest``: the ``articles`` table keeps only each article's latest version (the rates
    and headlines tables keep every capture: they are observations over time).
    Raises :class:`ExportError` when ``out`` cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    wanted = [t for t in TABLE_NAMES if t in set(tables)]
    source, out = Path(source), Path(out)
    paths = jsonl_files(source)
    result = ExportResult(out=out, format=fmt)
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_partials(out)
    except OSError as exc:
        raise ExportError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    keep = None
    if latest:
        keep = LatestFilter()
        for record in iter_records(paths):
            keep.see(record)
    builders = {t: TableBuilder(t) for t in wanted}
    writers: dict[str, TableWriter] = {}
    try:
        for t in wanted:
            writers[t] = TableWriter(out, t, fmt, builders[t].schema)
        pending = 0
        for record in iter_records(paths, result.skipped):
            result.records += 1
            for t in wanted:
                if t == "articles" and keep is not None and not keep.keep(record):
                    continue
                builders[t].add(ROWS[t](record))
            pending += 1
            if pending >= batch_rows:
                for t in wanted:
                    writers[t].write(builders[t].take())
                pending = 0
        for t in wanted:
            if builders[t].rows or writers[t].rows == 0:
                writers[t].write(builders[t].take())
        for t in wanted:
            writers[t].close()
        for t in wanted:
            result.files[t] = writers[t].commit()
            result.rows[t] = writers[t].rows
        write_text_atomically(
            out / DATAPACKAGE,
            json.dumps(datapackage(result, source, latest), ensure_ascii=False, indent=2) + "\n",
        )
    except OSError as exc:
        for writer in writers.values():
            writer.abort()
        raise ExportError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return result


def run_export(source: Path, out: Path, fmt: str, *, latest: bool = False) -> int:
    """The ``newsarchive export`` command: one line per table; the exit status."""
    from newsarchive.report import EXIT_ERRORS, EXIT_NOTHING, EXIT_OK, EXIT_START_FAILED

    if not jsonl_files(source):
        print(f"newsarchive: {source}: no JSON Lines records to export", file=sys.stderr)
        return EXIT_NOTHING
    try:
        result = export(source, out, fmt, latest=latest)
    except ExportError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_START_FAILED
    for table, path in result.files.items():
        print(f"{path}: {result.rows[table]} rows")
    if result.skipped.count:
        print(
            f"newsarchive: {result.skipped.count} lines skipped (not a usable record), "
            f"first at {result.skipped.first}",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    return EXIT_OK if result.records else EXIT_NOTHING
