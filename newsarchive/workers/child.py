"""The worker process of a :class:`~newsarchive.workers.pool.WorkerPool`.

Run as ``python -m newsarchive.workers.child``. It reads jobs from stdin and writes
results to stdout, each frame an 8-byte big-endian length and a pickle:

* job: the job id (8 bytes, big-endian), then a pickle of ``(function, args, kwargs)``;
* result: ``(job_id, True, value, max_rss_kib)``, or ``(job_id, False, (type_name,
  message, traceback), max_rss_kib)`` when the call raised, or ``(job_id, None, (...),
  max_rss_kib)`` when the job could not even be loaded (its function is not importable
  here): the pool then runs it in its own process. ``max_rss_kib`` is the worker's peak
  resident memory so far (updated every 16 jobs).

Jobs run one at a time, in order; the worker exits at the end of its input. Anything a
job prints goes to stderr: stdout carries frames only.
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
import traceback
from typing import BinaryIO

__all__ = ["main", "read_frame", "write_frame"]

HEADER = 8


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None at the end of the stream."""
    head = stream.read(HEADER)
    if len(head) < HEADER:
        return None
    size = int.from_bytes(head, "big")
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(len(payload).to_bytes(HEADER, "big") + payload)
    stream.flush()


def _failure(exc: BaseException) -> tuple[str, str, str]:
    return type(exc).__name__, str(exc), traceback.format_exc()


def main() -> int:
    try:
        return _serve()
    except BrokenPipeError:  # the crawl is gone (killed): nobody to answer
        return 0


def _serve() -> int:
    # frames go to the real stdout; a stray print() of a job must not corrupt them
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    source = sys.stdin.buffer
    while (data := read_frame(source)) is not None:
        job_id = int.from_bytes(data[:HEADER], "big")
        try:
            function, args, kwargs = pickle.loads(data[HEADER:])
        except Exception as exc:  # not importable in this process: the parent runs it
            reply: tuple = (job_id, None, _failure(exc), _max_rss())
            write_frame(out, pickle.dumps(reply, protocol=5))
            continue
        try:
            reply = (job_id, True, function(*args, **kwargs), _max_rss())
        except Exception as exc:
            reply = (job_id, False, _failure(exc), _max_rss())
        try:
            payload = pickle.dumps(reply, protocol=5)
        except Exception as exc:
            payload = pickle.dumps((job_id, False, _failure(exc), _max_rss()), protocol=5)
        write_frame(out, payload)
    return 0


_STATUS = "/proc/self/status"
_peak = 0
_calls = 0


def _max_rss() -> int:
    """Peak resident memory of this process, KiB: ``VmHWM`` (Linux), read every 16th call.

    Not ``ru_maxrss``: Linux keeps that across ``execve``, so a worker forked from a big
    crawl process would report the crawl's size.
    """
    global _peak, _calls
    _calls += 1
    if _calls % 16 == 1:
        try:
            with open(_STATUS, "rb") as fh:
                for line in fh:
                    if line.startswith(b"VmHWM:"):
                        _peak = int(line.split()[1])
                        break
        except OSError:
            _peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return _peak


if __name__ == "__main__":
    sys.exit(main())
