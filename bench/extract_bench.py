"""Benchmark generic extraction against trafilatura on a corpus of real pages.

Usage::

    python bench/extract_bench.py [CORPUS_DIR] [--half a|b] [--only ours,trafilatura,htmldate]

``CORPUS_DIR`` (default ``../shared/corpus`` relative to the repository root) holds
``articles-dev/``, ``dates-dev/`` and ``titles-dev/`` (any folder with
``ground-truth.json`` and ``html/{id}.html.gz`` is used: a folder whose truth has
``articleBody`` scores bodies, ``date`` scores days (the dates folder only, when there is
one), ``title`` scores titles).

Each extractor runs in its own subprocess pinned to one core, over the same pages in the
same run: the page is read and decompressed outside the clock, then parse + extract is
timed (wall time). Peak memory is the worker's peak resident set (``ru_maxrss``), which
includes the interpreter and the extractor's imports. trafilatura (a bench-only
dependency) runs with its documented defaults: ``bare_extraction(html, url=url,
with_metadata=True, include_comments=False)`` (comments off, as in the
article-extraction-benchmark's own trafilatura runner); when it returns nothing, its
``extract_metadata`` supplies title and date. Its date is htmldate's extensive search
(trafilatura's default date parameters). ``htmldate`` is also run alone
(``find_date(html, url=url, extensive_search=True, original_date=True)``, the parameters
trafilatura passes it) on the dates folder.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scoring import body_scores, page_f1, same_day, same_title  # noqa: E402

EXTRACTORS = ("ours", "trafilatura", "htmldate")


def load_pages(corpus: Path, half: str) -> list[dict]:
    """Every page of the corpus folders (without the HTML), optionally one half of them."""
    pages = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "ground-truth.json").is_file()):
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id, fields in sorted(truth.items()):
            if half != "all":
                bit = hashlib.sha1(page_id.encode()).digest()[0] & 1
                if (bit == 0) != (half == "a"):
                    continue
            path = folder / "html" / f"{page_id}.html.gz"
            if path.is_file():
                pages.append(
                    {"set": folder.name, "id": page_id, "path": str(path), "truth": fields}
                )
    return pages


def _make_extractor(name: str):
    """Return ``fn(html_bytes, url) -> {"body", "title", "published"}``."""
    if name == "ours":
        from newsarchive.extractors.generic import extract_generic

        def run(html: bytes, url: str) -> dict:
            rec = extract_generic(html, url)
            return {"body": rec["body"], "title": rec["title"], "published": rec["published"]}

        return run
    if name == "trafilatura":
        import trafilatura
        from trafilatura.utils import decode_file

        def run(html: bytes, url: str) -> dict:
            doc = trafilatura.bare_extraction(
                html, url=url, with_metadata=True, include_comments=False
            )
            if doc is not None and not isinstance(doc, dict):
                doc = doc.as_dict()
            if doc is None:
                meta = trafilatura.extract_metadata(decode_file(html), default_url=url)
                return {"body": "", "title": meta.title, "published": meta.date}
            return {
                "body": doc.get("text") or "",
                "title": doc.get("title"),
                "published": doc.get("date"),
            }

        return run
    if name == "htmldate":
        from htmldate import find_date

        def run(html: bytes, url: str) -> dict:
            return {
                "body": None,
                "title": None,
                "published": find_date(html, url=url, extensive_search=True, original_date=True),
            }

        return run
    raise ValueError(name)


def worker(name: str, pages_file: str, out_file: str) -> None:
    """Run one extractor over the pages, timing parse + extract per page."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pages = json.loads(Path(pages_file).read_text(encoding="utf-8"))
    run = _make_extractor(name)
    results = {}
    total = 0.0
    for page in pages:
        with gzip.open(page["path"], "rb") as f:
            html = f.read()
        url = page["truth"].get("url") or ""
        start = time.perf_counter()
        try:
            out = run(html, url)
        except Exception as exc:  # a crash is a miss, reported
            out = {"body": "", "title": None, "published": None, "error": repr(exc)}
        total += time.perf_counter() - start
        results[f"{page['set']}/{page['id']}"] = out
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out_file).write_text(
        json.dumps({"results": results, "seconds": total, "peak_kb": peak_kb}),
        encoding="utf-8",
    )


def run_worker(name: str, pages: list[dict]) -> dict:
    """Run ``worker`` in a fresh subprocess and return its output."""
    with tempfile.TemporaryDirectory() as tmp:
        pages_file = Path(tmp) / "pages.json"
        out_file = Path(tmp) / "out.json"
        pages_file.write_text(json.dumps(pages), encoding="utf-8")
        subprocess.run(
            [sys.executable, __file__, "--worker", name, str(pages_file), str(out_file)],
            check=True,
            cwd=REPO,
        )
        return json.loads(out_file.read_text(encoding="utf-8"))


