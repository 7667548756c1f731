"""Lockfiles: poetry.lock, uv.lock, pdm.lock, pylock.toml (PEP 751) and Pipfile.lock.

Every locked package is a candidate; the package table decides which are findings. Direct
dependencies come from the lockfile's own root entry (uv.lock) or the manifest beside it
(pyproject.toml, Pipfile); where the lockfile records dependency edges (poetry.lock, uv.lock,
pdm.lock, pylock.toml with ``dependencies``), a transitive package names the chain that pulls
it in. A lockfile that is cut short or structurally wrong yields a diagnostic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from auditor.discover.filetypes import file_type
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.common import read_neighbour
from auditor.scan.deps.declarations import declaration_hits
from auditor.scan.deps.edges import LockedPackage, LockGraph, graph_declarations
from auditor.scan.deps.packages import normalise, package_table
from auditor.scan.deps.pep508 import pep508_name
from auditor.scan.deps.pipfile import pipfile_declarations
from auditor.scan.deps.pyproject import TomlDocument, load_toml, pyproject_declarations
from auditor.scan.deps.salvage import salvage
from auditor.scan.documents.json_positions import MAX_INT_DIGITS, JObject, JsonError, parse_json
from auditor.scan.text.positions import LineIndex
from auditor.types import SourceFile, Span

_FIRST = Span(1, 1, 1, 1)
MAX_MISSING_SHOWN = 3


def _manifest_roots(file: SourceFile, graph: LockGraph, manifest_name: str = "pyproject.toml"
                    ) -> bool:
    """Fill ``graph.roots`` from the manifest beside the lockfile; False when there is none."""
    found = read_neighbour(file, manifest_name)
    if found is None:
        return False
    rel, text = found
    doc, _ = load_toml(rel, text)
    if doc is None:
        return False
    decls = (pipfile_declarations(doc) if manifest_name == "Pipfile"
             else pyproject_declarations(doc))
    for decl in decls:
        graph.roots.setdefault(normalise(decl.name), decl.group)
    graph.root_source = rel
    return True


def _packages(doc: TomlDocument, key: str, problems: list[Problem]
              ) -> list[tuple[int, dict[str, Any]]]:
    value = doc.data.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem("invalid-lockfile", f"{key} must be an array of tables",
                                line=doc.key_span((key,)).line))
        return []
    out = []
    for index, entry in enumerate(value):
        path = (key, index)
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            problems.append(Problem("invalid-lockfile",
                                    f"[[{key}]] entry #{index + 1} has no name",
                                    line=doc.key_span(path).line))
            continue
        if not isinstance(entry.get("version", ""), str):
            problems.append(Problem("invalid-lockfile",
                                    f"[[{key}]] {entry['name']} has a non-string version",
                                    line=doc.key_span(path).line))
            continue
        out.append((index, entry))
    return out


def _named(items: Any) -> list[str]:
    """Normalised ``name`` of each ``{name = ...}`` table of an array (uv.lock, pylock.toml)."""
    if not isinstance(items, list):
        return []
    return [normalise(item["name"]) for item in items
            if isinstance(item, dict) and isinstance(item.get("name"), str)]


def _locked(doc: TomlDocument, key: str, index: int, entry: dict[str, Any],
            dependencies: list[str]) -> LockedPackage:
    span = doc.spans.value((key, index, "name")) or doc.key_span((key, index))
    return LockedPackage(name=entry["name"], version=str(entry.get("version", "")), span=span,
                         context=key, dependencies=tuple(dependencies))


def _missing_problem(graph: LockGraph, what: str) -> Problem | None:
    missing, seen = [], set()
    for dep, pkg in graph.missing():
        if dep not in seen:
            seen.add(dep)
            missing.append((dep, pkg))
    if not missing:
        return None
    shown = ", ".join(f"{dep} (required by {pkg.name})"
                      for dep, pkg in missing[:MAX_MISSING_SHOWN])
    extra = len(missing) - MAX_MISSING_SHOWN
    more = f" and {extra} more" if extra > 0 else ""
    return Problem("incomplete-lockfile",
                   f"{what} looks cut short or edited by hand: {len(missing)} required "
                   f"packages have no [[package]] entry: {shown}{more}",
                   line=missing[0][1].span.line)


# -- poetry.lock ---------------------------------------------------------------------------------

def poetry_graph(file: SourceFile, doc: TomlDocument, problems: list[Problem]) -> LockGraph:
    graph = LockGraph(manifest=file.rel, records_edges=True)
    if not isinstance(doc.data.get("metadata"), dict):
        problems.append(Problem("incomplete-lockfile",
                                "poetry.lock has no [metadata] table (poetry writes it last): "
                                "the file looks cut short", line=doc.spans.last_line()))
    required: list[LockedPackage] = []
    """The same packages with optional edges left out: only those must be locked."""
    for index, entry in _packages(doc, "package", problems):
        deps = entry.get("dependencies", {})
        names, mandatory = [], []
        if isinstance(deps, dict):
            for dep, spec in deps.items():
                names.append(normalise(dep))
                if not (isinstance(spec, dict) and spec.get("optional") is True):
                    mandatory.append(normalise(dep))
        package = _locked(doc, "package", index, entry, names)
        graph.packages.append(package)
        required.append(LockedPackage(package.name, package.version, package.span,
                                      package.context, tuple(mandatory)))
    if not _manifest_roots(file, graph):
        graph.infer_roots()
    problem = _missing_problem(LockGraph(manifest=file.rel, packages=required), "poetry.lock")
    if problem is not None:
        problems.append(problem)
    return graph


# -- uv.lock -------------------------------------------------------------------------------------

def uv_graph(file: SourceFile, doc: TomlDocument, problems: list[Problem]) -> LockGraph:
    graph = LockGraph(manifest=file.rel, records_edges=True)
    if "version" not in doc.data:
        problems.append(Problem("invalid-lockfile", "uv.lock has no top-level version", line=1))
    members: set[str] = set()
    root_deps: dict[str, str] = {}
    for index, entry in _packages(doc, "package", problems):
        deps = _named(entry.get("dependencies"))
        groups: list[tuple[str, list[str]]] = [("", deps)]
        for table in ("optional-dependencies", "dev-dependencies"):
            value = entry.get(table)
            if isinstance(value, dict):
                groups.extend((str(group), _named(items)) for group, items in value.items())
        all_deps = [dep for _, names in groups for dep in names]
        graph.packages.append(_locked(doc, "package", index, entry, all_deps))
        source = entry.get("source")
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            members.add(normalise(entry["name"]))
            for group, names in groups:
                for name in names:
                    root_deps.setdefault(name, group)
    graph.skip = frozenset(members)
    for member in members:
        root_deps.pop(member, None)
    if members:
        graph.roots = root_deps
        graph.root_source = "uv.lock root package"
    elif not _manifest_roots(file, graph):
        graph.infer_roots()
    problem = _missing_problem(graph, "uv.lock")
    if problem is not None:
        problems.append(problem)
    return graph


# -- pdm.lock ------------------------------------------------------------------------------------

def pdm_graph(file: SourceFile, doc: TomlDocument, problems: list[Problem]) -> LockGraph:
    graph = LockGraph(manifest=file.rel, records_edges=True)
    if not isinstance(doc.data.get("metadata"), dict):
        problems.append(Problem("invalid-lockfile", "pdm.lock has no [metadata] table", line=1))
    for index, entry in _packages(doc, "package", problems):
        deps = entry.get("dependencies", [])
        names = []
        if isinstance(deps, list):
            for item in deps:
                name = pep508_name(item) if isinstance(item, str) else None
                if name:
                    names.append(normalise(name))
        graph.packages.append(_locked(doc, "package", index, entry, names))
    if not _manifest_roots(file, graph):
        graph.infer_roots()
    return graph


# -- pylock.toml (PEP 751) -----------------------------------------------------------------------

def pylock_graph(file: SourceFile, doc: TomlDocument, problems: list[Problem]) -> LockGraph:
    graph = LockGraph(manifest=file.rel)
    if "lock-version" not in doc.data:
        problems.append(Problem("invalid-lockfile",
                                "pylock.toml has no lock-version (required by PEP 751)", line=1))
    members = set()
    for index, entry in _packages(doc, "packages", problems):
        deps = _named(entry.get("dependencies"))
        graph.records_edges = graph.records_edges or "dependencies" in entry
        graph.packages.append(_locked(doc, "packages", index, entry, deps))
        directory = entry.get("directory")
        if isinstance(directory, dict) and directory.get("path") in (".", "./", ""):
            members.add(normalise(entry["name"]))
    graph.skip = frozenset(members)
    if not _manifest_roots(file, graph) and graph.records_edges:
        graph.infer_roots()
    return graph


# -- Pipfile.lock (JSON) -------------------------------------------------------------------------

def pipfile_lock_graph(file: SourceFile, text: str, problems: list[Problem]) -> LockGraph | None:
    try:
        data = json.loads(text, parse_int=_int_or_float)
    except json.JSONDecodeError as exc:
        problems.append(Problem("invalid-json",
                                f"not valid JSON: {exc.msg} (column {exc.colno}); "
                                "its dependencies were not read", line=exc.lineno))
        return None
    if not isinstance(data, dict):
        problems.append(Problem("invalid-lockfile", "Pipfile.lock must be a JSON object", line=1))
        return None
    keys = _json_keys(text)
    if "_meta" not in data:
        problems.append(Problem("invalid-lockfile", "Pipfile.lock has no _meta section", line=1))
    graph = LockGraph(manifest=file.rel)
    for section in ("default", "develop"):
        packages = data.get(section, {})
        if not isinstance(packages, dict):
            problems.append(Problem("invalid-lockfile", f"{section} must be an object",
                                    line=keys.get((section,), _FIRST).line))
            continue
        for name, spec in packages.items():
            version = spec.get("version", "") if isinstance(spec, dict) else ""
            if not version and isinstance(spec, dict) and isinstance(spec.get("git"), str):
                version = f"git {spec['git']}" + (f" @ {spec['ref']}" if spec.get("ref") else "")
            graph.packages.append(LockedPackage(
                name=name, version=str(version), span=_inner(keys.get((section, name))),
                context=section))
    _manifest_roots(file, graph, "Pipfile")
    return graph


def _json_keys(text: str) -> dict[tuple[str, ...], Span]:
    """Spans (quotes included) of the top-level keys and of the keys of each top-level object;
    the last of duplicate keys, as ``json.loads`` keeps it. Empty if the text is unreadable."""
    try:
        root = parse_json(text)
    except JsonError:
        return {}
    if not isinstance(root, JObject):
        return {}
    index = LineIndex(text)
    keys: dict[tuple[str, ...], Span] = {}
    for section, value in root.members:
        keys[(section.value,)] = index.span(section.start, section.end)
        if isinstance(value, JObject):
            for name, _ in value.members:
                keys[(section.value, name.value)] = index.span(name.start, name.end)
    return keys


def _inner(span: Span | None) -> Span:
    """A JSON key's span without its quotes."""
    if span is None:
        return _FIRST
    return Span(span.line, span.column + 1, span.end_line, span.end_column - 1)


