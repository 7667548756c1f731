"""Dependencies of a manifest or lockfile its own parser rejected, read line by line.

A ``pyproject.toml`` with one missing comma still names its Llama packages; dropping them
would lose exactly the findings a migration needs. When a dependency file is not valid TOML,
JSON, YAML or Python, each line is read for what a dependency looks like in these formats:

- a quoted requirement, the whole string: ``"llama-stack>=0.2"``, ``name = "llama-models"``
  (a lockfile's package entry), ``{ name = "llama-api-client" }``;
- a key naming a package: ``llama-models = "==0.3.0"`` (Poetry, Pipfile) or
  ``"llama-models": {`` (Pipfile.lock);
- a YAML list item: ``- llama-cpp-python=0.3.16`` (conda, pip sections).

Only names the package table reports become findings, so prose and look-alikes stay out. What
the structure would have told (groups, direct or transitive, what pulls a package in) is
unknown; each package is reported once, where it is first named.
"""

from __future__ import annotations

import re

from auditor.scan.context import Problem, ScanOutput
from auditor.scan.deps.declarations import DIRECT, UNKNOWN, Declaration, declaration_hits
from auditor.scan.deps.packages import PackageTable
from auditor.types import Hit, SourceFile, Span

SALVAGED = "read line by line"
"""The context of a salvaged declaration (part of its fingerprint)."""

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SPEC = (r"\s*(?:\[[^\]\"']*\])?\s*(?P<spec>(?:===|[<>=!~]=?)\s*[^\"';,]*)?\s*"
         r"(?:;(?:(?!(?P=q))[^\r\n])*)?")
"""Extras, version and marker after a name; the marker may hold the other kind of quote."""
_QUOTED = re.compile(rf"(?P<q>[\"'])(?P<name>{_NAME}){_SPEC}(?P=q)")
_KEY = re.compile(rf"^\s*(?P<q>[\"']?)(?P<name>{_NAME})(?P=q)\s*[=:]\s*(?P<value>.*)$")
_ITEM = re.compile(rf"^\s*-\s+(?P<q>[\"']?)(?P<name>{_NAME}){_SPEC}(?P=q)\s*(?:#.*)?$")
_ENTRY = re.compile(rf"^\s*[\"']?name[\"']?\s*[=:]\s*[\"'](?P<name>{_NAME})[\"']\s*,?\s*$")
_VERSION = re.compile(r"^\s*[\"']?version[\"']?\s*[=:]\s*[\"'](?P<version>[^\"']*)[\"']")
_NOT_PACKAGE_KEYS = frozenset({"name", "version", "description", "python", "requires-python"})


def salvage(file: SourceFile, text: str, table: PackageTable, problem: Problem,
            *, lockfile: bool) -> ScanOutput:
    """The rejected file's problem (saying it was read line by line) and what that found."""
    hits = salvage_hits(file, text, table, lockfile=lockfile)
    message = problem.message.replace(
        "its dependencies were not read",
        "its dependencies were read line by line (groups and direct/transitive unknown)")
    return ScanOutput(hits=hits, problems=[Problem(problem.code, message, line=problem.line)],
                      parsed=False)


def salvage_hits(file: SourceFile, text: str, table: PackageTable, *,
                 lockfile: bool) -> list[Hit]:
    lines = text.splitlines()
    found: list[tuple[int, int, str, str, int]] = []
    """(priority, line, name, version text, offset): a lockfile's package entries first, so
    a package is reported at its own entry (with its locked version), not where another
    package requires it."""
    for number, line in enumerate(lines, start=1):
        entry = _ENTRY.match(line) if lockfile else None
        if entry is not None:
            found.append((0, number, entry["name"], _locked_version(lines, number),
                          entry.start("name")))
            continue
        for name, constraint, start in _candidates(line):
            found.append((1, number, name, "" if lockfile else constraint, start))
    declarations: list[Declaration] = []
    seen: set[str] = set()
    for _, number, name, constraint, start in sorted(found):
        verdict = table.reported(name)
        if verdict is None or verdict.package in seen:
            continue
        seen.add(verdict.package)
        declarations.append(Declaration(
            name=name, constraint=constraint.strip(),
            span=Span(number, start + 1, number, start + 1 + len(name)),
            context=SALVAGED, manifest=file.rel,
            direct=UNKNOWN if lockfile else DIRECT, locked=lockfile))
    return declaration_hits(declarations, table)


def _locked_version(lines: list[str], number: int) -> str:
    """The ``version = "..."`` just after a lockfile's ``name = "..."`` line, if any."""
    for line in lines[number:number + 3]:
        version = _VERSION.match(line)
        if version is not None:
            return version["version"]
    return ""


def _candidates(line: str) -> list[tuple[str, str, int]]:
    """(name, version text, offset of the name) for everything on ``line`` that is written
    the way a dependency is, in order."""
    found: list[tuple[str, str, int]] = []
    item = _ITEM.match(line)
    if item is not None:
        found.append((item["name"], item["spec"] or "", item.start("name")))
    key = _KEY.match(line)
    if key is not None and key["name"].lower() in _NOT_PACKAGE_KEYS:
        return found  # ``name = "llama-stack"``: the project itself, not a dependency
    if key is not None:
        value = key["value"].strip().strip(",{").strip()
        version = value.strip("\"'") if value[:1] in "\"'" else ""
        found.append((key["name"], version, key.start("name")))
    for quoted in _QUOTED.finditer(line):
        found.append((quoted["name"], quoted["spec"] or "", quoted.start("name")))
    return sorted(found, key=lambda candidate: candidate[2])
