"""Hostile inputs, built by tests/data/make_hostile.py into a temporary folder once per session."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

# Reads each path with tiercli's reader in a fresh process and reports, as JSON, the rows read or the
# error, and the process's peak memory.  Files that would crash or exhaust an unguarded reader are
# read there, so a regression fails a test instead of taking pytest down with it.
READER = r"""
import json, resource, sys
from tiercli.errors import TiercliError
from tiercli.io.read import read_file
out = {}
for path in sys.argv[1:]:
    try:
        out[path] = {"rows": sum(t.rows for t in read_file(path))}
    except TiercliError as exc:
        out[path] = {"error": str(exc), "exit": exc.exit_code}
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


@pytest.fixture(scope="session")
def make_hostile():
    spec = importlib.util.spec_from_file_location("tiercli_tests_make_hostile", DATA / "make_hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def hostile(make_hostile, tmp_path_factory) -> dict[str, Path]:
    """name -> path of every hostile file (see make_hostile.build)."""
    return make_hostile.build(tmp_path_factory.mktemp("hostile"))


def read_in_child(*paths: Path, timeout: float = 120) -> dict:
    """``read_file`` on each path in a child process: {path: {"rows"| "error"}, "maxrss_mb": peak}."""
    done = subprocess.run([sys.executable, "-c", READER, *map(str, paths)], capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"the reader process died ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout)
