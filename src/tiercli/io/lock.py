"""One run at a time per output folder: a lock file beside the outputs (never on the data files).

Which lock works depends on the filesystem, so the kind is a setting (``lock``):

- ``os``: flock on the lock file (on Windows filelock's LockFileEx).  Released by the kernel when the process
  dies, so a killed run never blocks the next.  But on Linux, flock over NFS mounted ``nolock`` and over
  CIFS/SMB is local to one client: two machines would both "hold" it.
- ``soft``: the lock is the existence of the file, created with O_CREAT|O_EXCL, which NFS (v3+) and SMB
  servers decide atomically for every client.

Both kinds write the holder (``PID``, ``HOST``, ``started=EPOCH kind=KIND``: the first two lines are filelock's
SoftFileLock format, so older tiercli runs are understood) and honour each other's: machines reaching one folder
with different kinds still take turns.  An OS-lock run empties the file on release; a soft-lock run removes it.
A file naming a dead process of this host, an empty file nobody holds, or one older than
``lock_expire_minutes`` (if set) is taken over with a one-line note; else the error names the holder.  A lock
file that is a symlink is never followed (an ``EnvironmentFault``), and content tiercli did not write is never
echoed.  New lock files are as group/world-writable as their folder.
- ``auto`` (default): ``soft`` when the output folder is on a network filesystem
  (NFS, CIFS/SMB, sshfs ...; read from /proc/self/mounts on Linux), else ``os``.
  On Windows, ``os``: LockFileEx is honoured by SMB servers for every client.
- ``none``: no lock (a single-user laptop, a filesystem that supports neither).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, LockedError

LOCK_NAME = ".tiercli.lock"
NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "9p", "afs", "ceph", "glusterfs",
              "fuse.glusterfs", "lustre", "davfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "ncpfs", "vboxsf"}


def filesystem_type(folder: Path) -> str | None:
    """The type of the filesystem holding ``folder`` (Linux only; None elsewhere or when unknown)."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    target = str(Path(folder).resolve())
    best, kind = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, parts[2]
    return kind


def lock_kind(folder: Path, setting: str) -> str:
    """Resolve the ``lock`` setting for ``folder`` to os, soft or none."""
    if setting not in {"auto", "os", "soft", "none"}:
        raise ConfigError(f"lock = {setting!r}: use auto, os, soft or none.")
    if setting != "auto":
        return setting
    if sys.platform == "win32":
        return "os"
    return "soft" if (filesystem_type(folder) or "") in NETWORK_FS else "os"


EMPTY_GRACE_S = 5.0  # an empty lock file older than this is a released OS lock, not a run about to write its name


@dataclass
class Holder:
    """Who a lock file names: ``pid``/``host``/``started``/``kind`` (None when the file names nobody)."""

    pid: int | None
    host: str | None
    started: float | None  # epoch seconds, by the holder's clock
    kind: str | None
    changed: float  # the file's mtime

    def describe(self) -> str:
        from ..i18n import _

        if self.pid is None:
            return _("an empty lock file, last changed {when}").format(when=_when(self.changed))
        return _("host {host}, pid {pid}, started {when}").format(
            host=self.host or "?", pid=self.pid, when=_when(self.started or self.changed))


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


_HOST_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_]{0,252}")


def _parse_holder(data: bytes, changed: float) -> Holder:
    """The holder a lock file names: ``PID\\nHOST\\n[started=EPOCH kind=KIND]`` (the first two lines are
    filelock's SoftFileLock format, so runs of older tiercli versions are understood).  Anything else (an
    empty file, text tiercli did not write) names nobody, and is never echoed."""
    lines = data.decode("ascii", errors="replace").split("\n")
    if len(lines) < 2 or not lines[0].isdigit() or not _HOST_RE.fullmatch(lines[1]) or len(lines[0]) > 10:
        return Holder(None, None, None, None, changed)
    fields = dict(part.split("=", 1) for part in (lines[2] if len(lines) > 2 else "").split() if "=" in part)
    try:
        started = float(fields.get("started", ""))
    except ValueError:
        started = None
    kind = fields.get("kind") if fields.get("kind") in ("os", "soft") else None
    return Holder(int(lines[0]), lines[1], started, kind, changed)


def _holder_line(kind: str) -> bytes:
    host = socket.gethostname() or "localhost"
    return f"{os.getpid()}\n{host}\nstarted={time.time():.0f} kind={kind}\n".encode("ascii", "replace")


