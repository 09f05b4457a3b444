"""One lock story for machines that mix OS and soft locks on one folder: stale and empty files, holders,
symlinks, a colleague's run on a shared folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from tiercli.errors import EXIT_ENVIRONMENT, EXIT_LOCKED, LockedError
from tiercli.io.lock import LOCK_NAME, output_lock


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


@pytest.mark.parametrize("age", [3600, 0])
def test_the_empty_file_an_os_lock_run_leaves_does_not_block_a_soft_lock(shop, capfd, age):
    with output_lock(shop, kind="os"):
        pass
    marker = shop / LOCK_NAME
    assert marker.exists() and marker.stat().st_size == 0  # what an OS-lock run leaves behind
    _age(marker, age)
    with output_lock(shop, kind="soft"):
        assert marker.read_text().split("\n")[0] == str(os.getpid())
    err = capfd.readouterr().err
    assert "took over the lock" in err and err.count("\n") == 1


def test_a_soft_lock_waits_for_a_live_os_lock_and_names_its_holder(shop):
    with output_lock(shop, kind="os"):
        with pytest.raises(LockedError) as caught:
            with output_lock(shop, kind="soft"):
                pass
    message = str(caught.value)
    assert f"pid {os.getpid()}" in message and "host " in message and "started 20" in message


def test_an_os_lock_waits_for_a_live_soft_lock_and_names_its_holder(shop):
    with output_lock(shop, kind="soft"):
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
            with output_lock(shop, kind="os"):
                pass
    with output_lock(shop, kind="os"):  # released: the OS lock takes it
        pass


def test_lock_expire_minutes_takes_over_an_old_lock_of_another_host_without_a_python_warning(shop, capfd):
    marker = shop / LOCK_NAME
    marker.write_text(f"4242\nother-machine\nstarted={time.time() - 7200:.0f} kind=soft\n")
    with pytest.raises(LockedError, match="host other-machine, pid 4242"):
        with output_lock(shop, kind="soft"):
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with output_lock(shop, kind="soft", expire_minutes=60):
            pass
    err = capfd.readouterr().err
    assert "other-machine" in err and "lock_expire_minutes" in err and "Warning" not in err


@pytest.mark.parametrize("kind", ["soft", "os"])
def test_a_lock_file_that_is_a_symlink_is_refused_and_its_target_never_read(run_cli, shop, tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT-0123456789")
    (shop / LOCK_NAME).symlink_to(secret)
    (shop / "tiercli.toml").write_text(f'lock = "{kind}"\n')
    result = run_cli("score", shop / "orders.csv", "-o", shop / "t.csv", "--segmenters", "rfm")
    assert result.exit_code == EXIT_ENVIRONMENT, result.stderr
    assert "symbolic link" in result.stderr and "TOP-SECRET" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert secret.read_text() == "TOP-SECRET-CONTENT-0123456789"


def test_lock_content_tiercli_did_not_write_is_never_echoed(shop):
    marker = shop / LOCK_NAME
    marker.write_text("\x1b]0;pwned\x07 password=hunter2\n")
    with output_lock(shop, kind="soft"):
        pass  # taken over (it names no run, nobody holds it)
    marker.write_text("\x1b]0;pwned\x07 password=hunter2\n")
    with output_lock(shop, kind="os"):
        with pytest.raises(LockedError) as caught:
            with output_lock(shop, kind="os"):
                pass
    assert "hunter2" not in str(caught.value) and "\x1b" not in str(caught.value)


@pytest.mark.parametrize("kind", ["soft", "os"])
def test_lock_files_are_as_writable_as_their_folder(tmp_path, kind):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with output_lock(shared, kind=kind):
        assert stat.S_IMODE((shared / LOCK_NAME).stat().st_mode) == 0o666
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o755)
    with output_lock(private, kind=kind):
        assert stat.S_IMODE((private / LOCK_NAME).stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to run as a second user")
@pytest.mark.parametrize("kind", ["os", "soft"])
def test_a_second_user_on_a_shared_world_writable_folder_can_run(make_shop, kind):
    try:
        probe = subprocess.run([sys.executable, "-c", "import tiercli"], capture_output=True, user=65534,
                               group=65534, cwd="/")
    except OSError:
        probe = None
    if probe is None or probe.returncode != 0:
        pytest.skip("the second user cannot run this Python")
    shared = Path(tempfile.mkdtemp(prefix="tiercli-shared-", dir="/tmp"))
    try:
        shared.chmod(0o1777)
        make_shop(shared)
        (shared / "orders.csv").chmod(0o644)
        (shared / "tiercli.toml").write_text(f'lock = "{kind}"\n')
        (shared / "tiercli.toml").chmod(0o644)
        cmd = [sys.executable, "-m", "tiercli.cli", "score", str(shared / "orders.csv"), "-o",
               str(shared / "t.csv"), "--segmenters", "rfm", "-q"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIERCLI_")}
        env["HOME"] = str(shared)
        first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        (shared / "t.csv").chmod(0o666)  # the colleague may replace the report itself
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120,
                                user=65534, group=65534, cwd=str(shared))
        assert second.returncode == 0, second.stderr
        history = shared / ".tiercli" / "history"
        assert stat.S_IMODE(history.stat().st_mode) & 0o002
    finally:
        subprocess.run(["rm", "-rf", str(shared)])


def test_an_os_lock_file_another_user_left_read_only_still_locks(shop, monkeypatch):
    """What a second user meets on a shared folder: the first user's 0644 lock file (open for writing is denied)."""
    with output_lock(shop, kind="os"):
        pass
    import tiercli.io.lock as lockmod

    real = os.open

    def open_(path, flags, *args, **kwargs):
        if Path(path).name == LOCK_NAME and flags & (os.O_RDWR | os.O_WRONLY) and not flags & os.O_EXCL:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(lockmod.os, "open", open_)
    with output_lock(shop, kind="os"):
        with pytest.raises(LockedError):
            with output_lock(shop, kind="os"):
                pass


def test_a_lock_held_by_a_live_run_is_exit_code_3_with_the_holder(run_cli, shop):
    (shop / "tiercli.toml").write_text('lock = "soft"\n')
    with output_lock(shop, kind="soft"):
        result = run_cli("score", shop / "orders.csv", "-o", shop / "t.csv", "--segmenters", "rfm")
    assert result.exit_code == EXIT_LOCKED
    assert f"pid {os.getpid()}" in result.stderr and result.stderr.count("\n") == 1
