"""On-disk cache of live Hub lookups, so repeated ``--online`` runs do not re-ask the Hub.

One JSON file per (endpoint, repository). Only answers worth keeping are cached: metadata,
"not found" and "gated". Rate limits, timeouts and malformed answers are never cached.
A broken cache file is ignored (and overwritten), never an error: not a regular file, over
1 MiB, not JSON, or (checked by ``hub.LiveHub``) any field of the wrong type.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.scan.cache import CACHE_ENV, default_cache_root, non_negative_env_float
from auditor.util.files import read_regular_file, write_atomically

CACHE_DIR_ENV = CACHE_ENV
CACHE_TTL_ENV = "LLAMA_AUDIT_CACHE_TTL"
DEFAULT_TTL_SECONDS = 24 * 3600
_CACHE_LAYOUT = "hub-v1"
MAX_ENTRY_BYTES = 1024 * 1024


def default_cache_dir() -> Path:
    """The shared cache root (``auditor.scan.cache.default_cache_root``); the Hub cache lives in its
    own ``hub-v1`` folder inside it."""
    return default_cache_root()


def ttl_from_env() -> float:
    if not os.environ.get(CACHE_TTL_ENV):
        return DEFAULT_TTL_SECONDS
    return non_negative_env_float(CACHE_TTL_ENV, "a number of seconds")


class HubCache:
    """Stores plain JSON answers keyed by endpoint and repository id."""

    def __init__(self, directory: Path, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.directory = directory / _CACHE_LAYOUT
        self.ttl_seconds = ttl_seconds

    def _path(self, endpoint: str, repo_id: str) -> Path:
        key = hashlib.sha256(f"{endpoint.rstrip('/')}\0{repo_id.lower()}".encode()).hexdigest()
        return self.directory / f"{key[:32]}.json"

    def get(self, endpoint: str, repo_id: str, now: float | None = None) -> dict[str, Any] | None:
        path = self._path(endpoint, repo_id)
        try:
            # a regular file of sane size only: a FIFO, device or huge file is not an entry
            raw, size = read_regular_file(path, MAX_ENTRY_BYTES)
            if size > MAX_ENTRY_BYTES:
                return None
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("stored_at"), (int, float)):
            return None
        age = (time.time() if now is None else now) - float(data["stored_at"])
        if age < 0 or age > self.ttl_seconds:
            return None
        answer = data.get("answer")
        return answer if isinstance(answer, dict) else None

    def put(self, endpoint: str, repo_id: str, answer: Mapping[str, Any],
            now: float | None = None) -> None:
        """Best effort: an unwritable cache only costs a refetch next time."""
        path = self._path(endpoint, repo_id)
        payload = {
            "stored_at": time.time() if now is None else now,
            "endpoint": endpoint,
            "repo_id": repo_id,
            "answer": dict(answer),
        }
        try:
            write_atomically(path, json.dumps(payload))
        except OSError:
            return
