"""``DIR/state.sqlite``: what the output folder holds, for revisits, dedup and resume.

The WARC and JSONL files are the truth; this database is a cache of them that makes the
questions a run asks cheap:

* *is this payload archived already?* (``captures`` by payload digest) - revisit records;
* *is this article record stored already?* (``records`` by URL + content hash, or by the
  response record it was extracted from) - cross-run record dedup;
* *what did the unfinished runs of this site capture?* (``runs`` + ``captures``) - resume;
* *how far is each file indexed?* (``files``) - after a crash the database may lag behind
  the files; :mod:`newsarchive.state.sync` reads what it is missing.

SQLite in WAL mode with ``synchronous=NORMAL``: a ``kill -9`` loses no committed
transaction (only a power loss could lose the last ones, and a sync finds them again in
the files). One connection, used from the reactor thread only. No Scrapy here.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsarchive.state.model import Capture, RecordSeen, record_content_hash

__all__ = [
    "STATE_NAME",
    "ArchiveState",
    "Capture",
    "RecordSeen",
    "record_content_hash",
]

#: The database's file name in the output folder.
STATE_NAME = "state.sqlite"
_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY,          -- final basename (WARC without .open) or JSONL basename
    kind TEXT NOT NULL,             -- 'warc' | 'jsonl'
    size INTEGER NOT NULL,          -- bytes indexed so far (from the start of the file)
    site TEXT,
    run_id TEXT
);
CREATE TABLE IF NOT EXISTS captures (
    record_id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,      -- 'response' | 'revisit'
    uri TEXT NOT NULL,
    status INTEGER,
    date TEXT NOT NULL,             -- WARC-Date as written
    file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    payload_digest TEXT,
    refers_to TEXT,                 -- revisits: the original's record id
    truncated INTEGER NOT NULL DEFAULT 0,
    site TEXT,
    run_id TEXT,
    etag TEXT,                      -- the response's ETag and Last-Modified (rechecks)
    last_modified TEXT,
    location TEXT                   -- a redirect's target, absolute
);
CREATE INDEX IF NOT EXISTS captures_digest ON captures (payload_digest);
CREATE INDEX IF NOT EXISTS captures_uri ON captures (uri);
CREATE INDEX IF NOT EXISTS captures_file ON captures (file);
CREATE TABLE IF NOT EXISTS runs (
    site TEXT NOT NULL,
    run_id TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,                  -- NULL while running, or when the run was killed
    PRIMARY KEY (site, run_id)
);
CREATE TABLE IF NOT EXISTS records (
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_record_id TEXT,          -- the record's warc.record_id
    site TEXT,
    file TEXT NOT NULL,             -- the JSONL file and the line's byte offset
    offset INTEGER NOT NULL,
    metadata_record_id TEXT,        -- the WARC metadata record carrying it, once written
    identity TEXT,                  -- the article it is of (canonical URL, session ids gone)
    article_hash TEXT,              -- what the article says (title, body, dates)
    version INTEGER NOT NULL DEFAULT 1,
    warc TEXT,                      -- the record's warc pointer, JSON (a later previous)
    PRIMARY KEY (url, content_hash)
);
CREATE INDEX IF NOT EXISTS records_source ON records (source_record_id);
"""


