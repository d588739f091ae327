"""``newsarchive report DIR``: one self-contained HTML page about an output folder.

The page needs no network: styles, the charts (inline SVG drawn here, in Python) and a
few lines of script are all inside it; it loads no file, font or script. Its parts:

* articles per publication day per site (the last :data:`DAYS` days that have articles),
  and per year;
* field coverage per run, per site (a heat map; drifted fields outlined);
* rates over capture time: one small chart per site and currency (the most observed);
* errors and drift per run;
* the archive's size: bytes and files per folder, WARC bytes per run.

Every chart is a ``<figure class="chart" data-chart=NAME>``; every data mark in it has a
``data-mark`` attribute. The inline script checks, once the page has loaded, that every
chart is drawn (an ``<svg>`` with a size and at least one mark) and writes the count to
``<body data-charts-drawn=N>``; any script error goes to ``<body data-errors>``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from newsarchive import __version__
from newsarchive.atomicfile import write_text_atomically
from newsarchive.report import COVERAGE_FIELDS
from newsarchive.tables import iter_records, jsonl_files, rate_rows, typed_date

DAYS = 90
"""The articles-per-day chart covers this many days up to the newest publication day."""
MAX_RUNS = 40
"""Runs shown per site in the per-run charts (the newest)."""
MAX_RATE_CHARTS = 8
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
CHART_NAMES = (
    "articles-per-day",
    "articles-per-year",
    "coverage",
    "rates",
    "errors-per-run",
    "archive-size",
)
"""Every chart the page has (``data-chart``), in page order."""


# -- the data ------------------------------------------------------------------------------


@dataclass
class RunRow:
    """One run of one site, from its report."""

    site: str
    run: str
    exit_code: int | None
    summary: str
    articles: int
    errors: int
    warc_bytes: int
    coverage: dict[str, float | None] = field(default_factory=dict)
    coverage_records: int = 0
    drift: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything the page shows, gathered from the folder."""

    folder: Path
    sites: list[str] = field(default_factory=list)
    per_day: dict[str, Counter[date]] = field(default_factory=dict)
    undated: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    rates: dict[tuple[str, str], list[tuple[datetime, float]]] = field(default_factory=dict)
    runs: list[RunRow] = field(default_factory=list)
    sizes: list[tuple[str, int, int]] = field(default_factory=list)
    """(folder or file, bytes, files)."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read_runs(folder: Path) -> list[RunRow]:
    """Every run report in ``folder/reports``, oldest first."""
    rows = []
    for path in sorted((folder / "reports").glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or "run_id" not in data:
            continue
        stats = _dict(data.get("stats"))
        coverage = _dict(data.get("coverage"))
        fields = _dict(coverage.get("fields"))
        rows.append(
            RunRow(
                site=str(data.get("site") or path.stem.rpartition("-")[0]),
                run=str(data["run_id"]),
                exit_code=data.get("exit_code") if isinstance(data.get("exit_code"), int) else None,
                summary=str(data.get("summary") or ""),
                articles=int(data.get("articles") or 0),
                errors=int(data.get("errors") or 0),
                warc_bytes=int(stats.get("newsarchive/warc/bytes") or 0),
                coverage={k: v for k, v in fields.items() if isinstance(v, int | float | None)},
                coverage_records=int(coverage.get("records") or 0),
                drift=list(data.get("drift") or []),
            )
        )
    rows.sort(key=lambda r: (r.run, r.site))
    return rows


def folder_sizes(folder: Path) -> list[tuple[str, int, int]]:
    """(name, bytes, files) of each part of an output folder, largest first."""
    out = []
    for child in sorted(folder.iterdir()) if folder.is_dir() else []:
        if child.name.startswith(".") or child.name == "report.html":
            continue
        if child.is_file():
            out.append((child.name, child.stat().st_size, 1))
            continue
        total = files = 0
        for root, _, names in os.walk(child):
            for name in names:
                try:
                    total += os.stat(os.path.join(root, name)).st_size
                except OSError:
                    continue
                files += 1
        out.append((f"{child.name}/", total, files))
    out.sort(key=lambda item: -item[1])
    return out


def gather(folder: Path) -> ReportData:
    """Read the records, reports and sizes of an output folder."""
    data = ReportData(folder)
    per_day: dict[str, Counter[date]] = defaultdict(Counter)
    rates: dict[tuple[str, str], list[tuple[datetime, float]]] = defaultdict(list)
    for record in iter_records(jsonl_files(folder)):
        site = record["site"]
        data.records[site] += 1
        day = typed_date(record.get("published")).day
        if day is None:
            data.undated[site] += 1
        else:
            per_day[site][day] += 1
        for row in rate_rows(record):
            if row["currency"] and row["rate"] is not None:
                rates[(site, row["currency"])].append((row["fetched_at"], row["rate"]))
    data.per_day = dict(per_day)
    data.rates = dict(rates)
    data.runs = read_runs(folder)
    data.sites = sorted(set(data.records) | {r.site for r in data.runs})
    data.sizes = folder_sizes(folder)
    return data


# -- SVG -----------------------------------------------------------------------------------


@dataclass
class Frame:
    """A chart's plot area: pixel box and the data ranges it maps."""

    width: int
    height: int
    left: int = 56
    right: int = 16
    top: int = 14
    bottom: int = 34
    x0: float = 0.0
    x1: float = 1.0
    y0: float = 0.0
    y1: float = 1.0

    def x(self, value: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return self.left + (value - self.x0) / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return (
            self.height
            - self.bottom
            - (value - self.y0) / span * (self.height - self.top - self.bottom)
        )


def _run_label(run: str) -> str:
    """``20261205165340`` -> ``2026-12-05 16:53``."""
    if len(run) == 14 and run.isdigit():
        return f"{run[:4]}-{run[4:6]}-{run[6:8]} {run[8:10]}:{run[10:12]}"
    return run


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.0f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.4f}".rstrip("0").rstrip(".")


