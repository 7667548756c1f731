"""A config's Llama tokenizer or class name is Llama evidence only where its model could be
Meta's (axolotl's examples: 28 LA304 findings were Mistral, Mixtral, Yi, Falcon-E and
OpenLLaMA configs, whose own architecture uses those names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.scan.runner import scan_paths

TRAINING = "learning_rate: 0.0002\nmicro_batch_size: 2\nnum_epochs: 1\n"


def _rows(root: Path, base_model: str) -> list[tuple[int, str, str | None]]:
    root.mkdir()
    (root / "train.yml").write_text(
        f"base_model: {base_model}\nmodel_type: LlamaForCausalLM\n"
        f"tokenizer_type: LlamaTokenizer\n{TRAINING}", encoding="utf-8")
    return [(f.line, f.rule_id, f.identifier) for f in scan_paths([root]).findings]


@pytest.mark.parametrize("base_model", ["mistralai/Mistral-7B-v0.1", "01-ai/Yi-34B-Chat",
                                        "mistralai/Mixtral-8x7B-v0.1"])
def test_another_familys_config_declares_its_own_architecture(tmp_path: Path,
                                                              base_model: str) -> None:
    assert _rows(tmp_path / "repo", base_model) == []


def test_a_llama_architecture_model_not_trained_by_meta_is_reported_once(tmp_path: Path) -> None:
    assert _rows(tmp_path / "repo", "openlm-research/open_llama_3b_v2") == [
        (1, "LA109", "openlm-research/open_llama_3b_v2")]


def test_an_unidentified_model_keeps_its_architecture_evidence(tmp_path: Path) -> None:
    assert _rows(tmp_path / "repo", "my-org/private-model") == [
        (2, "LA304", "LlamaForCausalLM"), (3, "LA304", "LlamaTokenizer")]


def test_a_meta_model_keeps_its_architecture_lines(tmp_path: Path) -> None:
    assert _rows(tmp_path / "repo", "meta-llama/Llama-3.1-8B") == [
        (1, "LA401", "meta-llama/Llama-3.1-8B"), (2, "LA304", "LlamaForCausalLM"),
        (3, "LA304", "LlamaTokenizer")]
