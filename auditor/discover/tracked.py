"""What git tracks under a scan root: git applies .gitignore only to untracked files, so a file
that is tracked and matches an ignore pattern is still part of the project and is scanned.

The list is read from git's index file (``.git/index``, format versions 2 to 4), not by running
git: a scan starts no process, and a hostile repository's git config (``core.fsmonitor``) must
not run anything. An index that cannot be read leaves the walk as it was (every pattern applies).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_ENTRY_FIXED = 40  # ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields
_MAX_INDEX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Tracked:
    """Tracked files (paths relative to the root) and every directory that holds one."""

    files: frozenset[str]
    dirs: frozenset[str]

    def covers(self, rel: str, is_dir: bool) -> bool:
        return rel in (self.dirs if is_dir else self.files)


def tracked_files(root: Path) -> Tracked | None:
    """The files git's index lists under ``root``; None outside a git work tree or when the
    index cannot be read."""
    found = _work_tree(root)
    if found is None:
        return None
    top, git_dir = found
    try:
        index = git_dir / "index"
        if index.stat().st_size > _MAX_INDEX_BYTES:
            return None
        paths = index_paths(index.read_bytes(), _hash_size(git_dir))
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except (OSError, ValueError):
        return None
    if paths is None:
        return None
    if prefix not in ("", "."):
        cut = prefix + "/"
        paths = [p[len(cut):] for p in paths if p.startswith(cut)]
    files = frozenset(paths)
    dirs: set[str] = set()
    for path in files:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:depth]))
    return Tracked(files=files, dirs=frozenset(dirs))


def _work_tree(root: Path) -> tuple[Path, Path] | None:
    """(work tree top, git directory) holding ``root``: a ``.git`` directory, or a ``.git``
    file (``gitdir: ...``) as worktrees and submodules have."""
    try:
        here = root.resolve()
    except (OSError, RuntimeError):
        return None
    for top in (here, *here.parents):
        dot_git = top / ".git"
        try:
            if dot_git.is_dir():
                return top, dot_git
            if dot_git.is_file():
                line = dot_git.read_text(encoding="utf-8", errors="replace").strip()
                if line.startswith("gitdir:"):
                    target = Path(line[len("gitdir:"):].strip())
                    return top, (target if target.is_absolute() else top / target)
                return None
        except OSError:
            return None
    return None


def _hash_size(git_dir: Path) -> int:
    """20 bytes (SHA-1) unless the repository's config says ``objectformat = sha256``."""
    common = git_dir
    try:
        pointer = git_dir / "commondir"
        if pointer.is_file():
            common = git_dir / pointer.read_text(encoding="utf-8").strip()
        config = (common / "config").read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return 20
    return 32 if "objectformat = sha256" in config.replace("\t", " ") else 20


def index_paths(data: bytes, hash_size: int = 20) -> list[str] | None:
    """The paths of a git index (versions 2, 3 and 4); None when it is not one."""
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4):
        return None
    offset = 12
    previous = b""
    paths: list[str] = []
    try:
        for _ in range(count):
            start = offset
            offset += _ENTRY_FIXED + hash_size
            (flags,) = struct.unpack(">H", data[offset:offset + 2])
            offset += 2
            if version >= 3 and flags & 0x4000:
                offset += 2
            if version == 4:
                strip, offset = _varint(data, offset)
                end = data.index(b"\0", offset)
                name = previous[:len(previous) - strip] + data[offset:end]
                offset = end + 1
            else:
                end = data.index(b"\0", offset)
                name = data[offset:end]
                offset = start + ((end - start) // 8 + 1) * 8  # 1 to 8 NULs of padding
            previous = name
            paths.append(name.decode("utf-8", "surrogateescape"))
    except (struct.error, ValueError):
        return None
    return paths


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """git's offset varint (index v4 path compression)."""
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset
