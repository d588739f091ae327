"""The record as tidy, typed tables: ``articles``, ``rates`` and ``headlines``.

One JSON Lines record becomes one ``articles`` row (its boilerplate's currency cells and
headline links become rows of ``rates`` and ``headlines``, joined by ``record_id``, the
record's ``warc.record_id``). Dates are typed without inventing anything:

* ``published`` keeps the record's string and adds ``published_utc`` (timestamp[us, UTC],
  null for a day-only date), ``published_offset_minutes`` (the UTC offset the page gave,
  e.g. 240 for +04:00), ``published_precision`` (``day``, ``minute``, ``second`` or
  ``microsecond``: what the page stated) and ``published_date`` (the calendar day in the
  page's own offset: a day-only date stays that day, never a made-up midnight); the same
  four for ``modified``;
* ``fetched_at`` is a timestamp[us, UTC]; a rate table's ``date`` is a date32; a rate a
  float64.

Records of ``schema_version`` 1 (no metadata or version fields) read as version 1 with
those columns null or empty. Pure functions over dicts plus :class:`TableBuilder`; the
callers (``newsarchive.export``, ``newsarchive.dataset``) decide where the rows go.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    import pyarrow as pa

TABLE_NAMES: tuple[str, ...] = ("articles", "rates", "headlines")

#: (column, Arrow type name, description) of each table, in column order. The Arrow types
#: are built from the names in :func:`_arrow_type` (pyarrow is imported lazily).
COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "articles": (
        ("record_id", "string", "the record's warc.record_id: the row's key"),
        ("site", "string", "the spider's name"),
        ("url", "string", "the article's final URL"),
        ("lang", "string", "BCP 47 language tag"),
        ("title", "string", "the headline as printed"),
        ("published", "string", "the record's published value (ISO 8601), as written"),
        ("published_utc", "timestamp", "publication instant in UTC; null for a day-only date"),
        ("published_offset_minutes", "int16", "the UTC offset the page gave, in minutes"),
        ("published_precision", "string", "day, minute, second or microsecond"),
        ("published_date", "date", "the publication day in the page's own UTC offset"),
        ("published_raw", "string", "the date as the page prints it"),
        ("dateline", "string", "the opening place/date/agency line"),
        ("section", "string", "the site's section"),
        ("body", "string", "the article text, paragraphs joined by a blank line"),
        ("body_chars", "int32", "characters in body"),
        ("copyright", "string", "the page's copyright line (boilerplate.copyright)"),
        ("headline_count", "int32", "rows of this record in the headlines table"),
        ("rate_count", "int32", "rows of this record in the rates table"),
        ("authors", "list<string>", "the authors' names"),
        ("tags", "list<string>", "tags and keywords"),
        ("description", "string", "the page's own summary"),
        ("image", "string", "the lead image's URL"),
        ("canonical_url", "string", "the page's canonical address"),
        ("modified", "string", "the record's modified value (ISO 8601), as written"),
        ("modified_utc", "timestamp", "modification instant in UTC; null for a day-only date"),
        ("modified_offset_minutes", "int16", "the UTC offset of modified, in minutes"),
        ("modified_precision", "string", "day, minute, second or microsecond"),
        ("modified_date", "date", "the modification day in its own UTC offset"),
        ("modified_raw", "string", "the modification date as given"),
        ("fetched_at", "timestamp", "when the response was captured (WARC-Date, UTC)"),
        ("warc_file", "string", "the WARC file holding the response"),
        ("warc_offset", "int64", "the response record's byte offset in warc_file"),
        ("warc_length", "int64", "the response record's length in bytes"),
        ("version", "int32", "the article's version: 1, then 2, 3, ... for each change"),
        ("previous_record_id", "string", "record_id of the version this one supersedes"),
        ("previous_warc_file", "string", "the superseded version's WARC file"),
        ("previous_warc_offset", "int64", "the superseded version's offset"),
        ("previous_warc_length", "int64", "the superseded version's length"),
        ("schema_version", "int16", "the record's schema_version"),
    ),
    "rates": (
        ("record_id", "string", "the record (page capture) the cell is on: articles.record_id"),
        ("site", "string", "the spider's name"),
        ("url", "string", "the page the table is on"),
        ("lang", "string", "the page's language"),
        ("fetched_at", "timestamp", "when the page was captured (UTC)"),
        ("position", "int32", "the cell's index in the page's rates list"),
        ("currency", "string", "the currency as the table names it"),
        ("date", "date", "the table's own date for this cell"),
        ("rate", "float64", "the rate"),
    ),
    "headlines": (
        ("record_id", "string", "the record (page capture) the link is on: articles.record_id"),
        ("site", "string", "the spider's name"),
        ("url", "string", "the page the link is on"),
        ("lang", "string", "the page's language"),
        ("fetched_at", "timestamp", "when the page was captured (UTC)"),
        ("position", "int32", "the link's index in the page's headline lists"),
        ("title", "string", "the link's text"),
        ("target_url", "string", "the linked article's URL"),
    ),
}

NOT_NULL = frozenset({"record_id", "site", "url", "fetched_at", "version", "schema_version"})
"""Columns that are never null (in every table that has them)."""


def _arrow_type(name: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "int16": pa.int16(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "list<string>": pa.list_(pa.field("element", pa.string(), nullable=False)),
    }[name]


def table_schema(table: str) -> pa.Schema:
    """The Arrow schema of one tidy table, with descriptions and the schema version."""
    import pyarrow as pa

    fields = [
        pa.field(
            name,
            _arrow_type(kind),
            nullable=name not in NOT_NULL,
            metadata={"description": doc},
        )
        for name, kind, doc in COLUMNS[table]
    ]
    return pa.schema(
        fields,
        metadata={
            "newsarchive.table": table,
            "newsarchive.schema_version": str(SCHEMA_VERSION),
        },
    )


class _Schemas(Mapping[str, "pa.Schema"]):
    """``TABLE_SCHEMAS[name]``: built on first use (pyarrow imported lazily)."""

    def __getitem__(self, name: str) -> pa.Schema:
        if name not in COLUMNS:
            raise KeyError(name)
        return table_schema(name)

    def __iter__(self) -> Iterator[str]:
        return iter(TABLE_NAMES)

    def __len__(self) -> int:
        return len(TABLE_NAMES)


TABLE_SCHEMAS: Mapping[str, pa.Schema] = _Schemas()


# -- dates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedDate:
    """A ``published``/``modified`` value taken apart without inventing anything."""

    utc: datetime | None
    offset_minutes: int | None
    precision: str | None
    day: date | None


NO_DATE = TypedDate(None, None, None, None)


def typed_date(value: Any) -> TypedDate:
    """``2014-05-02T14:12:00+05:00`` -> UTC instant, offset 300, precision ``second``, day
    2014-05-02; ``2014-05-02`` -> only the day (precision ``day``); anything else (null,
    not a date) -> all null."""
    if not isinstance(value, str):
        return NO_DATE
    if len(value) == 10:
        try:
            return TypedDate(None, None, "day", date.fromisoformat(value))
        except ValueError:
            return NO_DATE
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return NO_DATE
    offset = parsed.utcoffset()
    if offset is None:
        return NO_DATE
    clock = value[11:].split("+")[0].split("-")[0].rstrip("Z")
    precision = "minute" if clock.count(":") == 1 else "second"
    if "." in clock:
        precision = "microsecond"
    return TypedDate(
        parsed.astimezone(UTC),
        int(offset / timedelta(minutes=1)),
        precision,
        parsed.date(),
    )


def utc_timestamp(value: Any) -> datetime | None:
    """``fetched_at`` (``...Z``/``...+00:00``, up to nanoseconds) as an aware datetime."""
    from newsarchive.schema import parse_utc_timestamp

    return parse_utc_timestamp(value) if isinstance(value, str) else None


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- rows --------------------------------------------------------------------------------


def record_id(record: Mapping[str, Any]) -> str | None:
    """The record's key: its ``warc.record_id``."""
    return _text(_mapping(record.get("warc")).get("record_id"))