def axes(
    frame: Frame,
    x_labels: Sequence[tuple[float, str]],
    y_ticks: int = 4,
    fmt: Callable[[float], str] | None = None,
) -> list[str]:
    """Axis lines, y grid with values (``fmt``), and the x labels given."""
    fmt = fmt or _fmt
    parts = []
    bottom = frame.height - frame.bottom
    parts.append(
        f'<line class="axis" x1="{frame.left}" y1="{bottom}" x2="{frame.width - frame.right}" '
        f'y2="{bottom}"/>'
    )
    for i in range(y_ticks + 1):
        value = frame.y0 + (frame.y1 - frame.y0) * i / y_ticks
        y = _num(frame.y(value))
        parts.append(
            f'<line class="grid" x1="{frame.left}" y1="{y}" x2="{frame.width - frame.right}" '
            f'y2="{y}"/><text class="tick" x="{frame.left - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(fmt(value))}</text>'
        )
    for value, label in x_labels:
        x = frame.x(value)
        anchor = "middle"
        if x < frame.left + 40:
            anchor = "start"
        elif x > frame.width - frame.right - 40:
            anchor = "end"
        parts.append(
            f'<text class="tick" x="{_num(x)}" y="{bottom + 16}" '
            f'text-anchor="{anchor}">{escape(label)}</text>'
        )
    return parts


def svg(frame: Frame, parts: Iterable[str], label: str) -> str:
    body = "".join(parts)
    return (
        f'<svg width="{frame.width}" height="{frame.height}" '
        f'viewBox="0 0 {frame.width} {frame.height}" role="img" aria-label="{escape(label)}">'
        f"{body}</svg>"
    )


def legend(sites: Sequence[str], colors: dict[str, str]) -> str:
    items = "".join(
        f'<span class="key"><i style="background:{colors[s]}"></i>{escape(s)}</span>' for s in sites
    )
    return f'<div class="legend">{items}</div>'


