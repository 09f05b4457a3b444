"""One run at a time per output folder: a lock file beside the outputs (never on the data files).

Which lock works depends on the filesystem, so the kind is a setting (``lock``):

- ``os``: filelock's FileLock (flock on Unix, LockFileEx on Windows).  Released by
  the kernel when the process dies, so a killed run never blocks the next.  But
  on Linux, flock over NFS mounted ``nolock`` and over CIFS/SMB is local to one
  client: two machines would both "hold" it.
- ``soft``: filelock's SoftFileLock: the lock is the existence of the file,
  created with O_CREAT|O_EXCL, which NFS (v3+) and SMB servers decide atomically
  for every client.  The file records the holder's PID and host; a marker left by
  a dead process on the same host is reclaimed.  One left by a crashed run on
  another host stays until it is older than ``lock_expire_minutes`` (if set) or is
  deleted by hand — the error message says so.
- ``auto`` (default): ``soft`` when the output folder is on a network filesystem
  (NFS, CIFS/SMB, sshfs ...; read from /proc/self/mounts on Linux), else ``os``.
  On Windows, ``os``: LockFileEx is honoured by SMB servers for every client.
- ``none``: no lock (a single-user laptop, a filesystem that supports neither).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
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


@contextlib.contextmanager
def held(path: Path, *, kind: str = "auto", wait: float = 0.0, expire_minutes: float = 0.0):
    """Hold the lock file ``path`` (kind resolved on its folder) for the block; LockedError past ``wait``."""
    from filelock import FileLock, SoftFileLock, Timeout

    path = Path(path)
    resolved = lock_kind(path.parent, kind)
    if resolved == "none":
        yield None
        return
    if resolved == "soft":
        lock = SoftFileLock(str(path), timeout=wait, lifetime=expire_minutes * 60 if expire_minutes else None)
    else:
        lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire(poll_interval=0.2)
    except Timeout:
        holder = ""
        if resolved == "soft":
            with contextlib.suppress(OSError, UnicodeDecodeError):
                holder = " (" + " ".join(path.read_text(encoding="utf-8", errors="replace").split())[:80] + ")"
        hint = "Wait for it to finish, or pass --wait SECONDS to queue."
        if resolved == "soft":
            hint += f" If no run is active (a crashed run on another machine), delete {path}."
        raise LockedError(f"another tiercli run holds {path}{holder}.", hint=hint) from None
    except PermissionError:
        from ..errors import OutputError

        raise OutputError(f"cannot create the lock file {path}: permission denied.",
                          hint="Choose a folder you can write to, or set lock = \"none\".") from None
    try:
        yield lock
    finally:
        lock.release()


def output_lock(folder: Path, *, kind: str = "auto", wait: float = 0.0, expire_minutes: float = 0.0):
    """Hold the output folder's lock (``.tiercli.lock`` beside the outputs) for the block."""
    return held(Path(folder) / LOCK_NAME, kind=kind, wait=wait, expire_minutes=expire_minutes)


def remove_stale_temps(folder: Path, older_than_s: float = 3600.0) -> int:
    """Delete temp files a killed run left (``.~tiercli-*.tmp``); only call while holding the folder's lock."""
    removed = 0
    now = time.time()
    for p in Path(folder).glob(".~tiercli-*.tmp"):
        with contextlib.suppress(OSError):
            if now - p.stat().st_mtime > older_than_s:
                os.unlink(p)
                removed += 1
    return removed
