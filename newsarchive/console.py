"""What a crawl prints on stderr: one line per problem, never a traceback.

Cron mails whatever a job writes to stderr, so :class:`ConsoleHandler` shows warnings and
errors (``WARNING`` and above, or the ``--log-level`` if higher) as single lines
(``WARNING newsarchive.robots: ...``), without the traceback (which the log file keeps,
``DIR/logs/{RUN}.log``), and after three lines of the same kind (the same logger and
message template: one line per failed request of an unreachable site, say) only a count
of the rest at the end. ``logging.raiseExceptions`` is turned off, so a log file on a full
disk does not print "--- Logging error ---" for every record.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from typing import TextIO

__all__ = ["ConsoleHandler", "install_console"]

REPEATS_SHOWN = 3


class ConsoleHandler(logging.Handler):
    """One line per record on stderr; repeats of a kind counted, not shown (see module)."""

    def __init__(self, stream: TextIO | None = None, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.stream = stream or sys.stderr
        self.seen: Counter[tuple[str, str]] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        kind = (record.name, str(record.msg))
        self.seen[kind] += 1
        if self.seen[kind] > REPEATS_SHOWN:
            return
        try:
            message = " ".join(record.getMessage().split())
            self.stream.write(f"{record.levelname} {record.name}: {message}\n")
            self.stream.flush()
        except Exception:  # a console gone away: nothing to tell
            pass

    def summary(self) -> list[str]:
        """One line per kind of message that was shown only in part."""
        return [
            f"... and {count - REPEATS_SHOWN} more like '{msg[:80]}' from {name} (see the log)"
            for (name, msg), count in self.seen.items()
            if count > REPEATS_SHOWN
        ]

    def close_summary(self) -> None:
        for line in self.summary():
            self.stream.write(line + "\n")
        self.seen.clear()


def install_console(level: str = "INFO") -> ConsoleHandler:
    """Send warnings and errors to stderr as one-liners (see the module); returns the
    handler, whose :meth:`~ConsoleHandler.close_summary` prints the counts at the end."""
    logging.raiseExceptions = False
    handler = ConsoleHandler(level=max(logging.WARNING, logging.getLevelName(level.upper())))
    logging.getLogger().addHandler(handler)
    return handler
