"""Small pieces of the catalog: Hub metadata reduction, the disk cache, refresh, formatting."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from huggingface_hub.hf_api import ModelInfo

from auditor.enrich import CatalogError, EnrichOptions, enrich, load_bundled
from auditor.enrich.checks import tokens
from auditor.enrich.hub import HubSettings, hub_offline_reason
from auditor.enrich.hub_cache import HubCache, default_cache_dir, ttl_from_env
from auditor.enrich.hub_model_info import record_from_model_info
from auditor.enrich.lineage import looks_like_repo_id
from auditor.enrich.refresh import apply_record, diff_catalogs

HUB_DATA = Path(__file__).parents[1] / "data" / "hub"


def info(name: str) -> ModelInfo:
    return ModelInfo(**json.loads((HUB_DATA / f"{name}.json").read_text(encoding="utf-8")))


def test_model_info_is_reduced_to_the_facts_checks_use() -> None:
    record = record_from_model_info(info("google__gemma-4-E4B-it"), endpoint="http://hub",
                                    fetched_at="2026-11-22T12:00:00Z")
    assert (record.repo_id, record.license, record.license_name, record.gated,
            record.params_total, record.context_length, record.context_key) == (
        "google/gemma-4-E4B-it", "apache-2.0", None, False, 7996156490, 131072,
        "config.text_config.max_position_embeddings")
    assert record.input_modalities == ("text", "image", "video", "audio")
    assert record.base_models == ("google/gemma-4-E4B",)
    assert record.base_model_relation == "finetune"
    assert record.last_modified == "2026-04-09T08:12:44Z"
    assert record.source == "live http://hub fetched 2026-11-22T12:00:00Z"


def test_gguf_context_and_list_base_models() -> None:
    gguf = record_from_model_info(info("acme-labs__support-bot-7b-GGUF"), endpoint="e",
                                  fetched_at="t")
    assert (gguf.context_length, gguf.context_key, gguf.params_total) == (
        4096, "gguf.context_length", None)
    assert gguf.input_modalities == ()  # no pipeline tag: unknown, not "text only"
    base = record_from_model_info(info("acme-labs__support-bot-7b-base"), endpoint="e",
                                  fetched_at="t")
    assert base.base_models == ("meta-llama/Llama-2-7b-hf",)


def test_gated_manual_and_license_from_tags() -> None:
    payload = json.loads((HUB_DATA / "meta-llama__Llama-3.1-8B-Instruct.json").read_text())
    del payload["cardData"]
    record = record_from_model_info(ModelInfo(**payload), endpoint="e", fetched_at="t")
    assert (record.gated, record.license, record.input_modalities) == (
        "manual", "llama3.1", ("text",))


def test_refresh_overlay_clears_only_the_marks_the_hub_confirms() -> None:
    catalog = load_bundled()
    entry = catalog.get("Qwen/Qwen3.5-9B")
    assert entry is not None
    record = record_from_model_info(info("Qwen__Qwen3.5-9B"), endpoint="http://hub",
                                    fetched_at="2026-11-23T00:00:00Z")
    updated = apply_record(entry, record)
    assert (updated.params_b_total, updated.params_b_active, updated.context_length,
            updated.input_modalities, updated.gated, updated.license) == (
        9.41, 9.41, 262144, ("text", "image"), False, "apache-2.0")
    assert sorted(k for k, _ in entry.unconfirmed) == ["gated", "gguf_repos", "ollama_tag"]
    assert sorted(k for k, _ in updated.unconfirmed) == ["gguf_repos", "ollama_tag"]
    assert updated.metadata_source == "live http://hub fetched 2026-11-23T00:00:00Z"
    assert updated.sources == entry.sources
    changes = diff_catalogs(catalog, catalog.with_entries(
        [updated if e is entry else e for e in catalog.entries]))
    assert [(c.kind, c.field) for c in changes] == [("changed", "input_modalities"),
                                                    ("confirmed", "unconfirmed")]
    assert changes[1].describe() == "Qwen/Qwen3.5-9B: now confirmed by the Hub: gated"


def test_moe_active_parameters_stay_from_the_snapshot() -> None:
    entry = load_bundled().get("google/gemma-4-E4B-it")
    assert entry is not None
    updated = apply_record(entry, record_from_model_info(info("google__gemma-4-E4B-it"),
                                                         endpoint="e", fetched_at="t"))
    assert (updated.params_b_total, updated.params_b_active) == (8.0, 4.5)


def test_cache_keeps_answers_for_the_ttl_only(tmp_path: Path) -> None:
    cache = HubCache(tmp_path, ttl_seconds=60)
    cache.put("http://hub", "Org/Model", {"status": "ok", "x": 1}, now=1000.0)
    assert cache.get("http://hub", "org/model", now=1059.0) == {"status": "ok", "x": 1}
    assert cache.get("http://hub", "org/model", now=1061.0) is None
    assert cache.get("http://other-hub", "org/model", now=1001.0) is None
    for path in (tmp_path / "hub-v1").glob("*.json"):
        path.write_text("{broken", encoding="utf-8")
    assert cache.get("http://hub", "org/model", now=1001.0) is None


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    cache = HubCache(blocker)  # its directory cannot be created
    cache.put("http://hub", "a/b", {"status": "ok"})
    assert cache.get("http://hub", "a/b") is None


def test_cache_dir_and_settings_come_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("LLAMA_AUDIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform not in ("win32", "darwin"):
        assert default_cache_dir() == tmp_path / "xdg" / "llama-audit"
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example/")
    monkeypatch.setenv("HF_TOKEN", "hf_abc")
    monkeypatch.setenv("LLAMA_AUDIT_HUB_TIMEOUT", "2.5")
    settings = HubSettings.from_env()
    assert (settings.endpoint, settings.token, settings.timeout, settings.max_retries) == (
        "http://mirror.example", "hf_abc", 2.5, 2)
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_TTL", "soon")
    with pytest.raises(ValueError, match="LLAMA_AUDIT_CACHE_TTL must be a number of seconds"):
        ttl_from_env()
    with pytest.raises(CatalogError, match="LLAMA_AUDIT_CACHE_TTL"):
        enrich([], EnrichOptions(online=True, cache_dir=tmp_path))


@pytest.mark.parametrize("value,offline", [("1", True), ("true", True), ("0", False),
                                           ("", False)])
def test_hf_hub_offline_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch, value: str,
                                             offline: bool) -> None:
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert (hub_offline_reason() is not None) is offline


@pytest.mark.parametrize("count,text", [(131072, "128K tokens"), (10485760, "10M tokens"),
                                        (4096, "4K tokens"), (4000, "4,000 tokens"),
                                        (512, "512 tokens")])
def test_token_counts_read_like_model_cards(count: int, text: str) -> None:
    assert tokens(count) == text


@pytest.mark.parametrize("text,expected", [("lmsys/vicuna-7b-v1.5", True),
                                           ("llama3.1:8b", False), ("./models/x", False),
                                           ("a/b/c", False), ("org/name.gguf", True)])
def test_repo_id_shape(text: str, expected: bool) -> None:
    assert looks_like_repo_id(text) is expected
