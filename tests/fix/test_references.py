"""What other files of the project rely on is not rewritten on one side only (both found by
benchmarks/fixcheck on llama-cookbook): a Llama class another file reaches through the
rewritten module (``patch("pkg.train.LlamaForCausalLM.from_pretrained")``: 29 tests failed
with AttributeError), and a value whose identical string is a kept dict key (a KeyError)."""

from __future__ import annotations

from pathlib import Path

from auditor.fix.references import ExternalReferences, module_names
from auditor.pipeline import audit
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


def test_a_value_that_is_also_a_kept_dict_key_is_left(tmp_path: Path) -> None:
    """llama-cookbook: conftest's parameter list and another file's dict keyed by the same ids;
    swapping the list alone makes ``EXPECTED[version]`` raise KeyError."""
    root = tmp_path / "p"
    (root / "tests").mkdir(parents=True)
    conftest = 'VERSIONS = ["meta-llama/Llama-2-7b-hf", "fake_llama"]\n'
    test = ('from conftest import VERSIONS\n\nEXPECTED = {"meta-llama/Llama-2-7b-hf": 32000}\n\n\n'
            "def test_vocab():\n    assert EXPECTED[VERSIONS[0]] == 32000\n")
    (root / "tests" / "conftest.py").write_text(conftest, encoding="utf-8")
    (root / "tests" / "test_vocab.py").write_text(test, encoding="utf-8")
    run = run_fix([".", "--write"], git_repo(root))
    assert run.code == 1, run.err
    assert (root / "tests" / "conftest.py").read_text(encoding="utf-8") == conftest
    assert (root / "tests" / "test_vocab.py").read_text(encoding="utf-8") == test
    left = run.err.split("Not replaced (swaps that need your decision) (1):\n", 1)[1]
    assert left.splitlines()[0] == (
        "  tests/conftest.py:1:13  LA101  'meta-llama/Llama-2-7b-hf' is also a dict key at "
        "tests/test_vocab.py:3, which is kept: swapping this copy alone breaks the lookup; "
        "rename both by hand, or neither")


def test_a_weights_file_name_is_left_and_the_plan_says_why(tmp_path: Path) -> None:
    """A file the code reads (llama2.c's ``llama2_7b.bin``, a GGML ``.bin``) is not replaced by
    a repository id; the Hub id beside it is, and the scan's plan agrees (effort ``adapt``)."""
    source = ('import subprocess\n\nCHECKPOINT = "llama2_7b.bin"\n'
              'subprocess.run(["./run", CHECKPOINT], check=True)\n'
              'WEIGHTS = "./models/llama-7B/ggml-model.bin"\n'
              'MODEL = "meta-llama/Llama-2-7b-hf"\n')
    root = tmp_path / "app"
    root.mkdir()
    (root / "run.py").write_text(source, encoding="utf-8")
    planned = audit([root]).result.findings
    assert [(f.line, f.identifier, f.effort.value) for f in planned] == [
        (3, "llama2_7b.bin", "adapt"), (5, "./models/llama-7B/ggml-model.bin", "adapt"),
        (6, "meta-llama/Llama-2-7b-hf", "swap")]
    run = run_fix([".", "--write"], git_repo(root))
    assert run.code == 1, run.err  # the two files are left: a person decides

    text = (root / "run.py").read_text(encoding="utf-8")
    assert 'CHECKPOINT = "llama2_7b.bin"' in text
    assert 'WEIGHTS = "./models/llama-7B/ggml-model.bin"' in text
    assert 'MODEL = "google/gemma-4-E4B"' in text
    assert "  run.py:3:14  LA101  google/gemma-4-E4B: 'llama2_7b.bin' is a weights file the " \
           "code reads, and google/gemma-4-E4B names no file: writing it there would load " \
           "nothing; put the replacement's weights in this format where the code reads " \
           "them, then pass --model OLD=NEW" in run.err.splitlines()
    remaining = run.err[run.err.index("After the rewrite"):].splitlines()
    assert remaining == [
        "After the rewrite the scan finds 2 finding(s), 0 of them swaps; 2 model reference(s) "
        "left for your decision (\"Not replaced\"):",
        "  adapt (2):",
        "    run.py:8:14  LA101  Llama model 'llama2_7b.bin' (Llama 2 7B) is named here",
        "    run.py:15:11  LA101  Llama model './models/llama-7B/ggml-model.bin' (Llama (version "
        "not stated) 7B) is named here"]  # below the todo comments fix wrote
