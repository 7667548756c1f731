"""The package table is keyed per ecosystem: a name is looked up among its own ecosystem's
[[package]] rows only, so a PyPI package and an npm, Go, Cargo or Maven package that share a
normalised name are never confused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.ruleset.load import RuleError, load_ruleset
from auditor.scan.deps.packages import package_table
from auditor.scan.runner import scan_paths
from tests.deps_helpers import write

TABLE = package_table(load_ruleset())


def _class(name: str, ecosystem: str) -> str | None:
    verdict = TABLE.lookup(name, ecosystem)
    return None if verdict is None else verdict.class_key


@pytest.mark.parametrize(("name", "ecosystem", "expected"), [
    ("llama_cpp", "cargo", "keep"),          # the Rust crate (normalised llama-cpp)
    ("llama_cpp", "pypi", None),             # ... is not a Python package of the table
    ("llama-cpp", "npm", None),
    ("llama-cpp-python", "pypi", "keep"),
    ("llama-cpp-python", "npm", None),
    ("llama-models", "pypi", "replace"),     # Meta's Python package
    ("llama-models", "npm", None),           # an npm package of that name is someone else's
    ("llamaindex", "npm", "lookalike"),
    ("llamaindex", "pypi", None),
    ("llama-index", "pypi", "lookalike"),
    ("llama-index", "npm", None),
    ("llama-index-readers-web", "pypi", "lookalike"),   # a PyPI prefix row...
    ("llama-index-readers-web", "npm", None),           # ...does not reach npm names
    ("@llamaindex/openai", "npm", "lookalike"),
    ("@llamaindex/openai", "pypi", None),
    ("node-llama-cpp", "npm", "keep"),
    ("node-llama-cpp", "pypi", None),
    ("llama-api-client", "pypi", "replace"),  # each ecosystem has its own row for Meta's client
    ("llama-api-client", "npm", "replace"),
    ("llama-api-client", "cargo", None),
    ("de.kherud:llama", "maven", "keep"),
    ("de.kherud:llama", "pypi", None),
    ("github.com/go-skynet/go-llama.cpp", "golang", "keep"),
    ("github.com/go-skynet/go-llama.cpp", "npm", None),
])
def test_lookup_is_per_ecosystem(name: str, ecosystem: str, expected: str | None) -> None:
    assert _class(name, ecosystem) == expected


def test_the_default_ecosystem_is_pypi() -> None:
    assert TABLE.lookup("llama-models") == TABLE.lookup("llama-models", "pypi")
    assert TABLE.lookup("node-llama-cpp") is None


def test_a_tree_with_the_same_names_in_every_manifest(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "llama_cpp==0.1\nnode-llama-cpp==1.0\nllama-models==0.1.0\n",
        "web/package.json": '{"dependencies": {"llama-models": "1.0.0", "llama_cpp": "1.0.0",\n'
                            '  "llama-api-client": "0.3.0", "llama-cpp-python": "1.0.0"}}\n',
        "rs/Cargo.toml": '[dependencies]\nllama_cpp = "0.3"\nllama-models = "0.1"\n',
    })
    result = scan_paths([tmp_path])
    assert sorted((f.path, f.line, f.column, f.identifier, f.rule_id, f.detail("class"))
                  for f in result.findings) == [
        ("requirements.txt", 3, 1, "llama-models", "LA201", "replace"),
        ("rs/Cargo.toml", 2, 1, "llama_cpp", "LA203", "keep"),
        ("web/package.json", 2, 4, "llama-api-client", "LA201", "replace"),
    ]
    [npm] = [f for f in result.findings if f.path == "web/package.json"]
    assert npm.detail("reason") == TABLE.lookup("llama-api-client", "npm").entry.reason  # type: ignore[union-attr]
    assert "TypeScript" in (npm.detail("reason") or "")


def test_a_user_row_overrides_only_its_own_ecosystem(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text(
        '[[package]]\nname = "llama-models"\necosystem = "npm"\nclass = "review"\n'
        'reason = "our fork"\nsources = ["internal"]\n', encoding="utf-8")
    table = package_table(load_ruleset([tmp_path]))
    assert table.lookup("llama-models", "npm").class_key == "review"  # type: ignore[union-attr]
    assert table.lookup("llama-models").class_key == "replace"  # type: ignore[union-attr]


def test_an_unknown_ecosystem_is_a_rule_error(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[[package]]\nname = "x"\necosystem = "rubygems"\nclass = "keep"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=re.escape(
            "'ecosystem' must be one of ['pypi', 'npm', 'golang', 'cargo', 'maven', 'docker'], "
            "not 'rubygems'")):
        package_table(load_ruleset([tmp_path]))
