"""``--new-since REF``: which lines were added or changed since a git revision.

Runs git plumbing (``rev-parse``, ``diff-index``, ``ls-files``) through ``util.git.run_git``
(an argument list, never a shell). Compares REF with the working tree, so uncommitted edits count as
changed; untracked files count as entirely new. Renames are detected, so a moved file's
unchanged lines are not "new".
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.util.git import GitError, run_git

WHOLE_FILE = None
"""Marker in ``ChangedLines``: every line of the file is new (untracked or binary)."""

ChangedLines = Mapping[str, "frozenset[int] | None"]
"""Absolute file path to the changed line numbers (None: the whole file)."""

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class _Repo:
    toplevel: str
    """Absolute real path of the work tree."""


def changed_lines_since(ref: str, directories: Sequence[str]) -> dict[str, frozenset[int] | None]:
    """Changed lines, keyed by absolute path, for every repository holding ``directories``."""
    if not ref or ref.startswith("-"):
        raise GitError(f"invalid git revision {ref!r}")
    result: dict[str, frozenset[int] | None] = {}
    seen: set[str] = set()
    for directory in directories:
        repo = _repo_of(directory)
        if repo.toplevel in seen:
            continue
        seen.add(repo.toplevel)
        commit = _resolve(ref, repo)
        result.update(_diff(commit, repo))
        for path in _untracked(repo):
            result[path] = WHOLE_FILE
    return result


def _git(args: Sequence[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    return run_git(args, cwd, missing="--new-since needs git, and git is not installed")


def _repo_of(directory: str) -> _Repo:
    done = _git(["rev-parse", "--show-toplevel"], directory)
    if done.returncode != 0:
        raise GitError(f"--new-since needs a git repository, and {directory} is not inside one")
    top = done.stdout.decode("utf-8", "surrogateescape").strip()
    return _Repo(toplevel=os.path.realpath(top))


def _resolve(ref: str, repo: _Repo) -> str:
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                repo.toplevel)
    if done.returncode != 0:
        raise GitError(f"unknown git revision {ref!r} in {repo.toplevel}")
    return done.stdout.decode("ascii").strip()


def _diff(commit: str, repo: _Repo) -> dict[str, frozenset[int] | None]:
    done = _git(["diff-index", "-p", "-M", "--unified=0", "--no-color", "--no-ext-diff",
                 "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", commit, "--"],
                repo.toplevel)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git diff-index failed: {message}")
    return {os.path.join(repo.toplevel, *path.split("/")): lines
            for path, lines in parse_unified_diff(done.stdout).items()}


def _untracked(repo: _Repo) -> list[str]:
    done = _git(["ls-files", "--others", "--exclude-standard", "-z"], repo.toplevel)
    if done.returncode != 0:
        return []
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [os.path.join(repo.toplevel, *name.split("/")) for name in names if name]


def parse_unified_diff(patch: bytes) -> dict[str, frozenset[int] | None]:
    """Added/changed line numbers (new side) per path, from ``git diff -p --unified=0``."""
    changed: dict[str, frozenset[int] | None] = {}
    current: str | None = None
    lines: set[int] = set()

    def flush() -> None:
        if current is not None and changed.get(current, frozenset()) is not None:
            changed[current] = frozenset(lines)

    for raw in patch.split(b"\n"):
        line = raw.decode("utf-8", "surrogateescape")
        if line.startswith("diff --git "):
            flush()
            current, lines = None, set()
        elif line.startswith("+++ "):
            target = line[4:].rstrip("\t")
            current = None if target == "/dev/null" else _strip_prefix(unquote_path(target))
        elif line.startswith("rename to ") and current is None:
            current = unquote_path(line[len("rename to "):])
        elif line.startswith("Binary files ") and line.endswith(" differ"):
            target = line.rsplit(" and ", 1)[-1][: -len(" differ")]
            if target != "/dev/null":
                current = _strip_prefix(unquote_path(target))
                changed[current] = WHOLE_FILE
        elif current is not None:
            match = _HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = 1 if match.group(2) is None else int(match.group(2))
                lines.update(range(start, start + count))
    flush()
    return changed


def _strip_prefix(path: str) -> str:
    return path[2:] if path.startswith("b/") else path


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(text: str) -> str:
    """Undo git's C-style quoting of unusual path names (``"a\\tb.py"``)."""
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 == len(body):
            out.extend(char.encode("utf-8", "surrogateescape"))
            i += 1
            continue
        nxt = body[i + 1]
        if re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.extend(char.encode())
            i += 1
    return out.decode("utf-8", "surrogateescape")


def finding_is_changed(changed: ChangedLines, path: str, first: int, last: int) -> bool:
    """Whether lines ``first..last`` of the file at ``path`` were added or changed."""
    if path not in changed:
        return False
    lines = changed[path]
    if lines is None:
        return True
    return any(n in lines for n in range(first, max(first, last) + 1))
