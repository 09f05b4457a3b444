"""The CSV read as if no quoted value held a line break (pyarrow's blocks found at any line break): the same
table as the careful read (line breaks in values allowed), whatever the blocks cut."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from tiercli.io.read import csv_file, read_file

_VALUES = ["plain", "", '"q,uoted"', '"x""y"', '"é 货品 ß"', '"multi\nline"', '"a\r\nb"', '"c\rd"', '" "', "Mixed Case",
           '"trail\n"', '"\nlead"']


def _csv(rows: int, seed: int, breaks: bool) -> bytes:
    rng = np.random.default_rng(seed)
    pool = [v for v in _VALUES if breaks or not any(c in v for c in "\r\n")]
    lines = ["id,text,more"]
    for i in range(rows):
        a, b = rng.choice(pool, 2)
        lines.append(f"{i},{a},{b}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _careful(data: bytes, names: list[str], block: int) -> pa.Table:
    """The read before: line breaks in values allowed (at the same block size: pyarrow's careful read has
    its own ways with blocks of a few hundred bytes, e.g. a quoted CR LF cut between the two)."""
    return pacsv.read_csv(
        io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=names, block_size=block),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names}, null_values=[""],
                                             strings_can_be_null=True, quoted_strings_can_be_null=True))


@pytest.mark.parametrize("breaks", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_read_at_any_line_break_is_the_careful_read(monkeypatch, seed, breaks):
    data = _csv(400, seed, breaks)
    names = ["f0", "f1", "f2"]
    for block in (97, 256, 1_000, 4_093, 1 << 20):  # blocks that end inside quoted values, and one block
        expected = _careful(data, names, block)
        monkeypatch.setattr(csv_file, "_BLOCK", block)
        got = csv_file._arrow_csv(lambda: pa.BufferReader(data), names, ",")
        assert got.combine_chunks().equals(expected.combine_chunks())
        assert csv_file._holds_line_break(expected) == breaks


def test_holds_line_break_looks_at_every_chunk_and_slice():
    whole = pa.array(["a", None, "b\rc", "", "d"] * 3, pa.large_string())
    assert csv_file._holds_line_break(pa.table({"x": whole}))
    quiet = pa.chunked_array([whole.slice(3, 2), pa.array([None, None], pa.large_string()),
                              pa.array(["", "tab\there", "ü"], pa.large_string())])
    assert not csv_file._holds_line_break(pa.table({"x": quiet}))
    assert csv_file._holds_line_break(pa.table({"x": quiet, "y": pa.chunked_array(
        [pa.array(["1", "2", "3", "4", "5", "6"], pa.large_string()),
         pa.array(["x\n"], pa.large_string())])}))


@pytest.mark.parametrize("breaks", [False, True])
def test_read_file_cells_with_small_blocks(tmp_path, monkeypatch, breaks):
    """The whole read (pandas frame, cells exactly as exported) with blocks cutting quoted values."""
    path = tmp_path / "orders.csv"
    path.write_bytes(_csv(300, 7, breaks))
    monkeypatch.setattr(csv_file, "_BLOCK", 1 << 20)
    expected = read_file(path)[0].frame
    for block in (1_000, 4_093):
        monkeypatch.setattr(csv_file, "_BLOCK", block)
        got = read_file(path)[0].frame
        assert got.equals(expected)
    assert got["text"].isna().sum() > 0 and (got["text"] == "").sum() == 0  # empty cells are missing
