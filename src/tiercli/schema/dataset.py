"""From files to one canonical Dataset: read, detect, canonicalize, key customers, drop repeats, fold.

``load_dataset(paths, config)`` is the whole first half of the flow in DESIGN.md; each table's own
mapping, row screening and parsing is ``canonicalize`` in schema/mapping.py.
It never prints: everything the user should hear about (the preset chosen for
each file, rows dropped and why) is returned in ``Dataset.files`` and
``Dataset.problems``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import Config
from ..errors import InputError
from ..i18n import _
from ..io.read import Limits, RawTable, chosen_input_sheets, list_inputs, read_file
from .clean import parse_amounts
from .mapping import ORDER_LINE_COLUMNS, PARALLEL_ROWS, Problem, canonicalize, run_all
from .presets import Match, detect, load_presets
from .tables import KINDS


@dataclass
class FileReport:
    path: str
    kind: str
    preset: str
    preset_title: str
    why: str
    encoding: str | None
    sheets: list[str]
    rows: int
    mapping: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path, "kind": self.kind, "preset": self.preset, "encoding": self.encoding,
            "sheets": self.sheets, "rows": self.rows, "mapping": self.mapping,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class Dataset:
    """Canonical tables (empty frames when a kind is absent) and what was found on the way."""

    lines: pd.DataFrame
    orders: pd.DataFrame
    inquiries: pd.DataFrame
    events: pd.DataFrame
    customers: pd.DataFrame
    after_sales: pd.DataFrame
    contacts: pd.DataFrame
    files: list[FileReport]
    problems: list[Problem]
    currency: str
    cost_known: bool = False
    # the --rates file as read: currency -> base units per 1 unit (empty without --rates); the orders are
    # converted with it, and buyer_type converts its USD order-value threshold with it
    rates: dict[str, float] = field(default_factory=dict)

    @property
    def all_problems(self) -> list[Problem]:
        """Dataset-level problems (duplicates across files) and each file's."""
        return self.problems + [p for f in self.files for p in f.problems]

    def has(self, kind: str) -> bool:
        table = {"orders": self.orders, "inquiries": self.inquiries, "events": self.events,
                 "customers": self.customers, "after_sales": self.after_sales, "contacts": self.contacts}[kind]
        return len(table) > 0

    @property
    def last_date(self) -> pd.Timestamp | None:
        """Latest date in any input: the default as-of date."""
        dates = [t["date"].max() for t in (self.orders, self.inquiries, self.events, self.after_sales)
                 if len(t) and "date" in t]
        dates = [d for d in dates if pd.notna(d)]
        return max(dates) if dates else None

    def summary(self) -> dict:
        """Dataset totals for ``inspect``."""
        valid = self.orders[self.orders["paid"]] if len(self.orders) else self.orders
        keys = set()
        for t in (self.lines, self.inquiries, self.events, self.customers, self.after_sales):
            if len(t) and "customer" in t:
                keys.update(t["customer"].dropna().unique().tolist())
        dates = self.lines["date"] if len(self.lines) else pd.Series(dtype="datetime64[ns]")
        currencies = (valid["currency"].fillna(self.currency or "").replace("", "unspecified").value_counts()
                      .sort_index() if len(valid) else {})
        return {
            "order_lines": int(sum(f.rows for f in self.files if f.kind == "orders")),
            "orders": int(len(valid)),
            "customers": len(keys),
            "first_date": _iso(dates.min()),
            "last_date": _iso(dates.max()),
            "currencies": {str(k): int(v) for k, v in dict(currencies).items()},
        }


def _iso(ts) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).isoformat()


def _empty(kind: str) -> pd.DataFrame:
    cols = ORDER_LINE_COLUMNS if kind == "orders" else ["file", "line", "customer", *KINDS[kind].fields]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in dict.fromkeys(cols)})


