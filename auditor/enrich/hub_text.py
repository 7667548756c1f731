"""Text that comes from a Hub (answers, error bodies, headers) or the environment, made safe
before it enters a result: secrets masked, then control and bidi characters neutralised.

``clean`` is the one boundary function: every Hub string a record, a problem or a diagnostic
carries goes through it (``auditor.enrich.hub``); the reports and the terminal then only ever
see masked, printable text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

MASK = "***"
TOKEN_ENV = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_HUB_TOKEN")
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_HF_TOKEN = re.compile(r"hf_[A-Za-z0-9_]{6,}")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{6,}")
_AUTH_VALUE = re.compile(
    r"""(?i)\b((?:proxy-)?authorization|x-api-key|api[_-]?key|access[_-]?token|hf[_-]?token)"""
    r"""(["']?\s*[:=]\s*["']?)((?:(?:bearer|basic|token)\s+)?[^\s"',;}\]]+)""")


def env_secrets() -> tuple[str, ...]:
    """The token values the environment holds (read now, never stored elsewhere)."""
    values = (os.environ.get(name, "").strip() for name in TOKEN_ENV)
    return tuple(v for v in values if len(v) >= 4)


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``hf_…`` tokens, ``Authorization``/``Bearer`` values and the given literal secrets (and
    the environment's ``HF_TOKEN``) replaced by ``***``."""
    for secret in sorted({*secrets, *env_secrets()}, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
    text = _AUTH_VALUE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _HF_TOKEN.sub("hf_" + MASK, text)


def neutralise(text: str) -> str:
    """Control and bidi characters (ESC, CR, LF, RLO...) shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def clean(text: str, secrets: Iterable[str] = (), limit: int = 300) -> str:
    """Masked, neutralised and at most ``limit`` characters: fit for a terminal and a report."""
    text = neutralise(mask_secrets(text, secrets))
    return text if len(text) <= limit else text[: limit - 1] + "…"
