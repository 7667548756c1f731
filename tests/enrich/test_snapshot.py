"""The bundled snapshot and the replacement policy: complete, sourced, marked, consistent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.enrich import BUNDLED_SNAPSHOT_DATE, load_bundled, load_snapshot, write_snapshot
from auditor.enrich.candidates import ReplacementPolicy
from auditor.enrich.entries import CatalogError
from auditor.enrich.licenses import LicenseTable
from auditor.enrich.snapshot import catalog_to_dict
from auditor.identify.models import identify
from auditor.ruleset.load import RuleError, RuleSet, load_ruleset
from auditor.types import ModelRef


def test_bundled_snapshot_is_dated_and_every_entry_is_sourced() -> None:
    catalog = load_bundled()
    assert BUNDLED_SNAPSHOT_DATE == catalog.snapshot_date == "2026-11-22"
    assert catalog.source == "bundled snapshot 2026-11-22"
    facts = ("license", "gated", "params_b_total", "context_length", "input_modalities",
             "exists")
    for entry in catalog.entries:
        # an entry no primary source backs says so for every fact (each check shows [?])
        assert entry.sources or all(entry.unconfirmed_note(f) for f in facts), entry.hub_id
        assert entry.metadata_source == "snapshot 2026-11-22"
        assert entry.kind in ("llama", "replacement", "other")
    for derivative in catalog.derivatives:
        assert derivative.sources or derivative.unconfirmed
        base = catalog.get(derivative.base_model)
        assert base is not None and base.kind == "llama"


LLAMA_IDS = [
    "meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-70b-hf", "meta-llama/CodeLlama-7b-hf",
    "meta-llama/CodeLlama-34b-Instruct-hf", "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Llama-3.1-405B-Instruct", "meta-llama/Llama-3.2-1B-Instruct",
    "meta-llama/Llama-3.2-3B", "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "meta-llama/Llama-3.2-90B-Vision", "meta-llama/Llama-3.3-70B-Instruct",
    "meta-llama/Llama-4-Scout-17B-16E-Instruct", "meta-llama/Llama-4-Maverick-17B-128E",
    "meta-llama/Llama-Guard-3-8B", "meta-llama/Llama-Guard-4-12B",
    "meta-llama/Prompt-Guard-86M", "meta-llama/Llama-Prompt-Guard-2-22M",
]
REPLACEMENT_IDS = [
    "google/gemma-4-E2B-it", "google/gemma-4-E4B-it", "google/gemma-4-12B-it",
    "google/gemma-4-26B-A4B-it", "google/gemma-4-31B-it", "Qwen/Qwen3.5-0.8B",
    "Qwen/Qwen3.5-397B-A17B", "Qwen/Qwen3.6-27B", "Qwen/Qwen3.6-35B-A3B", "Qwen/Qwen3.8-27B",
    "Qwen/Qwen3.8-Flash-Next", "mistralai/Mistral-Small-4-119B-2603",
    "mistralai/Mistral-Medium-3.5-128B", "mistralai/Mistral-Large-3-675B-Instruct-2512",
    "mistralai/Ministral-3-3B-Instruct-2512", "mistralai/Devstral-Small-2-24B-Instruct-2512",
]


@pytest.mark.parametrize("hub_id", LLAMA_IDS)
def test_every_llama_generation_is_in_the_catalog(hub_id: str) -> None:
    entry = load_bundled().get(hub_id)
    assert entry is not None and entry.kind == "llama"
    assert entry.license_label in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3",
                                   "llama4")
    assert entry.gated is True


@pytest.mark.parametrize("hub_id", REPLACEMENT_IDS)
def test_current_replacements_are_in_the_catalog(hub_id: str) -> None:
    entry = load_bundled().get(hub_id)
    assert entry is not None and entry.kind == "replacement"
    assert entry.params_b_total is not None and entry.input_modalities


def test_facts_carry_their_numbers() -> None:
    catalog = load_bundled()
    scout = catalog.get("meta-llama/Llama-4-Scout-17B-16E-Instruct")
    assert scout is not None
    assert (scout.params_b_total, scout.params_b_active, scout.context_length,
            scout.input_modalities, scout.license, scout.license_name, scout.ollama_tag) == (
        109.0, 17.0, 10485760, ("text", "image"), "other", "llama4", "llama4:scout")
    e2b = catalog.get("google/gemma-4-E2B-it")
    assert e2b is not None
    assert (e2b.params_b_total, e2b.params_b_active, e2b.context_length, e2b.license,
            e2b.ollama_tag, e2b.release_date) == (5.1, 2.3, 131072, "apache-2.0", "gemma4:e2b",
                                                  "2026-04-02")
    # old repository names still resolve (HF redirects them)
    assert catalog.get("meta-llama/Meta-Llama-3.1-8B-Instruct") is catalog.get(
        "meta-llama/Llama-3.1-8B-Instruct")


@pytest.mark.parametrize("hub_id,field,note", [
    ("meta-llama/Llama-3.3-8B-Instruct", "exists",
     "reported removed from the meta-llama org (LiveCodeBench PR #105)"),
    ("meta-llama/Llama-3.3-8B-Instruct", "license", "not confirmed by a stored source"),
    ("meta-llama/CodeLlama-70b-hf", "release_date", "2024-01-29 (70B, unconfirmed date)"),
    ("meta-llama/Llama-Guard-3-1B", "params_b_total",
     "param count 1.5B from knowledge (unconfirmed)"),
    ("Qwen/Qwen3.8-27B", "license",
     "Qwen README: license file ships with weights; earlier Qwen3.5/3.6 are apache-2.0"),
    ("mistralai/Ministral-3-8B-Instruct-2512", "context_length",
     "256K reported by some third parties"),
    ("google/gemma-4-12B-it", "ollama_tag", "Ollama day-one support reported, tag not seen"),
    ("mistralai/Mistral-Medium-3.5-128B", "license",
     "Hub license id not read; model card and third parties describe a modified MIT license "
     "with a revenue threshold"),
])
def test_unconfirmed_facts_stay_marked(hub_id: str, field: str, note: str) -> None:
    entry = load_bundled().get(hub_id)
    assert entry is not None
    assert entry.unconfirmed_note(field) == note


def test_a_confirmed_fact_is_not_marked() -> None:
    gemma = load_bundled().get("google/gemma-4-31B-it")
    assert gemma is not None
    assert gemma.unconfirmed_note("gated") is None and gemma.gated is False


def test_snapshot_round_trips_through_a_file(tmp_path: Path) -> None:
    catalog = load_bundled()
    path = tmp_path / "copy.json"
    write_snapshot(catalog, path)
    again = load_snapshot(path)
    assert catalog_to_dict(again) == catalog_to_dict(catalog)
    assert json.loads(path.read_text(encoding="utf-8"))["snapshot_date"] == "2026-11-22"
    assert not list(tmp_path.glob(".*tmp*"))


def test_every_policy_candidate_is_a_catalog_replacement() -> None:
    catalog = load_bundled()
    policy = ReplacementPolicy.from_ruleset(load_ruleset())
    for size_class in policy.classes:
        for candidate in size_class.candidates:
            for hub_id in filter(None, (candidate.hub_id, candidate.base_id)):
                entry = catalog.get(hub_id)
                assert entry is not None, hub_id
                assert entry.kind == "replacement", hub_id
                assert entry.hub_id == hub_id  # exact spelling


@pytest.mark.parametrize("raw,class_id", [
    ("meta-llama/Llama-3.2-1B", "text-1b"), ("llama3.2:3b", "text-3b"),
    ("llama2:7b", "text-8b"), ("meta-llama/Meta-Llama-3-8B", "text-8b"),
    ("llama2:13b", "text-13b"), ("huggyllama/llama-30b", "text-30b"),
    ("llama3:70b", "text-70b"), ("llama3.1:405b", "text-405b"),
    ("llama3.2-vision", "vision-11b"), ("llama3.2-vision:90b", "vision-90b"),
    ("codellama:7b", "code-7b"), ("codellama:13b", "code-13b"), ("codellama:34b", "code-34b"),
    ("codellama:70b", "code-70b"), ("llama4:scout", "llama4-scout"),
    ("llama4:maverick", "llama4-maverick"), ("llama-guard3:1b", "guard-small"),
    ("llama-guard3:8b", "guard-8b"), ("meta-llama/LlamaGuard-7b", "guard-8b"),
    ("meta-llama/Llama-Guard-3-11B-Vision", "guard-vision"),
    ("meta-llama/Llama-Guard-4-12B", "guard-vision"),
    ("meta-llama/Llama-Prompt-Guard-2-22M", "prompt-guard"),
])
def test_size_classes_cover_every_llama_size(raw: str, class_id: str) -> None:
    ref = identify(raw, load_ruleset())
    assert ref is not None
    entry = load_bundled().get(ref.canonical_id)
    inputs = entry.input_modalities if entry is not None else ("text",)
    size_class = ReplacementPolicy.from_ruleset(load_ruleset()).class_for(ref, inputs)
    assert size_class is not None and size_class.id == class_id


def _ruleset(sections: dict[str, Any]) -> RuleSet:
    base = load_ruleset()
    merged = dict(base.sections)
    merged.update(sections)
    return RuleSet(rules=base.rules, sections=merged, version="test")


@pytest.mark.parametrize("sections,message", [
    ({"replacement_class": [{"id": "x", "label": "x", "why": "x", "fit_total_b": [1, 2],
                             "candidate": [{"family": "llama", "id": "a/b"}]}]},
     "[[replacement_class]] x: candidate family 'llama' is not one of"),
    ({"replacement_class": [{"id": "x", "label": "x", "why": "x", "fit_total_b": [2, 1]}]},
     "[[replacement_class]] x fit_total_b must be [low, high] numbers"),
    ({"replacement_class": [{"id": "x", "label": "x", "why": "x", "fit_total_b": [1, 2],
                             "colour": "red"}]},
     "[[replacement_class]] x: unknown keys ['colour']"),
    ({"replacement_runtimes": {"ollama": "carrier-pigeon"}},
     "[replacement_runtimes] ollama = 'carrier-pigeon': must be one of"),
])
def test_policy_errors_name_the_table(sections: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError) as caught:
        ReplacementPolicy.from_ruleset(_ruleset(sections))
    assert str(caught.value).startswith(message)


def test_license_table_errors_name_the_table() -> None:
    with pytest.raises(RuleError, match=r"^\[\[llama_license\]\] llama9: 'obligations' must "
                                        r"be a list of tables$"):
        LicenseTable.from_ruleset(_ruleset({"llama_license": [{"id": "llama9"}]}))
    with pytest.raises(RuleError, match=r"^\[\[llama_license\]\] llama9: missing or invalid "
                                        r"key 'name'$"):
        LicenseTable.from_ruleset(_ruleset({"llama_license": [{"id": "llama9",
                                                               "obligations": []}]}))


def test_license_for_a_model_without_version() -> None:
    table = LicenseTable.from_ruleset(load_ruleset())
    ref = ModelRef(family="Llama (version not stated)", variant="base", runtime="model-name",
                   size="7B", params_b=7.0)
    facts = table.for_model(ref, None)
    assert facts.license is None
    assert facts.name == "a Llama community license (version not stated in the identifier)"
    assert facts.details()[0] == ("llama_license", facts.name)


def test_a_snapshot_whose_hub_id_could_break_out_of_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tampered.json"
    write_snapshot(load_bundled(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"][0]["hub_id"] = "google/gemma-4-E4B-it; touch X #\nRUN touch Y"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_snapshot(path)
    assert str(caught.value).endswith("hub_id is not a Hub repository id (owner/name)")
