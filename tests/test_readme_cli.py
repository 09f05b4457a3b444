"""Every command and every option of the CLI is in the READMEs, said of the commands that take it.

The click group in tiercli.cli is walked (subcommands of subgroups too, and the group's own options).  In a
README's commands section each table row, list item and paragraph is one passage; a passage is about the
commands it names (`tiercli NAME` or `NAME` in backticks).  For every command, each of its option names
(``-o`` and ``--output`` alike) must be in a passage about it, and ``-h``/``--help`` and the group's own
options must be in the section.  The other way round, an option named in a list item of the options list
must be one that every command the item names really takes, so the list cannot claim an option a command lacks.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tiercli.cli import cli

ROOT = Path(__file__).resolve().parents[1]
READMES = {"README.md": "## Commands", "README.zh-CN.md": "## 命令"}


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> dict[str, click.Command]:
    """Every command under ``group`` by its full name ("plan-emails", or "sub leaf" for a subgroup's)."""
    out = {}
    for name, command in group.commands.items():
        out[" ".join((*prefix, name))] = command
        if isinstance(command, click.Group):
            out.update(walk(command, (*prefix, name)))
    return out


def option_names(command: click.Command, *, with_help: bool = False) -> set[str]:
    ctx = click.Context(command, info_name=command.name, parent=ROOT_CONTEXT)  # -h comes from the group's settings
    params = command.get_params(ctx) if with_help else command.params
    return {name for p in params if isinstance(p, click.Option) for name in (*p.opts, *p.secondary_opts)}


ROOT_CONTEXT = click.Context(cli, info_name="tiercli", **cli.context_settings)
COMMANDS = walk(cli)
HELP = set(cli.get_help_option(ROOT_CONTEXT).opts)
GLOBAL = option_names(cli) - HELP


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def passages(text: str) -> list[str]:
    """Table rows, list items (with their indented continuation lines) and paragraphs."""
    out: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        in_row = bool(current) and current[0].startswith("|")
        if current and not in_row and line.strip() and not line.startswith(("|", "- ", "#")):
            current.append(line)  # the next line of a paragraph or list item
            continue
        if current:
            out.append("\n".join(current))
        current = [line] if line.strip() else []
    if current:
        out.append("\n".join(current))
    return out


def named_commands(passage: str) -> set[str]:
    spans = re.findall(r"`([^`]+)`", passage)
    names = set()
    for span in spans:
        words = span.split()
        if words and words[0] == "tiercli":
            words = words[1:]
        for n in (2, 1):
            name = " ".join(words[:n])
            if name in COMMANDS and (n == 1 or " " in name):
                names.add(name)
                break
    return names


def mentions(passage: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", passage) is not None


@pytest.fixture(scope="module", params=list(READMES))
def commands_section(request) -> tuple[str, str]:
    text = (ROOT / request.param).read_text(encoding="utf-8")
    return request.param, section(text, READMES[request.param])


def test_the_walk_finds_the_commands_and_their_options():
    assert {"score", "plan-emails", "calendar", "backtest"} <= set(COMMANDS)
    assert {"-o", "--output", "--quota", "--record"} <= option_names(COMMANDS["plan-emails"])
    assert GLOBAL >= {"--debug", "--log", "--version"} and HELP == {"-h", "--help"}


def test_every_command_has_a_row_in_the_commands_table(commands_section):
    readme, text = commands_section
    rows = [p for p in passages(text) if p.startswith("| `tiercli ")]
    missing = [name for name in COMMANDS if not any(p.startswith(f"| `tiercli {name}") for p in rows)]
    assert not missing, f"{readme}'s commands table has no row for {missing}"


def test_every_option_of_every_command_is_said_of_that_command(commands_section):
    readme, text = commands_section
    about = [(named_commands(p), p) for p in passages(text)]
    missing = sorted(f"{name} {option}" for name, command in COMMANDS.items() for option in option_names(command)
                     if not any(name in names and mentions(p, option) for names, p in about))
    assert not missing, f"{readme} does not say these options of these commands: {missing}"


def test_the_global_and_help_options_are_in_the_commands_section(commands_section):
    readme, text = commands_section
    missing = sorted(option for option in GLOBAL | HELP if not mentions(text, option))
    assert not missing, f"{readme}'s commands section does not name {missing}"


def test_the_options_list_names_no_option_a_command_lacks(commands_section):
    readme, text = commands_section
    wrong = []
    for p in passages(text):
        if not p.startswith("- "):
            continue
        said = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", " ".join(re.findall(r"`([^`]+)`", p))))
        names = named_commands(p)
        for name in names:
            wrong += [f"{name} {o}" for o in sorted(said - option_names(COMMANDS[name], with_help=True) - GLOBAL)]
        if not names:
            wrong += [f"tiercli {o}" for o in sorted(said - GLOBAL - HELP)]
    assert not wrong, f"{readme}'s options list names options these commands do not take: {wrong}"
    assert any(p.startswith("- ") and named_commands(p) for p in passages(text)), f"{readme} has no options list"
