"""discover: walk the roots, honour ignores, classify each file by kind.

Yields ``SourceFile``s and ``Diagnostic``s (skipped files and why). Never reads file contents
except ``.gitignore`` files; never follows a symlink out of the root or around a loop; never
recurses (any depth of directories is fine); reports odd file names with U+FFFD.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from auditor.discover.filetypes import classify as classify
from auditor.discover.filetypes import file_type
from auditor.discover.tracked import Tracked, tracked_files
from auditor.types import Diagnostic, SourceFile
from auditor.util.files import read_regular_file

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox",
        "site-packages", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".eggs",
        ".llama-audit-cache", ".ipynb_checkpoints",
    }
)

@dataclass(frozen=True)
class DiscoverOptions:
    excludes: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    use_gitignore: bool = True
    default_excludes: bool = True


MAX_GITIGNORE_BYTES = 1024 * 1024
MAX_GITIGNORE_PATTERNS = 2000
"""Every path is matched against every pattern: a huge .gitignore would make each file slow."""
MAX_PATTERN_LENGTH = 4096
MAX_PATTERN_STARS = 3
"""pathspec matches with backtracking regular expressions: ``*a*a*a*a*b`` takes ~1 s per long
file name and each further ``*`` multiplies that by ~30. Such patterns are not applied."""
MAX_PATTERN_GLOBSTARS = 2
"""Each ``**`` segment matches any run of directories: the matcher's time grows with the
path's length to the power of their number (3 of them: 16 s for one 1,200-level path)."""
MAX_REPORTED_PATTERN_PROBLEMS = 10

