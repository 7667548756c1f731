"""The CI gate end to end on a real git repository: baseline, then only new findings fail."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from auditor.discover.walk import classify
from auditor.scan.registry import scanners_for
from auditor.types import SourceFile

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
BASELINE = ".llama-audit-baseline.json"

CHAT = f'''from transformers import AutoModelForCausalLM


class Chat:
    def load(self):
        return AutoModelForCausalLM.from_pretrained("{MODEL}")


def helper():
    return 1
'''


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repository with one Llama loader and a clean requirements file, and a
    baseline of it; the working directory is the repository (as in CI)."""
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "chat.py").write_text(CHAT)
    (root / "requirements.txt").write_text("torch==2.3.1\ntransformers>=4.44\n")
    git(root, "init", "-q")
    commit_all(root, "initial")
    monkeypatch.chdir(root)
    return root


def make_baseline(run_cli) -> None:
    run = run_cli(["baseline", ".", "-o", BASELINE])
    assert run.code == 0, run.err
    assert run.err.strip() == f"wrote 1 finding(s) (1 entries in 1 file(s)) to {BASELINE}"


def gate(run_cli, *extra: str):
    run = run_cli(["scan", ".", "--baseline", BASELINE, "--format", "json", *extra])
    assert run.code in (0, 1), run.err
    data = run.json()
    by_state: dict[str, list[tuple[str, int, str]]] = {"new": [], "known": []}
    for f in data["findings"]:
        by_state[f["baseline_state"]].append((f["path"], f["line"], f["rule_id"]))
    return run, data, by_state


