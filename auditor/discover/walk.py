"""discover: walk the roots, honour ignores, classify each file by kind.

``discover_found`` yields ``Found`` records and ``Diagnostic``s (skipped files and why):
plain strings from ``os.scandir`` and its cached entry types, no ``Path`` and no ``stat`` per
file, so the walk costs little more than ``os.walk``; ``discover`` gives each one's
``SourceFile`` (``found.source_file``). Never reads file contents except ``.gitignore``
files; never follows a symlink out of the root or around a loop; never recurses (any depth of
directories is fine); reports odd file names with U+FFFD.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path

import pathspec

from auditor.discover.filetypes import classify as classify
from auditor.discover.filetypes import file_type, path_type
from auditor.discover.found import NO_STAMP, Found, new_found, source_file, stat_found
from auditor.discover.ignore import MAX_PATTERN_LENGTH as MAX_PATTERN_LENGTH
from auditor.discover.ignore import check_excludes as check_excludes
from auditor.discover.ignore import load_gitignore as load_gitignore
from auditor.discover.ignore import os_reason as _reason
from auditor.discover.tracked import Tracked, tracked_files
from auditor.types import Diagnostic, SourceFile

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


_ODD_CHARS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters, the lone surrogates that stand for bytes that are not UTF-8, and the
bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE makes ``txt.exe`` read ``exe.txt``)."""


def display_path(rel: str) -> str:
    """``rel`` as reports show it: bytes that are not UTF-8 and control characters (a newline
    in a file name) become U+FFFD, so no report can be broken or spoofed by a file name."""
    if rel.isprintable():  # every character _ODD_CHARS matches is unprintable: the usual case
        return rel
    return _ODD_CHARS.sub("\ufffd", rel)


