"""Problems found by the validator and the report that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

ERROR = "error"
"""The file is damaged or wrong: ``newsarchive validate`` exits 1."""
WARNING = "warning"
"""Legal but weak (legacy digests, no warcinfo, unpaired responses): exit 1 only with
``--strict``."""
NOTE = "note"
"""Worth knowing, nothing wrong (an ARC file, a digest algorithm not checked)."""
SEVERITIES = (ERROR, WARNING, NOTE)


class Code(NamedTuple):
    """A problem code's severity and meaning."""

    severity: str
    meaning: str


#: Every problem code the validator emits: its severity and what it means.
CODES: dict[str, Code] = {
    # inputs
    "path-missing": Code(ERROR, "a path given on the command line does not exist"),
    "path-unknown-type": Code(ERROR, "a file given by name is neither a WARC nor a JSONL file"),
    "path-empty": Code(WARNING, "a directory holds no WARC or JSONL file"),
    "internal-error": Code(
        ERROR, "the validator failed on this file (the message says how); rest not checked"
    ),
    # WARC file structure
    "warc-unclosed": Code(
        WARNING, "the file still has the .open suffix: its writer never closed it"
    ),
    "warc-empty": Code(ERROR, "the WARC file is empty"),
    "warc-compression": Code(
        WARNING, "the file name and the content disagree about gzip compression"
    ),
    "gzip-corrupt": Code(ERROR, "a gzip member does not decompress (bad data or CRC)"),
    "gzip-truncated": Code(ERROR, "the last gzip member does not end: the file was cut off"),
    "gzip-trailing-garbage": Code(ERROR, "bytes after the last gzip member are not gzip data"),
    "warc-gzip-layout": Code(WARNING, "records and gzip members are not one-to-one"),
    "warc-truncated": Code(
        ERROR, "a record is shorter than its Content-Length: the file was cut off"
    ),
    "warc-not-a-record": Code(ERROR, "no WARC record header where one must start"),
    "warc-bad-record-end": Code(ERROR, "a record's block is not followed by CRLF CRLF"),
    "warc-bad-header": Code(ERROR, "a WARC header line or value is malformed"),
    "warc-missing-header": Code(
        ERROR, "a header WARC/1.1 makes mandatory for this record is missing"
    ),
    "warc-block-digest": Code(ERROR, "WARC-Block-Digest does not match the block"),
    "warc-payload-digest": Code(
        ERROR, "WARC-Payload-Digest matches the payload in neither convention (spec nor legacy)"
    ),
    "warc-payload-digest-legacy": Code(
        WARNING,
        "WARC-Payload-Digest of a chunked response is over the chunk framing (the legacy "
        "convention of warcio and pywb), not over the de-chunked entity as the spec says",
    ),
    "warc-digest-unknown": Code(NOTE, "a digest uses an algorithm the validator does not know"),
    "warc-truncated-record": Code(
        WARNING, "a record says WARC-Truncated: its writer cut the payload (size, time, ...)"
    ),
    "arc-file": Code(NOTE, "an ARC file: read with warcio only, no strict checks"),
    "warc-digest-format": Code(ERROR, "a digest header cannot be parsed (algorithm:value)"),
    "warc-warcio-error": Code(ERROR, "warcio (and so pywb/wacz) cannot read the file"),
    # HTTP inside records
    "http-bad-head": Code(ERROR, "the HTTP status/request line or headers cannot be parsed"),
    "http-content-length": Code(
        ERROR, "the HTTP Content-Length differs from the stored body length"
    ),
    "http-bad-chunking": Code(
        ERROR, "a body labelled Transfer-Encoding: chunked is not valid chunked data"
    ),
    "http-bad-gzip": Code(ERROR, "a body labelled Content-Encoding: gzip does not decompress"),
    "http-bad-encoding": Code(ERROR, "a body labelled deflate, br or zstd does not decompress"),
    "http-unknown-encoding": Code(NOTE, "a Content-Encoding the validator cannot decode"),
    "http-dechunked-body": Code(
        WARNING,
        "a body labelled Transfer-Encoding: chunked is stored without its chunk framing "
        "(as some older tools wrote it); readers take it as it is",
    ),
    "http-head-unterminated": Code(
        WARNING,
        "a request or revisit block ends with its HTTP head's last line, without the blank "
        "line (as some older tools wrote it)",
    ),
    # relations between records
    "warc-no-warcinfo": Code(WARNING, "the file does not start with a warcinfo record"),
    "warc-warcinfo-id": Code(
        WARNING, "WARC-Warcinfo-ID is missing or does not name the file's warcinfo"
    ),
    "warc-duplicate-id": Code(ERROR, "two records share a WARC-Record-ID"),
    "warc-unpaired-response": Code(WARNING, "a response has no request record concurrent to it"),
    "warc-pair-mismatch": Code(
        WARNING, "a request and its response differ in WARC-Date or target URI"
    ),
    "warc-revisit-orphan": Code(
        WARNING, "a revisit's WARC-Refers-To target is in none of the given files"
    ),
    "warc-revisit-digest": Code(ERROR, "a revisit's payload digest differs from its original's"),
    # JSONL
    "jsonl-partial-line": Code(
        ERROR, "the last line does not end with a newline (an interrupted write)"
    ),
    "jsonl-blank-line": Code(WARNING, "an empty line"),
    "jsonl-bad-utf8": Code(ERROR, "a line is not UTF-8"),
    "jsonl-bad-json": Code(ERROR, "a line is not a JSON document"),
    "record-schema": Code(ERROR, "a record breaks the record contract (docs/record.md)"),
    "jsonl-warc-missing": Code(ERROR, "the WARC file a record points to cannot be found"),
    "jsonl-warc-pointer": Code(
        ERROR, "no complete WARC record lies at the record's warc offset/length"
    ),
    "jsonl-warc-type": Code(
        ERROR, "the record's warc pointer opens a record that is not a response"
    ),
    "jsonl-warc-id": Code(ERROR, "the WARC-Record-ID at the pointer differs from warc.record_id"),
    "jsonl-warc-uri": Code(
        ERROR, "the pointer's WARC-Target-URI differs from url and no redirect joins them"
    ),
    "jsonl-fetched-at": Code(ERROR, "fetched_at differs from the response's WARC-Date"),
}


