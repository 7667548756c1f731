"""The line scanner: identifiers and prompt markers found token by token in plain text.

Used as the fallback for files a structural parser cannot read, and directly for text-like
kinds. It knows no syntax: every token containing a Llama-ish word goes through ``identify``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.identify.models import identify
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import ARCHITECTURE_ONLY, MODEL_ID, PROMPT_FORMAT
from auditor.types import Hit, ModelRef

_TOKEN = re.compile(r"[\w@~.:/+{}\\-]+")
HINT_WORDS = ("llama", "vicuna", "guard")
"""A text without one of these (lower-cased) holds no identifier the line scanner reports."""
_TRAILING = ".,:;/\\-"


def has_hint(text: str) -> bool:
    """Whether ``text`` holds a word every identifier token needs (without one, neither
    ``iter_identifier_tokens`` nor ``identifiers_in`` finds anything)."""
    lowered = text.lower()
    return any(h in lowered for h in HINT_WORDS)


def iter_identifier_tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) for every token of ``text`` that may name a Llama model."""
    if not has_hint(text):
        return
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if not has_hint(token):
            continue
        start, end = match.start(), match.end()
        while token and token[-1] in _TRAILING:
            token = token[:-1]
            end -= 1
        while token and token[0] in ".:/-":
            token = token[1:]
            start += 1
        if token:
            yield start, end, token


def identify_tokens(text: str, ruleset: RuleSet) -> Iterator[tuple[int, int, str, ModelRef]]:
    for start, end, token in iter_identifier_tokens(text):
        ref = identify(token, ruleset)
        if ref is not None:
            yield start, end, token, ref


def scan_lines(
    text: str,
    ruleset: RuleSet,
    *,
    rule_id: str = MODEL_ID,
    marker_rule_id: str | None = PROMPT_FORMAT,
    architecture_rule_id: str | None = ARCHITECTURE_ONLY,
    context: str = "",
) -> list[Hit]:
    """Every identifier (and, if asked, prompt marker) in ``text``, one hit per occurrence."""
    hits: list[Hit] = []
    tables = python_tables(ruleset)
    for number, line in enumerate(text.splitlines(), start=1):
        for start, end, token, ref in identify_tokens(line, ruleset):
            rule = rule_id if ref.meta_weights else architecture_rule_id
            if rule is None:
                continue
            hits.append(Hit(rule_id=rule, line=number, column=start + 1, end_line=number,
                            end_column=end + 1, identifier=token, model=ref, context=context))
        if marker_rule_id is not None:
            for marker in tables.strong_markers:
                at = line.find(marker)
                if at >= 0:
                    hits.append(Hit(rule_id=marker_rule_id, line=number, column=at + 1,
                                    end_line=number, end_column=at + 1 + len(marker),
                                    identifier=marker, context=context))
                    break
    return hits
