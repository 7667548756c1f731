"""What replaces each Meta-Llama-only package and the modules it provides.

The knowledge is in ``rules/packages.toml``: each ``replace`` ``[[package]]`` row names its
import ``modules`` (a package still imported is not removed) and what to use ``instead`` (the
note ``fix`` prints); ``[package_advice]`` holds the shared sentences. This module reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet, load_ruleset
from auditor.scan.deps.packages import normalise


@dataclass(frozen=True, slots=True)
class PackageMove:
    modules: tuple[str, ...]
    advice: str


@dataclass(frozen=True, eq=False)
class PackageMoves:
    moves: Mapping[str, PackageMove]
    """By normalised package name; ``replace`` rows only."""
    default_advice: str
    module_advice: str


@lru_cache(maxsize=8)
def package_moves(ruleset: RuleSet) -> PackageMoves:
    advice = ruleset.section_table("package_advice")
    try:
        shared = {"openai_compatible": str(advice["openai_compatible"])}
        default = str(advice["default_instead"]).format_map(shared)
        module = str(advice["module_instead"]).format_map(shared)
        moves: dict[str, PackageMove] = {}
        for row in ruleset.section_list("package"):
            if row.get("class") != "replace" or "name" not in row:
                continue
            name = normalise(str(row["name"]))
            if row.get("ecosystem", "pypi") != "pypi" and name in moves:
                continue  # a PyPI package's move wins over another ecosystem's namesake
            modules = _modules(row, name)
            instead = str(row.get("instead", default)).format_map(shared)
            moves[name] = PackageMove(modules, instead)
    except (KeyError, ValueError) as exc:
        raise RuleError(f"[package_advice] or a [[package]] 'instead' is invalid: {exc!r}") from exc
    return PackageMoves(moves, default, module)


def _modules(row: Mapping[str, Any], name: str) -> tuple[str, ...]:
    modules = row.get("modules")
    if modules is None:
        return (name.replace("-", "_"),)  # the usual import name
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        raise RuleError(f"[[package]] {name!r}: 'modules' must be a list of import names")
    return tuple(modules)


def move_for(package: str, ruleset: RuleSet | None = None) -> PackageMove:
    """The move for a normalised package name; unknown ones get their import-name guess."""
    table = package_moves(ruleset or load_ruleset())
    known = table.moves.get(package)
    if known is not None:
        return known
    return PackageMove((package.replace("-", "_"),), table.default_advice)


def advice_for_module(module: str, ruleset: RuleSet | None = None) -> str:
    """Advice for code importing a Meta-Llama-only module (LA104)."""
    table = package_moves(ruleset or load_ruleset())
    for move in table.moves.values():
        if any(module == m or module.startswith(m + ".") for m in move.modules):
            return move.advice
    return table.module_advice
