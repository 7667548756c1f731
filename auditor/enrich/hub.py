"""The live Hub service: ``GET /api/models/<id>`` with a deadline, size caps, retries and a cache.

Nothing here runs unless the user asked for live checks. Every request goes through
``hub_http.get`` (a hard per-request deadline that also ends dripped headers and bodies, a cap
on the answer as sent and as expanded); the whole run has its own deadline
(``LLAMA_AUDIT_HUB_DEADLINE``): once it is spent, no request and no wait starts. A
``Retry-After`` longer than the cut-off (``max_wait_seconds``) or past the deadline is not
waited for: that model's checks use the snapshot. The answer is parsed by
``huggingface_hub.ModelInfo``; its id and base models must match the Hub's id grammar
(``hub_ids``), and every Hub string is masked and neutralised (``hub_text.clean``) before it
enters a result. Every failure becomes a ``HubProblem`` value; ``lookup`` never raises.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from auditor.enrich.hub_cache import HubCache
from auditor.enrich.hub_checked import checked_record
from auditor.enrich.hub_http import HttpAnswer, HttpFailure, get
from auditor.enrich.hub_ids import is_valid_model_id
from auditor.enrich.hub_model_info import record_from_model_info
from auditor.enrich.hub_records import HubAnswer, HubProblem, HubRecord, iso_utc, utc_now
from auditor.enrich.hub_text import clean
from auditor.errors import AuditError
from auditor.scan.cache import non_negative_env_float

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_ENV = "LLAMA_AUDIT_HUB_TIMEOUT"
RETRIES_ENV = "LLAMA_AUDIT_HUB_RETRIES"
DEADLINE_ENV = "LLAMA_AUDIT_HUB_DEADLINE"
EXPAND = ("cardData", "config", "gated", "gguf", "lastModified", "pipeline_tag", "safetensors",
          "tags", "baseModels")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def hub_offline_reason() -> str | None:
    """Why live lookups must not run even with ``--online`` (the user's HF_HUB_OFFLINE)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if env_flag(name):
            return f"{name} is set"
    return None


def _stored_token() -> str | None:
    """The token ``hf auth login`` saved (no network: OIDC and OAuth refresh are not used)."""
    try:
        from huggingface_hub import constants

        text = Path(constants.HF_TOKEN_PATH).read_text(encoding="utf-8").strip()
    except (OSError, ValueError, ImportError, AttributeError):
        return None
    return text or None


@dataclass(frozen=True)
class HubSettings:
    """How to talk to the Hub. ``sleep`` is injectable so tests never really wait."""

    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    timeout: float = 10.0
    """Per request, start to last byte (dripped headers and bodies included)."""
    max_retries: int = 2
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 10.0
    """The ``Retry-After`` cut-off: a longer wait is not made (the model uses the snapshot)."""
    deadline_seconds: float = 60.0
    """All Hub requests and waits of one run end within this."""
    max_bytes: int = 4 * 1024 * 1024
    """An answer as sent (compressed) over this is refused."""
    max_expanded: int = 16 * 1024 * 1024
    """An answer as expanded over this is refused."""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

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
        if os.environ.get(DEADLINE_ENV):
            values["deadline_seconds"] = non_negative_env_float(DEADLINE_ENV)
        values.update(overrides)
        return cls(**values)


class _Retry(AuditError):
    """Internal: the attempt failed in a way worth retrying after ``wait`` seconds."""

    def __init__(self, problem: HubProblem, wait: float | None) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.wait = wait


class LiveHub:
    """``HubService`` over the Hub's model API.

    Each repository is asked at most once per run (in-memory) and once per cache TTL (on
    disk, unless ``refresh``). After the Hub proves unreachable, rate-limits us past our
    retries, fails or times out twice, or the run's deadline is spent, later lookups are
    skipped instead of waiting again.
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
        self._stop_reason: str | None = None
        self._failures = 0
        self._token = settings.token or _stored_token()
        self._ends_at = settings.clock() + settings.deadline_seconds

    @property
    def endpoint(self) -> str:
        return self.settings.endpoint

    @property
    def started_at(self) -> str:
        return self._started_at

    def _clean(self, text: str) -> str:
        return clean(text, (self._token,) if self._token else ())

    def _left(self) -> float:
        return self._ends_at - self.settings.clock()

    def lookup(self, repo_id: str) -> HubAnswer:
        key = repo_id.lower()
        if key not in self._answers:
            self._answers[key] = self._lookup_uncached(repo_id)
        return self._answers[key]

    def _lookup_uncached(self, repo_id: str) -> HubAnswer:
        if not is_valid_model_id(repo_id):
            return self._problem(repo_id, "invalid-id", "not a valid repository id (owner/name)")
        if self.cache is not None and not self.refresh:
            stored = self.cache.get(self.endpoint, repo_id)
            if stored is not None:
                answer = self._from_cache(repo_id, stored)
                if answer is not None:
                    return answer
        if self._left() <= 0:
            return self._problem(repo_id, "skipped",
                                 f"not asked: the {self.settings.deadline_seconds:g}s Hub "
                                 f"deadline of this run ({DEADLINE_ENV}) was reached")
        if self._stop_reason is not None:
            return self._problem(repo_id, "skipped",
                                 f"not asked: the live Hub was unavailable earlier "
                                 f"({self._stop_reason})")
        answer = self._fetch_with_retries(repo_id)
        if self.cache is not None and (isinstance(answer, HubRecord) or answer.definitive):
            self.cache.put(self.endpoint, repo_id, answer.to_dict())
        return answer

    def _from_cache(self, repo_id: str, stored: dict[str, Any]) -> HubAnswer | None:
        """A cache entry of the right shape for this id, or None (refetched)."""
        try:
            if stored.get("status") == "ok":
                record = HubRecord.from_dict(stored, cached=True)
                checked = checked_record(record, repo_id, self._clean)
                return checked if isinstance(checked, HubRecord) else None
            problem = HubProblem.from_dict(stored, cached=True)
        except (KeyError, TypeError, ValueError):
            return None
        if problem.repo_id.lower() != repo_id.lower() or not problem.definitive:
            return None
        return replace(problem, repo_id=repo_id, message=self._clean(problem.message))

    def _problem(self, repo_id: str, kind: str, message: str,
                 status: int | None = None) -> HubProblem:
        shown = repo_id if is_valid_model_id(repo_id) else self._clean(repo_id)
        return HubProblem(repo_id=shown, kind=kind, message=self._clean(message),
                          endpoint=self.endpoint, fetched_at=iso_utc(self.clock()),
                          status=status)

    def _fetch_with_retries(self, repo_id: str) -> HubAnswer:
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._fetch_once(repo_id)
            except _Retry as retry:
                delay = retry.wait if retry.wait is not None else (
                    self.settings.backoff_seconds * (2 ** (attempt - 1)))
                delay = max(delay, 0.0)
                cut = self._cut_off(delay)
                if attempt == attempts or cut:
                    self._note_exhausted(retry.problem)
                    suffix = cut or (f" (gave up after {attempts} attempts)"
                                     if attempts > 1 else "")
                    return replace(retry.problem, message=retry.problem.message + suffix)
                self.settings.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _cut_off(self, delay: float) -> str:
        if delay > self.settings.max_wait_seconds:
            return (f" (not waited for: over the {self.settings.max_wait_seconds:g}s "
                    "Retry-After cut-off)")
        if delay >= self._left():
            return " (not waited for: past this run's Hub deadline)"
        return ""

    def _note_exhausted(self, problem: HubProblem) -> None:
        if problem.kind in ("rate-limited", "unreachable"):
            self._stop_reason = problem.message
        elif problem.kind in ("timeout", "http-error"):
            self._failures += 1
            if self._failures >= 2:
                self._stop_reason = ("timed out twice" if problem.kind == "timeout"
                                     else "failed twice")

    def _headers(self) -> dict[str, str]:
        from auditor import __version__

        headers = {"User-Agent": f"llama-audit/{__version__}", "Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _fetch_once(self, repo_id: str) -> HubAnswer:
        url = (f"{self.endpoint}/api/models/{quote(repo_id, safe='/')}?"
               + urlencode({"expand": list(EXPAND)}, doseq=True))
        timeout = min(self.settings.timeout, self._left())
        try:
            answer = get(url, self._headers(), timeout=timeout, max_bytes=self.settings.max_bytes,
                         max_expanded=self.settings.max_expanded)
        except HttpFailure as failure:
            if failure.kind == "timeout":
                raise _Retry(self._problem(repo_id, "timeout",
                                           f"no answer within {timeout:.3g}s"), None) from None
            if failure.kind == "unreachable":
                raise _Retry(self._problem(repo_id, "unreachable",
                                           f"cannot reach {self.endpoint} ({failure.message})"),
                             None) from None
            return self._problem(repo_id, "malformed",
                                 f"malformed answer from the Hub ({failure.message})")
        if answer.status != 200:
            return self._http_error(repo_id, answer)
        try:
            data = json.loads(answer.body)
            if not isinstance(data, dict):
                raise TypeError(f"the answer is a JSON {type(data).__name__}, not an object")
            from huggingface_hub.hf_api import ModelInfo

            info = ModelInfo(**data)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            return self._problem(repo_id, "malformed",
                                 f"malformed answer from the Hub ({type(exc).__name__}: "
                                 f"{_short(exc)})")
        try:
            record = record_from_model_info(info, endpoint=self.endpoint,
                                            fetched_at=iso_utc(self.clock()))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return self._problem(repo_id, "malformed",
                                 f"malformed metadata from the Hub ({type(exc).__name__}: "
                                 f"{_short(exc)})")
        checked = checked_record(record, repo_id, self._clean)
        if isinstance(checked, str):
            return self._problem(repo_id, "malformed", f"malformed answer from the Hub ({checked})")
        return checked

    def _http_error(self, repo_id: str, answer: HttpAnswer) -> HubAnswer:
        status = answer.status
        if status == 429:
            wait = _retry_after(answer)
            detail = f"; Retry-After {wait:g}s" if wait is not None else ""
            raise _Retry(self._problem(repo_id, "rate-limited",
                                       f"rate limited by the Hub (HTTP 429{detail})", 429), wait)
        if status >= 500 or status == 408:
            wait = _retry_after(answer)
            detail = f"; Retry-After {wait:g}s" if wait is not None else ""
            raise _Retry(self._problem(repo_id, "http-error",
                                       f"Hub server error (HTTP {status}{detail})", status), wait)
        if status in (401, 403):
            return self._problem(repo_id, "gated",
                                 f"could not check (unauthorised, HTTP {status}): gated or "
                                 "private, metadata not visible; set HF_TOKEN with access to "
                                 "see it", status)
        if status == 404:
            return self._problem(repo_id, "not-found", "not found on the Hub (HTTP 404)", 404)
        return self._problem(repo_id, "http-error",
                             f"Hub request failed (HTTP {status}): {_error_text(answer)}", status)


def _retry_after(answer: HttpAnswer) -> float | None:
    raw = answer.headers.get("retry-after")
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except (TypeError, ValueError, OverflowError):
        return None  # an HTTP-date Retry-After: fall back to our own backoff


def _error_text(answer: HttpAnswer) -> str:
    """The Hub's own error words (masked and neutralised later by ``_problem``)."""
    message = answer.headers.get("x-error-message")
    if message:
        return _short(message)
    try:
        data = json.loads(answer.body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return _short(data["error"])
    return _short(answer.body[:400].decode("utf-8", "replace"))


def _short(exc: BaseException | str, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
