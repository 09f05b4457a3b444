"""Atomic, busy-tolerant replacement of an output file (temp beside the target, fsync, ``os.replace``)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...errors import EnvironmentFault, OutputError, environment_fault

TMP_PREFIX = ".~tiercli-"
TMP_SUFFIX = ".tmp"
_BUSY_ERRNOS = {errno.EACCES, errno.EBUSY, getattr(errno, "ETXTBSY", errno.EBUSY)}
_BUSY_WINERRORS = {5, 32, 33}  # access denied, sharing violation, lock violation


def _is_busy(err: OSError) -> bool:
    return (
        isinstance(err, PermissionError)
        or err.errno in _BUSY_ERRNOS
        or getattr(err, "winerror", None) in _BUSY_WINERRORS
    )


def output_error(path: Path, what: str, hint: str) -> OutputError:
    return OutputError(f"cannot write {path}: {what}.", hint=hint)


def drive_refused(path: Path, err: OSError, what: str | None = None,
             hint: str = "Check the disk and folder, or choose another -o.") -> OutputError:
    """The drive refused a write (full, read-only, no permission, I/O error): exit code 5, one line."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS):
        return environment_fault(err, path, "write")
    return EnvironmentFault(f"cannot write {path}: {what or err.strerror or err}.", hint=hint)


def _check_target(path: Path) -> Path:
    folder = path.parent
    if not folder.exists():
        raise output_error(path, f"folder {folder} does not exist", "Create it or choose another -o.")
    if not folder.is_dir():
        raise output_error(path, f"{folder} is not a folder", "Choose another -o.")
    if path.is_dir():
        raise output_error(path, "it is a folder", "Give a file name with -o.")
    return folder


def _make_temp(path: Path, folder: Path) -> Path:
    """Create the temp file beside the target (same filesystem, so os.replace is atomic)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    stem = path.name[:60]
    for _ in range(20):
        tmp = folder / f"{TMP_PREFIX}{stem}-{secrets.token_hex(4)}{TMP_SUFFIX}"
        try:
            # 0o666 minus umask, like any new file: mkstemp's 0600 would lock
            # colleagues out of a report on a shared drive.
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except PermissionError as err:
            raise drive_refused(path, err, f"no permission to write in folder {folder}",
                           "Fix its permissions or choose another -o.") from err
        except OSError as err:
            raise drive_refused(path, err) from err
        os.close(fd)
        try:  # a rewritten report keeps the permissions it had (a symlink's target's are not its own)
            old = os.lstat(path)
            if stat.S_ISREG(old.st_mode):
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
        except OSError:
            pass
        return tmp
    raise output_error(path, "could not create a temporary file", "Check the folder or choose another -o.")


STALE_TEMP_S = 3600.0  # a temp untouched this long is a killed run's (no write of tiercli's takes an hour)
SCRATCH_PREFIX = "tiercli-xlsx-"  # the workbook writer's spill folders, in TMPDIR


def remove_stale_temps(folder: Path, older_than_s: float = STALE_TEMP_S) -> int:
    """Delete the ``.~tiercli-*.tmp`` files killed runs left in ``folder``; symlinks are removed, never followed."""
    removed = 0
    now = time.time()
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(TMP_PREFIX) and name.endswith(TMP_SUFFIX)):
            continue
        p = Path(folder) / name
        try:
            st = os.lstat(p)
            if (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)) and now - st.st_mtime > older_than_s:
                os.unlink(p)
                removed += 1
        except OSError:
            pass
    return removed


def remove_stale_scratch(older_than_s: float = STALE_TEMP_S, where: str | None = None) -> int:
    """Delete the workbook writer's scratch folders (``TMPDIR/tiercli-xlsx-*``) killed runs left: this user's
    only, none touched for ``older_than_s`` (the folder and the spill files in it); symlinks never followed."""
    import shutil

    where = where or tempfile.gettempdir()
    removed = 0
    now = time.time()
    try:
        names = [n for n in os.listdir(where) if n.startswith(SCRATCH_PREFIX)]
    except OSError:
        return 0
    for name in names:
        p = os.path.join(where, name)
        try:
            st = os.lstat(p)
            if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                continue
            newest = max([st.st_mtime] + [os.lstat(os.path.join(p, f)).st_mtime for f in os.listdir(p)])
            if now - newest > older_than_s:
                shutil.rmtree(p, ignore_errors=True)
                removed += 1
        except OSError:
            pass
    return removed


def _fsync_file(tmp: Path) -> None:
    # O_RDWR: Windows only commits through a writable handle.
    fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)):
            raise
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on Windows and some network filesystems.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _now() -> dt.datetime:
    return dt.datetime.now()  # local time: the seller reads the name next to the original


def _fallback_candidates(path: Path):
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    stem, ext = path.stem, path.suffix
    yield path.with_name(f"{stem}.{stamp}{ext}")
    for n in range(2, 1000):
        yield path.with_name(f"{stem}.{stamp}-{n}{ext}")


def _publish(tmp: Path, path: Path, retries: int, retry_delay: float) -> tuple[Path, bool]:
    """Rename the finished temp file onto the target, or beside it if the target stays busy."""
    for attempt in range(max(0, retries) + 1):
        try:
            os.replace(tmp, path)
            return path, False
        except OSError as err:
            if not _is_busy(err):
                raise drive_refused(path, err) from err
        if attempt < retries:
            time.sleep(retry_delay)
    last: OSError | None = None
    for candidate in _fallback_candidates(path):
        if candidate.exists():
            continue
        try:
            os.replace(tmp, candidate)
            return candidate, True
        except OSError as err:
            last = err
            if not _is_busy(err):
                break
    raise output_error(path, "it is busy and no fallback file could be written", "Close it in Excel and run again.") from last


def atomic_write(path: Any, fill: Callable[[Path], None], retries: int, retry_delay: float) -> tuple[Path, bool]:
    """Run ``fill(tmp)`` to write the whole content, then publish it atomically."""
    path = Path(path)
    folder = _check_target(path)
    remove_stale_temps(folder)
    tmp = _make_temp(path, folder)
    try:
        try:
            fill(tmp)
            _fsync_file(tmp)
        except OSError as err:
            raise drive_refused(path, err) from err
        final, fallback = _publish(tmp, path, retries, retry_delay)
    except BaseException:
        # KeyboardInterrupt included: never leave a temp file or touch the old target.
        _remove_quietly(tmp)
        raise
    _fsync_dir(folder)
    return final, fallback
