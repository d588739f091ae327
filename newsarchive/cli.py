"""The ``newsarchive`` command line.

``parse_args(argv)`` only parses and checks (a bad argument is one line on stderr and exit
2, before anything starts); ``main(argv)`` runs and returns the exit status, so tests call
either without a subprocess. The exit statuses are :data:`newsarchive.report.EXIT_CODES`
(``newsarchive crawl --help`` lists them; also in ``docs/cli.md``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsarchive import __version__
from newsarchive.cliargs import (
    OneLineParser,
    check_settings,
    day,
    duration,
    http_url,
    log_level,
    positive_int,
)
from newsarchive.errors import StartError, UsageError
from newsarchive.projectsettings import SETTINGS_MODULE
from newsarchive.report import EXIT_START_FAILED, EXIT_USAGE, exit_code_table


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="newsarchive",
        description="Archive news sites as WARC files and one JSON record per article.",
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser
    )

    crawl = sub.add_parser(
        "crawl",
        help="crawl sites into an output folder",
        description="Crawl the named sites (trend, bakutel, ...) into DIR.",
        epilog=exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crawl.add_argument("sites", nargs="+", metavar="SITE", help="spider names")
    crawl.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="URL",
        help="replace the site's home URL (a local copy of the site); repeat for several "
        "roots (Trend: one per edition); with several sites write SITE=URL",
    )
    crawl.add_argument("--out", type=Path, default=Path("archives"), metavar="DIR")
    crawl.add_argument("--max-articles", type=positive_int, default=None, metavar="N")
    crawl.add_argument(
        "--max-runtime",
        type=duration,
        default=None,
        metavar="DURATION",
        help="stop after this long (600, 15m, 2h), resumable by the next run (exit 5)",
    )
    crawl.add_argument(
        "--recheck",
        choices=("due", "all", "none"),
        default=None,
        help="known articles fetched again: due (default: on their schedule, or when a "
        "sitemap or feed says they changed), all, or none",
    )
    crawl.add_argument(
        "--since",
        type=day,
        default=None,
        metavar="YYYY-MM-DD",
        help="walk only sitemaps modified since this day (default: the last 30 days on a "
        "site crawled before, all on a first crawl)",
    )
    crawl.add_argument(
        "--log-level", type=log_level, default="INFO", help="log file level (default INFO)"
    )
    crawl.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy or NEWSARCHIVE_* setting (repeatable)",
    )

    _add_ops_commands(sub, crawl)
    _add_research_commands(sub)

    demo = sub.add_parser(
        "demo",
        help="serve the bundled replica sites on 127.0.0.1 and archive them",
        description="Serve the bundled replica of both sites on 127.0.0.1 and crawl it.",
        epilog=exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--out", type=Path, default=Path("archives"), metavar="DIR")
    demo.add_argument("--max-articles", type=positive_int, default=None, metavar="N")
    demo.add_argument(
        "--log-level", type=log_level, default="INFO", help="log file level (default INFO)"
    )

    extract = sub.add_parser(
        "extract",
        help="re-extract article records from WARC/ARC files, without the network",
        description="Re-extract the article records from archived responses (revisits "
        "resolved to their originals): the records the crawl wrote, fetched_at and warc "
        "included. Archive files (.warc.gz, .warc, .arc, .arc.gz, .open) or folders of "
        "them. Exit 0: records written, nothing failed; 1: records written, but a file "
        "could not be read or a capture was left out; 4: no record; 3: output unwritable.",
    )
    extract.add_argument("warcs", nargs="+", type=Path, metavar="ARCHIVE")
    extract.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the records to FILE (JSON Lines, replaced) instead of stdout",
    )
    extract.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting, as with crawl (SPIDER_MODULES finds spiders outside "
        "the project; repeatable)",
    )

    history = sub.add_parser(
        "history",
        help="an article's versions, their capture times and a word diff of each change",
        description="Print every version of the article at URL in the crawl output DIR "
        "(its records in DIR/jsonl/, by canonical URL): capture time, WARC pointer, and a "
        "word diff ([-removed-] {+added+}) of the title and body against the version "
        "before. Exit 0: printed; 4: no record of URL; 3: DIR is not a crawl output.",
    )
    history.add_argument("dir", type=Path, metavar="DIR")
    history.add_argument("url", metavar="URL")
    history.add_argument(
        "--json", action="store_true", help="print the versions' records as JSON Lines instead"
    )

    validate = sub.add_parser(
        "validate",
        help="check WARC, ARC and JSONL files",
        description="Check WARC files (and ARC and JSONL files) and say what is wrong: one "
        "line per finding, each an error, a warning or a note. Exit 1 when there is an "
        "error (with --strict, a warning too), else 0.",
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    validate.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) on warnings too: legacy payload digests, no warcinfo, ...",
    )

    pack = sub.add_parser(
        "pack",
        help="package an output folder as a WACZ (with a CDXJ index and a pages list)",
        description="Write DIR's WARC files, a CDXJ index and a pages list (from the JSONL "
        "records) into one WACZ file that pywb and ReplayWeb.page load.",
    )
    pack.add_argument("dir", type=Path, metavar="DIR")
    pack.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="the WACZ to write (default DIR/DIRNAME.wacz)",
    )
    pack.add_argument("--title", default=None, help="the collection's title")
    return parser


# --- operations (#12): `crawl --frontier`, `run PLAN`, `status DIR` --------------------


def _add_ops_commands(sub: Any, crawl: argparse.ArgumentParser) -> None:
    from newsarchive.ops.runner import EXIT_TABLE

    crawl.add_argument(
        "--frontier",
        default=None,
        metavar="URL",
        help="crawl as one worker of a shared frontier: redis://HOST:PORT/DB (one request "
        "queue and seen-set for every worker of the site, on any machine; docs/ops.md)",
    )
    run = sub.add_parser(
        "run",
        help="start the due sites of a crawl plan, each in its own process",
        description="Start every site of the TOML crawl PLAN that is due, each in its own "
        "process, at most --jobs at once, all into one output folder (one lock per site). "
        "For cron: nothing due exits 0 at once; overlapping calls never start a site "
        "twice. One line per site on stdout. See docs/ops.md.",
        epilog=EXIT_TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("plan", type=Path, metavar="PLAN", help="the crawl plan (TOML)")
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: the plan's out, else ./archives)",
    )
    run.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="sites at once (default: cores)"
    )
    run.add_argument(
        "--site", action="append", default=[], metavar="NAME", help="only this site (repeatable)"
    )
    run.add_argument("--force", action="store_true", help="start the sites even if not due")
    status = sub.add_parser(
        "status",
        help="per site: last run, its outcome, next due, articles",
        description="Show each site of output folder DIR: its last run, that run's "
        "outcome, when it is due next (with --plan) and the articles its runs stored.",
    )
    status.add_argument("dir", type=Path, metavar="DIR")
    status.add_argument("--plan", type=Path, default=None, help="the crawl plan (schedules)")
    status.add_argument("--json", action="store_true", help="one JSON object per site")


def _ops(args: argparse.Namespace) -> int | None:
    """Run the operations commands; None for the others."""
    if args.command not in ("run", "status"):
        return None
    from newsarchive.ops.plan import PlanError, load_plan

    try:
        plan = load_plan(args.plan) if args.plan is not None else None
    except PlanError as exc:
        raise UsageError(str(exc)) from exc
    if args.command == "status":
        from newsarchive.ops.status import print_status

        return print_status(args.dir, plan, as_json=args.json)
    from newsarchive.ops.runner import run_plan

    assert plan is not None
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    unknown = [name for name in args.site if plan.site(name) is None]
    if unknown:
        raise UsageError(f"--site {', '.join(unknown)}: not in {args.plan}")
    out = args.out or plan.out or Path("archives")
    try:
        return run_plan(plan, out, jobs=args.jobs, sites=args.site, force=args.force)
    except (OSError, TimeoutError) as exc:
        raise StartError(f"{out}: {exc}") from exc


# --- end of operations ------------------------------------------------------------------


# --- research (#13): `export DIR`, `report DIR` ----------------------------------------


def _add_research_commands(sub: Any) -> None:
    from newsarchive.export import FORMATS

    export = sub.add_parser(
        "export",
        help="write an archive's records as typed tables (Parquet, CSV, JSON Lines)",
        description="Write the records of DIR (an output folder, a folder of .jsonl files "
        "or one .jsonl file) as three tidy tables in OUT: articles (one row per article "
        "version), rates (one row per currency cell) and headlines (one row per headline "
        "link), plus datapackage.json describing them. Each file appears complete or not at "
        "all. Exit 0: written; 1: written, but some lines were not usable records; 3: OUT "
        "not writable; 4: no record. See docs/datasets.md.",
    )
    export.add_argument("dir", type=Path, metavar="DIR")
    export.add_argument("--format", choices=list(FORMATS), default="parquet")
    export.add_argument(
        "-o", "--output", type=Path, required=True, metavar="OUT", help="the folder to write"
    )
    export.add_argument(
        "--latest",
        action="store_true",
        help="articles: only each article's latest version (rates and headlines keep every "
        "capture)",
    )
    report = sub.add_parser(
        "report",
        help="one self-contained HTML page about an output folder",
        description="Write one HTML page (no network needed to view it) about output "
        "folder DIR: articles per day per site, field coverage per run, rates over capture "
        "time, errors and drift per run, the archive's size. Exit 0: written; 3: OUT not "
        "writable; 4: DIR has no run report and no record.",
    )
    report.add_argument("dir", type=Path, metavar="DIR")
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="the page to write (default DIR/report.html)",
    )


def _research(args: argparse.Namespace) -> int | None:
    """Run the research commands; None for the others."""
    if args.command == "export":
        from newsarchive.export import run_export

        return run_export(args.dir, args.output, args.format, latest=args.latest)
    if args.command == "report":
        from newsarchive.htmlreport import run_report

        return run_report(args.dir, args.output or args.dir / "report.html")
    return None


# --- end of research --------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse ``argv`` (without the program name); exits 2 with usage on bad arguments."""
    return build_parser().parse_args(argv)


