"""npm lockfiles in YAML-like text: pnpm-lock.yaml and yarn.lock (classic v1 and Berry).

Both record the direct dependencies (pnpm's ``importers``, Berry's ``@workspace:`` entries; a
classic yarn.lock reads the package.json beside it) and the edges between packages, so a
transitive Llama package names the chain that pulls it in.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.common import read_neighbour
from auditor.scan.deps.edges import LockGraph
from auditor.scan.deps.located import graph_output, locked
from auditor.scan.deps.npm import ECOSYSTEM, SECTIONS, _load, _roots_from
from auditor.scan.deps.packages import normalise
from auditor.scan.text.positions import LineIndex
from auditor.types import SourceFile

_PEERS = re.compile(r"\(.*\)$")


def split_spec(spec: str) -> tuple[str, str]:
    """``@scope/name@1.2.3`` → (``@scope/name``, ``1.2.3``); also the old ``/name/1.2.3``."""
    spec = _PEERS.sub("", spec.strip().strip("'\"").lstrip("/"))
    at = spec.rfind("@")
    if at > 0:
        return spec[:at], spec[at + 1:]
    name, _, version = spec.rpartition("/")
    return (name, version) if name else (spec, "")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_YAML_KEY = re.compile(r"^(?P<indent> *)(?P<q>['\"]?)(?P<key>[^'\"\s][^'\"]*?)(?P=q):(?:\s|$)")


def scan_pnpm_lock(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Read line by line (pnpm writes one key per line, two-space indents): a YAML parse of
    a monorepo's lockfile takes seconds and is not needed for names, versions and edges."""
    index = LineIndex(text)
    graph = LockGraph(manifest=file.rel, records_edges=True, root_source="lockfile importers")
    if not re.search(r"^lockfileVersion:", text, re.MULTILINE):
        return ScanOutput(problems=[Problem(
            "invalid-lockfile", "pnpm-lock.yaml has no lockfileVersion: not a pnpm lockfile, "
            "or cut short", line=1)], parsed=False)
    top = section = ""
    current = ""
    at: dict[str, int] = {}
    edges: dict[str, list[str]] = {}
    offset = 0
    for line in text.splitlines(keepends=True):
        found = _YAML_KEY.match(line)
        if found:
            depth, key = len(found.group("indent")), found.group("key")
            if depth == 0:
                top, section, current = key, "", ""
                if key in SECTIONS:  # pnpm 5: one project, its sections at the top
                    section = key
            elif top == "importers" and depth == 4:
                section = key
            elif top == "importers" and depth == 6 and section in SECTIONS:
                graph.roots.setdefault(normalise(key), SECTIONS[section])
            elif top in SECTIONS and depth == 2:
                graph.roots.setdefault(normalise(key), SECTIONS[top])
            elif top in ("packages", "snapshots") and depth == 2:
                current = key
                section = ""
                if top == "packages":
                    at[key] = offset + found.start("key")
            elif top in ("packages", "snapshots") and depth == 4:
                section = key
            elif top in ("packages", "snapshots") and depth == 6 and current and \
                    section in ("dependencies", "optionalDependencies"):
                edges.setdefault(current, []).append(key)
        offset += len(line)
    for key, start in at.items():
        name, version = split_spec(key)
        graph.packages.append(locked(index, name, version, start + key.find(name), "packages",
                                     tuple(edges.get(key, ()))))
    return graph_output(graph, ctx, ECOSYSTEM)


_ENTRY = re.compile(r"^(?P<specs>[^\s#][^\n]*):\s*$")
_FIELD = re.compile(r"^  (?P<key>[\w]+):?\s+\"?(?P<value>[^\"\n]*)\"?\s*$")
_DEP = re.compile(r"^    (?P<name>\"?[^\s\":]+\"?):?\s+\"?(?P<range>[^\"\n]*)\"?\s*$")


def scan_yarn_lock(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    index = LineIndex(text)
    graph = LockGraph(manifest=file.rel, records_edges=True)
    skip: set[str] = set()
    workspace_deps: list[str] = []
    entry: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    offset = 0
    section = ""
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        head = _ENTRY.match(stripped)
        if head and not stripped.startswith("__metadata"):
            first = head.group("specs").split(",")[0].strip().strip('"')
            name, _ = split_spec(first.replace("@npm:", "@"))
            entry = {"name": name, "at": offset + line.find(name), "version": "", "deps": [],
                     "workspace": "@workspace:" in head.group("specs")}
            entries.append(entry)
            section = ""
        elif entry is not None and (field := _FIELD.match(stripped)):
            section = field.group("key")
            if section == "version":
                entry["version"] = field.group("value")
        elif entry is not None and stripped.startswith("  ") and stripped.rstrip().endswith(":") \
                and not stripped.startswith("    "):
            section = stripped.strip().rstrip(":")
        elif entry is not None and section in ("dependencies", "optionalDependencies") and \
                (dep := _DEP.match(stripped)):
            entry["deps"].append(dep.group("name").strip('"'))
        elif not stripped.strip():
            entry = None
        offset += len(line)
    for item in entries:
        if item["workspace"]:
            skip.add(normalise(item["name"]))
            workspace_deps.extend(item["deps"])
            continue
        graph.packages.append(locked(index, item["name"], item["version"], item["at"],
                                     "packages", tuple(item["deps"])))
    if workspace_deps:
        graph.roots = {normalise(n): "" for n in workspace_deps}
        graph.root_source = "lockfile workspaces"
    else:
        found = read_neighbour(file, "package.json")
        manifest = _load(found[1], "package.json")[0] if found else None
        if manifest is not None and found is not None:
            _roots_from(manifest, graph)
            graph.root_source = found[0]
    graph.skip = frozenset(skip)
    return graph_output(graph, ctx, ECOSYSTEM)
