"""Replacement plans from the bundled snapshot: one per Llama size class, with every check."""

from __future__ import annotations

import pytest

from auditor.enrich import EnrichOptions, load_bundled, open_session
from auditor.enrich.query import NotLlamaError, Query, plan_for_identifier
from auditor.types import Suggestion

SNAPSHOT = "bundled snapshot 2026-11-22"
CHECK_NAMES = ["exists", "license", "gated", "parameters", "context_length", "modalities",
               "runtime_format"]


def plan(raw: str, **options: object) -> Query:
    return plan_for_identifier(raw, open_session(EnrichOptions(**options)))  # type: ignore[arg-type]


def check(suggestion: Suggestion, name: str) -> tuple[bool | None, str]:
    for c in suggestion.checks:
        if c.name == name:
            return c.passed, c.detail
    raise AssertionError(name)


def verdicts(suggestion: Suggestion) -> dict[str, bool | None]:
    return {c.name: c.passed for c in suggestion.checks}


# (identifier, class id, [(suggested hub id, failed checks)], families without a candidate)
SIZE_CLASSES = [
    ("meta-llama/Llama-3.2-1B-Instruct", "text-1b", [
        ("google/gemma-4-E2B-it", []), ("Qwen/Qwen3.5-2B", []),
        ("mistralai/Ministral-3-3B-Instruct-2512", ["parameters"])], []),
    ("llama3.2:3b", "text-3b", [
        ("google/gemma-4-E4B-it", []), ("Qwen/Qwen3.5-4B", []),
        ("mistralai/Ministral-3-3B-Instruct-2512", [])], []),
    ("meta-llama/Llama-3.1-8B-Instruct", "text-8b", [
        ("google/gemma-4-E4B-it", []), ("Qwen/Qwen3.5-9B", []),
        ("mistralai/Ministral-3-8B-Instruct-2512", [])], []),
    ("meta-llama/Llama-3.2-11B-Vision-Instruct", "vision-11b", [
        ("google/gemma-4-12B-it", []), ("Qwen/Qwen3.5-9B", []),
        ("mistralai/Ministral-3-14B-Instruct-2512", [])], []),
    ("meta-llama/Llama-3.3-70B-Instruct", "text-70b", [
        ("google/gemma-4-31B-it", []), ("Qwen/Qwen3.5-122B-A10B", []),
        ("mistralai/Mistral-Small-4-119B-2603", [])], []),
    # without --prefer the candidates that pass most checks come first (families in policy
    # order among equals): Gemma's largest is too small for the 405B class
    ("meta-llama/Llama-3.1-405B-Instruct", "text-405b", [
        ("Qwen/Qwen3.5-397B-A17B", []), ("mistralai/Mistral-Large-3-675B-Instruct-2512", []),
        ("google/gemma-4-31B-it", ["parameters"])], []),
    # no open replacement reaches Scout's 10M or Maverick's 1M native context: every
    # candidate says so, and each family offers its next candidate too
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4-scout", [
        ("google/gemma-4-26B-A4B-it", ["context_length"]),
        ("google/gemma-4-31B-it", ["context_length"]),
        ("Qwen/Qwen3.5-122B-A10B", ["context_length"]),
        ("Qwen/Qwen3.6-35B-A3B", ["context_length"]),
        ("mistralai/Mistral-Small-4-119B-2603", ["context_length"])], []),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "llama4-maverick", [
        ("Qwen/Qwen3.5-397B-A17B", ["context_length"]),
        ("Qwen/Qwen3.8-Flash-Next", ["context_length"]),
        ("mistralai/Mistral-Large-3-675B-Instruct-2512", ["context_length"]),
        ("mistralai/Mistral-Small-4-119B-2603", ["context_length"]),
        ("google/gemma-4-31B-it", ["parameters", "context_length"])], []),
    ("meta-llama/CodeLlama-7b-Instruct-hf", "code-7b", [
        ("google/gemma-4-E4B-it", []), ("Qwen/Qwen3.5-9B", []),
        ("mistralai/Mamba-Codestral-7B-v0.1", [])], []),
    ("meta-llama/CodeLlama-34b-Instruct-hf", "code-34b", [
        ("google/gemma-4-31B-it", []), ("Qwen/Qwen3-Coder-30B-A3B-Instruct", []),
        ("mistralai/Devstral-Small-2-24B-Instruct-2512", [])], []),
    ("meta-llama/Llama-Guard-3-8B", "guard-8b", [
        ("Qwen/Qwen3Guard-Gen-8B", ["context_length"]),
        ("Qwen/Qwen3Guard-Gen-4B", ["context_length"]),
        ("google/shieldgemma-9b", ["license", "gated", "context_length"])], ["Mistral"]),
    ("meta-llama/Llama-Guard-3-1B", "guard-small", [
        ("Qwen/Qwen3Guard-Gen-0.6B", ["context_length"]),
        ("Qwen/Qwen3Guard-Gen-4B", ["context_length"]),
        ("google/shieldgemma-2b", ["license", "gated", "context_length"])], ["Mistral"]),
    # a guard that cannot read images cannot do Llama Guard 4's job: ranked after one with
    # license and gating costs
    ("meta-llama/Llama-Guard-4-12B", "guard-vision", [
        ("google/shieldgemma-2-4b-it", ["license", "gated"]),
        ("Qwen/Qwen3Guard-Gen-8B", ["modalities"])], ["Mistral"]),
    ("meta-llama/Prompt-Guard-86M", "prompt-guard", [
        ("Qwen/Qwen3Guard-Gen-0.6B", [])], ["Gemma", "Mistral"]),
]


