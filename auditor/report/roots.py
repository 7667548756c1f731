"""Names and repository positions of scan roots (``scan --name``, merge, SARIF).

A root's name is what a report of many repositories calls it: the ``--name`` given, else the
git remote's repository name (``origin``, else the first remote), else the folder's name. A
root below its repository's top level adds its folder: ``llama-cookbook/getting-started``.
``repo_path`` (the root's folder relative to the git top level) lets SARIF give paths from the
repository root, which is where GitHub code scanning resolves them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from auditor.errors import AuditError
from auditor.types import AuditResult, RootInfo


class RootNameError(AuditError, ValueError):
    """``--name`` values that do not fit the roots."""


def describe_roots(roots: Mapping[str, Path], names: Sequence[str] = ()
                   ) -> tuple[RootInfo, ...]:
    """RootInfo per root (label → the path it was given as); ``names`` (if any) must be one
    non-empty, distinct name per root."""
    if names and len(names) != len(roots):
        raise RootNameError(
            f"--name was given {len(names)} time(s) for {len(roots)} path(s): give one name "
            "per path, in the same order")
    for name in names:
        if not name.strip():
            raise RootNameError("--name must not be empty")
    tops: dict[Path, tuple[Path, str] | None] = {}
    infos = [_describe(root, path, names[i] if names else None, tops)
             for i, (root, path) in enumerate(roots.items())]
    seen: dict[str, str] = {}
    for info in infos:
        if info.name in seen:
            raise RootNameError(
                f"paths {seen[info.name]!r} and {info.root!r} are both named {info.name!r}; "
                "give each one its own --name")
        seen[info.name] = info.root
    return tuple(infos)


def root_names(result: AuditResult) -> dict[str, str]:
    """Root → display name (the root itself where the result has no names)."""
    names = {info.root: info.name for info in result.root_info}
    return {root: names.get(root, root) for root in result.roots}


def _describe(root: str, given: Path, name: str | None,
              tops: dict[Path, tuple[Path, str] | None]) -> RootInfo:
    path = given.resolve()
    folder = path if path.is_dir() else path.parent
    if folder not in tops:
        tops[folder] = _repository(folder)
    found = tops[folder]
    if found is None:
        return RootInfo(root=root, name=name or path.name or root, repo_path=None)
    top, remote = found
    try:
        named = path.relative_to(top).as_posix()
        relative = folder.relative_to(top).as_posix()
    except ValueError:
        return RootInfo(root=root, name=name or path.name or root, repo_path=None)
    default = remote or top.name
    if named != ".":
        default = f"{default}/{named}"
    return RootInfo(root=root, name=name or default,
                    repo_path="" if relative == "." else relative, top=_written_like(given, top))


def _written_like(given: Path, top: Path) -> str:
    """``top`` absolute when ``given`` is, else relative to the working directory."""
    if given.is_absolute():
        return top.as_posix()
    return Path(os.path.relpath(top, Path.cwd().resolve())).as_posix()


def _repository(folder: Path) -> tuple[Path, str] | None:
    """(git top level, remote repository name or "") for ``folder``; None outside git.

    Read from the files, without running git: a scanned repository is untrusted, and git
    runs programs its config names (e.g. core.fsmonitor)."""
    for candidate in (folder, *folder.parents):
        marker = candidate / ".git"
        if marker.is_dir():
            return candidate, _remote_name(marker)
        if marker.is_file():
            return candidate, _remote_name(_linked_git_dir(marker, candidate))
    return None


def _linked_git_dir(marker: Path, top: Path) -> Path:
    """The git dir a ``.git`` file (worktree, submodule) points at, then its common dir."""
    try:
        text = marker.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return marker
    line = text.strip().splitlines()[0] if text.strip() else ""
    if not line.startswith("gitdir:"):
        return marker
    git_dir = (top / line.removeprefix("gitdir:").strip()).resolve()
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return (git_dir / common).resolve()


_SECTION = re.compile(r'^\s*\[\s*remote\s+"([^"]*)"\s*\]')
_URL = re.compile(r"^\s*url\s*=\s*(.*?)\s*$", re.IGNORECASE)


def _remote_name(git_dir: Path) -> str:
    """The repository name of remote ``origin`` (else the first remote) in ``git_dir/config``."""
    try:
        lines = (git_dir / "config").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    urls: dict[str, str] = {}
    remote: str | None = None
    for line in lines:
        if line.lstrip().startswith("["):
            match = _SECTION.match(line)
            remote = match.group(1) if match else None
        elif remote is not None and remote not in urls and (url := _URL.match(line)):
            urls[remote] = url.group(1).strip('"')
    if not urls:
        return ""
    return remote_repository_name(urls.get("origin") or next(iter(urls.values())))


def remote_repository_name(url: str) -> str:
    """``https://github.com/org/repo.git`` / ``git@host:org/repo`` → ``repo``."""
    tail = url.rstrip("/").replace(":", "/").replace("\\", "/")
    name = PurePosixPath(tail).name if tail else ""
    return name[:-4] if name.endswith(".git") else name
