"""``from transformers import Llama...`` in a libcst tree: what each import binds, where the
bound names are used, and the edit of one import statement (rename, remove, add a name)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ImportAssignment, Scope

from auditor.fix.cst_names import dotted_name


@dataclass
class ImportBinding:
    statement: cst.ImportFrom
    alias: cst.ImportAlias
    class_name: str
    local: str


@dataclass
class ImportChange:
    rename: dict[cst.ImportAlias, str] = field(default_factory=dict)
    remove: set[cst.ImportAlias] = field(default_factory=set)
    add_after: dict[cst.ImportAlias, str] = field(default_factory=dict)


def uses_of(scopes: Mapping[cst.CSTNode, Scope | None], binding: ImportBinding
            ) -> list[cst.CSTNode]:
    """The nodes that use the name ``binding`` imports."""
    scope = scopes.get(binding.statement)
    if scope is None:
        return []
    nodes: list[cst.CSTNode] = []
    for assignment in scope.assignments[binding.local]:
        if isinstance(assignment, ImportAssignment) and assignment.node is binding.statement:
            nodes.extend(access.node for access in assignment.references)
    return nodes


def transformers_bindings(nodes: Iterable[cst.CSTNode]) -> dict[str, ImportBinding]:
    """Local name -> what ``from transformers import X [as local]`` binds (names bound twice
    are left out)."""
    found: dict[str, ImportBinding] = {}
    duplicated: set[str] = set()
    for node in nodes:
        if not isinstance(node, cst.ImportFrom) or node.relative or \
                dotted_name(node.module) != "transformers" or isinstance(node.names,
                                                                     cst.ImportStar):
            continue
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias.asname.name if alias.asname is not None else alias.name
            if not isinstance(local, cst.Name):
                continue
            if local.value in found:
                duplicated.add(local.value)
            found[local.value] = ImportBinding(node, alias, alias.name.value, local.value)
    return {k: v for k, v in found.items() if k not in duplicated}


def module_imports(nodes: Iterable[cst.CSTNode]) -> dict[str, str]:
    """Local name -> module, for every plain ``import a.b [as c]``."""
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = dotted_name(alias.name)
                if dotted is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases[alias.asname.name.value] = dotted
                else:
                    aliases[dotted.split(".")[0]] = dotted.split(".")[0]
    return aliases


def edited_import(
    original_node: cst.ImportFrom, updated_node: cst.ImportFrom, change: ImportChange | None
) -> cst.ImportFrom | cst.RemovalSentinel:
    """``updated_node`` with ``change`` made: names renamed, removed or followed by another."""
    if change is None or isinstance(original_node.names, cst.ImportStar) or \
            isinstance(updated_node.names, cst.ImportStar):
        return updated_node
    kept: list[cst.ImportAlias] = []
    for original, updated in zip(original_node.names, updated_node.names, strict=True):
        if original in change.remove:
            if original is original_node.names[-1] and kept:
                kept[-1] = kept[-1].with_changes(comma=updated.comma)
            continue
        if original in change.rename:
            updated = updated.with_changes(name=cst.Name(change.rename[original]),
                                           asname=None)
        if original in change.add_after:
            added = cst.ImportAlias(name=cst.Name(change.add_after[original]),
                                    comma=updated.comma)
            separator = (updated.comma if isinstance(updated.comma, cst.Comma)
                         else cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            kept.extend([updated.with_changes(comma=separator), added])
            continue
        kept.append(updated)
    if not kept:
        return cst.RemoveFromParent()
    if not isinstance(kept[-1].comma, cst.Comma) or updated_node.rpar is not None:
        return updated_node.with_changes(names=kept)
    return updated_node.with_changes(names=[*kept[:-1],
                                            kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])
