"""The record's schema as files: one typed declaration, three generated formats.

:data:`RECORD_TYPES` declares every field of the JSON Lines record (``docs/record.md``)
once, with its JSON type, format and the ``schema_version`` that added it. From it come:

* a JSON Schema (draft 2020-12) per ``schema_version``: ``record-v{N}.schema.json``;
* an Arrow schema per version, serialized as an Arrow IPC schema message:
  ``record-v{N}.arrow`` (``pyarrow.ipc.read_schema``);
* Hugging Face ``datasets`` Features per version, as the dict that
  ``datasets.Features.from_dict`` reads: ``record-v{N}.features.json`` (lists written
  ``[feature]``, which every ``datasets`` release since 2.x reads);
* the Arrow schemas of the tidy export tables (``articles-v2.arrow``, ``rates-v2.arrow``,
  ``headlines-v2.arrow``, from :mod:`newsarchive.tables`).

The files ship in this package; ``python -m newsarchive.schemas`` rewrites them and the test
suite fails when a shipped file differs from what the declaration generates. The JSON
Schema checks shapes and formats; :func:`newsarchive.schema.validate_record` checks
everything, including what JSON Schema cannot say (Unicode NFC, a headline URL or tag
listed twice, a real calendar day such as no 30 February).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.schema import FIELDS_BY_VERSION, SCHEMA_VERSION

if TYPE_CHECKING:
    import pyarrow as pa

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_BASE = "urn:newsarchive:schema:"

# -- the formats, as regular expressions (Python ``re`` and ECMA-262 alike) ---------------

ONE_LINE = r"^\S+( \S+)*$"
"""One line of text with collapsed whitespace: words separated by single spaces."""
BODY = r"^\S+( \S+)*(\n\n\S+( \S+)*)*$"
"""Paragraphs of one line each, joined by exactly one blank line."""
URL = r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+\S*$"
"""An absolute http(s) URL with a host and no whitespace."""
LANG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
"""A BCP 47 tag: a 2-3 letter language, optional subtags."""
_DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
DAY = rf"^{_DAY}$"
"""A calendar day ``YYYY-MM-DD``."""
LOCAL_TIME = (
    rf"^{_DAY}(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{{1,6}})?)?[+-](0\d|1[0-4]):[0-5]\d)?$"
)
"""``published``/``modified``: a day, or a time to the minute (seconds and a fraction
optional) with its UTC offset."""
UTC_TIME = rf"^{_DAY}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{{1,9}})?(Z|\+00:00)$"
"""``fetched_at``: a UTC timestamp to the second at least, ``Z`` or ``+00:00``."""
RECORD_ID = (
    r"^<urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}>$"
)


# -- the type algebra ----------------------------------------------------------------------


@dataclass(frozen=True)
class Type:
    """A JSON value's type: ``kind`` is int, number, string, list or object."""

    kind: str
    nullable: bool = False
    pattern: str | None = None
    minimum: int | None = None
    items: Type | None = None
    fields: tuple[Field, ...] = ()
    values: tuple[int, ...] = ()
    """For an int: the only values allowed (``schema_version``)."""


@dataclass(frozen=True)
class Field:
    """One field of an object: name, type, description and the version that added it."""

    name: str
    type: Type
    doc: str
    since: int = 1


def string(pattern: str | None = ONE_LINE, *, nullable: bool = False) -> Type:
    return Type("string", nullable=nullable, pattern=pattern)


def integer(minimum: int | None = None, *, nullable: bool = False) -> Type:
    return Type("int", nullable=nullable, minimum=minimum)


def number() -> Type:
    return Type("number")


def list_of(items: Type) -> Type:
    return Type("list", items=items)


def obj(*fields: Field, nullable: bool = False) -> Type:
    return Type("object", nullable=nullable, fields=fields)


WARC_POINTER: tuple[Field, ...] = (
    Field("file", string(r"^\S+$"), "the WARC file's name in DIR/warc/, without .open"),
    Field("offset", integer(0), "byte offset of the record (its gzip member) in the file"),
    Field("length", integer(1), "bytes the record takes in the file"),
    Field("record_id", string(RECORD_ID), "the response's WARC-Record-ID, <urn:uuid:...>"),
)

