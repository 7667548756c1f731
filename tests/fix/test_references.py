"""A Llama class that another file reaches through the rewritten module (a test's
``patch("pkg.train.LlamaForCausalLM.from_pretrained")``) is not renamed: found on
llama-cookbook, where 29 tests failed with AttributeError after ``fix --write``."""

from __future__ import annotations

from pathlib import Path

from auditor.fix.references import ExternalReferences, module_names
from tests.fix_helpers import git_repo, run_fix

TRAIN = ("from transformers import LlamaForCausalLM\n\n\n"
         "def load(path):\n    return LlamaForCausalLM.from_pretrained(path)\n")
TEST = ("from unittest.mock import patch\n\nfrom pkg.train import load\n\n\n"
        '@patch("pkg.train.LlamaForCausalLM.from_pretrained")\n'
        "def test_load(from_pretrained):\n    assert load('x') is from_pretrained.return_value\n")


def _project(root: Path, *, with_test: bool) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "train.py").write_text(TRAIN, encoding="utf-8")
    if with_test:
        (root / "tests").mkdir()
        (root / "tests" / "test_train.py").write_text(TEST, encoding="utf-8")
    return git_repo(root)


def test_a_class_patched_through_the_module_is_left_with_the_place_named(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", with_test=True)
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    assert (root / "pkg" / "train.py").read_text(encoding="utf-8") == (
        "from transformers import LlamaForCausalLM\n\n\n"
        "def load(path):\n"
        "    # llama-audit: todo[LA103] LlamaForCausalLM is used through this module by\n"
        "    #   tests/test_train.py:6 (a mock patch or an import): rename it there too; "
        "LlamaForCausalLM\n"
        "    #   only loads Llama checkpoints and this use cannot be rewritten automatically: "
        "use\n"
        "    #   AutoModelForCausalLM.from_pretrained(...) or "
        "AutoModelForCausalLM.from_config(...).\n"
        "    return LlamaForCausalLM.from_pretrained(path)\n")
    assert (root / "tests" / "test_train.py").read_text(encoding="utf-8") == TEST


def test_without_such_a_use_the_class_is_still_renamed(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", with_test=False)
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    assert (root / "pkg" / "train.py").read_text(encoding="utf-8") == (
        "from transformers import AutoModelForCausalLM\n\n\n"
        "def load(path):\n    return AutoModelForCausalLM.from_pretrained(path)\n")


def test_module_names_are_the_dotted_suffixes_of_two_parts_or_more() -> None:
    assert module_names("src/pkg/train.py") == ["src.pkg.train", "pkg.train"]
    assert module_names("src/pkg/__init__.py") == ["src.pkg"]
    assert module_names("train.py") == []
    assert module_names("my-scripts/pkg/train.py") == ["pkg.train"]
    assert module_names("pkg/train.sh") == []


def test_find_reads_attribute_paths_and_from_imports_only_of_that_module(
        tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    files = {
        "pkg/train.py": "from transformers import LlamaForCausalLM\n",
        "a.py": "import pkg.trainer\npkg.trainer.LlamaForCausalLM\nxpkg.train.LlamaForCausalLM\n",
        "b.py": "x = 1\nfrom pkg.train import (\n    load,\n    LlamaForCausalLM,\n)\n",
        "node_modules/c.py": "pkg.train.LlamaForCausalLM\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    refs = ExternalReferences({"r": tmp_path})
    assert refs.find("r", "pkg/train.py", "LlamaForCausalLM") == "b.py:2"
    assert refs.find("r", "pkg/train.py", "LlamaModel") is None
    (tmp_path / "b.py").unlink()
    assert ExternalReferences({"r": tmp_path}).find("r", "pkg/train.py",
                                                    "LlamaForCausalLM") is None