def load_dataset(paths: list[str | Path], config: Config, *, preset: str | None = None,
                 rates: str | Path | None = None, keep_duplicates: bool | None = None,
                 progress: Callable[[str], None] | None = None, strict_currency: bool = True) -> Dataset:
    """Read every export under ``paths`` into one canonical Dataset.

    Orders in several currencies that cannot be converted (no base or no rate) are an error; with
    ``strict_currency=False`` (``inspect``) they stay unconverted and a ``several_currencies`` problem
    names them and what to pass."""
    presets = load_presets([Path(d) for d in config.tables.get("presets", {}).get("dirs", [])])
    overrides = config.tables.get("columns", {})
    files = list_inputs(paths)
    limits = Limits.from_config(config)
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    reports: list[FileReport] = []
    for path in files:
        if progress:
            progress(f"reading {path.name}")
        raws = read_file(path, limits=limits, sheets=chosen_input_sheets())
        tables, left_out = _detect_tables(raws, presets, preset, overrides)
        del raws
        while tables:  # each text table is let go as soon as it is canonical (a 10M-line file is gigabytes)
            raw, m = tables.pop(0)
            frame, problems = canonicalize(raw, m, config)
            if left_out:  # sheets of the workbook left out: told with its first table read
                problems.insert(0, left_out)
                left_out = None
            reports.append(FileReport(
                path=str(raw.path), kind=m.preset.kind, preset=m.preset.name, preset_title=m.preset.text("title"),
                why=m.why(), encoding=raw.encoding, sheets=raw.sheets, rows=raw.rows, mapping=m.mapping,
                problems=problems))
            parts[m.preset.kind].append(frame)
            del raw, frame
    tables = {k: (_concat(v) if len(v) > 1 else v[0] if v else _empty(k)) for k, v in parts.items()}
    del parts
    tables = _unify_keys(tables)
    problems: list[Problem] = []
    lines = tables.pop("orders")
    currency = ""
    rate_table: dict[str, float] = {}
    if len(lines):
        lines, currency, rate_table = _convert_currency(lines, config, rates,
                                                        report=None if strict_currency else problems)
        keep = config["keep_duplicates"] if keep_duplicates is None else keep_duplicates
        lines, dup = _drop_duplicates(lines, keep, consume=True)  # (the lines before are let go)
        if dup:
            problems.append(Problem("duplicate_rows", dup,
                                    _("exact repeated order lines (overlapping exports?): kept (--keep-duplicates)")
                                    if keep else _("exact repeated order lines (overlapping exports?): counted once")))
    orders = fold_orders(lines)
    after_sales = tables["after_sales"]
    if len(after_sales) and len(orders):
        after_sales = _key_by_order(after_sales, orders)
    cost_known = bool(len(lines) and lines["cost"].notna().any())
    return Dataset(lines=lines, orders=orders, inquiries=tables["inquiries"], events=tables["events"],
                   customers=tables["customers"], after_sales=after_sales, contacts=tables["contacts"],
                   files=reports, problems=problems, currency=currency, cost_known=cost_known,
                   rates=rate_table)


def _detect_tables(raws: list[RawTable], presets, forced, overrides) -> tuple[list[tuple[RawTable, Match]],
                                                                            Problem | None]:
    """Each text table of a file with the preset that fits it.  A workbook's optional table (one of several
    in a workbook whose sheets were not named) that no layout fits is left out and told in one
    ``skipped_sheets`` problem, as long as the workbook's order table (or a larger table) is read; otherwise its
    error stands."""
    found, failed = [], []
    for raw in raws:
        try:
            if raw.frame.shape[1] == 0 or len(raw.frame.columns) < 2:
                raise InputError(_("{file}: no columns found.").format(file=raw.label),
                                 hint=_("Check it is a table with a header row."))
            found.append((raw, detect(list(raw.frame.columns), presets, forced=forced, overrides=overrides,
                                      label=raw.label)))
        except InputError as exc:
            if not raw.optional:
                raise
            failed.append((raw, exc))
    if not failed:
        return found, None
    biggest = max(failed, key=lambda f: f[0].rows)
    # a workbook's main table is never left out quietly: when no order table was read and the table no layout
    # fits is larger than every one read, the seller must hear why (map its columns), not get the customers
    # of a two-row side sheet; beside an order table, summaries and pivots are left out with the note
    orders_read = any(match.preset.kind == "orders" for _raw, match in found)
    if not found or (not orders_read and biggest[0].rows > max(raw.rows for raw, _match in found)):
        raise biggest[1]
    words = []
    for raw, _error in failed:
        cols = list(raw.frame.columns)
        why = (_("no table") if len(cols) < 2 else _("no export layout fits its columns: {columns}").format(
            columns=", ".join(cols[:4]) + (", ..." if len(cols) > 4 else "")))
        words.append(_("{sheets} ({rows} rows; {why})").format(
            sheets=", ".join(map(repr, raw.sheets)), rows=f"{raw.rows:,}", why=why))
    return found, Problem("skipped_sheets", sum(raw.rows for raw, _error in failed),
                          _("sheets left out: {sheets}; --sheet NAME reads only the sheets you name").format(
                              sheets="; ".join(words)),
                          found[0][0].label)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Several files' canonical frames as one; the one-value columns keep one category per file."""
    frames = list(frames)
    for col in ("file", "preset"):
        if all(col in f and isinstance(f[col].dtype, pd.CategoricalDtype) for f in frames):
            labels = list(dict.fromkeys(c for f in frames for c in f[col].cat.categories))
            frames = [f.assign(**{col: f[col].cat.set_categories(labels)}) for f in frames]
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- across files