RECORD_TYPES: tuple[Field, ...] = (
    Field(
        "schema_version",
        Type("int", values=(1, SCHEMA_VERSION)),
        "the record format's version",
    ),
    Field("url", string(URL), "the article's final URL, after redirects"),
    Field("site", string(), "the spider's name"),
    Field("lang", string(LANG, nullable=True), "BCP 47 language tag"),
    Field("title", string(), "the headline as printed"),
    Field(
        "published",
        string(LOCAL_TIME, nullable=True),
        "publication time with its UTC offset, or the bare day when the page gives no time",
    ),
    Field("published_raw", string(nullable=True), "the date as the page prints it"),
    Field("dateline", string(nullable=True), "the opening place/date/agency line"),
    Field("section", string(nullable=True), "the site's section"),
    Field("body", string(BODY), "the article text: one-line paragraphs joined by a blank line"),
    Field(
        "boilerplate",
        obj(
            Field(
                "headlines",
                list_of(
                    obj(
                        Field("title", string(), "the link's text"),
                        Field("url", string(URL), "the linked article"),
                    )
                ),
                "every headline link in the page's lists, each URL once",
            ),
            Field(
                "rates",
                list_of(
                    obj(
                        Field("currency", string(), "the currency's code or name"),
                        Field("date", string(DAY), "the rate table's date for this cell"),
                        Field("rate", number(), "the rate, a finite JSON number"),
                    )
                ),
                "one entry per cell of the page's currency tables",
            ),
            Field("copyright", string(nullable=True), "the copyright line"),
        ),
        "the page's boilerplate as structured data",
    ),
    Field("authors", list_of(string()), "the authors' names as the byline prints them", 2),
    Field(
        "modified",
        string(LOCAL_TIME, nullable=True),
        "when the page says it was last modified, in the format of published",
        2,
    ),
    Field("modified_raw", string(nullable=True), "the modification date as given", 2),
    Field("description", string(nullable=True), "the page's own summary or lead", 2),
    Field("image", string(URL, nullable=True), "the lead image's absolute URL", 2),
    Field("tags", list_of(string()), "the page's tags and keywords, each once", 2),
    Field("canonical_url", string(URL, nullable=True), "the page's canonical address", 2),
    Field("fetched_at", string(UTC_TIME), "when the response was captured (its WARC-Date)"),
    Field("warc", obj(*WARC_POINTER), "where the response record lies"),
    Field("version", integer(1), "which version of the article this record is", 2),
    Field(
        "previous",
        obj(*WARC_POINTER, nullable=True),
        "the warc pointer of the record this version supersedes; null for version 1",
        2,
    ),
)
"""Every field of the record of :data:`newsarchive.schema.SCHEMA_VERSION`, in the order
they are written (the same names as :data:`newsarchive.schema.RECORD_FIELDS`)."""

VERSIONS: tuple[int, ...] = tuple(sorted(FIELDS_BY_VERSION))


def record_fields(version: int = SCHEMA_VERSION) -> tuple[Field, ...]:
    """The fields a record of ``version`` has."""
    if version not in FIELDS_BY_VERSION:
        raise ValueError(f"unknown schema_version {version}")
    return tuple(f for f in RECORD_TYPES if f.since <= version)


# -- JSON Schema ---------------------------------------------------------------------------


def _json_type(t: Type) -> dict[str, Any]:
    out: dict[str, Any]
    if t.kind == "int":
        out = {"type": "integer"}
        if t.minimum is not None:
            out["minimum"] = t.minimum
    elif t.kind == "number":
        out = {"type": "number"}
    elif t.kind == "string":
        out = {"type": "string", "minLength": 1}
        if t.pattern:
            out["pattern"] = t.pattern
    elif t.kind == "list":
        assert t.items is not None
        out = {"type": "array", "items": _json_type(t.items)}
    else:
        out = {
            "type": "object",
            "required": [f.name for f in t.fields],
            "properties": {f.name: _json_field(f) for f in t.fields},
        }
    if t.nullable:
        out["type"] = [out["type"], "null"]
    return out


def _json_field(f: Field) -> dict[str, Any]:
    return {"description": f.doc, **_json_type(f.type)}