@dataclass(frozen=True)
class Problem:
    """One problem: where (file and byte offset for WARC, line number for JSONL) and what.

    ``location`` is 0 for problems about a whole file.
    """

    path: str
    location: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        """``error``, ``warning`` or ``note`` (see :data:`CODES`)."""
        known = CODES.get(self.code)
        return known.severity if known else ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.location}: {self.severity}: {self.code}: {self.message}"


@dataclass
class ValidationReport:
    """What ``validate_paths`` found; ``render()`` is what ``newsarchive validate`` prints."""

    problems: list[Problem] = field(default_factory=list)
    warc_files: int = 0
    warc_records: int = 0
    jsonl_files: int = 0
    jsonl_records: int = 0

    strict: bool = False
    """Warnings fail too (``newsarchive validate --strict``)."""

    def count(self, severity: str) -> int:
        """How many problems have ``severity``."""
        return sum(1 for problem in self.problems if problem.severity == severity)

    @property
    def ok(self) -> bool:
        """True when nothing fails the check: no error (and, when strict, no warning)."""
        failing = (ERROR, WARNING) if self.strict else (ERROR,)
        return not any(problem.severity in failing for problem in self.problems)

    @property
    def exit_status(self) -> int:
        """The process exit status: 1 with an error (or, when strict, a warning), else 0."""
        return 0 if self.ok else 1

    @property
    def exit_code(self) -> int:
        """Same as ``exit_status``."""
        return self.exit_status

    def codes(self) -> set[str]:
        """The distinct problem codes in the report."""
        return {problem.code for problem in self.problems}

    def lines(self) -> list[str]:
        """One ``path:location: severity: code: message`` line per problem."""
        return [str(problem) for problem in self.problems]

    def summary(self) -> str:
        """The closing summary line."""
        return (
            f"checked {self.warc_files} WARC files ({self.warc_records} records), "
            f"{self.jsonl_files} JSONL files ({self.jsonl_records} records): "
            f"{self.count(ERROR)} errors, {self.count(WARNING)} warnings, {self.count(NOTE)} notes"
        )

    def render(self) -> str:
        """Every problem line, then the summary line; ends with a newline."""
        return "\n".join([*self.lines(), self.summary()]) + "\n"
