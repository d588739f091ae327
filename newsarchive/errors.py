"""Errors the command line turns into exit statuses."""


class UsageError(Exception):
    """A command line that parses but cannot be run as given (exit 2)."""


class StartError(Exception):
    """A run that could not start: unknown site, busy or unwritable output folder (exit 3)."""
