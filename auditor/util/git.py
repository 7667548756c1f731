"""Running git, and which files have uncommitted changes.

``run_git`` is the one way the tool runs git (``fix`` here, ``--new-since`` in
``policy.gitdiff``): an argument list, never a shell, with a timeout and a ``GitError`` that
says what went wrong in the user's terms.

``fix --write`` refuses to write over uncommitted work: after a rewrite, ``git diff`` must show
exactly what ``fix`` did, and ``git checkout`` must be able to undo it. Untracked files count
as uncommitted (git cannot restore them), and so do ignored files (``fix --no-gitignore``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from auditor.errors import GitError as GitError

GIT_TIMEOUT_SECONDS = 120


def run_git(
    args: Sequence[str], cwd: str | os.PathLike[str], *,
    missing: str = "git is not installed", timeout: float = GIT_TIMEOUT_SECONDS,
) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS`` run in ``cwd``, its output as bytes; a non-zero exit is the caller's to judge.

    C locale, no prompts, no optional locks, paths unquoted, and the caller's ``GIT_DIR`` and
    ``GIT_WORK_TREE`` ignored (the work tree is the one holding ``cwd``). GitError when git is
    not installed (``missing`` is the message), cannot start or takes over ``timeout`` seconds.
    """
    env = dict(os.environ, LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=cwd, env=env,
            capture_output=True, check=False, timeout=timeout)
    except FileNotFoundError as exc:
        raise GitError(missing) from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} did not finish in {timeout:g}s") from exc
    except OSError as exc:
        raise GitError(f"git could not run in {cwd}: {exc}") from exc


def toplevel(folder: Path) -> Path:
    """The top of the git work tree containing ``folder``; GitError outside one."""
    top = _git(["rev-parse", "--show-toplevel"], folder).strip()
    if not top:
        raise GitError(f"{folder} is not inside a git work tree")
    return Path(top).resolve()


def dirty_paths(top: Path) -> frozenset[Path]:
    """Absolute paths with uncommitted changes (staged, unstaged or untracked) under ``top``."""
    output = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all"], top)
    return frozenset(top / p for p in _porcelain_paths(output))


def ignored_paths(top: Path) -> tuple[frozenset[Path], tuple[Path, ...]]:
    """(untracked ignored files, untracked ignored directories) under ``top``: git cannot
    restore them either (``fix --no-gitignore`` reaches them). Directories are listed whole,
    not file by file, so a large ``node_modules`` costs nothing."""
    output = _git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard",
                   "--directory"], top)
    names = [name for name in output.split("\0") if name]
    files = frozenset(top / n for n in names if not n.endswith("/"))
    directories = tuple(top / n.rstrip("/") for n in names if n.endswith("/"))
    return files, directories


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
    done = run_git(args, cwd,
                   missing="git is not installed, so uncommitted changes cannot be checked")
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        message = stderr.strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        if "not a git repository" in stderr:
            raise GitError(f"{cwd} is not inside a git work tree")
        raise GitError(f"git {' '.join(args[:1])} failed in {cwd}: {detail}")
    return done.stdout.decode("utf-8", "surrogateescape")


def uncommitted(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """(files among ``paths`` with uncommitted changes, problems: why some file's state is
    unknown, e.g. it is outside any git work tree)."""
    dirty: list[Path] = []
    problems: list[str] = []
    tops: dict[Path, Path | str] = {}
    statuses: dict[Path, frozenset[Path]] = {}
    ignored: dict[Path, tuple[Path, ...]] = {}
    for path in paths:
        resolved = path.resolve()
        folder = resolved.parent
        if folder not in tops:
            try:
                tops[folder] = toplevel(folder)
            except GitError as exc:
                tops[folder] = str(exc)
        top = tops[folder]
        if isinstance(top, str):
            problems.append(top)
            continue
        if top not in statuses:
            try:
                ignored_files, ignored_dirs = ignored_paths(top)
                statuses[top] = dirty_paths(top) | ignored_files
                ignored[top] = ignored_dirs
            except GitError as exc:
                tops[folder] = str(exc)
                problems.append(str(exc))
                continue
        if resolved in statuses[top] or any(d in resolved.parents for d in ignored[top]):
            dirty.append(path)
    return dirty, list(dict.fromkeys(problems))
