"""Inline suppressions: ``llama-audit: ignore[LA101] reason`` in each file kind's own comments.

A suppression applies to findings on its own line, or, when the comment stands alone on its
line, to findings on the next line. ``ignore`` without brackets covers every rule on that line.
Parsing is pure: text in, ``Suppression`` values out; each file's comment syntax is its row in
``discover.filetypes``. Rule references (ids or slugs) are resolved
by the caller-supplied function so this module does not need a rule set.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from auditor.discover.filetypes import HASH as HASH
from auditor.discover.filetypes import HASH_SEMICOLON as HASH_SEMICOLON
from auditor.discover.filetypes import HASH_SLASH as HASH_SLASH
from auditor.discover.filetypes import HTML as HTML
from auditor.discover.filetypes import NOTEBOOK, PYTHON, CommentStyle, comment_style
from auditor.discover.filetypes import RST as RST
from auditor.types import SuppressionComment

MARKER = "llama-audit"

_DIRECTIVE = re.compile(
    r"llama-audit\s*:\s*(?P<verb>[A-Za-z_-]+)(?:\[(?P<rules>[^\]]*)\])?(?P<rest>.*)",
    re.DOTALL,
)
_REASON_LEAD = " \t-–—:;,"


@dataclass(frozen=True, slots=True)
class Suppression:
    """One ``llama-audit: ignore`` comment. ``rule_ids`` None means every rule."""

    file: str
    """Key of the file it was found in (the caller's choice: an absolute path)."""
    line: int
    """1-based line of the comment (within the cell for notebooks)."""
    applies_to: tuple[int, ...]
    """Lines whose findings it covers: its own, and the next one for a comment-only line."""
    rule_ids: frozenset[str] | None
    reason: str
    text: str
    """The directive as written, for reports."""
    cell: int | None = None
    unknown_rules: tuple[str, ...] = ()

    def covers(self, rule_id: str, lines: Sequence[int], cell: int | None = None) -> bool:
        if cell != self.cell:
            return False
        if self.rule_ids is not None and rule_id not in self.rule_ids:
            return False
        return any(line in self.applies_to for line in lines)


@dataclass(frozen=True, slots=True)
class SuppressionProblem:
    """A comment that mentions ``llama-audit:`` but is not a valid directive."""

    file: str
    line: int
    code: str
    message: str
    cell: int | None = None


RuleResolver = Callable[[str], "str | None"]


def parse_suppressions(
    text: str, style: CommentStyle, file: str, resolve: RuleResolver
) -> tuple[list[Suppression], list[SuppressionProblem]]:
    """Every suppression in ``text`` (a whole file), and the malformed ones as problems."""
    return suppressions_from_comments(suppression_comments(text, style), file, resolve)


def suppression_comments(text: str, style: CommentStyle) -> tuple[SuppressionComment, ...]:
    """The comments in ``text`` (a whole file, as the scan decoded it) that mention the
    marker: what the scan stage records, so the policy stage never reads the file again."""
    if MARKER not in text:
        return ()
    if style is NOTEBOOK:
        return tuple(_notebook_comments(text))
    comments = _python_comments(text) if style is PYTHON else _line_comments(text, style)
    return tuple(SuppressionComment(line, comment, alone)
                 for line, comment, alone in comments if MARKER in comment)


def file_suppression_comments(rel: str, text: str) -> tuple[SuppressionComment, ...]:
    """``suppression_comments`` in the comment syntax of the file at ``rel`` (none without)."""
    if MARKER not in text:
        return ()
    style = comment_style(rel)
    return () if style is None else suppression_comments(text, style)


_NOTE_VERBS = frozenset({"todo"})
"""``# llama-audit: todo[LA106] ...`` comments written by ``fix`` for manual steps."""


def suppressions_from_comments(
    comments: Iterable[SuppressionComment], file: str, resolve: RuleResolver
) -> tuple[list[Suppression], list[SuppressionProblem]]:
    """The suppressions (and malformed directives) among recorded comments of one file."""
    found: list[Suppression] = []
    problems: list[SuppressionProblem] = []
    for recorded in comments:
        line, comment, alone, cell = (recorded.line, recorded.text, recorded.alone,
                                      recorded.cell)
        at = _directive_start(comment)
        if at < 0:
            continue
        match = _DIRECTIVE.match(comment, at)
        if match is not None and match.group("verb").lower() in _NOTE_VERBS:
            continue  # a note left by `llama-audit fix`, not a suppression
        if match is None or match.group("verb").lower() != "ignore":
            problems.append(SuppressionProblem(
                file, line, "suppression-invalid",
                f"not a suppression: {comment.strip()!r} (write "
                "'llama-audit: ignore[LA101] reason')", cell))
            continue
        rest = match.group("rest")
        if rest[:1] and not rest[0].isspace() and rest[0] not in _REASON_LEAD:
            problems.append(SuppressionProblem(
                file, line, "suppression-invalid",
                f"not a suppression: {comment.strip()!r} (rules go in brackets: ignore[LA101])",
                cell))
            continue
        rule_ids: frozenset[str] | None = None
        unknown: list[str] = []
        if match.group("rules") is not None:
            refs = [r.strip() for r in match.group("rules").split(",") if r.strip()]
            resolved = set()
            for ref in refs:
                rule_id = resolve(ref)
                if rule_id is None:
                    unknown.append(ref)
                else:
                    resolved.add(rule_id)
            if not refs:
                problems.append(SuppressionProblem(
                    file, line, "suppression-invalid",
                    "empty rule list in 'ignore[]'; name rules or drop the brackets", cell))
                continue
            rule_ids = frozenset(resolved)
        reason = _clean_reason(rest)
        applies = (line, line + 1) if alone else (line,)
        directive = comment[at:match.end("rules") + 1 if match.group("rules") is not None
                             else match.end("verb")]
        found.append(Suppression(file=file, line=line, applies_to=applies, rule_ids=rule_ids,
                                 reason=reason, text=directive.strip(), cell=cell,
                                 unknown_rules=tuple(unknown)))
    return found, problems


def _directive_start(comment: str) -> int:
    """Where the directive starts: the comment must begin with it (or with '#' before it)."""
    at = comment.find(MARKER)
    while at >= 0:
        before = comment[:at].rstrip()
        if not before or before.endswith("#"):
            return at
        at = comment.find(MARKER, at + 1)
    return -1


def _clean_reason(rest: str) -> str:
    reason = rest.strip()
    for closer in ("-->",):
        if reason.endswith(closer):
            reason = reason[: -len(closer)].rstrip()
    return reason.lstrip(_REASON_LEAD).strip()


def _python_comments(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line, comment text, comment is alone on its line) from real Python comment tokens."""
    lines = text.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        yield from _line_comments(text, HASH)
        return
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        row, col = token.start
        source = lines[row - 1] if 0 < row <= len(lines) else ""
        yield row, token.string[1:], not source[:col].strip()


def _line_comments(text: str, style: CommentStyle) -> Iterator[tuple[int, str, bool]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        found = _comment_in_line(line, style)
        if found is not None:
            start, comment = found
            yield number, comment, not line[:start].strip()


def _comment_in_line(line: str, style: CommentStyle) -> tuple[int, str] | None:
    """(start column, comment text) of the comment holding the marker, if it is in one."""
    marker_at = line.find(MARKER)
    if style.block is not None:
        opener, _closer = style.block
        start = line.rfind(opener, 0, marker_at)
        if start >= 0:
            return start, line[start + len(opener):]
        return None
    best: tuple[int, str] | None = None
    for prefix in style.prefixes:
        search_from = 0
        while True:
            start = line.find(prefix, search_from, marker_at)
            if start < 0:
                break
            if start == 0 or line[start - 1] in " \t":
                if best is None or start < best[0]:
                    best = (start, line[start + len(prefix):])
                break
            search_from = start + 1
    return best


def _notebook_comments(text: str) -> Iterator[SuppressionComment]:
    """Marker comments in a notebook's code cells, keyed by cell index and line in the cell."""
    try:
        data = json.loads(text)
    except ValueError:
        return
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        if not isinstance(source, str) or MARKER not in source:
            continue
        for line, comment, alone in _python_comments(source):
            if MARKER in comment:
                yield SuppressionComment(line, comment, alone, index)
