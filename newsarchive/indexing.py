"""Indexes and packages for replay: a CDXJ index (pywb) and a WACZ file (ReplayWeb.page).

``write_cdxj`` uses the ``cdxj-indexer`` package and ``pack_wacz`` the ``wacz`` package (both
from PyPI); each is imported only when called, so the rest of newsarchive works without them.
Both raise ``IndexingError`` with a one-line reason on bad input.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.http.codings import register_with_warcio
from newsarchive.names import JSONL_DIR, JSONL_SUFFIX, WARC_DIR, is_archive, is_open
from newsarchive.schema import parse_utc_timestamp
from newsarchive.warc.reader import iter_records

PAGES_MEMBER = "pages/pages.jsonl"


class IndexingError(Exception):
    """Indexing or packing failed; the message says why, in one line."""


# -- CDXJ ----------------------------------------------------------------------------------


def write_cdxj(
    warc_files: Iterable[Path | str], out_path: Path | str, *, dir_root: Path | str | None = None
) -> int:
    """Write a sorted CDXJ index (pywb's format) of the WARC files; return its line count.

    Directories among ``warc_files`` are searched for ``*.warc.gz``/``*.warc``. Each line
    names the WARC file by its base name, or by its path relative to ``dir_root`` if given.
    Response, revisit, resource and metadata records are indexed (as ``cdxj-indexer`` does by
    default). The file is written atomically. The indexer is lenient: check the files with
    ``newsarchive.validate`` first when their soundness matters.
    """
    indexer_class = _cdxj_indexer_class()
    register_with_warcio()  # br and zstd bodies are indexed decoded, as gzip and deflate
    inputs = _expand_warcs(warc_files)
    if not inputs:
        raise IndexingError("no WARC files to index")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    os.close(fd)
    indexer = None
    try:
        indexer = indexer_class(
            tmp_name,
            [str(path) for path in inputs],
            sort=True,
            dir_root=str(dir_root) if dir_root is not None else None,
        )
        indexer.process_all()
        with open(tmp_name, encoding="utf-8") as fh:
            count = sum(1 for _ in fh)
        os.replace(tmp_name, out)
    except Exception as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        where = getattr(indexer, "curr_filename", None) or "the WARC files"
        raise IndexingError(f"cannot index {where}: {_one_line(exc)}") from exc
    return count


def _cdxj_indexer_class() -> type:
    try:
        from cdxj_indexer.main import CDXJIndexer
    except ImportError as exc:
        raise IndexingError(
            "the 'cdxj-indexer' package is not installed (pip install cdxj-indexer)"
        ) from exc

    class _Indexer(CDXJIndexer):
        # Importing the wacz package appends "warcinfo" to CDXJIndexer.DEFAULT_RECORDS for
        # the whole process; this class keeps the plain cdxj-indexer default.
        DEFAULT_RECORDS = ["response", "revisit", "resource", "metadata"]

    return _Indexer


def _expand_warcs(paths: Iterable[Path | str]) -> list[Path]:
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and is_archive(p, include_open=False)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise IndexingError(f"{path}: no such file or directory")
    return found


# -- WACZ ----------------------------------------------------------------------------------


@dataclass
class PackResult:
    """What ``pack_wacz`` put in the WACZ, and what it had to leave out."""

    path: Path
    warc_files: list[Path]
    pages: int
    unmatched_pages: list[str] = field(default_factory=list)  # "ts url" with no response
    skipped_lines: int = 0  # JSONL lines that were not complete records
    skipped_open: list[Path] = field(default_factory=list)  # unclosed .open WARCs

    def warnings(self) -> list[str]:
        """One line per thing the caller should know about (empty when all went in)."""
        lines = []
        if self.skipped_open:
            names = ", ".join(p.name for p in self.skipped_open)
            lines.append(f"left out {len(self.skipped_open)} unclosed WARC file(s): {names}")
        if self.skipped_lines:
            lines.append(f"skipped {self.skipped_lines} JSONL line(s) that are not records")
        if self.unmatched_pages:
            lines.append(
                f"{len(self.unmatched_pages)} page(s) have no archived response at their "
                f"fetched_at: {', '.join(self.unmatched_pages[:3])}"
            )
        if not self.pages:
            lines.append("the WACZ has no pages list (no JSONL records matched)")
        return lines


def pack_wacz(
    archive_dir: Path | str, out_path: Path | str, *, title: str | None = None
) -> PackResult:
    """Package ``archive_dir`` (the crawl output folder) as a WACZ file at ``out_path``.

    The WARC files come from ``DIR/warc/`` (unclosed ``.open`` files are left out), and the
    pages list has one page per record in ``DIR/jsonl/*.jsonl`` whose capture the WARC files
    hold (read with :mod:`newsarchive.warc.reader`; the others are ``unmatched_pages``):
    its ``url``, ``title`` and ``ts`` (the record's ``fetched_at``), with the record's WARC
    record id as page id. The
    WACZ (indexes, pages, datapackage with hashes) is made by the ``wacz`` package and
    written atomically.
    """
    root = Path(archive_dir)
    warc_dir = root / WARC_DIR
    if not warc_dir.is_dir():
        raise IndexingError(f"{root}: no warc/ folder (is this a newsarchive output folder?)")
    warcs = sorted(
        p for p in warc_dir.iterdir() if p.is_file() and is_archive(p, include_open=False)
    )
    skipped_open = sorted(p for p in warc_dir.iterdir() if is_open(p))
    if not warcs:
        raise IndexingError(f"{warc_dir}: no closed WARC files to pack")
    pages, skipped_lines = collect_pages(root / JSONL_DIR)
    captured = archived_pages(warcs)
    unmatched = [
        f"{page['ts']} {page['url']}"
        for page in pages
        if (_ts14(page["ts"]), page["url"]) not in captured
    ]
    pages = [page for page in pages if (_ts14(page["ts"]), page["url"]) in captured]
    wacz_main = _wacz_main()
    register_with_warcio()  # wacz reads the WARC files with warcio in this process
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        _write_pages(pages_file, pages)
        tmp_out = out.parent / f".{out.name}.tmp"
        args = ["create", "-o", str(tmp_out), "--title", title or f"newsarchive {root.name}"]
        if pages:
            args += ["-p", str(pages_file)]
        args += [str(path) for path in warcs]
        status, output = _run_quietly(wacz_main, args)
        if status != 0:
            with contextlib.suppress(OSError):
                tmp_out.unlink()
            raise IndexingError(f"wacz create failed: {_last_line(output)}")
        os.replace(tmp_out, out)
    packed = read_wacz_pages(out)
    return PackResult(out, warcs, len(packed), unmatched, skipped_lines, skipped_open)


def archived_pages(warcs: Iterable[Path]) -> set[tuple[str, str]]:
    """``(YYYYMMDDhhmmss, url)`` of every response and revisit in the files, read with the
    one WARC reader: a page is listed only when a capture of it is archived at its
    ``fetched_at``. A file that cannot be read wholly gives what it gave up to there."""
    found: set[tuple[str, str]] = set()
    for path in warcs:
        try:
            for record, _ in iter_records(path):
                if record.rec_type in ("response", "revisit"):
                    found.add((_ts14(record.get("WARC-Date")), record.target_uri))
        except Exception:  # noqa: S112 - wacz reports unreadable files itself
            continue
    return found


def collect_pages(jsonl_dir: Path) -> tuple[list[dict[str, Any]], int]:
    """One page ``{url, title, ts, id}`` per readable record in ``jsonl_dir``; and the skips."""
    pages: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    skipped = 0
    if not jsonl_dir.is_dir():
        return pages, skipped
    for path in sorted(jsonl_dir.glob("*" + JSONL_SUFFIX)):
        data = path.read_bytes()
        lines = data.split(b"\n")
        if not data.endswith(b"\n") and lines[-1]:
            skipped += 1  # an interrupted last line
        for raw in lines[:-1]:
            page = _page_from_line(raw)
            if page is None:
                skipped += raw.strip() != b""
                continue
            key = (page["ts"], page["url"])
            if key not in seen:
                seen.add(key)
                pages.append(page)
    return pages, skipped


def _page_from_line(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    url, title = record.get("url"), record.get("title")
    fetched_at = record.get("fetched_at")
    fetched = parse_utc_timestamp(fetched_at) if isinstance(fetched_at, str) else None
    if not isinstance(url, str) or not url or fetched is None:
        return None
    page: dict[str, Any] = {
        "url": url,
        "title": title if isinstance(title, str) and title else url,
        "ts": fetched.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    warc = record.get("warc")
    record_id = warc.get("record_id") if isinstance(warc, dict) else None
    if isinstance(record_id, str) and record_id.startswith("<urn:uuid:"):
        page["id"] = record_id[len("<urn:uuid:") : -1]
    return page


def _write_pages(path: Path, pages: list[dict[str, Any]]) -> None:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Pages"}
    with path.open("w", encoding="utf-8") as fh:
        for item in (header, *pages):
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def read_wacz_pages(wacz_path: Path | str) -> list[dict[str, Any]]:
    """The pages (header line left out) listed in a WACZ's ``pages/pages.jsonl``."""
    with zipfile.ZipFile(wacz_path) as archive:
        if PAGES_MEMBER not in archive.namelist():
            return []
        text = archive.read(PAGES_MEMBER).decode("utf-8")
    pages = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [page for page in pages if "format" not in page]


def validate_wacz(wacz_path: Path | str) -> tuple[bool, str]:
    """Run the ``wacz`` package's own validation; return (valid, what it printed)."""
    path = Path(wacz_path)
    if not path.is_file():
        return False, f"{path}: no such file"
    try:
        zipfile.ZipFile(path).close()
    except (zipfile.BadZipFile, OSError) as exc:
        return False, f"{path}: not a zip file ({exc})"
    status, output = _run_quietly(_wacz_main(), ["validate", "-f", str(path)])
    return status == 0, output


def _wacz_main() -> Any:
    try:
        from wacz.main import main
    except ImportError as exc:
        raise IndexingError("the 'wacz' package is not installed (pip install wacz)") from exc
    return main


def _run_quietly(func: Any, args: list[str]) -> tuple[int, str]:
    """Call a CLI ``main(args)`` with its stdout/stderr captured; exceptions become status 1."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            status = func(args)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # the wacz package raises bare exceptions on bad WARCs
        buffer.write(f"\n{type(exc).__name__}: {_one_line(exc)}\n")
        status = 1
    return int(status or 0), buffer.getvalue()


def _ts14(value: Any) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return digits[:14]


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _one_line(exc: BaseException | str, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
