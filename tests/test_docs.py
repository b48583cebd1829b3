"""The README stays true: its test command is the one CI runs, and every command is documented."""

from __future__ import annotations

import re

from click.testing import CliRunner

from tests.conftest import REPO
from threatwatch.cli import main

README = (REPO / "README.md").read_text("utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    install_and_run, tests = _quick_start_commands()
    makefile = (REPO / "Makefile").read_text("utf-8")
    demo = makefile.split(f"{install_and_run.split()[-1]}:", 1)[1].split("\n\n", 1)[0]
    assert "threatwatch ingest --db demo.db examples" in demo
    ci_lines = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    assert tests in ci_lines


def test_every_command_is_in_the_readme() -> None:
    for name in main.commands:
        assert f"threatwatch {name}" in README, f"README does not document `threatwatch {name}`"


def test_every_option_is_in_the_readme() -> None:
    for command in main.commands.values():
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"README does not document {command.name} {opt}"


def test_help_works_for_every_command() -> None:
    for name in main.commands:
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0
