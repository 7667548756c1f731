"""Roles (docs/detection.md#roles): each string's role from where it sits, with exact rows
(rule, line, column, identifier, severity, effort, role) for Python and YAML/TOML/JSON."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.ruleset.load import load_ruleset
from auditor.scan.python.scanner import analyse_source
from auditor.scan.roles import role_tables
from auditor.scan.runner import scan_paths
from auditor.serialize import finding_from_dict, finding_to_dict
from auditor.types import Role

RULES = load_ruleset()
Row = tuple[str, int, int, str | None, str, str, str | None]


def rows(tmp_path: Path, name: str, text: str) -> list[Row]:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    result = scan_paths([tmp_path])
    return [(f.rule_id, f.line, f.column, f.identifier, f.severity.value, f.effort.value,
             f.role.value if f.role else None) for f in result.findings if f.path == name]


EXAMPLES = [(row.role, code, string) for row in role_tables(RULES).rows
            for code, string in row.examples]


@pytest.mark.parametrize(("role", "code", "string"), EXAMPLES,
                         ids=[f"{r.value}:{s}" for r, _, s in EXAMPLES])
def test_every_role_row_example_gets_its_role(role: Role, code: str, string: str) -> None:
    hits = [h for h in analyse_source(code, RULES) if h.identifier == string]
    assert [h.role for h in hits] == [role]


def test_every_role_but_model_reference_has_a_row_with_an_example() -> None:
    covered = {role for role, _, _ in EXAMPLES}
    assert covered == set(Role) - {Role.MODEL_REFERENCE}


PYTHON = '''\
import argparse
from datasets import load_dataset
from transformers import AutoModelForCausalLM

register_template(name="llama3", format_user=None)
conv = get_conv_template("llama-2")
plugin = get_mm_plugin(name="llama4", image_token="<|image|>")
MODELS = {"Llama-30B": {"hf": "huggyllama/llama-30b"}}
ds = load_dataset("meta-llama/Llama-3.2-1B-Instruct-evals")
output_dir = "saves/llama3-8b/lora"
print("llama3.1:8b response:")
model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
parser = argparse.ArgumentParser()
parser.add_argument("--model_type", default="llama3")
parser.add_argument("--model", default="llama3.1:8b", help="for example llama3.2:3b")
def pick(model_type):
    if model_type == "llama3":
        return 1
'''


def test_python_roles_exact_rows(tmp_path: Path) -> None:
    assert rows(tmp_path, "app.py", PYTHON) == [
        ("LA108", 5, 24, "llama3", "medium", "adapt", "template-selection"),
        ("LA108", 6, 26, "llama-2", "medium", "adapt", "template-selection"),
        ("LA101", 7, 29, "llama4", "medium", "adapt", "plugin-name"),
        ("LA101", 8, 11, "Llama-30B", "low", "adapt", "registry-key"),
        ("LA101", 8, 31, "huggyllama/llama-30b", "high", "adapt", "model-reference"),
        ("LA101", 9, 19, "meta-llama/Llama-3.2-1B-Instruct-evals", "info", "keep", "dataset"),
        ("LA101", 10, 14, "saves/llama3-8b/lora", "info", "keep", "path"),
        ("LA101", 11, 8, "llama3.1:8b", "info", "keep", "label"),
        ("LA102", 12, 9, "meta-llama/Llama-3.1-8B", "high", "swap", "model-reference"),
        ("LA108", 14, 45, "llama3", "medium", "adapt", "template-selection"),
        ("LA101", 15, 40, "llama3.1:8b", "high", "swap", "model-reference"),
        ("LA101", 15, 73, "llama3.2:3b", "info", "keep", "documentation"),
        ("LA108", 17, 22, "llama3", "medium", "adapt", "template-selection"),
    ]


def test_a_derivative_fix_cannot_swap_is_adapt_and_says_what_to_decide(tmp_path: Path) -> None:
    text = ('A = "NousResearch/Hermes-3-Llama-3.1-8B"\nB = "TheBloke/Llama-2-7B-Chat-GGUF"\n'
            'C = "huggyllama/llama-30b"\n')
    result = scan_paths([_write(tmp_path, "m.py", text)])
    got = [(f.identifier, f.effort.value, f.detail("decide")) for f in result.findings]
    assert got == [
        ("NousResearch/Hermes-3-Llama-3.1-8B", "adapt",
         "a fine-tune of Llama, not Meta's weights: decide whether to fine-tune the "
         "replacement the same way or choose a comparable model"),
        ("TheBloke/Llama-2-7B-Chat-GGUF", "swap", None),
        ("huggyllama/llama-30b", "adapt",
         "a copy of Llama under another name: check it is Meta's weights unchanged, then use "
         "the original's replacement"),
    ]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_yaml_roles_exact_rows(tmp_path: Path) -> None:
    text = ('llm:\n  mode: ollama\n  prompt_style: "llama3"\nollama:\n  llm_model: llama3.1:8b\n'
            'eval:\n  dataset: meta-llama/Llama-3.1-8B-Instruct-evals\n')
    assert rows(tmp_path, "settings.yaml", text) == [
        ("LA306", 3, 18, "llama3", "medium", "adapt", "template-selection"),
        ("LA301", 5, 14, "llama3.1:8b", "high", "swap", "model-reference"),
        ("LA301", 7, 12, "meta-llama/Llama-3.1-8B-Instruct-evals", "info", "keep", "dataset"),
    ]


def test_toml_roles_exact_rows(tmp_path: Path) -> None:
    text = ('[chat]\nmodel = "meta-llama/Llama-3.1-8B-Instruct"\nchat_format = "llama-3"\n'
            '[[eval.datasets]]\npath = "meta-llama/Llama-3.2-3B-Instruct-evals"\n')
    assert rows(tmp_path, "app.toml", text) == [
        ("LA301", 2, 10, "meta-llama/Llama-3.1-8B-Instruct", "high", "swap", "model-reference"),
        ("LA306", 3, 16, "llama-3", "medium", "adapt", "template-selection"),
        ("LA301", 5, 9, "meta-llama/Llama-3.2-3B-Instruct-evals", "info", "keep", "dataset"),
    ]


def test_json_roles_exact_rows(tmp_path: Path) -> None:
    text = ('{"models": {"meta-llama/Llama-3.1-8B-Instruct": {"ctx": 8192}},\n'
            ' "default": "meta-llama/Llama-3.1-8B-Instruct"}\n')
    assert rows(tmp_path, "models.json", text) == [
        ("LA301", 1, 14, "meta-llama/Llama-3.1-8B-Instruct", "low", "adapt", "registry-key"),
        ("LA301", 2, 14, "meta-llama/Llama-3.1-8B-Instruct", "high", "swap", "model-reference"),
    ]


def test_the_json_result_carries_the_role_and_validates(tmp_path: Path,
                                                       result_schema: dict) -> None:
    result = scan_paths([_write(tmp_path, "app.py", PYTHON)])
    data = [finding_to_dict(f) for f in result.findings]
    assert [d["role"] for d in data][:3] == ["template-selection", "template-selection",
                                             "plugin-name"]
    document = {"schema_version": "1.0", "findings": data}
    finding_schema = result_schema["$defs"]["finding"]
    for item in data:
        jsonschema.validate(item, {**finding_schema, "$defs": result_schema["$defs"]})
    assert [finding_from_dict(d).role for d in data] == [f.role for f in result.findings]
    bad = {**data[0], "role": "model"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, {**finding_schema, "$defs": result_schema["$defs"]})
    assert json.loads(json.dumps(document))["findings"][0]["role"] == "template-selection"


def test_a_bare_tag_compared_with_a_model_name_is_a_model_reference(tmp_path: Path) -> None:
    text = ('def check(mock):\n    assert mock.call_args.kwargs["model"] == "llama3.1"\n'
            '    assert style == "llama3"\n')
    assert rows(tmp_path, "t.py", text) == [
        ("LA101", 2, 46, "llama3.1", "high", "swap", "model-reference")]


def test_parent_by_position_is_the_parent_of_the_whole_tree_map() -> None:
    """``PythonRoles.parent`` descends by source spans and falls back to a whole-tree map
    (decorators, f-string parts, nodes without positions): the same answer for every node."""
    import ast

    from auditor.scan.python.roles import PythonRoles

    source = (
        "@register(name='llama3')\n"
        "class A(Base, metaclass=M):\n"
        "    x: str = f'{a!r:>{w}} and {b}'\n"
        "    def f(self, p=1, *q, k=[i for i in range(3) if i], **kw):\n"
        "        return lambda z: {z: (z, [*q])}[z] if p else self.g(model='m')\n"
    )
    tree = ast.parse(source)
    expected = {id(child): parent for parent in ast.walk(tree)
                for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        roles = PythonRoles(tree, RULES)  # a fresh instance: no map built yet
        assert roles.parent(node) is (None if node is tree else expected[id(node)]), ast.dump(node)
    shared = PythonRoles(tree, RULES)  # many look-ups: past the first few, the map answers
    for node in ast.walk(tree):
        assert shared.parent(node) is (None if node is tree else expected[id(node)])