def test_baseline_file_records_the_findings(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    data = json.loads((repo / BASELINE).read_text())
    assert data["format"] == "llama-audit-baseline"
    assert [(e["rule_id"], e["path"], e["identifier"], e["context"], e["count"], e["lines"])
            for e in data["findings"]] == [("LA102", "app/chat.py", MODEL, "Chat.load", 1, [6])]
    run, _, states = gate(run_cli)
    assert run.code == 0
    assert states == {"new": [], "known": [("app/chat.py", 6, "LA102")]}
    assert run.err.splitlines()[1] == "policy: 0 new, 1 known"


def test_a_code_moved_20_lines_down_is_not_new(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    filler = "".join(f"SETTING_{i} = {i}\n" for i in range(20))
    text = CHAT.replace("class Chat:", filler + "class Chat:")
    (repo / "app" / "chat.py").write_text(text)
    run, _, states = gate(run_cli)
    assert states == {"new": [], "known": [("app/chat.py", 26, "LA102")]}
    assert run.code == 0


def test_reformatted_file_keeps_its_findings_known(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    reformatted = CHAT.replace(
        f'from_pretrained("{MODEL}")',
        f"from_pretrained(\n            '{MODEL}',\n        )")
    (repo / "app" / "chat.py").write_text("# header comment changed\n" + reformatted)
    plain = run_cli(["scan", ".", "--no-baseline", "--format", "json"]).json()["findings"]
    where = [(f["path"], f["line"], f["rule_id"]) for f in plain]
    assert where[0][1] in (7, 8)  # the call or its argument, whichever the scanner reports
    run, _, states = gate(run_cli)
    assert states == {"new": [], "known": where}
    assert run.code == 0


def test_b_a_second_identical_loader_is_one_new_finding(repo: Path, run_cli,
                                                        result_schema: dict) -> None:
    make_baseline(run_cli)
    line = f'        return AutoModelForCausalLM.from_pretrained("{MODEL}")\n'
    copy = f'        draft = AutoModelForCausalLM.from_pretrained("{MODEL}")\n'
    (repo / "app" / "chat.py").write_text(CHAT.replace(line, line + copy))
    run, data, states = gate(run_cli)
    jsonschema.validate(data, result_schema)
    assert states == {"new": [("app/chat.py", 7, "LA102")],
                      "known": [("app/chat.py", 6, "LA102")]}
    assert run.code == 1
    assert data["stats"]["policy"] == {"new": 1, "known": 1, "suppressed": 0, "waived": 0,
                                       "baseline_fixed": 0, "moved_files": 0}
    # the same copy added in another function is new too (scope is part of the fingerprint)
    (repo / "app" / "chat.py").write_text(CHAT.replace("return 1", f'return "{MODEL}"'))
    _, _, states = gate(run_cli)
    assert states["new"] == [("app/chat.py", 10, "LA101")]


def _requirements_are_scanned() -> bool:
    file = SourceFile(root=Path("/r"), path=Path("/r/requirements.txt"), rel="requirements.txt",
                      kind=classify("requirements.txt"), size=1)
    return bool(scanners_for(file))


@pytest.mark.skipif(not _requirements_are_scanned(),
                    reason="needs the dependency scanner (LA2xx) to read requirements files")
def test_c_a_llama_package_added_to_requirements_is_one_new(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    with (repo / "requirements.txt").open("a") as handle:
        handle.write("llama-models==0.1.0\n")
    run, _, states = gate(run_cli)
    assert states == {"new": [("requirements.txt", 3, "LA201")],
                      "known": [("app/chat.py", 6, "LA102")]}
    assert run.code == 1
    text = run_cli(["scan", ".", "--baseline", BASELINE, "--only-new"])
    assert text.code == 1
    assert "requirements.txt" in text.out and "app/chat.py" not in text.out


def test_d_new_since_reports_only_the_lines_of_the_last_commit(repo: Path, run_cli) -> None:
    (repo / "app" / "models.py").write_text(f'OLD = "{MODEL}"\n\n\nOTHER = 1\n')
    commit_all(repo, "older work")
    text = (repo / "app" / "models.py").read_text().replace(
        "OTHER = 1", 'NEW = "meta-llama/Llama-3.3-70B-Instruct"')
    (repo / "app" / "models.py").write_text(text)
    (repo / "app" / "serve.py").write_text('MODEL_ID = "meta-llama/Llama-3.2-1B"\n')
    commit_all(repo, "last commit")
    run = run_cli(["scan", ".", "--new-since", "HEAD~1", "--format", "json"])
    rows = [(f["path"], f["line"], f["rule_id"], f["baseline_state"])
            for f in run.json()["findings"]]
    assert rows == [("app/chat.py", 6, "LA102", "known"),
                    ("app/models.py", 1, "LA101", "known"),
                    ("app/models.py", 4, "LA101", "new"),
                    ("app/serve.py", 1, "LA101", "new")]
    assert run.code == 1
    only = run_cli(["scan", ".", "--new-since", "HEAD~1", "--only-new", "--format", "json"])
    assert [(f["path"], f["line"]) for f in only.json()["findings"]] == [
        ("app/models.py", 4), ("app/serve.py", 1)]
    # nothing changed since HEAD: nothing is new, the gate passes
    assert run_cli(["scan", ".", "--new-since", "HEAD", "-q"]).code == 0


def test_new_since_counts_uncommitted_and_untracked_changes(repo: Path, run_cli) -> None:
    (repo / "scratch.py").write_text(f'M = "{MODEL}"\n')
    run = run_cli(["scan", ".", "--new-since", "HEAD", "--only-new", "--format", "json"])
    assert [(f["path"], f["line"]) for f in run.json()["findings"]] == [("scratch.py", 1)]


def test_new_since_outside_git_or_with_unknown_ref_is_a_usage_error(
        repo: Path, run_cli, tmp_path: Path) -> None:
    run = run_cli(["scan", ".", "--new-since", "no-such-branch"])
    assert run.code == 2
    assert run.err.startswith("llama-audit: error: unknown git revision 'no-such-branch'")
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "a.py").write_text("x = 1\n")
    run = run_cli(["scan", str(outside), "--new-since", "HEAD"])
    assert run.code == 2
    assert run.err == (f"llama-audit: error: --new-since needs a git repository, and "
                       f"{os.path.realpath(outside)} is not inside one\n")
    assert run_cli(["scan", ".", "--new-since", "--output=x"]).code == 2


def test_renamed_file_is_matched_and_reported_as_moved(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    git(repo, "mv", "app/chat.py", "app/assistant.py")
    run, data, states = gate(run_cli)
    assert states == {"new": [], "known": [("app/assistant.py", 6, "LA102")]}
    assert run.code == 0
    [finding] = data["findings"]
    assert finding["details"]["moved_from"] == "app/chat.py"
    moved = [d for d in data["diagnostics"] if d["code"] == "baseline-moved"]
    assert [(d["path"], d["message"]) for d in moved] == [
        ("app/assistant.py", "renamed from app/chat.py with the same content; its 1 baseline "
                             "finding(s) still count as known")]


def test_fixed_findings_are_counted(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    (repo / "app" / "chat.py").write_text(CHAT.replace(MODEL, "Qwen/Qwen3.5-9B"))
    run, data, states = gate(run_cli)
    assert states == {"new": [], "known": []}
    assert data["stats"]["policy"]["baseline_fixed"] == 1
    assert "1 baseline finding(s) fixed" in run.err


def test_baseline_works_from_another_directory_and_for_single_files(
        repo: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    make_baseline(run_cli)
    line = f'        return AutoModelForCausalLM.from_pretrained("{MODEL}")\n'
    (repo / "app" / "chat.py").write_text(CHAT.replace(line, line + line))
    monkeypatch.chdir(repo / "app")
    run = run_cli(["scan", "chat.py", "--baseline", f"../{BASELINE}", "--format", "json"])
    assert [(f["path"], f["line"], f["baseline_state"]) for f in run.json()["findings"]] == [
        ("chat.py", 6, "known"), ("chat.py", 7, "new")]
    assert run.code == 1


def test_config_names_the_baseline_and_the_threshold(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    (repo / "pyproject.toml").write_text(
        '[tool.llama-audit]\nbaseline = ".llama-audit-baseline.json"\nfail-on = "medium"\n')
    (repo / "app" / "prompts.py").write_text('P = "<|begin_of_text|>{x}<|eot_id|>"\n')
    run = run_cli(["scan", ".", "--format", "json"])
    states = [(f["path"], f["rule_id"], f["severity"], f["baseline_state"])
              for f in run.json()["findings"]]
    assert states == [("app/chat.py", "LA102", "high", "known"),
                      ("app/prompts.py", "LA106", "medium", "new")]
    assert run.code == 1  # medium fails because the config says so
    assert run_cli(["scan", ".", "--fail-on", "high", "-q"]).code == 0  # the flag wins
    plain = run_cli(["scan", ".", "--no-baseline", "--format", "json"])
    assert all("baseline_state" not in f for f in plain.json()["findings"])
    assert plain.code == 1


def test_missing_or_invalid_baseline_is_a_usage_error(repo: Path, run_cli) -> None:
    run = run_cli(["scan", ".", "--baseline", "nope.json"])
    assert run.code == 2
    assert run.err == ("llama-audit: error: baseline file nope.json does not exist; create it "
                       "with 'llama-audit baseline -o nope.json'\n")
    (repo / "report.json").write_text(run_cli(["scan", ".", "--format", "json"]).out)
    run = run_cli(["scan", ".", "--baseline", "report.json"])
    assert run.code == 2
    assert "not a llama-audit baseline (this is a scan report" in run.err


def test_baseline_file_itself_is_never_scanned(repo: Path, run_cli) -> None:
    make_baseline(run_cli)
    (repo / "ci").mkdir()
    (repo / "ci" / "accepted.json").write_text((repo / BASELINE).read_text())
    (repo / "pyproject.toml").write_text('[tool.llama-audit]\nbaseline = "ci/accepted.json"\n')
    for args in ([], ["--baseline", BASELINE], ["--no-baseline"], ["--no-config"]):
        run = run_cli(["scan", ".", "--format", "json", *args])
        assert [f["path"] for f in run.json()["findings"]] == ["app/chat.py"], args
    run = run_cli(["scan", BASELINE, "app/chat.py", "--baseline", BASELINE, "--format", "json"])
    assert run.json()["roots"] == ["app/chat.py"]


def test_inline_suppression_and_unused_report_end_to_end(repo: Path, run_cli) -> None:
    text = CHAT.replace(
        f'from_pretrained("{MODEL}")',
        f'from_pretrained("{MODEL}")  # llama-audit: ignore[llama-model-loader] benchmark')
    (repo / "app" / "chat.py").write_text(text)
    (repo / "deploy.sh").write_text("# llama-audit: ignore[LA101] old server\necho hi\n")
    run = run_cli(["scan", ".", "--format", "json", "--report-unused-suppressions"])
    data = run.json()
    assert data["findings"] == []
    assert data["stats"]["policy"] == {"suppressed": 1, "waived": 0}
    assert [(d["path"], d["line"], d["code"]) for d in data["diagnostics"]] == [
        ("deploy.sh", 1, "suppression-unused")]
    assert run.code == 0
    strict = run_cli(["scan", ".", "--strict-suppressions", "-q"])
    assert strict.code == 1
    assert run_cli(["scan", ".", "--strict-suppressions", "--exit-zero", "-q"]).code == 0


def test_expired_waiver_in_config_is_reported_and_stops_applying(repo: Path, run_cli) -> None:
    (repo / ".llama-audit.toml").write_text(
        '[[waivers]]\nrule = "LA102"\npath = "app/chat.py"\nreason = "benchmark parity"\n'
        'until = 2020-01-31\n'
        '[[waivers]]\nrule = "LA102"\npath = "app/chat.py"\nreason = "still fine"\n'
        'until = 2999-01-01\n')
    run = run_cli(["scan", ".", "--format", "json"])
    assert run.json()["findings"] == []
    assert run.code == 0
    (repo / ".llama-audit.toml").write_text(
        '[[waivers]]\nrule = "LA102"\npath = "app/chat.py"\nreason = "benchmark parity"\n'
        'until = 2020-01-31\n')
    run = run_cli(["scan", ".", "--format", "json"])
    data = run.json()
    assert [(f["path"], f["rule_id"]) for f in data["findings"]] == [("app/chat.py", "LA102")]
    assert [(d["path"], d["code"], d["message"]) for d in data["diagnostics"]] == [
        (".llama-audit.toml", "waiver-expired",
         "waiver #1 (LA102 on 'app/chat.py') expired on 2020-01-31 (reason was: benchmark "
         "parity); 1 finding(s) it covered count again")]
    assert run.code == 1
    assert ("waiver #1 (LA102 on 'app/chat.py') expired on 2020-01-31" in run.err)
