"""Strings that name Llama but whose rewrite would change what the program means, found by
``fix --write`` trials on real repositories: fix leaves them, and says why."""

from __future__ import annotations

from pathlib import Path

from auditor.pipeline import audit
from tests.fix_helpers import git_repo, run_fix

# huggingface/trl examples/datasets/ultrafeedback.py, in shape: the names are the values of a
# dataset's "models" column, filtered on; rewriting them made the script build an empty dataset
CHOICES = '''\
from dataclasses import dataclass, field

from transformers import AutoModelForCausalLM


@dataclass
class ScriptArguments:
    model_name: str = field(default="gpt-3.5-turbo", metadata={
        "help": "Model whose completions are kept",
        "choices": ["alpaca-7b", "gpt-4", "llama-2-13b-chat", "llama-2-7b-chat"]})


def keep(example, args):
    return args.model_name in example["models"]


model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-7b-chat-hf")
'''

# axolotl: a training command names its config file, and the config file is named after Llama
CONFIG_PATH = '''\
import subprocess

subprocess.run(["axolotl", "train", "examples/ebft/llama-3b-ebft-strided-fft.yaml"], check=True)
'''


def _project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return git_repo(root)


def test_the_choices_of_an_option_are_left_and_the_loader_is_swapped(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", {"ultrafeedback.py": CHOICES})
    findings = audit([root]).result.findings
    assert [(f.line, f.column, f.identifier, f.severity.value, f.effort.value,
             f.role.value if f.role else None) for f in findings] == [
        (10, 43, "llama-2-13b-chat", "high", "adapt", "option-value"),
        (10, 63, "llama-2-7b-chat", "high", "adapt", "option-value"),
        (17, 9, "meta-llama/Llama-2-7b-chat-hf", "high", "swap", "model-reference")]
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    text = (root / "ultrafeedback.py").read_text(encoding="utf-8")
    assert '"choices": ["alpaca-7b", "gpt-4", "llama-2-13b-chat", "llama-2-7b-chat"]})' in text
    assert 'from_pretrained("google/gemma-4-E4B-it")' in text
    assert ("  ultrafeedback.py:10:43  LA101  'llama-2-13b-chat' is one of the values a "
            "command-line option accepts (or its default, which must stay one of them): "
            "rewriting it changes what the option accepts, and code may compare it with data; "
            "add the replacement to the choices by hand if the code loads what is chosen"
            ) in run.err.splitlines()


def test_a_config_file_named_after_llama_is_not_a_model(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", {"train.py": CONFIG_PATH})
    assert audit([root]).result.findings == ()
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    assert (root / "train.py").read_text(encoding="utf-8") == CONFIG_PATH


# instructor: provider SDK clients and its own "provider/model" strings
PROVIDERS = '''\
import instructor
from cerebras.cloud.sdk import Cerebras

client = instructor.from_cerebras(Cerebras(), mode=instructor.Mode.TOOLS)
reply = client.chat.completions.create(model="llama3.1-70b", messages=[])
routed = instructor.from_provider("fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct")
'''


def test_a_provider_sdk_client_and_a_provider_prefix_keep_the_provider(tmp_path: Path) -> None:
    """A Hugging Face id there would go to a provider that does not serve it (Cerebras), or
    to another provider altogether (instructor routes by the part before the first '/')."""
    root = _project(tmp_path / "app", {"providers.py": PROVIDERS})
    findings = audit([root]).result.findings
    assert [(f.line, f.identifier, f.effort.value, f.model.provider if f.model else None,
             f.model.runtime if f.model else None) for f in findings] == [
        (5, "llama3.1-70b", "adapt", "cerebras", "cerebras"),
        (6, "fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct", "adapt", "fireworks",
         "fireworks")]
    run = run_fix([".", "--write"], root)
    assert run.code == 1, run.err  # both are left for a person: no listed replacement
    text = (root / "providers.py").read_text(encoding="utf-8")
    assert 'create(model="llama3.1-70b", messages=[])' in text
    assert 'from_provider("fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct")' in text
    assert "Not replaced (swaps that need your decision) (2):" in run.err


# axolotl examples: a training config names its run and its upload after the model
TRAINING = '''\
base_model: meta-llama/Llama-3.1-8B-Instruct
chat_template: llama3
adapter: lora
learning_rate: 0.0002
micro_batch_size: 2
num_epochs: 1
datasets:
  - path: tatsu-lab/alpaca
    type: alpaca
wandb_name: llama3-8b-lora-run
swanlab_experiment_name: llama-3.2-1b-profiling-demo
hub_model_id: acme/llama3-8b-sft
'''


def test_a_run_name_and_an_upload_target_are_not_fine_tunes(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", {"train.yml": TRAINING})
    findings = audit([root]).result.findings
    assert [(f.line, f.rule_id, f.identifier) for f in findings] == [
        (1, "LA401", "meta-llama/Llama-3.1-8B-Instruct"), (2, "LA306", "llama3")]
    run = run_fix(["."], root)
    template = next(line for line in run.err.splitlines() if "LA306" in line)
    assert "apply_chat_template); left as it is: the model of this file is retrained" in template


ENUM = '''\
from enum import Enum


class ChatTemplate(str, Enum):
    llama3 = "llama3"
    gemma4 = "gemma4"
    qwen3_5 = "qwen3_5"
'''


def test_an_enum_of_chat_templates_registers_its_members(tmp_path: Path) -> None:
    """axolotl lists its chat templates as an enum (``ChatTemplate``), not with
    ``register_template``: the advice names the registered template instead of asking the
    user to register one."""
    root = _project(tmp_path / "app", {"train.yml": TRAINING, "enums.py": ENUM})
    run = run_fix(["."], root)
    template = next(line for line in run.err.splitlines() if "LA306" in line)
    assert template.endswith("when you retrain on google/gemma-4-E4B-it, select 'gemma4' "
                             "(registered for Gemma 4 at enums.py:6)")
    assert (root / "enums.py").read_text(encoding="utf-8") == ENUM


# guidance tests/need_credentials/test_chat_templates.py and instructor's KnownModelName, in shape
COLLECTIONS = '''\
from typing import Literal

import pytest

KnownModel = Literal["meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Llama-2-7b-chat-hf"]


@pytest.mark.parametrize("model_id", [
    "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Llama-2-7b-chat-hf",
    "microsoft/Phi-3-mini-4k-instruct",
])
def test_template(model_id):
    assert model_id


@pytest.mark.parametrize(("model_id", "supported"), [
    ("meta-llama/Meta-Llama-3-8B-Instruct", True),
    ("meta-llama/Llama-2-7b-chat-hf", True),
])
def test_supported(model_id, supported):
    assert supported


MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"
'''


def test_two_elements_of_one_collection_are_not_made_equal(tmp_path: Path) -> None:
    """Llama 3 8B and Llama 2 7B share a replacement: swapped in one list they would be one
    test case twice, and the Literal would lose a member. They are left; the lone constant
    is swapped."""
    root = _project(tmp_path / "app", {"test_models.py": COLLECTIONS})
    run = run_fix([".", "--write"], root)
    assert run.code == 1, run.err  # six references are left for a person
    assert "fix: 1 rewrite(s) in 1 file(s), 6 swap(s) not replaced" in run.err
    assert "still found" not in run.err  # the same ids are left elsewhere in the file
    text = (root / "test_models.py").read_text(encoding="utf-8")
    assert 'MODEL = "google/gemma-4-E4B-it"' in text
    assert text.count('"meta-llama/Meta-Llama-3-8B-Instruct"') == 3  # rows of one list too
    assert text.count('"meta-llama/Llama-2-7b-chat-hf"') == 3
    assert ("  test_models.py:9:5  LA101  'meta-llama/Meta-Llama-3-8B-Instruct' and "
            "'meta-llama/Llama-2-7b-chat-hf' in one list would both be 'google/gemma-4-E4B-it': "
            "it would hold the same entry twice (a duplicated test case, a Literal or set that "
            "loses a member); give each its own replacement with --model OLD=NEW"
            ) in run.err.splitlines()
    again = run_fix([".", "--write", "--allow-dirty", "--model",
                     "meta-llama/Llama-2-7b-chat-hf=Qwen/Qwen3.5-9B"], root)
    assert again.code == 0, again.err
    assert text.count("Qwen/Qwen3.5-9B") == 0  # the first run wrote none
    assert (root / "test_models.py").read_text(encoding="utf-8").count("Qwen/Qwen3.5-9B") == 3


def test_the_retrain_step_of_a_re_upload_names_the_plans_replacement(tmp_path: Path) -> None:
    """axolotl's NousResearch/Llama-2-7b-hf configs: scan names google/gemma-4-E4B for them,
    and the manual step now says so too (it named no base)."""
    config = TRAINING.replace("meta-llama/Llama-3.1-8B-Instruct", "NousResearch/Llama-2-7b-hf")
    root = _project(tmp_path / "app", {"train.yml": config})
    run = run_fix(["."], root)
    step = next(line for line in run.err.splitlines() if "LA401" in line)
    assert step.endswith("fine-tunes and adapters are never rewritten; retrain it on "
                         "google/gemma-4-E4B (the plan's replacement) with the same data and "
                         "point this file at the new base")


def test_a_model_override_that_rewrites_nothing_says_so(tmp_path: Path) -> None:
    """axolotl: ``--model`` naming a training config's base was silently ignored."""
    root = _project(tmp_path / "app", {"train.yml": TRAINING})
    run = run_fix([".", "--model", "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B"], root)
    assert run.code == 0, run.err
    assert ("  --model meta-llama/Llama-3.1-8B-Instruct=...: not applied: fix rewrites none of "
            "the findings that name it (a fine-tune or adapter's base is retrained, a label or "
            "path kept: see the manual steps)") in run.err.splitlines()


def test_a_collection_after_non_ascii_text_on_its_line_is_guarded_too(tmp_path: Path) -> None:
    """``ast`` counts columns in UTF-8 bytes, findings in characters."""
    text = ('IDS = ["modèle", "meta-llama/Meta-Llama-3-8B-Instruct", '
            '"meta-llama/Llama-2-7b-chat-hf"]\n')
    root = _project(tmp_path / "app", {"ids.py": text})
    run = run_fix(["."], root)
    assert "fix: 0 rewrite(s) in 1 file(s), 2 swap(s) not replaced" in run.err  # notes only
