"""requirements*.txt / *.in files (and the files they include with ``-r`` / ``-c``).

Lines are joined across ``\\`` continuations and stripped of comments the way pip does, while
remembering where each character came from, so a finding points at the exact physical line
and column (``requirement_lines``). Each requirement is parsed with requirements-parser (VCS
and URL forms, editable installs, ``#egg=`` fragments) and its constraint, extras and marker
are taken as written (``requirement_spec``).

Includes are followed relative to the including file, only inside the scan root, with cycles
reported. An included file that discover also hands to this scanner (its name makes it a
manifest) reports its own findings; other included files (``base.txt``, ``constraints.txt``)
are reported at the ``-r`` / ``-c`` line that pulls them in, naming the real file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.discover.filetypes import classify
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.common import MAX_NEIGHBOUR_BYTES
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.deps.requirement_lines import Include, logical_lines, parse_line
from auditor.scan.inputs import note_input
from auditor.types import FileKind, SourceFile
from auditor.util.files import read_regular_file

MAX_INCLUDED_FILES = 500
"""Includes read from one file at most; a generated tree larger than this is cut short."""

# -- files and includes -------------------------------------------------------------------------

IsSelfScanned = Callable[[str], bool]


def _manifest_by_name(rel: str) -> bool:
    return classify(rel) is FileKind.MANIFEST


def _nothing_else_scanned(rel: str) -> bool:
    return False


@dataclass
class IncludeFollower:
    """Follows ``-r`` / ``-c`` includes from one scanned file."""

    file: SourceFile
    problems: list[Problem] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    self_scanned: IsSelfScanned = _manifest_by_name
    boundary: Path = field(init=False)
    """Includes are followed inside this directory only: the scan root, or the directory of
    a file given as the root (then no other file is scanned on its own)."""
    expanded: set[tuple[Include, str]] = field(default_factory=set)
    """(top-level include, file) pairs already read: a file reached twice is read once."""

    def __post_init__(self) -> None:
        root = self.file.root.resolve()
        if root.is_dir():
            self.boundary = root
        else:
            self.boundary = root.parent
            self.self_scanned = _nothing_else_scanned

    def follow(self, include: Include, base_dir: Path, context: str = "") -> None:
        """Read what ``include`` (written in the scanned file) pulls in."""
        top_context = context or f"{include.option} {include.target}"
        self._follow(include, base_dir, [(self.file.rel, include.span.line)], include,
                     top_context, constraint=include.option == "-c", covered=False)

    def _follow(self, include: Include, base_dir: Path, chain: list[tuple[str, int]],
                top: Include, context: str, *, constraint: bool, covered: bool) -> None:
        """``covered``: a file on the way is scanned on its own and reports what it includes."""
        where = top.span.line
        if re.match(r"^[a-z][a-z0-9+.-]*://", include.target, re.IGNORECASE):
            self._problem("include-not-followed",
                          f"{include.option} {include.target}: remote files are not fetched", where)
            return
        if "$" in include.target:
            self._problem("include-not-followed",
                          f"{include.option} {include.target}: environment variables in paths "
                          "are not expanded", where)
            return
        root = self.boundary
        target = Path(os.path.normpath(base_dir / include.target))
        try:
            resolved = target.resolve()
        except OSError:
            resolved = target
        if not resolved.is_relative_to(root):
            self._problem("include-outside-root",
                          f"{include.option} {include.target} points outside the scanned "
                          "directory; not followed", where)
            return
        rel = resolved.relative_to(root).as_posix()
        names = [name for name, _ in chain]
        if rel in names:
            cycle = " → ".join([*names[names.index(rel):], rel])
            if rel == self.file.rel or not covered:  # else a file on the way reports it
                self._problem("include-cycle",
                              f"{include.option} {include.target} closes an include cycle "
                              f"({cycle}); not followed again", where)
            return
        if (top, rel) in self.expanded:
            return
        if len(self.expanded) >= MAX_INCLUDED_FILES:
            self._problem("include-not-followed",
                          f"{include.option} {include.target}: more than "
                          f"{MAX_INCLUDED_FILES} included files; not followed", where)
            return
        self.expanded.add((top, rel))
        note_input(resolved)
        if not resolved.is_file():
            self._problem("include-missing",
                          f"{include.option} {include.target}: no such file ({rel})", where)
            return
        try:
            if resolved.stat().st_size > MAX_NEIGHBOUR_BYTES:
                self._problem("include-not-followed",
                              f"{include.option} {include.target}: file too large", where)
                return
            data, _ = read_regular_file(resolved, MAX_NEIGHBOUR_BYTES)  # no pipe, no link
            text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        except OSError as exc:
            self._problem("include-not-followed",
                          f"{include.option} {include.target}: {exc.strerror or exc}", where)
            return
        covered = covered or self.self_scanned(rel)
        for line in logical_lines(text):
            for entry in parse_line(line, rel):
                if entry.include is not None:
                    self._follow(entry.include, resolved.parent, [*chain, (rel, line.line)],
                                 top, context,
                                 constraint=constraint or entry.include.option == "-c",
                                 covered=covered)
                elif covered:
                    continue
                elif entry.problem is not None:
                    self._problem(entry.problem.code,
                                  f"{rel}:{line.line} (included at line {where}): "
                                  f"{entry.problem.message}", where)
                elif entry.requirement is not None:
                    decl = entry.requirement
                    via = [name for name, _ in chain[1:]] + [rel]
                    self.declarations.append(Declaration(
                        name=decl.name, constraint=decl.constraint, span=top.span,
                        context=context, manifest=rel, direct="false" if constraint else "true",
                        extras=decl.extras, marker=decl.marker,
                        declared_at=f"{rel}:{decl.span.line}",
                        include_chain=" → ".join(via) if len(via) > 1 else "",
                        constraint_only=constraint,
                    ))

    def _problem(self, code: str, message: str, line: int) -> None:
        self.problems.append(Problem(code, message, line=line))


def scan_requirements(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Findings for the Llama packages a requirements file (and its includes) asks for."""
    output = ScanOutput()
    declarations: list[Declaration] = []
    follower = IncludeFollower(file)
    for line in logical_lines(text):
        for entry in parse_line(line, file.rel):
            if entry.problem is not None:
                output.problems.append(entry.problem)
            if entry.requirement is not None:
                declarations.append(entry.requirement)
            if entry.include is not None:
                follower.follow(entry.include, file.path.parent)
    declarations.extend(follower.declarations)
    output.problems.extend(follower.problems)
    output.hits.extend(declaration_hits(declarations, package_table(ctx.ruleset)))
    return output
