"""What is not parsed at all: texts too large, and (for libcst) nesting deeper than CPython
accepts."""

from __future__ import annotations

import re

from auditor.isolate.outcomes import ParseRefused

MAX_PARSE_CHARS = 512 * 1024
"""Larger Python texts are line-scanned: libcst needs 10-20 s and ~600 MB per MB of source.
``ast`` needs up to ~0.8 s and ~250 MB for 512 KB of dense code; a module that size is
generated, not a program that loads a model."""

MAX_BRACKET_DEPTH = 200
"""CPython's own limit ("too many nested parentheses"): deeper code is not valid Python."""

MAX_SOURCE_PARSE_CHARS = 1024 * 1024
"""Larger JavaScript, TypeScript, Go, Rust, Java and Kotlin texts are line-scanned: tree-sitter
and the walk over its tree need ~2 s and ~140 MB per MB of source (a 4.9 MB JavaScript file:
11 s, 685 MB). The largest such file in the languages set (a 792 KB TSX logo) is still read."""

DEFAULT_TIMEOUT = 30.0

# Strings and comments (whose brackets do not nest) and the brackets themselves. String
# prefixes need no handling: a prefix is a name just before the quote. Loops are unrolled
# ("normal* (special normal*)*"), so a long string costs constant memory in the regex engine.
_BRACKET_TOKENS = re.compile(
    r"""#[^\r\n]*"""
    r"""|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"""
    r'''|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'''
    r"""|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'?"""
    r'''|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"?'''
    r"""|[\(\[\{]|[\)\]\}]""",
    re.DOTALL,
)


def bracket_depth(text: str, limit: int = MAX_BRACKET_DEPTH) -> int:
    """Deepest bracket nesting outside strings and comments; stops counting past ``limit``."""
    if not any(c in text for c in "([{"):
        return 0
    depth = deepest = 0
    for match in _BRACKET_TOKENS.finditer(text):
        char = match.group()[0]
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in ")]}":
            depth = max(0, depth - 1)
    return deepest


def too_large(text: str, limit: int = MAX_PARSE_CHARS) -> ParseRefused | None:
    """Why ``text`` is not parsed at all (its size over ``limit``), or None when it may be."""
    if len(text) > limit:
        return ParseRefused(
            "too-large-to-parse",
            f"not parsed: {len(text):,} characters is over the {limit:,}-character "
            "limit for structural analysis")
    return None


def screen(text: str) -> ParseRefused | None:
    """Why ``text`` must not reach libcst at all, or None when it may."""
    refused = too_large(text)
    if refused is not None:
        return refused
    if bracket_depth(text) > MAX_BRACKET_DEPTH:
        return ParseRefused(
            "too-deep",
            f"not parsed: brackets nested more than {MAX_BRACKET_DEPTH} deep (Python itself "
            "rejects this)")
    return None
