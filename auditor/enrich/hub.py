"""The live Hub service: ``huggingface_hub.HfApi.model_info`` with timeouts, retries and a cache.

Nothing here runs unless the user asked for live checks. The client library is imported and
``HfApi`` constructed only on the first real lookup: with huggingface_hub 2.4 even building the
first request's headers contacts ``/api/agent-harnesses``, so the offline path must never get
this far. Every failure becomes a ``HubProblem`` value; ``lookup`` never raises.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from auditor.enrich.hub_cache import HubCache
from auditor.enrich.hub_model_info import record_from_model_info
from auditor.enrich.hub_records import HubAnswer, HubProblem, HubRecord, iso_utc, utc_now
from auditor.errors import AuditError
from auditor.scan.cache import non_negative_env_float

if TYPE_CHECKING:  # pragma: no cover - typing only
    from huggingface_hub import HfApi

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_ENV = "LLAMA_AUDIT_HUB_TIMEOUT"
RETRIES_ENV = "LLAMA_AUDIT_HUB_RETRIES"


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def hub_offline_reason() -> str | None:
    """Why live lookups must not run even with ``--online`` (the user's HF_HUB_OFFLINE)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if env_flag(name):
            return f"{name} is set"
    return None


@dataclass(frozen=True)
class HubSettings:
    """How to talk to the Hub. ``sleep`` is injectable so tests never really wait."""

    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    timeout: float = 10.0
    max_retries: int = 2
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 30.0
    """Upper bound on one wait, including a server's ``Retry-After``."""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    @classmethod
    def from_env(cls, **overrides: Any) -> HubSettings:
        """Endpoint and token from ``HF_ENDPOINT``/``HF_TOKEN``, read now (not at import)."""
        values: dict[str, Any] = {
            "endpoint": (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"),
            "token": os.environ.get("HF_TOKEN") or None,
        }
        if os.environ.get(TIMEOUT_ENV):
            values["timeout"] = non_negative_env_float(TIMEOUT_ENV)
        if os.environ.get(RETRIES_ENV):
            values["max_retries"] = int(non_negative_env_float(RETRIES_ENV))
        values.update(overrides)
        return cls(**values)


class _Retry(AuditError):
    """Internal: the attempt failed in a way worth retrying after ``wait`` seconds."""

    def __init__(self, problem: HubProblem, wait: float | None) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.wait = wait


class LiveHub:
    """``HubService`` backed by ``huggingface_hub.HfApi``.

    Each repository is asked at most once per run (in-memory) and once per cache TTL (on
    disk, unless ``refresh``). After the Hub proves unreachable, rate-limits us past our
    retries or times out twice, later lookups are skipped instead of waiting again.
    """

    def __init__(
        self,
        settings: HubSettings,
        cache: HubCache | None = None,
        refresh: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.refresh = refresh
        self.clock = clock
        self._started_at = iso_utc(clock())
        self._answers: dict[str, HubAnswer] = {}
        self._api: HfApi | None = None
        self._stop_reason: str | None = None
        self._timeouts = 0

    @property
    def endpoint(self) -> str:
        return self.settings.endpoint

    @property
    def started_at(self) -> str:
        return self._started_at

    def lookup(self, repo_id: str) -> HubAnswer:
        key = repo_id.lower()
        if key not in self._answers:
            self._answers[key] = self._lookup_uncached(repo_id)
        return self._answers[key]

    def _lookup_uncached(self, repo_id: str) -> HubAnswer:
        if self.cache is not None and not self.refresh:
            stored = self.cache.get(self.endpoint, repo_id)
            if stored is not None:
                try:
                    if stored.get("status") == "ok":
                        return HubRecord.from_dict(stored, cached=True)
                    return HubProblem.from_dict(stored, cached=True)
                except (KeyError, TypeError, ValueError):
                    pass  # an unreadable cache entry is refetched
        if self._stop_reason is not None:
            return self._problem(repo_id, "skipped",
                                 f"not asked: the live Hub was unavailable earlier "
                                 f"({self._stop_reason})")
        answer = self._fetch_with_retries(repo_id)
        if self.cache is not None and (isinstance(answer, HubRecord) or answer.definitive):
            self.cache.put(self.endpoint, repo_id, answer.to_dict())
        return answer

    def _problem(self, repo_id: str, kind: str, message: str,
                 status: int | None = None) -> HubProblem:
        return HubProblem(repo_id=repo_id, kind=kind, message=message, endpoint=self.endpoint,
                          fetched_at=iso_utc(self.clock()), status=status)

    def _fetch_with_retries(self, repo_id: str) -> HubAnswer:
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._fetch_once(repo_id)
            except _Retry as retry:
                if attempt == attempts:
                    self._note_exhausted(retry.problem)
                    suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
                    return replace(retry.problem, message=retry.problem.message + suffix)
                delay = retry.wait if retry.wait is not None else (
                    self.settings.backoff_seconds * (2 ** (attempt - 1)))
                self.settings.sleep(min(max(delay, 0.0), self.settings.max_wait_seconds))
        raise AssertionError("unreachable")  # pragma: no cover

    def _note_exhausted(self, problem: HubProblem) -> None:
        if problem.kind in ("rate-limited", "unreachable"):
            self._stop_reason = problem.message
        elif problem.kind == "timeout":
            self._timeouts += 1
            if self._timeouts >= 2:
                self._stop_reason = "timed out twice"

    def _client(self) -> HfApi:
        if self._api is None:
            from huggingface_hub import HfApi

            from auditor import __version__

            self._api = HfApi(endpoint=self.settings.endpoint, token=self.settings.token,
                              library_name="llama-audit", library_version=__version__)
        return self._api

    def _fetch_once(self, repo_id: str) -> HubAnswer:
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            HFValidationError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
        )

        try:
            info = self._client().model_info(
                repo_id,
                expand=["cardData", "config", "gated", "gguf", "lastModified", "pipeline_tag",
                        "safetensors", "tags", "baseModels"],
                timeout=self.settings.timeout,
            )
        except GatedRepoError as exc:
            return self._problem(repo_id, "gated", "gated, metadata not visible "
                                 f"(HTTP {_status(exc)}); set HF_TOKEN with access to see it",
                                 _status(exc))
        except RepositoryNotFoundError as exc:
            status = _status(exc)
            if status in (401, 403):
                return self._problem(repo_id, "gated", "gated or private, metadata not visible "
                                     f"(HTTP {status}); set HF_TOKEN with access to see it",
                                     status)
            return self._problem(repo_id, "not-found",
                                 f"not found on the Hub (HTTP {status or 404})", status)
        except HFValidationError as exc:
            return self._problem(repo_id, "invalid-id", f"not a valid repository id: {exc}")
        except OfflineModeIsEnabled:
            self._stop_reason = "huggingface_hub is in offline mode (HF_HUB_OFFLINE)"
            return self._problem(repo_id, "offline", self._stop_reason)
        except HfHubHTTPError as exc:
            return self._http_error(repo_id, exc)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # json.JSONDecodeError is a ValueError; ModelInfo(**data) raises the others.
            return self._problem(repo_id, "malformed",
                                 f"malformed answer from the Hub ({type(exc).__name__}: "
                                 f"{_short(exc)})")
        except Exception as exc:
            # huggingface_hub has used httpx2, httpx and requests across versions; classify by
            # kind instead of importing one of them. Anything else is reported, not raised.
            if _is_timeout(exc):
                raise _Retry(self._problem(repo_id, "timeout",
                                           f"no answer within {self.settings.timeout:g}s"),
                             None) from None
            if _is_connection_error(exc):
                raise _Retry(self._problem(repo_id, "unreachable",
                                           f"cannot reach {self.endpoint} "
                                           f"({type(exc).__name__}: {_short(exc)})"),
                             None) from None
            return self._problem(repo_id, "http-error",
                                 f"unexpected error from the Hub client ({type(exc).__name__}: "
                                 f"{_short(exc)})")
        try:
            return record_from_model_info(info, endpoint=self.endpoint,
                                          fetched_at=iso_utc(self.clock()))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return self._problem(repo_id, "malformed",
                                 f"malformed metadata from the Hub ({type(exc).__name__}: "
                                 f"{_short(exc)})")

    def _http_error(self, repo_id: str, exc: Exception) -> HubAnswer:
        status = _status(exc)
        if status == 429:
            wait = _retry_after(exc)
            detail = f"; Retry-After {wait:g}s" if wait is not None else ""
            raise _Retry(self._problem(repo_id, "rate-limited",
                                       f"rate limited by the Hub (HTTP 429{detail})", 429),
                         wait) from None
        if status is not None and (status >= 500 or status == 408):
            raise _Retry(self._problem(repo_id, "http-error",
                                       f"Hub server error (HTTP {status})", status),
                         _retry_after(exc)) from None
        if status in (401, 403):
            return self._problem(repo_id, "gated", "gated or private, metadata not visible "
                                 f"(HTTP {status}); set HF_TOKEN with access to see it", status)
        if status == 404:
            return self._problem(repo_id, "not-found", "not found on the Hub (HTTP 404)", 404)
        return self._problem(repo_id, "http-error",
                             f"Hub request failed (HTTP {status}): {_short(exc)}", status)

def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw = headers.get("Retry-After")
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except (TypeError, ValueError):
        return None  # an HTTP-date Retry-After: fall back to our own backoff


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError):
        return True
    return any("Timeout" in klass.__name__ for klass in type(exc).__mro__)


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError):
        return True
    names = {klass.__name__ for klass in type(exc).__mro__}
    return bool(names & {"ConnectError", "NetworkError", "TransportError", "ProxyError"})

def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
