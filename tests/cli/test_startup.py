"""Start-up: each command imports what it runs, when it runs it (docs/performance.md).

Each check runs the real entry point in a fresh interpreter and reads its ``sys.modules``
after the command: an import added at the top of a module on the scan's path shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_RUN = """
import json, sys
from auditor.cli.main import main
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""

NOT_FOR_A_JSON_SCAN = (
    "jinja2", "libcst", "tree_sitter", "huggingface_hub", "http.client", "ssl", "email",
    "rich", "tomlkit", "cyclonedx",
    "auditor.fix", "auditor.report.html", "auditor.report.markdown", "auditor.report.compare",
    "auditor.report.merge", "auditor.report.text", "auditor.report.sarif",
    "auditor.enrich.hub", "auditor.enrich.hub_http",
    "auditor.cli.report", "auditor.cli.baseline", "auditor.cli.rules", "auditor.cli.config_cmd",
    "auditor.scan.notebook", "auditor.scan.treesitter",
)
"""Modules a JSON scan of Python, YAML and requirements files must not import: the other
reporters and commands, the Hub client, rich (the summary line is plain text), libcst (only
``fix``) and tree-sitter (only for JavaScript, Go, Rust and JVM files)."""


def _modules_after(args: list[str], cwd: Path, tmp_path: Path) -> tuple[int, set[str]]:
    record = tmp_path / "modules.json"
    env = {**os.environ, "LLAMA_AUDIT_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-c", _RUN, str(record), *args], cwd=cwd, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)
    data = json.loads(record.read_text(encoding="utf-8"))
    return data["code"], set(data["modules"])


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "app.py").write_text(
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")\n',
        encoding="utf-8")
    (root / "config.yaml").write_text("model: meta-llama/Llama-3.1-8B-Instruct\n",
                                      encoding="utf-8")
    (root / "requirements.txt").write_text("transformers==4.44.0\nllama-cpp-python\n",
                                           encoding="utf-8")
    return root


def test_a_json_scan_imports_only_what_it_runs(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    report = tmp_path / "report.json"
    code, modules = _modules_after(
        ["scan", ".", "--format", "json", "-o", str(report), "--no-cache", "--no-config"],
        root, tmp_path)
    assert code == 1  # high findings: the scan ran, and printed its summary (no -q)
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert {f["path"] for f in findings} == {"app.py", "config.yaml", "requirements.txt"}
    # what it ran is there: the scanners of these three kinds, the JSON reporter
    assert {"auditor.scan.python.scanner", "auditor.scan.config", "auditor.scan.deps",
            "yaml", "auditor.report.json_report", "auditor.enrich.plan"} <= modules
    assert sorted(modules.intersection(NOT_FOR_A_JSON_SCAN)) == []


def test_version_imports_no_command(tmp_path: Path) -> None:
    code, modules = _modules_after(["--version"], tmp_path, tmp_path)
    assert code == 0
    assert "auditor.cli.main" in modules
    assert sorted(m for m in modules if m.startswith("auditor.")) == [
        "auditor.cli", "auditor.cli.exit_codes", "auditor.cli.main", "auditor.cli.signals",
        "auditor.util", "auditor.util.imports", "auditor.util.stops"]


def test_a_pool_scan_imports_tree_sitter_before_the_fork_only_for_source_files(
        tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    for number in range(70):  # enough files for the pool (POOL_THRESHOLD)
        (root / f"module_{number:02}.py").write_text(
            f'MODEL_{number} = "meta-llama/Llama-3.1-8B-Instruct"\n', encoding="utf-8")
    args = ["scan", ".", "--format", "json", "-o", str(tmp_path / "r.json"), "--no-cache",
            "--no-config", "-q", "-j", "2"]
    code, modules = _modules_after(args, root, tmp_path)
    assert code == 1
    assert "auditor.scan.pool" in modules  # the workers ran
    assert "tree_sitter" not in modules and "auditor.scan.notebook" not in modules
    (root / "web.js").write_text('const model = "meta-llama/Llama-3.1-8B-Instruct";\n',
                                 encoding="utf-8")
    code, modules = _modules_after(args, root, tmp_path)
    assert code == 1
    findings = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    assert "web.js" in {f["path"] for f in findings}
    # imported in the main process before the workers fork: they inherit it
    assert {"auditor.scan.pool", "tree_sitter", "auditor.scan.treesitter"} <= modules
