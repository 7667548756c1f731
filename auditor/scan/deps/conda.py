"""conda environment files: conda specs under ``dependencies`` and pip requirements under
``dependencies: - pip:``. Positions come from PyYAML's node marks; nothing is resolved."""

from __future__ import annotations

import re

import yaml

from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.deps.requirement_lines import LogicalLine, parse_line
from auditor.scan.deps.requirements import IncludeFollower
from auditor.scan.deps.salvage import salvage
from auditor.types import SourceFile, Span

_CONDA_SPEC = re.compile(
    r"(?:(?P<channel>[^\s:]+)::)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.+-]*)\s*(?P<rest>.*)$")


def _scalar_span(node: yaml.ScalarNode) -> tuple[Span, int]:
    """Span of the scalar's text (quotes excluded) and its start column (1-based)."""
    quoted = 1 if node.style in ("'", '"') else 0
    line = node.start_mark.line + 1
    column = node.start_mark.column + 1 + quoted
    end_line = node.end_mark.line + 1
    end_column = node.end_mark.column + 1 - quoted
    if end_line != line:
        end_line, end_column = line, column + len(str(node.value))
    return Span(line, column, end_line, end_column), column


def scan_conda(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    output = ScanOutput()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return salvage(file, text, package_table(ctx.ruleset), Problem(
            "invalid-yaml", f"not valid YAML: {problem}; its dependencies were not read",
            line=mark.line + 1 if mark is not None else None), lockfile=False)
    if root is None:
        return output
    if not isinstance(root, yaml.MappingNode):
        output.problems.append(Problem("invalid-manifest",
                                       "a conda environment file must be a mapping", line=1))
        return output
    deps_node = next((v for k, v in root.value
                      if isinstance(k, yaml.ScalarNode) and k.value == "dependencies"), None)
    if deps_node is None:
        return output
    if not isinstance(deps_node, yaml.SequenceNode):
        output.problems.append(Problem("invalid-manifest", "dependencies must be a list",
                                       line=deps_node.start_mark.line + 1))
        return output
    decls: list[Declaration] = []
    follower = IncludeFollower(file)
    for item in deps_node.value:
        if isinstance(item, yaml.ScalarNode):
            decl = _conda_spec(item, file.rel, output.problems)
            if decl is not None:
                decls.append(decl)
        elif isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "pip":
                    decls += _pip_section(value, file, follower, output.problems)
        else:
            output.problems.append(Problem("invalid-manifest",
                                           "a dependency must be a string or a pip: list",
                                           line=item.start_mark.line + 1))
    decls += follower.declarations
    output.problems.extend(follower.problems)
    output.hits.extend(declaration_hits(decls, package_table(ctx.ruleset)))
    return output


def _conda_spec(node: yaml.ScalarNode, rel: str, problems: list[Problem]) -> Declaration | None:
    text = str(node.value).strip()
    span, column = _scalar_span(node)
    match = _CONDA_SPEC.match(text)
    if match is None or not text:
        problems.append(Problem("invalid-requirement", f"{text!r} is not a conda package spec",
                                line=span.line))
        return None
    rest = match.group("rest").strip()
    start, end = match.start("name"), len(text)
    return Declaration(
        name=match.group("name"), constraint=rest,
        span=Span(span.line, column + start, span.line, column + end) if span.line == span.end_line
        else span,
        context="dependencies", manifest=rel,
    )


def _pip_section(node: yaml.Node, file: SourceFile, follower: IncludeFollower,
                 problems: list[Problem]) -> list[Declaration]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem("invalid-manifest", "pip: must be a list of requirements",
                                line=node.start_mark.line + 1))
        return []
    decls: list[Declaration] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode):
            problems.append(Problem("invalid-manifest", "a pip requirement must be a string",
                                    line=item.start_mark.line + 1))
            continue
        span, column = _scalar_span(item)
        raw = str(item.value)
        lead = len(raw) - len(raw.lstrip())
        line = LogicalLine(raw.strip(), [0], [(span.line, column + lead)])
        if not line.text or line.text.startswith("#"):
            continue
        for entry in parse_line(line, file.rel, context="dependencies.pip"):
            if entry.problem is not None:
                problems.append(entry.problem)
            if entry.requirement is not None:
                decls.append(entry.requirement)
            if entry.include is not None:
                follower.follow(entry.include, file.path.parent)
    return decls