def _unify_keys(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Rows keyed only by email take the customer id that another row pairs with that email."""
    pairs = []
    for t in tables.values():
        if len(t) and "customer_id" in t and "email" in t and t["email"].notna().any():
            both = t[t["customer_id"].notna() & t["email"].notna()]
            pairs.append(both[["email", "customer_id"]])
    if not pairs:
        return tables
    known = pd.concat(pairs).drop_duplicates("email")
    id_by_email = pd.Series(known["customer_id"].to_numpy(), index=known["email"].to_numpy())
    out = {}
    for kind, t in tables.items():
        if len(t) and "email" in t and "customer" in t:
            only_email = t["customer"].notna() & t["customer"].eq(t["email"])
            if only_email.any():
                mapped = t.loc[only_email, "email"].map(id_by_email)
                t = t.copy()
                t.loc[only_email & mapped.reindex(t.index).notna(), "customer"] = mapped.dropna()
        out[kind] = t
    return out


def _read_rates(path: str | Path) -> dict[str, float]:
    raw = read_file(Path(path))[0].frame
    cols = {c.lower().strip(): c for c in raw.columns}
    cur = next((cols[c] for c in ("currency", "code", "币种", "货币") if c in cols), None)
    rate = next((cols[c] for c in ("rate", "汇率", "to_base") if c in cols), None)
    if cur is None or rate is None:
        raise InputError(_("{file}: a rates file needs columns 'currency' and 'rate' (base units per 1 unit)."
                           ).format(file=path))
    values, bad = parse_amounts(raw[rate])
    if bad.any():
        raise InputError(_("{file}: rate {value} is not a number.").format(file=path,
                                                                           value=repr(raw.loc[bad, rate].iloc[0])))
    return {str(c).strip().upper(): float(v) for c, v in zip(raw[cur], values) if pd.notna(c)}


def _convert_currency(lines: pd.DataFrame, config: Config, rates_path, *,
                      report: list[Problem] | None = None) -> tuple[pd.DataFrame, str, dict[str, float]]:
    """The lines in the base currency, the base currency ("" when neither the data nor the config names
    one) and the rates file as read (read whenever given: buyer_type converts its threshold with it).

    Lines that cannot be converted (several currencies and no base, no rates file, a missing rate) are an
    InputError; given a ``report`` list (``inspect``), a ``several_currencies`` Problem goes there instead,
    saying what to pass, and the lines stay in their own currencies (base "")."""
    base = (config["currency"] or "").upper()
    rates = _read_rates(rates_path) if rates_path is not None else {}
    if lines["currency"].isna().all():  # most exports have no currency column: all in the base currency
        lines = lines.copy(deep=False)
        lines["currency"] = pd.Series(base, index=lines.index, dtype="str")
        return lines, base, rates
    cur = lines["currency"].astype("str").str.strip().str.upper()
    found = sorted(cur.dropna().unique().tolist())
    from ..errors import (
        clean_text,  # (currency cells are the data's: never let their escape sequences through)
    )

    if any(clean_text(c, 20) != c for c in found):
        cur = cur.map(lambda c: clean_text(c, 20) if isinstance(c, str) else c)
        found = sorted({clean_text(c, 20) for c in found})

    def refuse(message: str, hint: str) -> tuple[pd.DataFrame, str, dict[str, float]]:
        if report is None:
            raise InputError(message, hint=hint)
        counts = cur.value_counts()
        counts = counts.iloc[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))]  # ties: A-Z
        suggest = base or str(counts.index[0])
        shown = ", ".join(f"{c} {n:,}" for c, n in counts.items())
        report.append(Problem(
            "several_currencies", int(counts.drop(suggest, errors="ignore").sum()),
            _("order lines in {n} currencies ({shown}): amounts not converted, so totals mix currencies; to score, "
              "pass --currency {base} --rates {rates} (lines currency,rate: {base} per 1 unit)").format(
                n=len(counts), shown=shown, base=suggest, rates=rates_path or "rates.csv")
            + (f" — {message} {hint}" if rates_path is not None else "")))
        out = lines.copy(deep=False)
        out["currency"] = cur
        return out, "", rates

    if not base:
        if len(found) > 1 and rates_path is None:
            return refuse(_("orders are in several currencies ({currencies}).").format(currencies=", ".join(found)),
                          _("Set currency = \"USD\" (your base) in tiercli.toml and pass --rates rates.csv."))
        base = found[0] if found else ""
    need = [c for c in found if c != base]
    if need:
        if rates_path is None:
            return refuse(_("orders in {currencies} but base currency is {base}.").format(
                currencies=", ".join(need), base=base),
                _("Pass --rates FILE with columns currency,rate (base units per 1 unit)."))
        missing = [c for c in need if c not in rates]
        if missing:
            return refuse(_("no exchange rate for {currencies} in {file}.").format(
                currencies=", ".join(missing), file=rates_path),
                _("Add a line '{currency},RATE' (base {base} per 1 {currency}).").format(currency=missing[0],
                                                                                         base=base))
    cur = cur.fillna(base)
    lines = lines.copy(deep=False)  # copy-on-write: the columns set below never reach the caller's frame
    lines["currency"] = cur
    if need:
        factor = cur.map({**rates, base: 1.0}).astype("float64")
        for col in ("line_value", "unit_price", "order_total", "refunded", "cost"):
            lines[col] = lines[col] * factor
    return lines, base, rates


# the canonical line, without the preset: the same line in an English and a Chinese export (or any two
# layouts) is one line
_DEDUP_COLUMNS = ["order_id", "customer", "date", "status", "product", "sku", "quantity", "unit_price",
                  "line_value", "order_total", "country"]


def _drop_duplicates(lines: pd.DataFrame, keep: bool, consume: bool = False) -> tuple[pd.DataFrame, int]:
    """Exact repeated lines count once.  With ``keep`` (--keep-duplicates), repeats inside one export
    stay (two identical lines may be two real purchases), but a line an earlier input already had is
    still the same line seen twice through overlapping exports, and counts once.  ``consume``: the
    caller lets ``lines`` go; its columns are released as they are taken (see _take_rows)."""
    dup = _duplicated_lines(lines)
    count = int(dup.sum())
    if not count:
        return lines, count
    if not keep:
        return _take_rows(lines, ~dup.to_numpy(), consume=consume), count
    first_file = lines.groupby(_DEDUP_COLUMNS, dropna=False, sort=False)["file"].transform("first")
    return lines[lines["file"].eq(first_file)].reset_index(drop=True), count


def _take_rows(frame: pd.DataFrame, keep: np.ndarray, consume: bool = False) -> pd.DataFrame:
    """``frame[keep]`` with a fresh RangeIndex; text columns that are empty, or hold one value (the file,
    the preset), are made anew at the new length instead of copied row by row (a third of the cost on a
    million lines), and text columns holding the very same Arrow data (the customer key made from the
    customer id; the all-missing ones) are taken once.  The columns are not consolidated into 2-D blocks
    (a copy of every number column: a quarter of a second on a million lines); each keeps its own array
    object.

    With ``consume`` the caller lets ``frame`` go: it is emptied first and each column is released as
    soon as it is taken, so the old and the new lines are not both held whole (a third of the peak
    memory of a million-line run)."""
    n = int(keep.sum())
    names = list(frame.columns)
    source = {name: frame[name] for name in names}
    if consume:
        for name in names:
            del frame[name]
    same_as: dict[str, str] = {}  # column -> an earlier column with the same Arrow buffers
    seen: dict[tuple, str] = {}
    nulls: dict[pa.DataType, pa.Array] = {}  # one array of nulls for every all-missing column of a type
    arr = None
    for name in names:
        arr = _arrow_data(source[name])
        if arr is not None and arr.null_count == len(arr) and arr.type not in nulls:
            nulls[arr.type] = pa.nulls(n, arr.type)
        elif arr is not None and arr.null_count < len(arr):
            at = (str(arr.type), len(arr), tuple((c.offset, len(c), tuple(
                (b.address, b.size) if b is not None else None for b in c.buffers())) for c in arr.chunks))
            if at in seen:
                same_as[name] = seen[at]
            else:
                seen[at] = name
    del arr  # (holds the last column)

    def take(name):
        col = source.pop(name) if consume else source[name]
        arr = _arrow_data(col)
        if arr is not None and arr.null_count == len(arr):
            return pd.array(nulls[arr.type], dtype=col.dtype)
        if arr is not None and len(arr) and arr.null_count == 0 and col.iat[0] == col.iat[-1] \
                and bool(col.eq(col.iat[0]).all()):
            return pd.array(pa.array([col.iat[0]], arr.type).take(np.zeros(n, dtype=np.int64)), dtype=col.dtype)
        return col.to_numpy()[keep] if isinstance(col.dtype, np.dtype) else col.array[keep]

    own = [name for name in names if name not in same_as]
    taken = dict(zip(own, run_all([functools.partial(take, name) for name in own],
                                  parallel=len(keep) >= PARALLEL_ROWS)))
    for name, first in same_as.items():
        taken[name] = taken[first].copy()  # a new array object over the same immutable Arrow data
        source.pop(name, None)
    return pd.DataFrame({name: taken[name] for name in names}, index=pd.RangeIndex(n), copy=False)


def _arrow_data(col: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow data behind an Arrow-backed text column, as it is (no chunks combined, no copy); None
    for other columns."""
    if not (isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow"):
        return None
    arr = col.array.__arrow_array__()
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


# the text columns that tell a line from its neighbours, most telling first: a key of the numbers, the date and
# these (as many as it takes) leaves few lines to compare in full
_KEY_TEXT = ["order_id", "sku", "product", "customer", "country", "status"]


def _duplicated_lines(lines: pd.DataFrame) -> pd.Series:
    """``lines.duplicated(subset=_DEDUP_COLUMNS, keep="first")``, about three times as fast on a big export: a
    line can only repeat another whose date, numbers and order id are the same, so the other text columns
    are encoded only among the lines that share those (a few text columns, not all six, over a million
    lines), and the text is compared in full among the few lines left.  Same result, same order of first
    occurrences."""
    cheap = [c for c in _DEDUP_COLUMNS if c in lines and lines[c].dtype.kind in "biufM"]
    if len(lines) < 10_000 or not cheap:
        return lines.duplicated(subset=_DEDUP_COLUMNS, keep="first")
    # the numbers folded into one 64-bit key: equal lines get equal keys (NaN and -0.0 made canonical
    # first); a collision only lets a line into the exact comparison below
    key = np.zeros(len(lines), dtype=np.uint64)
    for c in cheap:
        v = lines[c].to_numpy()
        if v.dtype.kind == "f":
            v = v + 0.0  # (a new array: -0.0 is 0.0)
            v[np.isnan(v)] = np.nan
        else:
            v = v.astype("int64", copy=False).view(np.uint64)
        key = _mix(key, v)
    maybe = _repeated_keys(key, lines, [c for c in _KEY_TEXT if c in lines and c in _DEDUP_COLUMNS])
    dup = np.zeros(len(lines), dtype=bool)
    if maybe.any():
        # each column's few candidate lines by its own mask (Arrow text columns filter chunk by chunk; a
        # frame's .loc takes them by position, which joins every chunk of the column first: 5x slower)
        few = pd.DataFrame({c: lines[c].array[maybe] for c in _DEDUP_COLUMNS}, copy=False)
        dup[maybe] = few.duplicated(keep="first").to_numpy()
    return pd.Series(dup, index=lines.index)


def _mix(key: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``key`` with ``v`` folded in (uint64, wrapping; in place: ``key`` is the caller's own array): equal
    pairs give equal keys."""
    with np.errstate(over="ignore"):
        key ^= v.view(np.uint64)
        key *= np.uint64(0x9E3779B97F4A7C15)
        key ^= key >> np.uint64(29)
    return key


def _repeated_keys(key: np.ndarray, lines: pd.DataFrame, texts: list[str]) -> np.ndarray:
    """Where a line's key (numbers and date) and text columns may repeat another line's: a bool array.
    The text columns are folded in one at a time by their dictionary codes, each over only the lines
    still possibly repeated (the first over all of them), until those are few.  A line whose key is
    unique on some columns repeats no line, so it is never looked at again; lines equal on every column
    keep equal keys, so none is lost."""
    n = len(key)
    few = max(10_000, n // 50)  # below this, comparing the lines in full costs less than another column
    first, rest = texts[:1], texts[1:]
    for c in first:  # the first text column over every line
        codes = _text_codes(lines[c])
        if codes is not None:  # (not Arrow text: left to the comparison in full)
            key = _mix(key, codes)
    maybe = _repeats(key)
    for c in rest:
        at = np.flatnonzero(maybe)
        if len(at) <= few:
            break
        codes = _text_codes(pd.Series(lines[c].array[maybe], copy=False))
        if codes is None:
            continue
        sub = _mix(key[at], codes)
        key[at] = sub
        maybe[at] = _repeats(sub)
    return maybe


def _repeats(key: np.ndarray) -> np.ndarray:
    """``pd.Series(key).duplicated(keep=False)`` for uint64 keys (every line whose key another line has too),
    by sorting (numpy's vectorized sort): half the time of the hash table on a million keys."""
    order = np.argsort(key)
    ranked = key[order]
    same = ranked[1:] == ranked[:-1]
    flag = np.zeros(len(key), dtype=bool)
    flag[1:] |= same
    flag[:-1] |= same
    out = np.empty(len(key), dtype=bool)
    out[order] = flag
    return out


def _text_codes(col: pd.Series) -> np.ndarray | None:
    """int64 codes of an Arrow-backed text column, equal for equal texts (missing: -1); None for others.
    The chunks are encoded as they are (arrow gives them one dictionary), not combined first (a copy)."""
    arr = _arrow_data(col)
    if arr is None:
        return None
    enc = pc.dictionary_encode(arr)
    chunks = enc.chunks
    if any(not c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):  # (not seen; to be safe)
        chunks = [pc.dictionary_encode(arr.combine_chunks())]
    return np.concatenate([pc.fill_null(c.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
                           for c in chunks]) if chunks else np.zeros(0, dtype=np.int64)


def fold_orders(lines: pd.DataFrame) -> pd.DataFrame:
    """Order lines -> one row per order (same preset and order id), value in the base currency.

    ``net_value`` is what the order adds to the customer's value: paid orders
    less partial refunds; cancellations and refunds only when they carry a
    negative amount (a credit note such as UCI's C-invoices), never positive.
    """
    cols = ["preset", "order_id", "customer", "date", "status", "paid", "is_sample", "fulfillment", "currency",
            "country", "value", "net_value", "cost", "profit", "units", "lines"]
    need = ["preset", "order_id", "customer", "date", "status", "fulfillment", "currency", "country", "order_total",
            "refunded", "line_value", "cost", "quantity", "is_sample"]
    ok = (lines["date"].notna() & lines["order_id"].notna()).to_numpy()
    usable = lines[need] if ok.all() else lines.loc[ok, need]  # the columns first: not all 26 of a million lines
    if not len(usable):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    # one export (one preset) is the usual case: then the order id alone is the key, a cheaper group-by
    one_preset = bool(usable["preset"].eq(usable["preset"].iloc[0]).all())  # (never missing: set per file)
    g = usable.groupby("order_id" if one_preset else ["preset", "order_id"], sort=False, observed=True)
    orders = g[["customer", "status", "fulfillment", "currency", "country", "order_total", "refunded"]].first()
    # (same groups, same order: plain column assignment, no join)
    orders["date"] = g["date"].min().to_numpy()
    orders["line_sum"] = g["line_value"].sum(min_count=1).to_numpy()
    orders["cost"] = g["cost"].sum(min_count=1).to_numpy()
    orders["units"] = g["quantity"].sum(min_count=1).to_numpy()
    orders["is_sample"] = g["is_sample"].any().to_numpy()
    orders["lines"] = g.size().to_numpy()
    if one_preset:
        orders.insert(0, "preset", usable["preset"].iloc[0])
        orders["preset"] = orders["preset"].astype(usable["preset"].dtype)
    value = orders["order_total"].fillna(orders["line_sum"]).fillna(0.0)
    paid = orders["status"].eq("paid")
    net = np.where(paid, value - orders["refunded"].fillna(0.0),
                   np.where(orders["status"].isin(["cancelled", "refunded"]), np.minimum(value, 0.0), 0.0))
    orders["value"] = value
    orders["net_value"] = net
    orders["profit"] = (orders["net_value"] - orders["cost"]).where(orders["cost"].notna())
    orders["paid"] = paid & orders["customer"].notna()
    orders = orders.reset_index()
    return orders[cols]


def _key_by_order(cases: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """After-sales cases that name only an order take that order's customer."""
    if "order_id" not in cases:
        return cases
    by_order = orders.drop_duplicates("order_id").set_index("order_id")["customer"]
    cases = cases.copy()
    cases["customer"] = cases["customer"].fillna(cases["order_id"].map(by_order))
    return cases[cases["customer"].notna()]
