"""The package's shape: stages import earlier stages only, click stays in the CLI, small modules.

The stage order is the pipeline's (discover -> scan -> enrich -> policy -> report -> fix ->
pipeline -> cli), with the shared values and the rule tables beneath every stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

AUDITOR = Path(__file__).resolve().parents[1] / "auditor"

STAGES = (
    "details", "types", "errors", "util", "ruleset", "identify", "isolate", "serialize",
    "discover", "scan", "enrich", "policy", "report", "fix", "pipeline", "cli",
)
"""Lowest first: a module may import its own stage and any stage before it."""

MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(p for p in AUDITOR.rglob("*.py") if "__pycache__" not in p.parts)


def _stage(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "auditor" else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _dotted(path: Path) -> str:
    rel = path.relative_to(AUDITOR.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def test_every_top_level_module_and_package_has_a_stage() -> None:
    entries = {p.stem for p in AUDITOR.glob("*.py")} | {p.name for p in AUDITOR.iterdir()
                                                        if (p / "__init__.py").exists()}
    assert entries - set(STAGES) == {"__init__", "__main__"}


def test_no_stage_imports_a_later_stage() -> None:
    backwards = []
    for path in _modules():
        own = _stage(_dotted(path))
        if own not in STAGES:
            continue
        for line, target in _imports(path):
            theirs = _stage(target)
            if theirs in STAGES and STAGES.index(theirs) > STAGES.index(own):
                backwards.append(f"{path.relative_to(AUDITOR.parent)}:{line} imports {target}")
    assert backwards == []


def test_only_the_cli_imports_click() -> None:
    offenders = [
        f"{path.relative_to(AUDITOR.parent)}:{line}"
        for path in _modules() if _stage(_dotted(path)) != "cli"
        for line, target in _imports(path) if target == "click" or target.startswith("click.")
    ]
    assert offenders == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(AUDITOR.parent)))
def test_no_module_is_over_the_size_limit(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{lines} lines: split it along a concept"