_CAPTURE_COLUMNS = (
    "record_id, record_type, uri, status, date, file, offset, length, payload_digest, "
    "refers_to, truncated, site, run_id, etag, last_modified, location"
)
_RECORD_COLUMNS = (
    "url, content_hash, source_record_id, site, file, offset, metadata_record_id, identity, "
    "article_hash, version, warc"
)
#: Columns later schema versions added, for databases made by an earlier one.
_ADDED_COLUMNS = {
    "captures": ("etag TEXT", "last_modified TEXT", "location TEXT"),
    "records": (
        "identity TEXT",
        "article_hash TEXT",
        "version INTEGER NOT NULL DEFAULT 1",
        "warc TEXT",
    ),
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ArchiveState:
    """The state database of one output folder (see the module docstring).

    :param path: the database file (``DIR/state.sqlite``); created when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)
        self._upgrade()
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS records_identity ON records (identity, version)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS records_site ON records (site, url)")
        self._depth = 0
        self._batching = False
        self._queue: list[tuple[str, tuple[Any, ...]]] = []
        self._pending_originals: dict[str, list[Capture]] = {}
        self._pending_records: set[tuple[str, str]] = set()
        self._pending_urls: set[str] = set()
        self._pending_sources: set[str] = set()
        self._pending_latest: dict[tuple[str | None, str], RecordSeen] = {}
        self._last_commit = time.monotonic()

    def _upgrade(self) -> None:
        """Bring a database an earlier version made to this schema: add the new columns
        and have every file indexed again (the files are the truth; the next sync refills
        the columns from them)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) >= _SCHEMA_VERSION:
            return
        for table, columns in _ADDED_COLUMNS.items():
            have = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column.split()[0] not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        if row is not None:  # an old database: read every file again
            self._db.execute("DELETE FROM captures")
            self._db.execute("DELETE FROM records")
            self._db.execute("UPDATE files SET size = 0")
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(_SCHEMA_VERSION),),
        )

    BATCH_WRITES = 400
    """Batched writes are committed once this many are queued ..."""
    BATCH_SECONDS = 1.0
    """... or once this much time has passed since the last commit."""

    def close(self) -> None:
        """Commit the queued writes and close the connection (closed even if the commit
        fails, e.g. on a full disk; the error is raised then)."""
        try:
            self.commit()
        finally:
            self._db.close()

    def commit(self) -> None:
        """Write the queued (batched) writes in one short transaction."""
        queue = self._queue
        if queue:
            self._queue = []
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in queue:
                    self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        self._pending_originals.clear()
        self._pending_records.clear()
        self._pending_urls.clear()
        self._pending_sources.clear()
        self._pending_latest.clear()
        self._last_commit = time.monotonic()

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        """Run a write now, or queue it while a batched transaction is open."""
        if self._batching:
            self._queue.append((sql, params))
        else:
            self._db.execute(sql, params)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """Run a query that must see every write so far (queued ones are committed first)."""
        if self._queue:
            self.commit()
        return self._db.execute(sql, params)

    def __enter__(self) -> ArchiveState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self, *, batch: bool = False) -> _Transaction:
        """``with state.transaction():`` - one commit for many writes.

        With ``batch=True`` (the crawl's per-page bookkeeping) the writes are queued in
        memory and committed together, in one short transaction, once
        :attr:`BATCH_WRITES` are queued or :attr:`BATCH_SECONDS` have passed (or at the
        next plain transaction, query or :meth:`commit`). No write lock is held between
        commits, so several crawlers (of one process or several) share the database; the
        lookups a crawl makes per page (:meth:`original_for`, :meth:`has_record`,
        :meth:`has_record_from`) see the queued writes. Losing queued writes to a
        ``kill -9`` costs nothing: the database is a cache of the files, and the next start
        re-indexes every file past the size it has committed for it.
        """
        return _Transaction(self, batch)

    # -- files ----------------------------------------------------------------------

    def file_size(self, name: str) -> int | None:
        """Bytes of ``name`` indexed so far, or None when the file is unknown."""
        row = self._read("SELECT size FROM files WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def file_info(self, name: str) -> tuple[str | None, str | None] | None:
        """``(site, run_id)`` recorded for ``name``, or None when the file is unknown."""
        row = self._read("SELECT site, run_id FROM files WHERE name = ?", (name,)).fetchone()
        return None if row is None else (row[0], row[1])

    def set_file(
        self,
        name: str,
        kind: str,
        size: int,
        *,
        site: str | None = None,
        run_id: str | None = None,
    ) -> None:
        """Record that ``name`` is indexed up to ``size`` bytes (keeps a known site/run)."""
        self._write(
            "INSERT INTO files (name, kind, size, site, run_id) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET size = excluded.size, "
            "site = COALESCE(excluded.site, files.site), "
            "run_id = COALESCE(excluded.run_id, files.run_id)",
            (name, kind, size, site, run_id),
        )

    def known_files(self, kind: str) -> list[str]:
        """Names of the files of ``kind`` the database indexes."""
        rows = self._read("SELECT name FROM files WHERE kind = ?", (kind,))
        return [row[0] for row in rows]

    def forget_file(self, name: str) -> None:
        """Drop ``name`` and everything indexed from it (the file shrank or is gone)."""
        with self.transaction():
            self._db.execute("DELETE FROM captures WHERE file = ?", (name,))
            self._db.execute("DELETE FROM records WHERE file = ?", (name,))
            self._db.execute("DELETE FROM files WHERE name = ?", (name,))

    # -- captures -------------------------------------------------------------------

    def add_capture(self, capture: Capture) -> None:
        """Remember one ``response``/``revisit`` record (ignored if its id is known)."""
        self._write(
            f"INSERT OR IGNORE INTO captures ({_CAPTURE_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                capture.record_id,
                capture.record_type,
                capture.uri,
                capture.status,
                capture.date,
                capture.file,
                capture.offset,
                capture.length,
                capture.payload_digest,
                capture.refers_to,
                int(capture.truncated),
                capture.site,
                capture.run_id,
                capture.etag,
                capture.last_modified,
                capture.redirect_to,
            ),
        )
        if (
            self._batching
            and capture.payload_digest
            and capture.record_type == "response"
            and not capture.truncated
        ):
            self._pending_originals.setdefault(capture.payload_digest, []).append(capture)

    def capture(self, record_id: str) -> Capture | None:
        """The capture with ``record_id``, or None."""
        row = self._read(
            f"SELECT {_CAPTURE_COLUMNS} FROM captures WHERE record_id = ?", (record_id,)
        ).fetchone()
        return None if row is None else _capture(row)

    def original_for(self, digest: str, uri: str) -> Capture | None:
        """A complete ``response`` whose payload has ``digest``: the same URI's if any,
        else another URI's; the oldest first. None when the payload is new."""
        row = self._db.execute(  # committed rows are older than the queued ones
            f"SELECT {_CAPTURE_COLUMNS} FROM captures "
            "WHERE payload_digest = ? AND record_type = 'response' AND truncated = 0 "
            "ORDER BY uri = ? DESC, date ASC LIMIT 1",
            (digest, uri),
        ).fetchone()
        found = None if row is None else _capture(row)
        if found is not None and found.uri == uri:
            return found
        queued = self._pending_originals.get(digest, [])
        same = next((capture for capture in queued if capture.uri == uri), None)
        return same or found or (queued[0] if queued else None)

    def captures_of_runs(self, site: str, run_ids: Iterable[str]) -> Iterator[Capture]:
        """Every capture the given runs of ``site`` made, in the order they were made."""
        ids = list(run_ids)
        if not ids:
            return iter(())
        marks = ",".join("?" * len(ids))
        rows = self._read(
            f"SELECT {_CAPTURE_COLUMNS} FROM captures "
            f"WHERE site = ? AND run_id IN ({marks}) ORDER BY rowid",
            (site, *ids),
        )
        return (_capture(row) for row in rows.fetchall())

    def captures_of(self, uri: str, site: str, run_ids: Iterable[str]) -> list[Capture]:
        """The captures of ``uri`` made by the given runs of ``site``, the newest first."""
        ids = list(run_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._read(
            f"SELECT {_CAPTURE_COLUMNS} FROM captures "
            f"WHERE uri = ? AND site = ? AND run_id IN ({marks}) ORDER BY rowid DESC",
            (uri, site, *ids),
        )
        return [_capture(row) for row in rows.fetchall()]

    def count_captures(self) -> int:
        """How many captures are indexed."""
        return int(self._read("SELECT COUNT(*) FROM captures").fetchone()[0])

    # -- runs -----------------------------------------------------------------------

    def start_run(self, site: str, run_id: str) -> None:
        """Record that a run of ``site`` started (unfinished until :meth:`finish_runs`).

        Committed at once, never left in a batch: a run killed before its next commit must
        still be known as unfinished, or the next run could not resume it."""
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO runs (site, run_id, started) VALUES (?, ?, ?)",
                (site, run_id, _now()),
            )

    def finish_runs(self, site: str, run_ids: Iterable[str]) -> None:
        """Mark the given runs of ``site`` finished."""
        with self.transaction():
            for run_id in run_ids:
                self._db.execute(
                    "UPDATE runs SET finished = ? WHERE site = ? AND run_id = ? "
                    "AND finished IS NULL",
                    (_now(), site, run_id),
                )

    def unfinished_runs(self, site: str, *, before: str | None = None) -> list[str]:
        """Run ids of ``site`` that never finished (killed, interrupted), oldest first;
        with ``before``, only runs other than that one."""
        rows = self._read(
            "SELECT run_id FROM runs WHERE site = ? AND finished IS NULL "
            "AND run_id IS NOT ? ORDER BY run_id",
            (site, before),
        )
        return [row[0] for row in rows]

    def add_run_if_missing(self, site: str, run_id: str, *, finished: bool) -> None:
        """Remember a run found in the files (the database lost it)."""
        self._write(
            "INSERT OR IGNORE INTO runs (site, run_id, started, finished) VALUES (?, ?, ?, ?)",
            (site, run_id, _now(), _now() if finished else None),
        )

    # -- article records ------------------------------------------------------------

    def add_record(self, seen: RecordSeen) -> None:
        """Remember a record stored in a JSONL file (ignored if URL + hash are known)."""
        self._write(
            f"INSERT OR IGNORE INTO records ({_RECORD_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seen.url,
                seen.content_hash,
                seen.source_record_id,
                seen.site,
                seen.file,
                seen.offset,
                seen.metadata_record_id,
                seen.identity,
                seen.article_hash,
                seen.version,
                json.dumps(seen.warc) if seen.warc is not None else None,
            ),
        )
        if self._batching:
            self._pending_records.add((seen.url, seen.content_hash))
            self._pending_urls.add(seen.url)
            if seen.source_record_id:
                self._pending_sources.add(seen.source_record_id)
            if seen.identity is not None:
                key = (seen.site, seen.identity)
                known = self._pending_latest.get(key)
                if known is None or known.version <= seen.version:
                    self._pending_latest[key] = seen

    def has_record_of_url(self, url: str) -> bool:
        """True when some stored record has ``url`` (the article is known)."""
        if url in self._pending_urls:
            return True
        row = self._db.execute("SELECT 1 FROM records WHERE url = ? LIMIT 1", (url,)).fetchone()
        return row is not None

    def site_has_finished_run(self, site: str) -> bool:
        """True when a run of ``site`` finished in this folder (it was crawled before)."""
        row = self._read(
            "SELECT 1 FROM runs WHERE site = ? AND finished IS NOT NULL LIMIT 1", (site,)
        ).fetchone()
        return row is not None

    def article_checks(self, site: str, page: int = 500) -> Iterator[tuple[str, str, int]]:
        """``(url, first check, checks)`` of every article of ``site`` with a record: when
        its page was first fetched whole (``200``), and how many times it was fetched or
        revalidated (``200``/``304``) since, first fetch included. Read ``page`` URLs at a
        time, no statement left open between them (the caller writes meanwhile)."""
        after = ""
        while True:
            urls = [
                row[0]
                for row in self._read(
                    "SELECT DISTINCT url FROM records WHERE site = ? AND url > ? "
                    "ORDER BY url LIMIT ?",
                    (site, after, page),
                ).fetchall()
            ]
            if not urls:
                return
            marks = ",".join("?" * len(urls))
            rows = self._read(
                f"SELECT uri, MIN(date), COUNT(*) FROM captures WHERE uri IN ({marks}) "
                "AND status IN (200, 304) AND truncated = 0 GROUP BY uri ORDER BY uri",
                tuple(urls),
            ).fetchall()
            for url, first, checks in rows:
                yield str(url), str(first), int(checks)
            after = urls[-1]

    def latest_version(self, identity: str, site: str | None) -> RecordSeen | None:
        """The stored record of the article ``identity`` (of ``site``) with the highest
        ``version``, or None when the article has none yet."""
        queued = self._pending_latest.get((site, identity))
        row = self._db.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE identity = ? AND site IS ? "
            "ORDER BY version DESC LIMIT 1",
            (identity, site),
        ).fetchone()
        found = None if row is None else _record(row)
        if queued is not None and (found is None or queued.version >= found.version):
            return queued
        return found

    def captures_of_uri(self, uri: str) -> list[Capture]:
        """Every committed capture of ``uri`` (any run, any site), oldest first: what
        earlier runs archived. Writes this run still queues are left out, and not
        committed for it (it is asked once per article URL a crawl meets)."""
        rows = self._db.execute(
            f"SELECT {_CAPTURE_COLUMNS} FROM captures WHERE uri = ? ORDER BY date, rowid",
            (uri,),
        )
        return [_capture(row) for row in rows.fetchall()]

    def has_record(self, url: str, content_hash: str) -> bool:
        """True when a record of ``url`` with this content is stored already."""
        if (url, content_hash) in self._pending_records:
            return True
        row = self._db.execute(
            "SELECT 1 FROM records WHERE url = ? AND content_hash = ?", (url, content_hash)
        ).fetchone()
        return row is not None

    def has_record_from(self, source_record_id: str) -> bool:
        """True when a stored record was extracted from the response ``source_record_id``."""
        if source_record_id in self._pending_sources:
            return True
        row = self._db.execute(
            "SELECT 1 FROM records WHERE source_record_id = ?", (source_record_id,)
        ).fetchone()
        return row is not None

    def set_metadata_record(self, url: str, content_hash: str, record_id: str) -> None:
        """Note that the WARC metadata record ``record_id`` carries this record."""
        self._write(
            "UPDATE records SET metadata_record_id = ? WHERE url = ? AND content_hash = ?",
            (record_id, url, content_hash),
        )

    def records_without_metadata(self, site: str) -> list[RecordSeen]:
        """Stored records of ``site`` that no WARC metadata record carries yet."""
        rows = self._read(
            "SELECT url, content_hash, source_record_id, site, file, offset, "
            "metadata_record_id FROM records WHERE site = ? AND metadata_record_id IS NULL "
            "ORDER BY file, offset",
            (site,),
        )
        return [RecordSeen(*row) for row in rows.fetchall()]

    def count_records(self) -> int:
        """How many stored records are indexed."""
        return int(self._read("SELECT COUNT(*) FROM records").fetchone()[0])


