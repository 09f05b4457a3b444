"""The contact log: a CSV on the shared drive of the marketing emails already sent.

``customer_id, email, sent_at, purpose, campaign`` — one row per email.  ``plan-emails`` reads it for the
cooldown and the month's caps, and ``--record`` appends the planned sends to it.  Appending never loses or
duplicates a row: a lock file beside the log serialises writers (several cron jobs or colleagues), the
existing keys are read under the lock, only new ``(customer_id, sent_at, purpose)`` rows are written, and
the file is flushed and fsynced before the lock is released.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

LOG_COLUMNS = ["customer_id", "email", "sent_at", "purpose", "campaign"]
LOCK_TIMEOUT = 60.0  # seconds to wait for another writer before giving up


def _norm_date(value: Any) -> str:
    """``sent_at`` as YYYY-MM-DD when it reads as a date (so an Excel-edited 2026/11/3 still matches)."""
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    head = text[:10].replace("/", "-").replace(".", "-")
    parts = head.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
        except ValueError:
            return text
    return text


def _key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    cid = row.get("customer_id")
    cid = "" if cid is None else str(cid).strip()
    if cid.startswith("'"):  # written inert ('=abc) by an earlier append
        from ..io.write import inert_text

        cid = cid[1:] if inert_text(cid[1:])[1] else cid
    purpose = row.get("purpose")
    purpose = "" if purpose is None else str(purpose).strip().lower()
    return cid, _norm_date(row.get("sent_at")), purpose


def _cell(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return _norm_date(value)
    from ..io.write import inert_text

    return inert_text(str(value))[0]


def append_contacts(path: str | os.PathLike, rows: Iterable[Mapping[str, Any]], *, lock: str = "auto",
                    wait: float = LOCK_TIMEOUT) -> int:
    """Append ``rows`` (mappings with the log's columns) to the contact log at ``path``; return how many were new.

    A row whose ``(customer_id, sent_at, purpose)`` is already in the log, or earlier in ``rows``, is skipped,
    so recording the same plan twice changes nothing.  Holds ``path + ".lock"`` for the whole
    read-then-append, of the ``lock`` kind (auto/os/soft/none, see ``tiercli.io.lock``: a soft lock on
    NFS/SMB, where flock is local to one client); a missing log is created with a header.  Text cells
    that a spreadsheet would run as a formula are written inert, as in every CSV tiercli writes.
    """
    from ..io.lock import held

    path = Path(path)
    with held(Path(str(path) + ".lock"), kind=lock, wait=wait):
        header, seen, newline, ends_clean = LOG_COLUMNS, set(), "\r\n", True
        exists = path.exists() and path.stat().st_size > 0
        if exists:
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig", errors="replace")
            newline = "\r\n" if b"\r\n" in raw else "\n"
            ends_clean = raw.endswith((b"\n", b"\r"))
            found, records, _cut = _records(text)
            if found:
                header = found
            # a row cut off by an earlier failed write is no send: its customer's real send is appended below
            seen = {_key(dict(zip(header, r))) for r in records}
        fresh = []
        for row in rows:
            key = _key(row)
            if key in seen:
                continue
            seen.add(key)
            fresh.append(row)
        if not fresh and exists:
            return 0
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator=newline)
        if not exists:
            writer.writerow(header)
        for row in fresh:
            writer.writerow([_cell(row.get(col)) for col in header])
        data = buf.getvalue()
        if exists and not ends_clean:  # a log hand-edited without a final line break (or a cut row)
            data = newline + data
        # a new log gets a BOM so Excel/WPS show non-ASCII names correctly
        append_whole(path, data.encode("utf-8-sig" if not exists else "utf-8"))
        return len(fresh)


def _records(text: str) -> tuple[list[str], list[list[str]], list[tuple[int, int]]]:
    """(header, whole rows, cut rows) of a log's text; a cut row is ``(line number, position among the rows
    a CSV reader keeps)``: a row with fewer fields than the header, which tiercli never writes (a write cut off
    by a full disk or a killed run of an older version, or a line broken by hand)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        return [], [], []
    whole, cut, kept = [], [], 0
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue  # a blank line (skipped by every reader)
            if len(row) > len(header):
                continue  # left out by the CSV reader, which reports it
            if len(row) < len(header):
                cut.append((reader.line_num, kept))
            else:
                whole.append(row)
            kept += 1
    except csv.Error:  # an unclosed quote: the rest is one cut row
        cut.append((reader.line_num, kept))
    return header, whole, cut


