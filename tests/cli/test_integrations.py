"""What ships for CI: the composite GitHub Action, the pre-commit hook definition, and the
documented snippets (docs/ci.md, docs/configuration.md), checked against the real command line."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from auditor.cli.main import cli
from auditor.cli.scan import scan as scan_command
from tests.conftest import PROJECT

ACTION = PROJECT / "action.yml"
HOOKS = PROJECT / ".pre-commit-hooks.yaml"
CI_GATE_DOCS = (PROJECT / "docs" / "ci.md", PROJECT / "docs" / "configuration.md")


def ci_gate_section() -> str:
    """The CI gate's documentation: docs/ci.md and docs/configuration.md."""
    return "\n".join(page.read_text() for page in CI_GATE_DOCS)
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def load_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text())


def test_action_is_composite_and_references_only_declared_inputs() -> None:
    action = load_yaml(ACTION)
    assert isinstance(action, dict)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses") for s in steps if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    text = ACTION.read_text()
    referenced = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert referenced == set(action["inputs"])
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts through the environment, never pasted into the script
            assert "${{" not in step["run"], step["name"]


def _scan_formats() -> list[str]:
    scan = scan_command
    option = next(p for p in scan.params if p.name == "output_format")
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


def _scan_step() -> str:
    action = load_yaml(ACTION)
    assert isinstance(action, dict)
    return next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "scan")


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    """A ``llama-audit`` executable on PATH that runs this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "llama-audit"
    script.write_text(f"#!/bin/sh\nPYTHONPATH={shlex.quote(str(PROJECT))} "
                      f"exec {shlex.quote(sys.executable)} -m auditor \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


@pytest.mark.skipif("sarif" not in _scan_formats(),
                    reason="'scan --format sarif' is not wired into the CLI yet")
@pytest.mark.slow
def test_action_scan_step_gates_on_the_baseline(tmp_path: Path, shim: Path, run_cli,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "app.py").write_text(f'M = "{MODEL}"\n')
    monkeypatch.chdir(work)
    assert run_cli(["baseline", "."]).code == 0

    def run_step(**inputs: str) -> tuple[int, dict[str, str], str]:
        output = tmp_path / "github_output"
        output.write_text("")
        env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}",
                   GITHUB_OUTPUT=str(output), INPUT_PATHS=".",
                   INPUT_BASELINE=".llama-audit-baseline.json", INPUT_FAIL_ON="",
                   INPUT_NEW_SINCE="", INPUT_SARIF_FILE="out.sarif", INPUT_ARGS="")
        env.update(inputs)
        done = subprocess.run(["bash", "-e", "-c", _scan_step()], cwd=work, env=env,
                              capture_output=True, text=True)
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return done.returncode, outputs, done.stdout + done.stderr

    code, outputs, _ = run_step()
    assert (code, outputs) == (0, {"exit-code": "0"})
    assert (work / "out.sarif").is_file()
    (work / "new.py").write_text('N = "meta-llama/Llama-3.3-70B-Instruct"\n')
    code, outputs, log = run_step()
    assert (code, outputs) == (0, {"exit-code": "1"})  # the last step fails the job
    assert "::group::New Llama findings" in log and "new.py" in log
    code, outputs, _ = run_step(INPUT_FAIL_ON="none")
    assert outputs == {"exit-code": "0"}
    code, outputs, log = run_step(INPUT_ARGS="--no-such-option")
    assert (code, outputs) == (2, {"exit-code": "2"})
    assert "::error::llama-audit could not run (exit 2)" in log


def test_pre_commit_hook_definition() -> None:
    hooks = load_yaml(HOOKS)
    assert isinstance(hooks, list)
    [hook] = hooks
    assert hook["id"] == "llama-audit"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert shlex.split(hook["entry"])[:2] == ["llama-audit", "scan"]


def test_pre_commit_entry_runs_on_file_arguments(tmp_path: Path, run_cli,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    hook = load_yaml(HOOKS)[0]  # type: ignore[index]
    (tmp_path / ".git").mkdir()
    (tmp_path / "clean.py").write_text("x = 1\n")
    (tmp_path / "chat.py").write_text(f'M = "{MODEL}"\n')
    monkeypatch.chdir(tmp_path)
    args = shlex.split(hook["entry"])[1:]
    missing = run_cli([*args, "clean.py"])  # no baseline yet: says how to create one
    assert missing.code == 2
    assert ("baseline file .llama-audit-baseline.json does not exist; create it with "
            "'llama-audit baseline -o .llama-audit-baseline.json'") in missing.err
    (tmp_path / "known.py").write_text(f'K = "{MODEL}"\n')
    assert run_cli(["baseline", "known.py"]).code == 0
    assert run_cli([*args, "clean.py"]).code == 0
    assert run_cli([*args, "known.py"]).code == 0  # known findings pass
    assert run_cli([*args, "clean.py", "chat.py"]).code == 1  # a new one fails
    other = run_cli([*args, "chat.py", "--baseline", "none.json"])  # args override the file
    assert other.code == 2 and "none.json does not exist" in other.err


def _doc_commands() -> list[list[str]]:
    commands = []
    for line in ci_gate_section().splitlines():
        text = line.strip().lstrip("-").strip()
        for match in re.finditer(r"(?:^|run: |`)(llama-audit [^`#\n]+)", text):
            command = match.group(1).strip()
            if "$" in command:
                command = re.sub(r'"[^"]*\$[^"]*"', "REF", command)
            commands.append(shlex.split(command))
    return commands


def test_every_documented_command_uses_real_options() -> None:
    commands = _doc_commands()
    assert len(commands) >= 6
    for argv in commands:
        assert argv[0] == "llama-audit"
        command: click.Command = cli
        rest = argv[1:]
        while isinstance(command, click.Group) and rest:
            found = command.get_command(click.Context(command), rest[0])  # lazy ones too
            if found is None:
                break
            command = found
            rest = rest[1:]
        assert not isinstance(command, click.Group), argv
        known = {opt for p in command.params for opt in getattr(p, "opts", [])}
        used = {arg.split("=")[0] for arg in rest if arg.startswith("-")}
        assert used <= known, (argv, used - known)


def test_documented_config_example_is_valid(tmp_path: Path) -> None:
    from auditor.policy.config import load_config

    block = re.search(r"```toml\n(.*?)```", ci_gate_section(), re.DOTALL)
    assert block is not None
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(block.group(1))
    config = load_config(tmp_path, cwd=tmp_path)
    assert config.fail_on == "medium"
    assert [w.identifier for w in config.waiver_specs] == ["meta-llama/Llama-3.1-8B-Instruct"]


@pytest.mark.slow
def test_action_paths_input_gives_sarif_uris_from_the_repository_root(
        tmp_path: Path, shim: Path) -> None:
    work = tmp_path / "repo"
    (work / "services" / "chat").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    (work / "services" / "chat" / "app.py").write_text(f'M = "{MODEL}"\n')
    (work / "other.py").write_text(f'M = "{MODEL}"\n')
    output = tmp_path / "github_output"
    output.write_text("")
    env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}",
               GITHUB_OUTPUT=str(output), INPUT_PATHS="services/chat",
               INPUT_BASELINE="", INPUT_FAIL_ON="none", INPUT_NEW_SINCE="",
               INPUT_SARIF_FILE="out.sarif", INPUT_ARGS="")
    done = subprocess.run(["bash", "-e", "-c", _scan_step()], cwd=work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run = json.loads((work / "out.sarif").read_text())["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert uris == ["services/chat/app.py"]
    assert all((work / uri).is_file() for uri in uris)


def test_action_guards_every_array_expansion_for_bash_3() -> None:
    """bash before 4.4 (macOS runners) treats ``"${a[@]}"`` of an empty array under ``set -u``
    as an unbound variable; every expansion must be ``${a[@]+"${a[@]}"}``."""
    action = load_yaml(ACTION)
    assert isinstance(action, dict)
    scripts = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    expansions = re.findall(r'\S*"\$\{\w+\[@\]\}"', scripts)
    assert expansions and all(re.fullmatch(r'\$\{(\w+)\[@\]\+"\$\{\1\[@\]\}"', e)
                              for e in expansions), expansions


def test_action_installs_from_its_own_checkout_not_a_registry() -> None:
    action = load_yaml(ACTION)
    assert isinstance(action, dict)
    install = next(s["run"] for s in action["runs"]["steps"]
                   if s.get("name") == "Install llama-audit")
    pip_lines = [line.strip() for line in install.splitlines() if "pip install" in line]
    assert pip_lines == ['python -m pip install --disable-pip-version-check "$ACTION_PATH"']


ORG_WORKFLOW = PROJECT / ".github" / "workflows" / "llama-audit-org.yml"


@pytest.mark.slow
def test_org_workflow_scan_and_merge_steps_on_five_repositories(tmp_path: Path,
                                                                  shim: Path) -> None:
    """The reusable workflow's own scan step (once per matrix entry) and merge step, run on
    five local repositories: one merged report with five named rows."""
    workflow = load_yaml(ORG_WORKFLOW)
    assert isinstance(workflow, dict)
    scan_steps = workflow["jobs"]["scan"]["steps"]
    scan_run = next(s["run"] for s in scan_steps if s.get("id") == "scan")
    merge_run = next(s["run"] for s in workflow["jobs"]["merge"]["steps"]
                     if s.get("name") == "Merge")
    assert workflow["jobs"]["scan"]["strategy"]["matrix"]["repository"] == \
        "${{ fromJSON(inputs.repositories) }}"
    results = tmp_path / "merge-job" / "results"
    results.mkdir(parents=True)
    names = ["acme/billing", "acme/chat", "acme/search", "acme/vision", "acme/docs"]
    for number, repository in enumerate(names):
        job = tmp_path / f"job-{number}"  # a fresh runner workspace per matrix entry
        (job / "target" / "app").mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(job / "target")], check=True)
        (job / "target" / "app" / "model.py").write_text(f'M = "{MODEL}"\n' * number)
        output = job / "github_output"
        output.write_text("")
        env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}",
                   GITHUB_OUTPUT=str(output), GITHUB_WORKSPACE=str(job),
                   REPOSITORY=repository, EXTRA_ARGS="")
        done = subprocess.run(["bash", "-e", "-c", scan_run], cwd=job, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        artifact = repository.split("/")[1] + ".json"
        assert output.read_text() == f"name={repository.split('/')[1]}\n"
        (results / artifact).write_bytes((job / artifact).read_bytes())  # download-artifact
    summary = tmp_path / "summary.md"
    env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}",
               GITHUB_STEP_SUMMARY=str(summary))
    done = subprocess.run(["bash", "-e", "-c", merge_run], cwd=results.parent, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    merged = json.loads((results.parent / "llama-audit-all.json").read_text())
    assert sorted(merged["roots"]) == sorted(names)
    table = summary.read_text().split("### Repositories\n", 1)[1].split("\n\n###", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| **acme/")]
    assert sorted(row.split("|")[1].strip() for row in rows) == sorted(
        f"**{name}**" for name in names)
    assert (results.parent / "llama-audit-all.html").is_file()
    # the job summary is the capped comment form; the artifact is the whole document
    assert summary.read_text() == (results.parent / "llama-audit-summary.md").read_text()
    assert (results.parent / "llama-audit-all.md").read_text().startswith(
        "## llama-audit: 10 Llama touch-points in 4 files")
