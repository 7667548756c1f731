"""README.md stays true and short: what the tool is, its two opening commands (CI runs the
second one exactly), the three uses, the commands table and links into docs/."""

from __future__ import annotations

import re
import shlex
import sys

from .conftest import PROJECT
from .docs_helpers import load_usage_generator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

README = PROJECT / "README.md"
MAX_README_BYTES = 15_000


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _opening_commands() -> list[str]:
    """The fenced ``bash`` blocks before the first second-level heading."""
    opening = _readme().split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", opening, flags=re.S)


def test_readme_opens_with_install_and_test_commands() -> None:
    text = _readme()
    intro = text.split("```", 1)[0]
    assert intro.startswith("# llama-audit\n\n")
    assert "Llama" in intro and "replacement" in intro, "say what the tool is before any command"
    commands = _opening_commands()
    assert len(commands) == 2, commands
    install, test = commands
    assert "pip install ." in install and "llama-audit scan fixtures/demo" in install
    assert '".[test]"' in test and "pytest" in test
    assert all("\n" not in command for command in commands), "one line each, to copy and paste"


def test_ci_runs_the_readme_test_command_exactly() -> None:
    _, test = _opening_commands()
    ci = (PROJECT / ".ci" / "run").read_text().splitlines()
    runs_pytest = [line for line in ci if "pytest" in line and not line.startswith("#")]
    assert runs_pytest == [test]


def test_readme_install_command_installs_the_script_it_runs() -> None:
    install, _ = _opening_commands()
    steps = [shlex.split(step) for step in install.split("&&")]
    assert steps[0] == ["python3", "-m", "venv", ".venv"]
    assert steps[1] == [".venv/bin/pip", "install", "."]
    script = steps[2][0]
    assert script.startswith(".venv/bin/")
    scripts = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["scripts"]
    assert script.removeprefix(".venv/bin/") in scripts
    assert (PROJECT / steps[2][-1]).is_dir()


def test_readme_demo_command_finds_the_demo_findings(run_cli, monkeypatch) -> None:
    """The demo scan works from the clone's root and exits 1, as the README says."""
    install, _ = _opening_commands()
    argv = shlex.split(install.split("&&")[2])[1:]
    monkeypatch.chdir(PROJECT)
    result = run_cli(argv)
    assert result.code == 1
    assert "exits 1" in _readme()
    assert {"LA101", "LA102", "LA302"} <= set(re.findall(r"\bLA\d{3}\b", result.out))


def test_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size <= MAX_README_BYTES, f"README.md is {size} bytes; move reference text to docs/"


def test_readme_sections_in_order() -> None:
    headings = re.findall(r"^## (.+)$", _readme(), flags=re.M)
    wanted = ["Three uses", "Commands", "Documentation"]
    assert [h for h in headings if h in wanted] == wanted
    uses = _readme().split("## Three uses", 1)[1].split("\n## ", 1)[0]
    for who in ("**A team before a migration**", "**A CI job**", "**A consultant**"):
        assert who in uses, who


def test_commands_table_lists_every_command() -> None:
    generator = load_usage_generator()
    run = generator.entry_point()
    commands = generator.subcommands(generator.help_text(run, ()))
    table = _readme().split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| \[`llama-audit ([a-z]+)", table, flags=re.M)
    assert sorted(listed) == sorted(commands)


def test_readme_names_no_module_inside_the_package() -> None:
    """Module paths inside ``auditor`` move; the README speaks of behaviour."""
    assert re.findall(r"auditor[./][a-z_]", _readme()) == []


def test_readme_links_contributing() -> None:
    """CONTRIBUTING.md (how to add a rule, a provider, a package, a file kind) is linked."""
    assert "](CONTRIBUTING.md)" in _readme()


def test_library_example_runs_and_agrees_with_scan() -> None:
    import json
    import subprocess

    section = _readme().split("## Use it as a library", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.+?)\n```", section, flags=re.S)
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True,
                         text=True, timeout=120, check=True)
    printed = run.stdout.splitlines()
    assert printed[-1] == "gate failed: True"
    scan = subprocess.run([sys.executable, "-m", "auditor", "scan", "fixtures/demo", "--format",
                           "json", "--no-cache"], cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)
    findings = json.loads(scan.stdout)["findings"]
    assert printed[:-1] == [f"{f['path']} {f['line']} {f['rule_id']} {f['identifier']}"
                            for f in findings]
