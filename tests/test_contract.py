"""The segmenter contract, checked over every registered segmenter (scikit-learn check_estimator style).

Parametrized over ``registry()``, so built-ins added later and installed plugins are covered without
touching this file.  Each segmenter gets a realistic customers frame (examples/alibaba through
build_customers) with the segmenters it runs ``after`` already applied.
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
from tiercli.features import build_customers, resolve_as_of
from tiercli.schema.dataset import load_dataset
from tiercli.segmenters import base
from tiercli.segmenters.base import Segmenter, SegmenterSkipped, registry

ROOT = Path(__file__).resolve().parents[1]
ALIBABA = ROOT / "examples" / "alibaba"
CONFIG = load_config(None, env={})
NAMES = list(registry())
KINDS = ("orders", "inquiries", "events", "after_sales", "customers")


EXAMPLES = {"alibaba": ALIBABA, "shopify": ROOT / "examples" / "shopify"}
_CACHE: dict[str, tuple[pd.DataFrame, set[str]]] = {}


def realistic(source: str) -> tuple[pd.DataFrame, set[str]]:
    """(customers frame from build_customers, the canonical tables present) for an example export."""
    if source not in _CACHE:
        ds = load_dataset([EXAMPLES[source]], CONFIG)
        _CACHE[source] = (build_customers(ds, resolve_as_of(None, ds), CONFIG), {k for k in KINDS if ds.has(k)})
    return _CACHE[source]


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return realistic("alibaba")[0]


@pytest.fixture(scope="module")
def available() -> set[str]:
    return realistic("alibaba")[1]


def prepared(name: str, customers: pd.DataFrame, available: set[str]) -> tuple[type[Segmenter], pd.DataFrame]:
    """The segmenter class and ``customers`` with its dependencies applied (skip when the data lacks its input)."""
    chosen = base.select([name], available)
    if name in chosen.skipped:
        pytest.skip(f"{name}: {chosen.skipped[name]} (not in examples/alibaba)")
    *deps, cls = chosen.run
    assert cls.name == name and all(d.name != name for d in deps)
    skipped: dict[str, str] = {}
    frame = base.run(customers, CONFIG, deps, skipped=skipped)
    if skipped:
        pytest.skip(f"{name}: a dependency was skipped: {skipped}")
    return cls, frame


def label_codes(cls: type[Segmenter]) -> dict[str, set[str]]:
    codes = {cls.name: set(cls.labels)}
    codes.update({col: set(lab) for col, lab in cls.extra_labels.items()})
    return codes


def segment_or_skip(cls, frame):
    """Call segment; SegmenterSkipped is the contract's way to say "cannot fit on this data"."""
    try:
        return cls().segment(frame, CONFIG)
    except SegmenterSkipped as why:
        assert str(why), "a skipped segmenter says why"
        return None


# ---------------------------------------------------------------- the registry itself

def test_registry_holds_the_built_ins_in_display_order():
    assert NAMES[:5] == ["rfm", "abc", "tier", "lifecycle", "buyer_type"]


@pytest.mark.parametrize("name", NAMES)
def test_declaration(name):
    cls = registry()[name]
    assert cls.name == name and cls.title
    assert name in cls.outputs and len(set(cls.outputs)) == len(cls.outputs)
    others = [o for o in cls.outputs if o != name]
    assert all(o.startswith(name + "_") for o in others), "details are named X_*"
    assert cls.labels, "a label column has codes"
    for col in cls.extra_labels:
        assert col in cls.outputs
    for dep in cls.after:
        assert dep in registry()
    assert {t for r in cls.requires for t in r.split("|")} <= set(KINDS)  # "a|b": any of them (base.select)
    # what tiercli backtest holds it to: only its own label columns, codes and score columns
    codes = {name: set(cls.labels), **{c: set(v) for c, v in cls.extra_labels.items()}}
    assert cls.predicts in ("buying", "spend")
    for col, order in cls.ranks.items():
        assert col in codes and set(order) <= codes[col] and len(order) >= 2
    for col, pairs in cls.pairs.items():
        assert col in codes and all({better, worse} <= codes[col] for better, worse in pairs)
    assert set(cls.scores) <= set(cls.outputs) and set(cls.value_scores) <= set(cls.outputs)
    assert set(cls.differs) <= set(codes), "differs names its own label columns"
    assert not cls.opt_in or cls.opt_in in load_config(None, env={}).values, "opt_in names a setting"


# ---------------------------------------------------------------- check_estimator

@pytest.mark.parametrize("source", list(EXAMPLES))
@pytest.mark.parametrize("name", NAMES)
def test_contract_on_a_realistic_frame(name, source):
    cls, frame = prepared(name, *realistic(source))
    before = frame.copy(deep=True)
    try:
        out = cls().segment(frame, CONFIG)
    except SegmenterSkipped as why:  # a model that does not fit this example; the other one covers it
        pd.testing.assert_frame_equal(frame, before)
        pytest.skip(f"{name} on {source}: {why}")

    assert isinstance(out, pd.DataFrame)
    assert out.columns.is_unique
    assert set(out.columns) == set(cls.outputs), "exactly its declared outputs, all of them"
    assert out.index.equals(frame.index), "same index, same order"
    pd.testing.assert_frame_equal(frame, before)  # input untouched

    again = cls().segment(frame, CONFIG)
    pd.testing.assert_frame_equal(out, again)  # deterministic

    for col, codes in label_codes(cls).items():
        seen = set(out[col].dropna().astype(str))
        assert seen <= codes, f"{col}: undeclared codes {seen - codes}"
    assert out[name].notna().any(), "labels someone in a realistic dataset"

    # through the engine: other columns kept and unchanged, outputs added
    tagged = base.run(frame, CONFIG, [cls])
    kept = [c for c in frame.columns if c not in cls.outputs]
    pd.testing.assert_frame_equal(tagged[kept], frame[kept])
    assert set(cls.outputs) <= set(tagged.columns)


@pytest.mark.parametrize("name", NAMES)
def test_zero_customers(name, features, available):
    cls, frame = prepared(name, features.iloc[:0], available)
    out = segment_or_skip(cls, frame)
    if out is not None:
        assert len(out) == 0 and set(out.columns) == set(cls.outputs)


@pytest.mark.parametrize("who", ["buyer", "lead"])
@pytest.mark.parametrize("name", NAMES)
def test_one_customer(name, who, features, available):
    pick = features["frequency"] > 0 if who == "buyer" else features["frequency"] == 0
    one = features[pick].iloc[:1]
    assert len(one) == 1
    cls, frame = prepared(name, one, available)
    before = frame.copy(deep=True)
    out = segment_or_skip(cls, frame)
    pd.testing.assert_frame_equal(frame, before)
    if out is not None:
        assert out.index.equals(frame.index) and set(out.columns) == set(cls.outputs)
        for col, codes in label_codes(cls).items():
            assert set(out[col].dropna().astype(str)) <= codes


@pytest.mark.parametrize("name", NAMES)
def test_result_does_not_depend_on_row_order(name, features, available):
    cls, frame = prepared(name, features, available)
    shuffled = frame.sample(frac=1.0, random_state=7)
    a = segment_or_skip(cls, frame)
    b = segment_or_skip(cls, shuffled)
    if a is None or b is None:
        return
    assert b.index.equals(shuffled.index)
    label_cols = list(label_codes(cls))
    pd.testing.assert_frame_equal(b.loc[frame.index, label_cols], a[label_cols])


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
