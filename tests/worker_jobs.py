"""Calls the worker-pool tests run in worker processes (importable there by module path)."""

from __future__ import annotations

import os
import time


def square(n: int) -> int:
    return n * n


def fail(message: str) -> None:
    raise ValueError(message)


def die() -> None:
    os._exit(3)  # a worker killed by a crash in native code, say


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def noisy(n: int) -> int:
    print("a stray print from a job", n)  # must not corrupt the result frames
    return n + 1


def pid() -> int:
    return os.getpid()
