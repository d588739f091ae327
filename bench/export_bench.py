"""``make bench-export`` (and the end of ``make bench``): export time and peak memory.

Two archives are crawled from the bundled replica with the real command line: the demo
archive (``Replica(articles_per_edition=60)``: 360 articles, as ``newsarchive demo`` and the
test suite's crawl) and one ten times its size (``articles_per_edition=600``: 3,600
articles; same generator, so the same mix of layouts, rate tables and headline lists).
Then, for each archive, each format is exported ``--rounds`` times in a fresh process
(``python -m newsarchive export DIR --format F -o OUT``), and ``newsarchive.dataset.load``
is timed for pyarrow and pandas. "command" is the whole process: wall time (interpreter
start and the CLI's imports, Scrapy's among them, included) and its peak RSS (``wait4``);
"export() alone" is the export function timed inside a fresh process, and the peak RSS it
adds over the process after its imports and pyarrow's one-time set-up (its first array
costs about 55 MiB whatever the data: counted in "command", not here). Prints the
medians, one line per archive and job.

    python bench/export_bench.py [--rounds N] [--scale N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsarchive.replica import Replica, ReplicaServer  # noqa: E402

FORMATS = ("parquet", "csv", "jsonl")


def crawl(articles_per_edition: int, out: Path) -> tuple[int, float]:
    """Crawl both replica sites into ``out``; (records, seconds)."""
    with ReplicaServer(
        Replica(articles_per_edition=articles_per_edition), record_requests=False
    ) as s:
        args = [sys.executable, "-m", "newsarchive", "crawl", "trend", "bakutel", "--out", str(out)]
        for site, urls in s.roots.items():
            for url in urls:
                args += ["--root", f"{site}={url}"]
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd="/")
        took = time.perf_counter() - start
    records = sum(1 for p in (out / "jsonl").glob("*.jsonl") for _ in p.open("rb"))
    return records, took


def measured(args: list[str]) -> tuple[float, float]:
    """Run ``args``; (wall seconds, peak RSS MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}: {proc.stderr.read().decode()[-500:]}")
    proc.stderr.close()
    return took, usage.ru_maxrss / 1024


IN_PROCESS = """
import json, sys, time
import pyarrow, pyarrow.csv, pyarrow.parquet  # imported first: not counted as the export's
from newsarchive.export import export

pyarrow.array(["warm-up"])  # pyarrow's one-time set-up on its first array (about 55 MiB)

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

base = hwm()
start = time.perf_counter()
export(sys.argv[1], sys.argv[2], sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - start, "base": base, "peak": hwm()}))
"""


def in_process(archive: Path, out: Path, fmt: str) -> tuple[float, float]:
    """``export()`` alone in a fresh process: (seconds, peak RSS MiB above the imports)."""
    result = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(archive), str(out), fmt],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    )
    data = json.loads(result.stdout)
    return data["seconds"], data["peak"] - data["base"]


LOAD = (
    "import sys; from newsarchive import dataset; "
    "t = dataset.load(sys.argv[1], 'articles', to=sys.argv[2]); "
    "r = dataset.load(sys.argv[1], 'rates', to=sys.argv[2]); "
    "h = dataset.load(sys.argv[1], 'headlines', to=sys.argv[2])"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10, help="the big archive's size factor")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        for name, per_edition in (("demo", 60), (f"{args.scale}x", 60 * args.scale)):
            archive = Path(tmp) / name
            records, crawl_s = crawl(per_edition, archive)
            jsonl_bytes = sum(p.stat().st_size for p in (archive / "jsonl").glob("*.jsonl"))
            print(
                f"{name}: {records} records ({jsonl_bytes / 2**20:.1f} MiB of JSONL), "
                f"crawled in {crawl_s:.1f} s",
                flush=True,
            )
            jobs = [
                (
                    f"export {fmt}",
                    [sys.executable, "-m", "newsarchive", "export", str(archive), "--format",
                     fmt, "-o", str(Path(tmp) / f"{name}-{fmt}")],
                )
                for fmt in FORMATS
            ] + [
                (f"load {to}", [sys.executable, "-c", LOAD, str(archive), to])
                for to in ("arrow", "pandas")
            ]  # fmt: skip
            for label, command in jobs:
                runs = [measured(command) for _ in range(args.rounds)]
                wall = statistics.median(r[0] for r in runs)
                rss = statistics.median(r[1] for r in runs)
                row = {
                    "archive": name,
                    "records": records,
                    "job": label,
                    "seconds": round(wall, 3),
                    "peak_rss_mib": round(rss, 1),
                }
                extra = ""
                if label.startswith("export"):
                    fmt = label.split()[1]
                    folder = Path(tmp) / f"{name}-{fmt}"
                    out_mib = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
                    alone = [in_process(archive, folder, fmt) for _ in range(args.rounds)]
                    row["export_seconds"] = round(statistics.median(a[0] for a in alone), 3)
                    row["export_mib_over_imports"] = round(
                        statistics.median(a[1] for a in alone), 1
                    )
                    row["output_mib"] = round(out_mib, 2)
                    extra = (
                        f"; export() alone {row['export_seconds']:.2f} s "
                        f"({records / row['export_seconds']:,.0f} records/s), "
                        f"+{row['export_mib_over_imports']:.1f} MiB; {out_mib:.2f} MiB out"
                    )
                print(
                    f"  {label:15s} command {wall:5.2f} s, peak {rss:6.1f} MiB{extra}",
                    flush=True,
                )
                results.append(row)
    print(json.dumps({"export_bench": results}))


if __name__ == "__main__":
    main()
