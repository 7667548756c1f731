"""Positions for the dependency parsers: the one line index every scanner shares."""

from __future__ import annotations

from ..textpos import LineIndex, Span

__all__ = ["LineIndex", "Span"]