_ODD_CHARS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters, the lone surrogates that stand for bytes that are not UTF-8, and the
bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE makes ``txt.exe`` read ``exe.txt``)."""

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def display_path(rel: str) -> str:
    """``rel`` as reports show it: bytes that are not UTF-8 and control characters (a newline
    in a file name) become U+FFFD, so no report can be broken or spoofed by a file name."""
    if rel.isprintable():  # every character _ODD_CHARS matches is unprintable: the usual case
        return rel
    return _ODD_CHARS.sub("\ufffd", rel)


@dataclass
class _IgnoreLevel:
    base: str
    spec: pathspec.GitIgnoreSpec


@dataclass
class _Frame:
    """One directory being walked: its remaining entries and the ignore rules in force."""

    rel_dir: str
    levels: list[_IgnoreLevel]
    entries: Iterator[os.DirEntry[str]]


@dataclass
class _Walker:
    root: Path
    options: DiscoverOptions
    excludes: pathspec.GitIgnoreSpec
    visited_dirs: set[tuple[int, int]] = field(default_factory=set)
    real_root: Path = field(init=False)
    tracked: Tracked | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.options.use_gitignore and self.root.is_dir():
            self.tracked = tracked_files(self.root)
        try:
            self.real_root = self.root.resolve()
        except (OSError, RuntimeError):  # a root that is itself a symlink loop
            self.real_root = self.root

    def run(self) -> Iterator[SourceFile | Diagnostic]:
        try:
            root_stat = self.root.stat()
        except OSError as exc:
            yield Diagnostic(path=".", code="unreadable",
                             message=f"cannot read root: {_reason(exc)}")
            return
        if not stat.S_ISDIR(root_stat.st_mode):
            yield from self._file(self.root, self.root.name, root_stat)
            return
        yield from self._walk(self.root, "", [])

    def _walk(
        self, directory: Path, rel_dir: str, levels: list[_IgnoreLevel]
    ) -> Iterator[SourceFile | Diagnostic]:
        """Depth-first, entries in name order, with an explicit stack: a tree thousands of
        directories deep must not exhaust Python's recursion limit."""
        stack: list[_Frame] = []
        pending = self._open(directory, rel_dir, levels)
        while True:
            for item in pending:  # a _Descend, if any, comes last
                if isinstance(item, _Descend):
                    stack.append(item.frame)
                else:
                    yield item
            if not stack:
                return
            entry = next(stack[-1].entries, None)
            if entry is None:
                stack.pop()
                pending = []
            else:
                pending = self._entry(stack[-1], entry)

    def _open(self, directory: Path, rel_dir: str, levels: list[_IgnoreLevel]) -> list[_Item]:
        """A _Descend into ``directory`` (after any .gitignore diagnostics), or why not."""
        with contextlib.suppress(OSError):
            st = directory.stat()
            identity = (st.st_dev, st.st_ino)
            if identity in self.visited_dirs:  # a bind mount of an ancestor, say
                return [Diagnostic(path=display_path(rel_dir) or ".", code="loop",
                                   message="not walked: this directory was reached already")]
            self.visited_dirs.add(identity)
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            return [Diagnostic(path=display_path(rel_dir) or ".", code="unreadable",
                               message=f"directory not readable: {_reason(exc)}")]
        found: list[_Item] = []
        levels = list(levels)
        # A .gitignore that is a symbolic link is not read (as git 2.32+): it could point
        # anywhere, and the walk reports the link itself.
        if self.options.use_gitignore and any(e.name == ".gitignore" and not e.is_symlink()
                                              for e in entries):
            spec, problems = load_gitignore(directory / ".gitignore",
                                            display_path(_join(rel_dir, ".gitignore")))
            found.extend(problems)
            if spec is not None:
                levels.append(_IgnoreLevel(rel_dir, spec))
        found.append(_Descend(_Frame(rel_dir, levels, iter(entries))))
        return found

    def _entry(self, frame: _Frame, entry: os.DirEntry[str]) -> list[_Item]:
        rel = _join(frame.rel_dir, entry.name)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            return [Diagnostic(path=display_path(rel), code="unreadable", message=_reason(exc))]
        if is_link:
            return list(self._symlink(Path(entry.path), rel, frame.levels))
        if is_dir:
            if self._dir_excluded(Path(entry.path), entry.name, rel, frame.levels):
                return []
            return [*_odd_name(entry.name, rel),
                    *self._open(Path(entry.path), rel, frame.levels)]
        if self._ignored(rel, False, frame.levels):
            return []
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            return [Diagnostic(path=display_path(rel), code="unreadable", message=_reason(exc))]
        return [*_odd_name(entry.name, rel), *self._file(Path(entry.path), rel, st)]

    def _symlink(
        self, path: Path, rel: str, levels: list[_IgnoreLevel]
    ) -> Iterator[_Item]:
        shown = display_path(rel)
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            reason = "symlink loop" if isinstance(exc, RuntimeError) or getattr(
                exc, "errno", None) == errno.ELOOP else "broken symlink"
            yield Diagnostic(path=shown, code="symlink", message=f"not followed: {reason}")
            return
        if target != self.real_root and self.real_root not in target.parents:
            yield Diagnostic(path=shown, code="symlink",
                             message="not followed: the link leaves the scanned root")
            return
        try:
            st = target.stat()
        except OSError as exc:
            yield Diagnostic(path=shown, code="unreadable", message=_reason(exc))
            return
        if stat.S_ISDIR(st.st_mode):
            here = path.parent.resolve()
            if target == here or target in here.parents:
                yield Diagnostic(path=shown, code="symlink",
                                 message="not followed: the link loops back to a parent directory")
                return
            # The target is inside the root, so the walk reaches it under its own path:
            # following the link too would report every file in it twice.
            where = display_path(target.relative_to(self.real_root).as_posix()) or "."
            yield Diagnostic(path=shown, code="symlink",
                             message=(f"not followed: it points to {where!r}, which is scanned "
                                      "under its own path"))
        elif not self._ignored(rel, False, levels):
            yield from _odd_name(path.name, rel)
            # Read through the checked target: every read opens with O_NOFOLLOW.
            yield from self._file(target, rel, st)

    def _dir_excluded(self, path: Path, name: str, rel: str, levels: list[_IgnoreLevel]) -> bool:
        if self.options.default_excludes:
            if name in DEFAULT_EXCLUDED_DIRS:
                return True
            with contextlib.suppress(OSError):
                if (path / "pyvenv.cfg").is_file():
                    return True
        return self._ignored(rel, True, levels)

    def _ignored(self, rel: str, is_dir: bool, levels: list[_IgnoreLevel]) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.excludes.patterns and self.excludes.match_file(probe):
            return True
        for level in levels:
            local = probe[len(level.base) + 1:] if level.base else probe
            if level.spec.match_file(local):
                # git's rule: ignore patterns apply only to files git does not track
                return self.tracked is None or not self.tracked.covers(rel, is_dir)
        return False

    def _file(self, path: Path, rel: str, st: os.stat_result) -> Iterator[SourceFile | Diagnostic]:
        shown = display_path(rel)
        if not stat.S_ISREG(st.st_mode):
            what = next((name for test, name in _SPECIAL_KINDS if test(st.st_mode)),
                        "not a regular file")
            yield Diagnostic(path=shown, code="unreadable", message=f"skipped: {what}")
            return
        ftype = file_type(rel)
        kind = ftype.kind
        size = st.st_size
        header_only = ftype.format == "gguf"  # only the header is read, however large
        if size > self.options.max_file_size and not header_only:
            yield Diagnostic(
                path=shown, code="too-large",
                message=(f"skipped: {size:,} bytes is over the {self.options.max_file_size:,}-byte "
                         "limit (--max-file-size)"),
            )
            return
        yield SourceFile(root=self.root, path=path, rel=shown, kind=kind, size=size,
                         stamp=(st.st_mtime_ns, st.st_ctime_ns, st.st_ino))


