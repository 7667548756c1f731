"""Text from outside the tool (saved results, caches) made safe to show on a terminal."""

from __future__ import annotations

import re

UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters (ANSI escape sequences start with ESC; a newline could forge a report
line) and bidirectional controls (U+202E makes ``txt.exe`` read ``exe.txt``). Tab is kept."""


def neutralise(text: str) -> str:
    """``text`` with every control and bidirectional character shown as U+FFFD."""
    return UNSAFE.sub("\ufffd", text)
