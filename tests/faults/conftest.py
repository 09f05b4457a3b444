"""Fault injection: a real small file system where the machine allows one, else an injected OSError."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import uuid
from pathlib import Path

import pytest


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs (root on Linux only); skipped elsewhere: the injected-OSError tests cover the logic."""
    point = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    point.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill_disk(point: Path, leave: int = 0) -> None:
    """Fill the file system at ``point`` until about ``leave`` bytes are free."""
    st = os.statvfs(point)
    free = st.f_bavail * st.f_frsize
    with contextlib.suppress(OSError), open(point / "ballast", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


def remount_read_only(point: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot remount read-only here")


class FailingWrites:
    """Patch ``os.write`` so that, after ``after`` bytes went through, writes to fds it watches write part of
    what they are given and then raise ``OSError(code)`` (what a full disk does)."""

    def __init__(self, monkeypatch, *, after: int = 0, code: int = errno.ENOSPC):
        self.left = after
        self.code = code
        real = os.write

        def write(fd, data):
            view = memoryview(data)
            if self.left <= 0:
                raise OSError(self.code, os.strerror(self.code))
            n = real(fd, view[: self.left])
            self.left -= n
            return n

        monkeypatch.setattr(os, "write", write)
