"""Rewrites for config and infrastructure files: YAML, TOML, JSON, INI, .env, Dockerfile,
Ollama Modelfile, shell, compose, CI workflows, and documentation code blocks.

The scanners report the exact span of each identifier in the file's text, so a rewrite is a
span edit: the identifier's characters are replaced and every other byte (comments,
indentation, quoting, key order, line breaks) stays as it was. The result must still parse
with the format's parser (PyYAML's composer, tomllib, json) or the file is left alone.
Swaps that cannot be made get a ``# llama-audit: todo[RULE]`` line above them in formats
with ``#`` comments.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import yaml

from auditor.discover.filetypes import comment_style, file_type
from auditor.fix import notes
from auditor.fix.model import Action, Choice, Chosen, NotChosen, Outcome
from auditor.fix.templates import TEMPLATE_ORIGIN
from auditor.fix.textedit import (
    EditConflict,
    TextEdit,
    TextLines,
    apply_edits,
    comment_above,
    has_comment_above,
)
from auditor.ruleset.load import RuleSet
from auditor.scan.treesitter import check_parses
from auditor.types import Effort, FileKind, Finding, Role

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_NOT_REWRITABLE = frozenset({FileKind.ARTEFACT})


@dataclass(frozen=True)
class TextRewrite:
    text: str
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()
    error: str | None = None


def rewrite_text(
    rel: str,
    kind: FileKind,
    text: str,
    findings: Sequence[Finding],
    choose: Callable[[Finding], Choice],
    ruleset: RuleSet,
    *,
    comments: bool = True,
    label: str | None = None,
) -> TextRewrite:
    """Rewrite the model identifiers of one non-Python file; list everything else.

    ``comments`` False: add no comment lines, so line numbers stay valid for a later pass.
    """
    lines = TextLines(text)
    leader = _comment_leader(rel) if comments else None
    edits: list[TextEdit] = []
    outcomes: list[Outcome] = []
    commented: set[int] = set()
    rewritten_any = False
    for finding in sorted(findings, key=lambda f: (f.line, f.column, f.rule_id)):
        if finding.effort is Effort.KEEP:
            outcomes.append(Outcome(finding, Action.KEPT, "nothing to change"))
            continue
        if finding.effort is Effort.RETRAIN:
            outcomes.append(Outcome(finding, Action.MANUAL, _retrain(finding, choose)))
            continue
        if finding.role is Role.TEMPLATE_SELECTION and finding.identifier:
            moved = _template_edit(lines, finding, choose)
            if isinstance(moved, TextEdit):
                edits.append(moved)
                choice = choose(finding)
                assert isinstance(choice, Chosen)
                outcomes.append(Outcome(finding, Action.REWRITTEN, f"'{finding.identifier}' -> "
                                        f"'{choice.text}' ({choice.origin})"))
            else:
                outcomes.append(Outcome(finding, Action.MANUAL,
                                        notes.template_left(_advice(finding, ruleset), moved)))
            continue
        if finding.effort is not Effort.SWAP or finding.model is None or not finding.identifier:
            outcomes.append(Outcome(finding, Action.MANUAL, _advice(finding, ruleset)))
            continue
        choice = choose(finding)
        if kind in _NOT_REWRITABLE:
            # A model file is weights, not text: it is replaced, never edited. Name the
            # replacement the catalog chose (or why none could be named for this file).
            replacement = (f"replace the file with {choice.text}" if isinstance(choice, Chosen)
                           else f"replace the file ({choice.reason})")
            outcomes.append(Outcome(finding, Action.LEFT,
                                    f"a model artefact cannot be rewritten: {replacement}"))
            continue
        if isinstance(choice, Chosen):
            edit = _identifier_edit(lines, finding, _escaped(choice.text, rel))
            if edit is not None:
                edits.append(edit)
                rewritten_any = True
                outcomes.append(Outcome(finding, Action.REWRITTEN,
                                        f"'{finding.identifier}' -> '{choice.text}' "
                                        f"({choice.origin})"))
                continue
            choice = NotChosen("it was not found at the reported position")
        assert isinstance(choice, NotChosen)
        reason = choice.reason.replace(finding.identifier, "the model id")
        outcomes.append(Outcome(finding, Action.LEFT, choice.reason))
        marker = notes.marker(finding.rule_id)
        line = _statement_start(rel, lines, finding.line)
        if leader is not None and line not in commented and \
                not has_comment_above(lines, line, marker, leader):
            commented.add(line)
            edits.append(comment_above(lines, line, notes.left_swap(finding.rule_id, reason),
                                       leader))
    try:
        new_text = apply_edits(text, edits)
    except EditConflict as exc:
        return _untouched(text, findings, f"not rewritten: {exc}")
    problem = _still_parses(rel, text, new_text)
    if problem is not None:
        return _untouched(text, findings, f"not rewritten: {problem}")
    extra = _modelfile_notes(rel, label or rel, new_text, ruleset) if rewritten_any else ()
    return TextRewrite(new_text, tuple(outcomes), extra)


def _untouched(text: str, findings: Sequence[Finding], reason: str) -> TextRewrite:
    outcomes = tuple(
        Outcome(f, Action.LEFT if f.effort is Effort.SWAP else Action.MANUAL, reason)
        for f in findings)
    return TextRewrite(text, outcomes, error=reason)


def _statement_start(rel: str, lines: TextLines, line: int) -> int:
    """The line a comment can go above without changing what ``line`` belongs to: the first
    line of a backslash-continued command, of a multi-line YAML scalar (a comment inside a
    folded scalar would become part of its text), or of a TOML multi-line string."""
    fmt = file_type(rel).format
    if fmt == "yaml":
        line = _yaml_scalar_start(lines.text, line)
    elif fmt == "toml":
        line = _toml_string_start(lines, line)
    while line > 1 and lines.line(line - 1).rstrip().endswith("\\"):
        line -= 1
    return line


def _yaml_scalar_start(text: str, line: int) -> int:
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return line
    stack: list[yaml.Node] = [d for d in documents if d is not None]
    best = line
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            first, last = node.start_mark.line + 1, node.end_mark.line + 1
            if first < line <= last:
                best = min(best, first)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
    return best


def _toml_string_start(lines: TextLines, line: int) -> int:
    opened: int | None = None
    for number in range(1, line):
        for quote in ('"""', "'''"):
            if lines.line(number).count(quote) % 2 == 1:
                opened = None if opened is not None else number
    return opened if opened is not None else line


