"""A declared package, as every dependency parser reports it, and how it becomes a ``Hit``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.details import DetailKey
from auditor.scan.deps.packages import PYPI, PackageTable
from auditor.types import Hit, Span

DIRECT = "true"
TRANSITIVE = "false"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Declaration:
    """One package named by a manifest or lockfile, where it is written and how."""

    name: str
    """The package name as written."""
    constraint: str
    """Version constraint as written ("" for none); the locked version for lockfiles."""
    span: Span
    context: str
    """Key path or section the declaration sits in (part of the fingerprint)."""
    manifest: str
    """Path (relative to the scan root) of the file that declares it."""
    direct: str = DIRECT
    group: str = ""
    marker: str = ""
    extras: str = ""
    pulled_in_by: str = ""
    locked: bool = False
    declared_at: str = ""
    """``file:line`` when the declaration lives in an included file, not the scanned one."""
    include_chain: str = ""
    direct_from: str = ""
    """What decided ``direct`` for lockfiles: the manifest, the lock's root, the graph."""
    constraint_only: bool = False
    """Named in a ``-c`` constraints file: pins a version, does not ask for the package."""


def declaration_hits(declarations: Iterable[Declaration], table: PackageTable,
                     ecosystem: str = PYPI) -> list[Hit]:
    """A hit for every declaration of a package the table reports among ``ecosystem``'s rows;
    look-alikes never."""
    hits: list[Hit] = []
    for decl in declarations:
        verdict = table.reported(decl.name, ecosystem)
        if verdict is None or verdict.rule_id is None:
            continue
        details: list[tuple[DetailKey, str]] = [
            ("package", verdict.package),
            ("constraint", decl.constraint),
            ("direct", decl.direct),
            ("manifest", decl.manifest),
            ("class", verdict.class_key),
            ("reason", verdict.reason),
        ]
        optional: tuple[tuple[DetailKey, str], ...] = (
            ("pulled_in_by", decl.pulled_in_by),
            ("group", decl.group),
            ("marker", decl.marker),
            ("extras", decl.extras),
            ("declared_at", decl.declared_at),
            ("include_chain", decl.include_chain),
            ("direct_from", decl.direct_from),
        )
        details.extend((key, value) for key, value in optional if value)
        hits.append(Hit(
            rule_id=verdict.rule_id,
            line=decl.span.line,
            column=decl.span.column,
            end_line=decl.span.end_line,
            end_column=decl.span.end_column,
            identifier=decl.name,
            context=decl.context,
            details=tuple(details),
            message_values=(("version_text", version_text(decl)), ("how", how_text(decl))),
        ))
    return hits


def version_text(decl: Declaration) -> str:
    if decl.locked:
        return f"(locked {decl.constraint})" if decl.constraint else "(locked)"
    return f"({decl.constraint})" if decl.constraint not in ("", "*") else "(any version)"


def how_text(decl: Declaration) -> str:
    """How the project depends on the package, in words, for the message."""
    if decl.constraint_only:
        text = "version constraint only"
    elif decl.direct == DIRECT:
        text = "direct dependency"
    elif decl.direct == TRANSITIVE:
        text = "transitive dependency"
        text += f", pulled in by {decl.pulled_in_by}" if decl.pulled_in_by else (
            ", the lockfile does not record what pulls it in")
    else:
        text = "locked dependency, direct or transitive not recorded"
    if decl.group:
        text += f", group {decl.group}"
    if decl.declared_at:
        text += f", declared at {decl.declared_at}"
    return text