@pytest.mark.parametrize("raw,class_id,expected,gaps", SIZE_CLASSES,
                         ids=[row[1] for row in SIZE_CLASSES])
def test_each_size_class_gets_a_checked_suggestion_per_family(
        raw: str, class_id: str, expected: list[tuple[str, list[str]]],
        gaps: list[str]) -> None:
    query = plan(raw)
    assert query.plan.size_class is not None and query.plan.size_class.id == class_id
    got = [(s.hub_id, [c.name for c in s.checks if c.passed is False])
           for s in query.plan.suggestions]
    assert got == expected
    assert [g.family for g in query.plan.gaps] == gaps
    families = {s.hub_id.split("/")[0] for s in query.plan.suggestions}
    assert len(families) + len(gaps) == 3  # Gemma, Qwen and Mistral each answered
    for suggestion in query.plan.suggestions:
        assert [c.name for c in suggestion.checks] == CHECK_NAMES
        assert all(c.detail for c in suggestion.checks)
        assert suggestion.source == SNAPSHOT
        assert suggestion.license is not None or check(suggestion, "license")[0] is None


VISION_MODELS = ["meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2-vision:90b",
                 "meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4:maverick",
                 "meta-llama/Llama-Guard-3-11B-Vision", "meta-llama/Llama-Guard-4-12B"]


@pytest.mark.parametrize("raw", VISION_MODELS)
def test_vision_models_never_get_a_text_only_suggestion_marked_passing(raw: str) -> None:
    catalog = load_bundled()
    query = plan(raw)
    assert "image" in query.plan.original.input_modalities
    for suggestion in query.plan.suggestions:
        entry = catalog.get(suggestion.hub_id)
        assert entry is not None
        if "image" not in entry.input_modalities:
            assert check(suggestion, "modalities")[0] is False
            assert not suggestion.all_passed
        else:  # covered; unknown ([?]) when the candidate's inputs have no primary source
            assert check(suggestion, "modalities")[0] is (
                None if entry.unconfirmed_note("input_modalities") else True)


def test_text_only_candidate_for_vision_guard_says_what_is_missing() -> None:
    query = plan("meta-llama/Llama-Guard-3-11B-Vision")
    qwen = query.plan.suggestions[1]
    assert qwen.hub_id == "Qwen/Qwen3Guard-Gen-8B"
    assert check(qwen, "modalities") == (
        False, "takes text only: no image input, which meta-llama/Llama-Guard-3-11B-Vision has")


