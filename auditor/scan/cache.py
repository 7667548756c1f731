"""The per-file result cache: a re-scan of unchanged files skips parsing.

Keyed by the file's decoded content, its path (findings name it) and kind, the scan options
that change results, the tool version and the rules version: any change to any of them is a
miss. Entries are small JSON files written atomically; a cache that cannot be written (a
read-only CI disk) simply stops caching, the scan is unaffected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.serialize import (
    cached_outcome,
    diagnostic_to_dict,
    finding_to_dict,
)
from auditor.types import Diagnostic
from auditor.util.files import read_regular_file, write_atomically

if TYPE_CHECKING:
    from auditor.scan.links_cache import LinksCache

CACHE_ENV = "LLAMA_AUDIT_CACHE_DIR"


def default_cache_root() -> Path:
    """``$LLAMA_AUDIT_CACHE_DIR``, else the platform's user cache directory + ``llama-audit``
    (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux). The result cache and the Hub cache share it."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "llama-audit" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "llama-audit"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "llama-audit"


def non_negative_env_float(name: str, what: str = "a number") -> float:
    """The number in environment variable ``name``; ValueError naming it when it is not one."""
    raw = os.environ[name]
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be {what}, not {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the scanner code itself, so a changed scanner never reads stale entries
    (the release version alone does not change between development builds)."""
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()


STALE_AFTER_SECONDS = 7 * 24 * 3600
"""A cache of another tool, rules or code version unused this long is deleted."""

_VERSION_DIRECTORY = re.compile(r"^[^-/\\]+-[0-9a-f]{12}-[0-9a-f]{16}$")
"""How ``ResultCache`` names a version's directory: ``<tool>-<rules>-<code>``."""


MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""A cache entry larger than this was not written by a scan (1,000 findings a file)."""


class ResultCache:
    def __init__(self, root: Path, rules_version: str) -> None:
        self.directory = root / "scan" / f"{__version__}-{rules_version}-{code_version()}"
        self.enabled = True

    @cached_property
    def links(self) -> LinksCache:
        """The module links remembered beside these results (the cross-module join's)."""
        from auditor.scan.links_cache import LinksCache  # the join's parser: only when used

        return LinksCache(self.directory)

    def prune_stale_versions(self, now: float | None = None) -> None:
        """Mark this version's directory used, and delete the directories of other versions
        unused for ``STALE_AFTER_SECONDS``: every release, rules change or (in development)
        code change starts a new one, which would otherwise pile up for ever."""
        moment = time.time() if now is None else now
        with contextlib.suppress(OSError):
            os.utime(self.directory, (moment, moment))
        try:
            siblings = list(os.scandir(self.directory.parent))
        except OSError:
            return
        for entry in siblings:
            if entry.name == self.directory.name or not _VERSION_DIRECTORY.match(entry.name):
                continue
            with contextlib.suppress(OSError):
                if (entry.is_dir(follow_symlinks=False)
                        and moment - entry.stat(follow_symlinks=False).st_mtime
                        > STALE_AFTER_SECONDS):
                    shutil.rmtree(entry.path, ignore_errors=True)

    @staticmethod
    def key(rel: str, kind: str, options_tag: str, text: str) -> str:
        digest = hashlib.blake2b(digest_size=20)
        for part in (rel, kind, options_tag):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[tuple[Any, ...], tuple[Diagnostic, ...], bool] | None:
        if not self.enabled:
            return None
        try:
            # Not a pipe, not a link (to /dev/zero, say), not oversized: else a miss.
            raw, size = read_regular_file(self._path(key), MAX_ENTRY_BYTES)
            if size > MAX_ENTRY_BYTES:
                return None
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("parsed"), bool):
                return None
            findings, diagnostics = cached_outcome(data.get("findings"),
                                                   data.get("diagnostics"))
            return findings, diagnostics, data["parsed"]
        except (OSError, ValueError, RecursionError):  # ResultFormatError is a ValueError
            return None

    def put(self, key: str, findings: tuple[Any, ...], diagnostics: tuple[Diagnostic, ...],
            parsed: bool) -> None:
        if not self.enabled:
            return
        payload = {
            "findings": [finding_to_dict(f) for f in findings],
            "diagnostics": [diagnostic_to_dict(d) for d in diagnostics],
            "parsed": parsed,
        }
        try:
            write_atomically(self._path(key), json.dumps(payload))
        except OSError:
            self.enabled = False
