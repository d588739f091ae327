"""Benchmark generic extraction against trafilatura on a corpus of real pages.

Usage::

    python bench/extract_bench.py [CORPUS_DIR] [--part all|a|b] [--only ours,trafilatura,htmldate]

``CORPUS_DIR`` (default ``../shared/corpus`` relative to the repository root) holds
``articles-dev/``, ``dates-dev/`` and ``titles-dev/`` (any folder with
``ground-truth.json`` and ``html/{id}.html.gz`` is used: a folder whose truth has
``articleBody`` scores bodies, ``date`` scores days (the dates folder only, when there is
one), ``title`` scores titles, ``author`` scores authors).

**Parts.** The corpus is split by site so that a rule tuned on one part can be judged on
the other: a page belongs to part ``a`` when the first byte of the SHA-1 of its domain is
even, else to part ``b``. The domain is the host of the page's URL (of the archived page
for a web-archive address), lowercased, without ``www.``; a site's pages, and a page that
is in two folders, always fall in the same part. Part ``a`` is the one extraction rules
are tuned on; part ``b`` is held out. Every extractor runs once over all pages and each
part is scored from the same run (pages per second too, from the per-page times).

**Page kinds.** Scores are also given by folder (``articles``, ``dates``, ``titles``)
and, for authors and the metadata fields, by what the page declares: ``article`` when it
marks itself as one (``og:type`` ``article`` or a JSON-LD ``*Article``/``BlogPosting``
type), else ``other``.

Each extractor runs in its own subprocess pinned to one core, over the same pages in the
same run: the page is read and decompressed outside the clock, then parse + extract is
timed. Pages per second are counted on the CPU time of the worker's thread
(``time.thread_time``), so that other work on a shared machine, which slows both
extractors unevenly, does not count; wall-clock pages per second are printed beside them.
Peak memory is the worker's peak resident set (``ru_maxrss``), which
includes the interpreter and the extractor's imports. trafilatura (a bench-only
dependency) runs with its documented defaults: ``bare_extraction(html, url=url,
with_metadata=True, include_comments=False)`` (comments off, as in the
article-extraction-benchmark's own trafilatura runner); when it returns nothing, its
``extract_metadata`` supplies title, date and author. Its date is htmldate's extensive
search (trafilatura's default date parameters). ``htmldate`` is also run alone
(``find_date(html, url=url, extensive_search=True, original_date=True)``, the parameters
trafilatura passes it) on the dates folder.

Authors are scored exactly, as a set of names (``scoring.author_names``: a truth of "A und
B" equals ``["A", "B"]`` and trafilatura's ``"A; B"``); a page whose truth has no author
counts only when the answer has none. For the other new fields (``modified``,
``description``, ``image``, ``tags``, ``canonical_url``) the corpus has no ground truth:
the bench reports how often each extractor gives one.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scoring import (  # noqa: E402
    body_scores,
    page_f1,
    same_authors,
    same_day,
    same_title,
)

EXTRACTORS = ("ours", "trafilatura", "htmldate")
#: The new record fields whose presence the bench reports.
META_FIELDS = ("authors", "modified", "description", "image", "tags", "canonical_url")
_ARCHIVED = re.compile(r"^[a-z]+://[^/]+/(?:[\w-]+/)?\d{4,14}(?:[a-z]{2}_)?/(?=https?:/)")
_ARTICLE_MARK = re.compile(
    rb"""og:type["']\s+content=["']article|content=["']article["']\s+(?:property|name)=["']og:type"""
    rb"""|"@type"\s*:\s*\[?\s*"(?:\w*Article|BlogPosting|LiveBlogPosting)\"""",
    re.IGNORECASE,
)


def page_domain(url: str) -> str:
    """The site a page belongs to: its URL's host (the archived page's for a web archive
    address), lowercased, without ``www.``."""
    m = _ARCHIVED.match(url or "")
    if m:
        url = url[m.end() :]
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def page_part(url: str) -> str:
    """``"a"`` (tuned on) or ``"b"`` (held out): the parity of the first byte of the
    SHA-1 of :func:`page_domain`."""
    return "ab"[hashlib.sha1(page_domain(url).encode()).digest()[0] & 1]