class _Transaction:
    """``BEGIN`` ... ``COMMIT`` (``ROLLBACK`` on error); nested uses join the outer one, and
    a batched one may leave its commit to a later transaction (see
    :meth:`ArchiveState.transaction`)."""

    def __init__(self, state: ArchiveState, batch: bool) -> None:
        self._state = state
        self._batch = batch

    def __enter__(self) -> None:
        state = self._state
        if state._depth == 0:
            if self._batch:
                state._batching = True
            else:
                state.commit()  # the queued writes go first
                state._db.execute("BEGIN IMMEDIATE")
        state._depth += 1

    def __exit__(self, exc_type: object, *rest: object) -> None:
        state = self._state
        state._depth -= 1
        if state._depth:
            return
        if state._batching:
            state._batching = False
            due = (
                len(state._queue) >= state.BATCH_WRITES
                or time.monotonic() - state._last_commit >= state.BATCH_SECONDS
            )
            if due:
                state.commit()
            return
        if exc_type is not None:
            if state._db.in_transaction:
                state._db.execute("ROLLBACK")
            return
        state._db.execute("COMMIT")


def _capture(row: tuple[Any, ...]) -> Capture:
    values = list(row)
    values[10] = bool(values[10])
    return Capture(*values)


def _record(row: tuple[Any, ...]) -> RecordSeen:
    values = list(row)
    values[10] = json.loads(values[10]) if values[10] else None
    values[9] = int(values[9] or 1)
    return RecordSeen(*values)
