"""``tiercli score`` on an orders export written by an attacker: nothing it writes is a formula or a link.

The workbook's XML is scanned for any <f> element and any hyperlink relationship; every text cell that a
spreadsheet would run (= + - @, tab, CR, full-width ＝＋－＠ ...) is a string cell with the quote prefix; in the
CSV it starts with '; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from tiercli.io.read import read_file
from tiercli.io.write import Sheet, write_csv, write_workbook
from tiercli.io.write.inert import is_formula_like


def xml_parts(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith((".xml", ".rels", ".vml"))}


# what a chart's <c:f> may hold: a range of tiercli's own sheet, never text from the data
CHART_RANGE = re.compile(r"(?:'[^']+'|[A-Za-z0-9_.]+)!\$[A-Z]{1,3}\$\d+(?::\$[A-Z]{1,3}\$\d+)?")


def assert_no_formula_or_link(path) -> None:
    parts = xml_parts(path)
    assert parts, "not a workbook"
    for name, text in parts.items():
        if name.startswith("xl/charts/"):
            for ref in re.findall(r"<c:f>(.*?)</c:f>", text):
                assert CHART_RANGE.fullmatch(ref), f"chart formula {ref!r} in {name}"
            text = re.sub(r"<c:f>.*?</c:f>", "", text)
        assert re.search(r"<(?:\w+:)?f[\s>/]", text) is None, f"formula element in {name}"
        assert "<hyperlink" not in text, f"hyperlink in {name}"
        assert "relationships/hyperlink" not in text, f"hyperlink relationship in {name}"
        assert 'TargetMode="External"' not in text, f"external target in {name}"
        assert "ddeLink" not in text and "externalLink" not in text, f"external link in {name}"


@pytest.fixture(scope="module", params=["injection_csv", "injection_xlsx"])
def scored(request, hostile, tmp_path_factory):
    """The hostile export scored to .xlsx and .csv (once per input format)."""
    from click.testing import CliRunner

    from tiercli.cli import cli

    out = tmp_path_factory.mktemp("scored")
    results = {}
    for suffix in ("xlsx", "csv"):
        target = out / f"tiers.{suffix}"
        result = CliRunner().invoke(cli, ["score", str(hostile[request.param]), "-o", str(target), "--quiet"],
                                    env={"TIERCLI_CONFIG": ""}, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        results[suffix] = target
    return results


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_workbook_has_no_formula_and_no_link(scored):
    assert_no_formula_or_link(scored["xlsx"])


def test_formula_like_text_is_a_quoted_string_cell(scored, make_hostile):
    wb = openpyxl.load_workbook(scored["xlsx"])
    dangerous = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and is_formula_like(c.value):
                    dangerous += 1
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
    assert dangerous >= len(make_hostile.INJECTIONS) - 2  # '\t=' and '\r=' ids are trimmed to '=1+1': one customer


def test_the_csv_cells_are_inert(scored, make_hostile):
    table = pd.read_csv(scored["csv"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells = table.to_numpy().ravel().tolist() + list(table.columns)
    assert not [c for c in cells if is_formula_like(c) and not is_number(c)]
    names = set(table["name"])
    assert "'" + make_hostile.INJECTIONS[0] in names and "'-2+3" in names and "'＝1+1" in names
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in set(table["customer_id"])


def test_numbers_stay_numbers_negative_ones_too(scored):
    table = pd.read_csv(scored["csv"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    neg = table.set_index("customer_id").loc["NEG1"]
    assert float(neg["monetary"]) == pytest.approx(-20.0) and not neg["monetary"].startswith("'")
    ws = openpyxl.load_workbook(scored["xlsx"])["Customers"]
    rows = list(ws.iter_rows())
    (neg_row,) = [r for r in rows if r[0].value == "NEG1"]
    negatives = [c for c in neg_row if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
                 and c.value < 0]
    assert negatives and all(c.data_type == "n" and not c.quotePrefix for c in negatives)


def test_long_text_and_control_characters_are_repaired_and_counted(tmp_path, make_hostile):
    frame = pd.DataFrame({"name": [make_hostile.LONG_TEXT, make_hostile.CONTROL, *make_hostile.INJECTIONS],
                          "n": range(2 + len(make_hostile.INJECTIONS))})
    res = write_workbook(tmp_path / "t.xlsx", [Sheet("S", frame)])
    assert res.fixed_cells == 2 and res.sanitized_cells == len(make_hostile.INJECTIONS)
    assert_no_formula_or_link(tmp_path / "t.xlsx")
    back = read_file(tmp_path / "t.xlsx")[0].frame["name"].tolist()
    assert len(back[0]) == 32_767 and back[0] == make_hostile.LONG_TEXT[:32_767]
    assert back[1] == "Badnamewithcontrols"
    assert back[2:] == [t for t in make_hostile.INJECTIONS]  # text, exactly, never a formula


def test_a_csv_field_with_a_bare_cr_or_lf_stays_one_row(tmp_path):
    frame = pd.DataFrame({"note": ["a\rb", "c\nd", "e\r\nf", "\r", "\n"], "n": range(5)})
    write_csv(tmp_path / "t.csv", frame)
    raw = read_file(tmp_path / "t.csv")[0]
    assert raw.rows == 5
    assert raw.frame["note"].tolist() == ["a\rb", "c\nd", "e\r\nf", "'\r", "'\n"]
    assert raw.frame["n"].tolist() == ["0", "1", "2", "3", "4"]
