"""The project's Scrapy settings, loaded by module name so the CLI works from any directory."""

from __future__ import annotations

from scrapy.settings import Settings

__all__ = ["SETTINGS_MODULE", "base_settings"]

SETTINGS_MODULE = "newsarchive.settings"


def base_settings() -> Settings:
    """The settings of :data:`SETTINGS_MODULE` at ``project`` priority, nothing more."""
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    return settings
