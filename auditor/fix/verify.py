"""``fix`` never breaks a project: the checks every rewritten file passes before and after
it is written (docs/fix.md#what-fix-checks).

Before writing, a file's change is refused, and its findings left with the reason, when the
new text: does not parse where the old did (Python, notebook JSON and its code cells, YAML,
TOML, JSON, Dockerfile structure); has a duplicate dict or mapping key the old text did not
(Python dict literals, YAML mappings, JSON objects; TOML rejects duplicates when parsed); or
rewrote a finding whose role is not a model reference. After writing, the written files are
read back and checked again, and a re-scan must not find a swapped identifier where it was.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from auditor.discover.filetypes import file_type
from auditor.fix.model import Action, FileChange, FixPlan, Outcome, Skipped
from auditor.fix.templates import TEMPLATE_ORIGIN
from auditor.types import AuditResult, Finding, Role

Problem = str | None


def refuse_unsafe(plan: FixPlan) -> FixPlan:
    """The plan without the changes that would break a file, their findings left."""
    kept: list[FileChange] = []
    refused: dict[tuple[str, str], str] = {}
    for change in plan.changes:
        problem = change_problem(change, plan.outcomes)
        if problem is None:
            kept.append(change)
        else:
            refused[(change.root, change.rel)] = problem
    if not refused:
        return plan
    outcomes = tuple(_refused(o, refused.get((o.finding.root, o.finding.path)))
                     for o in plan.outcomes)
    skipped = tuple(Skipped(root, rel, reason) for (root, rel), reason in refused.items())
    return replace(plan, changes=tuple(kept), outcomes=outcomes,
                   skipped=(*plan.skipped, *skipped))


def _refused(outcome: Outcome, reason: str | None) -> Outcome:
    if reason is None or outcome.action is not Action.REWRITTEN:
        return outcome
    return Outcome(outcome.finding, Action.LEFT, reason)


def change_problem(change: FileChange, outcomes: Iterable[Outcome] = ()) -> Problem:
    """Why this change must not be written, or None."""
    for outcome in outcomes:
        finding = outcome.finding
        if outcome.action is Action.REWRITTEN and (finding.root, finding.path) == \
                (change.root, change.rel) and not swappable(finding) and not (
                    finding.role is Role.TEMPLATE_SELECTION and TEMPLATE_ORIGIN in outcome.detail):
            return (f"not rewritten: '{finding.identifier}' at line {finding.line} is a "
                    f"{finding.role.value if finding.role else ''}, not a model reference")
    return text_problem(change.rel, change.old_text, change.new_text)


def swappable(finding: Finding) -> bool:
    """May ``fix`` replace this finding's identifier? A model reference, or a documentation
    code block's model (its role follows from its rule, not from a position)."""
    if finding.role in (None, Role.MODEL_REFERENCE):
        return True
    return finding.role is Role.DOCUMENTATION and finding.detail("role") is None


def text_problem(rel: str, old: str, new: str) -> Problem:
    """A parse error or duplicate key ``new`` has and ``old`` had not."""
    fmt = file_type(rel).format
    check = _CHECKS.get(fmt)
    if check is None:
        return None
    old_state, new_state = check(old), check(new)
    if isinstance(new_state, str):
        if isinstance(old_state, str):
            return None  # it did not parse before either: fix made it no worse
        return f"not rewritten: the rewritten file would not parse ({new_state})"
    if isinstance(old_state, str):
        return None
    added = Counter(new_state) - Counter(old_state)
    if added:
        key = sorted(added)[0]
        return f"not rewritten: it would create a duplicate key {key!r}"
    return None


def written_problems(changes: Sequence[FileChange], roots: dict[str, Path]) -> list[str]:
    """After ``--write``: each written file read back must pass the same checks."""
    problems: list[str] = []
    for change in changes:
        root = roots.get(change.root, Path(change.root))
        path = root / change.rel if root.is_dir() else root
        try:
            text = path.read_bytes().decode(change.encoding).removeprefix("\ufeff")
        except (OSError, UnicodeDecodeError, LookupError) as exc:
            problems.append(f"{change.display_path}: cannot be read back ({exc})")
            continue
        if text != change.new_text:
            problems.append(f"{change.display_path}: its content is not what fix wrote")
        problem = text_problem(change.rel, change.old_text, text)
        if problem is not None:
            problems.append(f"{change.display_path}: {problem.removeprefix('not rewritten: ')}")
    return problems


