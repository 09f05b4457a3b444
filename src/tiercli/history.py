"""Snapshots of every customer's labels, and who moved between tiers since the last one.

Each ``score`` run writes ``.tiercli/history/labels-YYYY-MM-DD.parquet`` beside
its output (one per as-of date; a re-run replaces that date's).  The previous
snapshot is the latest one with an earlier as-of date.  ``tiercli diff`` compares
any two snapshots or scored files (csv, json or the workbook's Customers sheet).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, environment_fault
from .segmenters.base import all_headers, code_labels, label_columns

HISTORY_DIR = Path(".tiercli") / "history"


def snapshot(table: pd.DataFrame) -> pd.DataFrame:
    """The label columns (English codes) of a customer table, indexed by customer_id."""
    cols = [c for c in label_columns() if c in table.columns]
    out = table.set_index("customer_id")[cols] if "customer_id" in table.columns else table[cols]
    return out.astype("str")


def history_dir(folder: Path, *, create: bool = False) -> Path | None:
    """``folder/.tiercli/history`` if it is a real folder (created when ``create``), None if missing.

    tiercli never follows a symlink there (another user could point it anywhere), and a file in its place is
    no history: both are an ``EnvironmentFault`` that says what to remove."""
    from .errors import EnvironmentFault
    from .i18n import _

    path = Path(folder)
    for part in HISTORY_DIR.parts:
        path = path / part
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(path)
                # as writable for the group/others as the folder above, so a colleague's run can add snapshots
                parent = os.stat(path.parent).st_mode
                os.chmod(path, 0o755 | (parent & 0o020) | (parent & 0o002) | (0o050 if parent & 0o020 else 0)
                         | (0o005 if parent & 0o002 else 0))
            except FileExistsError:
                pass
            except OSError as err:
                raise environment_fault(err, path, _("create the history folder")) from None
            st = os.lstat(path)
        except OSError as err:
            raise environment_fault(err, path, _("read the history folder")) from None
        if stat.S_ISLNK(st.st_mode):
            raise EnvironmentFault(_("{path} is a symbolic link; tiercli keeps its history only in a real "
                                     "folder.").format(path=path),
                                   hint=_("Remove the link (the run log and outputs are unaffected)."))
        if not stat.S_ISDIR(st.st_mode):
            raise EnvironmentFault(_("{path} is a file where tiercli keeps its history folder.").format(path=path),
                                   hint=_("Move the file away and run again."))
    return path


def save_snapshot(folder: Path, as_of: pd.Timestamp, table: pd.DataFrame) -> Path:
    """Write this run's snapshot atomically (temp file + rename) and return its path.

    Environment faults (full disk, read-only, no permission, a symlink or a file in the way) are an
    ``EnvironmentFault``; the temp file never outlives a failure, and a killed run's is removed by the next."""
    from .i18n import _
    from .io.lock import remove_stale_temps
    from .io.write.atomic import TMP_PREFIX, TMP_SUFFIX

    target_dir = history_dir(folder, create=True)
    remove_stale_temps(target_dir)
    path = target_dir / f"labels-{as_of.date().isoformat()}.parquet"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    tmp = target_dir / f"{TMP_PREFIX}{path.name}-{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        # 0o666 minus umask, like any output: colleagues on the shared drive read history like a report
        os.close(os.open(tmp, flags, 0o666))
    except OSError as err:
        raise environment_fault(err, target_dir, _("write a snapshot in")) from None
    try:
        snapshot(table).reset_index().to_parquet(tmp, index=False, compression="zstd")
        os.replace(tmp, path)
    except OSError as err:
        raise environment_fault(err, path, _("write")) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def previous_snapshot(folder: Path, as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.DataFrame] | None:
    """The latest snapshot with an as-of date before ``as_of``, if any."""
    found = []
    where = history_dir(folder)
    if where is None:
        return None
    for p in where.glob("labels-*.parquet"):
        with contextlib.suppress(ValueError):
            found.append((pd.Timestamp(p.stem.removeprefix("labels-")), p))
    earlier = sorted((d, p) for d, p in found if d < as_of.normalize())
    if not earlier:
        return None
    when, path = earlier[-1]
    return when, load_labels(path)


