"""A fuzz harness over the loaders: raw bytes and mutated real exports go through read_file and load_dataset,
and the only exception allowed out is a TiercliError (exit 2 with a message), never a crash or a traceback.

Workbooks are mutated two ways: bytes of the zip itself (the checks on the zip must hold), and bytes of one
XML part re-zipped (the checks on sheets, and calamine behind them, must hold).  The run is bounded and
repeatable (hypothesis, derandomized); for a longer hunt set TIERCLI_FUZZ_EXAMPLES=5000, which also
randomizes it.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiercli.config import load_config
from tiercli.errors import TiercliError
from tiercli.io.read import read_file
from tiercli.schema.dataset import load_dataset

EXAMPLES = int(os.environ.get("TIERCLI_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(max_examples=EXAMPLES or 120, deadline=None, derandomize=not EXAMPLES,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

SEEDS = ["generic/uci_sample.csv", "generic/zh_orders.csv", "encodings/zh_gbk.csv", "encodings/west_utf16.txt",
         "platform/shopify_orders.csv", "kinds/inquiries.csv", "workbooks/monthly.xlsx", "workbooks/ids.xlsx"]


class Seeds(dict):
    """Real exports by name (a short repr: hypothesis prints the arguments of a failing example)."""

    def __repr__(self) -> str:
        return f"<{len(self)} seed files>"


@pytest.fixture(scope="module")
def seeds(data_dir, hostile) -> Seeds:
    out = Seeds((name, (data_dir / name).read_bytes()) for name in SEEDS)
    for name in ("merged_xlsx", "ods_orders", "injection_xlsx", "lying_dimension", "unusual_sheet"):
        out[hostile[name].name] = hostile[name].read_bytes()
    return out


MUTATION = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "replace"]),
    st.floats(min_value=0, max_value=1),
    st.binary(min_size=1, max_size=24)
    | st.sampled_from([b",", b";", b'"', b"\r\n", b"\x00", b"<", b"/>", b'r="XFD1048576"', b'r="A1048576"',
                       b"<row>", b"</row>", b"<c>", b"&lol;", b"<!DOCTYPE x>", b"\xff\xfe", b"9999999999",
                       b'table:number-rows-repeated="99999999"', b"</sheetData>", b"<v>7</v>", b"=1+1"]),
)


def mutate(data: bytes, mutations) -> bytes:
    buf = bytearray(data)
    for op, where, payload in mutations:
        at = int(where * len(buf)) if buf else 0
        if op == "flip" and buf:
            at = min(at, len(buf) - 1)
            buf[at] ^= payload[0] or 0xFF
        elif op == "insert":
            buf[at:at] = payload
        elif op == "delete":
            del buf[at:at + len(payload) * 4]
        elif op == "duplicate":
            buf[at:at] = buf[at:at + len(payload) * 16]
        elif op == "truncate":
            del buf[max(at, 1):]
        elif op == "replace":
            buf[at:at + len(payload)] = payload
    return bytes(buf)


def load(path: Path) -> None:
    """The loaders as the CLI runs them: only a TiercliError may come out."""
    try:
        read_file(path)
        load_dataset([path], load_config(None, env={}))
    except TiercliError as exc:
        assert str(exc) and "\n" not in exc.message


@FUZZ
@given(data=st.data())
def test_mutated_exports_load_or_fail_cleanly(tmp_path, seeds, data):
    name = data.draw(st.sampled_from(sorted(seeds)))
    blob = mutate(seeds[name], data.draw(st.lists(MUTATION, min_size=1, max_size=5)))
    path = tmp_path / ("fuzz" + Path(name).suffix)
    path.write_bytes(blob)
    load(path)


@FUZZ
@given(data=st.data())
def test_mutated_workbook_parts_load_or_fail_cleanly(tmp_path, seeds, data):
    """Mutate one XML part of a real workbook and zip it again: the sheet checks and calamine see it."""
    name = data.draw(st.sampled_from(sorted(n for n in seeds if n.endswith((".xlsx", ".ods")))))
    with zipfile.ZipFile(io.BytesIO(seeds[name])) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    target = data.draw(st.sampled_from(sorted(parts)))
    parts[target] = mutate(parts[target], data.draw(st.lists(MUTATION, min_size=1, max_size=4)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, blob in parts.items():
            zf.writestr(part, blob)
    path = tmp_path / ("fuzz" + Path(name).suffix)
    path.write_bytes(out.getvalue())
    load(path)


@FUZZ
@given(blob=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt", ".csv.gz"]))
def test_raw_bytes_load_or_fail_cleanly(tmp_path, blob, suffix):
    path = tmp_path / f"raw{suffix}"
    path.write_bytes(blob)
    load(path)
