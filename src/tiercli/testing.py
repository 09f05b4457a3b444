"""The checks every segmenter must pass, built-in or plugin, as scikit-learn ships its estimator checks.

A plugin's own test suite runs the same checks tiercli runs on its built-ins:

    from tiercli.testing import check_segmenter, parametrize_with_checks

    def test_my_segmenter():
        check_segmenter(MySegmenter)            # every check in turn; AssertionError names the one that failed

    @parametrize_with_checks([MySegmenter])     # or one pytest test per check, named after it
    def test_each_check(segmenter, check):
        check(segmenter)

The checks run on customers built the way ``tiercli score`` builds them: from ``data`` (paths of exports, as
``tiercli score`` takes them) or, without it, from a small made-up shop (orders only, written to a temporary
folder).  A segmenter whose tables ``data`` lacks is checked on its declaration alone (``check_applies`` says
so).  What the contract is: see ``tiercli.segmenters.base``.
"""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .config import Config, Setting, load_config
from .segmenters import base
from .segmenters.base import Segmenter, SegmenterSkipped

KINDS = ("orders", "inquiries", "events", "after_sales", "customers")


class NotApplicable(Exception):
    """The data has no table the segmenter needs (or its model does not fit it): the check has nothing to run."""


# ---------------------------------------------------------------- the data the checks run on

def made_up_orders(customers: int = 120, seed: int = 7) -> str:
    """A small shop's orders as CSV text (UCI Online Retail's columns), drawn the way BG/NBD says customers
    buy: each at their own pace, each leaving after some order with a chance of their own, over two years.
    Made-up ids, no names."""
    rng = np.random.default_rng(seed)
    start, span = pd.Timestamp("2024-01-01"), 730
    rows = []
    for i in range(customers):
        pace = rng.gamma(0.8, 1 / 40)  # orders a day
        leave = rng.beta(1.0, 3.0)  # chance of leaving after each order
        day = float(rng.integers(0, span - 30))
        price = float(rng.choice([2.5, 4.0, 9.9, 25.0]))
        for j in range(12):
            quantity = int(rng.choice([1, 2, 6, 12, 48]))
            when = (start + pd.Timedelta(days=int(day))).strftime("%Y-%m-%d 10:00:00")
            rows.append((f"{700000 + i * 20 + j}", f"SKU{i % 7}", "ITEM", quantity, when, price, f"{20000 + i}",
                         "United Kingdom" if i % 3 else "Germany"))
            day += rng.exponential(1 / pace) if pace > 0 else span
            if day >= span or rng.random() < leave:
                break
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                                        "UnitPrice", "CustomerID", "Country"])
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


@functools.lru_cache(maxsize=8)
def _loaded(data: tuple[str, ...] | None):
    """(dataset, its customers frame, the tables it has, config, as-of date) for ``data`` (made up when None)."""
    from .features import build_customers, resolve_as_of
    from .schema.dataset import load_dataset

    config = load_config(None, env={})
    if data is None:
        folder = Path(tempfile.mkdtemp(prefix="tiercli-checks-"))
        (folder / "orders.csv").write_text(made_up_orders(), encoding="utf-8")
        data = (str(folder / "orders.csv"),)
    dataset = load_dataset([Path(p) for p in data], config)
    as_of = resolve_as_of(None, dataset)
    customers = build_customers(dataset, as_of, config)
    return dataset, customers, frozenset(k for k in KINDS if dataset.has(k)), config, as_of


def _key(data) -> tuple[str, ...] | None:
    return None if data is None else tuple(str(p) for p in data)


def customers_for(cls: type[Segmenter], data: Iterable[str | Path] | None = None,
                  *, rows: slice | None = None) -> tuple[pd.DataFrame, Config]:
    """The customers frame ``cls`` sees in a run over ``data``: features, and the outputs of the segmenters it
    runs ``after``.  ``rows`` picks some customers first.  NotApplicable when ``data`` lacks its tables."""
    _dataset, customers, available, config, _as_of = _loaded(_key(data))
    if rows is not None:
        customers = customers.iloc[rows]
    reg = {**base.registry(), cls.name: cls}
    lacking = [r for r in cls.requires if not any(t in available for t in r.split("|"))]
    if lacking:
        raise NotApplicable(f"{cls.name}: the data has no {', '.join(lacking)} table")
    deps = [reg[d] for d in cls.after]
    skipped: dict[str, str] = {}
    frame = base.run(customers, config, base.select([d.name for d in deps], set(available), config).run
                     if deps else [], skipped=skipped)
    if skipped:
        raise NotApplicable(f"{cls.name}: a segmenter it runs after was skipped: {skipped}")
    return frame.copy(deep=True), config  # its own copy: a segmenter that changes its input spoils no other check


def _segment(cls: type[Segmenter], frame: pd.DataFrame, config: Config) -> pd.DataFrame | None:
    """segment(); None when it raises SegmenterSkipped (which must say why)."""
    try:
        return cls().segment(frame, config)
    except SegmenterSkipped as why:
        assert str(why), f"{cls.name}: SegmenterSkipped says why"
        return None


