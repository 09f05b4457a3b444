"""Errors a user can act on.

Every failure that comes from the user's files, flags or environment is a
``TiercliError``: it carries a one-line message that says what to do and the
exit code the CLI returns.  Anything else is a bug (exit 1).
"""

from __future__ import annotations

import errno

# Exit codes, documented in the README ("Exit codes").
EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INPUT = 2  # bad usage or bad input: fix the command, the file or tiercli.toml
EXIT_LOCKED = 3  # another tiercli run holds the output folder's lock
EXIT_FALLBACK = 4  # the output was busy (open in Excel?); wrote a dated fallback file instead
EXIT_ENVIRONMENT = 5  # the machine or drive refused: disk full, read-only, no permission, a path of the wrong kind


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


class EnvironmentFault(OutputError):
    """The machine or the drive refused a write: disk full, read-only file system, no permission, a file
    where a folder should be, a symlink where tiercli keeps its own files."""

    code = "environment"
    exit_code = EXIT_ENVIRONMENT


def environment_fault(err: OSError, path, doing: str) -> EnvironmentFault:
    """The one-line error for an ``OSError`` the environment raised while ``doing`` (e.g. "write") ``path``."""
    from .i18n import _

    where = str(path)
    code = getattr(err, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        what, hint = _("the disk is full"), _("Free some space on that drive and run again.")
    elif code == errno.EROFS:
        what, hint = _("the file system is read-only"), _("Choose a folder you can write to, or remount it "
                                                          "read-write.")
    elif code in (errno.EACCES, errno.EPERM):
        what, hint = _("permission denied"), _("Fix the folder's permissions or choose another folder.")
    elif code == errno.ENOTDIR:
        what, hint = _("a part of the path is a file, not a folder"), _("Move that file away and run again.")
    elif code == errno.ELOOP:
        what, hint = _("it is a symbolic link, which tiercli does not follow there"), _(
            "Remove the link and run again.")
    else:
        what = clean_text(getattr(err, "strerror", None) or str(err))
        hint = _("Check the disk and the folder, then run again.")
    return EnvironmentFault(_("cannot {doing} {path}: {what}.").format(doing=doing, path=clean_text(where),
                                                                       what=what), hint=hint)


ENVIRONMENT_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS, errno.EACCES,
                      errno.EPERM, errno.ENOTDIR, errno.ELOOP, errno.EISDIR, errno.EIO, errno.ENAMETOOLONG}


def clean_text(text: str, limit: int = 200) -> str:
    """``text`` fit for one line of a terminal: control characters (escape sequences, line breaks) shown as
    ``\\xNN`` instead of being run by the terminal, and cut to ``limit`` characters."""
    text = str(text)
    out = "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text[:limit + 1])
    return out[:limit] + ("…" if len(out) > limit else "")


class LockedError(TiercliError):
    """Another run holds the lock of the output folder."""

    code = "locked"
    exit_code = EXIT_LOCKED
