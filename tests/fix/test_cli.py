"""``llama-audit fix`` end to end: the demo migration, the dirty-tree guard, exit codes."""

from __future__ import annotations

import ast
import stat
from pathlib import Path

from auditor.scan.runner import ScanOptions, scan_paths
from auditor.types import Effort
from tests.fix_helpers import (
    BEDROCK_OVERRIDE,
    DEMO,
    FIX_DATA,
    copy_tree,
    git,
    git_repo,
    run_fix,
    snapshot,
)


def _swaps(root: Path) -> list[tuple[str, int, str]]:
    # what fix migrates without --include-docs: documentation code blocks are left out
    result = scan_paths([root], ScanOptions(include_docs=False))
    return [(f.path, f.line, f.rule_id) for f in result.findings if f.effort is Effort.SWAP]


def test_demo_write_then_scan_leaves_no_swap_findings(tmp_path: Path) -> None:
    root = git_repo(copy_tree(DEMO, tmp_path / "demo"))
    assert _swaps(root) == [
        ("chatbot/backends.py", 18, "LA102"), ("chatbot/backends.py", 19, "LA102"),
        ("chatbot/backends.py", 35, "LA102"), ("chatbot/backends.py", 45, "LA102"),
        ("chatbot/settings.py", 5, "LA101"), ("chatbot/settings.py", 6, "LA101"),
        ("chatbot/settings.py", 7, "LA101"), ("deploy/Dockerfile", 2, "LA302"),
        ("deploy/settings.yaml", 5, "LA301"), ("deploy/settings.yaml", 6, "LA301")]
    run = run_fix([".", "--write", "--model", BEDROCK_OVERRIDE], root)
    assert run.code == 0, run.err
    assert _swaps(root) == []
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))
    settings = (root / "chatbot" / "settings.py").read_text(encoding="utf-8")
    assert 'os.environ.get("SUPPORT_BOT_MODEL", "google/gemma-4-E4B-it")' in settings
    assert 'BEDROCK_MODEL_ID = "qwen.qwen3-235b-a22b-2507-v1:0"' in settings
    assert "llama-models" not in (root / "requirements.txt").read_text(encoding="utf-8")
    assert "ollama pull gemma4:e4b" in (root / "deploy" / "Dockerfile").read_text(
        encoding="utf-8")
    manual = run.err.split("Manual steps (9):\n", 1)[1].split("Kept as they are", 1)[0].split(
        "Warnings:", 1)[0].splitlines()
    assert [line.split()[:2] for line in manual] == [
        ["chatbot/backends.py:13:16", "LA107"], ["chatbot/backends.py:13:24", "LA107"],
        ["chatbot/moderation.py:9:17", "LA102"], ["chatbot/moderation.py:10:13", "LA102"],
        ["chatbot/prompts.py:7:14", "LA106"], ["chatbot/prompts.py:9:19", "LA106"],
        ["chatbot/prompts.py:10:15", "LA106"], ["chatbot/prompts.py:11:12", "LA106"],
        ["chatbot/settings.py:8:15", "LA101"]]
    # a guard model is adapt work: its replacement answers in another format (rules/tasks.toml)
    assert ("'meta-llama/Llama-Guard-3-8B' is a guard model (safety classifier): its replacement "
            "answers in another format" in run.err)
    assert "Qwen3Guard answers 'Safety: Safe|Unsafe|Controversial'" in run.err
    assert "After the rewrite the scan finds 10 finding(s), 0 of them swaps:" in run.err
    again = run_fix([".", "--model", BEDROCK_OVERRIDE], root)
    assert (again.code, again.out) == (0, "")


