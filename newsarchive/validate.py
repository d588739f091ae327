"""``newsarchive validate``: check WARC and JSONL files and say what is wrong.

``validate_paths`` takes files and directories (walked recursively) and returns a
``ValidationReport``; ``report.render()`` is the text to print and ``report.exit_status``
the process exit status: 1 when an error was found (with ``strict``, a warning too), else
0. Every finding has a severity (:data:`~newsarchive.validation.report.CODES`): an
**error** is damage (bad gzip, a cut file, a digest matching neither convention), a
**warning** is legal but weak (no warcinfo, an unpaired response, a legacy payload
digest, an ``.open`` file), a **note** is for information (an ARC file). WARC files are
read with the strict streaming mode of :mod:`newsarchive.warc.reader`, so memory stays
flat in record size; ARC files through warcio. Bad input never raises: every failure
becomes a problem line.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from pathlib import Path

from newsarchive.names import JSONL_SUFFIX, final_name, is_archive
from newsarchive.validation.index import ArchiveIndex
from newsarchive.validation.jsonlcheck import check_jsonl_file
from newsarchive.validation.relations import check_relations
from newsarchive.validation.report import CODES, Problem, ValidationReport
from newsarchive.validation.warccheck import check_arc_file, check_warc_file

__all__ = ["CODES", "Problem", "ValidationReport", "validate_paths", "classify"]


def classify(path: Path) -> str | None:
    """ "warc", "arc", "jsonl" or None, by file name (:mod:`newsarchive.names`)."""
    if is_archive(path):
        name = final_name(path).lower()
        return "arc" if name.endswith((".arc", ".arc.gz")) else "warc"
    if path.name.lower().endswith(JSONL_SUFFIX):
        return "jsonl"
    return None


def validate_paths(paths: Iterable[Path | str], *, strict: bool = False) -> ValidationReport:
    """Check the given WARC/ARC/JSONL files and every such file under the given
    directories; with ``strict``, warnings fail the report too."""
    report = ValidationReport(strict=strict)
    warcs: list[tuple[Path, str]] = []
    jsonls: list[tuple[Path, str]] = []
    for given in paths:
        _collect(Path(given), warcs, jsonls, report)
    warcs, jsonls = _unique(warcs), _unique(jsonls)
    index = ArchiveIndex()
    order: dict[str, int] = {}
    for path, shown in warcs:
        order.setdefault(shown, len(order))
        report.warc_files += 1
        check = check_arc_file if classify(path) == "arc" else check_warc_file
        report.warc_records += _guarded(
            report,
            shown,
            lambda p=path, s=shown, c=check: c(p, s, index, _emitter(report, s)),
        )
    _guarded(report, "(all WARC files)", lambda: check_relations(index, _emit_at(report)))
    for path, shown in jsonls:
        order.setdefault(shown, len(order))
        report.jsonl_files += 1
        report.jsonl_records += _guarded(
            report, shown, lambda p=path, s=shown: check_jsonl_file(p, index, _emitter(report, s))
        )
    report.problems.sort(key=lambda p: (order.get(p.path, -1), p.location))
    return report


def _collect(
    path: Path,
    warcs: list[tuple[Path, str]],
    jsonls: list[tuple[Path, str]],
    report: ValidationReport,
) -> None:
    shown = str(path)
    try:
        if path.is_dir():
            found = 0
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                kind = classify(child)
                if kind:
                    found += 1
                    (jsonls if kind == "jsonl" else warcs).append((child, str(child)))
            if not found:
                report.problems.append(
                    Problem(shown, 0, "path-empty", "no WARC or JSONL file in this directory")
                )
        elif path.is_file():
            kind = classify(path)
            if kind is None:
                report.problems.append(
                    Problem(
                        shown,
                        0,
                        "path-unknown-type",
                        "not a WARC/ARC (.warc, .warc.gz, .arc, .arc.gz, .open) or JSONL "
                        "(.jsonl) file",
                    )
                )
            else:
                (jsonls if kind == "jsonl" else warcs).append((path, shown))
        else:
            report.problems.append(Problem(shown, 0, "path-missing", "no such file or directory"))
    except OSError as exc:
        report.problems.append(Problem(shown, 0, "path-missing", f"cannot read: {exc}"))


def _unique(found: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Drop files named twice (a folder and a file in it), keeping the first mention."""
    seen: set[Path] = set()
    unique = []
    for path, shown in found:
        try:
            key = path.resolve()
        except OSError:
            key = path
        if key not in seen:
            seen.add(key)
            unique.append((path, shown))
    return unique


def _emitter(report: ValidationReport, shown: str):
    def emit(location: int, code: str, message: str) -> None:
        report.problems.append(Problem(shown, location, code, _one_line(message)))

    return emit


def _emit_at(report: ValidationReport):
    def emit(path: str, location: int, code: str, message: str) -> None:
        report.problems.append(Problem(path, location, code, _one_line(message)))

    return emit


def _guarded(report: ValidationReport, shown: str, check) -> int:
    """Run one check; turn any exception into an ``internal-error`` problem."""
    try:
        return check() or 0
    except Exception as exc:  # bad input must never crash the validator
        where = traceback.extract_tb(exc.__traceback__)[-1]
        report.problems.append(
            Problem(
                shown,
                0,
                "internal-error",
                f"{type(exc).__name__}: {_one_line(str(exc))} "
                f"(at {Path(where.filename).name}:{where.lineno}); rest of this file not checked",
            )
        )
        return 0


def _one_line(message: str) -> str:
    return " ".join(message.split())
