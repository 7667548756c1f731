"""Invariants across the rule tables: what one table says must hold in the others and in code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from auditor.enrich.candidates import ReplacementPolicy
from auditor.identify.models import identify
from auditor.identify.tables import tables_for
from auditor.ruleset import rule_ids
from auditor.ruleset.load import RuleError, load_ruleset
from auditor.ruleset.python_tables import python_tables
from auditor.scan.deps.packages import package_table
from tests.rules.helpers import check_case, row_case

RULES = load_ruleset()
IDENTIFY = RULES.section_table("identify")
AUDITOR = Path(__file__).resolve().parents[2] / "auditor"

BUILT_IN_RUNTIMES = ("huggingface", "model-name", "gguf", "mlx", "ollama")
"""Runtimes identify assigns by itself (names/paths/orgs, Ollama library names)."""


# --- providers -------------------------------------------------------------------------------

@pytest.mark.parametrize("row", IDENTIFY["provider"], ids=lambda r: r["pattern"][:40])
def test_every_provider_row_has_a_naming_and_examples(row: dict[str, Any]) -> None:
    assert row.get("naming"), row["provider"]
    assert row.get("examples"), f"{row['provider']} row has no examples"
    for example in row["examples"]:
        ref = identify(example["id"], RULES)
        assert ref is not None, example["id"]
        assert (ref.provider, ref.runtime, ref.family, ref.size) == (
            row["provider"], row["runtime"], example["family"], example["size"])


def test_every_runtime_identify_can_name_has_a_naming() -> None:
    tables = tables_for(RULES)
    runtimes = {
        *BUILT_IN_RUNTIMES,
        *(p.runtime for p in tables.providers),
        *(name for _, name in tables.litellm_prefixes),
        *(name for _, name in tables.provider_suffixes),
        *tables.org_runtimes.values(),
    }
    named = ReplacementPolicy.from_ruleset(RULES).runtimes
    assert sorted(runtimes - set(named)) == []


def test_a_provider_row_without_naming_is_a_rule_error(tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(
        "[[identify.provider]]\nprovider = \"acme\"\nruntime = \"acme\"\n"
        "pattern = '^acme:(?P<name>llama[\\w.-]*)$'\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"\(acme\) has no 'naming': say how acme names models"):
        tables_for(load_ruleset([tmp_path]))


def test_a_provider_naming_must_agree_with_replacement_runtimes(tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(
        "[[identify.provider]]\nprovider = \"acme\"\nruntime = \"groq\"\nnaming = \"hub\"\n"
        "pattern = '^acme:(?P<name>llama[\\w.-]*)$'\n", encoding="utf-8")
    with pytest.raises(RuleError, match="groq"):
        ReplacementPolicy.from_ruleset(load_ruleset([tmp_path]))


# --- rule ids --------------------------------------------------------------------------------

def _emitted_ids() -> set[str]:
    classes = RULES.section_table("package_classes").values()
    return set(rule_ids.EMITTED_BY_CODE) | {c["rule"] for c in classes if "rule" in c}


def test_every_rule_id_in_the_tables_is_emitted_and_every_emitted_id_exists() -> None:
    reserved: set[str] = set()  # a rule documented before any code emits it goes here
    assert _emitted_ids() == set(RULES.rules) - reserved


def test_no_module_writes_a_rule_id_literal() -> None:
    literal = re.compile(r"[\"']LA\d{3}[\"']")
    found = [f"{path.relative_to(AUDITOR)}:{number}"
             for path in sorted(AUDITOR.rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if literal.search(line)]
    assert found == []


def test_every_rule_id_constant_is_used_by_code() -> None:
    names = [n for n in vars(rule_ids) if n.isupper() and n != "EMITTED_BY_CODE"]
    sources = "\n".join(p.read_text(encoding="utf-8") for p in AUDITOR.rglob("*.py")
                        if p.name != "rule_ids.py")
    unused = [n for n in names if not re.search(rf"\b{n}\b", sources)]
    assert unused == []
    assert {getattr(rule_ids, n) for n in names} == set(rule_ids.EMITTED_BY_CODE)


# --- packages --------------------------------------------------------------------------------

PACKAGES = RULES.section_list("package")


def _package_name(row: dict[str, Any]) -> str:
    return str(row["name"]) if "name" in row else f"{row['prefix']}example"


@pytest.mark.parametrize("row", [r for r in PACKAGES if r["class"] == "lookalike"],
                         ids=_package_name)
def test_every_lookalike_package_is_rejected_by_identify(row: dict[str, Any]) -> None:
    name = _package_name(row)
    for spelling in (name, name.replace("-", "_")):
        assert identify(spelling, RULES) is None, spelling


_GENERIC = {  # ecosystem: (manifest, declaration of {name}, line and column of the name)
    "pypi": ("requirements.txt", "{name}==1.0", 1, 1),
    "npm": ("package.json", '{{"dependencies": {{"{name}": "1.0.0"}}}}', 1, 20),
    "golang": ("go.mod", "module example.com/app\n\nrequire {name} v1.0.0", 3, 9),
    "cargo": ("Cargo.toml", '[dependencies]\n{name} = "1.0"', 2, 1),
    "maven": ("build.gradle", "dependencies {{\n    implementation '{name}:1.0'\n}}", 2, 21),
    "docker": ("docker-compose.yml", "services:\n  api:\n    image: {name}:1.0", 3, 12),
}


@pytest.mark.parametrize("row", PACKAGES, ids=_package_name)
def test_every_package_row_fires_its_class_rule(tmp_path: Path, row: dict[str, Any]) -> None:
    name = _package_name(row)
    rule = package_table(RULES).classes[row["class"]].rule_id
    for number, example in enumerate(row.get("examples", [])):
        check_case(tmp_path / f"example{number}", rule or "LA201",
                   row_case(example, "requirements.txt"))
    path, code, line, column = _GENERIC[row.get("ecosystem", "pypi")]
    case = row_case({"code": code.format(name=name),
                     "expect": [[line, column, name]] if rule else []}, path)
    for checked in (rule,) if rule else ("LA201", "LA202", "LA203"):
        check_case(tmp_path / f"generic-{checked}", checked, case)


@pytest.mark.parametrize("row", [r for r in PACKAGES if r["class"] == "replace"],
                         ids=_package_name)
def test_every_replace_package_says_its_modules_and_what_instead(
        tmp_path: Path, row: dict[str, Any]) -> None:
    assert isinstance(row.get("modules"), list), row
    assert isinstance(row.get("instead"), str) and row["instead"], row
    for number, module in enumerate(row["modules"]):  # importing it is the Meta-only module rule
        check_case(tmp_path / str(number), rule_ids.META_ONLY_MODULE, row_case(
            {"code": f"import {module}", "expect": [[1, 8, module]]}, "app.py"))


# --- Llama classes ---------------------------------------------------------------------------

CLASSES = RULES.section_list("llama_class")
_AUTO = re.compile(r"^(TF|Flax)?Auto[A-Z]\w*$")


@pytest.mark.parametrize("row", CLASSES, ids=lambda r: r["name"])
def test_every_llama_class_names_its_auto_counterpart(row: dict[str, Any]) -> None:
    assert row["auto"] == "none" or _AUTO.match(row["auto"]), row
    auto = python_tables(RULES).auto_class(row["name"])
    assert (auto.name if auto else "none") == row["auto"]


@pytest.mark.parametrize("row", CLASSES, ids=lambda r: r["name"])
def test_every_llama_class_row_fires_and_fixes(tmp_path: Path, row: dict[str, Any]) -> None:
    for number, example in enumerate(row.get("examples", [])):
        check_case(tmp_path / f"example{number}", rule_ids.LLAMA_CLASS,
                   row_case(example, "app.py"))
    name = row["name"]
    code = f"from transformers import {name}\nmodel = {name}.from_pretrained(path)"
    auto = row["auto"]
    fixed = code.replace(name, auto) if auto != "none" else None
    check_case(tmp_path / "generic", rule_ids.LLAMA_CLASS,
               row_case({"code": code, "expect": [[1, 26, name], [2, 9, name]],
                         "fixed": fixed}, "app.py"))