def test_demo_without_a_bedrock_id_exits_1_and_says_why(tmp_path: Path) -> None:
    root = git_repo(copy_tree(DEMO, tmp_path / "demo"))
    run = run_fix([".", "--write"], root)
    assert run.code == 1
    assert _swaps(root) == [("chatbot/backends.py", 55, "LA102"),
                            ("chatbot/settings.py", 14, "LA101")]
    settings = (root / "chatbot" / "settings.py").read_text(encoding="utf-8").splitlines()
    assert settings[6] == ("# llama-audit: todo[LA101] the Llama model named here was not "
                           "replaced: bedrock does not")
    assert settings[10:13] == [
        "#   bedrock id to write. Nearest runtimes that serve these models: their Hugging Face ids",
        "#   (vLLM, TGI, SGLang, Inference Endpoints) or Ollama/GGUF builds. Check bedrock's "
        "current",
        "#   model list first. Rewrite it with: llama-audit fix --write --model OLD=NEW"]
    assert settings[13] == 'BEDROCK_MODEL_ID = "us.meta.llama3-3-70b-instruct-v1:0"'
    assert "Not replaced (swaps that need your decision) (2):" in run.err
    # the re-scan counts them as scan does: adapt work, with what to decide
    assert ("After the rewrite the scan finds 12 finding(s), 0 of them swaps; 2 model "
            "reference(s) left for your decision (\"Not replaced\"):") in run.err.splitlines()
    adapt = run.err[run.err.index("  adapt (11):"):].splitlines()
    assert ("    chatbot/backends.py:55:20  LA102  AWS Bedrock runtime loads Llama model "
            "'us.meta.llama3-3-70b-instruct-v1:0' (Llama 3.3 70B instruct)") in adapt
    assert "swap (" not in run.err


def test_dry_run_is_the_default_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_tree(DEMO, tmp_path / "demo")
    before = snapshot(root)
    run = run_fix(["."], root)
    assert run.code == 0
    assert run.out.startswith("--- a/chatbot/backends.py\n+++ b/chatbot/backends.py\n")
    assert "dry run, nothing written (add --write to apply the diff)" in run.err
    assert snapshot(root) == before


def test_refuses_to_write_over_uncommitted_changes(tmp_path: Path) -> None:
    root = git_repo(copy_tree(DEMO, tmp_path / "demo"))
    settings = root / "chatbot" / "settings.py"
    settings.write_text(settings.read_text(encoding="utf-8") + "# local edit\n",
                        encoding="utf-8")
    before = snapshot(root)
    run = run_fix([".", "--write"], root)
    assert run.code == 2
    assert "refusing to write: 1 file(s) have uncommitted changes" in run.err
    assert "chatbot/settings.py" in run.err
    assert snapshot(root) == before
    allowed = run_fix([".", "--write", "--allow-dirty"], root)
    assert allowed.code == 1
    assert "google/gemma-4-E4B-it" in settings.read_text(encoding="utf-8")


def test_untracked_files_count_as_uncommitted(tmp_path: Path) -> None:
    root = git_repo(copy_tree(FIX_DATA / "config_files" / "input", tmp_path / "repo"))
    (root / "new.yaml").write_text("model: meta-llama/Llama-3.1-8B-Instruct\n",
                                   encoding="utf-8")
    run = run_fix([".", "--write", "--model",
                   "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B"], root)
    assert run.code == 2
    assert "new.yaml" in run.err


def test_uncommitted_files_that_are_not_rewritten_do_not_block(tmp_path: Path) -> None:
    root = git_repo(copy_tree(FIX_DATA / "infra_files" / "input", tmp_path / "repo"))
    (root / "notes.txt").write_text("work in progress\n", encoding="utf-8")
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    assert git(root, "status", "--porcelain").splitlines() == [
        " M Modelfile", " M compose.yaml", " M deploy/Dockerfile", " M serve.sh",
        "?? notes.txt"]


def test_outside_git_needs_allow_dirty(tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / "infra_files" / "input", tmp_path / "plain")
    before = snapshot(root)
    run = run_fix([".", "--write"], root)
    assert run.code == 2
    assert "is not inside a git work tree; pass --allow-dirty" in run.err
    assert snapshot(root) == before
    assert run_fix([".", "--write", "--allow-dirty"], root).code == 0
    assert snapshot(root) != before


def test_write_keeps_file_modes_and_line_breaks(tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / "config_files" / "input", tmp_path / "repo")
    ini = root / "settings.ini"
    ini.chmod(0o640)
    run = run_fix([".", "--write", "--allow-dirty", "--model",
                   "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B"], root)
    assert run.code == 0
    assert ini.read_bytes() == b"[model]\r\nname = Qwen/Qwen3.5-9B\r\n"
    assert stat.S_IMODE(ini.stat().st_mode) == 0o640
    assert not list(root.rglob("*.llama-audit-tmp"))


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / "config_files" / "input", tmp_path / "repo")
    cases = {
        ("--model", "llama3.1:8b"): "write OLD=NEW",
        ("--model", "llama3.1:8b=meta-llama/Llama-3.2-3B-Instruct"): "is itself a Llama model",
        ("--model", "llama3.1:8b=a b"): "must not contain spaces",
        ("--to", "llama"): "Invalid value for '--to'",
        ("missing-dir",): "path does not exist",
    }
    for args, message in cases.items():
        run = run_fix([".", *args] if args[0].startswith("--") else list(args), root)
        assert run.code == 2, args
        assert message in run.err, (args, run.err)


