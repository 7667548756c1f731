"""Which files have uncommitted changes, from ``git status --porcelain`` (run without a shell).

``fix --write`` refuses to write over uncommitted work: after a rewrite, ``git diff`` must show
exactly what ``fix`` did, and ``git checkout`` must be able to undo it. Untracked files count
as uncommitted (git cannot restore them).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from auditor.errors import GitError

GIT_TIMEOUT_SECONDS = 60


class GitUnavailable(GitError):
    """Not inside a git work tree, or git cannot run; the message says which."""


def toplevel(folder: Path) -> Path:
    """The top of the git work tree containing ``folder``; GitUnavailable outside one."""
    top = _git(["rev-parse", "--show-toplevel"], folder).strip()
    if not top:
        raise GitUnavailable(f"{folder} is not inside a git work tree")
    return Path(top).resolve()


def dirty_paths(top: Path) -> frozenset[Path]:
    """Absolute paths with uncommitted changes (staged, unstaged or untracked) under ``top``."""
    output = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all"], top)
    return frozenset(top / p for p in _porcelain_paths(output))


def _porcelain_paths(output: str) -> list[str]:
    """Paths from ``git status --porcelain=v1 -z``: ``XY path``, renames add the old path."""
    entries = output.split("\0")
    paths: list[str] = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        paths.append(path)
        if "R" in status or "C" in status:
            if index < len(entries) and entries[index]:
                paths.append(entries[index])
            index += 1
    return paths


def _git(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
            timeout=GIT_TIMEOUT_SECONDS, env=env, encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError as exc:
        raise GitUnavailable("git is not installed, so uncommitted changes cannot be "
                             "checked") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnavailable(f"git could not run in {cwd}: {exc}") from exc
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()
        detail = message[-1] if message else f"exit status {completed.returncode}"
        if "not a git repository" in completed.stderr:
            raise GitUnavailable(f"{cwd} is not inside a git work tree")
        raise GitUnavailable(f"git {' '.join(args[:1])} failed in {cwd}: {detail}")
    return completed.stdout


def uncommitted(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """(files among ``paths`` with uncommitted changes, problems: why some file's state is
    unknown, e.g. it is outside any git work tree)."""
    dirty: list[Path] = []
    problems: list[str] = []
    tops: dict[Path, Path | str] = {}
    statuses: dict[Path, frozenset[Path]] = {}
    for path in paths:
        resolved = path.resolve()
        folder = resolved.parent
        if folder not in tops:
            try:
                tops[folder] = toplevel(folder)
            except GitUnavailable as exc:
                tops[folder] = str(exc)
        top = tops[folder]
        if isinstance(top, str):
            problems.append(top)
            continue
        if top not in statuses:
            try:
                statuses[top] = dirty_paths(top)
            except GitUnavailable as exc:
                tops[folder] = str(exc)
                problems.append(str(exc))
                continue
        if resolved in statuses[top]:
            dirty.append(path)
    return dirty, list(dict.fromkeys(problems))
