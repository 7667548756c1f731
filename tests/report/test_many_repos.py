"""Many repositories: one CI job per repository ('scan .'), then 'merge' → one report whose
first table has one named row per repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CliRun

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
SERVICES = {  # folder → (lines of app.py, requirements.txt)
    "billing": ([f'M = "{MODEL}"'], ""),
    "chat": ([f'M = "{MODEL}"', 'N = "meta-llama/Llama-3.3-70B-Instruct"'], ""),
    "search": (["x = 1"], "llama-stack-client==0.1\n"),
    "vision": (['V = "meta-llama/Llama-3.2-11B-Vision-Instruct"'], ""),
    "docs-site": (["x = 2"], ""),
}


@pytest.fixture
def jobs(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five CI jobs, each 'scan .' in its own folder of one checkout, JSON saved as artifact."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run(["git", "-C", str(checkout), "remote", "add", "origin",
                    "git@github.com:acme/platform.git"], check=True)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for name, (lines, requirements) in SERVICES.items():
        folder = checkout / "services" / name
        folder.mkdir(parents=True)
        (folder / "app.py").write_text("\n".join(lines) + "\n")
        if requirements:
            (folder / "requirements.txt").write_text(requirements)
        monkeypatch.chdir(folder)
        done: CliRun = run_cli(["scan", ".", "--format", "json", "-o",
                                str(artifacts / f"{name}.json"), "--exit-zero", "-q"])
        assert done.code == 0, done.err
    monkeypatch.chdir(tmp_path)
    return artifacts


def test_five_jobs_merge_into_one_report_with_five_named_rows(jobs: Path, run_cli) -> None:
    inputs = [str(jobs / f"{name}.json") for name in SERVICES]
    done = run_cli(["merge", *inputs, "-o", "all.json"])
    assert done.code == 0, done.err
    merged = json.loads(Path("all.json").read_text())
    names = [f"platform/services/{name}" for name in SERVICES]
    assert merged["roots"] == names
    assert [i["name"] for i in merged["root_info"]] == names
    assert {f["root"] for f in merged["findings"]} == set(names) - {names[-1]}
    markdown = run_cli(["report", "all.json", "--format", "markdown"]).out
    table = markdown.split("### Repositories\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table[0] == ("| Repository | Findings | high | medium | low | info | Models | retrain "
                        "| adapt | swap | keep | Llama licenses |")
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]
    assert [row[0] for row in rows] == [f"**{n}**" for n in names]
    assert [row[1] for row in rows] == ["1", "2", "1", "1", "0"]
    assert [row[6] for row in rows] == ["1", "2", "0", "1", "0"]
    assert rows[-1][-1] == "none"
    assert "Llama 3.1" in rows[0][-1] and "Llama 3.2" in rows[3][-1]
    text = run_cli(["report", "all.json", "--format", "text"]).out
    assert text.lstrip().startswith("Repositories")
    head = text.split("platform/services/billing/app.py", 1)[0]
    assert [line.split()[0] for line in head.splitlines() if "platform/" in line] == names
    html = run_cli(["report", "all.json", "--format", "html"]).out
    assert html.count('<tr><td><strong>platform/services/') == 5


def test_the_same_job_twice_is_refused_and_merge_name_renames(jobs: Path, run_cli) -> None:
    chat = str(jobs / "chat.json")
    done = run_cli(["merge", chat, chat])
    assert done.code == 2
    assert ("both hold a repository named 'platform/services/chat': the same result twice, "
            "or two repositories with one name") in done.err
    done = run_cli(["merge", chat, chat, "--name", "chat-eu", "--name", "chat-us"])
    assert done.code == 0, done.err
    assert json.loads(done.out)["roots"] == ["chat-eu", "chat-us"]
    done = run_cli(["merge", chat, chat, "--name", "only-one"])
    assert done.code == 2
    assert "--name was given 1 time(s) for 2 result(s)" in done.err