def test_an_override_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / "config_files" / "input", tmp_path / "repo")
    run = run_fix([".", "--model", "llama3.3:70b=qwen3.5:27b", "--model",
                   "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B", "--model",
                   "llama3.1:8b=qwen3.5:9b"], root)
    assert run.code == 0
    assert "  --model llama3.3:70b=...: no finding has this identifier" in run.err


def test_config_prefer_and_exclude_apply(tmp_path: Path) -> None:
    root = copy_tree(DEMO, tmp_path / "demo")
    (root / ".llama-audit.toml").write_text('prefer = "qwen"\nexclude = ["deploy/"]\n',
                                            encoding="utf-8")
    run = run_fix(["."], root)
    assert run.code == 0, run.err
    assert '+HF_MODEL_ID = os.environ.get("SUPPORT_BOT_MODEL", "Qwen/Qwen3.5-9B")' in run.out
    assert "deploy/" not in run.out
    ignored = run_fix([".", "--no-config", "--to", "mistral"], root)
    assert "mistralai/Ministral-3-8B-Instruct-2512" in ignored.out
    assert "b/deploy/settings.yaml" in ignored.out


def test_binary_model_files_are_listed_not_rewritten(tmp_path: Path) -> None:
    from auditor.ruleset.load import load_ruleset

    root = tmp_path / "models"
    root.mkdir()
    header = load_ruleset().rule("LA405").match[0].encode("utf-8")
    (root / "model.gguf").write_bytes(header)
    run = run_fix([".", "--write", "--allow-dirty"], root)
    assert run.code == 1
    assert run.out == ""
    line = next(x for x in run.err.splitlines() if x.startswith("  model.gguf:1:1  LA405"))
    assert line.startswith("  model.gguf:1:1  LA405  a model artefact cannot be rewritten: "
                           "replace the file")
    assert "google/gemma-4-E4B-it" in line
    assert (root / "model.gguf").read_bytes() == header


def test_ignored_files_reached_with_no_gitignore_count_as_uncommitted(tmp_path: Path) -> None:
    """``--no-gitignore`` scans ignored files; git cannot restore them, so ``--write`` needs
    ``--allow-dirty`` for them as for untracked ones (an ignored file and an ignored
    directory)."""
    root = copy_tree(FIX_DATA / "config_files" / "input", tmp_path / "repo")
    (root / ".gitignore").write_text("local.yaml\ngenerated/\n", encoding="utf-8")
    git_repo(root)
    (root / "local.yaml").write_text("model: meta-llama/Llama-3.1-8B-Instruct\n",
                                     encoding="utf-8")
    (root / "generated").mkdir()
    (root / "generated" / "g.yaml").write_text("model: meta-llama/Llama-3.1-8B-Instruct\n",
                                               encoding="utf-8")
    swap = ["--model", "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B"]
    before = snapshot(root)
    run = run_fix([".", "--write", "--no-gitignore", *swap], root)
    assert run.code == 2
    assert "refusing to write: 2 file(s) have uncommitted changes" in run.err
    assert "local.yaml" in run.err and "generated/g.yaml" in run.err
    assert snapshot(root) == before
    assert run_fix([".", "--write", *swap], root).code != 2  # without: not reached at all
    allowed = run_fix([".", "--write", "--no-gitignore", "--allow-dirty", *swap], root)
    assert allowed.code != 2, allowed.err
    assert "Qwen/Qwen3.5-9B" in (root / "local.yaml").read_text(encoding="utf-8")


def test_a_file_name_of_250_bytes_does_not_abort_the_write(tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / "config_files" / "input", tmp_path / "repo")
    long_name = "m" * 245 + ".yaml"
    (root / long_name).write_text("model: meta-llama/Llama-3.1-8B-Instruct\n",
                                  encoding="utf-8")
    git_repo(root)
    run = run_fix([".", "--write", "--model",
                   "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B"], root)
    assert run.code != 2, run.err
    assert (root / long_name).read_text(encoding="utf-8") == "model: Qwen/Qwen3.5-9B\n"
    assert git(root, "status", "--porcelain", "--untracked-files=all").count("??") == 0
