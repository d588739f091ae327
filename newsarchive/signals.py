"""newsarchive's own Scrapy signals (sent with ``crawler.signals.send_catch_log``).

``record_stored``
    An article record was written to the JSONL file. Arguments: ``record`` (the record as
    written, a dict), ``content_hash`` (its content hash, as the state database keeps it),
    ``line`` (the JSON line written, UTF-8 bytes with its newline), ``spider``.
    The WARC archive writes the line into the archive as a ``metadata`` record.

``capture_failed``
    An exchange was cut short after its response head arrived (timeout, a response past
    the size limit, the server closing early): the download fails, but what arrived is
    archived with ``WARC-Truncated``. Arguments: ``request``, ``capture`` (the
    :class:`~newsarchive.capture.exchange.WireCapture`), ``reason`` (the WARC-Truncated
    value), ``spider``. Sent by the capturing download handler.

``warc_file_closed``
    A WARC file was closed and renamed without ``.open``. Arguments: ``path`` (its final
    path), ``final`` (True for the file closed at the end of the run). Sent by
    :class:`newsarchive.warc.files.WarcFiles`; the CDXJ indexer listens.
"""

from __future__ import annotations

__all__ = ["capture_failed", "record_stored", "warc_file_closed"]

record_stored = object()
capture_failed = object()
warc_file_closed = object()
