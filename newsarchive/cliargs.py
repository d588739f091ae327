"""Argument types and checks of the command line: everything is checked before a crawl
starts, and a bad value is one line on stderr and exit 2 (``argparse``'s own status)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from datetime import date
from types import ModuleType
from typing import Any, NoReturn
from urllib.parse import urlsplit

from newsarchive.errors import UsageError

__all__ = [
    "OneLineParser",
    "check_settings",
    "day",
    "duration",
    "http_url",
    "log_level",
    "positive_int",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: ``newsarchive: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


def positive_int(text: str) -> int:
    """A whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def duration(text: str) -> float:
    """Seconds, from ``90``, ``90s``, ``15m``, ``2h`` or ``1d``; more than 0."""
    match = _DURATION.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (e.g. 600, 15m, 2h)")
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be longer than 0")
    return seconds


def day(text: str) -> str:
    """A calendar day, ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def log_level(text: str) -> str:
    """A logging level name (case-insensitive)."""
    level = text.strip().upper()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(LOG_LEVELS)}")
    return level


def http_url(text: str) -> str:
    """An absolute ``http``/``https`` URL with a host."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise UsageError(f"--root {text!r}: not an http(s) URL")
    if not parts.hostname:
        raise UsageError(f"--root {text!r}: no host")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise UsageError(f"--root {text!r}: bad port") from None
    return text.strip()


def check_settings(values: Mapping[str, str], defaults: ModuleType) -> dict[str, Any]:
    """``-s NAME=VALUE`` pairs, the project's own typed settings converted and checked.

    A ``NEWSARCHIVE_*`` setting whose default (in ``defaults``, the settings module) is a
    number or a flag must parse as one; other values stay strings, as ``scrapy -s``
    passes them (Scrapy's typed getters convert them).
    """
    result: dict[str, Any] = {}
    for name, value in values.items():
        default = getattr(defaults, name, None)
        if name.startswith("NEWSARCHIVE_") and default is not None:
            result[name] = _typed(name, value, default)
        else:
            result[name] = value
    return result


def _typed(name: str, value: str, default: object) -> object:
    text = value.strip()
    if isinstance(default, bool):
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"-s {name}={value}: expected true or false")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"-s {name}={value}: expected a whole number") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"-s {name}={value}: expected a number") from None
    return value
