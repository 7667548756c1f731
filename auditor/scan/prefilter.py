"""The prefilter: one cheap pass over a file's bytes decides whether any scanner can fire."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from auditor.ruleset.load import RuleSet

_NOTATIONS = (("", "d"), ("0x", "x"), ("0o", "o"), ("0", "o"), ("0b", "b"))
"""(prefix, ``format`` code) of every integer notation a scanner reads: decimal, hexadecimal,
octal (``0o`` and the leading ``0`` of Go, Java and JavaScript) and binary."""


def token_id_spellings(ids: Iterable[int], separator: str = "_?") -> list[str]:
    """Regex sources (lower case) for a token id in every notation the scanners read
    (``128009``, ``128_009``, ``0x1F409``, ``0x0001_f409``, ``0o372011``, ``0372011``,
    ``0b1111...``): leading zeros after a prefix, ``separator`` between digits (digit
    separators; pass "" for text with its underscores removed). A suffix (``u32``, ``L``,
    ``n``) needs no pattern: a match of the digits is enough for a prefilter.

    A flat alternation: on transformers (72 MB) it costs 0.43 s against 0.33 s for the
    decimal ids alone, where the same ids folded into a trie cost 2.1 s (the regex engine
    then no longer skips ahead by first character)."""
    spellings = set()
    for value in ids:
        for prefix, code in _NOTATIONS:
            body = separator.join(format(value, code))
            spellings.add(f"{prefix}[0_]*{body}" if prefix else body)
    return sorted(spellings)


@lru_cache(maxsize=8)
def prefilter_terms(ruleset: RuleSet) -> tuple[bytes, ...]:
    """Built from the rules: the listed terms and every strong prompt marker (token ids are
    in ``prefilter_pattern``, in all their notations)."""
    terms = [str(t) for t in ruleset.section_table("prefilter").get("terms", [])]
    terms += [str(m) for m in ruleset.section_table("prompt_markers").get("strong", [])]
    return tuple(sorted({t.lower().encode("utf-8") for t in terms}))


def token_ids(ruleset: RuleSet) -> frozenset[int]:
    """The Llama end/stop token ids of ``[special_tokens]``."""
    return frozenset(int(i) for i in ruleset.section_table("special_tokens").get("ids", []))


def file_may_match(data: bytes, ruleset: RuleSet) -> bool:
    """Whether any prefilter term or token id occurs in ``data`` (case-insensitively)."""
    return prefilter_pattern(ruleset).search(data.lower()) is not None


@lru_cache(maxsize=8)
def prefilter_pattern(ruleset: RuleSet) -> re.Pattern[bytes]:
    """The prefilter terms and token id spellings as one alternation: one regex pass per file
    is about 3x cheaper than one substring search per term (measured on transformers: 0.4 s
    against 1.0 s)."""
    terms = [re.escape(term) for term in prefilter_terms(ruleset)]
    terms += [s.encode("ascii") for s in token_id_spellings(token_ids(ruleset))]
    return re.compile(b"|".join(terms))