_by_name = attrgetter("name")


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
    filtered: bool
    """Whether any ignore pattern applies here (else files need no matching at all)."""


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

    def run(self) -> Iterator[Found | Diagnostic]:
        """The root's files and diagnostics (the walk itself, not a generator around it)."""
        try:
            root_stat = self.root.stat()
        except OSError as exc:
            return iter([Diagnostic(path=".", code="unreadable",
                                    message=f"cannot read root: {_reason(exc)}")])
        if not stat.S_ISDIR(root_stat.st_mode):
            name = self.root.name
            return iter([stat_found(str(self.root), display_path(name), file_type(name),
                                    root_stat)])
        return self._walk(str(self.root))

    def _walk(self, top: str) -> Iterator[Found | Diagnostic]:
        """Depth-first, entries in name order, with an explicit stack: a tree thousands of
        directories deep must not exhaust Python's recursion limit. The loop over a
        directory's files is the hot path: entry types come from ``scandir`` (no ``stat``),
        the type from the file name alone where the table allows (``name_type``)."""
        stack: list[_Frame] = []
        opened = self._open(top, "", [])
        assert opened is not None  # only a directory below the root can be skipped
        yield from opened[0]
        if opened[1] is not None:
            stack.append(opened[1])
        ignored = self._ignored
        while stack:
            frame = stack[-1]
            rel_dir = frame.rel_dir
            prefix = rel_dir + "/" if rel_dir else ""
            printable = rel_dir.isprintable()
            filtered = frame.filtered
            for entry in frame.entries:
                name = entry.name
                rel = prefix + name
                try:
                    is_file = entry.is_file(follow_symlinks=False)  # most entries: one call
                    is_dir = not is_file and entry.is_dir(follow_symlinks=False)
                except OSError as exc:
                    yield Diagnostic(path=display_path(rel), code="unreadable",
                                     message=_reason(exc))
                    continue
                if is_file:
                    if filtered and ignored(rel, False, frame.levels):
                        continue
                    if printable and name.isprintable():
                        shown = rel
                    else:
                        shown = display_path(rel)
                        yield from _odd_name(name, rel)
                    yield new_found((entry.path, shown, path_type(rel_dir, name), -1,
                                     NO_STAMP))
                elif is_dir:
                    if self._dir_excluded(name, rel, frame.levels):
                        continue
                    opened = self._open(entry.path, rel, frame.levels, below=True)
                    if opened is None:  # a virtual environment
                        continue
                    problems, child = opened
                    yield from _odd_name(name, rel)
                    yield from problems
                    if child is not None:
                        stack.append(child)
                        break
                else:
                    yield from self._other(entry, rel, frame.levels)
            else:
                stack.pop()

    def _open(self, directory: str, rel_dir: str, levels: list[_IgnoreLevel],
              below: bool = False) -> tuple[list[Diagnostic], _Frame | None] | None:
        """The frame to walk ``directory`` with (after any .gitignore diagnostics), or why
        not; None for a virtual environment (a directory ``below`` the root that holds a
        ``pyvenv.cfg`` file) when default excludes apply."""
        venv_check = below and self.options.default_excludes
        identity = None
        with contextlib.suppress(OSError):
            st = os.stat(directory)
            identity = (st.st_dev, st.st_ino)
        if identity in self.visited_dirs:  # a bind mount of an ancestor, say
            if venv_check and os.path.isfile(os.path.join(directory, "pyvenv.cfg")):
                return None
            return [Diagnostic(path=display_path(rel_dir) or ".", code="loop",
                               message="not walked: this directory was reached already")], None
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=_by_name)
        except OSError as exc:
            if venv_check and os.path.isfile(os.path.join(directory, "pyvenv.cfg")):
                return None
            if identity is not None:
                self.visited_dirs.add(identity)
            return [Diagnostic(path=display_path(rel_dir) or ".", code="unreadable",
                               message=f"directory not readable: {_reason(exc)}")], None
        names = list(map(_by_name, entries))
        if venv_check and "pyvenv.cfg" in names and _is_file(entries[names.index("pyvenv.cfg")]):
            return None
        if identity is not None:
            self.visited_dirs.add(identity)
        found: list[Diagnostic] = []
        levels = list(levels)
        # A .gitignore that is a symbolic link is not read (as git 2.32+): it could point
        # anywhere, and the walk reports the link itself.
        if (self.options.use_gitignore and ".gitignore" in names
                and not entries[names.index(".gitignore")].is_symlink()):
            spec, problems = load_gitignore(Path(directory) / ".gitignore",
                                            display_path(_join(rel_dir, ".gitignore")))
            found.extend(problems)
            if spec is not None:
                levels.append(_IgnoreLevel(rel_dir, spec))
        filtered = bool(levels) or bool(self.excludes.patterns)
        return found, _Frame(rel_dir, levels, iter(entries), filtered)

    def _other(self, entry: os.DirEntry[str], rel: str, levels: list[_IgnoreLevel]
               ) -> Iterator[Found | Diagnostic]:
        """An entry that is neither a directory nor a regular file: a symbolic link, a pipe,
        a socket, a device."""
        try:
            is_link = entry.is_symlink()
        except OSError as exc:
            yield Diagnostic(path=display_path(rel), code="unreadable", message=_reason(exc))
            return
        if is_link:
            yield from self._symlink(Path(entry.path), rel, levels)
            return
        if self._ignored(rel, False, levels):
            return
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield Diagnostic(path=display_path(rel), code="unreadable", message=_reason(exc))
            return
        yield from _odd_name(entry.name, rel)
        yield stat_found(entry.path, display_path(rel), file_type(rel), st)

    def _symlink(
        self, path: Path, rel: str, levels: list[_IgnoreLevel]
    ) -> Iterator[Found | Diagnostic]:
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
            yield stat_found(str(target), shown, file_type(rel), st)

    def _dir_excluded(self, name: str, rel: str, levels: list[_IgnoreLevel]) -> bool:
        """Excluded by name or an ignore pattern (a virtual environment: see ``_open``)."""
        if self.options.default_excludes and name in DEFAULT_EXCLUDED_DIRS:
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


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a regular file or a link to one (as ``Path.is_file``)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _odd_name(name: str, rel: str) -> list[Diagnostic]:
    if name.isprintable() or not _ODD_CHARS.search(name):
        return []
    return [Diagnostic(
        path=display_path(rel), code="odd-path",
        message=("the name has bytes that are not UTF-8, control or bidirectional characters; "
                 "reports show them as \ufffd"))]


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name


def discover_found(
    roots: Sequence[Path], options: DiscoverOptions = DiscoverOptions()
) -> Iterator[tuple[Path, Found | Diagnostic]]:
    """(root, found-or-diagnostic) for every root in order, files in sorted order. A
    ``Found`` is not ``stat``ed yet (``source_file`` does it, and may skip it then). The
    pairs are made in C (``zip``, ``chain``): no Python frame between the walk and the
    caller."""
    return chain.from_iterable(_per_root(roots, options))


def _per_root(roots: Sequence[Path], options: DiscoverOptions
              ) -> Iterator[Iterator[tuple[Path, Found | Diagnostic]]]:
    excludes = check_excludes(options.excludes)
    for root in roots:
        walker = _Walker(root=Path(os.path.abspath(root)), options=options, excludes=excludes)
        yield zip(repeat(walker.root), walker.run())


def discover(
    roots: Sequence[Path], options: DiscoverOptions = DiscoverOptions()
) -> Iterator[tuple[Path, SourceFile | Diagnostic]]:
    """Yield (root, file-or-diagnostic) for every root in order, files in sorted order."""
    for root, item in discover_found(roots, options):
        if isinstance(item, Found):
            yield root, source_file(root, item, options.max_file_size)
        else:
            yield root, item