def figure(name: str, title: str, content: str, note: str = "") -> str:
    caption = f"<figcaption>{escape(title)}</figcaption>"
    extra = f'<p class="note">{note}</p>' if note else ""
    return f'<figure class="chart" data-chart="{name}">{caption}{content}{extra}</figure>'


def empty(frame: Frame, text: str) -> str:
    return svg(
        frame,
        [
            f'<text class="empty" x="{frame.width / 2}" y="{frame.height / 2}" '
            f'text-anchor="middle">{escape(text)}</text>'
        ],
        text,
    )


# -- the charts ----------------------------------------------------------------------------


def chart_per_day(data: ReportData, colors: dict[str, str]) -> str:
    frame = Frame(960, 240)
    days = [d for counter in data.per_day.values() for d in counter]
    note = ""
    if not days:
        return figure(
            "articles-per-day", "Articles per publication day", empty(frame, "no dated article")
        )
    last = max(days)
    first = last - timedelta(days=DAYS - 1)
    sites = [s for s in data.sites if s in data.per_day]
    width = (frame.width - frame.left - frame.right) / DAYS
    totals = Counter[date]()
    parts: list[str] = []
    peak = max(sum(data.per_day[s][first + timedelta(days=i)] for s in sites) for i in range(DAYS))
    frame.x0, frame.x1, frame.y0, frame.y1 = 0, DAYS, 0, max(1, peak)
    for i in range(DAYS):
        day = first + timedelta(days=i)
        for site in sites:
            count = data.per_day[site][day]
            if not count:
                continue
            y_top = frame.y(totals[day] + count)
            y_bottom = frame.y(totals[day])
            totals[day] += count
            parts.append(
                f'<rect data-mark="1" x="{_num(frame.x(i) + 0.5)}" y="{_num(y_top)}" '
                f'width="{_num(max(1.0, width - 1))}" height="{_num(y_bottom - y_top)}" '
                f'fill="{colors[site]}"><title>{escape(site)} {day}: {count}</title></rect>'
            )
    labels = [
        (i + 0.5, (first + timedelta(days=i)).strftime("%d %b %Y"))
        for i in (0, DAYS // 2, DAYS - 1)
    ]
    older = sum(n for s in sites for d, n in data.per_day[s].items() if d < first)
    undated = sum(data.undated.values())
    note = f"{first} to {last}; {older} older articles"
    if undated:
        note += f", {undated} without a publication date"
    note += " (per year below)."
    content = legend(sites, colors) + svg(frame, axes(frame, labels) + parts, "articles per day")
    return figure(
        "articles-per-day", "Articles per publication day, per site", content, escape(note)
    )


def chart_per_year(data: ReportData, colors: dict[str, str]) -> str:
    frame = Frame(960, 200)
    years = Counter[tuple[str, int]]()
    for site, counter in data.per_day.items():
        for day, n in counter.items():
            years[(site, day.year)] += n
    if not years:
        return figure(
            "articles-per-year", "Articles per publication year", empty(frame, "no dated article")
        )
    first, last = min(y for _, y in years), max(y for _, y in years)
    span = last - first + 1
    sites = [s for s in data.sites if s in data.per_day]
    peak = max(sum(years[(s, y)] for s in sites) for y in range(first, last + 1))
    frame.x0, frame.x1, frame.y0, frame.y1 = 0, span, 0, max(1, peak)
    width = (frame.width - frame.left - frame.right) / span
    parts = []
    for i in range(span):
        year = first + i
        base = 0
        for site in sites:
            n = years[(site, year)]
            if not n:
                continue
            y_top, y_bottom = frame.y(base + n), frame.y(base)
            base += n
            parts.append(
                f'<rect data-mark="1" x="{_num(frame.x(i) + 1)}" y="{_num(y_top)}" '
                f'width="{_num(max(1.0, width - 2))}" height="{_num(y_bottom - y_top)}" '
                f'fill="{colors[site]}"><title>{escape(site)} {year}: {n}</title></rect>'
            )
    step = max(1, span // 12)
    labels = [(i + 0.5, str(first + i)) for i in range(0, span, step)]
    content = legend(sites, colors) + svg(frame, axes(frame, labels) + parts, "articles per year")
    return figure("articles-per-year", "Articles per publication year, per site", content)


def _coverage_color(share: float | None) -> str:
    if share is None:
        return "#eeeeee"
    # white (0) to blue (1)
    r = int(255 - share * (255 - 31))
    g = int(255 - share * (255 - 119))
    b = int(255 - share * (255 - 180))
    return f"rgb({r},{g},{b})"


def chart_coverage(data: ReportData) -> str:
    blocks = []
    marks = 0
    for site in data.sites:
        runs = [r for r in data.runs if r.site == site and r.coverage][-MAX_RUNS:]
        if not runs:
            continue
        cell_w, cell_h, left, top = 58, 20, 120, 64
        width = left + cell_w * len(runs) + 70
        height = top + cell_h * len(COVERAGE_FIELDS) + 8
        frame = Frame(width, height)
        parts = []
        for j, run in enumerate(runs):
            x = left + j * cell_w
            stamp = _run_label(run.run)[5:]
            parts.append(
                f'<text class="tick" transform="translate({x + cell_w / 2},{top - 6}) '
                f'rotate(-40)">{escape(stamp)}</text>'
            )
            drifted = {d.get("field") for d in run.drift}
            for i, name in enumerate(COVERAGE_FIELDS):
                share = run.coverage.get(name)
                y = top + i * cell_h
                stroke = ' stroke="#d62728" stroke-width="3"' if name in drifted else ""
                text = "–" if share is None else f"{share:.0%}"
                dark = share is not None and share > 0.6
                parts.append(
                    f'<rect data-mark="1" x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" '
                    f'height="{cell_h - 2}" fill="{_coverage_color(share)}"{stroke}>'
                    f"<title>{escape(site)} run {run.run}: {escape(name)} {text} of "
                    f"{run.coverage_records} records</title></rect>"
                    f'<text class="cell{" dark" if dark else ""}" x="{x + cell_w / 2}" '
                    f'y="{y + cell_h / 2 + 1}" text-anchor="middle" '
                    f'dominant-baseline="middle">{text}</text>'
                )
                marks += 1
        for i, name in enumerate(COVERAGE_FIELDS):
            parts.append(
                f'<text class="tick" x="{left - 8}" y="{top + i * cell_h + cell_h / 2 + 1}" '
                f'text-anchor="end" dominant-baseline="middle">{escape(name)}</text>'
            )
        blocks.append(
            f'<h3>{escape(site)}</h3><div class="scroll">'
            f"{svg(frame, parts, f'coverage of {site}')}</div>"
        )
    if not marks:
        return figure(
            "coverage",
            "Field coverage per run",
            empty(Frame(960, 80), "no run report with coverage"),
        )
    note = (
        "Share of each run's records that have the field (docs/cli.md, Coverage and drift); "
        "a red outline is a drifted field."
    )
    return figure("coverage", "Field coverage per run", "".join(blocks), escape(note))


def chart_rates(data: ReportData, colors: dict[str, str]) -> str:
    if not data.rates:
        return figure("rates", "Rates over capture time", empty(Frame(960, 80), "no rate table"))
    chosen = sorted(data.rates, key=lambda key: (-len(data.rates[key]), key))[:MAX_RATE_CHARTS]
    cells = []
    for site, currency in sorted(chosen):
        points = data.rates[(site, currency)]
        frame = Frame(300, 170, left=52, bottom=30)
        times = [t.timestamp() for t, _ in points]
        values = [v for _, v in points]
        x0, x1 = min(times), max(times)
        if x1 - x0 < 3600:
            x0, x1 = x0 - 1800, x1 + 1800
        y0, y1 = min(values), max(values)
        pad = (y1 - y0) * 0.1 or abs(y1) * 0.05 or 1.0
        frame.x0, frame.x1, frame.y0, frame.y1 = x0, x1, y0 - pad, y1 + pad
        parts = []
        by_time: dict[float, list[float]] = defaultdict(list)
        for t, v in zip(times, values, strict=True):
            by_time[t].append(v)
        color = colors.get(site, PALETTE[0])
        for t, vs in sorted(by_time.items()):
            for v in sorted(set(vs)):
                parts.append(
                    f'<circle data-mark="1" cx="{_num(frame.x(t))}" cy="{_num(frame.y(v))}" '
                    f'r="2.5" fill="{color}" fill-opacity="0.6"><title>{escape(currency)} '
                    f"{_fmt(v)} captured {datetime.fromtimestamp(t, UTC):%Y-%m-%d %H:%M:%S}Z"
                    "</title></circle>"
                )
        hours = sorted({int(t // 3600) for t in times})
        means = [
            (
                h * 3600 + 1800,
                statistics.fmean(
                    v for t, v in zip(times, values, strict=True) if int(t // 3600) == h
                ),
            )
            for h in hours
        ]
        if len(means) > 1:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{_num(frame.x(t))},{_num(frame.y(v))}"
                for i, (t, v) in enumerate(means)
            )
            parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        labels = [
            (x0, datetime.fromtimestamp(x0, UTC).strftime("%d %b %H:%M")),
            (x1, datetime.fromtimestamp(x1, UTC).strftime("%d %b %H:%M")),
        ]
        chart = svg(frame, axes(frame, labels, 3) + parts, f"{site} {currency}")
        cells.append(
            f'<div class="cell-chart"><b>{escape(site)} · {escape(currency)}</b> '
            f"<small>{len(points)} cells</small>{chart}</div>"
        )
    note = (
        "Each dot is one currency cell as a page showed it, at the page's capture time (UTC); "
        f"the {len(chosen)} most observed series of {len(data.rates)}. The rates table of "
        "newsarchive export has every cell with the table's own date."
    )
    return figure(
        "rates",
        "Rates over capture time",
        f'<div class="multiples">{"".join(cells)}</div>',
        escape(note),
    )


def chart_errors(data: ReportData, colors: dict[str, str]) -> str:
    runs = data.runs[-MAX_RUNS * max(1, len(data.sites)) :]
    if not runs:
        return figure(
            "errors-per-run", "Errors and drift per run", empty(Frame(960, 80), "no run report")
        )
    order = sorted({r.run for r in runs})
    frame = Frame(960, 200)
    peak = max(max(r.errors for r in runs), 1)
    frame.x0, frame.x1, frame.y0, frame.y1 = -0.5, len(order) - 0.5, 0, peak
    parts = []
    sites = sorted({r.site for r in runs})
    for r in runs:
        i = order.index(r.run)
        offset = (sites.index(r.site) - (len(sites) - 1) / 2) * 6
        x = frame.x(i) + offset
        drift = ", ".join(str(d.get("field")) for d in r.drift)
        label = f"{r.site} run {r.run}: exit {r.exit_code}, {r.errors} errors"
        label += f", drift: {drift}" if drift else ""
        shape = (
            f'<rect data-mark="1" x="{_num(x - 5)}" y="{_num(frame.y(r.errors) - 5)}" width="10" '
            f'height="10" fill="none" stroke="#d62728" stroke-width="2.5">'
            if drift
            else f'<circle data-mark="1" cx="{_num(x)}" cy="{_num(frame.y(r.errors))}" r="4.5" '
            f'fill="{colors.get(r.site, PALETTE[0])}">'
        )
        closing = "</rect>" if drift else "</circle>"
        parts.append(f"{shape}<title>{escape(label)}</title>{closing}")
    step = max(1, len(order) // 8)
    labels = [
        (i, f"{order[i][4:6]}-{order[i][6:8]} {order[i][8:10]}:{order[i][10:12]}")
        for i in range(0, len(order), step)
    ]
    rows = "".join(
        f"<tr><td>{escape(r.site)}</td><td>{escape(r.run)}</td><td>{r.exit_code}</td>"
        f"<td>{r.articles}</td><td>{r.errors}</td>"
        f"<td>{escape(', '.join(str(d.get('field')) for d in r.drift)) or '–'}</td>"
        f"<td>{escape(r.summary)}</td></tr>"
        for r in reversed(runs[-30:])
    )
    table = (
        "<table><thead><tr><th>site</th><th>run</th><th>exit</th><th>articles</th>"
        "<th>errors</th><th>drift</th><th>summary</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    content = (
        legend(sites, colors) + svg(frame, axes(frame, labels) + parts, "errors per run") + table
    )
    note = "Errors counted per run; a red square is a run whose coverage drifted (exit 7)."
    return figure("errors-per-run", "Errors and drift per run", content, escape(note))


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def chart_size(data: ReportData, colors: dict[str, str]) -> str:
    total = sum(size for _, size, _ in data.sizes)
    if not data.sizes:
        return figure("archive-size", "The archive's size", empty(Frame(960, 80), "empty folder"))
    frame = Frame(960, 34 + 24 * len(data.sizes), left=130, right=190, bottom=20, top=6)
    peak = max(size for _, size, _ in data.sizes) or 1
    frame.x0, frame.x1 = 0, peak
    parts = []
    for i, (name, size, files) in enumerate(data.sizes):
        y = frame.top + i * 24
        w = max(1.0, frame.x(size) - frame.left)
        parts.append(
            f'<text class="tick" x="{frame.left - 8}" y="{y + 10}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(name)}</text>'
            f'<rect data-mark="1" x="{frame.left}" y="{y}" width="{_num(w)}" height="18" '
            f'fill="#1f77b4"><title>{escape(name)}: {size} bytes, {files} files</title></rect>'
            f'<text class="tick" x="{_num(frame.left + w + 6)}" y="{y + 10}" '
            f'dominant-baseline="middle">{escape(_bytes(size))} · {files} files</text>'
        )
    content = svg(frame, parts, "archive size")
    runs = [r for r in data.runs if r.warc_bytes]
    if runs:
        bars = Frame(960, 180, left=80)
        order = sorted({r.run for r in runs})
        per_run = Counter[str]()
        for r in runs:
            per_run[r.run] += r.warc_bytes
        bars.x0, bars.x1, bars.y0, bars.y1 = -0.5, len(order) - 0.5, 0, max(per_run.values())
        width = (bars.width - bars.left - bars.right) / len(order)
        marks = []
        for i, run in enumerate(order):
            base = 0
            for r in [r for r in runs if r.run == run]:
                top, bottom = bars.y(base + r.warc_bytes), bars.y(base)
                base += r.warc_bytes
                marks.append(
                    f'<rect data-mark="1" x="{_num(bars.x(i) - width * 0.4)}" y="{_num(top)}" '
                    f'width="{_num(max(1.0, width * 0.8))}" height="{_num(bottom - top)}" '
                    f'fill="{colors.get(r.site, PALETTE[0])}"><title>{escape(r.site)} run '
                    f"{run}: {_bytes(r.warc_bytes)} of WARC</title></rect>"
                )
        step = max(1, len(order) // 8)
        labels = [(i, _run_label(order[i])) for i in range(0, len(order), step)]
        content += "<h3>WARC bytes written per run</h3>" + svg(
            bars, axes(bars, labels, fmt=_bytes) + marks, "WARC bytes per run"
        )
    title = f"The archive's size: {_bytes(total)}"
    return figure("archive-size", title, content)


# -- the page ------------------------------------------------------------------------------

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
margin:24px auto;max-width:1000px;color:#222;background:#fff;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
h3{font-size:14px;margin:12px 0 4px}.meta{color:#666;margin:0 0 16px}
figure{margin:0 0 24px;padding:12px;border:1px solid #e3e3e3;border-radius:6px}
figcaption{font-weight:600;margin-bottom:6px}.note{color:#666;font-size:12px;margin:6px 0 0}
svg{display:block;max-width:100%;height:auto}.axis{stroke:#999}.grid{stroke:#eee}
.tick{font-size:11px;fill:#555}.cell{font-size:10px;fill:#333}.cell.dark{fill:#fff}
.empty{font-size:13px;fill:#999}.legend{margin:0 0 4px}.key{margin-right:14px;font-size:12px}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.multiples{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}
.cell-chart{border:1px solid #f0f0f0;padding:4px}.cell-chart small{color:#888}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin-top:10px;font-size:12px}
th,td{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
.summary td:first-child{color:#666}
"""

SCRIPT = """
(function(){
  var errors=[];
  window.addEventListener('error',function(e){errors.push(String(e.message));
    document.body.setAttribute('data-errors',errors.join(' | '));});
  window.addEventListener('load',function(){
    var drawn=0,boxes=[];
    document.querySelectorAll('figure.chart').forEach(function(fig){
      var svg=fig.querySelector('svg');
      if(!svg){return;}
      var box=fig.getBoundingClientRect(),marks=fig.querySelectorAll('[data-mark]').length;
      var s=svg.getBoundingClientRect();
      if(s.width>0&&s.height>0&&marks>0){drawn+=1;}
      fig.setAttribute('data-marks',String(marks));
      boxes.push({chart:fig.getAttribute('data-chart'),x:box.left+window.scrollX,
        y:box.top+window.scrollY,width:box.width,height:box.height,marks:marks});
    });
    document.body.setAttribute('data-page-height',
      String(document.documentElement.scrollHeight));
    document.body.setAttribute('data-charts-drawn',String(drawn));
    document.body.setAttribute('data-chart-boxes',JSON.stringify(boxes));
  });
})();
"""


def render(data: ReportData, *, now: datetime | None = None) -> str:
    """The page for ``data`` (a complete HTML document)."""
    now = now or datetime.now(UTC)
    colors = {site: PALETTE[i % len(PALETTE)] for i, site in enumerate(data.sites)}
    total = sum(data.records.values())
    rows = "".join(
        f"<tr><td>{escape(site)}</td><td>{data.records[site]}</td>"
        f"<td>{sum(1 for r in data.runs if r.site == site)}</td>"
        f"<td>{escape(next((r.run for r in reversed(data.runs) if r.site == site), '–'))}</td></tr>"
        for site in data.sites
    )
    summary = (
        '<table class="summary"><thead><tr><th>site</th><th>records</th><th>runs</th>'
        f"<th>last run</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    sections = [
        "<h2>Articles</h2>",
        chart_per_day(data, colors),
        chart_per_year(data, colors),
        "<h2>Field coverage</h2>",
        chart_coverage(data),
        "<h2>Rates</h2>",
        chart_rates(data, colors),
        "<h2>Runs</h2>",
        chart_errors(data, colors),
        "<h2>Storage</h2>",
        chart_size(data, colors),
    ]
    title = f"newsarchive report: {data.folder.resolve().name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f'<link rel="icon" href="data:,"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(str(data.folder.resolve()))} · {total} records · '
        f"{len(data.runs)} run reports · written {now:%Y-%m-%d %H:%M} UTC by newsarchive "
        f"{escape(__version__)}</p>"
        f"{summary}{''.join(sections)}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_report(folder: Path, output: Path) -> ReportData:
    """Gather ``folder`` and write the page to ``output`` (atomically)."""
    data = gather(folder)
    html = render(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(output, html)
    return data


def run_report(folder: Path, output: Path) -> int:
    """The ``newsarchive report`` command; returns the exit status."""
    from newsarchive.report import EXIT_NOTHING, EXIT_OK, EXIT_START_FAILED

    if not (folder / "reports").is_dir() and not jsonl_files(folder):
        print(f"newsarchive: {folder}: no run report and no record", file=sys.stderr)
        return EXIT_NOTHING
    try:
        data = write_report(folder, output)
    except OSError as exc:
        print(f"newsarchive: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_START_FAILED
    print(
        f"{output}: {sum(data.records.values())} records, {len(data.runs)} runs, "
        f"{len(data.sites)} sites"
    )
    return EXIT_OK


__all__ = ["CHART_NAMES", "gather", "render", "run_report", "write_report"]
