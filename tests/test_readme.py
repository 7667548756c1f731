"""README.md stays true: its two opening commands, and CI runs the second one exactly."""

from __future__ import annotations

import re

from .conftest import PROJECT


def _opening_commands() -> list[str]:
    text = (PROJECT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)[:2]


def test_readme_opens_with_install_and_test_commands() -> None:
    install, test = _opening_commands()
    assert "pip install ." in install and "llama-audit scan fixtures/demo" in install
    assert '".[test]"' in test and "pytest" in test


def test_ci_runs_the_readme_test_command_exactly() -> None:
    _, test = _opening_commands()
    ci = (PROJECT / ".ci" / "run").read_text().splitlines()
    assert test in ci


def test_scan_help_matches_the_documented_options(run_cli) -> None:
    readme = (PROJECT / "README.md").read_text()
    help_text = run_cli(["scan", "--help"]).out
    for option in re.findall(r"`(--[a-z-]+)", readme.split("### `scan` options")[1]
                             .split("Default excludes")[0]):
        assert option in help_text, option
