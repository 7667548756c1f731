"""The prefilter: one cheap pass over a file's bytes decides whether any scanner can fire."""

from __future__ import annotations

import re
from functools import lru_cache

from auditor.ruleset.load import RuleSet


@lru_cache(maxsize=8)
def prefilter_terms(ruleset: RuleSet) -> tuple[bytes, ...]:
    """Built from the rules: the listed terms, every strong prompt marker, every token id."""
    terms = [str(t) for t in ruleset.section_table("prefilter").get("terms", [])]
    terms += [str(m) for m in ruleset.section_table("prompt_markers").get("strong", [])]
    terms += [str(i) for i in ruleset.section_table("special_tokens").get("ids", [])]
    return tuple(sorted({t.lower().encode("utf-8") for t in terms}))


def file_may_match(data: bytes, ruleset: RuleSet) -> bool:
    """Whether any prefilter term occurs in ``data`` (case-insensitively)."""
    return prefilter_pattern(ruleset).search(data.lower()) is not None


@lru_cache(maxsize=8)
def prefilter_pattern(ruleset: RuleSet) -> re.Pattern[bytes]:
    """The prefilter terms as one alternation: one regex pass per file is about 3x cheaper
    than one substring search per term (measured on transformers: 0.4 s against 1.0 s)."""
    return re.compile(b"|".join(re.escape(term) for term in prefilter_terms(ruleset)))
