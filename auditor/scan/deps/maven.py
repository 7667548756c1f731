"""JVM builds: pom.xml (``<dependency>`` elements; those under ``<dependencyManagement>`` only
manage versions), build.gradle / build.gradle.kts (``configuration("group:artifact:version")``
and the map form) and gradle.lockfile (every resolved module; which are direct is not
recorded). A package is ``groupId:artifactId``; the span is that text where it is written in
one piece, the artifact id where it is not (pom.xml, Gradle's map form)."""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.deps.declarations import UNKNOWN, Declaration
from auditor.scan.deps.located import declarations_output, declared
from auditor.scan.text.positions import LineIndex
from auditor.types import SourceFile

ECOSYSTEM = "maven"
"""The ``[[package]]`` rows these files are looked up in."""

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_DEPENDENCY = re.compile(r"<dependency>(?P<body>.*?)</dependency>", re.DOTALL)
_MANAGED = re.compile(r"<dependencyManagement>.*?</dependencyManagement>", re.DOTALL)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _element(body: str, tag: str) -> tuple[str, int] | None:
    found = re.search(rf"<{tag}>\s*(?P<v>[^<]*?)\s*</{tag}>", body)
    return (found.group("v"), found.start("v")) if found else None


def pom_declarations(text: str, rel: str) -> list[Declaration]:
    index = LineIndex(text)
    visible = _COMMENT.sub(_blank, text)
    managed = [(m.start(), m.end()) for m in _MANAGED.finditer(visible)]
    out = []
    for dep in _DEPENDENCY.finditer(visible):
        body, base = dep.group("body"), dep.start("body")
        group, artifact = _element(body, "groupId"), _element(body, "artifactId")
        if group is None or artifact is None:
            continue
        version = _element(body, "version")
        scope = _element(body, "scope")
        is_managed = any(a <= dep.start() < b for a, b in managed)
        name = f"{group[0]}:{artifact[0]}"
        decl = declared(index, rel, name, base + artifact[1], context="dependencies",
                        constraint=version[0] if version else "",
                        group="managed" if is_managed else (scope[0] if scope else ""))
        out.append(_artifact_span(decl, index, base + artifact[1], len(artifact[0])))
    return out


def _artifact_span(decl: Declaration, index: LineIndex, start: int, length: int) -> Declaration:
    """The span of the artifact id alone: ``group:artifact`` is not written in one piece."""
    return replace(decl, span=index.span(start, start + length))


def scan_pom(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    return declarations_output(pom_declarations(text, file.rel), ctx, ECOSYSTEM)


_GRADLE_STRING = re.compile(
    r"""\b(?P<conf>[a-z][A-Za-z]*)\s*\(?\s*(?:platform\s*\(\s*)?(?P<q>["'])"""
    r"""(?P<group>[\w.\-]+):(?P<artifact>[\w.\-]+)(?::(?P<version>[^"':@]*))?[^"']*(?P=q)""")
_GRADLE_MAP = re.compile(
    r"""\b(?P<conf>[a-z][A-Za-z]*)\s*\(?\s*group\s*[:=]\s*["'](?P<group>[\w.\-]+)["']\s*,\s*"""
    r"""name\s*[:=]\s*["'](?P<artifact>[\w.\-]+)["'](?:\s*,\s*version\s*[:=]\s*"""
    r"""["'](?P<version>[^"']*)["'])?""")
_GRADLE_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_NOT_CONFIGURATIONS = frozenset({"id", "classpath", "mavenBom", "from", "project", "include"})


def gradle_declarations(text: str, rel: str) -> list[Declaration]:
    index = LineIndex(text)
    visible = _GRADLE_COMMENT.sub(_blank, text)
    out = []
    for pattern in (_GRADLE_STRING, _GRADLE_MAP):
        for found in pattern.finditer(visible):
            conf = found.group("conf")
            if conf in _NOT_CONFIGURATIONS:
                continue
            name = f"{found.group('group')}:{found.group('artifact')}"
            decl = declared(index, rel, name, found.start("group"),
                            constraint=found.group("version") or "", context=conf,
                            group="" if conf in ("implementation", "api") else conf)
            if pattern is _GRADLE_MAP:  # group and artifact are written apart
                decl = _artifact_span(decl, index, found.start("artifact"),
                                      len(found.group("artifact")))
            out.append(decl)
    return sorted(out, key=lambda d: (d.span.line, d.span.column))


def scan_gradle(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    return declarations_output(gradle_declarations(text, file.rel), ctx, ECOSYSTEM)


_LOCK_LINE = re.compile(r"^(?P<group>[\w.\-]+):(?P<artifact>[\w.\-]+):(?P<version>[^=\s]+)="
                        r"(?P<confs>.*)$", re.MULTILINE)


def scan_gradle_lockfile(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    index = LineIndex(text)
    out = []
    for found in _LOCK_LINE.finditer(text):
        name = f"{found.group('group')}:{found.group('artifact')}"
        decl = declared(index, file.rel, name, found.start("group"),
                        constraint=found.group("version"), context="gradle.lockfile",
                        direct=UNKNOWN)
        out.append(replace(decl, locked=True))
    return declarations_output(out, ctx, ECOSYSTEM)