@dataclass
class _Descend:
    """Among an entry's results: walk this directory next (it goes on the stack)."""

    frame: _Frame


_Item = SourceFile | Diagnostic | _Descend


def _odd_name(name: str, rel: str) -> list[Diagnostic]:
    if name.isprintable() or not _ODD_CHARS.search(name):
        return []
    return [Diagnostic(
        path=display_path(rel), code="odd-path",
        message=("the name has bytes that are not UTF-8, control or bidirectional characters; "
                 "reports show them as \ufffd"))]


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name


def _reason(exc: OSError) -> str:
    return str(exc.strerror or exc)


def load_gitignore(
    path: Path, shown: str
) -> tuple[pathspec.GitIgnoreSpec | None, list[Diagnostic]]:
    """The patterns of one .gitignore, and a diagnostic for each line that is not applied.

    A bad line costs only itself: invalid patterns, patterns too long or with too many
    wildcards to match quickly, and lines past ``MAX_GITIGNORE_PATTERNS`` are left out (so
    more files are scanned, never fewer).
    """
    problems: list[Diagnostic] = []
    try:
        raw, size = read_regular_file(path, MAX_GITIGNORE_BYTES)
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [Diagnostic(path=shown, code="bad-gitignore",
                                 message=f".gitignore not applied: {_reason(exc)}")]
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if size > MAX_GITIGNORE_BYTES:
        lines = lines[:-1]  # the last line read may be cut short
        problems.append(Diagnostic(
            path=shown, code="bad-gitignore", line=len(lines) + 1,
            message=(f"only the first {MAX_GITIGNORE_BYTES:,} bytes applied ({size:,}-byte "
                     "file)")))
    accepted: list[tuple[int, str]] = []
    rejected: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if len(accepted) >= MAX_GITIGNORE_PATTERNS:
            problems.append(Diagnostic(
                path=shown, code="bad-gitignore", line=number,
                message=(f"more than {MAX_GITIGNORE_PATTERNS:,} patterns; this line and the "
                         "rest not applied")))
            break
        reason = _pattern_problem(line)
        if reason is None:
            accepted.append((number, line))
        else:
            rejected.append((number, reason))
    patterns: list[Any] = []
    for number, line in accepted:
        try:
            patterns.extend(pathspec.GitIgnoreSpec.from_lines([line]).patterns)
        except Exception as exc:  # pathspec raises several types for invalid patterns
            rejected.append((number, f"invalid pattern ({exc})"))
    rejected.sort()
    for number, reason in rejected[:MAX_REPORTED_PATTERN_PROBLEMS]:
        problems.append(Diagnostic(path=shown, code="bad-gitignore", line=number,
                                   message=f"pattern not applied: {reason}"))
    if len(rejected) > MAX_REPORTED_PATTERN_PROBLEMS:
        problems.append(Diagnostic(
            path=shown, code="bad-gitignore", line=rejected[MAX_REPORTED_PATTERN_PROBLEMS][0],
            message=(f"{len(rejected) - MAX_REPORTED_PATTERN_PROBLEMS} more patterns not "
                     "applied")))
    problems.sort(key=lambda d: d.line or 0)
    return (pathspec.GitIgnoreSpec(patterns) if patterns else None), problems


def _pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot be applied safely, or None."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"longer than {MAX_PATTERN_LENGTH:,} characters"
    segments = pattern.split("/")
    globstars = segments.count("**")
    if globstars > MAX_PATTERN_GLOBSTARS:
        return (f"{globstars} '**' segments (more than {MAX_PATTERN_GLOBSTARS} would make "
                "matching a deep path take minutes)")
    stars = sum(segment.count("*") for segment in segments if segment != "**")
    if stars > MAX_PATTERN_STARS:
        return (f"{stars} '*' wildcards (more than {MAX_PATTERN_STARS} would make matching "
                "take minutes)")
    return None


def check_excludes(patterns: Sequence[str]) -> pathspec.GitIgnoreSpec:
    """The compiled exclude patterns; ValueError naming the first one that cannot be used."""
    for pattern in patterns:
        reason = _pattern_problem(pattern)
        if reason is not None:
            raise ValueError(f"invalid --exclude pattern {pattern[:80]!r}: {reason}")
    try:
        return pathspec.GitIgnoreSpec.from_lines(list(patterns))
    except Exception as exc:
        raise ValueError(f"invalid --exclude pattern: {exc}") from exc


def discover(
    roots: Sequence[Path], options: DiscoverOptions = DiscoverOptions()
) -> Iterator[tuple[Path, SourceFile | Diagnostic]]:
    """Yield (root, file-or-diagnostic) for every root in order, files in sorted order."""
    excludes = check_excludes(options.excludes)
    for root in roots:
        walker = _Walker(root=Path(os.path.abspath(root)), options=options, excludes=excludes)
        for item in walker.run():
            yield walker.root, item
