"""``python -m newsarchive.replica``: serve the replica in the foreground.

Prints one JSON line to stdout once listening, e.g.
``{"roots": {"trend": [...], "bakutel": [...]}, "origins": {...}, "articles": 360}``, and
runs until SIGTERM or SIGINT, then prints a one-line JSON summary to stderr and exits 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime

from newsarchive.replica.content import Replica
from newsarchive.replica.server import ReplicaServer


def _parse_now(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a UTC offset, e.g. 2024-05-01T12:00+04:00")
    return value


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m newsarchive.replica",
        description="Serve the bundled replica of the Trend and BakuTel sites on local ports.",
    )
    parser.add_argument("--seed", type=int, default=1, help="generation seed (default 1)")
    parser.add_argument(
        "--articles-per-edition",
        type=int,
        default=60,
        help="articles in each of the six editions (default 60)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--now", type=_parse_now, default=None, help="ISO time to anchor dates")
    parser.add_argument(
        "--record-requests",
        action="store_true",
        help="keep every request in memory (only counts are kept by default)",
    )
    args = parser.parse_args(argv)
    if args.articles_per_edition < 1:
        parser.error("--articles-per-edition must be at least 1")

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    replica = Replica(seed=args.seed, now=args.now, articles_per_edition=args.articles_per_edition)
    server = ReplicaServer(replica, host=args.host, record_requests=args.record_requests)
    server.start()
    try:
        line = {
            "roots": server.roots,
            "origins": server.origins,
            "articles": len(replica.articles),
            "seed": args.seed,
            "now": replica.now.isoformat(),
        }
        print(json.dumps(line), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    summary = {"requests": server.request_count, "disallowed": server.disallowed_count}
    print(json.dumps(summary), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
