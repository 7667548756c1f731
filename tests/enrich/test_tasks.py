"""Task-aware replacements: the task a model is used for is detected, recorded as the ``task``
detail, checked on every suggestion, and decides the plan (``auditor/enrich/tasks.py``,
``rules/tasks.toml``)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from auditor.cli.main import cli
from auditor.enrich.decision import decide, routing_prefixes
from auditor.enrich.entries import CatalogEntry
from auditor.enrich.plan_file import decisions_for, dump_plan, load_plan
from auditor.enrich.tasks import TaskTable
from auditor.fix.plan import policy_families
from auditor.ruleset.load import load_ruleset
from auditor.types import Check, Effort, Finding, ModelRef, Severity, Suggestion
from tests.fix_helpers import git, run_fix

RULES = load_ruleset()
TABLE = TaskTable.from_ruleset(RULES)

APP = '''import ollama
from ollama import generate

r = generate(model="codellama:7b-code", prompt="def f(", suffix="\\n")
c = ollama.chat(model="llama3.1", messages=[], tools=[print])
v = ollama.chat(model="llama3.2", messages=[{"role": "user", "content": "x", "images": ["a.png"]}])
e = ollama.embed(model="llama3.2", input="hello")
g = ollama.chat(model="llama-guard3:8b", messages=[])
p = ollama.chat(model="llama3.1", messages=[])
'''

# the ollama-python example examples/fill-in-middle.py (its call, as written there)
FIM_EXAMPLE = '''from ollama import generate

prompt = """def remove_non_ascii(s: str) -> str:
    \\"\\"\\" """

suffix = """
    return result
"""

