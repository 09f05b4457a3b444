"""Errors a user can act on.

Every failure that comes from the user's files, flags or environment is a
``TiercliError``: it carries a one-line message that says what to do and the
exit code the CLI returns.  Anything else is a bug (exit 1).
"""

from __future__ import annotations

# Exit codes, documented in the README ("Exit codes").
EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INPUT = 2  # bad usage or bad input: fix the command, the file or tiercli.toml
EXIT_LOCKED = 3  # another tiercli run holds the output folder's lock
EXIT_FALLBACK = 4  # the output was busy (open in Excel?); wrote a dated fallback file instead


class TiercliError(Exception):
    """Base class: a problem the user can fix.  ``str(err)`` is the one-line message."""

    exit_code = EXIT_INPUT
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class InputError(TiercliError):
    """A file cannot be read or understood (missing, empty, corrupt, unknown layout, bad values)."""

    code = "input"


class ColumnError(InputError):
    """A required column is missing or a column's values cannot be interpreted."""

    code = "column"


class ConfigError(TiercliError):
    """tiercli.toml, an environment variable or a flag has a bad value."""

    code = "config"


class OutputError(TiercliError):
    """An output cannot be written at all."""

    code = "output"


class OutputBusyError(TiercliError):
    """The target was busy; a fallback file was written instead (``path`` is where the data went)."""

    code = "output_busy"
    exit_code = EXIT_FALLBACK

    def __init__(self, message: str, *, path=None, hint: str | None = None):
        self.path = path
        super().__init__(message, hint=hint)


class LockedError(TiercliError):
    """Another run holds the lock of the output folder."""

    code = "locked"
    exit_code = EXIT_LOCKED