def _this_host(host: str | None) -> bool:
    return host == (socket.gethostname() or "localhost")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or we cannot tell: assume alive
    return True


def _stale(holder: Holder, expire_s: float, now: float) -> str | None:
    """Why the lock file ``holder`` came from may be taken over, or None while it may still be held."""
    from ..i18n import _

    if holder.pid is None:
        return _("it names no run") if now - holder.changed > EMPTY_GRACE_S else None
    if _this_host(holder.host) and not _alive(holder.pid):
        return _("its process is gone")
    if expire_s and now - (holder.started or holder.changed) > expire_s:
        return _("it is older than lock_expire_minutes")
    return None


def _fault(err: OSError, path: Path):
    from ..errors import environment_fault
    from ..i18n import _

    return environment_fault(err, path, _("use the lock file"))


def _not_a_file(path: Path):
    from ..errors import EnvironmentFault
    from ..i18n import _

    return EnvironmentFault(_("{path} is not a regular file (a symbolic link?); tiercli does not follow it.").format(
        path=path), hint=_("Remove it and run again."))


def _read_holder(path: Path) -> Holder | None:
    """The holder the lock file at ``path`` names; None when it is gone.  Never follows a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _not_a_file(path) from None
        raise _fault(err, path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_a_file(path)
        return _parse_holder(os.read(fd, 512), st.st_mtime)
    finally:
        os.close(fd)


def _shared_mode(folder: Path) -> int:
    """rw-r--r-- plus group/other write where the folder gives them, so a colleague's run can take a lock over."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return 0o644
    return 0o644 | (mode & 0o020) | (mode & 0o002)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _say(message: str) -> None:
    from ..errors import clean_text

    sys.stderr.write(f"tiercli: note: {clean_text(message, 400)}\n")


