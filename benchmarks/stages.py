#!/usr/bin/env python3
"""Where ``tiercli score`` spends its time, stage by stage, in one process (run with tiercli's Python).

    .venv/bin/python benchmarks/stages.py /tmp/tiercli-bench/orders-1000000.csv
    .venv/bin/python benchmarks/stages.py FILE --json          # one JSON object on stdout

The stages are the library's own calls, in the order ``tiercli score`` makes them: imports, read_file
(text table), detect + canonicalize (parse dates, amounts, statuses), the rest of load_dataset
(currency, duplicates, fold_orders), build_customers, each segmenter, then the CSV table and write
and the workbook sheets and write.  Wall-clock seconds (time.perf_counter); for the functions inside a
stage use py-spy or pyinstrument (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="skip the CSV and XLSX writing stages")
    args = ap.parse_args()
    marks: list[tuple[str, float]] = []
    last = [T0]

    def mark(name: str) -> None:
        now = time.perf_counter()
        marks.append((name, now - last[0]))
        last[0] = now

    import pandas as pd  # noqa: F401

    from tiercli.config import load_config
    from tiercli.features import build_customers, resolve_as_of
    from tiercli.io.read import read_file
    from tiercli.io.write import write_csv, write_workbook
    from tiercli.schema import dataset as ds
    from tiercli.schema.mapping import canonicalize
    from tiercli.schema.presets import detect, load_presets
    from tiercli.scoring import score, workbook_sheets
    from tiercli.segmenters import base

    base.registry()  # imports the built-in segmenters (scipy via lifetime)
    mark("imports (pandas, tiercli, segmenters)")

    config = load_config(None)
    raws = read_file(args.path)
    mark("read_file (text table)")
    presets = load_presets([])
    frames = []
    for raw in raws:
        m = detect(list(raw.frame.columns), presets, label=raw.label)
        frame, _ = canonicalize(raw, m, config)
        frames.append(frame)
    mark("detect + canonicalize (parse)")
    lines = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    lines, _cur, _rates = ds._convert_currency(lines, config, None)
    mark("convert currency")
    lines, _dup = ds._drop_duplicates(lines, bool(config["keep_duplicates"]))
    mark("drop duplicates")
    ds.fold_orders(lines)
    mark("fold_orders")

    # the real pipeline end to end, once more, so the later stages see exactly what score() builds
    start = time.perf_counter()
    dataset = ds.load_dataset([args.path], config)
    load_s = time.perf_counter() - start
    last[0] = time.perf_counter()
    as_of = resolve_as_of(None, dataset)
    customers = build_customers(dataset, as_of, config)
    mark("build_customers")
    chosen = base.select(None, {"orders"}, config)
    out = customers
    for cls in chosen.run:
        try:
            res = cls().segment(out, config)
            out = out.drop(columns=[c for c in res.columns if c in out.columns]).join(res)
        except base.SegmenterSkipped:
            pass
        mark(f"segmenter {cls.name}")
    result = score([args.path], config=config)
    last[0] = time.perf_counter()
    if not args.no_write:
        with tempfile.TemporaryDirectory() as tmp:
            table = result.table()
            mark("table (CSV columns)")
            write_csv(Path(tmp) / "out.csv", table)
            mark("write_csv")
            sheets = workbook_sheets(result)
            mark("workbook_sheets")
            write_workbook(Path(tmp) / "out.xlsx", sheets)
            mark("write_workbook")
    total = sum(s for _, s in marks)
    if args.json:
        print(json.dumps({"file": str(args.path), "stages": dict(marks), "load_dataset_s": load_s,
                          "customers": len(result.customers)}))
    else:
        for name, s in marks:
            print(f"{name:42s} {s:8.2f} s  {s / total:6.1%}")
        print(f"{'(load_dataset in one call)':42s} {load_s:8.2f} s")
        print(f"customers: {len(result.customers):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
