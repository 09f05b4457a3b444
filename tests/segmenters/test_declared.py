"""Each segmenter declares its own settings (``Segmenter.options``) and its columns' headers
(``Segmenter.headers``); config and the headers gather them from the registry, so a plugin's ``[section]``
in tiercli.toml, its TIERCLI_* variable, ``tiercli config`` and its headers work as a built-in's do."""

from __future__ import annotations

import pandas as pd
import pytest

from tiercli.config import DEFAULTS, Setting, all_settings, load_config
from tiercli.errors import ConfigError
from tiercli.labels import COLUMNS
from tiercli.segmenters import base
from tiercli.segmenters.base import Segmenter, all_headers, header, registry


class Spenders(Segmenter):
    name = "spenders"
    title = "Big spenders"
    outputs = ("spenders",)
    headers = {"spenders": ("Big spender", "大买家")}
    options = (Setting("min_value", 100.0, "Big spender: net value at least this."),
               Setting("label_all", False, "Label every customer."))

    def segment(self, customers: pd.DataFrame, config) -> pd.DataFrame:
        big = customers["monetary"] >= config["spenders.min_value"]
        return pd.DataFrame({"spenders": big.map({True: "big", False: "other"})}, index=customers.index)


@pytest.fixture
def plugin():
    registry()  # built-ins first
    base.register(Spenders)
    yield Spenders
    base._REGISTRY.pop("spenders", None)


def test_every_segmenter_setting_is_named_after_its_segmenter_and_unique():
    names = [s.name for s in all_settings()]
    assert len(names) == len(set(names))
    own = [s.name for s in all_settings() if s not in DEFAULTS]
    assert own and all(n.split(".")[0] in registry() for n in own)
    assert "rfm.bins" in own and "rfm.bins" not in {s.name for s in DEFAULTS}
    # no segmenter's section is left in the general table
    assert not {s.name.split(".")[0] for s in DEFAULTS} & set(registry())


def test_a_plugin_setting_is_read_from_toml_environment_and_flags(plugin, tmp_path):
    toml = tmp_path / "tiercli.toml"
    toml.write_text("[spenders]\nmin_value = 250\n", encoding="utf-8")
    cfg = load_config(toml, env={})
    assert cfg["spenders.min_value"] == 250.0 and cfg.source["spenders.min_value"] == str(toml)
    assert cfg.section("spenders") == {"min_value": 250.0, "label_all": False}
    cfg = load_config(toml, env={"TIERCLI_SPENDERS_LABEL_ALL": "yes"})
    assert cfg["spenders.label_all"] is True
    assert cfg.with_overrides({"spenders.min_value": "7"})["spenders.min_value"] == 7.0
    toml.write_text("[spenders]\nmin_value = 'lots'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="spenders.min_value"):
        load_config(toml, env={})


def test_without_the_plugin_its_section_is_an_unknown_setting(tmp_path):
    toml = tmp_path / "tiercli.toml"
    toml.write_text("[spenders]\nmin_value = 250\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'spenders.min_value'"):
        load_config(toml, env={})


def test_tiercli_config_lists_a_plugin_setting(plugin, run_cli):
    result = run_cli("config")
    assert result.exit_code == 0
    assert "spenders.min_value = 100.0  [default]  Big spender: net value at least this." in result.stdout
    assert "rfm.bins = 5  [default]" in result.stdout


def test_every_segmenter_output_has_its_own_header_and_none_is_left_in_the_general_table():
    for cls in registry().values():
        assert set(cls.headers) == set(cls.outputs), cls.name
        assert not set(cls.headers) & set(COLUMNS), cls.name
    assert header("rfm_tier", "zh") == "RFM分级" and header("customer_id", "en") == "Customer ID"
    assert header("no_such_column", "zh") == "no_such_column"


def test_a_plugin_header_is_used_in_both_languages(plugin):
    assert header("spenders", "en") == "Big spender" and header("spenders", "zh") == "大买家"
    assert all_headers()["spenders"] == ("Big spender", "大买家")


def test_a_header_for_a_column_not_output_is_refused():
    class Stray(Segmenter):
        name = "stray"
        title = "Stray"
        outputs = ("stray",)
        headers = {"stray_score": ("Score", "分")}

    with pytest.raises(TypeError, match="stray_score"):
        base.register(Stray)
    assert "stray" not in registry()


def test_a_plugin_setting_reaches_tiercli_config_and_score_from_toml_and_environment(plugin, run_cli, monkeypatch):
    """End to end: tiercli.toml in the working folder sets one of the plugin's settings, a TIERCLI_* variable
    the other; ``tiercli config`` shows both values with where they came from, ``tiercli score`` uses them."""
    from pathlib import Path

    import pandas as pd

    toml = Path.cwd() / "tiercli.toml"
    toml.write_text("[spenders]\nmin_value = 1e12\n", encoding="utf-8")
    monkeypatch.setenv("TIERCLI_SPENDERS_LABEL_ALL", "yes")
    shown = run_cli("config")
    assert shown.exit_code == 0, shown.stderr
    assert f"spenders.min_value = 1000000000000.0  [{toml}]  Big spender: net value at least this." in shown.stdout
    assert "spenders.label_all = True  [TIERCLI_SPENDERS_LABEL_ALL]  Label every customer." in shown.stdout

    shopify = Path(__file__).resolve().parents[2] / "examples" / "shopify"
    out = Path.cwd() / "out.csv"
    scored = run_cli("score", shopify, "-o", out, "-q", "--no-history", "--segmenters", "rfm,spenders")
    assert scored.exit_code == 0, scored.stderr
    rows = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(rows) and set(rows["spenders"]) == {"other"}  # nobody spends 10^12: the toml's value was used

    toml.write_text("[spenders]\nmin_value = 0\n", encoding="utf-8")
    assert run_cli("score", shopify, "-o", out, "-q", "--no-history", "--segmenters", "spenders").exit_code == 0
    rows = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "big" in set(rows["spenders"])