def test_checks_say_when_a_snapshot_fact_is_unconfirmed() -> None:
    query = plan("meta-llama/Llama-3.1-8B-Instruct")
    gemma, qwen, mistral = query.plan.suggestions
    assert check(qwen, "gated") == (  # no primary source: unknown, never passed
        None, "not gated [unconfirmed: Qwen repos are normally ungated; not individually "
              "confirmed]")
    assert check(mistral, "gated") == (
        None, "gating not confirmed (mistralai repos often ask to share contact info; not "
              "checked)")
    assert check(mistral, "context_length") == (
        None, "256K tokens ≥ 128K tokens of meta-llama/Llama-3.1-8B-Instruct [unconfirmed: 256K "
              "reported by some third parties]")
    assert check(gemma, "exists") == (True, f"on the Hub per {SNAPSHOT}")
    assert check(gemma, "parameters") == (True, "8B total, 4.5B active: within 7-8B text class "
                                                "(4-16B total)")


def test_a_license_that_is_not_open_is_said_so_even_when_allowed() -> None:
    # Mistral Medium 3.5 is the Mistral fallback for 90B vision: modified MIT with a revenue cap
    query = plan("meta-llama/Llama-3.2-90B-Vision-Instruct")
    session = open_session(EnrichOptions())
    medium = session.planner._suggest(  # the policy's second Mistral candidate
        query.ref, query.plan.original, query.plan.size_class,  # type: ignore[arg-type]
        next(c for c in query.plan.size_class.candidates  # type: ignore[union-attr]
             if c.hub_id == "mistralai/Mistral-Medium-3.5-128B"), query.plan.license)
    passed, detail = check(medium, "license")
    assert passed is False
    assert detail.startswith("Modified MIT (revenue threshold) is not in the allow-list "
                             "(apache-2.0, mit): open weights but NOT an open license")
    assert "[unconfirmed: Hub license id not read" in detail
    assert "→ Modified MIT (revenue threshold): open weights but NOT an open license" in \
        medium.reason
    allowed = open_session(EnrichOptions(license_allow=("apache-2.0", "modified-mit")))
    medium2 = allowed.planner._suggest(
        query.ref, query.plan.original, query.plan.size_class,  # type: ignore[arg-type]
        next(c for c in query.plan.size_class.candidates  # type: ignore[union-attr]
             if c.hub_id == "mistralai/Mistral-Medium-3.5-128B"), query.plan.license)
    passed, detail = check(medium2, "license")
    assert passed is None  # allowed, but the Hub license id has no primary source
    assert "note: open weights but NOT an open license" in detail


def test_license_allow_list_is_configurable() -> None:
    query = plan("meta-llama/Llama-3.1-8B-Instruct", license_allow=("mit",))
    gemma = query.plan.suggestions[0]
    assert check(gemma, "license") == (False, "Apache-2.0 is not in the allow-list (mit)")
    # each family then offers its next candidates (all Apache-2.0 here), up to three
    assert [s.hub_id for s in query.plan.suggestions] == [
        "google/gemma-4-E4B-it", "google/gemma-4-12B-it", "Qwen/Qwen3.5-9B",
        "mistralai/Ministral-3-8B-Instruct-2512", "mistralai/Mistral-7B-Instruct-v0.3"]


@pytest.mark.parametrize("prefer,first", [("qwen", "Qwen/"), ("mistral", "mistralai/"),
                                          ("gemma", "google/")])
def test_prefer_puts_a_family_first(prefer: str, first: str) -> None:
    query = plan("meta-llama/Llama-3.3-70B-Instruct", prefer=prefer)
    assert query.plan.suggestions[0].hub_id.startswith(first)
    assert len(query.plan.suggestions) == 3


