"""The bundled replica of both news sites: generator, truth and a local HTTP server.

>>> from newsarchive.replica import Replica, ReplicaServer
>>> with ReplicaServer(Replica(seed=1)) as server:       # doctest: +SKIP
...     server.roots, server.expected_records()

``Replica`` generates the Trend-style and BakuTel-style sites deterministically from
``(seed, now)`` and knows the record a correct extraction gives for every article;
``ReplicaServer`` serves it on 127.0.0.1 (one OS-assigned port per host) from a
background thread. ``python -m newsarchive.replica`` serves it in the foreground.
"""

from newsarchive.replica.content import Replica
from newsarchive.replica.model import DISALLOWED_PREFIXES, FEATURES, HOST_KEYS, Article
from newsarchive.replica.server import ReplicaServer

__all__ = [
    "DISALLOWED_PREFIXES",
    "FEATURES",
    "HOST_KEYS",
    "Article",
    "Replica",
    "ReplicaServer",
]