def roots_by_site(sites: Sequence[str], roots: Sequence[str]) -> dict[str, list[str]]:
    """Assign ``--root`` values to sites: plain URLs need a single site, else ``SITE=URL``."""
    result: dict[str, list[str]] = {}
    for value in roots:
        site, sep, url = value.partition("=")
        if sep and "://" not in site and site in sites:
            result.setdefault(site, []).append(http_url(url))
        elif len(sites) == 1:
            result.setdefault(sites[0], []).append(http_url(value))
        else:
            raise UsageError(f"--root {value!r}: with several sites write SITE=URL")
    return result


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs from ``--set`` into a dict (values stay strings, as with
    ``scrapy -s``; Scrapy's typed getters convert them)."""
    result: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {pair!r}: expected NAME=VALUE")
        result[name.strip()] = value
    return result


def _pack(args: argparse.Namespace) -> int:
    from newsarchive.indexing import IndexingError, pack_wacz

    if not (args.dir / "warc").is_dir():
        raise StartError(f"{args.dir} has no warc/ folder: not a newsarchive output folder")
    output = args.output or args.dir / f"{args.dir.resolve().name}.wacz"
    try:
        result = pack_wacz(args.dir, output, title=args.title)
    except IndexingError as exc:
        raise StartError(str(exc)) from exc
    for warning in result.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{result.path}: {len(result.warc_files)} WARC files, {result.pages} pages")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from newsarchive.validate import validate_paths

        report = validate_paths(args.paths, strict=args.strict)
        print(report.render(), end="")
        return report.exit_status
    if args.command == "pack":
        return _pack(args)
    if args.command == "history":
        from newsarchive.article_history import run_history

        return run_history(args.dir, args.url, as_json=args.json)
    if args.command == "extract":
        from newsarchive.reextract import run_extract

        return run_extract(args.warcs, args.output, parse_settings(args.set))
    ops = _ops(args)
    if ops is not None:
        return ops
    research = _research(args)
    if research is not None:
        return research
    from newsarchive.crawl import CrawlOptions, run_crawl

    if args.command == "crawl":
        from newsarchive import settings as defaults

        overrides = check_settings(parse_settings(args.set), defaults)
        if args.max_runtime:
            overrides["NEWSARCHIVE_MAX_RUNTIME"] = args.max_runtime
        if args.recheck:
            overrides["NEWSARCHIVE_RECHECK"] = args.recheck
        if args.since:
            overrides["NEWSARCHIVE_SINCE"] = args.since
        if args.frontier:  # operations (#12): a worker of a shared frontier
            if not args.frontier.startswith(("redis://", "rediss://", "unix://")):
                raise UsageError(f"--frontier {args.frontier!r}: expected redis://HOST:PORT/DB")
            overrides["NEWSARCHIVE_FRONTIER"] = args.frontier
        options = CrawlOptions(
            sites=list(dict.fromkeys(args.sites)),
            roots=roots_by_site(args.sites, args.root),
            out=args.out,
            max_articles=args.max_articles,
            log_level=args.log_level,
            settings=overrides,
        )
        return run_crawl(options)
    if args.command == "demo":
        from newsarchive.crawl import run_demo

        return run_demo(args.out, max_articles=args.max_articles, log_level=args.log_level)
    raise UsageError(f"unknown command {args.command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    # a dependency's deprecation notice (pyamf, through cdxj-indexer, on setuptools'
    # pkg_resources) is not for whoever reads cron's mail
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    args = parse_args(argv)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StartError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_START_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