def cut_rows(path: str | os.PathLike) -> list[int]:
    """Line numbers of the rows of the contact log at ``path`` that were cut off (see ``_records``)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in (".csv", ".txt", ""):
        return []
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return [line for line, _pos in _records(text)[2]]


def _free_bytes(fd: int) -> int | None:
    try:
        st = os.fstatvfs(fd)
    except (OSError, AttributeError):  # (Windows has no statvfs)
        return None
    return st.f_bavail * st.f_frsize


def append_whole(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` all or nothing: check the free space, write, fsync; on any error (a full disk,
    an I/O error, an interrupt) cut the file back to its old length, or remove it if this created it, and raise
    ``EnvironmentFault``.  The caller holds the file's lock."""
    from ..errors import environment_fault
    from ..i18n import _

    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    existed = path.exists()
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as err:
        raise environment_fault(err, path, _("append to")) from None
    old = None
    try:
        old = os.fstat(fd).st_size
        free = _free_bytes(fd)
        if free is not None and free < len(data) + 4096:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            if old is not None:
                os.ftruncate(fd, old)
                os.fsync(fd)
        os.close(fd)
        fd = None
        if not existed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if isinstance(exc, OSError):
            fault = environment_fault(exc, path, _("append to"))
            fault.message += " " + _("Nothing was recorded: the contact log is as it was.")
            raise fault from None
        raise
    finally:
        if fd is not None:
            os.close(fd)


def _empty_log() -> pd.DataFrame:
    """No contact rows, with the columns a canonical contact log has (file, line, customer and its fields)."""
    from ..schema.tables import KINDS

    columns = ["file", "line", "customer", *KINDS["contacts"].fields]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def read_contact_log(path: str | os.PathLike, config) -> pd.DataFrame:
    """The contact log at ``path`` as canonical contact rows (customer, email, date, purpose, campaign).

    A missing or empty log is an empty frame: the first ``--record`` creates it.  Rows cut off by a failed
    write are left out (they are no send); their line numbers are in ``frame.attrs["cut_lines"]``.
    """
    from ..io.read import read_file
    from ..schema.mapping import canonicalize
    from ..schema.presets import detect, load_presets

    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return _empty_log()
    presets = load_presets([Path(d) for d in config.tables.get("presets", {}).get("dirs", [])])
    cut = []
    if path.suffix.lower() in (".csv", ".txt", ""):
        cut = _records(path.read_bytes().decode("utf-8-sig", errors="replace"))[2]
    parts = []
    for raw in read_file(path):
        if cut and not raw.sheets:  # a CSV: drop the cut rows (the reader keeps them, padded with nothing)
            positions = [pos for _line, pos in cut if pos < len(raw.frame)]
            raw.frame = raw.frame.drop(index=raw.frame.index[positions]).reset_index(drop=True)
        if len(raw.frame) == 0:
            continue
        match = detect(list(raw.frame.columns), presets, forced="contact_log", label=raw.label)
        frame, _ = canonicalize(raw, match, config)
        parts.append(frame)
    frame = pd.concat(parts, ignore_index=True) if parts else _empty_log()
    frame.attrs["cut_lines"] = [line for line, _pos in cut]
    return frame


def read_for_plan(path: str | os.PathLike, config) -> tuple[pd.DataFrame, str | None]:
    """The contact log plan-emails counts past sends from, and a warning naming the lines a failed write cut
    off (None when there are none)."""
    from ..i18n import _

    frame = read_contact_log(path, config)
    lines = frame.attrs.get("cut_lines")
    if not lines:
        return frame, None
    return frame, _("{path}: line {lines} is cut off (a failed write): not counted as a send; --record appends "
                    "the real row. Delete that line when convenient.").format(path=path,
                                                                            lines=", ".join(map(str, lines)))