@functools.lru_cache(maxsize=256)
def skipped_why(cls: type[Segmenter], data: tuple[str, ...] | None = None) -> str | None:
    """Why ``cls`` skips itself on all of ``data``'s customers (SegmenterSkipped), None when it labels them;
    NotApplicable when ``data`` lacks its tables.  Remembered per class and data: a pytest session asks once."""
    frame, config = customers_for(cls, data)
    return None if _segment(cls, frame, config) is not None else "skipped"


def _fits(cls: type[Segmenter], data) -> None:
    """NotApplicable unless ``cls`` labels ``data``'s customers (its model fits them)."""
    if skipped_why(cls, _key(data)) is not None:
        raise NotApplicable(f"{cls.name} skipped itself on this data")


def _label_codes(cls: type[Segmenter]) -> dict[str, set[str]]:
    return {cls.name: set(cls.labels), **{col: set(codes) for col, codes in cls.extra_labels.items()}}


# ---------------------------------------------------------------- the checks

def check_declaration(cls: type[Segmenter], data=None) -> None:
    """Name, title, outputs (its label column first among them, details named NAME_*), label codes, headers
    only for its outputs, settings as Setting objects with unique names, what backtest holds it to."""
    assert isinstance(cls, type) and issubclass(cls, Segmenter), f"{cls!r} is a Segmenter subclass"
    name = cls.name
    assert name and name.isidentifier() and cls.title, f"{name}: a name (an identifier) and a title"
    assert name in cls.outputs and len(set(cls.outputs)) == len(cls.outputs), f"{name}: outputs name it once"
    assert all(o == name or o.startswith(name + "_") for o in cls.outputs), f"{name}: details are named {name}_*"
    assert cls.labels, f"{name}: a label column has codes"
    assert all(isinstance(v, tuple) and len(v) == 2 for v in cls.labels.values()), "labels: code -> (en, zh)"
    assert set(cls.extra_labels) <= set(cls.outputs), f"{name}: extra label columns are outputs"
    assert set(cls.headers) <= set(cls.outputs), f"{name}: headers only for its outputs"
    assert all(isinstance(v, tuple) and len(v) == 2 for v in cls.headers.values()), "headers: column -> (en, zh)"
    assert all(isinstance(s, Setting) and "." not in s.name for s in cls.options), \
        f"{name}: options are Settings named without the prefix"
    assert len({s.name for s in cls.options}) == len(cls.options), f"{name}: setting names are unique"
    assert {t for r in cls.requires for t in r.split("|")} <= set(KINDS), f"{name}: requires names tables"
    codes = _label_codes(cls)
    assert cls.predicts in ("buying", "spend")
    for col, order in cls.ranks.items():
        assert col in codes and set(order) <= codes[col] and len(order) >= 2, f"{name}: ranks[{col}]"
    for col, pairs in cls.pairs.items():
        assert col in codes and all({a, b} <= codes[col] for a, b in pairs), f"{name}: pairs[{col}]"
    assert set(cls.scores) <= set(cls.outputs) and set(cls.value_scores) <= set(cls.outputs)
    assert set(cls.differs) <= set(codes), f"{name}: differs names its own label columns"
    if cls.opt_in:
        known = set(load_config(None, env={}).values) | {f"{name}.{s.name}" for s in cls.options}
        assert cls.opt_in in known, f"{name}: opt_in names a setting"


def check_outputs(cls: type[Segmenter], data=None) -> None:
    """On a realistic frame: exactly its outputs, same index and order, its input untouched, the same result
    twice, only declared codes, someone labelled; through the engine the other columns stay as they were."""
    _fits(cls, data)
    frame, config = customers_for(cls, data)
    before = frame.copy(deep=True)
    out = _segment(cls, frame, config)
    pd.testing.assert_frame_equal(frame, before, obj=f"{cls.name}: its input")
    assert out is not None, f"{cls.name}: skipped itself on data it labelled before"
    assert isinstance(out, pd.DataFrame) and out.columns.is_unique, f"{cls.name}: a frame, columns unique"
    assert set(out.columns) == set(cls.outputs), f"{cls.name}: outputs {sorted(out.columns)}, not its declared ones"
    assert out.index.equals(frame.index), f"{cls.name}: same index, same order"
    pd.testing.assert_frame_equal(out, _segment(cls, frame, config), obj=f"{cls.name}: a second run")
    for col, codes in _label_codes(cls).items():
        seen = set(out[col].dropna().astype(str))
        assert seen <= codes, f"{cls.name}: {col} has undeclared codes {sorted(seen - codes)}"
    assert out[cls.name].notna().any(), f"{cls.name}: labels someone"
    tagged = base.run(frame, config, [cls])
    kept = [c for c in frame.columns if c not in cls.outputs]
    pd.testing.assert_frame_equal(tagged[kept], frame[kept], obj=f"{cls.name}: the other columns")


