"""newsarchive's own Scrapy signals (sent with ``crawler.signals.send_catch_log``).

``record_stored``
    An article record was written to the JSONL file. Arguments: ``record`` (the record as
    written, a dict), ``content_hash`` (its content hash, as the state database keeps it),
    ``line`` (the JSON line written, UTF-8 bytes with its newline), ``spider``.
    The WARC extension writes the line into the archive as a ``metadata`` record.
"""

from __future__ import annotations

__all__ = ["record_stored"]

record_stored = object()
