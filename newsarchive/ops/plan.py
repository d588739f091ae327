"""Crawl plans: a TOML file naming each site of an archive and its schedule (no Scrapy here).

::

    out = "/data/news"                 # optional: the output folder (--out wins)

    [defaults]                         # optional: any site key, for every site
    every = "6h"

    [sites.trend]                      # the entry's name: lock, WARC prefix, JSONL, reports
    spider = "trend"                   # default: the entry's name
    roots = ["https://en.trend.az/"]   # optional (generic needs them)
    every = "6h"                       # s, m, h, d, w; a due run starts when the last
                                       # successful run started longer ago, or never ran
    max_articles = 500
    frontier = "redis://db:6379/0"     # optional: crawl as a worker of a shared frontier

    [sites.trend.limits]
    pages = 20000                      # CLOSESPIDER_PAGECOUNT
    bytes = "2GB"                      # NEWSARCHIVE_MAX_BYTES (B, KB, MB, GB; 1000s)
    runtime = "2h"                     # CLOSESPIDER_TIMEOUT

    [sites.trend.politeness]
    delay = 0.5                        # DOWNLOAD_DELAY
    concurrency = 4                    # CONCURRENT_REQUESTS_PER_DOMAIN
    autothrottle = true                # AUTOTHROTTLE_ENABLED

    [sites.trend.settings]             # any Scrapy or NEWSARCHIVE_* setting, as -s NAME=VALUE
    NEWSARCHIVE_WARC_MAX_SIZE = 100000000

:func:`load_plan` reads and checks a plan (:class:`PlanError` names the file, the entry
and the key); :func:`is_due` is the schedule rule.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "Plan",
    "PlanError",
    "SiteEntry",
    "is_due",
    "load_plan",
    "parse_duration",
    "parse_plan",
    "parse_size",
]

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._]*$")
"""An entry's name: it names files (``{NAME}-{RUN}.jsonl``), so no ``-``, ``/`` or space."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)\s*$", re.IGNORECASE)
_SIZES = {"": 1, "K": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4}
_SITE_KEYS = {
    "spider",
    "roots",
    "every",
    "max_articles",
    "frontier",
    "limits",
    "politeness",
    "settings",
}
_LIMIT_KEYS = {"pages", "bytes", "runtime"}
_POLITENESS_KEYS = {"delay", "concurrency", "autothrottle"}


class PlanError(ValueError):
    """A plan that cannot be read or is not valid (the command exits 2)."""


def parse_duration(value: object) -> timedelta:
    """``"90s"``, ``"15m"``, ``"6h"``, ``"1d"``, ``"2w"`` or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ValueError(f"not a duration: {value!r} (e.g. 90s, 15m, 6h, 1d, 2w)")
        seconds = float(match[1]) * _UNITS[match[2]]
    if seconds <= 0:
        raise ValueError(f"not a positive duration: {value!r}")
    return timedelta(seconds=seconds)


def parse_size(value: object) -> int:
    """``"500MB"``, ``"2GB"``, ``"10MiB"`` or a number of bytes."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.match(str(value))
        if match is None:
            raise ValueError(f"not a size: {value!r} (e.g. 500MB, 2GB)")
        unit = match[2].upper()
        base = 1024 if "I" in unit else 1000
        prefix = unit[:1] if unit[:1] in "KMGT" and unit else ""
        power = "KMGT".index(prefix) + 1 if prefix else 0
        size = int(float(match[1]) * base**power)
    if size <= 0:
        raise ValueError(f"not a positive size: {value!r}")
    return size


@dataclass(frozen=True)
class SiteEntry:
    """One site of a plan."""

    name: str
    spider: str
    every: timedelta
    roots: tuple[str, ...] = ()
    max_articles: int | None = None
    frontier: str | None = None
    max_pages: int | None = None
    max_bytes: int | None = None
    max_runtime: timedelta | None = None
    delay: float | None = None
    concurrency: int | None = None
    autothrottle: bool | None = None
    settings: Mapping[str, str] = field(default_factory=dict)

    def scrapy_settings(self) -> dict[str, str]:
        """The entry as ``-s NAME=VALUE`` settings (its own ``settings`` table last)."""
        result: dict[str, str] = {"NEWSARCHIVE_SITE": self.name}
        if self.max_pages is not None:
            result["CLOSESPIDER_PAGECOUNT"] = str(self.max_pages)
        if self.max_bytes is not None:
            result["NEWSARCHIVE_MAX_BYTES"] = str(self.max_bytes)
        if self.max_runtime is not None:
            result["CLOSESPIDER_TIMEOUT"] = str(int(self.max_runtime.total_seconds()))
        if self.delay is not None:
            result["DOWNLOAD_DELAY"] = str(self.delay)
        if self.concurrency is not None:
            result["CONCURRENT_REQUESTS_PER_DOMAIN"] = str(self.concurrency)
        if self.autothrottle is not None:
            result["AUTOTHROTTLE_ENABLED"] = "1" if self.autothrottle else "0"
        result.update(self.settings)
        return result

    def crawl_args(self, out: Path) -> list[str]:
        """The ``newsarchive crawl`` arguments that run this entry into ``out``."""
        args = ["crawl", self.spider, "--out", str(out)]
        for root in self.roots:
            args += ["--root", root]
        if self.max_articles:
            args += ["--max-articles", str(self.max_articles)]
        if self.frontier:
            args += ["--frontier", self.frontier]
        for name, value in self.scrapy_settings().items():
            args += ["-s", f"{name}={value}"]
        return args


