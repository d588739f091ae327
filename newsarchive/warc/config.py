"""Settings of the WARC capture, read once into a typed :class:`WarcConfig`.

=================================  ===================  ==========================================
setting                            default              meaning
=================================  ===================  ==========================================
``NEWSARCHIVE_WARC_ENABLED``       ``True``             archive every fetch into WARC files
``NEWSARCHIVE_OUT``                ``"archives"``       output folder; WARCs go to ``OUT/warc``
``NEWSARCHIVE_WARC_PREFIX``        ``None``             file name prefix; unset: the spider's name
``NEWSARCHIVE_WARC_MAX_SIZE``      ``1_000_000_000``    rotate a file once it has this many bytes
``NEWSARCHIVE_WARC_GZIP_LEVEL``    ``6``                zlib level of each record's gzip member
``NEWSARCHIVE_WARC_OPERATOR``      ``None``             warcinfo ``operator``
``NEWSARCHIVE_WARC_DESCRIPTION``   ``None``             warcinfo ``description``
``NEWSARCHIVE_WARC_DEDUP``         ``True``             a payload archived before becomes a revisit
``NEWSARCHIVE_WARC_DEDUP_MIN_SIZE``  ``1``              smaller payloads are always stored
``NEWSARCHIVE_WARC_RECORDS``       ``True``             each JSONL record also as a metadata record
``NEWSARCHIVE_WARC_CDXJ``          ``True``             ``DIR/indexes/{file}.cdxj`` per closed file
=================================  ===================  ==========================================

``ROBOTSTXT_OBEY`` gives warcinfo ``robots`` (``obey``/``ignore``) and ``USER_AGENT`` its
``http-header-user-agent``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Self

from newsarchive.warc.writer import DEFAULT_GZIP_LEVEL, DEFAULT_MAX_SIZE

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["WarcConfig"]

_PREFIX_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class WarcConfig:
    """The WARC capture's configuration (see the module docstring for the settings)."""

    enabled: bool = True
    """``NEWSARCHIVE_WARC_ENABLED``."""
    directory: Path = Path("archives") / "warc"
    """``NEWSARCHIVE_OUT`` + ``/warc``."""
    prefix: str | None = None
    """``NEWSARCHIVE_WARC_PREFIX``; ``None`` (or empty): the spider's name."""
    max_size: int = DEFAULT_MAX_SIZE
    gzip_level: int = DEFAULT_GZIP_LEVEL
    """``NEWSARCHIVE_WARC_GZIP_LEVEL`` (zlib 1-9; each record is its own gzip member)."""
    """``NEWSARCHIVE_WARC_MAX_SIZE``, in bytes."""
    operator: str | None = None
    """``NEWSARCHIVE_WARC_OPERATOR``."""
    description: str | None = None
    """``NEWSARCHIVE_WARC_DESCRIPTION``."""
    robots: str = "obey"
    """``obey`` or ``ignore``, from ``ROBOTSTXT_OBEY``."""
    user_agent: str | None = None
    """``USER_AGENT``."""
    dedup: bool = True
    """``NEWSARCHIVE_WARC_DEDUP``: identical payloads become ``revisit`` records."""
    dedup_min_size: int = 1
    """``NEWSARCHIVE_WARC_DEDUP_MIN_SIZE``: payloads shorter than this are always stored."""
    records: bool = True
    """``NEWSARCHIVE_WARC_RECORDS``: write each stored article record as a metadata record."""
    cdxj: bool = True
    """``NEWSARCHIVE_WARC_CDXJ``: write a CDXJ index of each file when it is closed."""

    def __post_init__(self) -> None:
        if not 1 <= self.gzip_level <= 9:
            raise ValueError(f"NEWSARCHIVE_WARC_GZIP_LEVEL must be 1..9, got {self.gzip_level!r}")
        if self.max_size <= 0:
            raise ValueError(
                f"NEWSARCHIVE_WARC_MAX_SIZE must be a positive number of bytes, "
                f"got {self.max_size!r}"
            )
        if self.prefix is not None and not _PREFIX_OK.match(self.prefix):
            raise ValueError(
                f"NEWSARCHIVE_WARC_PREFIX must be letters, digits, '.', '_' or '-', "
                f"got {self.prefix!r}"
            )

    def prefix_for(self, spider_name: str | None) -> str:
        """The file name prefix: the setting, else the spider's name, else ``NEWSARCHIVE``."""
        if self.prefix:
            return self.prefix
        cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", spider_name or "").strip("-.")
        return cleaned or "NEWSARCHIVE"

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        """Read the ``NEWSARCHIVE_*`` settings. Raises ValueError on invalid values."""
        out = settings.get("NEWSARCHIVE_OUT") or "archives"
        return cls(
            enabled=settings.getbool("NEWSARCHIVE_WARC_ENABLED", True),
            directory=Path(out) / "warc",
            prefix=settings.get("NEWSARCHIVE_WARC_PREFIX") or None,
            max_size=settings.getint("NEWSARCHIVE_WARC_MAX_SIZE", DEFAULT_MAX_SIZE),
            gzip_level=settings.getint("NEWSARCHIVE_WARC_GZIP_LEVEL", DEFAULT_GZIP_LEVEL),
            operator=settings.get("NEWSARCHIVE_WARC_OPERATOR") or None,
            description=settings.get("NEWSARCHIVE_WARC_DESCRIPTION") or None,
            robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            user_agent=settings.get("USER_AGENT") or None,
            dedup=settings.getbool("NEWSARCHIVE_WARC_DEDUP", True),
            dedup_min_size=settings.getint("NEWSARCHIVE_WARC_DEDUP_MIN_SIZE", 1),
            records=settings.getbool("NEWSARCHIVE_WARC_RECORDS", True),
            cdxj=settings.getbool("NEWSARCHIVE_WARC_CDXJ", True),
        )
