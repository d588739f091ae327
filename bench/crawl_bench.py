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

After each round's full crawl, the unchanged replica is crawled again into the same folder
(issue #11: a recrawl fetches the discovery pages, no article page, and adds no record):
its requests and time as ratios of the first crawl's.

Then the whole machine (issue #12): the full pipeline as two workers on one Redis frontier
(each worker its own process and output folder, as two machines would have; needs
``redis-server``), and as a crawl plan's parallel sites (``newsarchive run`` with the three
Trend editions and BakuTel as four plan entries, ``--jobs`` = cores, one output folder),
against the same plain single-process Scrapy crawls. Their pages per second are all the
responses over the span from the first start to the last finish. The last line is the
headline: the whole machine's best against plain Scrapy on one process.

    python bench/crawl_bench.py [--articles-per-edition N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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


def crawl(roots: dict, extra: list[str], *, out: Path | None = None, keep: bool = False) -> dict:
    """One crawl of both sites; into ``out`` (a recrawl) or a fresh folder, removed after
    unless ``keep`` (the result's ``out`` then names it)."""
    out = out or Path(tempfile.mkdtemp(prefix="na-bench-"))
    earlier = set((out / "reports").glob("*.json")) if (out / "reports").is_dir() else set()
    args = [sys.executable, "-m", "newsarchive", "crawl", "trend", "bakutel", "--out", str(out)]
    for site, urls in roots.items():
        for url in urls:
            args += ["--root", f"{site}={url}"]
    args += COMMON + extra
    with open(out / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    pages = requests = records = 0
    seconds = 0.0
    for report in set((out / "reports").glob("*.json")) - earlier:
        data = json.loads(report.read_text())
        stats = data["stats"]
        pages += stats.get("downloader/response_count", 0)
        requests += stats.get("downloader/request_count", 0)
        records += stats.get("newsarchive/jsonl/records", 0)
        start = datetime.fromisoformat(data["started_at"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(data["finished_at"].replace("Z", "+00:00"))
        seconds = max(seconds, (end - start).total_seconds())
    warc_bytes = sum(p.stat().st_size for p in (out / "warc").glob("*.warc.gz"))
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "out": out,
        "requests": requests,
        "records": records,
        "pages": pages,
        "seconds": seconds,
        "pages_per_s": pages / seconds if seconds else 0.0,
        "peak_mib": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "warc_bytes_per_page": warc_bytes / pages if pages else 0.0,
        "exit": proc.returncode,
    }


def start_redis() -> tuple[subprocess.Popen | None, str | None]:
    """A redis-server on a free 127.0.0.1 port, or (None, None) when it is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None, None


def _span_result(outs: list[Path], usages: list, codes: list[int]) -> dict:
    pages = 0
    starts, ends = [], []
    for out in outs:
        for report in (out / "reports").glob("*.json"):
            data = json.loads(report.read_text())
            pages += data["stats"].get("downloader/response_count", 0)
            starts.append(datetime.fromisoformat(data["started_at"].replace("Z", "+00:00")))
            ends.append(datetime.fromisoformat(data["finished_at"].replace("Z", "+00:00")))
    seconds = (max(ends) - min(starts)).total_seconds() if starts else 0.0
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "pages": pages,
        "seconds": seconds,
        "pages_per_s": pages / seconds if seconds else 0.0,
        "peak_mib": max(u.ru_maxrss for u in usages) / 1024,
        "cpu_s": sum(u.ru_utime + u.ru_stime for u in usages),
        "exit": max(codes),
    }


def crawl_frontier(roots: dict, redis_url: str, workers: int = 2) -> dict:
    """The full pipeline as ``workers`` processes on one frontier, a folder each."""
    prefix = f"bench:{uuid.uuid4().hex}:"
    outs, procs = [], []
    for _ in range(workers):
        out = Path(tempfile.mkdtemp(prefix="na-bench-"))
        args = [sys.executable, "-m", "newsarchive", "crawl", "trend", "bakutel"]
        args += ["--out", str(out), "--frontier", redis_url]
        for site, urls in roots.items():
            for url in urls:
                args += ["--root", f"{site}={url}"]
        args += COMMON + ["-s", f"NEWSARCHIVE_FRONTIER_PREFIX={prefix}{{site}}:"]
        outs.append(out)
        with open(out / "stderr.txt", "wb") as err:
            procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err))
    usages, codes = [], []
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        usages.append(usage)
        codes.append(os.waitstatus_to_exitcode(status))
    return _span_result(outs, usages, codes)


def crawl_plan(roots: dict, jobs: int) -> dict:
    """The full pipeline as a plan's parallel sites: each Trend edition and BakuTel."""
    out = Path(tempfile.mkdtemp(prefix="na-bench-"))
    entries = [(f"trend{i}", "trend", url) for i, url in enumerate(roots["trend"])]
    entries += [("bakutel", "bakutel", url) for url in roots["bakutel"]]
    lines = ['[defaults]\nevery = "1h"\n']
    for name, spider, url in entries:
        lines.append(f'[sites.{name}]\nspider = "{spider}"\nroots = ["{url}"]\n')
        lines.append(f'[sites.{name}.settings]\nLOG_LEVEL = "WARNING"\n')
        lines.append("CONCURRENT_REQUESTS = 16\n")
    plan = out / "plan.toml"
    plan.write_text("".join(lines))
    args = [sys.executable, "-m", "newsarchive", "run", str(plan), "--out", str(out / "a")]
    args += ["--jobs", str(jobs)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _, status, _usage = os.wait4(proc.pid, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the runner and its sites
    usage = argparse.Namespace(
        ru_maxrss=after.ru_maxrss,
        ru_utime=after.ru_utime - before.ru_utime,
        ru_stime=after.ru_stime - before.ru_stime,
    )
    result = _span_result([out / "a"], [usage], [os.waitstatus_to_exitcode(status)])
    shutil.rmtree(out, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles-per-edition", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    replica, roots = start_replica(args.articles_per_edition)
    redis_proc, redis_url = start_redis()
    jobs = os.cpu_count() or 1
    machine: dict[str, list[dict]] = {"frontier x2": [], f"plan x{jobs}": []}
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
        recrawls: list[dict] = []
        for n in range(args.rounds):
            for name, extra in runs.items():
                result = crawl(roots, extra, keep=name == "full")
                rows[name].append(result)
                print(
                    f"round {n + 1} {name:8s} {result['pages']:5d} pages "
                    f"{result['seconds']:6.2f} s {result['pages_per_s']:7.1f} pages/s "
                    f"cpu {result['cpu_s']:5.2f} s peak {result['peak_mib']:6.1f} MiB "
                    f"exit {result['exit']}",
                    flush=True,
                )
                time.sleep(0.2)
                if name == "full":  # the unchanged replica again, into the same folder
                    again = crawl(roots, [], out=result["out"])
                    recrawls.append(again)
                    print(
                        f"round {n + 1} recrawl  {again['requests']:5d} requests "
                        f"{again['seconds']:6.2f} s {again['records']:3d} records "
                        f"cpu {again['cpu_s']:5.2f} s exit {again['exit']}",
                        flush=True,
                    )
            # the whole machine: after this round's plain run, same pages
            if redis_url is not None:
                machine["frontier x2"].append(crawl_frontier(roots, redis_url))
            machine[f"plan x{jobs}"].append(crawl_plan(roots, jobs))
            for name, results in machine.items():
                if results and len(results) == n + 1:
                    result = results[-1]
                    print(
                        f"round {n + 1} {name:11s} {result['pages']:5d} pages "
                        f"{result['seconds']:6.2f} s {result['pages_per_s']:7.1f} pages/s "
                        f"cpu {result['cpu_s']:5.2f} s exit {result['exit']}",
                        flush=True,
                    )
    finally:
        replica.send_signal(signal.SIGTERM)
        replica.wait(timeout=10)
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)

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
    requests = statistics.median(
        r["requests"] / f["requests"] for r, f in zip(recrawls, rows["full"], strict=True)
    )
    seconds = statistics.median(
        r["seconds"] / f["seconds"] for r, f in zip(recrawls, rows["full"], strict=True)
    )
    print(
        f"recrawl of the unchanged replica / first crawl: requests {requests:.3f}x "
        f"({statistics.median(r['requests'] for r in recrawls):.0f} of "
        f"{med('full', 'requests'):.0f}), time {seconds:.2f}x, records "
        f"{statistics.median(r['records'] for r in recrawls):.0f}"
    )
    print()
    print(f"the whole machine ({jobs} cores), full pipeline, against plain Scrapy on one process:")
    best = 0.0
    if redis_url is None:
        print("  frontier x2: redis-server not installed, not measured")
    for name, results in machine.items():
        if not results:
            continue
        ratio = statistics.median(
            m["pages_per_s"] / p["pages_per_s"] for m, p in zip(results, rows["plain"], strict=True)
        )
        best = max(best, ratio)
        rate = statistics.median(r["pages_per_s"] for r in results)
        cpu = statistics.median(r["cpu_s"] for r in results)
        print(f"  {name:11s} {rate:7.1f} pages/s  cpu {cpu:5.2f} s  / plain: {ratio:.2f}x")
    print(f"whole machine / plain Scrapy on one process pages/s: {best:.2f}x (goal >= 1.00x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
