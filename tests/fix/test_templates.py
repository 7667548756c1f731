"""Template selections follow the model to a registered template, or stay with the reason
(``auditor/fix/templates.py``, ``rules/templates.toml``)."""

from __future__ import annotations

from pathlib import Path

from tests.fix_helpers import git, run_fix

REGISTRY = '''def register_template(name, format_user=None):
    TEMPLATES[name] = format_user


TEMPLATES = {}
register_template(
    name="llama3",
    format_user="user: {content}",
)
register_template(name="gemma4", format_user="turn user: {content}")
'''

TRAIN = '''from lf.template import TEMPLATES

MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def get_template(name):
    return TEMPLATES[name]


template = get_template(name="llama3")
if MODEL.endswith("Instruct") and template != "llama3":
    pass
'''


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def _lines(err: str, path: str) -> list[str]:
    """The outcome lines of ``path`` (not the re-scan's list after ``--write``)."""
    outcomes = err.split("After the rewrite", 1)[0]
    return [line.strip() for line in outcomes.splitlines() if line.strip().startswith(path)]


def test_a_selection_moves_to_the_template_the_project_registers(tmp_path: Path) -> None:
    root = _repo(tmp_path / "app", {"lf/__init__.py": "", "lf/template.py": REGISTRY,
                                    "train.py": TRAIN})
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    text = (root / "train.py").read_text(encoding="utf-8")
    assert 'MODEL = "google/gemma-4-E4B-it"' in text
    assert 'template = get_template(name="gemma4")' in text
    # a comparison is not a selection; the registrations are never renamed
    assert 'template != "llama3"' in text
    assert (root / "lf" / "template.py").read_text(encoding="utf-8") == REGISTRY
    assert _lines(run.err, "train.py:10:") == [
        "train.py:10:30  LA108  'llama3' -> 'gemma4' (template registered for Gemma 4 at "
        "lf/template.py:10)"]
    assert _lines(run.err, "train.py:11:") == [
        "train.py:11:47  LA108  Chat template 'llama3' selected by name (name): it formats "
        "prompts the Llama way; left as it is: it is compared with or listed among template "
        "names, not a selection: change it by hand if the code should handle the new one"]
    assert _lines(run.err, "lf/template.py:7:") == [
        "lf/template.py:7:10  LA108  Chat template 'llama3' selected by name (name): it formats "
        "prompts the Llama way; left as it is: it registers the template: a registration is "
        "never renamed (other code selects it by this name)"]


def test_no_registered_template_for_the_family_leaves_it_with_the_reason(tmp_path: Path) -> None:
    registry = REGISTRY.replace('register_template(name="gemma4", format_user="turn user: '
                                '{content}")\n', "")
    root = _repo(tmp_path / "app", {"lf/__init__.py": "", "lf/template.py": registry,
                                    "train.py": TRAIN})
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    text = (root / "train.py").read_text(encoding="utf-8")
    assert 'MODEL = "google/gemma-4-E4B-it"' in text
    assert 'template = get_template(name="llama3")' in text
    assert _lines(run.err, "train.py:10:") == [
        "train.py:10:30  LA108  Chat template 'llama3' selected by name (name): it formats "
        "prompts the Llama way; left as it is: no Gemma 4 template is registered in this "
        "project or a library it uses (looked for gemma4): register one, then select it here"]


def test_a_library_the_project_imports_supplies_the_name(tmp_path: Path) -> None:
    train = ('from llamafactory.data import get_template_and_fix_tokenizer\n'
             'from llamafactory.hparams import DataArguments\n\n'
             'MODEL = "meta-llama/Llama-3.1-8B-Instruct"\n'
             'template = get_template_and_fix_tokenizer(None, DataArguments(template="llama3"))\n')
    root = _repo(tmp_path / "app", {"train.py": train})
    run = run_fix([".", "--write", "--to", "qwen"], root)
    assert run.code == 0, run.err
    text = (root / "train.py").read_text(encoding="utf-8")
    assert 'MODEL = "Qwen/Qwen3.5-9B"' in text
    assert 'DataArguments(template="qwen3_5"))' in text
    assert _lines(run.err, "train.py:5:") == [
        "train.py:5:72  LA108  'llama3' -> 'qwen3_5' (template registered for Qwen3.5 at "
        "LLaMA-Factory (https://github.com/hiyouga/LLaMA-Factory/blob/"
        "ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/template.py))"]