def test_runtime_naming_follows_the_finding() -> None:
    ollama = plan("llama3.1:8b")
    assert [(s.hub_id, s.runtime_name) for s in ollama.plan.suggestions] == [
        ("google/gemma-4-E4B-it", "gemma4:e4b"), ("Qwen/Qwen3.5-9B", "qwen3.5:9b"),
        ("mistralai/Ministral-3-8B-Instruct-2512", "ministral-3:8b")]
    gguf = plan("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert [(s.hub_id, s.runtime_name) for s in gguf.plan.suggestions] == [
        ("google/gemma-4-E4B-it", "unsloth/gemma-4-E4B-it-GGUF"),
        ("Qwen/Qwen3.5-9B", "unsloth/Qwen3.5-9B-GGUF"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "bartowski/Mistral-7B-Instruct-v0.3-GGUF"),
        ("mistralai/Ministral-3-8B-Instruct-2512", "mistralai/Ministral-3-8B-Instruct-2512")]
    # Ministral 3 8B has no GGUF repository: Mistral's next candidate, which has one, leads
    assert check(gguf.plan.suggestions[3], "runtime_format") == (
        None, "no GGUF repository recorded in the catalog; convert the safetensors with "
              "llama.cpp's convert_hf_to_gguf.py")
    hosted = plan("groq/llama-3.3-70b-versatile")
    # Groq lists Qwen 3.6 27B (its own model page): the candidate Groq can name leads
    assert [(s.hub_id, s.runtime_name) for s in hosted.plan.suggestions[:2]] == [
        ("Qwen/Qwen3.6-27B", "qwen/qwen3.6-27b"),
        ("google/gemma-4-31B-it", "google/gemma-4-31B-it")]
    assert check(hosted.plan.suggestions[0], "runtime_format") == (
        None, "groq serves it as qwen/qwen3.6-27b [unconfirmed: groq id read from the address "
              "of Groq's model page (Groq names its model pages by model id); the stored page "
              "text does not print the id]")
    assert check(hosted.plan.suggestions[1], "runtime_format") == (
        None, "groq does not list google/gemma-4-31B-it on the model list the catalog read, "
              "so there is no groq id to write. Nearest runtimes that serve these models: their "
              "Hugging Face ids (vLLM, TGI, SGLang, Inference Endpoints) or Ollama/GGUF builds. "
              "Check groq's current model list first")


def test_a_missing_ollama_tag_fails_only_when_known_missing() -> None:
    query = plan("llama3.2-vision:11b")
    mistral = [s for s in query.plan.suggestions if s.hub_id.startswith("mistralai/")]
    assert mistral[0].hub_id == "mistralai/Ministral-3-14B-Instruct-2512"
    gemma = next(s for s in query.plan.suggestions if s.hub_id == "google/gemma-4-12B-it")
    assert check(gemma, "runtime_format") == (
        None, "no Ollama tag recorded in the catalog (Ollama day-one support reported, tag not "
              "seen)")


def test_base_models_get_base_checkpoints() -> None:
    query = plan("meta-llama/Llama-3.1-8B")
    assert [s.hub_id for s in query.plan.suggestions] == [
        "google/gemma-4-E4B", "Qwen/Qwen3.5-9B", "mistralai/Ministral-3-8B-Base-2512"]
    assert check(query.plan.suggestions[2], "exists") == (
        None, "not confirmed: no primary source recorded (the catalog cited only "
              "ainewstrend.com)")


