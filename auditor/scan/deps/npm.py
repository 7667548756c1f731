"""npm manifests and JSON lockfiles: package.json, package-lock.json, npm-shrinkwrap.json and
bun.lock (JSON with trailing commas).

Package names are npm names as written (``@scope/name``). A lockfile's direct dependencies are
what its root and workspace entries ask for; its edges name the chain that pulls a transitive
package in. Workspace members (``link``) are the project itself, never dependencies.
"""

from __future__ import annotations

from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.common import read_neighbour
from auditor.scan.deps.declarations import Declaration
from auditor.scan.deps.edges import LockGraph
from auditor.scan.deps.located import declarations_output, declared, graph_output, locked
from auditor.scan.deps.packages import normalise
from auditor.scan.documents.json_positions import JNode, JObject, JsonError, JString, parse_json
from auditor.scan.text.positions import LineIndex
from auditor.types import SourceFile

ECOSYSTEM = "npm"
"""The ``[[package]]`` rows these files are looked up in."""

SECTIONS = {"dependencies": "", "devDependencies": "dev", "optionalDependencies": "optional",
            "peerDependencies": "peer"}
"""package.json dependency sections and the group each one means."""


def _object(node: JNode | None) -> JObject | None:
    return node if isinstance(node, JObject) else None


def _string(node: JNode | None) -> str:
    return node.value if isinstance(node, JString) else ""


def _load(text: str, what: str, *, lenient: bool = False) -> tuple[JObject | None, Problem | None]:
    try:
        root = parse_json(text, comments=lenient)
    except JsonError as exc:
        line = text.count("\n", 0, exc.offset) + 1
        return None, Problem("invalid-json", f"{what} is not valid JSON: {exc}; its "
                             "dependencies were not read", line=line)
    if not isinstance(root, JObject):
        return None, Problem("invalid-manifest", f"{what} is not a JSON object", line=1)
    return root, None


def manifest_declarations(root: JObject, index: LineIndex, rel: str) -> list[Declaration]:
    out = []
    for section, group in SECTIONS.items():
        deps = _object(root.get(section))
        for key, value in deps.members if deps else ():
            out.append(declared(index, rel, key.value, key.start + 1, constraint=_string(value),
                                context=section, group=group))
    return out


def scan_package_json(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    root, problem = _load(text, "package.json")
    if root is None:
        return ScanOutput(problems=[problem] if problem else [], parsed=False)
    return declarations_output(manifest_declarations(root, LineIndex(text), file.rel), ctx,
                               ECOSYSTEM)


def _roots_from(entry: JObject | None, graph: LockGraph) -> None:
    for section, group in SECTIONS.items():
        deps = _object(entry.get(section)) if entry else None
        for key, _ in deps.members if deps else ():
            graph.roots.setdefault(normalise(key.value), group)


def _edges(entry: JObject, *sections: str) -> tuple[str, ...]:
    names: list[str] = []
    for section in sections:
        deps = _object(entry.get(section))
        names.extend(key.value for key, _ in deps.members) if deps else None
    return tuple(names)


def npm_lock_graph(file: SourceFile, root: JObject, index: LineIndex) -> LockGraph:
    graph = LockGraph(manifest=file.rel, records_edges=True)
    packages = _object(root.get("packages"))
    if packages is not None:  # lockfileVersion 2 and 3
        skip: set[str] = set()
        for key, value in packages.members:
            entry = _object(value)
            if entry is None:
                continue
            path = key.value
            if "node_modules/" not in path:  # the root ("") or a workspace member
                _roots_from(entry, graph)
                if path:
                    skip.add(_string(entry.get("name")) or path.rsplit("/", 1)[-1])
                continue
            name = _string(entry.get("name")) or path.rsplit("node_modules/", 1)[-1]
            if entry.get("link") is not None:
                skip.add(name)
                continue
            at = key.start + 1 + path.rfind(name) if path.endswith(name) else key.start + 1
            graph.packages.append(locked(
                index, name, _string(entry.get("version")), at, "packages",
                _edges(entry, "dependencies", "optionalDependencies", "peerDependencies")))
        graph.skip = frozenset(normalise(n) for n in skip)
        graph.root_source = "lockfile root"
        return graph
    _v1(_object(root.get("dependencies")), index, graph)  # lockfileVersion 1
    found = read_neighbour(file, "package.json")
    manifest = _load(found[1], "package.json")[0] if found else None
    if manifest is not None and found is not None:
        _roots_from(manifest, graph)
        graph.root_source = found[0]
    return graph


def _v1(deps: JObject | None, index: LineIndex, graph: LockGraph) -> None:
    for key, value in deps.members if deps else ():
        entry = _object(value)
        if entry is None:
            continue
        requires = _object(entry.get("requires"))
        graph.packages.append(locked(
            index, key.value, _string(entry.get("version")), key.start + 1, "dependencies",
            tuple(k.value for k, _ in requires.members) if requires else ()))
        _v1(_object(entry.get("dependencies")), index, graph)


def scan_npm_lock(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    root, problem = _load(text, file.path.name)
    if root is None:
        return ScanOutput(problems=[problem] if problem else [], parsed=False)
    return graph_output(npm_lock_graph(file, root, LineIndex(text)), ctx, ECOSYSTEM)


def scan_bun_lock(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """bun.lock: ``workspaces`` name the direct dependencies, ``packages`` map a key to
    ``[name@version, registry, {dependencies...}, integrity]``."""
    root, problem = _load(text, "bun.lock", lenient=True)
    if root is None:
        return ScanOutput(problems=[problem] if problem else [], parsed=False)
    index = LineIndex(text)
    graph = LockGraph(manifest=file.rel, records_edges=True, root_source="lockfile root")
    workspaces = _object(root.get("workspaces"))
    skip = set()
    for _, value in workspaces.members if workspaces else ():
        entry = _object(value)
        _roots_from(entry, graph)
        if entry is not None and _string(entry.get("name")):
            skip.add(_string(entry.get("name")))
    packages = _object(root.get("packages"))
    for key, value in packages.members if packages else ():
        items = getattr(value, "items", [])
        spec = _string(items[0]) if items else ""
        name = spec[:spec.rfind("@")] if spec.rfind("@") > 0 else key.value.rsplit("/", 1)[-1]
        version = spec[len(name) + 1:] if spec.startswith(name + "@") else ""
        meta = next((_object(i) for i in items[1:] if isinstance(i, JObject)), None)
        edges = _edges(meta, "dependencies", "optionalDependencies", "peerDependencies") \
            if meta else ()
        path = key.value
        at = key.start + 1 + (len(path) - len(name) if path.endswith(name) else 0)
        graph.packages.append(locked(index, name, version, at, "packages", edges))
    graph.skip = frozenset(normalise(n) for n in skip)
    return graph_output(graph, ctx, ECOSYSTEM)
