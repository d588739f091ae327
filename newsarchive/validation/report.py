"""Problems found by the validator and the report that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Every problem code the validator emits, with what it means (docs and ``--help`` text).
CODES: dict[str, str] = {
    # inputs
    "path-missing": "a path given on the command line does not exist",
    "path-unknown-type": "a file given by name is neither a WARC nor a JSONL file",
    "path-empty": "a directory holds no WARC or JSONL file",
    "internal-error": "the validator failed on this file (the message says how); rest not checked",
    # WARC file structure
    "warc-unclosed": "the file still has the .open suffix: its writer never closed it",
    "warc-empty": "the WARC file is empty",
    "warc-compression": "the file name and the content disagree about gzip compression",
    "gzip-corrupt": "a gzip member does not decompress (bad data or CRC)",
    "gzip-truncated": "the last gzip member does not end: the file was cut off",
    "gzip-trailing-garbage": "bytes after the last gzip member are not gzip data",
    "warc-gzip-layout": "records and gzip members are not one-to-one",
    "warc-truncated": "a record is shorter than its Content-Length: the file was cut off",
    "warc-not-a-record": "no WARC record header where one must start",
    "warc-bad-record-end": "a record's block is not followed by CRLF CRLF",
    "warc-bad-header": "a WARC header line or value is malformed",
    "warc-missing-header": "a header WARC/1.1 makes mandatory for this record is missing",
    "warc-block-digest": "WARC-Block-Digest does not match the block",
    "warc-payload-digest": "WARC-Payload-Digest does not match the payload",
    "warc-digest-format": "a digest header cannot be parsed (algorithm:value)",
    "warc-warcio-error": "warcio (and so pywb/wacz) cannot read the file",
    # HTTP inside records
    "http-bad-head": "the HTTP status/request line or headers cannot be parsed",
    "http-content-length": "the HTTP Content-Length differs from the stored body length",
    "http-bad-chunking": "a body labelled Transfer-Encoding: chunked is not valid chunked data",
    "http-bad-gzip": "a body labelled Content-Encoding: gzip does not decompress",
    "http-bad-encoding": "a body labelled deflate/br does not decompress",
    # relations between records
    "warc-no-warcinfo": "the file does not start with a warcinfo record",
    "warc-warcinfo-id": "WARC-Warcinfo-ID is missing or does not name the file's warcinfo",
    "warc-duplicate-id": "two records share a WARC-Record-ID",
    "warc-unpaired-response": "a response has no request record concurrent to it",
    "warc-pair-mismatch": "a request and its response differ in WARC-Date or target URI",
    "warc-revisit-orphan": "a revisit's WARC-Refers-To target is in none of the given files",
    "warc-revisit-digest": "a revisit's payload digest differs from its original's",
    # JSONL
    "jsonl-partial-line": "the last line does not end with a newline (an interrupted write)",
    "jsonl-blank-line": "an empty line",
    "jsonl-bad-utf8": "a line is not UTF-8",
    "jsonl-bad-json": "a line is not a JSON document",
    "record-schema": "a record breaks the record contract (docs/record.md)",
    "jsonl-warc-missing": "the WARC file a record points to cannot be found",
    "jsonl-warc-pointer": "no complete WARC record lies at the record's warc offset/length",
    "jsonl-warc-type": "the record's warc pointer opens a record that is not a response",
    "jsonl-warc-id": "the WARC-Record-ID at the pointer differs from warc.record_id",
    "jsonl-warc-uri": "the pointer's WARC-Target-URI differs from url and no redirect joins them",
    "jsonl-fetched-at": "fetched_at differs from the response's WARC-Date",
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

    def __str__(self) -> str:
        return f"{self.path}:{self.location}: {self.code}: {self.message}"


@dataclass
class ValidationReport:
    """What ``validate_paths`` found; ``render()`` is what ``newsarchive validate`` prints."""

    problems: list[Problem] = field(default_factory=list)
    warc_files: int = 0
    warc_records: int = 0
    jsonl_files: int = 0
    jsonl_records: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def exit_status(self) -> int:
        """The process exit status for this report: 0 when clean, 1 when there are problems."""
        return 0 if self.ok else 1

    @property
    def exit_code(self) -> int:
        """Same as ``exit_status``."""
        return self.exit_status

    def codes(self) -> set[str]:
        """The distinct problem codes in the report."""
        return {problem.code for problem in self.problems}

    def lines(self) -> list[str]:
        """One ``path:location: code: message`` line per problem."""
        return [str(problem) for problem in self.problems]

    def summary(self) -> str:
        """The closing summary line."""
        return (
            f"checked {self.warc_files} WARC files ({self.warc_records} records), "
            f"{self.jsonl_files} JSONL files ({self.jsonl_records} records): "
            f"{len(self.problems)} problems"
        )

    def render(self) -> str:
        """Every problem line, then the summary line; ends with a newline."""
        return "\n".join([*self.lines(), self.summary()]) + "\n"
