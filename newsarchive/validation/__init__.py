"""The parts of ``newsarchive validate``; the entry point is ``newsarchive.validate``."""

from newsarchive.validation.report import CODES, Problem, ValidationReport

__all__ = ["CODES", "Problem", "ValidationReport"]
