"""Documentation code blocks and commented-out code (issue 18 item 4): `scan` reports them by
default at info, marked with their kind in text, JSON and SARIF, and the gate counts them only
with --include-docs."""

from __future__ import annotations

from pathlib import Path

import jsonschema

README = """# Demo

Run it:

```bash
python app.py --base_model 'decapoda-research/llama-7b-hf'
```

We compared meta-llama/Llama-3.1-8B-Instruct in prose (never a finding).
"""

APP = """import os

# MODEL_ID = "TheBloke/Llama-2-7b-Chat-GGUF"
# We evaluated meta-llama/Llama-3.1-8B-Instruct before choosing Qwen.
MODEL_ID = os.environ.get("MODEL_ID", "Qwen/Qwen3-8B")
"""

SETTINGS = """model: Qwen/Qwen3-8B
# model: meta-llama/Llama-3.1-8B-Instruct
"""

ROWS = [
    ("LA305", "README.md", 6, 29, "decapoda-research/llama-7b-hf", "code-block"),
    ("LA307", "app.py", 3, 15, "TheBloke/Llama-2-7b-Chat-GGUF", "commented-code"),
    ("LA307", "settings.yaml", 2, 10, "meta-llama/Llama-3.1-8B-Instruct", "commented-code"),
]


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(README, encoding="utf-8")
    (repo / "app.py").write_text(APP, encoding="utf-8")
    (repo / "settings.yaml").write_text(SETTINGS, encoding="utf-8")
    return repo


def test_docs_and_commented_code_are_reported_by_default_at_info(run_cli, tmp_path: Path,
                                                                 result_schema) -> None:
    run = run_cli(["scan", str(_repo(tmp_path)), "--format", "json", "--no-cache"])
    assert run.code == 0, run.err
    data = run.json()
    jsonschema.validate(data, result_schema)
    rows = sorted((f["rule_id"], f["path"], f["line"], f["column"], f["identifier"],
                   f["details"]["mention"]) for f in data["findings"])
    assert rows == ROWS
    assert {f["severity"] for f in data["findings"]} == {"info"}


def test_the_gate_counts_them_only_with_include_docs(run_cli, tmp_path: Path) -> None:
    repo = str(_repo(tmp_path))
    assert run_cli(["scan", repo, "--fail-on", "info", "--no-cache", "-q"]).code == 0
    counted = run_cli(["scan", repo, "--fail-on", "info", "--include-docs", "--no-cache", "-q"])
    assert counted.code == 1
    assert run_cli(["scan", repo, "--include-docs", "--no-cache", "-q"]).code == 0  # info < high


def test_text_and_sarif_mark_the_kind(run_cli, tmp_path: Path) -> None:
    repo = str(_repo(tmp_path))
    text = run_cli(["scan", repo, "--no-cache"]).out
    line = next(x for x in text.splitlines() if "TheBloke/Llama-2-7b-Chat-GGUF" in x)
    assert line.startswith("  3:15  info    LA307  Commented-out code names Llama model")
    assert line.endswith("[adapt] [docs: commented-code]")
    assert any(x.endswith("[docs: code-block]") for x in text.splitlines())
    sarif = run_cli(["scan", repo, "--format", "sarif", "--no-cache"]).json()
    results = sarif["runs"][0]["results"]
    mentions = sorted((r["ruleId"], r["level"], r["properties"]["details"]["mention"])
                      for r in results)
    assert mentions == [("LA305", "note", "code-block"), ("LA307", "note", "commented-code"),
                        ("LA307", "note", "commented-code")]


def test_fix_leaves_them_alone_unless_asked(run_cli, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    run = run_cli(["fix", str(repo), "--write", "--allow-dirty", "-q"])
    assert run.code == 0, run.err
    assert (repo / "README.md").read_text(encoding="utf-8") == README
    assert (repo / "app.py").read_text(encoding="utf-8") == APP
    assert (repo / "settings.yaml").read_text(encoding="utf-8") == SETTINGS
