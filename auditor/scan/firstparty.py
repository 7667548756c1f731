"""A repository's own Python packages and modules (first-party, as ruff's isort detects them):
importing them is the project itself, never "a package that exists only for Llama", even when
the project is named after Llama (llama-cookbook importing ``llama_cookbook``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from auditor.ruleset.rule_ids import META_ONLY_MODULE, RUNTIME_MODULE
from auditor.types import Finding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_MODULE_RULES = frozenset({META_ONLY_MODULE, RUNTIME_MODULE})
_NAME = re.compile(r"^[A-Za-z_]\w*$")


def first_party_modules(root: Path) -> frozenset[str]:
    """Top-level import names the project under ``root`` defines: packages and modules at the
    root and under ``src/``, and the distribution name of ``pyproject.toml`` ([project] or
    [tool.poetry]) as an import name."""
    names: set[str] = set()
    for base in (root, root / "src"):
        try:
            entries = list(base.iterdir()) if base.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir() and (entry / "__init__.py").is_file() and \
                        _NAME.match(entry.name):
                    names.add(entry.name)
                elif entry.suffix == ".py" and entry.is_file() and _NAME.match(entry.stem):
                    names.add(entry.stem)
            except OSError:
                continue
    names.update(_distribution_names(root / "pyproject.toml"))
    return frozenset(names)


def _distribution_names(pyproject: Path) -> set[str]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    out: set[str] = set()
    for table in (data.get("project"), data.get("tool", {}).get("poetry")):
        name = table.get("name") if isinstance(table, dict) else None
        if isinstance(name, str):
            module = re.sub(r"[-.]+", "_", name.strip()).lower()
            if _NAME.match(module):
                out.add(module)
    return out


def is_first_party_import(finding: Finding, first_party: frozenset[str]) -> bool:
    """A Meta-only or runtime module finding on one of the project's own modules."""
    if finding.rule_id not in _MODULE_RULES or not finding.identifier:
        return False
    return finding.identifier.split(".", 1)[0] in first_party
