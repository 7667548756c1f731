"""Go modules: go.mod (``require``, one line or a block; ``// indirect`` marks a transitive
module) and go.sum (every module version the build checked; direct ones come from go.mod).
go.sum records no edges, so a transitive module's "pulled in by" is not known."""

from __future__ import annotations

import re

from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.deps.common import read_neighbour
from auditor.scan.deps.declarations import DIRECT, TRANSITIVE, Declaration
from auditor.scan.deps.edges import LockGraph
from auditor.scan.deps.located import declarations_output, declared, graph_output, locked
from auditor.scan.deps.packages import normalise
from auditor.scan.text.positions import LineIndex
from auditor.types import SourceFile

ECOSYSTEM = "golang"
"""The ``[[package]]`` rows these files are looked up in."""

_REQUIRE_LINE = re.compile(r"^\s*require\s+(?P<rest>[^(\s].*)$")
_BLOCK_START = re.compile(r"^\s*(?P<verb>require|replace|exclude|retract)\s*\(\s*$")
_MODULE = re.compile(r"^\s*(?P<path>\"?[^\s\"/]+(?:/[^\s\"]+)*\"?)\s+(?P<version>v\S+)"
                     r"(?P<comment>\s*//.*)?$")


def gomod_declarations(text: str, rel: str) -> list[Declaration]:
    index = LineIndex(text)
    out: list[Declaration] = []
    block = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = _BLOCK_START.match(body)
        single = _REQUIRE_LINE.match(body)
        if start:
            block = start.group("verb")
        elif block and body.strip() == ")":
            block = ""
        else:
            rest, at = (single.group("rest"), single.start("rest")) if single else (
                (body, 0) if block == "require" else ("", 0))
            found = _MODULE.match(rest)
            if found:
                path = found.group("path").strip('"')
                indirect = "// indirect" in (found.group("comment") or "")
                out.append(declared(index, rel, path, offset + at + rest.find(path),
                                    constraint=found.group("version"), context="require",
                                    direct=TRANSITIVE if indirect else DIRECT))
        offset += len(line)
    return out


def scan_go_mod(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    return declarations_output(gomod_declarations(text, file.rel), ctx, ECOSYSTEM)


def scan_go_sum(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    index = LineIndex(text)
    graph = LockGraph(manifest=file.rel)
    seen: set[str] = set()
    offset = 0
    for line in text.splitlines(keepends=True):
        parts = line.split()
        if len(parts) >= 2 and parts[0] not in seen:
            seen.add(parts[0])
            version = parts[1].removesuffix("/go.mod")
            graph.packages.append(locked(index, parts[0], version, offset + line.find(parts[0]),
                                         "go.sum"))
        offset += len(line)
    found = read_neighbour(file, "go.mod")
    if found is not None:
        graph.roots = {normalise(d.name): "" for d in gomod_declarations(found[1], found[0])
                       if d.direct == DIRECT}
        graph.root_source = found[0]
    return graph_output(graph, ctx, ECOSYSTEM)
