"""Each segmenter declares its own settings (``Segmenter.options``); config gathers them from the registry,
so a plugin's ``[section]`` in tiercli.toml, its TIERCLI_* variable and ``tiercli config`` work as a
built-in's do."""

from __future__ import annotations

import pandas as pd
import pytest

from tiercli.config import DEFAULTS, Setting, all_settings, load_config
from tiercli.errors import ConfigError
from tiercli.segmenters import base
from tiercli.segmenters.base import Segmenter, registry


class Spenders(Segmenter):
    name = "spenders"
    title = "Big spenders"
    outputs = ("spenders",)
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
