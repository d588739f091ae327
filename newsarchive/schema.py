"""The article record (CONTRACT.md) in code: field list and a validator.

Used by the crawl's validation pipeline and by ``newsarchive validate``. ``validate_record``
never raises on bad input: everything wrong with a record comes back as a list of
``FieldProblem``, each naming the field by a dotted path (``boilerplate.rates[2].rate``).
Fields beyond ``RECORD_FIELDS`` are allowed (the contract lets fields be added) and are only
checked for Unicode NFC.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeGuard
from urllib.parse import urlsplit

SCHEMA_VERSION = 2

RECORD_FIELDS: tuple[str, ...] = (
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
"""The fields of a record of :data:`SCHEMA_VERSION`, in the order they are written."""

METADATA_FIELDS: tuple[str, ...] = (
    "authors",
    "modified",
    "modified_raw",
    "description",
    "image",
    "tags",
    "canonical_url",
)
"""The page metadata fields schema version 2 added."""

VERSION_FIELDS: tuple[str, ...] = ("version", "previous")
"""The article-version fields schema version 2 added: ``version`` (1 for an article's first
record, then 2, 3, ... for each change of what it says) and ``previous`` (the ``warc``
pointer of the record it supersedes; ``null`` for version 1)."""

FIELDS_BY_VERSION: dict[int, tuple[str, ...]] = {
    1: tuple(name for name in RECORD_FIELDS if name not in METADATA_FIELDS + VERSION_FIELDS),
    SCHEMA_VERSION: RECORD_FIELDS,
}
"""The fields every record of each known ``schema_version`` has: records archived before
version 2 stay valid."""

BOILERPLATE_FIELDS: tuple[str, ...] = ("headlines", "rates", "copyright")
WARC_FIELDS: tuple[str, ...] = ("file", "offset", "length", "record_id")

# BCP 47-ish: a 2-3 letter primary language subtag, then alphanumeric subtags (en, az-Latn, pt-BR).
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", re.ASCII)
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_PUBLISHED_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?[+-]\d{2}:\d{2}$", re.ASCII
)
_FETCHED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$", re.ASCII)
_RECORD_ID_RE = re.compile(
    r"^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>$",
    re.IGNORECASE | re.ASCII,
)
# One line of text with its whitespace collapsed: words separated by single spaces.
_COLLAPSED_RE = re.compile(r"^\S+( \S+)*$")


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a record; ``field`` is a dotted path, "" the record."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field or 'record'}: {self.message}"


def validate_record(record: Mapping[str, Any]) -> list[FieldProblem]:
    """Check one article record against CONTRACT.md; return its problems (empty when valid)."""
    if not isinstance(record, Mapping):
        return [FieldProblem("", f"not a JSON object but {_type_name(record)}")]
    checker = _Checker()
    checker.check(record)
    return checker.problems


def parse_utc_timestamp(value: str) -> datetime | None:
    """Parse a UTC ISO 8601 timestamp (``...Z`` or ``...+00:00``, optional fraction).

    Returns an aware datetime, or None when ``value`` is not such a timestamp. Fractions
    longer than microseconds are truncated (WARC-Date allows nanoseconds).
    """
    if not isinstance(value, str) or not _FETCHED_RE.match(value):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    main, _, rest = text.partition(".")
    if rest:
        fraction, offset = rest[:-6], rest[-6:]
        text = f"{main}.{fraction[:6].ljust(6, '0')}{offset}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class _Checker:
    """Collects problems while walking one record."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(FieldProblem(field, message))

    def check(self, record: Mapping[str, Any]) -> None:
        version = record.get("schema_version")
        fields = (
            FIELDS_BY_VERSION.get(version, RECORD_FIELDS) if _is_int(version) else RECORD_FIELDS
        )
        missing = [name for name in fields if name not in record]
        for name in missing:
            self.add(name, "missing (a field the page does not have is null)")
        self._schema_version(record.get("schema_version"), "schema_version" in record)
        if "url" in record:
            self._url("url", record["url"])
        if "site" in record:
            self._text("site", record["site"], nullable=False, collapsed=True)
        if "lang" in record:
            self._lang(record["lang"])
        if "title" in record:
            self._text("title", record["title"], nullable=False, collapsed=True)
        if "published" in record:
            self._published(record["published"])
        for name in ("published_raw", "dateline", "section"):
            if name in record:
                self._text(name, record[name], nullable=True, collapsed=True)
        if "body" in record:
            self._body(record["body"])
        for name in ("authors", "tags"):
            if name in record:
                self._names(name, record[name])
        if "modified" in record:
            self._published(record["modified"], "modified")
        for name in ("modified_raw", "description"):
            if name in record:
                self._text(name, record[name], nullable=True, collapsed=True)
        for name in ("image", "canonical_url"):
            if name in record and record[name] is not None:
                self._url(name, record[name])
        if "boilerplate" in record:
            self._boilerplate(record["boilerplate"])
        if "fetched_at" in record:
            self._fetched_at(record["fetched_at"])
        if "warc" in record:
            self._warc(record["warc"])
        if "version" in record or "previous" in record:
            self._version(record.get("version"), record.get("previous"))
        if not _all_nfc(record):  # the common case costs one walk without path strings
            self._nfc("", record)

    # -- single fields --------------------------------------------------------------------

    def _schema_version(self, value: Any, present: bool) -> None:
        if not present:
            return
        if not _is_int(value):
            self.add("schema_version", f"must be the integer {SCHEMA_VERSION}, not {value!r}")
        elif value not in FIELDS_BY_VERSION:
            known = ", ".join(str(v) for v in sorted(FIELDS_BY_VERSION))
            self.add("schema_version", f"is {value}, this code knows {known}")

    def _url(self, field: str, value: Any) -> None:
        if not isinstance(value, str):
            self.add(field, f"must be a string URL, not {_type_name(value)}")
            return
        problem = url_problem(value)
        if problem:
            self.add(field, problem)

    def _text(self, field: str, value: Any, *, nullable: bool, collapsed: bool) -> None:
        if value is None:
            if not nullable:
                self.add(field, "must be a non-empty string, not null")
            return
        if not isinstance(value, str):
            kind = "a string or null" if nullable else "a non-empty string"
            self.add(field, f"must be {kind}, not {_type_name(value)}")
            return
        if not value.strip():
            self.add(
                field,
                "is empty (use null when the page has no value)"
                if nullable
                else "must not be empty",
            )
            return
        if collapsed and not _COLLAPSED_RE.match(value):
            self.add(field, "whitespace not collapsed (one line, single spaces, no padding)")

    def _lang(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add("lang", f"must be a BCP 47 tag or null, not {_type_name(value)}")
        elif not _LANG_RE.match(value):
            self.add("lang", f"{value!r} is not a BCP 47 language tag (en, az, ru)")

    def _published(self, value: Any, field: str = "published") -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(field, f"must be an ISO 8601 string or null, not {_type_name(value)}")
            return
        if _DAY_RE.match(value):
            if _parse_day(value) is None:
                self.add(field, f"{value!r} is not a real calendar day")
            return
        if not _PUBLISHED_RE.match(value):
            self.add(
                field,
                f"{value!r} is neither YYYY-MM-DDThh:mm[:ss[.ffffff]]+hh:mm "
                "(with the UTC offset) nor a bare day YYYY-MM-DD",
            )
            return
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.add(field, f"{value!r} is not a real date and time")
            return
        offset = parsed.utcoffset()
        if offset is not None and abs(offset.total_seconds()) > 14 * 3600:
            self.add(field, f"{value!r} has an impossible UTC offset")

    def _names(self, field: str, value: Any) -> None:
        """A list of one-line strings (``authors``, ``tags``), each once."""
        if not isinstance(value, list):
            self.add(
                field, f"must be a list (empty when the page has none), not {_type_name(value)}"
            )
            return
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            path = f"{field}[{index}]"
            self._text(path, item, nullable=False, collapsed=True)
            if isinstance(item, str):
                key = item.casefold()
                if key in seen:
                    self.add(path, f"duplicate of {field}[{seen[key]}]")
                else:
                    seen[key] = index

    def _body(self, value: Any) -> None:
        if not isinstance(value, str):
            self.add("body", f"must be a non-empty string, not {_type_name(value)}")
            return
        if not value.strip():
            self.add("body", "must not be empty")
            return
        for number, paragraph in enumerate(value.split("\n\n"), start=1):
            if not _COLLAPSED_RE.match(paragraph):
                self.add(
                    "body",
                    f"paragraph {number} is not one line with collapsed whitespace "
                    "(paragraphs are joined by exactly one blank line)",
                )
                return

    def _fetched_at(self, value: Any) -> None:
        if not isinstance(value, str):
            self.add("fetched_at", f"must be a UTC ISO 8601 string, not {_type_name(value)}")
        elif parse_utc_timestamp(value) is None:
            self.add(
                "fetched_at",
                f"{value!r} is not a UTC timestamp (YYYY-MM-DDThh:mm:ss[.fff]Z or +00:00)",
            )

    # -- nested objects -------------------------------------------------------------------

    def _boilerplate(self, value: Any) -> None:
        if not isinstance(value, Mapping):
            self.add("boilerplate", f"must be an object, not {_type_name(value)}")
            return
        for name in BOILERPLATE_FIELDS:
            if name not in value:
                self.add(f"boilerplate.{name}", "missing")
        if "headlines" in value:
            self._headlines(value["headlines"])
        if "rates" in value:
            self._rates(value["rates"])
        if "copyright" in value:
            self._text("boilerplate.copyright", value["copyright"], nullable=True, collapsed=True)

    def _headlines(self, value: Any) -> None:
        if not isinstance(value, list):
            self.add("boilerplate.headlines", f"must be a list, not {_type_name(value)}")
            return
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            path = f"boilerplate.headlines[{index}]"
            if not isinstance(item, Mapping):
                self.add(path, f"must be an object {{title, url}}, not {_type_name(item)}")
                continue
            for name in ("title", "url"):
                if name not in item:
                    self.add(f"{path}.{name}", "missing")
            if "title" in item:
                self._text(f"{path}.title", item["title"], nullable=False, collapsed=True)
            if "url" in item:
                self._url(f"{path}.url", item["url"])
                url = item["url"]
                if isinstance(url, str):
                    if url in seen:
                        self.add(f"{path}.url", f"duplicate of boilerplate.headlines[{seen[url]}]")
                    else:
                        seen[url] = index

    def _rates(self, value: Any) -> None:
        if not isinstance(value, list):
            self.add("boilerplate.rates", f"must be a list, not {_type_name(value)}")
            return
        for index, item in enumerate(value):
            path = f"boilerplate.rates[{index}]"
            if not isinstance(item, Mapping):
                self.add(
                    path, f"must be an object {{currency, date, rate}}, not {_type_name(item)}"
                )
                continue
            for name in ("currency", "date", "rate"):
                if name not in item:
                    self.add(f"{path}.{name}", "missing")
            if "currency" in item:
                self._text(f"{path}.currency", item["currency"], nullable=False, collapsed=True)
            if "date" in item:
                day = item["date"]
                if not isinstance(day, str) or not _DAY_RE.match(day) or _parse_day(day) is None:
                    self.add(f"{path}.date", f"{day!r} is not a day YYYY-MM-DD")
            if "rate" in item:
                rate = item["rate"]
                if isinstance(rate, bool) or not isinstance(rate, int | float):
                    self.add(f"{path}.rate", f"must be a number, not {_type_name(rate)}")
                elif isinstance(rate, float) and not math.isfinite(rate):
                    self.add(f"{path}.rate", f"must be a finite number, not {rate!r}")

    def _warc(self, value: Any, name: str = "warc") -> None:
        if not isinstance(value, Mapping):
            self.add(
                name,
                f"must be an object {{file, offset, length, record_id}}, not {_type_name(value)}",
            )
            return
        for key in WARC_FIELDS:
            if key not in value:
                self.add(f"{name}.{key}", "missing")
        if "file" in value:
            self._text(f"{name}.file", value["file"], nullable=False, collapsed=False)
        if "offset" in value:
            offset = value["offset"]
            if not _is_int(offset) or offset < 0:
                self.add(f"{name}.offset", f"must be an integer >= 0, not {offset!r}")
        if "length" in value:
            length = value["length"]
            if not _is_int(length) or length <= 0:
                self.add(f"{name}.length", f"must be an integer > 0, not {length!r}")
        if "record_id" in value:
            record_id = value["record_id"]
            if not isinstance(record_id, str) or not _RECORD_ID_RE.match(record_id):
                self.add(f"{name}.record_id", f"{record_id!r} is not <urn:uuid:...>")

    def _version(self, version: Any, previous: Any) -> None:
        if not _is_int(version) or version < 1:
            self.add("version", f"must be an integer >= 1, not {version!r}")
            return
        if version == 1:
            if previous is not None:
                self.add("previous", "must be null in a version 1 record")
            return
        if previous is None:
            self.add("previous", f"must point at the record version {version} supersedes")
            return
        self._warc(previous, "previous")

    def _nfc(self, path: str, value: Any) -> None:
        """Report every string (keys too) in ``value`` that is not Unicode NFC."""
        if isinstance(value, str):
            if not unicodedata.is_normalized("NFC", value):
                self.add(path, "text is not Unicode NFC")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and not unicodedata.is_normalized("NFC", key):
                    self.add(child, "field name is not Unicode NFC")
                self._nfc(child, item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._nfc(f"{path}[{index}]", item)


def _all_nfc(value: Any) -> bool:
    """True when every string (keys too) in ``value`` is Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.is_normalized("NFC", value)
    if isinstance(value, Mapping):
        return all(
            (not isinstance(k, str) or unicodedata.is_normalized("NFC", k)) and _all_nfc(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return all(_all_nfc(v) for v in value)
    return True


# An absolute http(s) URL with a plain host name or IPv4 address, an optional port of at
# most five digits and no whitespace: the shape nearly every URL has, accepted at once.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?(?:[/?#]\S*)?")


def url_problem(url: str) -> str | None:
    """Return why ``url`` is not an absolute http(s) URL, or None when it is one."""
    if isinstance(url, str) and _PLAIN_URL.fullmatch(url) and _port_ok(url):
        return None
    if not url:
        return "is empty"
    if any(ch.isspace() for ch in url):
        return f"{url!r} contains whitespace"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"{url!r} is not an absolute http(s) URL"
    if not parts.hostname:
        return f"{url!r} has no host"
    return None


def _port_ok(url: str) -> bool:
    netloc = url.split("/", 3)[2]
    _, sep, port = netloc.partition(":")
    return not sep or int(port) <= 65535


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _is_int(value: object) -> TypeGuard[int]:
    """An int that is not a bool (JSON's true/false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
