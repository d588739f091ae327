"""The bounds of a generic crawl, from the ``NEWSARCHIVE_GENERIC_*`` settings."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class GenericLimits:
    """How far the generic spider may wander on a site it does not know."""

    max_listings: int = 200
    """``NEWSARCHIVE_GENERIC_MAX_LISTINGS``: listing pages fetched and parsed for links
    (home, sections, pagination, ambiguous pages judged listings)."""
    section_depth: int = 2
    """``NEWSARCHIVE_GENERIC_SECTION_DEPTH``: how many navigation hops from the home page
    sections are followed (1: the home page's sections only)."""
    max_pages: int = 20
    """``NEWSARCHIVE_GENERIC_MAX_PAGES``: the deepest page of one listing's pagination."""
    max_candidates: int = 1000
    """``NEWSARCHIVE_GENERIC_MAX_CANDIDATES``: pages with an ambiguous URL fetched to
    decide from their content."""
    max_sitemaps: int = 1000
    """``NEWSARCHIVE_GENERIC_MAX_SITEMAPS``: sitemap files (indexes and urlsets) read."""
    max_feeds: int = 20
    """``NEWSARCHIVE_GENERIC_MAX_FEEDS``: RSS/Atom feeds read."""
    max_links: int = 2000
    """``NEWSARCHIVE_GENERIC_MAX_LINKS``: anchors read on one page (a page with 100,000
    links is read as far as this; the rest counted in ``newsarchive/discovery/links_capped``)."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> GenericLimits:
        """The limits a crawl's settings give (each falls back to its default)."""
        defaults = cls()
        return cls(
            **{
                name: settings.getint(f"NEWSARCHIVE_GENERIC_{name.upper()}", default)
                for name, default in vars(defaults).items()
            }
        )
