"""Shared fixtures: the real public data in /work/shared/data, the small files in tests/data, a CLI runner."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

# CI runs the same examples every time (a red build must be reproducible); local runs keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared folder of real public data (UCI Online Retail, CDNOW, platform header rows)."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path}")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: the small generated fixtures (rebuild them with tests/data/make_fixtures.py)."""
    if not (DATA / "platform" / "shopify_orders.csv").is_file():
        pytest.fail("tests/data fixtures are missing: run python tests/data/make_fixtures.py")
    return DATA


def load_script(name: str):
    """A generator script under tests/data (not a package) imported as a module."""
    spec = importlib.util.spec_from_file_location(f"tiercli_tests_{name}", DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_fixtures():
    """The fixture generator as a module: its row constants are what the fixture files hold."""
    return load_script("make_fixtures")


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return TESTS.parent / "examples"


@pytest.fixture
def run_cli(monkeypatch, tmp_path):
    """Run ``tiercli ARGS`` in-process; stdout and stderr stay apart (click >= 8.2).

    The working directory is an empty tmp folder and TIERCLI_* variables are cleared, so no
    tiercli.toml or environment of the developer leaks into a test.
    """
    import os

    from tiercli.cli import cli

    for key in list(os.environ):
        if key.startswith("TIERCLI_"):
            monkeypatch.delenv(key)
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)

    def run(*args: str | Path):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def inspect_json(run_cli):
    """``tiercli inspect --format json ARGS`` -> the parsed JSON object (asserts exit 0 and a quiet stderr)."""

    def run(*args: str | Path) -> dict:
        result = run_cli("inspect", "--format", "json", *args)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        return json.loads(result.stdout)

    return run


SHOP_ORDERS = """Order ID,Order Date,Customer ID,Email,Country,Quantity,Unit Price
1001,2026-01-05,C001,a@example.com,Germany,10,5
1002,2026-02-05,C001,a@example.com,Germany,12,5
1003,2026-03-01,C002,b@example.com,France,1,40
1004,2026-03-02,C003,c@example.com,Spain,100,9
1005,2026-03-20,C003,c@example.com,Spain,80,9
"""


def write_shop(folder: Path) -> Path:
    """A folder on a "shared drive" with a small order export of three customers (orders.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.csv").write_text(SHOP_ORDERS, encoding="utf-8")
    return folder


@pytest.fixture
def shop(tmp_path) -> Path:
    return write_shop(tmp_path / "shared")


@pytest.fixture
def make_shop():
    """``write_shop`` itself, for a shop in a folder of the test's choosing."""
    return write_shop

