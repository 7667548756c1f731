"""The small app with one Llama id per hosted provider: scan, plan, ``fix --write``, re-scan.

Each module of ``fixtures/providers/app`` calls one provider with its own SDK call shape. Where
the provider's own model list (as read for the catalog, docs/replacements.md) names a fitting
Gemma, Qwen or Mistral model, ``fix`` writes that provider's id, with any LiteLLM route prefix
kept; where it does not, the id is left with the reason, the plan says "does not list" and
names the nearest runtimes, and the re-scan still finds it.
"""

from __future__ import annotations

import json
from pathlib import Path

import tomllib
from click.testing import CliRunner

from auditor.cli.main import cli
from tests.fix_helpers import copy_tree, git_repo, run_fix

APP = Path(__file__).resolve().parents[2] / "fixtures" / "providers"

SWAPPED = [
    ("app/azure_app.py", 8, "azure_ai/Meta-Llama-3.1-405B-Instruct", "azure_ai/Mistral-Large-3"),
    ("app/cloudflare_app.py", 15, "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
     "@cf/google/gemma-4-26b-a4b-it"),
    ("app/groq_app.py", 10, "llama-3.3-70b-versatile", "qwen/qwen3.6-27b"),
    ("app/nvidia_nim_app.py", 12, "meta/llama-3.1-70b-instruct",
     "mistralai/mistral-medium-3-5-128b"),
    ("app/openrouter_app.py", 8, "openrouter/meta-llama/llama-3.3-70b-instruct",
     "openrouter/mistralai/mistral-medium-3-5"),
    ("app/vertex_app.py", 16, "meta/llama-3.3-70b-instruct-maas",
     "google/gemma-4-26b-a4b-it-maas"),
]

LEFT = [
    ("app/bedrock_app.py", 10, "meta.llama3-3-70b-instruct-v1:0", "bedrock"),
    ("app/fireworks_app.py", 10, "accounts/fireworks/models/llama-v3p3-70b-instruct", "fireworks"),
    ("app/together_app.py", 10, "meta-llama/Llama-3.3-70B-Instruct-Turbo", "together"),
]

CANDIDATES_70B = ("google/gemma-4-31B-it, google/gemma-4-26B-A4B-it, Qwen/Qwen3.5-122B-A10B, "
                  "Qwen/Qwen3.6-27B, mistralai/Mistral-Small-4-119B-2603 or "
                  "mistralai/Mistral-Medium-3.5-128B")


def _why_left(provider: str) -> str:
    return (f"{provider} does not list {CANDIDATES_70B} on the model list the catalog read, so "
            f"there is no {provider} id to write. Nearest runtimes that serve these models: "
            "their Hugging Face ids (vLLM, TGI, SGLang, Inference Endpoints) or Ollama/GGUF "
            f"builds. Check {provider}'s current model list first")


def _scan(root: Path) -> list[tuple[str, int, str, str, str | None]]:
    result = CliRunner().invoke(cli, ["scan", str(root), "--format", "json", "--exit-zero",
                                      "-q"])
    assert result.exit_code == 0, result.output
    return sorted((f["path"], f["line"], f["identifier"], f["effort"],
                   (f.get("suggestions") or [{}])[0].get("runtime_name"))
                  for f in json.loads(result.stdout)["findings"])


def test_scan_plan_fix_rescan_on_the_one_id_per_provider_app(tmp_path: Path) -> None:
    root = git_repo(copy_tree(APP, tmp_path / "providers"))

    # scan: every provider id is a model reference the report names a replacement for; the
    # effort is "swap" only where fix can swap it ("adapt" where the provider's list has none)
    assert _scan(root) == sorted(
        [(path, line, old, "swap", new.split("/", 1)[1] if old.startswith(("azure_ai/",
                                                                          "openrouter/"))
          else new) for path, line, old, new in SWAPPED]
        + [(path, line, old, "adapt", "google/gemma-4-31B-it") for path, line, old, _ in LEFT])

    # plan: the same decisions, written down
    plan_file = tmp_path / "plan.toml"
    planned = CliRunner().invoke(cli, ["plan", str(root), "-o", str(plan_file)])
    assert planned.exit_code == 0, planned.output
    decisions = {d["identifier"]: d for d in
                 tomllib.loads(plan_file.read_text(encoding="utf-8"))["decision"]}
    assert {k: (d["runtime"], d["replacement"]) for k, d in decisions.items()} == {
        "azure_ai/Meta-Llama-3.1-405B-Instruct": ("azure", "azure_ai/Mistral-Large-3"),
        "@cf/meta/llama-3.3-70b-instruct-fp8-fast": ("cloudflare",
                                                     "@cf/google/gemma-4-26b-a4b-it"),
        "llama-3.3-70b-versatile": ("groq", "qwen/qwen3.6-27b"),
        "meta/llama-3.1-70b-instruct": ("nvidia-nim", "mistralai/mistral-medium-3-5-128b"),
        "openrouter/meta-llama/llama-3.3-70b-instruct": (
            "openrouter", "openrouter/mistralai/mistral-medium-3-5"),
        "meta.llama3-3-70b-instruct-v1:0": ("bedrock", ""),
        "accounts/fireworks/models/llama-v3p3-70b-instruct": ("fireworks", ""),
        "meta-llama/Llama-3.3-70B-Instruct-Turbo": ("together", ""),
        "meta/llama-3.3-70b-instruct-maas": ("vertex-ai", "google/gemma-4-26b-a4b-it-maas"),
    }
    for _, _, old, provider in LEFT:
        assert decisions[old]["why"] == _why_left(provider)

    # fix --write: the six swaps are written, the three others are left with their reason
    fixed = run_fix([".", "--write"], root)
    assert fixed.code == 1, fixed.err  # swaps remain, so findings are left
    rewritten = [line.strip() for line in fixed.err.split("Rewritten (6):\n")[1]
                 .split("Not replaced")[0].splitlines()]
    assert rewritten == [f"{path}:{line}:15  LA102  '{old}' -> '{new}' (catalog)"
                         for path, line, old, new in SWAPPED]
    left = fixed.err.split("Not replaced (swaps that need your decision) (3):\n")[1]
    assert [row.strip() for row in left.split("Warnings:")[0].splitlines()] == [
        f"{path}:{line}:{17 if 'bedrock' in path else 15}  LA102  {_why_left(provider)}"
        for path, line, _, provider in LEFT]
    for path, _, old, new in SWAPPED:
        text = (root / path).read_text(encoding="utf-8")
        assert f'model="{new}"' in text and old not in text

    # re-scan: the swapped findings are gone; the three left ones stay, each below its note
    after = _scan(root)
    assert [(path, identifier) for path, _, identifier, _, _ in after] == [
        (path, old) for path, _, old, _ in LEFT]
    assert [line for _, line, _, _, _ in after] == [line + 7 for _, line, _, _ in LEFT]
    for path, _, _, provider in LEFT:
        assert (f"# llama-audit: todo[LA102] the Llama model named here was not replaced: "
                f"{provider} does not") in (root / path).read_text(encoding="utf-8")
