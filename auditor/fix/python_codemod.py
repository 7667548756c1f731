"""The Python codemod: one libcst transform per file, driven by the file's findings.

* Model identifiers are rewritten in the string literal the finding points at (a resolved
  constant is reported, and so rewritten, where it is written, not at each use). Only the
  literal's body changes: its prefix and quotes stay.
* Llama classes imported from ``transformers`` become Auto classes where they are used
  through a factory method (``from_pretrained``/``from_config``); the import is renamed, or
  removed when the Auto class is already imported; other uses keep the import and get a
  comment.
* Prompt formats, token ids, Meta-only modules and swaps that cannot be made get a
  ``# llama-audit: todo[RULE]`` comment above their statement, once.

libcst regenerates every untouched node byte for byte, so the rest of the file is unchanged.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper

from auditor import isolate
from auditor.fix.collections_guard import guard_collections
from auditor.fix.model import Action, Choice, Outcome
from auditor.fix.python_imports import edited_import
from auditor.fix.python_plan import STATEMENT, Planner
from auditor.ruleset.load import RuleSet
from auditor.types import Effort, Finding


@dataclass(frozen=True)
class PythonRewrite:
    text: str
    outcomes: tuple[Outcome, ...]
    error: str | None = None
    """Set when the file was not rewritten at all (it does not parse, or the result would not)."""


def rewrite_python(
    text: str,
    findings: Sequence[Finding],
    choose: Callable[[Finding], Choice],
    *,
    defined_elsewhere: Mapping[str, str] | None = None,
    prompt_hub_id: str | None = None,
    ruleset: RuleSet | None = None,
    used_elsewhere: Callable[[str], str | None] | None = None,
) -> PythonRewrite:
    """Rewrite one Python file's text for its findings.

    ``defined_elsewhere``: case-folded identifier -> ``path:line`` where another finding
    rewrites it (a loader that got its id through a constant). ``prompt_hub_id``: the replacement
    named in prompt-format comments. ``ruleset``: the rules in use (``--rules`` rows), else the
    bundled ones. ``used_elsewhere``: a name -> ``path:line`` of another file that uses it
    through this module (``references.py``); such an import is kept beside its replacement.
    """
    try:
        module = isolate.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as exc:
        reason = f"not rewritten: it does not parse ({type(exc).__name__})"
        return PythonRewrite(text, tuple(_untouched(f, reason) for f in findings), reason)
    choose = guard_collections(text, findings, choose)
    planner = Planner(MetadataWrapper(module), choose, defined_elsewhere or {}, prompt_hub_id,
                       text, ruleset, used_elsewhere)
    for finding in sorted(findings, key=lambda f: (f.line, f.column, f.rule_id)):
        planner.plan(finding)
    planner.finish()
    new_module = planner.wrapper.module.visit(_Apply(planner))
    new_text = new_module.code
    problem = _check_parses(text, new_text)
    if problem is not None:
        reason = f"not rewritten: {problem}"
        return PythonRewrite(text, tuple(_untouched(f, reason) for f in findings), reason)
    return PythonRewrite(new_text, tuple(planner.outcomes))


def _untouched(finding: Finding, reason: str) -> Outcome:
    action = Action.LEFT if finding.effort is Effort.SWAP else Action.MANUAL
    return Outcome(finding, action, reason)


def _check_parses(old: str, new: str) -> str | None:
    try:
        isolate.parse_module(new)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as exc:
        return f"the rewritten code would not parse ({exc})"
    try:
        ast.parse(old)
    except (SyntaxError, ValueError, RecursionError):
        return None  # Python the running interpreter cannot compile: libcst's parse decides
    try:
        ast.parse(new)
    except (SyntaxError, ValueError, RecursionError) as exc:
        return f"the rewritten code would not compile ({exc})"
    return None


class _Apply(cst.CSTTransformer):
    def __init__(self, plan: Planner) -> None:
        super().__init__()
        self.plan = plan

    def leave_SimpleString(self, original_node: cst.SimpleString,
                           updated_node: cst.SimpleString) -> cst.SimpleString:
        edits = self.plan.string_edits.get(original_node)
        if not edits:
            return updated_node
        raw = original_node.value
        for start, end, text in sorted(set(edits), reverse=True):
            raw = raw[:start] + text + raw[end:]
        return updated_node.with_changes(value=raw)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.plan.names.get(original_node)
        return updated_node.with_changes(value=new) if new is not None else updated_node

    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.Attribute) -> cst.Attribute:
        new = self.plan.names.get(original_node)
        if new is None:
            return updated_node
        return updated_node.with_changes(attr=updated_node.attr.with_changes(value=new))

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        return edited_import(original_node, updated_node, self.plan.imports.get(original_node))

    def on_leave(self, original_node: cst.CSTNodeT, updated_node: cst.CSTNodeT
                 ) -> cst.CSTNodeT | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNodeT]:
        result = super().on_leave(original_node, updated_node)
        groups = self.plan.comments.get(original_node)
        if groups and isinstance(result, STATEMENT):
            added = [cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(""),
                                   comment=cst.Comment(f"# {line}"))
                     for group in groups for line in group]
            return result.with_changes(
                leading_lines=[*result.leading_lines, *added])
        return result