def _date_columns(record: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The columns of one of the record's dates (``published``, ``modified``): as given,
    as a UTC instant, its offset, its precision, its day, and as printed."""
    typed = typed_date(record.get(name))
    return {
        name: _text(record.get(name)),
        f"{name}_utc": typed.utc,
        f"{name}_offset_minutes": typed.offset_minutes,
        f"{name}_precision": typed.precision,
        f"{name}_date": typed.day,
        f"{name}_raw": _text(record.get(f"{name}_raw")),
    }


def article_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``articles`` row of one record (any schema_version)."""
    boiler = _mapping(record.get("boilerplate"))
    warc = _mapping(record.get("warc"))
    previous = _mapping(record.get("previous"))
    body = _text(record.get("body"))
    schema_version = _int(record.get("schema_version")) or 1
    return {
        "record_id": _text(warc.get("record_id")),
        "site": _text(record.get("site")),
        "url": _text(record.get("url")),
        "lang": _text(record.get("lang")),
        "title": _text(record.get("title")),
        **_date_columns(record, "published"),
        "dateline": _text(record.get("dateline")),
        "section": _text(record.get("section")),
        "body": body,
        "body_chars": len(body) if body is not None else None,
        "copyright": _text(boiler.get("copyright")),
        "headline_count": len(_list(boiler.get("headlines"))),
        "rate_count": len(_list(boiler.get("rates"))),
        "authors": _names(record.get("authors")),
        "tags": _names(record.get("tags")),
        "description": _text(record.get("description")),
        "image": _text(record.get("image")),
        "canonical_url": _text(record.get("canonical_url")),
        **_date_columns(record, "modified"),
        "fetched_at": utc_timestamp(record.get("fetched_at")),
        "warc_file": _text(warc.get("file")),
        "warc_offset": _int(warc.get("offset")),
        "warc_length": _int(warc.get("length")),
        "version": _int(record.get("version")) or 1,
        "previous_record_id": _text(previous.get("record_id")),
        "previous_warc_file": _text(previous.get("file")),
        "previous_warc_offset": _int(previous.get("offset")),
        "previous_warc_length": _int(previous.get("length")),
        "schema_version": schema_version,
    }


def _page(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "record_id": record_id(record),
        "site": _text(record.get("site")),
        "url": _text(record.get("url")),
        "lang": _text(record.get("lang")),
        "fetched_at": utc_timestamp(record.get("fetched_at")),
    }


def rate_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``rates`` row per currency cell of the record's page."""
    cells = _list(_mapping(record.get("boilerplate")).get("rates"))
    if not cells:
        return []
    page = _page(record)
    rows = []
    for position, cell in enumerate(cells):
        cell = _mapping(cell)
        rate = cell.get("rate")
        rows.append(
            {
                **page,
                "position": position,
                "currency": _text(cell.get("currency")),
                "date": _day(cell.get("date")),
                "rate": float(rate)
                if isinstance(rate, int | float) and not isinstance(rate, bool)
                else None,
            }
        )
    return rows


def headline_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``headlines`` row per headline link of the record's page."""
    links = _list(_mapping(record.get("boilerplate")).get("headlines"))
    if not links:
        return []
    page = _page(record)
    return [
        {
            **page,
            "position": position,
            "title": _text(_mapping(link).get("title")),
            "target_url": _text(_mapping(link).get("url")),
        }
        for position, link in enumerate(links)
    ]


ROWS = {"articles": lambda r: [article_row(r)], "rates": rate_rows, "headlines": headline_rows}


def usable(record: Any) -> bool:
    """Whether a record can become rows: an object with a record id, site, URL and
    capture time (what every table's key columns need)."""
    if not isinstance(record, Mapping):
        return False
    return (
        record_id(record) is not None
        and isinstance(record.get("site"), str)
        and isinstance(record.get("url"), str)
        and utc_timestamp(record.get("fetched_at")) is not None
    )


# -- building Arrow tables ---------------------------------------------------------------


class TableBuilder:
    """Rows of one table collected column by column, handed out as Arrow record batches."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.schema = table_schema(table)
        self.names = [name for name, _, _ in COLUMNS[table]]
        self.columns: dict[str, list[Any]] = {name: [] for name in self.names}
        self.rows = 0

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            for name in self.names:
                self.columns[name].append(row[name])
            self.rows += 1

    def take(self) -> pa.RecordBatch:
        """The rows collected so far as one batch; the builder starts empty again."""
        import pyarrow as pa

        arrays = [
            pa.array(self.columns[name], type=self.schema.field(name).type) for name in self.names
        ]
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self.columns = {name: [] for name in self.names}
        self.rows = 0
        return batch


# -- reading JSON Lines ------------------------------------------------------------------


@dataclass
class ReadProblems:
    """Lines that could not become rows: not JSON, not an object, or missing a key field."""

    count: int = 0
    first: str | None = None

    def add(self, where: str) -> None:
        self.count += 1
        if self.first is None:
            self.first = where


def jsonl_files(source: Path) -> list[Path]:
    """The JSON Lines files of ``source``: an output folder (its ``jsonl/``), a folder of
    ``*.jsonl`` files, or one file."""
    source = Path(source)
    if source.is_file():
        return [source]
    folder = source / "jsonl" if (source / "jsonl").is_dir() else source
    return sorted(folder.glob("*.jsonl"))


def iter_records(
    paths: Iterable[Path], problems: ReadProblems | None = None
) -> Iterator[dict[str, Any]]:
    """Every usable record of ``paths`` in file order. A last line without its newline (a
    write cut short) is skipped silently, as ``newsarchive validate`` does; other bad
    lines are counted in ``problems``."""
    for path in paths:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.endswith(b"\n"):
                    break
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if usable(record):
                    yield record
                elif problems is not None:
                    problems.add(f"{path}:{number}")


class LatestFilter:
    """Which records are the latest version of their article.

    A record is not the latest when a later version names it as ``previous``, or when
    another record of the same URL has a higher ``version`` (or the same version,
    captured later: two archives of one article without version links). Fed every record
    once (:meth:`see`), then asked per record (:meth:`keep`)."""

    def __init__(self) -> None:
        self.superseded: set[str] = set()
        self.best: dict[str, tuple[int, datetime, str]] = {}

    def see(self, record: Mapping[str, Any]) -> None:
        previous = _text(_mapping(record.get("previous")).get("record_id"))
        if previous:
            self.superseded.add(previous)
        key = self._key(record)
        url = _text(record.get("url")) or ""
        if key is not None and (url not in self.best or key > self.best[url]):
            self.best[url] = key

    def keep(self, record: Mapping[str, Any]) -> bool:
        rid = record_id(record)
        if rid is None or rid in self.superseded:
            return False
        return self.best.get(_text(record.get("url")) or "") == self._key(record)

    @staticmethod
    def _key(record: Mapping[str, Any]) -> tuple[int, datetime, str] | None:
        rid = record_id(record)
        fetched = utc_timestamp(record.get("fetched_at"))
        if rid is None or fetched is None:
            return None
        return (_int(record.get("version")) or 1, fetched, rid)
