"""Exceptions that the command line turns into a clear message and exit code 2."""
from __future__ import annotations


class IomError(Exception):
    """Base class: an expected, user-facing failure (bad input, bad configuration)."""

    exit_code = 2


class ConfigError(IomError):
    """A configuration file or value is invalid."""


class DataSourceError(IomError):
    """A data source cannot be read (missing file, unreachable database, bad format)."""


class DataValidationError(IomError):
    """The data do not match the data model; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = list(problems or [])


class ParameterError(IomError):
    """A report or command parameter is unknown or has a bad value."""
