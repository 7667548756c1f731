"""Adding a provider, a Llama class or a package is one TOML row with its examples: an extra
rules directory (``--rules DIR``) with one of each works end to end through the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from tests.fix_helpers import run_fix
from tests.rules.helpers import check_case, row_case

ACME_RULES = """\
[[identify.provider]]
provider = "acme"
runtime = "acme"
naming = "acme-cloud/{name_lower}"
pattern = '^acme:(?P<name>llama[\\w.-]*)$'
source = "a provider invented for this test"
examples = [{ id = "acme:llama-3.1-8b-instruct", family = "Llama 3.1", size = "8B" }]

[[llama_class]]
name = "LlamaAcmeForCausalLM"
auto = "AutoModelForCausalLM"
use = "model"

[[llama_class.examples]]
code = '''from transformers import LlamaAcmeForCausalLM
m = LlamaAcmeForCausalLM.from_pretrained(path)'''
expect = [[1, 26, "LlamaAcmeForCausalLM"], [2, 5, "LlamaAcmeForCausalLM"]]
fixed = '''from transformers import AutoModelForCausalLM
m = AutoModelForCausalLM.from_pretrained(path)'''

[[package]]
name = "llama-acme-sdk"
class = "replace"
modules = ["llama_acme"]
instead = "call Acme through {openai_compatible}"
reason = "Acme's SDK for Meta Llama only"
examples = [{ code = "llama-acme-sdk>=1.2", expect = [[1, 1, "llama-acme-sdk"]], fixed = "" }]
"""


def _rules_dir(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "acme.toml").write_text(ACME_RULES, encoding="utf-8")
    return rules


def test_extra_rows_work_end_to_end_through_the_cli(tmp_path: Path, run_cli: Any) -> None:
    rules = _rules_dir(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(
        'MODEL = "acme:llama-3.1-8b-instruct"\n'
        "from transformers import LlamaAcmeForCausalLM\n", encoding="utf-8")
    (repo / "requirements.txt").write_text("llama-acme-sdk==1.0\n", encoding="utf-8")

    # Without the rows: the id is a bare model name, named as Hub ids; class and package unknown.
    without = run_cli(["scan", str(repo), "--format", "json"]).json()
    assert [(f["rule_id"], f["model"]["runtime"], f["model"]["provider"],
             f["suggestions"][0]["runtime_name"]) for f in without["findings"]] == [
        ("LA101", "model-name", None, "google/gemma-4-E4B-it")]

    report = run_cli(["scan", str(repo), "--rules", str(rules), "--format", "json"]).json()
    rows = [(f["rule_id"], f["path"], f["line"], f["column"], f["identifier"])
            for f in report["findings"]]
    assert rows == [
        ("LA101", "app.py", 1, 9, "acme:llama-3.1-8b-instruct"),
        ("LA103", "app.py", 2, 26, "LlamaAcmeForCausalLM"),
        ("LA201", "requirements.txt", 1, 1, "llama-acme-sdk"),
    ]
    model_id = report["findings"][0]
    assert (model_id["model"]["runtime"], model_id["model"]["provider"]) == ("acme", "acme")
    names = [(s["hub_id"], s["runtime_name"]) for s in model_id["suggestions"]]
    assert names == [
        ("google/gemma-4-E4B-it", "acme-cloud/gemma-4-e4b-it"),
        ("Qwen/Qwen3.5-9B", "acme-cloud/qwen3.5-9b"),
        ("mistralai/Ministral-3-8B-Instruct-2512", "acme-cloud/ministral-3-8b-instruct-2512"),
    ]
    runtime_checks = [c for s in model_id["suggestions"] for c in s["checks"]
                      if c["name"] == "runtime_format"]
    assert runtime_checks[0] == {
        "name": "runtime_format", "passed": None,
        "detail": "named in acme's format acme-cloud/{name_lower}: check that acme serves "
                  "acme-cloud/gemma-4-e4b-it"}


def test_extra_rows_examples_hold(tmp_path: Path) -> None:
    rules = _rules_dir(tmp_path)
    ruleset = load_ruleset([rules])
    extra = (rules,)
    acme = [r for r in ruleset.section_table("identify")["provider"] if r["provider"] == "acme"]
    for example in acme[0]["examples"]:
        ref = identify(example["id"], ruleset)
        assert ref is not None
        assert (ref.provider, ref.runtime, ref.family, ref.size) == (
            "acme", "acme", example["family"], example["size"])
    llama_class = next(r for r in ruleset.section_list("llama_class")
                       if r["name"] == "LlamaAcmeForCausalLM")
    for number, example in enumerate(llama_class["examples"]):
        check_case(tmp_path / f"class{number}", "LA103", row_case(example, "app.py"), extra)
    package = next(r for r in ruleset.section_list("package") if r.get("name") ==
                   "llama-acme-sdk")
    for number, example in enumerate(package["examples"]):
        check_case(tmp_path / f"package{number}", "LA201",
                   row_case(example, "requirements.txt"), extra)


def test_a_provider_whose_naming_is_unrecorded_says_so(tmp_path: Path, run_cli: Any) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "zeta.toml").write_text(
        "[[identify.provider]]\nprovider = \"zeta\"\nruntime = \"zeta\"\n"
        "naming = \"unrecorded\"\npattern = '^zeta:(?P<name>llama[\\w.-]*)$'\n"
        "examples = [{ id = \"zeta:llama-3.1-8b-instruct\", family = \"Llama 3.1\", "
        "size = \"8B\" }]\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text('MODEL = "zeta:llama-3.1-8b-instruct"\n', encoding="utf-8")
    report = run_cli(["scan", str(repo), "--rules", str(rules), "--format", "json"]).json()
    [finding] = report["findings"]
    first = finding["suggestions"][0]
    assert first["runtime_name"] == first["hub_id"] == "google/gemma-4-E4B-it"
    assert [c for c in first["checks"] if c["name"] == "runtime_format"] == [{
        "name": "runtime_format", "passed": None,
        "detail": "zeta does not list google/gemma-4-E4B-it on the model list the catalog "
                  "read, so there is no zeta id to write. Nearest runtimes that serve these "
                  "models: their Hugging Face ids (vLLM, TGI, SGLang, Inference Endpoints) or "
                  "Ollama/GGUF builds. Check zeta's current model list first"}]


def test_an_extra_package_rows_modules_are_meta_only_and_keep_it(tmp_path: Path,
                                                                  run_cli: Any) -> None:
    """Code importing the package's module is LA104, and fix keeps the package (the code
    still needs it) and says what to use instead, from the row."""
    rules = _rules_dir(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("import llama_acme.chat\n", encoding="utf-8")
    (repo / "requirements.txt").write_text("llama-acme-sdk==1.0\n", encoding="utf-8")
    report = run_cli(["scan", str(repo), "--rules", str(rules), "--format", "json"]).json()
    assert [(f["rule_id"], f["path"], f["line"], f["column"], f["identifier"])
            for f in report["findings"]] == [
        ("LA104", "app.py", 1, 8, "llama_acme.chat"),
        ("LA201", "requirements.txt", 1, 1, "llama-acme-sdk"),
    ]
    run = run_fix([".", "--rules", str(rules), "--allow-dirty", "--write"], repo)
    assert (repo / "requirements.txt").read_text(encoding="utf-8") == "llama-acme-sdk==1.0\n"
    assert run.code == 0, run.err
    assert (repo / "app.py").read_text(encoding="utf-8") == (
        "# llama-audit: todo[LA104] llama_acme exists only for Meta Llama: call Acme through an\n"
        "#   OpenAI-compatible client (the openai package with base_url set to the new provider's\n"
        "#   endpoint).\n"
        "import llama_acme.chat\n")