def test_license_facts_per_llama_version() -> None:
    assert plan("llama2:13b").plan.license.obligations_summary() == (
        "700M MAU cap; Notice file + pass on the license; Llama 2 AUP; no improving other LLMs")
    vision = plan("llama3.2-vision").plan.license
    assert (vision.name, vision.eu_multimodal) == ("Llama 3.2 Community License", True)
    text = plan("llama3.2:1b").plan.license
    assert (text.name, text.eu_multimodal) == ("Llama 3.2 Community License", False)
    assert plan("meta-llama/Llama-Guard-3-1B").plan.license.name == \
        "Llama 3.2 Community License"
    scout = plan("llama4:scout").plan.license
    assert (scout.name, scout.eu_multimodal) == ("Llama 4 Community License", True)
    hermes = plan("NousResearch/Hermes-3-Llama-3.1-8B").plan.license
    assert hermes.name == "Llama 3.1 Community License"
    assert hermes.how_known == ("catalog: meta-llama/Llama-3.1-8B-Instruct is under llama3.1; "
                                "derivatives keep their base model's license")
    unknown_base = plan("huggyllama/llama-30b").plan.license
    assert unknown_base.how_known == ("Llama 1 models are under llama1; derivatives keep their "
                                      "base model's license")
    assert unknown_base.license is not None and unknown_base.license.unconfirmed


def test_derivatives_known_to_the_catalog_show_their_lineage_offline() -> None:
    query = plan("TheBloke/Llama-2-7B-Chat-GGUF")
    assert query.lineage is not None
    assert query.lineage.describe() == (
        "TheBloke/Llama-2-7B-Chat-GGUF → meta-llama/Llama-2-7b-chat-hf (quantized): "
        "Llama-derived (catalog)")
    by_name = plan("NousResearch/Hermes-3-Llama-3.1-8B")
    assert by_name.lineage is not None
    assert by_name.lineage.describe() == (
        "NousResearch/Hermes-3-Llama-3.1-8B → meta-llama/Llama-3.1-8B-Instruct: Llama-derived "
        "(name pattern); the name says which Llama model it builds on; use --online to "
        "confirm from the Hub card")


@pytest.mark.parametrize("raw,message", [
    ("gpt-4o", "'gpt-4o' does not name a Meta Llama model"),
    ("llama_index", "'llama_index' does not name a Meta Llama model"),
    ("acme-labs/support-bot-7b", "'acme-labs/support-bot-7b' does not name a Meta Llama model; "
                                 "add --online to follow its Hub card's base_model"),
    ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "'TinyLlama/TinyLlama-1.1B-Chat-v1.0' is TinyLlama: "
                                           "the Llama architecture with weights not from Meta, so "
                                           "no Llama license applies and there is nothing to "
                                           "replace"),
    ("  ", "MODEL_ID is empty"),
])
def test_strings_that_are_not_llama_models_are_refused(raw: str, message: str) -> None:
    with pytest.raises(NotLlamaError) as caught:
        plan(raw)
    assert str(caught.value) == message


def test_unsized_llama_gets_license_facts_but_no_class() -> None:
    query = plan("llama4:latest")
    assert query.plan.size_class is not None  # llama4 defaults to Scout
    unsized = plan("meta-llama/Llama-3.3-8B-Instruct")
    assert unsized.plan.size_class is not None and unsized.plan.size_class.id == "text-8b"
    assert dict(unsized.plan.unconfirmed)["exists"] == (
        "reported removed from the meta-llama org (LiveCodeBench PR #105)")
    assert check(unsized.plan.suggestions[0], "context_length") == (
        None, "the original's context length is not known (context length not found in stored "
              "sources)")


def test_a_nim_container_image_is_not_offered_a_hub_repository_as_passing() -> None:
    """A NIM image is replaced by another NIM image: the catalog has no NIM id for the 8B
    candidates, so the runtime check says so ([?]) instead of passing a Hub repository."""
    query = plan("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3")
    assert (query.ref.runtime, query.ref.provider) == ("nvidia-nim", "nvidia-nim")
    first = query.plan.suggestions[0]
    assert first.hub_id == "google/gemma-4-E4B-it"
    assert check(first, "runtime_format") == (
        None, "nvidia-nim does not list google/gemma-4-E4B-it on the model list the catalog "
              "read, so there is no nvidia-nim id to write. Nearest runtimes that serve these "
              "models: their Hugging Face ids (vLLM, TGI, SGLang, Inference Endpoints) or "
              "Ollama/GGUF builds. Check nvidia-nim's current model list first")
