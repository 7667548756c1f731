"""A Hub that lies, hangs, drips, floods and echoes secrets (issue 16): every answer is checked
before use, every request and wait is bounded, and the snapshot fills in, marked as such.

The fake Hub (``hostile_hub``) listens on 127.0.0.1 only. No test asserts a duration beyond a
generous "did not hang" bound; real timings: ``benchmarks/hub_hostile.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from auditor.enrich import EnrichOptions, enrich
from auditor.enrich.hub import HubSettings, LiveHub
from auditor.enrich.hub_cache import HubCache
from auditor.enrich.hub_ids import is_valid_model_id
from auditor.enrich.hub_records import HubProblem, HubRecord
from auditor.enrich.hub_text import clean, mask_secrets
from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from auditor.types import Category, Effort, Finding, Severity
from tests.enrich import hostile_hub as hh

SNAPSHOT = "bundled snapshot 2026-11-22"
GEMMA = "google/gemma-4-E4B-it"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
TOKEN = "s3cr3t-Token-Value-0042"  # not hf_-shaped: masked as the HF_TOKEN value itself


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[hh.HostileServer]:
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    hh.gzip_bomb()  # made once, before any timing starts
    with hh.hostile_hub() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        yield server


def live(sleeps: list[float], cache: HubCache | None = None, **overrides: Any) -> LiveHub:
    settings = HubSettings.from_env(**{"timeout": 1.0, "max_retries": 1,
                                       "backoff_seconds": 0.01, "sleep": sleeps.append,
                                       **overrides})
    return LiveHub(settings, cache=cache,
                   clock=lambda: datetime(2026, 11, 22, 12, tzinfo=timezone.utc))


def finding(raw: str) -> Finding:
    model = identify(raw, load_ruleset())
    assert model is not None
    return Finding(rule_id="LA101", category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
                   effort=Effort.SWAP, path="app.py", line=1, column=5, end_line=1,
                   end_column=5 + len(raw), message=f"Llama model {raw}", snippet=raw,
                   identifier=raw, model=model)


def all_text(result: Any) -> str:
    parts = [f"{d.path} {d.code} {d.message}" for d in result.diagnostics]
    for f in result.findings:
        for s in f.suggestions:
            parts += [s.hub_id, s.reason, s.source, *(c.detail for c in s.checks)]
    return "\n".join(parts)


CASES = [
    (hh.injected_id, "hub-malformed", "(its id is not a valid repository id)"),
    (hh.other_repo, "hub-malformed", "(it answered for another repository)"),
    (hh.wrong_types, "hub-malformed", "(TypeError: "),
    (hh.huge_declared, "hub-malformed", "answer of 52,428,800 bytes is over the 4,194,304-byte "
                                        "cap; refused"),
    (hh.huge_undeclared, "hub-malformed", "answer over the 4,194,304-byte cap; refused"),
    (hh.bomb, "hub-malformed", "answer expands past 16,777,216 bytes; refused"),
    (hh.hang, "hub-timeout", "no answer within 1s"),
    (hh.drip_headers, "hub-timeout", "no answer within 1s"),
    (hh.drip_body, "hub-timeout", "no answer within 1s"),
    (hh.retry_after(429, 3600), "hub-rate-limited",
     "rate limited by the Hub (HTTP 429; Retry-After 3600s) (not waited for: over the 10s "
     "Retry-After cut-off)"),
    (hh.retry_after(503, 30), "hub-http-error",
     "Hub server error (HTTP 503; Retry-After 30s) (not waited for: over the 10s Retry-After "
     "cut-off)"),
]


@pytest.mark.parametrize("behaviour,code,words", CASES, ids=[c[0].__name__ if hasattr(
    c[0], "__name__") else str(i) for i, c in enumerate(CASES)])
def test_a_bad_answer_is_refused_and_the_snapshot_fills_in(
        hub: hh.HostileServer, behaviour: hh.Behaviour, code: str, words: str) -> None:
    hub.scripts[GEMMA] = behaviour
    sleeps: list[float] = []
    started = time.monotonic()
    result = enrich([finding(LLAMA)], EnrichOptions(online=True),
                    hub=live(sleeps, **({"max_retries": 0} if code == "hub-timeout" else
                                        {"max_retries": 1, "timeout": 10.0})))
    assert time.monotonic() - started < 30  # did not hang
    diagnostics = [d for d in result.diagnostics if d.path == f"hub:{GEMMA}"]
    assert [d.code for d in diagnostics] == [code]
    assert words in diagnostics[0].message
    assert sleeps == []  # a long Retry-After is never slept; nothing else is retried here
    gemma = result.findings[0].suggestions[0]
    assert gemma.hub_id == GEMMA
    assert gemma.source == f"{SNAPSHOT} (live lookup failed: {code.removeprefix('hub-')})"
    text = all_text(result)
    assert "touch" not in text and "evil/model" not in text and "\x1b" not in text


def test_control_and_bidi_characters_from_the_hub_are_neutralised(hub: hh.HostileServer) -> None:
    hub.scripts[GEMMA] = hh.escapes
    result = enrich([finding(LLAMA)], EnrichOptions(online=True), hub=live([]))
    [gemma] = [s for s in result.findings[0].suggestions if s.hub_id == GEMMA]
    assert gemma.source.startswith("live ")  # a well-formed answer: used, text made safe
    license_check = next(c for c in gemma.checks if c.name == "license")
    assert "\ufffd]0;pwned\ufffd\ufffd[2J\ufffd[31mmit\ufffd" in license_check.detail
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in all_text(result)


def test_a_token_echoed_in_an_error_body_is_masked(hub: hh.HostileServer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    hub.scripts[GEMMA] = hh.echo_token
    result = enrich([finding(LLAMA)], EnrichOptions(online=True), hub=live([]))
    assert hub.requests[1][1]["Authorization"] == f"Bearer {TOKEN}"  # it was sent...
    [diagnostic] = [d for d in result.diagnostics if d.path == f"hub:{GEMMA}"]
    assert diagnostic.message == (f"{GEMMA}: Hub request failed (HTTP 400): bad header ***; "
                                  f"its checks use {SNAPSHOT}")
    assert TOKEN not in all_text(result)  # ...and never comes back


def test_401_is_could_not_check_never_found(hub: hh.HostileServer) -> None:
    hub.scripts[GEMMA] = hh.unauthorised
    result = enrich([finding(LLAMA)], EnrichOptions(online=True), hub=live([]))
    gemma = result.findings[0].suggestions[-1]
    assert gemma.hub_id == GEMMA
    exists = next(c for c in gemma.checks if c.name == "exists")
    assert (exists.passed, exists.detail) == (
        None, "not confirmed: could not check (unauthorised, HTTP 401)")


def test_the_run_deadline_ends_all_lookups(hub: hh.HostileServer) -> None:
    hub.default = hh.drip_headers
    sleeps: list[float] = []
    started = time.monotonic()
    result = enrich([finding(LLAMA), finding("llama3.2:1b")], EnrichOptions(online=True),
                    hub=live(sleeps, timeout=5.0, deadline_seconds=1.5, max_retries=3))
    assert time.monotonic() - started < 30
    assert [d.code for d in result.diagnostics] == ["hub-timeout", "hub-skipped"]
    assert result.diagnostics[0].message == (
        f"{LLAMA}: no answer within 1.5s (not waited for: past this run's Hub deadline); its "
        f"checks use {SNAPSHOT}")
    assert sleeps == []  # the backoff would pass the deadline: not waited
    assert result.diagnostics[1].message.startswith(
        "7 live lookups skipped after the 1.5s Hub deadline of this run "
        "(LLAMA_AUDIT_HUB_DEADLINE) was reached (")
    assert len(hub.requests) == 1
    assert all(len(s.checks) == 7 for f in result.findings for s in f.suggestions)


BAD_CACHE_ANSWERS = [
    {"status": "ok", "repo_id": GEMMA, "endpoint": 5, "fetched_at": "x"},
    {"status": "ok", "repo_id": hh.INJECTED, "endpoint": "e", "fetched_at": "x"},
    {"status": "ok", "repo_id": GEMMA, "endpoint": "e", "fetched_at": "x", "tags": "abc"},
    {"status": "ok", "repo_id": GEMMA, "endpoint": "e", "fetched_at": "x",
     "context_length": "128K"},
    {"status": "ok", "repo_id": GEMMA, "endpoint": "e", "fetched_at": "x", "license": ["mit"]},
    {"status": "ok", "repo_id": GEMMA, "endpoint": "e", "fetched_at": "x",
     "base_models": ["a/b; rm -rf /"]},
    {"status": "problem", "repo_id": GEMMA, "kind": "not-found", "message": 404,
     "endpoint": "e", "fetched_at": "x"},
    {"status": "problem", "repo_id": GEMMA, "kind": "timeout", "message": "m",
     "endpoint": "e", "fetched_at": "x"},
    {"status": "problem", "repo_id": "other/repo", "kind": "not-found", "message": "m",
     "endpoint": "e", "fetched_at": "x"},
]


@pytest.mark.parametrize("stored", BAD_CACHE_ANSWERS)
def test_a_wrong_typed_cache_entry_is_discarded_and_refetched(
        hub: hh.HostileServer, tmp_path: Path, stored: dict[str, Any]) -> None:
    cache = HubCache(tmp_path / "cache")
    cache.put(hub.endpoint, GEMMA, stored)
    service = live([], cache=cache)
    answer = service.lookup(GEMMA)
    assert isinstance(answer, HubRecord) and not answer.cached
    assert answer.repo_id == GEMMA
    assert hub.hits(GEMMA) == 1
    assert cache.get(hub.endpoint, GEMMA) == answer.to_dict()  # replaced by the good answer


def test_a_tampered_cache_file_never_crashes(hub: hh.HostileServer, tmp_path: Path) -> None:
    cache = HubCache(tmp_path / "cache")
    cache.put(hub.endpoint, GEMMA, {"status": "ok"})
    path = next((tmp_path / "cache").rglob("*.json"))
    for content in ('{"stored_at": 1e400, "answer": {}}', "[]", '{"stored_at": "x"}', "\0\xff",
                    "[" * 100_000, " " * (2 * 1024 * 1024)):
        path.write_text(content, encoding="latin-1")
        assert isinstance(live([], cache=cache).lookup(GEMMA), HubRecord)
    path.unlink()
    os.mkfifo(path)  # nobody writes: a blocking open would hang
    assert isinstance(live([], cache=cache).lookup(GEMMA), HubRecord)


def test_the_id_grammar() -> None:
    good = ["google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B", "a/b", "_x/y_", "org/" + "n" * 96]
    bad = [hh.INJECTED, "google/gemma 4", "google/gemma;x", "a/b/c", "gemma", "/x", "x/",
           "a/b\n", "a/-b", "a/b.", "a/b--c", "a/b..c", "a/x.git", "org/" + "n" * 97,
           "ｇoogle/x", "a/b\x1b", "a/$(id)", None, 5]
    assert [g for g in good if not is_valid_model_id(g)] == []
    assert [b for b in bad if is_valid_model_id(b)] == []


def test_masking() -> None:
    text = ('{"authorization": "Bearer abc.def-ghi", "x": "hf_abcdefghijkl"} Authorization: '
            f"Basic dXNlcjpw {TOKEN} set HF_TOKEN with access")
    assert mask_secrets(text, [TOKEN]) == (
        '{"authorization": "***", "x": "hf_***"} Authorization: *** *** set HF_TOKEN with '
        "access")
    assert clean("a\x1b[2Jb\u202ec\nd") == "a\ufffd[2Jb\ufffdc\ufffdd"


def test_problem_and_record_stay_plain_values() -> None:
    problem = HubProblem(GEMMA, "gated", "m", "e", "t", 401)
    assert HubProblem.from_dict(problem.to_dict(), cached=True).status == 401


def test_the_proxy_from_the_environment_is_used(hub: hh.HostileServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://hub.example.invalid")
    monkeypatch.setenv("HTTP_PROXY", hub.endpoint)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    answer = live([]).lookup(GEMMA)
    assert isinstance(answer, HubRecord) and answer.endpoint == "http://hub.example.invalid"
    assert hub.proxied == [f"http://hub.example.invalid/api/models/{GEMMA}?expand=cardData&"
                           "expand=config&expand=gated&expand=gguf&expand=lastModified&"
                           "expand=pipeline_tag&expand=safetensors&expand=tags&"
                           "expand=baseModels"]
