"""Shared by the non-Python dependency scanners: a name found at a character offset of the
file becomes a ``Declaration`` with its exact span, and a graph becomes hits."""

from __future__ import annotations

from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.declarations import DIRECT, Declaration, declaration_hits
from auditor.scan.deps.edges import LockedPackage, LockGraph, graph_declarations
from auditor.scan.deps.packages import normalise, package_table
from auditor.scan.text.positions import LineIndex
from auditor.types import Span


def span_at(index: LineIndex, start: int, length: int) -> Span:
    """The span of ``length`` characters at offset ``start`` (at least one character)."""
    return index.span(start, start + max(1, length))


def declared(index: LineIndex, manifest: str, name: str, start: int, *, constraint: str = "",
             context: str = "", group: str = "", direct: str = DIRECT) -> Declaration:
    """A manifest's declaration of ``name`` written at offset ``start``."""
    return Declaration(name=name, constraint=constraint, span=span_at(index, start, len(name)),
                       context=context, manifest=manifest, direct=direct, group=group)


def locked(index: LineIndex, name: str, version: str, start: int, context: str,
           dependencies: tuple[str, ...] = ()) -> LockedPackage:
    """A lockfile's package ``name`` written at offset ``start``."""
    return LockedPackage(name=name, version=version, span=span_at(index, start, len(name)),
                         context=context,
                         dependencies=tuple(normalise(d) for d in dependencies))


def find_name(text: str, name: str, start: int, end: int = -1) -> int:
    """Offset of ``name`` in ``text[start:end]`` written as a whole name (not part of a longer
    one), or ``start`` when it is not found."""
    end = len(text) if end < 0 else end
    at = start
    while True:
        at = text.find(name, at, end)
        if at < 0:
            return start
        before = text[at - 1:at]
        after = text[at + len(name):at + len(name) + 1]
        if not (before.isalnum() or before in "-_.") and not (after.isalnum() or after in "-_"):
            return at
        at += 1


def declarations_output(decls: list[Declaration], ctx: ScanContext, ecosystem: str,
                        problems: list[Problem] | None = None) -> ScanOutput:
    """Hits for the declarations of ``ecosystem`` (npm, golang, cargo, maven): only that
    ecosystem's ``[[package]]`` rows are looked at."""
    return ScanOutput(hits=declaration_hits(decls, package_table(ctx.ruleset), ecosystem),
                      problems=problems or [])


def graph_output(graph: LockGraph, ctx: ScanContext, ecosystem: str,
                 problems: list[Problem] | None = None) -> ScanOutput:
    if not graph.roots and not graph.root_source and graph.records_edges:
        graph.infer_roots()
    return declarations_output(graph_declarations(graph), ctx, ecosystem, problems)
