"""Shared part of the checkers: run in the repository's venv, import every changed Python module
and print one JSON object {check: outcome} as the last stdout line. run.py runs a checker on the
original files and on the rewritten ones and compares the two objects key by key."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import io
import json
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path


def outcome(fn: Callable[[], object]) -> str:
    """'ok' or 'ok: <value>' or the exception's type and first line (what must not change)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            value = fn()
    except BaseException as exc:
        text = str(exc).splitlines()[0][:200] if str(exc) else ""
        return f"{type(exc).__name__}: {text}"
    return "ok" if value is None else f"ok: {value}"


def digest(values: Iterable[str]) -> str:
    items = sorted(values)
    sha = hashlib.sha1("\n".join(items).encode()).hexdigest()[:12]
    return f"{len(items)} items, sha1 {sha}"


def module_name(repo: Path, rel: str, roots: Iterable[str], *,
                namespace: bool = False) -> str | None:
    """The dotted name of REL under the first root it is in; None for a script (a directory
    on the way has no __init__.py, unless NAMESPACE packages are accepted)."""
    path = Path(rel)
    for root in roots:
        try:
            inside = path.relative_to(root) if root != "." else path
        except ValueError:
            continue
        parts = list(inside.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        # a module in a package: every directory up to the root has an __init__.py
        pkg = repo / root
        ok = True
        for part in parts[:-1]:
            pkg = pkg / part
            if not namespace and not (pkg / "__init__.py").is_file():
                ok = False
                break
        if ok and parts:
            return ".".join(parts)
    return None


def import_file(repo: Path, rel: str, roots: Iterable[str], namespace: bool = False) -> object:
    name = module_name(repo, rel, roots, namespace=namespace)
    if name is not None:
        return importlib.import_module(name)
    # a script: load it under a private name so `if __name__ == "__main__":` does not run
    spec = importlib.util.spec_from_file_location(f"_fixcheck_{abs(hash(rel))}", repo / rel)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    old = sys.argv
    sys.argv = [str(repo / rel)]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = old
    return module


def import_changed(repo: Path, files: Iterable[str], roots: Iterable[str], *,
                   namespace: bool = False) -> dict[str, str]:
    roots = list(roots)
    for root in roots:
        sys.path.insert(0, str(repo / root))
    return {f"import {rel}": outcome(
        lambda rel=rel: (import_file(repo, rel, roots, namespace), None)[1])
        for rel in files if rel.endswith(".py")}


def emit(result: dict[str, str]) -> None:
    sys.stdout.flush()
    print(json.dumps(result, sort_keys=True))


def main_guard(fn: Callable[[Path, list[str]], dict[str, str]]) -> None:
    repo = Path(sys.argv[1]).resolve()
    files = sys.argv[2:]
    try:
        emit(fn(repo, files))
    except Exception:
        traceback.print_exc()
        sys.exit(2)
