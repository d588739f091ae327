"""Politeness by default: a live site is crawled slowly, a local one at full speed.

``NEWSARCHIVE_POLITENESS`` (``auto``, the default; ``on``; ``off``) decides per crawl:

* ``on`` turns Scrapy's AutoThrottle on (``AUTOTHROTTLE_ENABLED``): the delay between two
  requests to a host follows its response times, aiming at one request in flight per
  host (``AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0``), never shorter than
  ``DOWNLOAD_DELAY = 1`` second, never longer than ``AUTOTHROTTLE_MAX_DELAY = 60``.
  A robots.txt ``Crawl-delay`` is honoured on top of that by
  :class:`newsarchive.robots.RobotsMiddleware`.
* ``off`` leaves the crawl at ``CONCURRENT_REQUESTS_PER_DOMAIN`` with no delay: for the
  replica, tests and sites one owns.
* ``auto`` is ``off`` when every root is on this machine (``localhost``, ``127.0.0.0/8``,
  ``::1``), ``on`` otherwise.

Each value is set at Scrapy's ``spider`` priority, so a setting given on the command line
(``-s DOWNLOAD_DELAY=5``) or in a plan still wins. The stat ``newsarchive/politeness``
says what the run used (``autothrottle`` or ``off``).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

__all__ = ["MODES", "POLITE_SETTINGS", "apply_politeness", "is_local"]

MODES = ("auto", "on", "off")
#: What ``on`` sets (at ``spider`` priority: explicit settings win).
POLITE_SETTINGS: dict[str, object] = {
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 60.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "DOWNLOAD_DELAY": 1.0,
}


def is_local(url: str) -> bool:
    """True when ``url``'s host is this machine (a name of it or a loopback address)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def apply_politeness(settings: BaseSettings, roots: Iterable[str]) -> bool:
    """Set the polite crawl settings when ``NEWSARCHIVE_POLITENESS`` asks for them for
    these ``roots``; returns whether it did. ``ValueError`` for an unknown mode."""
    mode = str(settings.get("NEWSARCHIVE_POLITENESS", "auto")).strip().lower()
    if mode not in MODES:
        raise ValueError(f"NEWSARCHIVE_POLITENESS must be one of {', '.join(MODES)}, not {mode!r}")
    roots = list(roots)
    polite = mode == "on" or (mode == "auto" and not all(is_local(r) for r in roots))
    if polite and settings.frozen:  # a spider made outside a crawl (tests, tools)
        return False
    if polite:
        for name, value in POLITE_SETTINGS.items():
            settings.set(name, value, priority="spider")
    return polite
