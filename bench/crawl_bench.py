"""``make bench``: the full pipeline against plain Scrapy on the replica sites.

The replica runs in its own process (pre-rendered pages, so it is never the bottleneck;
with ``wrk`` installed its own throughput is measured first). Each round crawls both sites
in fresh processes, once per configuration, alternating: the full pipeline (capture
handler, WARC, extraction, item pipelines, JSONL); no WARC; extraction alone; WARC capture
alone; and plain Scrapy (same settings, same discovery, no extraction, no WARC, default
download handler). Pages per second are
responses downloaded / crawl wall time (from the run reports); peak memory is the crawl
process's max RSS; CPU is the crawl process's user + system time (startup included, so
compare runs, not absolutes). Prints per-round figures, the medians, the median of the
pairwise ratios, the CPU time per page our work adds to plain Scrapy's (less noisy than
the rates on a shared machine), and WARC bytes written per page.

    python bench/crawl_bench.py [--articles-per-edition N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

PLAIN = [
    "-s", "NEWSARCHIVE_WARC_ENABLED=0",
    "-s", "NEWSARCHIVE_EXTRACT_ENABLED=0",
    "-s", "ITEM_PIPELINES={}",
    "-s", "DOWNLOAD_HANDLERS={}",
]  # fmt: skip
NO_WARC = [
    "-s", "NEWSARCHIVE_WARC_ENABLED=0",
    "-s", "DOWNLOAD_HANDLERS={}",
    # records without a WARC pointer are invalid by contract: keep the pipelines but the
    # validation step, so this run costs what the full run costs minus the WARC writing
    "-s", 'ITEM_PIPELINES={"pipelines.normalize.NormalizePipeline": 100, '
    '"pipelines.dedup.DedupPipeline": 300, "pipelines.jsonl.JsonlStoragePipeline": 900}',
]  # fmt: skip
# Each part on its own (no item pipelines: only what the part itself costs), to show where
# the full pipeline's time goes; the parts do not add up exactly (memory, GC).
EXTRACT_ONLY = [
    "-s", "NEWSARCHIVE_WARC_ENABLED=0",
    "-s", "DOWNLOAD_HANDLERS={}",
    "-s", "ITEM_PIPELINES={}",
]  # fmt: skip
WARC_ONLY = [
    "-s", "NEWSARCHIVE_EXTRACT_ENABLED=0",
    "-s", "ITEM_PIPELINES={}",
]  # fmt: skip
COMMON = ["-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS=16"]


def start_replica(articles: int) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.replica", "--articles-per-edition", str(articles)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise SystemExit("the replica did not start")
    info = json.loads(line)
    return proc, info.get("roots", info)


def wrk(url: str) -> str | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(
        ["wrk", "-t1", "-c8", "-d3s", url], capture_output=True, text=True, timeout=30
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec"):
            return line.split(":", 1)[1].strip()
    return None


def crawl(roots: dict, extra: list[str]) -> dict:
    out = Path(tempfile.mkdtemp(prefix="na-bench-"))
    args = [sys.executable, "-m", "newsarchive", "crawl", "trend", "bakutel", "--out", str(out)]
    for site, urls in roots.items():
        for url in urls:
            args += ["--root", f"{site}={url}"]
    args += COMMON + extra
    with open(out / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    pages = 0
    seconds = 0.0
    for report in (out / "reports").glob("*.json"):
        data = json.loads(report.read_text())
        stats = data["stats"]
        pages += stats.get("downloader/response_count", 0)
        start = datetime.fromisoformat(data["started_at"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(data["finished_at"].replace("Z", "+00:00"))
        seconds = max(seconds, (end - start).total_seconds())
    warc_bytes = sum(p.stat().st_size for p in (out / "warc").glob("*.warc.gz"))
    shutil.rmtree(out, ignore_errors=True)
    return {
        "pages": pages,
        "seconds": seconds,
        "pages_per_s": pages / seconds if seconds else 0.0,
        "peak_mib": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "warc_bytes_per_page": warc_bytes / pages if pages else 0.0,
        "exit": proc.returncode,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles-per-edition", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    replica, roots = start_replica(args.articles_per_edition)
    try:
        probe = roots["trend"][0] + "latest/"
        rate = wrk(probe)
        print(f"replica: {args.articles_per_edition} articles per edition, own process")
        print(f"replica alone (wrk -t1 -c8 -d3s {probe}): {rate or 'wrk not installed'} req/s")
        runs = {
            "full": [],
            "no-warc": NO_WARC,
            "extract": EXTRACT_ONLY,
            "warc": WARC_ONLY,
            "plain": PLAIN,
        }
        rows: dict[str, list[dict]] = {name: [] for name in runs}
        for n in range(args.rounds):
            for name, extra in runs.items():
                result = crawl(roots, extra)
                rows[name].append(result)
                print(
                    f"round {n + 1} {name:8s} {result['pages']:5d} pages "
                    f"{result['seconds']:6.2f} s {result['pages_per_s']:7.1f} pages/s "
                    f"cpu {result['cpu_s']:5.2f} s peak {result['peak_mib']:6.1f} MiB "
                    f"exit {result['exit']}",
                    flush=True,
                )
                time.sleep(0.2)
    finally:
        replica.send_signal(signal.SIGTERM)
        replica.wait(timeout=10)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[name])

    ratio_plain = statistics.median(
        f["pages_per_s"] / p["pages_per_s"]
        for f, p in zip(rows["full"], rows["plain"], strict=True)
    )
    ratio_warc = statistics.median(
        f["pages_per_s"] / w["pages_per_s"]
        for f, w in zip(rows["full"], rows["no-warc"], strict=True)
    )
    print()
    print("median of rounds:")
    for name in rows:
        rate, peak, cpu = med(name, "pages_per_s"), med(name, "peak_mib"), med(name, "cpu_s")
        print(f"  {name:8s} {rate:7.1f} pages/s  cpu {cpu:5.2f} s  peak {peak:6.1f} MiB")
    print(f"full / plain Scrapy pages/s: {ratio_plain:.2f}x (target >= 0.70x)")
    print(f"with / without WARC capture pages/s: {ratio_warc:.2f}x")
    for name in ("extract", "warc"):
        alone = statistics.median(
            f["pages_per_s"] / p["pages_per_s"]
            for f, p in zip(rows[name], rows["plain"], strict=True)
        )
        print(f"{name} alone (no item pipelines) / plain Scrapy pages/s: {alone:.2f}x")
    pages = med("full", "pages")
    for name in ("full", "no-warc", "extract", "warc"):
        extra = (med(name, "cpu_s") - med("plain", "cpu_s")) / pages * 1000
        print(f"CPU per page beyond plain Scrapy, {name}: {extra:.2f} ms")
    print(f"WARC bytes written per page: {med('full', 'warc_bytes_per_page'):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
