"""pyproject.toml: PEP 621, PEP 735 dependency groups, build requirements, Poetry, PDM, uv, Hatch.

``[tool.llama-audit]`` (configuration) is not a dependency declaration and is not read here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.common import narrow, toml_problem
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.deps.pep508 import Pep508Error, parse_pep508
from auditor.scan.deps.salvage import salvage
from auditor.scan.documents.toml_positions import (
    TomlLocateError,
    TomlPath,
    TomlPositions,
    locate_toml,
)
from auditor.types import SourceFile, Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_FIRST_LINE = Span(1, 1, 1, 1)


@dataclass
class TomlDocument:
    """A parsed TOML file with the spans of its keys and values."""

    rel: str
    data: dict[str, Any]
    spans: TomlPositions
    problems: list[Problem] = field(default_factory=list)

    def value_span(self, path: TomlPath) -> Span:
        return self.spans.value(path) or self.key_span(path)

    def key_span(self, path: TomlPath) -> Span:
        """The key naming ``path``, or the nearest enclosing key that has a span."""
        while path:
            span = self.spans.key(path)
            if span is not None:
                return span
            path = path[:-1]
        return _FIRST_LINE

    def problem(self, code: str, message: str, path: TomlPath) -> None:
        self.problems.append(Problem(code, message, line=self.key_span(path).line))


def load_toml(rel: str, text: str) -> tuple[TomlDocument | None, Problem | None]:
    """Parse ``text``; a Problem instead when it is not valid TOML."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, toml_problem(exc, text)
    try:
        spans = locate_toml(text)
    except TomlLocateError:
        spans = TomlPositions()  # positions degrade to line 1; values are still right
    return TomlDocument(rel, data, spans), None


def dotted(path: TomlPath) -> str:
    return ".".join(str(p) for p in path)


def string_list(doc: TomlDocument, path: TomlPath, *, group: str = "",
                allow_include_group: bool = False) -> list[Declaration]:
    """PEP 508 strings in the array at ``path``; problems for anything else."""
    value = _get(doc.data, path)
    if value is None:
        return []
    where = dotted(path)
    if not isinstance(value, list):
        doc.problem("invalid-manifest", f"{where} must be an array of requirement strings", path)
        return []
    out = []
    for index, item in enumerate(value):
        item_path = (*path, index)
        if allow_include_group and isinstance(item, dict) and "include-group" in item:
            continue
        if not isinstance(item, str):
            doc.problem("invalid-manifest",
                        f"{where}[{index}] must be a requirement string, not {item!r}", item_path)
            continue
        span = doc.value_span(item_path)
        try:
            req = parse_pep508(item)
        except Pep508Error as exc:
            doc.problems.append(Problem("invalid-requirement",
                                        f"{where}: {item!r} is not a valid requirement: {exc}",
                                        line=span.line))
            continue
        out.append(Declaration(
            name=req.name, constraint=req.constraint, span=narrow(span, item, req.start, req.end),
            context=where, manifest=doc.rel, group=group, marker=req.marker, extras=req.extras,
        ))
    return out


def _get(data: Mapping[str, Any], path: TomlPath) -> Any:
    value: Any = data
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _tables(doc: TomlDocument, path: TomlPath) -> list[tuple[str, Any]]:
    value = _get(doc.data, path)
    if value is None:
        return []
    if not isinstance(value, dict):
        doc.problem("invalid-manifest", f"{dotted(path)} must be a table", path)
        return []
    return list(value.items())


def poetry_table(doc: TomlDocument, path: TomlPath, *, group: str = "",
                 extras_of: Mapping[str, str] | None = None) -> list[Declaration]:
    """``name = "constraint"`` / ``name = {version = ...}`` tables (Poetry, Pipfile)."""
    out = []
    for name, spec in _tables(doc, path):
        if name.lower() == "python":
            continue
        constraint = _poetry_constraint(spec)
        if constraint is None:
            doc.problem("invalid-manifest",
                        f"{dotted(path)}.{name} must be a version string or a table", (*path, name))
            continue
        entry_group = group
        if isinstance(spec, dict) and spec.get("optional") and extras_of:
            entry_group = entry_group or extras_of.get(name, "")
        marker = spec.get("markers", "") if isinstance(spec, dict) else ""
        extras = spec.get("extras", []) if isinstance(spec, dict) else []
        out.append(Declaration(
            name=name, constraint=constraint, span=doc.key_span((*path, name)),
            context=dotted(path), manifest=doc.rel, group=entry_group,
            marker=marker if isinstance(marker, str) else "",
            extras=",".join(str(e) for e in extras) if isinstance(extras, list) else "",
        ))
    return out


def _poetry_constraint(spec: Any) -> str | None:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        if isinstance(spec.get("version"), str):
            return str(spec["version"])
        for key in ("git", "url", "path", "file"):
            if isinstance(spec.get(key), str):
                text = f"{key} {spec[key]}"
                for ref in ("tag", "branch", "rev", "ref"):
                    if isinstance(spec.get(ref), str):
                        text += f" @ {spec[ref]}"
                return text
        return ""
    if isinstance(spec, list) and all(isinstance(s, dict) for s in spec):
        parts = [_poetry_constraint(s) for s in spec]
        return " | ".join(p for p in parts if p)
    return None


def pyproject_declarations(doc: TomlDocument) -> list[Declaration]:
    """Every dependency the file declares, in every table a tool reads them from."""
    decls = string_list(doc, ("project", "dependencies"))
    for extra, _ in _tables(doc, ("project", "optional-dependencies")):
        decls += string_list(doc, ("project", "optional-dependencies", extra), group=extra)
    for name, _ in _tables(doc, ("dependency-groups",)):
        decls += string_list(doc, ("dependency-groups", name), group=name,
                             allow_include_group=True)
    decls += string_list(doc, ("build-system", "requires"), group="build-system")

    poetry = ("tool", "poetry")
    extras_of: dict[str, str] = {}
    for extra, names in _tables(doc, (*poetry, "extras")):
        if isinstance(names, list):
            for name in names:
                extras_of.setdefault(str(name), extra)
    decls += poetry_table(doc, (*poetry, "dependencies"), extras_of=extras_of)
    decls += poetry_table(doc, (*poetry, "dev-dependencies"), group="dev")
    for group, _ in _tables(doc, (*poetry, "group")):
        decls += poetry_table(doc, (*poetry, "group", group, "dependencies"), group=group)

    for group, _ in _tables(doc, ("tool", "pdm", "dev-dependencies")):
        decls += string_list(doc, ("tool", "pdm", "dev-dependencies", group), group=group)
    decls += string_list(doc, ("tool", "uv", "dev-dependencies"), group="dev")
    for env, _ in _tables(doc, ("tool", "hatch", "envs")):
        for key in ("dependencies", "extra-dependencies"):
            decls += string_list(doc, ("tool", "hatch", "envs", env, key), group=f"hatch:{env}")
    return decls


def scan_pyproject(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    return scan_toml_manifest(file, text, ctx, pyproject_declarations)


def scan_toml_manifest(file: SourceFile, text: str, ctx: ScanContext,
                       declarations: Callable[[TomlDocument], list[Declaration]]) -> ScanOutput:
    """A TOML manifest's declarations as hits; read line by line when it is not TOML."""
    table = package_table(ctx.ruleset)
    doc, problem = load_toml(file.rel, text)
    if doc is None:
        assert problem is not None
        return salvage(file, text, table, problem, lockfile=False)
    return ScanOutput(hits=declaration_hits(declarations(doc), table), problems=doc.problems)
