"""What identifies a run: its id (a UTC timestamp) shared by all files it writes."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.settings import BaseSettings


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYMMDDhhmmss`` in UTC, the timestamp in the run's JSONL and report names."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S")


_PROCESS_RUN_ID = new_run_id()


def run_id(settings: BaseSettings) -> str:
    """The run id from ``NEWSARCHIVE_RUN_ID`` (the CLI sets it), else the time this process
    started, so a plain ``scrapy crawl`` still names all its files alike."""
    return settings.get("NEWSARCHIVE_RUN_ID") or _PROCESS_RUN_ID