response = generate(
  model='codellama:7b-code',
  prompt=prompt,
  suffix=suffix,
  options={'num_predict': 128, 'temperature': 0, 'top_p': 0.9, 'stop': ['<EOT>']},
)
'''


def _scan(root: Path) -> list[dict[str, object]]:
    done = CliRunner().invoke(cli, ["scan", str(root), "--format", "json", "--exit-zero", "-q",
                                    "--no-cache"])
    assert done.exit_code == 0, done.output
    return [f for f in json.loads(done.stdout)["findings"] if f.get("identifier")]


def _check(suggestion: dict[str, object]) -> object:
    checks = suggestion["checks"]
    assert isinstance(checks, list)
    return next((c["passed"] for c in checks if c["name"] == "task"), "absent")


def test_each_task_is_detected_recorded_and_checked(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    rows = []
    for f in _scan(tmp_path):
        details = f["details"]
        assert isinstance(details, dict)
        first = f["suggestions"][0]  # type: ignore[index]
        rows.append((f["line"], f["identifier"], details.get("task"), f["effort"],
                     first["runtime_name"], _check(first)))
    assert rows == [
        (4, "codellama:7b-code", "fim", "swap", "qwen2.5-coder:7b-base", True),
        (5, "llama3.1", "tools", "swap", "gemma4:e4b", True),
        (6, "llama3.2", "vision", "swap", "gemma4:e4b", True),
        (7, "llama3.2", "embeddings", "swap", "gemma4:e4b", None),
        (8, "llama-guard3:8b", "guard", "adapt", "Qwen/Qwen3Guard-Gen-8B", True),
        (9, "llama3.1", None, "swap", "gemma4:e4b", "absent"),
    ]


def test_the_ollama_python_fim_example_gets_a_fim_model_from_scan_plan_and_fix(
        tmp_path: Path) -> None:
    app = tmp_path / "examples"
    app.mkdir()
    (app / "fill-in-middle.py").write_text(FIM_EXAMPLE, encoding="utf-8")
    finding = _scan(app)[0]
    first = finding["suggestions"][0]  # type: ignore[index]
    assert (finding["identifier"], first["hub_id"], first["runtime_name"]) == (
        "codellama:7b-code", "Qwen/Qwen2.5-Coder-7B", "qwen2.5-coder:7b-base")
    task = next(c for c in first["checks"] if c["name"] == "task")
    assert task == {"name": "task", "passed": True, "detail": (
        "code completion with fill-in-the-middle: fills in the middle with "
        "<|fim_prefix|>/<|fim_suffix|>/<|fim_middle|> (https://github.com/QwenLM/Qwen3-Coder)")}
    plan = tmp_path / "plan.toml"
    done = CliRunner().invoke(cli, ["plan", str(app), "-o", str(plan)])
    assert done.exit_code == 0, done.output
    text = plan.read_text(encoding="utf-8")
    assert 'task = "fim"' in text and 'replacement = "qwen2.5-coder:7b-base"' in text
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "start")
    run = run_fix([".", "--write"], app)
    assert run.code == 0, run.err
    assert "  model='qwen2.5-coder:7b-base'," in (app / "fill-in-middle.py").read_text(
        encoding="utf-8")


def test_a_fact_decides_fim_support_and_no_row_is_unknown() -> None:
    assert TABLE.check(("fim",), "mistralai/Mamba-Codestral-7B-v0.1", None, "Code Llama") == \
        Check("task", False, "code completion with fill-in-the-middle: Mamba Codestral has "
              "instruct support only, no fill-in-the-middle (Mistral AI) (https://huggingface.co/"
              "mistralai/Mamba-Codestral-7B-v0.1/discussions/2)")
    assert TABLE.check(("fim",), "mistralai/Codestral-22B-v0.1", None, "Code Llama").passed
    assert TABLE.check(("fim", "tools"), "google/gemma-4-E4B-it", None, "Llama 3.1") == \
        Check("task", None, "code completion with fill-in-the-middle: no primary source in the "
              "catalog says google/gemma-4-E4B-it does it; check before merging; tool calling: "
              "function calling with Gemma 4 (Google's guide, this model among those it runs) "
              "(https://ai.google.dev/gemma/docs/capabilities/text/function-calling-gemma4)")
    assert TABLE.check(("tools",), "Qwen/Qwen3.5-9B", None, "Llama 3.1") == Check(
        "task", None, "tool calling: no primary source in the catalog says Qwen/Qwen3.5-9B does "
        "it; check before merging")
    assert [TABLE.rank(h, ("fim",)) for h in ("Qwen/Qwen2.5-Coder-7B", "Qwen/Qwen3.5-9B",
                                               "mistralai/Mamba-Codestral-7B-v0.1")] == [0, 1, 2]


def test_a_guard_replacement_states_the_output_format_change() -> None:
    guard = CatalogEntry(hub_id="google/shieldgemma-2b", vendor="Google", family="ShieldGemma",
                         kind="replacement", variant="guard")
    chat = CatalogEntry(hub_id="google/gemma-4-E4B-it", vendor="Google", family="Gemma 4",
                        kind="replacement", variant="instruct")
    assert TABLE.check(("guard",), guard.hub_id, guard, "Llama Guard 3") == Check(
        "task", True, "guard: google/shieldgemma-2b is a safety classifier; output format "
        "changes (adapt the code that reads it): Llama Guard 3 answers 'safe', or 'unsafe' and "
        "a line of violated category codes (S1, S2, ...) (https://huggingface.co/meta-llama/"
        "Llama-Guard-3-8B); ShieldGemma answers 'Yes' or 'No' for one policy per prompt; the "
        "score is the probability of 'Yes' (https://ai.google.dev/gemma/docs/shieldgemma)")
    assert TABLE.check(("guard",), chat.hub_id, chat, "Llama Guard 3") == Check(
        "task", False, "guard: google/gemma-4-E4B-it is not a safety classifier")


def _finding(task: str | None, passed: bool | None) -> Finding:
    ref = ModelRef(family="Code Llama", variant="code", runtime="ollama", size="7B",
                   params_b=7.0, canonical_id="meta-llama/CodeLlama-7b-hf", meta_weights=True)
    checks = (Check("runtime_format", True, "Ollama tag x:7b"), Check("task", passed, "why"))
    return Finding(rule_id="LA102", category="model", severity=Severity.HIGH,
                   effort=Effort.SWAP, path="a.py", line=1, column=1, end_line=1, end_column=2,
                   message="m", snippet="s", identifier="codellama:7b-code", model=ref,
                   suggestions=(Suggestion(hub_id="x/X-7B", family="X", runtime_name="x:7b",
                                           reason="r", checks=checks),),
                   details=(("task", task),) if task else ())


def test_no_candidate_that_does_the_task_means_no_replacement() -> None:
    decision = decide(_finding("fim", False), ())
    assert decision is not None
    assert (decision.replacement, decision.task, decision.why) == (
        None, "fim", "no candidate in the catalog is known to do the job Code Llama 7B code "
        "does here (why)")
    unknown = decide(_finding("tools", None), ())
    assert unknown is not None
    assert (unknown.replacement, unknown.warnings) == ("x:7b", ("x/X-7B: why",))


def test_the_plan_keeps_one_decision_per_task(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    from auditor.pipeline import AuditOptions, audit
    from auditor.policy.gate import GateOptions
    findings = audit([tmp_path], AuditOptions(gate=GateOptions(no_baseline=True))).result.findings
    plan = decisions_for(findings, routing_prefixes(RULES), None, policy_families(RULES))
    rows = [(r.decision.identifier, r.decision.task, r.decision.replacement)
            for r in plan.references]
    assert rows == [("codellama:7b-code", "fim", "qwen2.5-coder:7b-base"),
                    ("llama3.1", "tools", "gemma4:e4b"), ("llama3.2", "vision", "gemma4:e4b"),
                    ("llama3.2", "embeddings", "gemma4:e4b"),
                    ("llama-guard3:8b", "guard", None), ("llama3.1", "", "gemma4:e4b")]
    again = load_plan(dump_plan(plan, "toml"), "plan.toml")
    assert again.lookup("llama3.1", "ollama", "tools") is not None
    assert [(r.decision.identifier, r.decision.task) for r in again.references] == [
        (i, t) for i, t, _ in rows]


def test_every_task_fact_cites_a_primary_source() -> None:
    from auditor.enrich.sources import is_primary
    from auditor.enrich.tasks import support_sources
    sources = support_sources(RULES)
    assert len(sources) == 16
    assert [s for s in sources if not is_primary(s)] == []


def test_a_guard_model_is_a_manual_step_until_model_names_its_replacement(
        tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    text = ('from transformers import AutoModelForCausalLM\n'
            'guard = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-Guard-3-8B")\n')
    (app / "guard.py").write_text(text, encoding="utf-8")
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "start")
    run = run_fix(["."], app)
    assert (run.code, run.out) == (0, "")
    manual = run.err.split("Manual steps (1):\n", 1)[1].splitlines()[0].strip()
    assert manual.startswith(
        "guard.py:2:9  LA102  'meta-llama/Llama-Guard-3-8B' is a guard model (safety "
        "classifier): its replacement answers in another format; change the code that reads its "
        "answer to the new format; then pass --model OLD=NEW (the plan's replacement: "
        "Qwen/Qwen3Guard-Gen-8B; guard: Qwen/Qwen3Guard-Gen-8B is a safety classifier; output "
        "format changes (adapt the code that reads it): Llama Guard 3 answers 'safe', or "
        "'unsafe' and a line of violated category codes (S1, S2, ...)")
    decided = run_fix([".", "--write", "--model",
                       "meta-llama/Llama-Guard-3-8B=Qwen/Qwen3Guard-Gen-8B"], app)
    assert decided.code == 0, decided.err
    assert (app / "guard.py").read_text(encoding="utf-8") == text.replace(
        "meta-llama/Llama-Guard-3-8B", "Qwen/Qwen3Guard-Gen-8B")
