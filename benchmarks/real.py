#!/usr/bin/env python3
"""Real exports for the benchmark (issue 15), derived from ../shared/data/online_retail.csv.gz.

    .venv/bin/python benchmarks/real.py --data-dir /tmp/tiercli-bench [--source PATH] [--no-xlsx]

Writes into --data-dir (never into the repository):

  retail-1y.csv      the UCI Online Retail year as it is (541,909 lines), decompressed
  retail-2y.csv      a two-year export: the same year shifted one year earlier, with fresh invoice numbers
                     (numeric part less 100,000, so no number of the real year is reused; credit notes keep
                     their C), followed by the real year: 1,083,818 lines
  retail-2y.xlsx     the two years as a two-sheet workbook, one sheet per year ("Year 2009-2010",
                     "Year 2010-2011", as UCI's Online Retail II ships it), written the way Excel and pandas
                     write workbooks: typed date cells and number cells, text in the shared-strings table

Files already present with the same size-and-mtime stamp of the source are reused.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "shared" / "data" / "online_retail.csv.gz"
SHEETS = ("Year 2009-2010", "Year 2010-2011")


def _stamp(src: Path) -> str:
    st = src.stat()
    return f"{st.st_size}:{int(st.st_mtime)}:v1"


def _fresh(out: Path, stamp: str) -> bool:
    tag = out.with_name(out.name + ".stamp")
    return out.exists() and tag.exists() and tag.read_text() == stamp


def _done(out: Path, stamp: str) -> None:
    out.with_name(out.name + ".stamp").write_text(stamp)


def earlier_year(df):
    """The year one year earlier, with fresh invoice numbers."""
    import pandas as pd

    inv = df["InvoiceNo"]
    credit = inv.str.startswith("C")
    digits = inv.str.lstrip("C")
    num = pd.to_numeric(digits, errors="coerce")
    fresh = (num - 100_000).astype("Int64").astype("string")
    fresh = fresh.where(num.notna(), digits + "-0")  # (no such invoice today; kept distinct if one appears)
    out = df.copy()
    out["InvoiceNo"] = fresh.where(~credit, "C" + fresh)
    out["InvoiceDate"] = df["InvoiceDate"] - pd.DateOffset(years=1)
    return out


def build(data_dir: Path, source: Path = SOURCE, xlsx: bool = True) -> dict[str, Path]:
    import pandas as pd

    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(source)
    paths = {"1y": data_dir / "retail-1y.csv", "2y": data_dir / "retail-2y.csv", "2y_xlsx": data_dir / "retail-2y.xlsx"}
    if not _fresh(paths["1y"], stamp):
        with gzip.open(source, "rb") as fin, open(paths["1y"], "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
        _done(paths["1y"], stamp)
    need_2y = not _fresh(paths["2y"], stamp)
    need_xlsx = xlsx and not _fresh(paths["2y_xlsx"], stamp)
    if need_2y or need_xlsx:
        df = pd.read_csv(paths["1y"], dtype={"InvoiceNo": "string", "StockCode": "string", "Description": "string",
                                             "CustomerID": "string", "Country": "string"},
                         parse_dates=["InvoiceDate"], keep_default_na=False, na_values=[""])
        before = earlier_year(df)
        if need_2y:
            both = pd.concat([before, df], ignore_index=True)
            both.to_csv(paths["2y"], index=False, date_format="%Y-%m-%d %H:%M:%S")
            _done(paths["2y"], stamp)
        if need_xlsx:
            with pd.ExcelWriter(paths["2y_xlsx"], engine="xlsxwriter",
                                datetime_format="yyyy-mm-dd hh:mm:ss") as xw:
                for name, part in zip(SHEETS, (before, df)):
                    part.to_excel(xw, sheet_name=name, index=False)
            _done(paths["2y_xlsx"], stamp)
    return paths if xlsx else {k: v for k, v in paths.items() if k != "2y_xlsx"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/tiercli-bench"))
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--no-xlsx", action="store_true")
    args = ap.parse_args()
    for key, path in build(args.data_dir, args.source, not args.no_xlsx).items():
        print(f"{key:8s} {path} {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
