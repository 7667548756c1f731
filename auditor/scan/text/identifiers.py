"""Identifiers and prompt markers inside free text (a config value, a shell line, a code block).

Shared by the config, infrastructure, artefact, notebook and docs scanners so that every kind
applies the same tokenisation, the same ``identify`` decision and the same marker rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.identify.models import identify
from auditor.ruleset.file_tables import file_tables, normalise_key
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.scan.text.lines import has_hint, iter_identifier_tokens
from auditor.types import ModelRef

_SUBSPLIT = re.compile(r"\$?\{|\}|:[-=?+]|(?<=[A-Z_]):|[=,;|()\[\]]")
"""Where a token that does not identify as a whole is cut: ``${VAR:-default}``, Spring-style
``${VAR:default}`` (a colon after an upper-case variable name, not ``llama3.1:8b``), ``k=v``."""
# The option a value follows; the value may be quoted and start with "./" or "/", which the
# token reader strips before the token starts.
_OPTION_BEFORE = re.compile(r"(?:^|\s)--?(?P<option>[A-Za-z][\w-]*)(?:=|\s+)[\"']?[.:/-]*$")


@dataclass(frozen=True)
class Found:
    """An identifier at ``start:end`` of the searched text."""

    start: int
    end: int
    token: str
    model: ModelRef


def identifiers_in(text: str, ruleset: RuleSet, *, context: str | None = None) -> list[Found]:
    """Every Llama identifier in ``text``.

    A token that does not identify as a whole is split at shell and template punctuation
    (``${MODEL:-meta-llama/...}``, ``key=value``) and its parts are tried. A bare Ollama name
    (``llama3``) counts only when ``context`` (default: the text itself) says "model".
    """
    found: list[Found] = []
    tables = file_tables(ruleset)
    for start, end, token in iter_identifier_tokens(text):
        if _is_output_option_value(text, start, tables.output_keys):
            continue
        ref = identify(token, ruleset)
        if ref is not None:
            found.append(Found(start, end, token, ref))
            continue
        found.extend(_parts(text, start, end, ruleset))
    where = text if context is None else context
    return [f for f in found if tables.accepts(f.model, f.token, where)]


def _is_output_option_value(text: str, start: int, output_keys: frozenset[str]) -> bool:
    """``--output_dir models/llama3-8b-pro``: where a command writes, not a model it uses."""
    option = _OPTION_BEFORE.search(text, 0, start)
    return option is not None and normalise_key(option.group("option")) in output_keys


def _parts(text: str, start: int, end: int, ruleset: RuleSet) -> Iterator[Found]:
    piece_start = start
    for cut in [*_SUBSPLIT.finditer(text, start, end), None]:
        piece_end = cut.start() if cut is not None else end
        piece = text[piece_start:piece_end]
        stripped = piece.strip(".:/-")
        if stripped and has_hint(stripped):
            offset = piece_start + piece.find(stripped)
            ref = identify(stripped, ruleset)
            if ref is not None:
                yield Found(offset, offset + len(stripped), stripped, ref)
        if cut is not None:
            piece_start = cut.end()


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    marker: str


def prompt_marker_in(text: str, ruleset: RuleSet) -> Marker | None:
    """The first strong Llama chat marker of ``text``, or None.

    The ``[INST]`` markers Mistral shares are never enough on their own: a Llama 2 prompt
    always carries ``<<SYS>>``, which is a strong marker.
    """
    best: Marker | None = None
    for marker in python_tables(ruleset).strong_markers:
        at = text.find(marker)
        if at >= 0 and (best is None or at < best.start):
            best = Marker(at, at + len(marker), marker)
    return best


def shell_code_end(line: str) -> int:
    """Index where a ``#`` comment starts in a shell-like line (outside quotes), else len."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
            continue
        if char == "\\" and quote != "'":
            escaped = True
            continue
        if quote is not None:
            if char == quote:
                quote = None
            continue
        if char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return index
    return len(line)