def _identifier_edit(lines: TextLines, finding: Finding, new: str) -> TextEdit | None:
    """The span of the identifier: at the reported position, or once on the reported line."""
    assert finding.identifier is not None
    identifier = finding.identifier
    if finding.line > lines.count:
        return None
    start = lines.offset(finding.line, finding.column)
    if lines.text[start:start + len(identifier)] == identifier:
        return TextEdit(start, start + len(identifier), new)
    line_start, _ = lines.line_span(finding.line)
    line = lines.line(finding.line)
    if line.count(identifier) == 1:
        at = line_start + line.index(identifier)
        return TextEdit(at, at + len(identifier), new)
    return None


def _escaped(text: str, rel: str) -> str:
    if file_type(rel).format == "json":
        return json.dumps(text)[1:-1]
    return text


def _comment_leader(rel: str) -> str | None:
    style = comment_style(rel)
    if style is None or not style.prefixes or style.name == "..":
        return None
    return style.prefixes[0]


def _still_parses(rel: str, old: str, new: str) -> str | None:
    """A parse error the rewrite introduced, or None (a file that did not parse stays so)."""
    check = _parser_for(rel)
    if check is None or _parse_error(check, old) is not None:
        return None
    error = _parse_error(check, new)
    return None if error is None else f"the rewritten file would not parse ({error})"


def _parser_for(rel: str) -> Callable[[str], object] | None:
    fmt = file_type(rel).format
    if file_type(rel).kind is FileKind.SOURCE:  # JavaScript/TypeScript, Go, Rust, JVM
        return partial(check_parses, fmt)
    return _PARSE_CHECKS.get(fmt)


def _load_toml(text: str) -> object:
    data: object = tomllib.loads(text)
    return data


def _compose_yaml(text: str) -> object:
    """Compose (never construct) every document: custom tags stay inert, as in the scanner."""
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


_PARSE_CHECKS: dict[str, Callable[[str], object]] = {
    "yaml": _compose_yaml, "toml": _load_toml, "json": json.loads,
}
"""Per format, the parse that must still succeed after a rewrite."""


def _parse_error(check: Callable[[str], object], text: str) -> str | None:
    try:
        check(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def _template_edit(lines: TextLines, finding: Finding,
                   choose: Callable[[Finding], Choice]) -> TextEdit | Choice:
    """The edit moving a template selection to its registered replacement
    (``auditor/fix/templates.py``), or the choice that says why it stays."""
    choice = choose(finding)
    if isinstance(choice, Chosen) and choice.origin.startswith(TEMPLATE_ORIGIN):
        edit = _identifier_edit(lines, finding, choice.text)
        if edit is not None:
            return edit
        return NotChosen("it was not found at the reported position")
    return choice


def _advice(finding: Finding, ruleset: RuleSet) -> str:
    rule = ruleset.rules.get(finding.rule_id)
    if rule is not None and rule.use_instead:
        return f"{finding.message}. {rule.use_instead}"
    return finding.message


def _retrain(finding: Finding, choose: Callable[[Finding], Choice]) -> str:
    choice = choose(finding)
    target = ""
    if isinstance(choice, Chosen):
        target = f" on {choice.hub_id or choice.text}"
    elif finding.suggestions:  # a re-upload or fine-tune the chooser leaves: the plan's pick
        target = f" on {finding.suggestions[0].hub_id} (the plan's replacement)"
    return (f"{finding.message}: fine-tunes and adapters are never rewritten; retrain it"
            f"{target} with the same data and point this file at the new base")


_TEMPLATE_LINE = re.compile(r"(?im)^\s*(TEMPLATE\b|PARAMETER\s+stop\b)")


def _modelfile_notes(rel: str, label: str, text: str, ruleset: RuleSet) -> tuple[str, ...]:
    """An Ollama Modelfile whose FROM changed but whose TEMPLATE/stop lines are Llama's."""
    if file_type(rel).format != "modelfile":
        return ()
    markers = [str(m) for m in ruleset.section_table("prompt_markers").get("strong", [])]
    if not _TEMPLATE_LINE.search(text) or not any(m in text for m in markers):
        return ()
    return (f"{label}: remove the TEMPLATE and PARAMETER stop lines: they are Llama's chat "
            "format, and the new FROM model brings its own",)