def still_found(plan: FixPlan, after: AuditResult) -> list[Finding]:
    """Swapped findings a re-scan still finds: same file, same identifier, still a swap, more
    often than the plan left that identifier in that file (a file can swap one occurrence
    and leave another, and lines move where notes were written)."""
    def key(finding: Finding) -> tuple[str, str, str]:
        return finding.root, finding.path, (finding.identifier or "").casefold()

    swapped = {key(o.finding) for o in plan.outcomes
               if o.action is Action.REWRITTEN and o.finding.model}
    left = Counter(key(o.finding) for o in plan.outcomes
                   if o.action is not Action.REWRITTEN and o.finding.model
                   and o.finding.role in (None, Role.MODEL_REFERENCE))
    found: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in after.findings:
        if finding.model is not None and finding.role in (None, Role.MODEL_REFERENCE) and \
                key(finding) in swapped:
            found.setdefault(key(finding), []).append(finding)
    return [f for k, group in found.items() for f in group[left[k]:]]


# -- per format: a list of duplicate keys, or a parse error ----------------------------------
Check = Callable[[str], "list[str] | str"]


def _python(text: str) -> list[str] | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        # MemoryError: the parser's own limit on nesting (``lambda: `` 10,000 deep)
        return f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}"
    return _python_duplicates(tree)


def _python_duplicates(tree: ast.AST) -> list[str]:
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, (str, int))]
            out.extend(f"{k}" for k, n in Counter(keys).items() if n > 1)
    return out


_MAGIC = re.compile(r"^\s*[%!?]", re.M)


def _notebook(text: str) -> list[str] | str:
    try:
        data = json.loads(text)
    except ValueError as exc:
        return f"not JSON: {exc}"
    if not isinstance(data, dict) or not isinstance(data.get("cells", []), list):
        return "not a notebook: no cells list"
    out: list[str] = []
    for index, cell in enumerate(data.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        code = "".join(source) if isinstance(source, list) else str(source)
        if _MAGIC.search(code):
            continue  # IPython syntax: not Python, checked as the JSON it is part of
        state = _python(code)
        if isinstance(state, str):
            out.append(f"cell {index} does not parse")  # compared before/after as a key
        else:
            out.extend(f"cell {index}: {k}" for k in state)
    return out


def _json(text: str) -> list[str] | str:
    out: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out.extend(k for k, n in Counter(k for k, _ in items).items() if n > 1)
        return dict(items)
    try:
        json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError) as exc:
        return f"not JSON: {exc}"
    return out


def _toml(text: str) -> list[str] | str:
    try:
        tomllib.loads(text)  # a duplicate key or table is a TOML parse error
    except tomllib.TOMLDecodeError as exc:
        return str(exc)
    return []


def _yaml(text: str) -> list[str] | str:
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    out: list[str] = []
    stack: list[yaml.Node] = [d for d in documents if d is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
            out.extend(k for k, n in Counter(keys).items() if n > 1 and k != "<<")
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


_INSTRUCTION = re.compile(
    r"(?i)^\s*(?:FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|"
    r"WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\b")


def _dockerfile(text: str) -> list[str] | str:
    """Structure only: every logical line is a comment, a parser directive or an instruction
    (heredoc bodies are skipped)."""
    continued = False
    heredoc: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if heredoc is not None:
            heredoc = None if line.strip() == heredoc else heredoc
            continue
        stripped = line.strip()
        if not continued and stripped and not stripped.startswith("#") and \
                not _INSTRUCTION.match(line):
            return f"line {number} is not a Dockerfile instruction"
        found = re.search(r"<<-?\s*['\"]?(\w+)['\"]?\s*$", line)
        heredoc = found.group(1) if found and not continued else heredoc
        continued = stripped.endswith("\\") or (continued and (not stripped
                                                              or stripped.startswith("#")))
    return []


_CHECKS: dict[str, Check] = {
    "python": _python, "notebook": _notebook, "json": _json, "toml": _toml, "yaml": _yaml,
    "dockerfile": _dockerfile,
}
