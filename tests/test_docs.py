"""docs/segmenters.md is generated from the segmenter classes (tools/docs.py) and fails here when they drift."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs():
    spec = importlib.util.spec_from_file_location("tiercli_docs_tool", ROOT / "tools" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_segmenters_md_is_what_the_classes_say(docs):
    diff = docs.check()
    assert not diff, "docs/segmenters.md drifted from the classes; run python tools/docs.py --write:\n" + \
        "\n".join(diff[:40])


def test_every_built_in_segmenter_its_settings_and_labels_are_in_the_docs(docs):
    from tiercli.segmenters.base import registry

    text = (ROOT / "docs" / "segmenters.md").read_text(encoding="utf-8")
    for cls in registry().values():
        if cls.origin != "built-in":
            continue
        assert f"## `{cls.name}` — {cls.title}" in text
        for s in cls.options:
            assert f"| `{cls.name}.{s.name}` | `{s.default!r}` |" in text
        assert all(f"| `{code}` | {en} | {zh} |" in text for code, (en, zh) in list(cls.labels.items())[:12])


def test_a_changed_setting_is_drift(docs, monkeypatch):
    from dataclasses import replace

    from tiercli.segmenters.base import registry

    rfm = registry()["rfm"]
    monkeypatch.setattr(rfm, "options", tuple(replace(s, help=s.help + " (changed)") for s in rfm.options))
    assert any("(changed)" in line for line in docs.check())


def test_the_readme_links_the_generated_file():
    for readme in ("README.md", "README.zh-CN.md"):
        text = (ROOT / readme).read_text(encoding="utf-8")
        assert "](docs/segmenters.md)" in text, readme