def score(pages: list[dict], output: dict) -> dict:
    """Body F1, day accuracy, title accuracy over the pages that have each truth."""
    results = output["results"]
    sets = {p["set"] for p in pages}
    date_set = "dates-dev" if "dates-dev" in sets else None
    bodies, days, titles = [], [], []
    for p in pages:
        r = results.get(f"{p['set']}/{p['id']}")
        if r is None:
            continue
        t = p["truth"]
        if "articleBody" in t and r.get("body") is not None:
            bodies.append((t["articleBody"], r["body"]))
        if "date" in t and (date_set is None or p["set"] == date_set):
            days.append(same_day(t["date"], r.get("published")))
        if "title" in t and "articleBody" not in t and p["set"] != date_set:
            titles.append(same_title(t["title"], r.get("title")))
    out: dict = {"pages": len(results), "seconds": output["seconds"], "peak_kb": output["peak_kb"]}
    out["pages_per_s"] = len(results) / output["seconds"] if output["seconds"] else 0.0
    if bodies:
        out.update({f"body_{k}": v for k, v in body_scores(bodies).items()})
        out["body_n"] = len(bodies)
    if days:
        out["day_acc"] = sum(days) / len(days)
        out["day_n"] = len(days)
    if titles and any(r.get("title") is not None for r in results.values()):
        out["title_acc"] = sum(titles) / len(titles)
        out["title_n"] = len(titles)
    return out


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(scores: dict[str, dict]) -> None:
    """One row per extractor."""
    head = f"{'extractor':<12} {'body F1':>8} {'P':>6} {'R':>6} {'day acc':>8} {'title acc':>9}"
    head += f" {'pages/s':>8} {'peak MB':>8} {'pages':>6}"
    print(head)
    for name, s in scores.items():
        print(
            f"{name:<12} {_fmt(s.get('body_f1'), '.4f'):>8}"
            f" {_fmt(s.get('body_precision'), '.3f'):>6}"
            f" {_fmt(s.get('body_recall'), '.3f'):>6} {_fmt(s.get('day_acc'), '.4f'):>8}"
            f" {_fmt(s.get('title_acc'), '.4f'):>9} {s['pages_per_s']:>8.1f}"
            f" {s['peak_kb'] / 1024:>8.1f} {s['pages']:>6}"
        )


def dump_misses(pages: list[dict], output: dict, path: Path) -> None:
    """Write the pages each score misses (for development; paths only, no page text)."""
    results = output["results"]
    rows = []
    for p in pages:
        r = results.get(f"{p['set']}/{p['id']}") or {}
        t = p["truth"]
        row = {"set": p["set"], "id": p["id"], "url": t.get("url")}
        if "articleBody" in t:
            row["f1"] = round(page_f1(t["articleBody"], r.get("body")), 3)
        if "date" in t:
            row.update(date_truth=t["date"], date=r.get("published"))
        if "title" in t:
            row.update(
                title_ok=same_title(t["title"], r.get("title")),
                title=r.get("title"),
                title_truth=t["title"],
            )
        if "error" in r:
            row["error"] = r["error"]
        rows.append(row)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument(
        "--half",
        choices=("all", "a", "b"),
        default="all",
        help="score one half of the pages (split by a hash of the page id)",
    )
    parser.add_argument(
        "--only", default=",".join(EXTRACTORS), help="comma-separated extractors to run"
    )
    parser.add_argument("--dump", type=Path, help="folder for per-page results (development)")
    parser.add_argument("--json", type=Path, help="write the scores as JSON")
    parser.add_argument(
        "--worker", nargs=3, metavar=("NAME", "PAGES", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return 0
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        parser.error(f"no corpus folder at {corpus}")
    pages = load_pages(corpus, args.half)
    names = [n for n in args.only.split(",") if n]
    scores = {}
    for name in names:
        todo = pages
        if name == "htmldate":
            todo = [p for p in pages if p["set"] == "dates-dev"] or pages
        output = run_worker(name, todo)
        scores[name] = score(todo, output)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            dump_misses(todo, output, args.dump / f"{name}.json")
    print(
        f"corpus {corpus} ({len(pages)} pages, half={args.half}), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M}Z, python {sys.version.split()[0]}"
    )
    print_table(scores)
    if args.json:
        args.json.write_text(json.dumps(scores, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