def check_zero_customers(cls: type[Segmenter], data=None) -> None:
    """No customers: an empty frame with its outputs (or SegmenterSkipped)."""
    frame, config = customers_for(cls, data, rows=slice(0, 0))
    out = _segment(cls, frame, config)
    if out is not None:
        assert len(out) == 0 and set(out.columns) == set(cls.outputs), f"{cls.name}: empty in, empty out"


def check_one_customer(cls: type[Segmenter], data=None) -> None:
    """One buyer, and one customer without a paid order where the data has one: labelled with declared codes."""
    frame, config = customers_for(cls, data)
    for pick in (frame["frequency"] > 0, frame["frequency"] == 0):
        one = frame[pick].iloc[:1]
        if not len(one):
            continue
        before = one.copy(deep=True)
        out = _segment(cls, one, config)
        pd.testing.assert_frame_equal(one, before, obj=f"{cls.name}: its input")
        if out is not None:
            assert out.index.equals(one.index) and set(out.columns) == set(cls.outputs), f"{cls.name}: one customer"
            for col, codes in _label_codes(cls).items():
                assert set(out[col].dropna().astype(str)) <= codes, f"{cls.name}: {col} codes"


def check_row_order(cls: type[Segmenter], data=None) -> None:
    """Shuffled customers get the same labels."""
    _fits(cls, data)
    frame, config = customers_for(cls, data)
    shuffled = frame.sample(frac=1.0, random_state=7)
    a, b = _segment(cls, frame, config), _segment(cls, shuffled, config)
    assert a is not None and b is not None, f"{cls.name}: skipped itself after a shuffle"
    assert b.index.equals(shuffled.index), f"{cls.name}: keeps a shuffled index"
    cols = list(_label_codes(cls))
    pd.testing.assert_frame_equal(b.loc[frame.index, cols], a[cols], obj=f"{cls.name}: labels after a shuffle")


def check_shows(cls: type[Segmenter], data=None) -> None:
    """What it shows of a run: its summaries (one per label column), its workbook sheets (Sheet objects with
    unique names of at most 31 characters) and its terminal tables, in English and Chinese."""
    from .io.write import Sheet
    from .report import make_console
    from .scoring import ScoreResult

    _fits(cls, data)
    frame, config = customers_for(cls, data)
    dataset, _customers, _available, _config, as_of = _loaded(_key(data))
    result = ScoreResult(dataset, base.run(frame, config, [cls]), as_of, config, [cls], {}, [])
    for lang in ("en", "zh"):
        summaries = cls.summaries(result, lang)
        assert set(summaries) == {cls.name, *cls.extra_labels}, f"{cls.name}: one summary per label column"
        sheets = cls.sheets(result, lang)
        assert all(isinstance(s, Sheet) for s in sheets), f"{cls.name}: sheets are io.write.Sheet"
        names = [s.name for s in sheets]
        assert len(set(names)) == len(names) and all(0 < len(n) <= 31 for n in names), f"{cls.name}: sheet names"
        stream = io.StringIO()
        console = make_console(stream)
        cls.render(console, result, lang)
        cls.render_details(console, result, lang)
        assert stream.getvalue().strip(), f"{cls.name}: render prints its tables"


CHECKS: tuple[Callable[..., None], ...] = (check_declaration, check_outputs, check_zero_customers,
                                           check_one_customer, check_row_order, check_shows)


def checks(cls: type[Segmenter], data: Iterable[str | Path] | None = None):
    """(check name, a function of the segmenter class) for every check, bound to ``data``."""
    data = _key(data)
    for check in CHECKS:
        yield check.__name__, functools.partial(check, data=data)


def check_segmenter(cls: type[Segmenter], data: Iterable[str | Path] | None = None) -> list[str]:
    """Run every check on ``cls``; AssertionError at the first that fails.  Returns the checks that had nothing
    to run on this data (a table it needs is absent, or it skipped itself), with why."""
    not_run = []
    for name, check in checks(cls, data):
        try:
            check(cls)
        except NotApplicable as why:
            not_run.append(f"{name}: {why}")
    return not_run


def parametrize_with_checks(classes: Iterable[type[Segmenter]], data: Iterable[str | Path] | None = None):
    """A pytest decorator: one test per (segmenter, check), ids like ``rfm-check_outputs``; the test takes
    ``segmenter`` and ``check`` and calls ``check(segmenter)``.  A check with nothing to run on ``data`` skips."""
    import pytest

    def skipping(check):
        @functools.wraps(check)
        def run(cls):
            try:
                return check(cls)
            except NotApplicable as why:
                pytest.skip(str(why))

        return run

    params = [pytest.param(cls, skipping(check), id=f"{cls.name}-{name}")
              for cls in classes for name, check in checks(cls, data)]
    return pytest.mark.parametrize(("segmenter", "check"), params)
