"""GitLab Code Quality report: exact issues, valid against the documented format, unique
fingerprints, paths from the repository's top level."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.report.gitlab import SEVERITIES, render_gitlab
from auditor.types import AuditResult, Severity
from tests.report_samples import empty_result, sample_result

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "gitlab-codequality.schema.json")
                    .read_text())
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def issues(result: AuditResult) -> list[dict[str, Any]]:
    text = render_gitlab(result)
    data: list[dict[str, Any]] = json.loads(text)
    assert_valid(data)
    return data


def assert_valid(data: list[dict[str, Any]]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    fingerprints = [issue["fingerprint"] for issue in data]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab needs unique fingerprints"


def test_sample_issues_exactly() -> None:
    data = issues(sample_result())
    assert [(i["check_name"], i["severity"], i["location"]["path"],
             i["location"]["lines"]["begin"]) for i in data] == [
        ("LA402", "major", "LICENSE-LLAMA", 1),
        ("LA401", "major", "adapters/support-bot/adapter_config.json", 4),
        ("LA101", "critical", "app/chat.py", 3),
        ("LA102", "critical", "app/chat.py", 9),
        ("LA104", "major", "app/prompts.py", 2),
        ("LA301", "critical", "config/serve.yaml", 3),
        ("LA103", "major", "notebooks/explore.ipynb", 27),
        ("LA201", "critical", "requirements.txt", 4),
        ("LA203", "minor", "requirements.txt", 5),
    ]
    first = next(i for i in data if i["check_name"] == "LA101")
    assert first["description"] == (
        "Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B instruct) is named here. "
        "Suggested replacement: google/gemma-4-E4B-it (Gemma 4). "
        "Alternatives: Qwen/Qwen3-8B.")
    assert set(first) == {"description", "check_name", "fingerprint", "severity", "location"}


def test_severity_mapping_and_fingerprints() -> None:
    assert SEVERITIES == {Severity.INFO: "info", Severity.LOW: "minor",
                          Severity.MEDIUM: "major", Severity.HIGH: "critical"}
    result = sample_result()
    finding = replace(result.findings[0], fingerprint="abc123", severity=Severity.INFO)
    twice = replace(result, findings=(finding, replace(finding, line=7), finding))
    data = issues(twice)
    assert [i["fingerprint"] for i in data] == ["abc123", "abc123-2", "abc123-3"]
    assert [i["severity"] for i in data] == ["info"] * 3


def test_empty_result_is_an_empty_array() -> None:
    assert render_gitlab(empty_result()) == "[]\n"
    assert issues(empty_result()) == []


def test_deterministic() -> None:
    assert render_gitlab(sample_result()) == render_gitlab(sample_result())


def test_cli_subfolder_scan_paths_resolve_from_the_repository_root(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "widget"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copytree(DEMO, repo / "services" / "demo")
    monkeypatch.chdir(repo / "services")
    done = run_cli(["scan", "demo", "--format", "gitlab", "-q",
                    "--gitlab-output", str(tmp_path / "extra.json")])
    assert done.code == 1, done.err
    data: list[dict[str, Any]] = json.loads(done.out)
    assert_valid(data)
    assert (tmp_path / "extra.json").read_text() == done.out
    assert len(data) == 24  # with the README code block (LA305, info)
    for issue in data:
        assert issue["location"]["path"].startswith("services/demo/")
        assert (repo / issue["location"]["path"]).is_file()
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in data if i["check_name"] in ("LA201", "LA203", "LA302")] == [
        ("LA302", "services/demo/deploy/Dockerfile", 2),
        ("LA203", "services/demo/requirements.txt", 8),
        ("LA201", "services/demo/requirements.txt", 9),
    ]
    assert {i["severity"] for i in data} == {"major", "critical", "minor", "info"}
    # the saved JSON result re-rendered by `report` gives the same report
    saved = tmp_path / "result.json"
    assert run_cli(["scan", "demo", "--format", "json", "-o", str(saved), "-q"]).code == 1
    again = run_cli(["report", str(saved), "--format", "gitlab"])
    assert again.code == 0, again.err
    assert again.out == done.out
