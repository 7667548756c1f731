"""The live Hub path against a local fake Hub: the real huggingface_hub client, HF_ENDPOINT set
to pytest-httpserver on 127.0.0.1. Every Hub answer a user can meet: 200, 404, 401/403 gated,
429 with Retry-After, 5xx, a hang, malformed JSON. No test here can reach the real Hub: a
guard refuses every connection that is not to the loopback interface.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from auditor.cli.catalog import catalog_group, suggest_command
from auditor.enrich import EnrichOptions, enrich, load_bundled, load_snapshot, open_session
from auditor.enrich.hub import HubSettings, LiveHub
from auditor.enrich.hub_cache import HubCache
from auditor.enrich.query import NotLlamaError, plan_for_identifier
from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from auditor.types import Category, Effort, Finding, Severity, Suggestion

HUB_DATA = Path(__file__).parents[1] / "data" / "hub"
SNAPSHOT = "bundled snapshot 2026-11-22"
CHECK_NAMES = ["exists", "license", "gated", "parameters", "context_length", "modalities",
               "runtime_format"]

Answer = Callable[[Request], Response]


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers or {},
                    content_type="application/json")


def not_found(_: Request) -> Response:
    return _json({"error": "Repository not found"}, 404,
                 {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"})


def gated_401(_: Request) -> Response:
    return _json({"error": "Access to model is restricted."}, 401,
                 {"X-Error-Code": "GatedRepo",
                  "X-Error-Message": "Access to model is restricted and you are not in the "
                                     "authorized list."})


def forbidden_403(_: Request) -> Response:
    return _json({"error": "Forbidden"}, 403)


def rate_limited(seconds: int) -> Answer:
    def answer(_: Request) -> Response:
        return _json({"error": "Too Many Requests"}, 429, {"Retry-After": str(seconds)})
    return answer


def server_error(_: Request) -> Response:
    return _json({"error": "upstream timeout"}, 503)


def malformed(_: Request) -> Response:
    return Response('{"id": "truncated", "cardData": {', status=200,
                    content_type="application/json")


def wrong_shape(_: Request) -> Response:
    return _json(["not", "an", "object"])


class FakeHub:
    """Answers like the Hub: payload files, scripted answers per repo, 404 for anything else.

    A script is a list of answers used in order; its last answer repeats.
    """

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.endpoint = server.url_for("").rstrip("/")
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.payloads = {
            path.stem.replace("__", "/"): json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(HUB_DATA.glob("*.json"))
        }
        self.scripts: dict[str, list[Answer]] = {}
        self.requests: list[Request] = []
        self.release = threading.Event()

    def script(self, repo_id: str, *answers: Answer) -> None:
        self.scripts[repo_id] = list(answers)

    def ok(self, repo_id: str) -> Answer:
        payload = self.payloads[repo_id]
        return lambda _request: _json(payload)

    def hang(self, _: Request) -> Response:
        self.release.wait(10)
        return _json({"error": "too late"}, 504)

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
        match = re.fullmatch(r"/api/models/([^/]+/[^/]+)", request.path)
        if match is None:
            return _json({"error": "Not Found"}, 404)  # e.g. /api/agent-harnesses
        repo_id = match.group(1)
        script = self.scripts.get(repo_id)
        if script:
            answer = script.pop(0) if len(script) > 1 else script[0]
            return answer(request)
        if repo_id in self.payloads:
            return _json(self.payloads[repo_id])
        return not_found(request)

    def hits(self, repo_id: str) -> int:
        return sum(1 for r in self.requests if r.path == f"/api/models/{repo_id}")

    def model_paths(self) -> list[str]:
        return [r.path for r in self.requests if r.path.startswith("/api/models/")]


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"test tried to reach {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="module")
def hub_server() -> Iterator[FakeHub]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    hub = FakeHub(server)
    server.expect_request(re.compile(r".*")).respond_with_handler(hub.handle)
    yield hub
    hub.release.set()
    server.clear()
    server.stop()


@pytest.fixture
def fake_hub(hub_server: FakeHub, monkeypatch: pytest.MonkeyPatch,
             tmp_path: Path) -> Iterator[FakeHub]:
    hub = hub_server
    hub.reset()
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    import huggingface_hub.constants as constants
    from huggingface_hub.utils import _detect_agent

    # huggingface_hub read HF_ENDPOINT at import; its agent-harness registry request (sent
    # while building the first request's headers) uses that import-time value.
    monkeypatch.setattr(constants, "ENDPOINT", hub.endpoint)
    monkeypatch.setattr(constants, "AGENT_HARNESSES_PATH", str(tmp_path / "harnesses.json"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setattr(_detect_agent, "_registry", None)
    yield hub
    hub.release.set()  # let a hung handler finish


FETCHED = "2026-11-22T12:00:00Z"


def fixed_clock() -> datetime:
    return datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)


def live(sleeps: list[float] | None = None, **overrides: Any) -> LiveHub:
    """A live service with quick timeouts, a fixed clock and a recording, non-waiting sleep."""
    record = sleeps if sleeps is not None else []
    settings = HubSettings.from_env(**{"timeout": 2.0, "max_retries": 1, "backoff_seconds": 0.01,
                                       "sleep": record.append, **overrides})
    return LiveHub(settings, clock=fixed_clock)


def finding(raw: str, line: int = 1) -> Finding:
    model = identify(raw, load_ruleset())
    assert model is not None, raw
    return Finding(rule_id="LA101", category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
                   effort=Effort.SWAP, path="app.py", line=line, column=5, end_line=line,
                   end_column=5 + len(raw), message=f"Llama model {raw}", snippet=raw,
                   identifier=raw, model=model)


def by_family(suggestions: tuple[Suggestion, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in suggestions:
        out.setdefault(s.hub_id.split("/")[0], []).append(s.hub_id)
    return out


def check(suggestion: Suggestion, name: str) -> tuple[bool | None, str]:
    for c in suggestion.checks:
        if c.name == name:
            return c.passed, c.detail
    raise AssertionError(f"{suggestion.hub_id} has no {name} check")


def run(hub_service: LiveHub, *raws: str) -> Any:
    return enrich([finding(r, i) for i, r in enumerate(raws, start=1)],
                  EnrichOptions(online=True), hub=hub_service)


# ---------------------------------------------------------------- 200: live metadata


def test_live_checks_use_hub_metadata_and_name_the_fetch(fake_hub: FakeHub) -> None:
    result = run(live(), "meta-llama/Llama-3.1-8B-Instruct")
    assert result.diagnostics == ()
    assert result.catalog_date == FETCHED
    assert result.catalog_source == f"live {fake_hub.endpoint} fetched {FETCHED} " \
                                    f"(fallback: {SNAPSHOT})"
    suggestions = result.findings[0].suggestions
    assert [s.hub_id for s in suggestions] == [
        "google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B", "mistralai/Ministral-3-8B-Instruct-2512"]
    for suggestion in suggestions:
        assert [c.name for c in suggestion.checks] == CHECK_NAMES
        assert suggestion.source == f"live {fake_hub.endpoint} fetched {FETCHED}"
        assert suggestion.all_passed, suggestion.checks
    gemma = suggestions[0]
    assert check(gemma, "exists") == (True, "found on the Hub")
    assert check(gemma, "gated") == (True, "not gated")
    assert check(gemma, "license") == (True, "Apache-2.0 is in the allow-list (apache-2.0, mit)")
    # 7,996,156,490 safetensors parameters from the Hub; "effective" size only in the snapshot
    assert check(gemma, "parameters") == (
        True, f"8B total, 4.5B active: within 7-8B text class (4-16B total) ({SNAPSHOT})")
    assert check(gemma, "context_length") == (
        True, "128K tokens ≥ 128K tokens of meta-llama/Llama-3.1-8B-Instruct "
              "(Hub config.text_config.max_position_embeddings)")
    assert check(gemma, "modalities") == (
        True, "inputs text+image+video+audio cover text (Hub pipeline_tag any-to-any, tag vision, "
              "tag audio, tag video, config.vision_config, config.audio_config)")
    # the Meta repository is looked up too (for the original's context and modalities)
    assert fake_hub.hits("meta-llama/Llama-3.1-8B-Instruct") == 1
    # live facts clear nothing in the bundled snapshot: it is still dated 2026-11-22
    assert load_bundled().snapshot_date == "2026-11-22"


def test_only_the_model_api_is_asked_and_the_token_file_is_not_needed(
        fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)
    result = run(live(), "meta-llama/Llama-3.1-8B-Instruct")
    # llama-audit asks /api/models/<id> itself (bounded, see hub_http.py); huggingface_hub's
    # agent-harness registry request (sent while HfApi built its headers) is gone.
    paths = [r.path for r in fake_hub.requests]
    assert paths == ["/api/models/meta-llama/Llama-3.1-8B-Instruct",
                     "/api/models/google/gemma-4-E4B-it", "/api/models/Qwen/Qwen3.5-9B",
                     "/api/models/mistralai/Ministral-3-8B-Instruct-2512"]
    assert fake_hub.requests[0].args.getlist("expand") == [
        "cardData", "config", "gated", "gguf", "lastModified", "pipeline_tag", "safetensors",
        "tags", "baseModels"]
    assert "Authorization" not in fake_hub.requests[0].headers
    assert result.diagnostics == ()


# ---------------------------------------------------------------- 404


def test_repo_gone_fails_exists_and_the_next_candidate_is_offered(fake_hub: FakeHub) -> None:
    fake_hub.script("google/gemma-4-E4B-it", not_found)
    result = run(live(), "meta-llama/Llama-3.1-8B-Instruct")
    suggestions = result.findings[0].suggestions
    # the next Gemma is offered, and the gone repository is ranked after every usable one
    assert by_family(suggestions)["google"] == ["google/gemma-4-12B-it", "google/gemma-4-E4B-it"]
    assert suggestions[-1].hub_id == "google/gemma-4-E4B-it"
    gone = suggestions[-1]
    passed, detail = check(gone, "exists")
    assert passed is False
    assert detail == (f"not found on the Hub (HTTP 404) at {fake_hub.endpoint}; "
                      "the next candidate is offered")
    assert check(gone, "runtime_format")[0] is False
    replacement = suggestions[0]
    assert replacement.hub_id == "google/gemma-4-12B-it" and replacement.all_passed
    assert check(replacement, "parameters")[1].startswith("11.95B total: within 7-8B text class")
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("hub:google/gemma-4-E4B-it", "hub-not-found")]
    assert "the next candidate is offered" in result.diagnostics[0].message


# ---------------------------------------------------------------- 401 / 403 gated


@pytest.mark.parametrize("answer,status", [(gated_401, 401), (forbidden_403, 403)])
def test_gated_repo_is_recorded_as_gated_metadata_not_visible(
        fake_hub: FakeHub, answer: Answer, status: int) -> None:
    fake_hub.script("mistralai/Ministral-3-8B-Instruct-2512", answer)
    result = run(live(), "meta-llama/Llama-3.1-8B-Instruct")
    suggestions = result.findings[0].suggestions
    mistral = [s for s in suggestions if s.hub_id.startswith("mistralai/")]
    assert [s.hub_id for s in mistral] == ["mistralai/Ministral-3-8B-Instruct-2512",
                                           "mistralai/Mistral-7B-Instruct-v0.3"]
    gated = mistral[0]
    # a 401/403 is not evidence the repository exists (issue 16)
    assert check(gated, "exists") == (
        None, f"not confirmed: could not check (unauthorised, HTTP {status})")
    passed, detail = check(gated, "gated")
    assert passed is False
    assert "metadata not visible" in detail and f"HTTP {status}" in detail
    assert detail.endswith("request access at "
                           "https://huggingface.co/mistralai/Ministral-3-8B-Instruct-2512, then "
                           "set HF_TOKEN")
    # the facts the Hub hid come from the snapshot, and each check says so
    assert gated.source.startswith(f"live {fake_hub.endpoint} fetched ")
    passed, detail = check(gated, "license")  # the snapshot's license has no primary source
    assert passed is None
    assert detail.startswith(f"Apache-2.0 is in the allow-list (apache-2.0, mit) ({SNAPSHOT}) "
                             "[unconfirmed: no primary source recorded (the catalog cited only ")
    codes = [(d.path, d.code) for d in result.diagnostics]
    assert ("hub:mistralai/Ministral-3-8B-Instruct-2512", "hub-gated") in codes
    # not in the fake Hub's files: 404, so it fails 'exists' too; the scan still completes
    assert ("hub:mistralai/Mistral-7B-Instruct-v0.3", "hub-not-found") in codes


def test_hf_token_is_sent_and_opens_a_gated_repo(fake_hub: FakeHub,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")

    def needs_token(request: Request) -> Response:
        if request.headers.get("Authorization") == "Bearer hf_test_token":
            return _json(fake_hub.payloads["mistralai/Ministral-3-8B-Instruct-2512"])
        return gated_401(request)

    fake_hub.script("mistralai/Ministral-3-8B-Instruct-2512", needs_token)
    result = run(live(), "meta-llama/Llama-3.1-8B-Instruct")
    assert result.diagnostics == ()
    mistral = result.findings[0].suggestions[2]
    assert mistral.hub_id == "mistralai/Ministral-3-8B-Instruct-2512"
    assert mistral.all_passed


# ---------------------------------------------------------------- 429 and 5xx


def test_rate_limit_waits_for_retry_after_then_succeeds(fake_hub: FakeHub) -> None:
    fake_hub.script("Qwen/Qwen3.5-9B", rate_limited(7), fake_hub.ok("Qwen/Qwen3.5-9B"))
    sleeps: list[float] = []
    result = run(live(sleeps), "meta-llama/Llama-3.1-8B-Instruct")
    assert sleeps == [7.0]
    assert result.diagnostics == ()
    qwen = result.findings[0].suggestions[1]
    assert qwen.hub_id == "Qwen/Qwen3.5-9B"
    assert qwen.source.startswith("live ")
    assert fake_hub.hits("Qwen/Qwen3.5-9B") == 2


def test_server_error_is_retried_with_backoff(fake_hub: FakeHub) -> None:
    fake_hub.script("Qwen/Qwen3.5-9B", server_error, fake_hub.ok("Qwen/Qwen3.5-9B"))
    sleeps: list[float] = []
    result = run(live(sleeps, backoff_seconds=0.25), "meta-llama/Llama-3.1-8B-Instruct")
    assert sleeps == [0.25]
    assert result.diagnostics == ()


def test_persistent_rate_limit_gives_up_and_skips_later_lookups(fake_hub: FakeHub) -> None:
    fake_hub.script("Qwen/Qwen3.5-9B", rate_limited(3))
    sleeps: list[float] = []
    result = run(live(sleeps, max_retries=2, max_wait_seconds=5.0),
                 "meta-llama/Llama-3.1-8B-Instruct", "llama3.2:1b")
    # Retry-After 3 is within the 5s cut-off; two retries, then give up
    assert sleeps == [3.0, 3.0]
    assert fake_hub.hits("Qwen/Qwen3.5-9B") == 3
    codes = [d.code for d in result.diagnostics]
    assert codes == ["hub-rate-limited", "hub-skipped"]
    assert result.diagnostics[0].message == (
        f"Qwen/Qwen3.5-9B: rate limited by the Hub (HTTP 429; Retry-After 3s) (gave up after 3 "
        f"attempts); its checks use {SNAPSHOT}")
    assert result.diagnostics[1].message == (
        "5 live lookups skipped after an earlier Hub failure (mistralai/Ministral-3-8B-Instruct-"
        "2512, meta-llama/Llama-3.2-1B-Instruct, google/gemma-4-E2B-it, Qwen/Qwen3.5-2B, "
        f"mistralai/Ministral-3-3B-Instruct-2512); their checks use {SNAPSHOT}")
    # nothing is lost: both findings keep a full plan from the snapshot
    first, second = result.findings
    assert [s.hub_id for s in first.suggestions] == [
        "google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B", "mistralai/Ministral-3-8B-Instruct-2512"]
    assert first.suggestions[1].source == f"{SNAPSHOT} (live lookup failed: rate-limited)"
    assert first.suggestions[2].source == f"{SNAPSHOT} (live lookup failed: skipped)"
    assert [s.hub_id for s in second.suggestions] == [
        "google/gemma-4-E2B-it", "Qwen/Qwen3.5-2B", "mistralai/Ministral-3-3B-Instruct-2512"]
    assert all(len(s.checks) == 7 for s in second.suggestions)


# ---------------------------------------------------------------- hang, malformed


def test_hanging_hub_times_out_and_the_snapshot_fills_in(fake_hub: FakeHub) -> None:
    fake_hub.script("google/gemma-4-E4B-it", fake_hub.hang)
    result = run(live(timeout=0.3, max_retries=0), "meta-llama/Llama-3.1-8B-Instruct")
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("hub:google/gemma-4-E4B-it", "hub-timeout")]
    assert result.diagnostics[0].message == (
        f"google/gemma-4-E4B-it: no answer within 0.3s; its checks use {SNAPSHOT}")
    gemma, qwen, mistral = result.findings[0].suggestions
    assert gemma.hub_id == "google/gemma-4-E4B-it"
    assert gemma.source == f"{SNAPSHOT} (live lookup failed: timeout)"
    assert check(gemma, "exists") == (True, f"on the Hub per {SNAPSHOT}")
    assert qwen.source.startswith("live ") and mistral.source.startswith("live ")


@pytest.mark.parametrize("answer,reason", [(malformed, "JSONDecodeError"),
                                            (wrong_shape, "TypeError")])
def test_malformed_answer_is_a_diagnostic(fake_hub: FakeHub, answer: Answer,
                                          reason: str) -> None:
    fake_hub.script("Qwen/Qwen3.5-9B", answer)
    result = run(live(), "meta-llama/Llama-3.1-8B-Instruct")
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("hub:Qwen/Qwen3.5-9B", "hub-malformed")]
    assert f"malformed answer from the Hub ({reason}" in result.diagnostics[0].message
    qwen = result.findings[0].suggestions[1]
    assert qwen.source == f"{SNAPSHOT} (live lookup failed: malformed)"
    assert [c.name for c in qwen.checks] == CHECK_NAMES


# ---------------------------------------------------------------- modalities from the Hub


def test_vision_model_never_gets_a_text_only_suggestion_marked_passing(fake_hub: FakeHub) -> None:
    text_only = dict(fake_hub.payloads["Qwen/Qwen3.5-9B"], pipeline_tag="text-generation",
                     tags=["transformers", "text-generation"], config={"model_type": "qwen3"})
    fake_hub.script("Qwen/Qwen3.5-9B", lambda _r: _json(text_only))
    result = run(live(), "meta-llama/Llama-3.2-11B-Vision-Instruct")
    qwen = [s for s in result.findings[0].suggestions if s.hub_id.startswith("Qwen/")]
    assert qwen[0].hub_id == "Qwen/Qwen3.5-9B"
    passed, detail = check(qwen[0], "modalities")
    assert passed is False
    assert detail == ("takes text only: no image input, which "
                      "meta-llama/Llama-3.2-11B-Vision-Instruct has (Hub pipeline_tag "
                      "text-generation)")
    assert not qwen[0].all_passed
    assert qwen[1].hub_id == "Qwen/Qwen3-VL-8B-Instruct"  # the next candidate is offered


# ---------------------------------------------------------------- offline switches, cache


def test_hf_hub_offline_turns_online_into_snapshot_checks(
        fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    def refuse(*_a: Any, **_k: Any) -> None:
        raise AssertionError("HfApi constructed while HF_HUB_OFFLINE is set")

    monkeypatch.setattr(huggingface_hub.HfApi, "__init__", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = enrich([finding("llama3.1:8b")], EnrichOptions(online=True))
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("hub-offline", f"--online ignored: HF_HUB_OFFLINE is set; checks use {SNAPSHOT}")]
    assert result.catalog_source == SNAPSHOT
    assert fake_hub.requests == []
    assert all(s.source == SNAPSHOT for s in result.findings[0].suggestions)


def test_disk_cache_answers_within_ttl_and_refresh_bypasses_it(fake_hub: FakeHub,
                                                               tmp_path: Path) -> None:
    cache = HubCache(tmp_path / "hubcache", ttl_seconds=3600)
    fake_hub.script("mistralai/Ministral-3-8B-Instruct-2512", not_found)
    settings = HubSettings.from_env(timeout=2.0, max_retries=0)
    first = enrich([finding("meta-llama/Llama-3.1-8B-Instruct")], EnrichOptions(online=True),
                   hub=LiveHub(settings, cache=cache))
    asked = fake_hub.model_paths()
    assert asked == [f"/api/models/{r}" for r in (
        "meta-llama/Llama-3.1-8B-Instruct", "google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B",
        "mistralai/Ministral-3-8B-Instruct-2512", "mistralai/Mistral-7B-Instruct-v0.3")]
    second = enrich([finding("meta-llama/Llama-3.1-8B-Instruct")], EnrichOptions(online=True),
                    hub=LiveHub(settings, cache=cache))
    assert fake_hub.model_paths() == asked  # everything, the 404 included, came from the cache
    assert [s.hub_id for s in second.findings[0].suggestions] == [
        s.hub_id for s in first.findings[0].suggestions]
    assert second.findings[0].suggestions[0].source.endswith("(cache)")
    enrich([finding("meta-llama/Llama-3.1-8B-Instruct")], EnrichOptions(online=True),
           hub=LiveHub(settings, cache=cache, refresh=True))
    assert len(fake_hub.model_paths()) == 2 * len(asked)


def test_transient_failures_are_not_cached(fake_hub: FakeHub, tmp_path: Path) -> None:
    cache = HubCache(tmp_path / "hubcache", ttl_seconds=3600)
    fake_hub.script("Qwen/Qwen3.5-9B", malformed, fake_hub.ok("Qwen/Qwen3.5-9B"))
    settings = HubSettings.from_env(timeout=2.0, max_retries=0)
    service = LiveHub(settings, cache=cache)
    assert service.lookup("Qwen/Qwen3.5-9B").kind == "malformed"  # type: ignore[union-attr]
    again = LiveHub(settings, cache=cache).lookup("Qwen/Qwen3.5-9B")
    assert again.license == "apache-2.0"  # type: ignore[union-attr]


def test_suggestions_are_computed_once_per_unique_model(fake_hub: FakeHub) -> None:
    service = live()
    result = run(service, "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct",
                 "meta-llama/Llama-3.1-8B-Instruct", "llama3.1:8b")
    assert all(fake_hub.hits(r) == 1 for r in (
        "meta-llama/Llama-3.1-8B-Instruct", "google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B",
        "mistralai/Ministral-3-8B-Instruct-2512"))
    first, second, third, ollama = result.findings
    assert first.suggestions == second.suggestions == third.suggestions
    assert [f.line for f in result.findings] == [1, 2, 3, 4]
    assert [s.runtime_name for s in ollama.suggestions] == [
        "gemma4:e4b", "qwen3.5:9b", "ministral-3:8b"]


# ---------------------------------------------------------------- lineage


def test_online_lineage_follows_base_model_to_llama(fake_hub: FakeHub) -> None:
    session = open_session(EnrichOptions(online=True), hub=live())
    query = plan_for_identifier("acme-labs/support-bot-7b-GGUF", session)
    assert query.lineage is not None
    assert query.lineage.describe() == (
        "acme-labs/support-bot-7b-GGUF → acme-labs/support-bot-7b (quantized) → "
        "acme-labs/support-bot-7b-base (adapter) → meta-llama/Llama-2-7b-hf (finetune): "
        "Llama-derived (live Hub cards)")
    assert (query.ref.family, query.ref.size, query.ref.variant, query.ref.runtime,
            query.ref.derivative) == ("Llama 2", "7B", "base", "gguf", True)
    assert query.plan.license.name == "Llama 2 Community License"
    assert query.plan.size_class is not None and query.plan.size_class.id == "text-8b"
    # a base model gets base checkpoints (the fake Hub has none of them: 404, next one);
    # each is named for llama.cpp where the catalog records a GGUF repository
    # the one that exists comes first: every other is ranked after it
    assert [(s.hub_id, s.runtime_name) for s in query.plan.suggestions] == [
        ("Qwen/Qwen3.5-9B", "unsloth/Qwen3.5-9B-GGUF"),
        ("google/gemma-4-E4B", "google/gemma-4-E4B"),
        ("google/gemma-4-12B", "google/gemma-4-12B"),
        ("mistralai/Ministral-3-8B-Base-2512", "mistralai/Ministral-3-8B-Base-2512"),
        ("mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-v0.3"),
    ]
    qwen = query.plan.suggestions[0]
    # Qwen3.5 has no base checkpoint in the catalog: the model itself; every Hub fact passes,
    # the GGUF repository name has no primary source, so its check is unknown
    assert [c.name for c in qwen.checks if c.passed is not True] == ["runtime_format"]
    assert check(qwen, "runtime_format") == (
        None, "GGUF repository unsloth/Qwen3.5-9B-GGUF [unconfirmed: name follows the "
              "unsloth/Qwen3.5-<size>-GGUF pattern (unconfirmed per size)]")


def test_lineage_that_never_reaches_llama_is_not_a_llama_model(fake_hub: FakeHub) -> None:
    session = open_session(EnrichOptions(online=True), hub=live())
    with pytest.raises(NotLlamaError) as caught:
        plan_for_identifier("acme-labs/tiny-chat", session)
    assert str(caught.value) == (
        "'acme-labs/tiny-chat' does not name a Meta Llama model (acme-labs/tiny-chat → "
        "Qwen/Qwen3-0.6B (finetune): no Llama base found (live Hub cards); stopped at "
        "Qwen/Qwen3-0.6B: not found on the Hub (HTTP 404))")


def test_lineage_stops_at_the_depth_limit(fake_hub: FakeHub) -> None:
    for number in range(8):
        payload = {"id": f"acme-labs/loop-{number}", "cardData": {
            "base_model": f"acme-labs/loop-{number + 1}", "base_model_relation": "merge"}}
        fake_hub.script(f"acme-labs/loop-{number}", lambda _r, p=payload: _json(p))
    session = open_session(EnrichOptions(online=True), hub=live())
    with pytest.raises(NotLlamaError, match=r"stopped after 5 base_model steps"):
        plan_for_identifier("acme-labs/loop-0", session)
    assert fake_hub.hits("acme-labs/loop-5") == 0


def test_lineage_detail_is_attached_to_derivative_findings(fake_hub: FakeHub) -> None:
    result = run(live(), "NousResearch/Meta-Llama-3.1-70B-Instruct")
    details = dict(result.findings[0].details)
    # not in the fake Hub: the live trace stops with the reason, the finding keeps its plan
    assert details["lineage"] == (
        "NousResearch/Meta-Llama-3.1-70B-Instruct: no Llama base found (live Hub cards); "
        "stopped at NousResearch/Meta-Llama-3.1-70B-Instruct: not found on the Hub (HTTP 404)")
    assert details["llama_license"] == "Llama 3.1 Community License"
    assert result.findings[0].suggestions


# ---------------------------------------------------------------- CLI: suggest, refresh, verify


def _mirror_catalog(fake_hub: FakeHub) -> None:
    """Serve every bundled entry from its snapshot facts (the Hub agrees with the snapshot)."""
    for entry in load_bundled().entries:
        if entry.hub_id in fake_hub.payloads:
            continue
        pipeline = "image-text-to-text" if "image" in entry.input_modalities else "text-generation"
        tags = ["transformers", pipeline] + [{"image": "vision", "audio": "audio",
                                              "video": "video"}[m]
                                             for m in entry.input_modalities if m != "text"]
        payload: dict[str, Any] = {
            "id": entry.hub_id, "author": entry.hub_id.split("/")[0],
            "lastModified": "2026-11-20T00:00:00.000Z", "pipeline_tag": pipeline, "tags": tags,
            "gated": "manual" if entry.gated else False,
            "cardData": {"license": entry.license, "license_name": entry.license_name},
        }
        if entry.params_b_total:
            total = int(entry.params_b_total * 1e9)
            payload["safetensors"] = {"parameters": {"BF16": total}, "total": total}
        if entry.context_length:
            payload["config"] = {"max_position_embeddings": entry.context_length}
        fake_hub.payloads[entry.hub_id] = payload


def test_cli_suggest_online_names_the_live_fetch(fake_hub: FakeHub,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_HUB_RETRIES", "0")
    outcome = CliRunner().invoke(suggest_command, ["meta-llama/Llama-3.1-8B-Instruct",
                                                   "--online", "--format", "json"])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    assert data["catalog"]["source"].startswith(f"live {fake_hub.endpoint} fetched ")
    assert data["diagnostics"] == []
    assert [s["hub_id"] for s in data["suggestions"]] == [
        "google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B", "mistralai/Ministral-3-8B-Instruct-2512"]
    assert all(s["source"].startswith("live ") for s in data["suggestions"])


def test_cli_catalog_refresh_writes_a_snapshot_the_next_run_uses(
        fake_hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_HUB_RETRIES", "0")
    _mirror_catalog(fake_hub)
    fake_hub.script("google/gemma-4-E4B-it", not_found)
    fake_hub.script("meta-llama/Llama-3.1-8B-Instruct", gated_401)
    target = tmp_path / "snap.json"
    runner = CliRunner()
    outcome = runner.invoke(catalog_group, ["refresh", "-o", str(target)])
    assert outcome.exit_code == 0, outcome.output
    entries = len(load_bundled().entries)
    assert f"wrote {target}: {entries - 2} entries live, 1 gated, 1 not found, 0 kept" in (
        outcome.stderr if hasattr(outcome, "stderr") else outcome.output)
    refreshed = load_snapshot(target)
    assert refreshed.snapshot_date == refreshed.fetched_at[:10]  # type: ignore[index]
    assert refreshed.source == (f"snapshot {refreshed.snapshot_date} (refreshed from "
                                f"{fake_hub.endpoint})")
    gone = refreshed.get("google/gemma-4-E4B-it")
    assert gone is not None and gone.exists is False
    qwen = refreshed.get("Qwen/Qwen3.5-9B")
    assert qwen is not None and qwen.params_b_total == 9.41
    assert qwen.unconfirmed_note("gated") is None  # the Hub confirmed it
    assert qwen.unconfirmed_note("ollama_tag") is not None  # the Hub cannot confirm this
    assert qwen.sources == load_bundled().get("Qwen/Qwen3.5-9B").sources  # type: ignore[union-attr]
    # the next run reads the refreshed file offline, and says it is a snapshot
    fake_hub.requests.clear()
    used = runner.invoke(suggest_command, ["meta-llama/Llama-3.1-8B-Instruct", "--catalog",
                                           str(target)])
    assert used.exit_code == 0, used.output
    assert fake_hub.requests == []
    assert f"Catalog:  {refreshed.source} (offline" in used.output
    assert "1. Gemma 4: google/gemma-4-12B-it   (all checks pass)" in used.output
    assert (f"[FAIL] exists          not on the Hub per {refreshed.source}; the next "
            "candidate is offered") in used.output
    assert ("4. Gemma 4: google/gemma-4-E4B-it   (2 failed, 1 not decided)"
            in used.output)  # gone: last


def test_cli_catalog_verify_lists_what_changed(fake_hub: FakeHub,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_HUB_RETRIES", "0")
    _mirror_catalog(fake_hub)
    changed = dict(fake_hub.payloads["mistralai/Mistral-Small-4-119B-2603"])
    changed["cardData"] = {"license": "other", "license_name": "mistral-research-license"}
    fake_hub.payloads["mistralai/Mistral-Small-4-119B-2603"] = changed
    outcome = CliRunner().invoke(catalog_group, ["verify", "--format", "json"])
    assert outcome.exit_code == 1, outcome.output
    data = json.loads(outcome.output)
    real_changes = [(c["hub_id"], c["field"], c["old"], c["new"])
                    for c in data["changes"] if c["kind"] == "changed"]
    # the fake Hub's own payload files disagree with the snapshot in places (params within
    # 10% are the catalog's rounding, not a change)
    assert real_changes == [
        ("google/gemma-4-12B-it", "input_modalities", ["text", "image", "video", "audio"],
         ["text", "image"]),
        ("Qwen/Qwen3.5-9B", "input_modalities", ["text", "image", "video"], ["text", "image"]),
        ("mistralai/Mistral-Small-4-119B-2603", "license", "apache-2.0", "other"),
        ("mistralai/Ministral-3-8B-Instruct-2512", "params_b_total", 8.0, 8.92),
        ("mistralai/Ministral-3-8B-Instruct-2512", "params_b_active", 8.0, 8.92),
    ]
    filled = {(c["hub_id"], c["field"]) for c in data["changes"] if c["kind"] == "filled"}
    assert ("mistralai/Mistral-Small-4-119B-2603", "gated") in filled
    assert ("mistralai/Mistral-Small-4-119B-2603", "license_name") in filled
    assert data["diagnostics"] == []


def test_cli_verify_without_any_hub_answer_is_an_error(fake_hub: FakeHub,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_HUB_RETRIES", "0")
    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", closed)
    outcome = CliRunner().invoke(catalog_group, ["verify"])
    assert outcome.exit_code == 2
    assert outcome.output.startswith(f"Error: no catalog entry could be read from {closed} "
                                     f"(cannot reach {closed}")
    assert outcome.output.count("\n") == 1



def test_unreachable_hub_falls_back_to_the_snapshot_and_says_so(
        fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", closed)
    sleeps: list[float] = []
    result = run(live(sleeps, max_retries=1, backoff_seconds=0.5), "llama3.2:1b")
    assert sleeps == [0.5]
    assert (result.catalog_date, result.catalog_source) == (
        "2026-11-22", f"{SNAPSHOT} (live {closed} did not answer: unreachable)")
    assert [d.code for d in result.diagnostics] == ["hub-unreachable", "hub-skipped"]
    assert [s.hub_id for s in result.findings[0].suggestions] == [
        "google/gemma-4-E2B-it", "Qwen/Qwen3.5-2B", "mistralai/Ministral-3-3B-Instruct-2512"]