# -- dispatch ------------------------------------------------------------------------------------

TomlGraph = Callable[[SourceFile, TomlDocument, list[Problem]], LockGraph]

TOML_LOCKS: dict[str, TomlGraph] = {
    "poetry.lock": poetry_graph,
    "uv.lock": uv_graph,
    "pdm.lock": pdm_graph,
}


def scan_lockfile(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Findings for the Llama packages a lockfile pins, direct or transitive."""
    name = file_type(file.rel).parser
    problems: list[Problem] = []
    graph: LockGraph | None
    if name == "pipfile.lock":
        graph = pipfile_lock_graph(file, text, problems)
        if graph is None and problems and problems[0].code == "invalid-json":
            return salvage(file, text, package_table(ctx.ruleset), problems[0], lockfile=True)
    else:
        doc, problem = load_toml(file.rel, text)
        if doc is None:
            assert problem is not None
            return salvage(file, text, package_table(ctx.ruleset), problem, lockfile=True)
        builder = TOML_LOCKS.get(name, pylock_graph)
        graph = builder(file, doc, problems)
    if graph is None:
        return ScanOutput(problems=problems, parsed=False)
    hits = declaration_hits(graph_declarations(graph), package_table(ctx.ruleset))
    return ScanOutput(hits=hits, problems=problems)


def _int_or_float(literal: str) -> int | float:
    """``int``, except past Python's int max str digits (4,300): a float, never a failure."""
    return int(literal) if len(literal) <= MAX_INT_DIGITS else float(literal)
