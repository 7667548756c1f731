"""Commented-out code that names a Llama model (LA307, info).

``# MODEL_ID = "TheBloke/Llama-2-7b-Chat-GGUF"`` in Python, ``# model: meta-llama/...`` in YAML,
``# ollama pull llama3.1:8b`` in a shell script: code someone may uncomment, so a migration plan
lists it. Read in every file kind whose line comments the ``discover.filetypes`` table knows
(``#``, ``//``, ``;``), from comments alone on their line whose text reads like code (an
assignment, a ``key: value``, a call, an option, a list item, a command); a sentence is prose
and a link (``# see https://...``) a reference, never a finding. Python comments are confirmed
with ``tokenize`` (a ``#`` line inside a triple-quoted string is not a comment). Notebook cells
and block comments are not read here. Each hit carries ``mention = commented-code``: reported
by ``scan`` at info, never counted by ``--fail-on`` unless ``--include-docs`` asks
(docs/detection.md).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from functools import lru_cache

from auditor.discover.filetypes import NOTEBOOK, PYTHON, comment_style
from auditor.identify.tables import tables_for
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import COMMENTED_CODE
from auditor.scan.text.identifiers import identifiers_in
from auditor.types import Hit

MENTION = "commented-code"

_CODE = re.compile(r"""^\s*(?:
    [A-Za-z_][\w.\[\]'"-]*\s*(?:=|:(?:\s|$)|\()     # an assignment, a key: value, a call
  | -{1,2}[A-Za-z]                                  # an option
  | -\s+\S                                          # a list item
  | [$>]\s                                          # a shell prompt
  | ["'{\[]                                         # a literal
  | (?:ollama|python3?|pip3?|uv|docker|vllm|huggingface-cli|hf|export|FROM|RUN|CMD|ENV|ARG
      |curl|wget|git|llama-server|llama-cli|llama|tune|torchrun|accelerate|deepspeed
      |litellm|lm_eval|mlx_lm\.\w+)\s
)""", re.VERBOSE)


def looks_like_code(comment: str) -> bool:
    """Does a comment's text read like code rather than a sentence?"""
    return _CODE.match(comment) is not None


def commented_code_hits(rel: str, text: str, ruleset: RuleSet,
                        found: Sequence[Hit] = ()) -> list[Hit]:
    """LA307 hits in the full-line comments of the file at ``rel`` (Meta weights only); an
    identifier another scanner already reported on the same line is not repeated."""
    style = comment_style(rel)
    if style is None or style is NOTEBOOK or not style.prefixes:
        return []
    if _hinted_comment(style.prefixes, tables_for(ruleset).grammar.hint_words).search(text) \
            is None:  # no full-line comment says a hint word: most files stop here
        return []
    candidates: dict[int, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        prefix = next((p for p in style.prefixes if stripped.startswith(p)), None)
        if prefix is None:
            continue
        body = stripped[len(prefix):]
        if looks_like_code(body.lstrip("#;/! ")):
            candidates[number] = (len(line) - len(stripped) + len(prefix), body)
    known = {(h.line, h.identifier) for h in found}
    hits: list[Hit] = []
    for number, (column, body) in candidates.items():
        for item in identifiers_in(body, ruleset):
            if not item.model.meta_weights or (number, item.token) in known or \
                    "://" in item.token:  # a link in a comment is a reference, not code
                continue
            hits.append(Hit(rule_id=COMMENTED_CODE, line=number,
                            column=column + item.start + 1, end_line=number,
                            end_column=column + item.end + 1, identifier=item.token,
                            model=item.model, details=(("mention", MENTION),)))
    if hits and style is PYTHON:  # tokenize only a file that has something to confirm, once
        comments = _python_comment_lines(text)
        hits = [hit for hit in hits if hit.line in comments]
    return hits


def _python_comment_lines(text: str) -> set[int]:
    """Lines holding a real Python comment token (all ``#`` lines if tokenize fails)."""
    try:
        return {token.start[0] for token in tokenize.generate_tokens(io.StringIO(text).readline)
                if token.type == tokenize.COMMENT}
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {n for n, line in enumerate(text.splitlines(), start=1)
                if line.lstrip().startswith("#")}


@lru_cache(maxsize=16)
def _hinted_comment(prefixes: tuple[str, ...], hints: tuple[str, ...]) -> re.Pattern[str]:
    starters = "|".join(re.escape(p) for p in prefixes)
    words = "|".join(re.escape(w) for w in hints)
    return re.compile(rf"(?im)^[ \t]*(?:{starters})[^\n]*?(?:{words})")
