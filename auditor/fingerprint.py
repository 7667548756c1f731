"""A finding's fingerprint: what identifies it across edits that only move it.

Rule, file, normalised identifier and enclosing scope, not the line number, so a baseline
keeps matching a finding when lines above it are added or removed.
"""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")


def normalise_for_fingerprint(text: str) -> str:
    """Whitespace-folded, case-folded text: survives reformatting."""
    return _SPACE.sub(" ", text).strip().casefold()


def compute_fingerprint(rule_id: str, path: str, key: str, context: str) -> str:
    """Stable across line moves: rule, file, normalised identifier and enclosing scope only."""
    material = "\x1f".join(
        (rule_id, path, normalise_for_fingerprint(key), normalise_for_fingerprint(context))
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
