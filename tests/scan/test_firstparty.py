"""A repository's own packages are the project itself, not a Meta-only package (issue 18)."""

from __future__ import annotations

from pathlib import Path

from auditor.scan.firstparty import first_party_modules
from auditor.scan.runner import scan_paths


def _project(root: Path) -> None:
    (root / "src" / "llama_cookbook").mkdir(parents=True)
    (root / "src" / "llama_cookbook" / "__init__.py").write_text("", encoding="utf-8")
    (root / "recipes").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "llama-cookbook"\nversion = "1"\n',
                                         encoding="utf-8")
    (root / "recipes" / "train.py").write_text(
        "from llama_cookbook.utils.config_utils import update_config\n"
        "import llama_cookbook\n"
        "from llama_recipes.finetuning import main\n", encoding="utf-8")


def test_first_party_names_from_layout_and_manifest(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "helpers.py").write_text("", encoding="utf-8")
    assert first_party_modules(tmp_path) == frozenset({"llama_cookbook", "helpers"})


def test_own_package_imports_are_not_meta_only(tmp_path: Path) -> None:
    _project(tmp_path)
    result = scan_paths([tmp_path])
    assert [(f.rule_id, f.path, f.line, f.identifier) for f in result.findings] == [
        ("LA104", "recipes/train.py", 3, "llama_recipes.finetuning")]
