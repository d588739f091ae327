"""Requests as JSON for the frontier (never pickle: Redis is shared, JSON cannot run code).

A request is written with Scrapy's public ``Request.to_dict(spider=...)`` and read back
with ``scrapy.utils.request.request_from_dict`` (callbacks by name, so they must be the
spider's methods). Bytes (body, headers) are stored as latin-1 text. ``meta`` keeps the
values JSON can carry; what belongs to one process (the wire capture, the WARC location,
this worker's lease marks) is left out.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

__all__ = ["LEASE_KEY", "LOCAL_KEY", "PARENT_KEY", "dumps_request", "loads_request"]

LEASE_KEY = "newsarchive_frontier_lease"
"""meta: the frontier lease (request id) the request was taken under."""
PARENT_KEY = "newsarchive_frontier_parent"
"""meta: the lease of the response whose callback yielded this request."""
LOCAL_KEY = "newsarchive_frontier_local"
"""meta: a request taken from the frontier and handed to the engine (stays local)."""

_TRANSIENT_PREFIXES = ("newsarchive_",)
"""meta keys of one process: the capture, the WARC location, resume and lease marks."""


def dumps_request(request: Request, spider: Spider) -> tuple[str, int]:
    """The request as JSON text, and how many meta values were left out."""
    data = request.to_dict(spider=spider)
    meta, dropped = _portable_meta(data.get("meta") or {})
    data["meta"] = meta
    data["body"] = bytes(data.get("body") or b"").decode("latin-1")
    data["headers"] = {
        _text(name): [_text(v) for v in values] for name, values in data["headers"].items()
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")), dropped


def loads_request(text: str, spider: Spider) -> Request:
    """The request :func:`dumps_request` wrote."""
    data = json.loads(text)
    data["body"] = str(data.get("body") or "").encode("latin-1")
    data["headers"] = {
        name.encode("latin-1"): [v.encode("latin-1") for v in values]
        for name, values in (data.get("headers") or {}).items()
    }
    return request_from_dict(data, spider=spider)


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _portable_meta(meta: dict[str, Any]) -> tuple[dict[str, Any], int]:
    kept: dict[str, Any] = {}
    dropped = 0
    for key, value in meta.items():
        if key.startswith(_TRANSIENT_PREFIXES):
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            dropped += 1
            continue
        kept[key] = value
    return kept, dropped
