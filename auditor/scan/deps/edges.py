"""The dependency graph a lockfile records, and who pulls each package in."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from auditor.scan.deps.declarations import DIRECT, TRANSITIVE, UNKNOWN, Declaration
from auditor.scan.deps.packages import normalise
from auditor.types import Span


@dataclass(frozen=True)
class LockedPackage:
    name: str
    """As written in the lockfile."""
    version: str
    span: Span
    context: str
    dependencies: tuple[str, ...] = ()
    """Normalised names of the packages it requires (edges), when the lockfile records them."""

    @property
    def key(self) -> str:
        return normalise(self.name)


@dataclass
class LockGraph:
    manifest: str
    """The lockfile's path, relative to the scan root."""
    packages: list[LockedPackage] = field(default_factory=list)
    roots: dict[str, str] = field(default_factory=dict)
    """Normalised names the project asks for directly, each with its group ("" for main)."""
    root_source: str = ""
    """What named the roots: a manifest path, ``lockfile root``, or ``lockfile graph``."""
    records_edges: bool = False
    skip: frozenset[str] = frozenset()
    """Packages that are the project itself (workspace members), not dependencies."""

    def infer_roots(self) -> None:
        """Without a manifest, packages nothing else requires are the direct ones."""
        required = {dep for pkg in self.packages for dep in pkg.dependencies if dep != pkg.key}
        self.roots = {pkg.key: "" for pkg in self.packages
                      if pkg.key not in required and pkg.key not in self.skip}
        self.root_source = "lockfile graph (no manifest found)"

    def missing(self) -> list[tuple[str, LockedPackage]]:
        """(dependency, package requiring it) for edges to packages the lockfile lacks."""
        present = {pkg.key for pkg in self.packages}
        return [(dep, pkg) for pkg in self.packages for dep in pkg.dependencies
                if dep not in present]


def shortest_chains(roots: Iterable[str], edges: Mapping[str, Iterable[str]]
                    ) -> dict[str, list[str]]:
    """For every package reachable from ``roots``: the shortest path from a root, root first.

    Roots and neighbours are visited in sorted order so the chosen path is deterministic.
    """
    paths: dict[str, list[str]] = {}
    queue: deque[str] = deque()
    for root in sorted(roots):
        if root not in paths:
            paths[root] = [root]
            queue.append(root)
    while queue:
        current = queue.popleft()
        for dep in sorted(set(edges.get(current, ()))):
            if dep not in paths:
                paths[dep] = [*paths[current], dep]
                queue.append(dep)
    return paths


def graph_declarations(graph: LockGraph) -> list[Declaration]:
    """One declaration per locked package: direct, or transitive with the chain pulling it in."""
    edges: dict[str, list[str]] = {}
    written: dict[str, str] = {}
    for pkg in graph.packages:
        edges.setdefault(pkg.key, []).extend(pkg.dependencies)
        written.setdefault(pkg.key, pkg.name)
    for root in graph.skip:
        edges.pop(root, None)
    paths = shortest_chains(graph.roots, edges)
    out = []
    for pkg in graph.packages:
        if pkg.key in graph.skip:
            continue
        group = ""
        pulled_in_by = ""
        if pkg.key in graph.roots:
            direct = DIRECT
            group = graph.roots[pkg.key]
        elif graph.root_source:
            direct = TRANSITIVE
            path = paths.get(pkg.key)
            if path is not None and graph.records_edges:
                pulled_in_by = " → ".join(written.get(p, p) for p in path[:-1])
                group = graph.roots.get(path[0], "")
        else:
            direct = UNKNOWN
        out.append(Declaration(
            name=pkg.name, constraint=pkg.version, span=pkg.span, context=pkg.context,
            manifest=graph.manifest, direct=direct, group=group, pulled_in_by=pulled_in_by,
            locked=True, direct_from=graph.root_source if direct != UNKNOWN else "",
        ))
    return out
