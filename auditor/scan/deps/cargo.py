"""Rust: Cargo.toml (every dependency table, target-specific and workspace ones included; a
``package = "..."`` rename names the real crate) and Cargo.lock (packages without a
``source`` are the workspace's own crates: their dependencies are the direct ones)."""

from __future__ import annotations

from typing import Any

from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.deps.declarations import Declaration
from auditor.scan.deps.edges import LockedPackage, LockGraph
from auditor.scan.deps.located import declarations_output, graph_output
from auditor.scan.deps.packages import normalise
from auditor.scan.deps.pyproject import TomlDocument, load_toml
from auditor.types import SourceFile

ECOSYSTEM = "cargo"
"""The ``[[package]]`` rows these files are looked up in."""

_TABLES = {"dependencies": "", "dev-dependencies": "dev", "build-dependencies": "build"}


def _tables(data: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(path, group) of every dependency table in a Cargo.toml."""
    found: list[tuple[tuple[str, ...], str]] = [((name,), group)
                                                for name, group in _TABLES.items()]
    found.append((("workspace", "dependencies"), "workspace"))
    targets = data.get("target")
    for target in targets if isinstance(targets, dict) else {}:
        found.extend(((("target", target, name), group or f"target {target}")
                      for name, group in _TABLES.items()))
    return found


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def cargo_declarations(doc: TomlDocument) -> list[Declaration]:
    out = []
    for path, group in _tables(doc.data):
        table = _get(doc.data, path)
        for key, spec in table.items() if isinstance(table, dict) else ():
            name = spec.get("package", key) if isinstance(spec, dict) else key
            version = spec if isinstance(spec, str) else str(
                spec.get("version", "") if isinstance(spec, dict) else "")
            renamed = doc.spans.value((*path, key, "package")) if name != key else None
            out.append(Declaration(name=str(name), constraint=version,
                                   span=renamed or doc.key_span((*path, key)),
                                   context=".".join(path),
                                   manifest=doc.rel, group=group))
    return out


def scan_cargo_toml(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    doc, problem = load_toml(file.rel, text)
    if doc is None:
        return ScanOutput(problems=[problem] if problem else [], parsed=False)
    return declarations_output(cargo_declarations(doc), ctx, ECOSYSTEM)


def scan_cargo_lock(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    doc, problem = load_toml(file.rel, text)
    if doc is None:
        return ScanOutput(problems=[problem] if problem else [], parsed=False)
    graph = LockGraph(manifest=file.rel, records_edges=True, root_source="lockfile root")
    members: set[str] = set()
    packages = doc.data.get("package")
    for number, entry in enumerate(packages if isinstance(packages, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        deps = tuple(normalise(str(d).split(" ")[0]) for d in entry.get("dependencies", [])
                     if isinstance(d, str))
        if "source" not in entry:
            members.add(normalise(entry["name"]))
            for dep in deps:
                graph.roots.setdefault(dep, "")
        span = doc.spans.value(("package", number, "name")) or doc.key_span(("package", number))
        graph.packages.append(LockedPackage(entry["name"], str(entry.get("version", "")), span,
                                            "package", deps))
    graph.skip = frozenset(members)
    return graph_output(graph, ctx, ECOSYSTEM)