def _unheld(path: Path) -> bool:
    """Whether no process holds an OS lock on ``path`` (an empty file an OS-lock run left when it finished)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # (drops the probe's lock)


def _fchmod(fd: int, mode: int) -> None:
    if hasattr(os, "fchmod"):
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)


class _SoftLock:
    """The lock is the existence of the file (O_CREAT|O_EXCL, atomic on NFS v3+ and SMB for every client)."""

    def __init__(self, path: Path, expire_s: float):
        self.path, self.expire_s = path, expire_s
        self.mine: bytes | None = None

    def try_acquire(self) -> Holder | None:
        """None when acquired, else the live holder."""
        from ..i18n import _

        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags, 0o666)
        except FileExistsError:
            holder = _read_holder(self.path)
            if holder is None:
                return self.try_acquire()  # released meanwhile
            why = _stale(holder, self.expire_s, time.time())
            if why is None and holder.pid is None and _unheld(self.path):
                why = _("it names no run and no process holds it")
            if why is None:
                return holder
            _take_over(self.path, holder, why)
            return self.try_acquire()
        except OSError as err:
            raise _fault(err, self.path) from None
        try:
            _fchmod(fd, _shared_mode(self.path.parent))
            self.mine = _holder_line("soft")
            os.write(fd, self.mine)
            with contextlib.suppress(OSError):
                os.fsync(fd)
        except OSError as err:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            raise _fault(err, self.path) from None
        os.close(fd)
        return None

    def release(self) -> None:
        try:  # still ours? (it may have been taken over as stale, or replaced by a symlink)
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
        except OSError:
            return
        try:
            ours = os.read(fd, 512) == self.mine
        except OSError:
            ours = False
        finally:
            os.close(fd)
        if ours:
            with contextlib.suppress(OSError):
                os.unlink(self.path)


class _OsLock:
    """flock on the lock file (released by the kernel when the process dies), which also names its holder so a
    soft-lock run on another machine sees it; emptied, not removed, on release (waiters hold its inode)."""

    def __init__(self, path: Path, expire_s: float):
        self.path, self.expire_s = path, expire_s
        self.fd: int | None = None

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags | os.O_EXCL, 0o666)
            _fchmod(fd, _shared_mode(self.path.parent))
            return fd
        except FileExistsError:
            pass
        except OSError as err:
            raise _fault(err, self.path) from None
        try:
            fd = os.open(self.path, flags, 0o666)
        except PermissionError:  # another user's lock file: flock works on a read-only descriptor
            try:
                fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW)
            except OSError as err:
                raise _fault(err, self.path) from None
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise _not_a_file(self.path) from None
            raise _fault(err, self.path) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise _not_a_file(self.path)
        return fd

    def try_acquire(self) -> Holder | None:
        import fcntl

        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _parse_holder(os.pread(fd, 512, 0), os.fstat(fd).st_mtime)
            os.close(fd)
            return holder
        except OSError as err:
            os.close(fd)
            raise _fault(err, self.path) from None
        try:
            same = os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if not same:  # taken over as stale by a soft-lock run and replaced: start again on the new file
            os.close(fd)
            return self.try_acquire()
        holder = _parse_holder(os.pread(fd, 512, 0), os.fstat(fd).st_mtime)
        # a soft-lock run elsewhere (NFS/SMB from another machine) holds it; an "os" name is a killed run's
        if holder.pid is not None and holder.kind != "os":
            why = _stale(holder, self.expire_s, time.time())
            if why is None:
                os.close(fd)  # (closing drops the flock)
                return holder
            _say(_took_over(self.path, holder, why))
        with contextlib.suppress(OSError):  # (a read-only descriptor: another user's file, left unnamed)
            os.ftruncate(fd, 0)
            os.pwrite(fd, _holder_line("os"), 0)
        self.fd = fd
        return None

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        os.close(self.fd)  # drops the flock
        self.fd = None


def _took_over(path: Path, holder: Holder, why: str) -> str:
    from ..i18n import _

    return _("took over the lock {path} ({holder}): {why}.").format(path=path, holder=holder.describe(), why=why)


def _take_over(path: Path, holder: Holder, why: str) -> None:
    """Move a stale lock file aside (rename is atomic: of two runs taking it over, one moves it) and remove it."""
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}-{time.time_ns() % 10**9}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return  # another run took it over first
    except OSError as err:
        raise _fault(err, path) from None
    with contextlib.suppress(OSError):
        os.unlink(aside)
    _say(_took_over(path, holder, why))


@contextlib.contextmanager
def held(path: Path, *, kind: str = "auto", wait: float = 0.0, expire_minutes: float = 0.0):
    """Hold the lock file ``path`` (kind resolved on its folder) for the block; LockedError past ``wait``.

    Both kinds write the holder (pid, host, start) into the file and honour each other's, so machines that
    reach one folder with different lock kinds still take turns; a stale or empty file is taken over with a
    note on stderr.  The lock file is never followed when it is a symlink (an ``EnvironmentFault``)."""
    from ..i18n import _

    path = Path(path)
    resolved = lock_kind(path.parent, kind)
    if resolved == "none":
        yield None
        return
    expire_s = float(expire_minutes or 0) * 60
    if resolved == "os" and sys.platform == "win32":  # LockFileEx through filelock; no holder in the file
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), timeout=wait)
        try:
            lock.acquire(poll_interval=0.2)
        except Timeout:
            raise LockedError(_("another tiercli run holds {path}.").format(path=path),
                              hint=_("Wait for it to finish, or pass --wait SECONDS to queue.")) from None
        try:
            yield lock
        finally:
            lock.release()
        return
    lock = _SoftLock(path, expire_s) if resolved == "soft" else _OsLock(path, expire_s)
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        holder = lock.try_acquire()
        if holder is None:
            break
        if time.monotonic() >= deadline:
            hint = _("Wait for it to finish, or pass --wait SECONDS to queue.")
            if holder.pid is not None:
                hint += " " + _("If no run is active (a crashed run on another machine), delete {path} or set "
                                "lock_expire_minutes.").format(path=path)
            raise LockedError(_("another tiercli run holds {path} ({holder}).").format(
                path=path, holder=holder.describe()), hint=hint)
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())) or 0.01)
    try:
        yield lock
    finally:
        lock.release()


def output_lock(folder: Path, *, kind: str = "auto", wait: float = 0.0, expire_minutes: float = 0.0):
    """Hold the output folder's lock (``.tiercli.lock`` beside the outputs) for the block."""
    return held(Path(folder) / LOCK_NAME, kind=kind, wait=wait, expire_minutes=expire_minutes)


def remove_stale_temps(folder: Path, older_than_s: float = 3600.0) -> int:
    """Delete temp files a killed run left (``.~tiercli-*.tmp``, older than ``older_than_s``) in ``folder``."""
    from .write.atomic import remove_stale_temps as remove

    return remove(folder, older_than_s)