def _rank(column: str, codes: pd.Series) -> pd.Series:
    """Position of each code in its segmenter's label order (best first); NaN for unknown codes."""
    order = {code: i for i, code in enumerate(code_labels(column))}
    return codes.map(order).astype("float64")


def migrations(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who moved between labels, per segmenter column both snapshots have.

    Returns (summary: segmenter, from, to, direction, customers, examples) and
    (detail: customer_id, segmenter, from, to, direction).  Directions: ``up``
    (to a label earlier in the segmenter's order, e.g. C → B), ``down``, ``moved``
    (labels with no order, such as lifecycle's), ``in`` (new customer or newly
    labelled) and ``out`` (customer gone or no longer labelled).
    """
    from .segmenters.base import registry

    unordered = {c for cls in registry().values() for c in cls.differs}  # groups with no order (cluster)
    cols = [c for c in new.columns if c in old.columns]
    ids = old.index.union(new.index)
    details = []
    for col in cols:
        a = old[col].reindex(ids).replace({"nan": np.nan, "<NA>": np.nan, "": np.nan})
        b = new[col].reindex(ids).replace({"nan": np.nan, "<NA>": np.nan, "": np.nan})
        changed = a.fillna("\0") != b.fillna("\0")
        if not changed.any():
            continue
        ra, rb = _rank(col, a), _rank(col, b)
        ordered = col not in ("lifecycle", "buyer_type", "process", "aipl_source") and col not in unordered
        direction = np.select(
            [a.isna(), b.isna(), ordered & (rb < ra), ordered & (rb > ra)],
            ["in", "out", "up", "down"], "moved")
        details.append(pd.DataFrame({"customer_id": ids[changed], "segmenter": col,
                                     "from": a[changed].fillna("").to_numpy(),
                                     "to": b[changed].fillna("").to_numpy(),
                                     "direction": direction[changed.to_numpy()]}))
    detail = (pd.concat(details, ignore_index=True) if details else
              pd.DataFrame(columns=["customer_id", "segmenter", "from", "to", "direction"]))
    if detail.empty:
        summary = pd.DataFrame(columns=["segmenter", "from", "to", "direction", "customers", "examples"])
        return summary, detail
    g = detail.groupby(["segmenter", "from", "to", "direction"], sort=False)
    summary = g.agg(customers=("customer_id", "size"),
                    examples=("customer_id", lambda s: ", ".join(sorted(s.astype(str))[:5]))).reset_index()
    summary = summary.sort_values(["segmenter", "customers", "from", "to"], ascending=[True, False, True, True])
    return summary.reset_index(drop=True), detail.sort_values(["segmenter", "customer_id"]).reset_index(drop=True)


def _codes_from_words(frame: pd.DataFrame) -> pd.DataFrame:
    """A workbook's Customers sheet (headers and labels in words, English or Chinese) back to column codes."""
    by_header = {}
    for col, (en, zh) in all_headers().items():
        by_header[en] = col
        by_header[zh] = col
    frame = frame.rename(columns=lambda h: by_header.get(str(h), str(h)))
    for col in label_columns():
        if col in frame:
            words = {}
            for code, (en, zh) in code_labels(col).items():
                words[en] = code
                words[zh] = code
            frame[col] = frame[col].map(lambda v, w=words: w.get(v, v) if isinstance(v, str) else v)
    return frame


def load_labels(path: str | Path) -> pd.DataFrame:
    """Labels from a snapshot (.parquet), a scored .csv/.json, or a scored workbook's Customers sheet."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.", hint="Name a snapshot in .tiercli/history/ or a scored file.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix == ".json":
            import json

            frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["customers"])
        elif suffix in (".xlsx", ".xlsm"):
            import python_calamine as pc

            wb = pc.CalamineWorkbook.from_path(str(path))
            rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
            frame = _codes_from_words(pd.DataFrame(rows[1:], columns=rows[0]))
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot read labels ({exc}).",
                         hint="Compare snapshots or files written by 'tiercli score'.") from None
    if "customer_id" not in frame.columns:
        raise InputError(f"{path}: has no customer_id column.", hint="Compare files written by 'tiercli score'.")
    frame["customer_id"] = frame["customer_id"].astype(str).str.lstrip("'")
    return snapshot(frame)