@dataclass(frozen=True)
class Plan:
    """A crawl plan: its sites in file order, and the output folder it names (if any)."""

    path: Path
    sites: tuple[SiteEntry, ...]
    out: Path | None = None

    def site(self, name: str) -> SiteEntry | None:
        return next((s for s in self.sites if s.name == name), None)


def load_plan(path: str | Path) -> Plan:
    """Read and check the plan at ``path`` (:class:`PlanError` says what is wrong)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: not TOML: {exc}") from exc
    return parse_plan(data, path)


def parse_plan(data: Mapping[str, Any], path: str | Path = "<plan>") -> Plan:
    """Check a plan's parsed TOML (relative ``out`` is relative to the plan's folder)."""
    path = Path(path)
    unknown = set(data) - {"out", "defaults", "sites"}
    if unknown:
        raise PlanError(f"{path}: unknown key {', '.join(sorted(unknown))}")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise PlanError(f"{path}: [defaults] must be a table")
    sites = data.get("sites")
    if not isinstance(sites, Mapping) or not sites:
        raise PlanError(f"{path}: no [sites.NAME] table")
    out = data.get("out")
    if out is not None and not isinstance(out, str):
        raise PlanError(f"{path}: out must be a string (a folder)")
    entries = []
    for name, table in sites.items():
        if not isinstance(table, Mapping):
            raise PlanError(f"{path}: sites.{name} must be a table")
        try:
            entries.append(_entry(name, {**defaults, **table}))
        except (ValueError, TypeError) as exc:
            raise PlanError(f"{path}: sites.{name}: {exc}") from exc
    out_path = None
    if out:
        out_path = Path(out).expanduser()
        if not out_path.is_absolute():
            out_path = path.parent / out_path
    return Plan(path=path, sites=tuple(entries), out=out_path)


def _entry(name: str, table: Mapping[str, Any]) -> SiteEntry:
    if not NAME.match(name):
        raise ValueError("the name may hold only letters, digits, '.' and '_'")
    unknown = set(table) - _SITE_KEYS
    if unknown:
        raise ValueError(f"unknown key {', '.join(sorted(unknown))}")
    spider = table.get("spider", name)
    if not isinstance(spider, str) or not spider:
        raise ValueError("spider must be a spider's name")
    if "every" not in table:
        raise ValueError('no schedule: add every = "6h" (or in [defaults])')
    every = parse_duration(table["every"])
    roots = table.get("roots", [])
    if isinstance(roots, str):
        roots = [roots]
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise ValueError("roots must be a list of URLs")
    for root in roots:
        if not root.startswith(("http://", "https://")):
            raise ValueError(f"root {root!r} is not an http(s) URL")
    max_articles = _positive_int(table.get("max_articles"), "max_articles")
    frontier = table.get("frontier")
    if frontier is not None and not (
        isinstance(frontier, str) and frontier.startswith(("redis://", "rediss://", "unix://"))
    ):
        raise ValueError("frontier must be a redis:// URL")
    limits = _table(table.get("limits", {}), "limits", _LIMIT_KEYS)
    politeness = _table(table.get("politeness", {}), "politeness", _POLITENESS_KEYS)
    settings = _table(table.get("settings", {}), "settings", None)
    delay = politeness.get("delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)):
        raise ValueError("politeness.delay must be a number of seconds")
    if delay is not None and delay < 0:
        raise ValueError("politeness.delay must be >= 0")
    autothrottle = politeness.get("autothrottle")
    if autothrottle is not None and not isinstance(autothrottle, bool):
        raise ValueError("politeness.autothrottle must be true or false")
    return SiteEntry(
        name=name,
        spider=spider,
        every=every,
        roots=tuple(roots),
        max_articles=max_articles,
        frontier=frontier,
        max_pages=_positive_int(limits.get("pages"), "limits.pages"),
        max_bytes=parse_size(limits["bytes"]) if "bytes" in limits else None,
        max_runtime=parse_duration(limits["runtime"]) if "runtime" in limits else None,
        delay=float(delay) if delay is not None else None,
        concurrency=_positive_int(politeness.get("concurrency"), "politeness.concurrency"),
        autothrottle=autothrottle,
        settings={str(k): _setting_value(v) for k, v in settings.items()},
    )


def _table(value: object, key: str, allowed: set[str] | None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{key} must be a table")
    if allowed is not None:
        unknown = set(value) - allowed
        if unknown:
            raise ValueError(f"unknown key {key}.{', '.join(sorted(unknown))}")
    return value


def _positive_int(value: object, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} must be a whole number >= 1")
    return value


def _setting_value(value: object) -> str:
    """A TOML value as ``-s NAME=VALUE`` text: strings as they are, booleans as 1/0, the
    rest (numbers, arrays, tables) as JSON, which Scrapy's typed getters read."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value)


def is_due(every: timedelta, last_success: datetime | None, now: datetime) -> bool:
    """Due when the last successful run started ``every`` or longer before ``now``, or
    there was none (a failed or killed run does not count: the site is due again)."""
    return last_success is None or now - last_success >= every
