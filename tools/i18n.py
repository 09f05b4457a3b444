"""Keep the message catalog in step with the code: extract, merge into the .po, compile the .mo.

    python tools/i18n.py            # extract messages, merge into tiercli.po, compile tiercli.mo
    python tools/i18n.py --check    # exit 1 if a message lacks Chinese or the .mo is stale (what the tests check)

Messages are the first argument of ``_()``, ``N_()`` and ``tr()`` anywhere under src/tiercli (Babel's
extractor, the same as ``pybabel extract -k N_ -k tr``), plus the help texts of the CLI's commands and options.
New messages enter the .po with an empty translation; messages the code no longer has are dropped.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tiercli"
PO = SRC / "locale" / "zh_CN" / "LC_MESSAGES" / "tiercli.po"
MO = PO.with_suffix(".mo")
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
KEYWORDS = {"_": None, "N_": None, "tr": (1,), "Setting": (3,)}


def extracted() -> dict[str, list[tuple[str, int]]]:
    """msgid -> where it occurs, from the code and the CLI's help texts."""
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS, strip_comment_tags=True):
        if isinstance(message, tuple):
            message = message[0]
        if message:
            found.setdefault(message, []).append((f"src/tiercli/{filename}", lineno))
    sys.path.insert(0, str(ROOT / "src"))
    from tiercli import cli  # noqa: E402  (the CLI's help is text the user reads, too)

    for message in getattr(cli, "help_texts", list)():
        found.setdefault(message, []).append(("src/tiercli/cli.py", 0))
    return found


def load() -> Catalog:
    if PO.exists():
        with open(PO, "rb") as fh:
            return read_po(fh, locale="zh_CN", domain="tiercli")
    return Catalog(locale="zh_CN", domain="tiercli")


def merged() -> Catalog:
    old = load()
    new = Catalog(locale="zh_CN", domain="tiercli", project="tiercli", fuzzy=False,
                  header_comment="# Simplified Chinese for tiercli. Edit msgstr; run python tools/i18n.py.")
    for msgid, where in sorted(extracted().items(), key=lambda kv: kv[1][0]):
        prev = old.get(msgid)
        new.add(msgid, prev.string if prev is not None else "", locations=where[:3])
    return new


def compiled(catalog: Catalog) -> bytes:
    """The .mo of the translated messages (an empty msgstr must fall back to English, not print nothing)."""
    # a fixed header (no dates), so the same translations always compile to the same bytes
    done = Catalog(locale="zh_CN", domain="tiercli", project="tiercli", version="", creation_date=_EPOCH,
                   revision_date=_EPOCH, fuzzy=False)
    for m in catalog:
        if m.id and m.string:
            done.add(m.id, m.string)
    buf = io.BytesIO()
    write_mo(buf, done)
    return buf.getvalue()


def missing(catalog: Catalog) -> list[str]:
    return [m.id for m in catalog if m.id and not m.string]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args()
    catalog = merged()
    todo = missing(catalog)
    if args.check:
        stale = not MO.exists() or MO.read_bytes() != compiled(load())
        for msgid in todo:
            print(f"no Chinese: {msgid!r}")
        if stale:
            print(f"{MO.relative_to(ROOT)} is stale: run python tools/i18n.py")
        return 1 if todo or stale else 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(PO, "wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
    MO.write_bytes(compiled(catalog))
    print(f"{len(catalog)} messages, {len(todo)} without Chinese -> {PO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