def load_pages(corpus: Path, part: str = "all") -> list[dict]:
    """Every page of the corpus folders (without the HTML), with its part and kind."""
    pages = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "ground-truth.json").is_file()):
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id, fields in sorted(truth.items()):
            page_part_ = page_part(fields.get("url") or "")
            if part != "all" and page_part_ != part:
                continue
            path = folder / "html" / f"{page_id}.html.gz"
            if not path.is_file():
                continue
            with gzip.open(path, "rb") as f:
                kind = "article" if _ARTICLE_MARK.search(f.read()) else "other"
            pages.append(
                {
                    "set": folder.name,
                    "id": page_id,
                    "path": str(path),
                    "truth": fields,
                    "part": page_part_,
                    "kind": kind,
                }
            )
    return pages


def _make_extractor(name: str):
    """Return ``fn(html_bytes, url) -> {"body", "title", "published", "authors", ...}``."""
    if name == "ours":
        from newsarchive.extractors.generic import extract_generic

        def run(html: bytes, url: str) -> dict:
            rec = extract_generic(html, url)
            out = {"body": rec["body"], "title": rec["title"], "published": rec["published"]}
            out.update({k: rec.get(k) for k in META_FIELDS})
            return out

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
                doc = meta.as_dict()
                doc["text"] = ""
            return {
                "body": doc.get("text") or "",
                "title": doc.get("title"),
                "published": doc.get("date"),
                "authors": doc.get("author"),
                "modified": None,  # trafilatura gives one date only
                "description": doc.get("description"),
                "image": doc.get("image"),
                "tags": (doc.get("tags") or []) + (doc.get("categories") or []),
                "canonical_url": doc.get("url"),
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
    for page in pages:
        with gzip.open(page["path"], "rb") as f:
            html = f.read()
        url = page["truth"].get("url") or ""
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            out = run(html, url)
        except Exception as exc:  # a crash is a miss, reported
            out = {"body": "", "title": None, "published": None, "error": repr(exc)}
        out["cpu_seconds"] = time.thread_time() - cpu
        out["seconds"] = time.perf_counter() - start
        results[f"{page['set']}/{page['id']}"] = out
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out_file).write_text(
        json.dumps({"results": results, "peak_kb": peak_kb}), encoding="utf-8"
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


def _present(value) -> bool:
    return value is not None and value != "" and value != []


def score(pages: list[dict], output: dict) -> dict:
    """Body F1, day, title and author accuracy over the pages that have each truth, the
    share of pages with each new field, pages per second."""
    results = output["results"]
    sets = {p["set"] for p in pages}
    date_set = "dates-dev" if "dates-dev" in sets else None
    bodies, days, titles, authors = [], [], [], []
    seconds = cpu_seconds = 0.0
    done = []
    for p in pages:
        r = results.get(f"{p['set']}/{p['id']}")
        if r is None:
            continue
        done.append(r)
        seconds += r.get("seconds", 0.0)
        cpu_seconds += r.get("cpu_seconds", 0.0)
        t = p["truth"]
        if "articleBody" in t and r.get("body") is not None:
            bodies.append((t["articleBody"], r["body"]))
        if "date" in t and (date_set is None or p["set"] == date_set):
            days.append(same_day(t["date"], r.get("published")))
        if "title" in t and "articleBody" not in t and p["set"] != date_set:
            titles.append(same_title(t["title"], r.get("title")))
        if "author" in t and "authors" in r:
            authors.append(same_authors(t["author"], r.get("authors")))
    out: dict = {
        "pages": len(done),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_kb": output["peak_kb"],
    }
    out["pages_per_s"] = len(done) / cpu_seconds if cpu_seconds else 0.0
    out["wall_pages_per_s"] = len(done) / seconds if seconds else 0.0
    if bodies:
        out.update({f"body_{k}": v for k, v in body_scores(bodies).items()})
        out["body_n"] = len(bodies)
        out["body_empty"] = sum(1 for truth, body in bodies if truth.strip() and not body)
    if days:
        out["day_acc"] = sum(days) / len(days)
        out["day_n"] = len(days)
    if titles and any(r.get("title") is not None for r in done):
        out["title_acc"] = sum(titles) / len(titles)
        out["title_n"] = len(titles)
    if authors:
        out["authors_acc"] = sum(authors) / len(authors)
        out["authors_n"] = len(authors)
    if done and any(name in r for r in done for name in META_FIELDS):
        out["coverage"] = {
            name: sum(1 for r in done if _present(r.get(name))) / len(done) for name in META_FIELDS
        }
    return out


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(title: str, scores: dict[str, dict]) -> None:
    """One row per extractor."""
    print(f"\n{title}")
    head = f"{'extractor':<12} {'body F1':>8} {'P':>6} {'R':>6} {'empty':>5} {'day acc':>8}"
    head += f" {'title acc':>9} {'authors':>8} {'pages/s':>8} {'wall p/s':>8} {'peak MB':>8}"
    head += f" {'pages':>6}"
    print(head)
    for name, s in scores.items():
        print(
            f"{name:<12} {_fmt(s.get('body_f1'), '.4f'):>8}"
            f" {_fmt(s.get('body_precision'), '.3f'):>6}"
            f" {_fmt(s.get('body_recall'), '.3f'):>6} {_fmt(s.get('body_empty'), 'd'):>5}"
            f" {_fmt(s.get('day_acc'), '.4f'):>8}"
            f" {_fmt(s.get('title_acc'), '.4f'):>9} {_fmt(s.get('authors_acc'), '.4f'):>8}"
            f" {s['pages_per_s']:>8.1f} {s['wall_pages_per_s']:>8.1f}"
            f" {s['peak_kb'] / 1024:>8.1f} {s['pages']:>6}"
        )
    if "ours" in scores and "trafilatura" in scores and scores["trafilatura"]["pages_per_s"]:
        ratio = scores["ours"]["pages_per_s"] / scores["trafilatura"]["pages_per_s"]
        wall = scores["ours"]["wall_pages_per_s"] / scores["trafilatura"]["wall_pages_per_s"]
        print(f"speed: ours / trafilatura = {ratio:.2f}x (CPU time), {wall:.2f}x (wall time)")


def print_fields(title: str, rows: dict[str, dict[str, dict]]) -> None:
    """Authors accuracy and the share of pages with each new field, per page group."""
    print(f"\n{title}")
    print(
        f"{'pages':<22} {'extractor':<12} {'authors':>8} {'n':>4} "
        + " ".join(f"{name[:11]:>11}" for name in META_FIELDS)
    )
    for group, scores in rows.items():
        for name, s in scores.items():
            cov = s.get("coverage")
            if cov is None:
                continue
            print(
                f"{group:<22} {name:<12} {_fmt(s.get('authors_acc'), '.4f'):>8}"
                f" {_fmt(s.get('authors_n'), 'd'):>4} "
                + " ".join(f"{cov[field]:>11.3f}" for field in META_FIELDS)
            )


def dump_misses(pages: list[dict], output: dict, path: Path) -> None:
    """Write the pages each score misses (for development; paths only, no page text)."""
    results = output["results"]
    rows = []
    for p in pages:
        r = results.get(f"{p['set']}/{p['id']}") or {}
        t = p["truth"]
        row = {"set": p["set"], "id": p["id"], "part": p["part"], "url": t.get("url")}
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
        if "author" in t and "authors" in r:
            row.update(
                authors_ok=same_authors(t["author"], r.get("authors")),
                authors=r.get("authors"),
                author_truth=t["author"],
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
        "--part",
        choices=("all", "a", "b"),
        default="all",
        help="run on one part of the corpus only (split by site, see above)",
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
    pages = load_pages(corpus, args.part)
    names = [n for n in args.only.split(",") if n]
    outputs: dict[str, tuple[list[dict], dict]] = {}
    for name in names:
        todo = pages
        if name == "htmldate":
            todo = [p for p in pages if p["set"] == "dates-dev"] or pages
        outputs[name] = (todo, run_worker(name, todo))
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            dump_misses(todo, outputs[name][1], args.dump / f"{name}.json")
    print(
        f"corpus {corpus} ({len(pages)} pages, part={args.part}), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M}Z, python {sys.version.split()[0]}"
    )
    parts = ["all", "a", "b"] if args.part == "all" else [args.part]
    report: dict = {}
    for part in parts:
        label = {"all": "all pages", "a": "part a (tuned on)", "b": "part b (held out)"}[part]
        scores = {}
        for name, (todo, output) in outputs.items():
            chosen = [p for p in todo if part == "all" or p["part"] == part]
            scores[name] = score(chosen, output)
        report[part] = scores
        print_table(f"{label}, {sum(1 for p in pages if part in ('all', p['part']))} pages", scores)
    groups: dict[str, dict[str, dict]] = {}
    for part in parts:
        for key, values in (
            ("set", sorted({p["set"] for p in pages})),
            ("kind", ("article", "other")),
        ):
            for value in values:
                group = f"{part}/{value.removesuffix('-dev')}"
                groups[group] = {}
                for name, (todo, output) in outputs.items():
                    if name == "htmldate":
                        continue
                    chosen = [
                        p for p in todo if p[key] == value and (part == "all" or p["part"] == part)
                    ]
                    if chosen:
                        groups[group][name] = score(chosen, output)
    print_fields("authors (exact) and new fields present, by part and page kind", groups)
    report["groups"] = groups
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
