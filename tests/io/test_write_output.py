"""tiercli.io.write.write_output: the one place the commands turn a result into an xlsx, csv or json file."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from tiercli.io.write import Sheet, write_output


def _never():
    raise AssertionError("built a format nobody asked for")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_only_the_asked_format_is_built_and_written(tmp_path, fmt):
    frame = pd.DataFrame({"customer": ["a", "b"], "tier": ["=1+1", "gold"]})
    builders = {"sheets": _never, "table": _never, "document": _never}
    builders[{"xlsx": "sheets", "csv": "table", "json": "document"}[fmt]] = {
        "xlsx": lambda: [Sheet("Tiers", frame)],
        "csv": lambda: frame,
        "json": lambda: {"customers": frame.to_dict("records")},
    }[fmt]
    written = write_output(tmp_path / f"out.{fmt}", fmt, **builders)
    assert written.path == tmp_path / f"out.{fmt}" and not written.fallback
    if fmt == "xlsx":
        rows = list(openpyxl.load_workbook(written.path)["Tiers"].values)
        assert rows == [("customer", "tier"), ("a", "=1+1"), ("b", "gold")]
        assert written.sanitized_cells == 1
    elif fmt == "csv":
        assert written.path.read_bytes() == b"\xef\xbb\xbfcustomer,tier\r\na,'=1+1\r\nb,gold\r\n"
        assert written.sanitized_cells == 1
    else:
        assert json.loads(written.path.read_text("utf-8"))["customers"][0] == {"customer": "a", "tier": "=1+1"}


def test_a_format_the_output_has_no_builder_for_is_refused_before_any_file(tmp_path):
    with pytest.raises(ValueError, match="cannot be written as csv"):
        write_output(tmp_path / "out.csv", "csv", document=lambda: {})
    with pytest.raises(ValueError, match="unknown output format 'parquet'"):
        write_output(tmp_path / "out.parquet", "parquet", table=lambda: pd.DataFrame())
    assert list(tmp_path.iterdir()) == []