def json_schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The JSON Schema of a record of ``schema_version`` ``version``."""
    fields = record_fields(version)
    properties = {f.name: _json_field(f) for f in fields}
    properties["schema_version"] = {"description": "the record format's version", "const": version}
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMA_ID_BASE}record-v{version}",
        "title": f"newsarchive article record, schema_version {version}",
        "description": "One line of DIR/jsonl/*.jsonl (docs/record.md). Fields not listed "
        "here may appear and are to be ignored.",
        "type": "object",
        "required": [f.name for f in fields],
        "properties": properties,
    }
    if any(f.name == "version" for f in fields):
        # version 1 has no previous record; later versions point at the one they supersede
        schema["if"] = {"properties": {"version": {"const": 1}}}
        schema["then"] = {"properties": {"previous": {"type": "null"}}}
        schema["else"] = {"properties": {"previous": {"type": "object"}}}
    return schema


# -- Arrow and Hugging Face ----------------------------------------------------------------


def _arrow_type(t: Type, *, in_nullable: bool = False) -> pa.DataType:
    """``in_nullable``: inside a nullable struct, whose children must then be nullable too
    (Arrow's readers reject a null parent with non-nullable children)."""
    import pyarrow as pa

    if t.kind == "int":
        return pa.int64()
    if t.kind == "number":
        return pa.float64()
    if t.kind == "string":
        return pa.string()
    if t.kind == "list":
        assert t.items is not None
        return pa.list_(pa.field("item", _arrow_type(t.items), nullable=t.items.nullable))
    inner = in_nullable or t.nullable
    return pa.struct([_arrow_field(f, in_nullable=inner) for f in t.fields])


def _arrow_field(f: Field, *, in_nullable: bool = False) -> pa.Field:
    import pyarrow as pa

    return pa.field(
        f.name,
        _arrow_type(f.type, in_nullable=in_nullable),
        nullable=f.type.nullable or in_nullable,
        metadata={"description": f.doc},
    )


def arrow_schema(version: int = SCHEMA_VERSION) -> pa.Schema:
    """The Arrow schema of a record of ``version``, as JSON Lines holds it (dates stay
    strings: ``newsarchive.tables`` types them)."""
    import pyarrow as pa

    return pa.schema(
        [_arrow_field(f) for f in record_fields(version)],
        metadata={
            "newsarchive.table": "record",
            "newsarchive.schema_version": str(version),
        },
    )


def _hf_type(t: Type) -> Any:
    if t.kind == "int":
        return {"dtype": "int64", "_type": "Value"}
    if t.kind == "number":
        return {"dtype": "float64", "_type": "Value"}
    if t.kind == "string":
        return {"dtype": "string", "_type": "Value"}
    if t.kind == "list":
        assert t.items is not None
        return [_hf_type(t.items)]
    return {f.name: _hf_type(f.type) for f in t.fields}


def hf_features(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The record of ``version`` as Hugging Face Features (``Features.from_dict`` input)."""
    return {f.name: _hf_type(f.type) for f in record_fields(version)}


# -- the shipped files ---------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaFile:
    """One generated file: its name and its content (text or bytes)."""

    name: str
    content: str | bytes = field(repr=False)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _arrow_bytes(schema: pa.Schema) -> bytes:
    return bytes(schema.serialize())


def generated_files() -> Iterator[SchemaFile]:
    """Every schema file the declaration generates."""
    from newsarchive.tables import TABLE_SCHEMAS

    for version in VERSIONS:
        yield SchemaFile(f"record-v{version}.schema.json", _json_text(json_schema(version)))
        yield SchemaFile(f"record-v{version}.arrow", _arrow_bytes(arrow_schema(version)))
        yield SchemaFile(f"record-v{version}.features.json", _json_text(hf_features(version)))
    for name, schema in TABLE_SCHEMAS.items():
        yield SchemaFile(f"{name}-v{SCHEMA_VERSION}.arrow", _arrow_bytes(schema))


def shipped_path(name: str) -> Path:
    """The path of a shipped schema file (``record-v2.schema.json``, ...)."""
    return Path(str(resources.files(__name__).joinpath(name)))


def load_json_schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The shipped JSON Schema of ``version``."""
    return json.loads(shipped_path(f"record-v{version}.schema.json").read_text("utf-8"))


def load_arrow_schema(name: str = "record", version: int = SCHEMA_VERSION) -> pa.Schema:
    """A shipped Arrow schema: ``record`` (any version), ``articles``, ``rates``,
    ``headlines``."""
    import pyarrow as pa

    with pa.OSFile(str(shipped_path(f"{name}-v{version}.arrow"))) as fh:
        return pa.ipc.read_schema(fh)


def load_hf_features(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The shipped Hugging Face Features dict of ``version``."""
    return json.loads(shipped_path(f"record-v{version}.features.json").read_text("utf-8"))


def write_files(folder: Path | None = None) -> list[Path]:
    """(Re)write every generated file into ``folder`` (default: this package)."""
    target = folder or shipped_path("")
    written = []
    for item in generated_files():
        path = Path(target) / item.name
        if isinstance(item.content, bytes):
            path.write_bytes(item.content)
        else:
            path.write_text(item.content, "utf-8")
        written.append(path)
    return written
