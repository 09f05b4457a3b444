"""The message catalog: complete, compiled, placeholders kept, and the language context works."""

from __future__ import annotations

import ast
import importlib.util
import string
from pathlib import Path

import pandas as pd
import pytest

from tiercli.i18n import (
    _,
    counted,
    format_rows,
    language,
    normalize,
    pick,
    set_language,
    tr,
    using,
)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tiercli"


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def catalog():
    tool = _tool()
    return tool, tool.merged()


def test_every_message_of_the_code_has_chinese(catalog):
    tool, merged = catalog
    missing = tool.missing(merged)
    assert not missing, f"{len(missing)} messages without Chinese (run python tools/i18n.py and translate): {missing[:5]}"


def test_the_compiled_catalog_is_the_po_file(catalog):
    tool, _merged = catalog
    assert tool.MO.read_bytes() == tool.compiled(tool.load()), "tiercli.mo is stale: run python tools/i18n.py"


def test_the_po_file_holds_what_the_code_says(catalog):
    """No stale entries and none missing: the .po is what extraction gives (tools/i18n.py was run)."""
    tool, merged = catalog
    assert {m.id for m in tool.load() if m.id} == {m.id for m in merged if m.id}


def _fields(text: str) -> list[str]:
    if "%(" in text:  # click's %-style messages
        import re

        return sorted(set(re.findall(r"%\((\w+)\)s", text)))
    # each value kept (a translation may name one twice or once, where the English repeats it)
    return sorted({f"{name}:{spec}!{conv}" for _lit, name, spec, conv in string.Formatter().parse(text)
                   if name is not None})


def test_translations_keep_every_placeholder(catalog):
    tool, _merged = catalog
    bad = [(m.id, m.string) for m in tool.load() if m.id and m.string and _fields(m.id) != _fields(m.string)]
    assert not bad, bad[:5]


def test_translations_keep_the_gluing_spaces(catalog):
    """A piece appended to another text ("; upgrade ...", " (n were already there)") keeps its joint."""
    tool, _merged = catalog
    bad = [(m.id, m.string) for m in tool.load() if m.id and m.string and m.id[0] == " " and not (
        m.string[0] in " ；，（(·" or m.string[:1].isspace())]
    assert not bad, bad[:5]


def _modules_importing_underscore():
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.ImportFrom) and (n.module or "").endswith("i18n") and
               any(a.name == "_" for a in n.names) for n in tree.body):
            yield path, tree


def test_no_module_hides_the_translator_behind_a_throwaway_name():
    """``x, _ = ...`` or ``for _ in ...`` inside a function makes ``_`` local there: its ``_("...")`` would fail."""
    found = []
    for path, tree in _modules_importing_underscore():
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            elif isinstance(node, (ast.For, ast.With)):
                targets = [node.target] if isinstance(node, ast.For) else [i.optional_vars for i in node.items]
            elif isinstance(node, ast.ExceptHandler) and node.name == "_":
                found.append(f"{path.name}:{node.lineno}")
            for t in targets:
                if t is not None and any(isinstance(n, ast.Name) and n.id == "_" for n in ast.walk(t)):
                    found.append(f"{path.name}:{node.lineno}")
    assert not found, found


def test_no_fstring_is_a_message():
    """``_(f"...")`` cannot be in the catalog (the text differs every time): templates and .format instead."""
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "tr") \
                    and node.args and isinstance(node.args[0], ast.JoinedStr):
                found.append(f"{path.name}:{node.lineno}")
    assert not found, found


def test_language_context():
    assert normalize("zh_CN.UTF-8") == normalize("zh-Hans") == "zh" and normalize(None) == normalize("de") == "en"
    with using("zh"):
        assert language() == "zh"
        assert _("no paid order") != "no paid order"
        with using("en"):
            assert _("no paid order") == "no paid order"
        assert tr("no paid order", "en") == "no paid order"
    assert tr("a text nobody translated", "zh") == "a text nobody translated"  # falls back to the English
    assert pick("Sheet", "工作表", "zh") == "工作表" and pick("Sheet", "", "zh") == "Sheet"


def test_the_environment_picks_the_language_when_nothing_else_did(monkeypatch):
    monkeypatch.setenv("TIERCLI_LANG", "zh")
    token_free = language()
    assert token_free == "zh"
    set_language("en")
    try:
        assert language() == "en"
    finally:
        set_language("")


def test_format_rows_formats_a_whole_column():
    idx = pd.Index([10, 11, 12])
    days = pd.Series([3, 40, None], index=idx, dtype="Int64")
    out = format_rows("{n} orders, last {days} days ago ({share:.0%})", idx, n=pd.Series([1, 2, 3], index=idx),
                      days=days, share=0.25)
    assert out.tolist() == ["1 orders, last 3 days ago (25%)", "2 orders, last 40 days ago (25%)",
                            "3 orders, last  days ago (25%)"]  # a missing value is left blank
    n = pd.Series([1, 2, 0], index=idx)
    assert counted(n, "{n} order", "{n} orders").tolist() == ["1 order", "2 orders", "0 orders"]
    with using("zh"):
        assert counted(n, _("{n} order"), _("{n} orders")).tolist()[0] != "1 order"