def test_a_yaml_config_moves_with_its_model(tmp_path: Path) -> None:
    config = ("model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct\n"
              "stage: sft\ndo_train: true\nfinetuning_type: lora\n"
              "dataset: identity\ntemplate: llama3\n")
    root = _repo(tmp_path / "app", {"lf/__init__.py": "", "lf/template.py": REGISTRY,
                                    "infer.yaml": config})
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    assert (root / "infer.yaml").read_text(encoding="utf-8") == config.replace(
        "meta-llama/Meta-Llama-3-8B-Instruct", "google/gemma-4-E4B-it").replace(
        "template: llama3", "template: gemma4")
    assert _lines(run.err, "infer.yaml:6:") == [
        "infer.yaml:6:11  LA306  'llama3' -> 'gemma4' (template registered for Gemma 4 at "
        "lf/template.py:10)"]


def test_a_training_config_names_the_template_to_select_when_retrained(tmp_path: Path) -> None:
    config = ("model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct\n"
              "stage: sft\nlearning_rate: 1.0e-4\nfinetuning_type: lora\n"
              "dataset: identity\ntemplate: llama3\n")
    root = _repo(tmp_path / "app", {"lf/__init__.py": "", "lf/template.py": REGISTRY,
                                    "train_lora.yaml": config})
    run = run_fix([".", "--write"], root)
    assert (root / "train_lora.yaml").read_text(encoding="utf-8") == config
    assert _lines(run.err, "train_lora.yaml:6:") == [
        "train_lora.yaml:6:11  LA306  Chat template 'llama3' (key template) formats prompts the "
        "Llama way. Use the replacement's template name, or the tokenizer's own chat template "
        "(tokenizer_default / apply_chat_template); left as it is: the model of this file is "
        "retrained, not swapped: when you retrain on google/gemma-4-E4B-it, select 'gemma4' "
        "(registered for Gemma 4 at lf/template.py:10)"]


def test_models_of_two_families_in_one_file_leave_the_template(tmp_path: Path) -> None:
    train = TRAIN.replace('MODEL = "meta-llama/Llama-3.1-8B-Instruct"\n',
                          'MODEL = "meta-llama/Llama-3.1-8B-Instruct"\n'
                          'DRAFT = "meta-llama/Llama-3.2-1B-Instruct"\n')
    root = _repo(tmp_path / "app", {"lf/__init__.py": "", "lf/template.py": REGISTRY,
                                    "train.py": train})
    run = run_fix([".", "--write", "--model",
                   "meta-llama/Llama-3.2-1B-Instruct=Qwen/Qwen3.5-0.8B"], root)
    assert run.code == 0, run.err
    assert 'template = get_template(name="llama3")' in (root / "train.py").read_text(
        encoding="utf-8")
    assert _lines(run.err, "train.py:11:30") == [
        "train.py:11:30  LA108  Chat template 'llama3' selected by name (name): it formats "
        "prompts the Llama way; left as it is: the family of the replacement Qwen/Qwen3.5-0.8B "
        "is not known, so its template cannot be chosen: select it by hand"]


def test_a_model_swapped_in_another_function_does_not_move_the_selection(
        tmp_path: Path) -> None:
    # LLaMA-Factory's tests: one test swaps a Meta model id, the others select "llama3" for a
    # tokenizer that stays Llama; moving theirs would break them
    tests = ('from lf.template import TEMPLATES\n\n\n'
             'def get_template(name):\n    return TEMPLATES[name]\n\n\n'
             'def test_tiny():\n    return get_template(name="llama3")\n\n\n'
             'def test_meta():\n    return "meta-llama/Llama-3.1-8B-Instruct"\n')
    root = _repo(tmp_path / "app", {"lf/__init__.py": "", "lf/template.py": REGISTRY,
                                    "test_template.py": tests})
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    assert (root / "test_template.py").read_text(encoding="utf-8") == tests.replace(
        "meta-llama/Llama-3.1-8B-Instruct", "google/gemma-4-E4B-it")
    assert _lines(run.err, "test_template.py:9:") == [
        "test_template.py:9:30  LA108  Chat template 'llama3' selected by name (name): it "
        "formats prompts the Llama way; left as it is: no model reference beside it (its "
        "function, or its file) is swapped: the template follows the model, so change it when "
        "you change the model"]
