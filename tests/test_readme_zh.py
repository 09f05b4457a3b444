"""README.zh-CN.md stays in step with README.md: the same quick start, commands, options and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

from tiercli.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EN = (ROOT / "README.md").read_text(encoding="utf-8")
ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def quick_start_commands(text: str, heading: str) -> list[str]:
    block = section(text, heading).split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def command_cells(text: str, heading: str) -> list[str]:
    rows = [line for line in section(text, heading).splitlines() if line.startswith("| `tiercli")]
    return [row[2:].split("` |", 1)[0] + "`" for row in rows]


def options(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", text))


def test_quick_start_is_the_same_commands():
    assert quick_start_commands(ZH, "## 快速开始") == quick_start_commands(EN, "## Quick start")


def test_commands_table_has_the_same_commands_in_the_same_order():
    en, zh = command_cells(EN, "## Commands"), command_cells(ZH, "## 命令")
    assert zh == en
    # and every command the CLI has is in both (a new command needs a line in each README)
    for name in cli.commands:
        assert any(cell.startswith(f"`tiercli {name}") for cell in en), f"README.md lacks tiercli {name}"


def test_every_option_of_the_commands_section_is_in_the_chinese_readme():
    missing = options(section(EN, "## Commands").split("\n### ", 1)[0]) - options(ZH)
    assert not missing, f"README.zh-CN.md does not mention {sorted(missing)}"


def test_exit_codes_are_the_same():
    codes = lambda text, heading: re.findall(r"^\| (\d) \|", section(text, heading), re.M)  # noqa: E731
    assert codes(ZH, "## 退出码") == codes(EN, "## Exit codes")
