"""The segmenter contract, checked over every registered segmenter with ``tiercli.testing``'s checks
(scikit-learn's ``parametrize_with_checks``): the checks a plugin's own tests run on it.

Parametrized over ``registry()``, so built-ins added later and installed plugins are covered without
touching this file.  Each segmenter's checks run on customers built from examples/alibaba, examples/shopify
and tiercli.testing's made-up shop, with the segmenters it runs ``after`` already applied.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.errors import ConfigError
from tiercli.segmenters import base
from tiercli.segmenters.base import Segmenter, registry
from tiercli.testing import NotApplicable, parametrize_with_checks, skipped_why

ROOT = Path(__file__).resolve().parents[1]
ALIBABA = ROOT / "examples" / "alibaba"
CONFIG = load_config(None, env={})
NAMES = list(registry())
KINDS = ("orders", "inquiries", "events", "after_sales", "customers")


EXAMPLES = {"alibaba": ALIBABA, "shopify": ROOT / "examples" / "shopify"}


# ---------------------------------------------------------------- the registry itself

def test_registry_holds_the_built_ins_in_display_order():
    assert NAMES[:5] == ["rfm", "abc", "tier", "lifecycle", "buyer_type"]


# ---------------------------------------------------------------- tiercli.testing's checks (check_estimator)

SEGMENTERS = list(registry().values())


@parametrize_with_checks(SEGMENTERS, data=[ALIBABA])
def test_contract_on_the_alibaba_example(segmenter, check):
    check(segmenter)


@parametrize_with_checks(SEGMENTERS, data=[EXAMPLES["shopify"]])
def test_contract_on_the_shopify_example(segmenter, check):
    check(segmenter)


@parametrize_with_checks(SEGMENTERS)
def test_contract_on_the_made_up_shop(segmenter, check):
    check(segmenter)


def test_every_built_in_labels_customers_in_some_example():
    """No built-in's checks are all skipped: each labels the customers of one of the data sets (its model
    fits, its tables are there).  Uses what the checks above found (tiercli.testing remembers it)."""
    datas = [(str(ALIBABA),), (str(EXAMPLES["shopify"]),), None]
    for cls in SEGMENTERS:
        if cls.origin != "built-in":
            continue
        fits = []
        for data in datas:
            try:
                fits.append(skipped_why(cls, data) is None)
            except NotApplicable:
                fits.append(False)
        assert any(fits), cls.name


# ---------------------------------------------------------------- plan()

def test_plan_skips_a_segmenter_whose_table_is_absent_with_a_note():
    chosen = base.select(None, set(), CONFIG.with_overrides({"cluster.enabled": True}))
    assert chosen.run == []
    for name, cls in registry().items():
        assert chosen.skipped[name].startswith("needs ")
    assert chosen.skipped["rfm"] == "needs orders data"


def test_plan_notes_a_missing_table_of_a_new_segmenter(monkeypatch):
    class NeedsEvents(Segmenter):
        name = "needs_events"
        title = "Needs events"
        requires = ("events",)
        after = ("rfm",)
        outputs = ("needs_events",)
        labels = {"x": ("X", "X")}

    monkeypatch.setattr(base, "_REGISTRY", {**registry(), "needs_events": NeedsEvents})
    chosen = base.select(None, {"orders"})
    assert chosen.skipped["needs_events"] == "needs events data"
    assert set(chosen.skipped) == {"needs_events", "aipl"}  # the built-in that needs events, too
    assert "needs_events" not in [c.name for c in chosen.run]
    assert "rfm" in [c.name for c in chosen.run]
    with_events = base.select(["needs_events"], {"orders", "events"})
    assert [c.name for c in with_events.run] == ["rfm", "needs_events"]


def test_plan_pulls_dependencies_and_refuses_unknown_names():
    chosen = base.select(["tier"], {"orders"})
    assert [c.name for c in chosen.run] == ["abc", "tier"]
    with pytest.raises(ConfigError, match="unknown segmenter nope"):
        base.select(["rfm", "nope"], {"orders"})


# ---------------------------------------------------------------- plugins

class _EntryPoint:
    def __init__(self, name, value, load):
        self.name, self.value, self._load = name, value, load

    def load(self):
        return self._load()


class PluginSegmenter(Segmenter):
    name = "vip_flag"
    title = "VIP flag (plugin)"
    outputs = ("vip_flag", "vip_flag_reason")
    labels = {"yes": ("Yes", "是"), "no": ("No", "否")}

    def segment(self, customers, config):
        yes = customers["monetary"] > 1000
        return pd.DataFrame({"vip_flag": yes.map({True: "yes", False: "no"}),
                             "vip_flag_reason": "net value over 1000"}, index=customers.index)


def _boom():
    raise ImportError("No module named 'tiercli_broken'")


@pytest.fixture
def fake_plugins(monkeypatch):
    """Entry points: one broken, one not a segmenter, one good; the registry state is restored afterwards."""
    eps = [_EntryPoint("broken", "tiercli_broken:Seg", _boom),
           _EntryPoint("notaclass", "tiercli_odd:thing", lambda: 42),
           _EntryPoint("vip_flag", "tiercli_vip:PluginSegmenter", lambda: PluginSegmenter)]
    registry()  # the built-ins are imported once; keep them
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    monkeypatch.setattr(base, "_PLUGIN_WARNINGS", [])
    monkeypatch.setattr(base, "_LOADED", False)
    monkeypatch.setattr(base, "entry_points", lambda group=None: eps if group == "tiercli.segmenters" else [])
    monkeypatch.setattr(PluginSegmenter, "origin", PluginSegmenter.origin)
    yield
    # monkeypatch puts back the original registry objects


def test_a_broken_plugin_warns_and_is_skipped(fake_plugins):
    reg = registry()
    assert "vip_flag" in reg and reg["vip_flag"].origin == "plugin tiercli_vip:PluginSegmenter"
    assert list(reg)[:5] == ["rfm", "abc", "tier", "lifecycle", "buyer_type"]
    assert list(reg)[-1] == "vip_flag"  # built-ins first, then plugins
    warnings = base.plugin_warnings()
    assert len(warnings) == 2
    assert any("plugin broken (tiercli_broken:Seg) failed to load: ImportError" in w for w in warnings)
    assert any("notaclass" in w and "not a Segmenter" in w for w in warnings)


def test_cli_lists_a_plugin_and_warns_about_the_broken_one(fake_plugins):
    result = CliRunner().invoke(cli, ["segmenters", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["vip_flag"]["origin"] == "plugin tiercli_vip:PluginSegmenter"
    assert "failed to load" in result.stderr and "tiercli: warning: plugin broken" in result.stderr
    assert "broken" not in rows


def test_registry_is_restored_after_the_plugin_tests():
    assert "vip_flag" not in registry()
    assert not any("tiercli_broken" in w for w in base.plugin_warnings())


def test_a_plugin_segmenter_runs_in_score(fake_plugins, tmp_path):
    from tiercli.scoring import score

    result = score([ALIBABA], config=CONFIG, segmenters=["vip_flag"])
    assert [c.name for c in result.ran] == ["vip_flag"]
    assert set(result.customers["vip_flag"].dropna()) <= {"yes", "no"}
    assert any("failed to load" in n for n in result.notes)


# ---------------------------------------------------------------- tiercli segmenters

def test_segmenters_command_lists_every_segmenter():
    result = CliRunner().invoke(cli, ["segmenters"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert result.stderr == ""
    for name, cls in registry().items():
        line = next(ln for ln in result.stdout.splitlines() if f" {name} " in ln)
        assert cls.title in line and cls.origin in line
        assert cls.outputs[0] in result.stdout
    assert "requires" in result.stdout and "outputs" in result.stdout and "origin" in result.stdout
    assert "after abc" in result.stdout  # tier's dependency


def test_segmenters_command_json():
    result = CliRunner().invoke(cli, ["segmenters", "--format", "json"])
    assert result.exit_code == 0 and result.stderr == ""
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == NAMES
    for r in rows:
        cls = registry()[r["name"]]
        assert r == {"name": cls.name, "title": cls.title,
                     "requires": list(cls.requires) + [f"after {a}" for a in cls.after],
                     "outputs": list(cls.outputs), "origin": cls.origin}
    tier = next(r for r in rows if r["name"] == "tier")
    assert tier["requires"] == ["orders", "after abc"]
    assert tier["outputs"] == ["tier", "tier_upgrade", "tier_score", "tier_reason"]
