"""requirements*.txt / *.in files (and the files they include with ``-r`` / ``-c``).

Lines are joined across ``\\`` continuations and stripped of comments the way pip does, while
remembering where each character came from, so a finding points at the exact physical line
and column. Each requirement is parsed with requirements-parser (VCS and URL forms, editable
installs, ``#egg=`` fragments) and its constraint, extras and marker are taken as written.

Includes are followed relative to the including file, only inside the scan root, with cycles
reported. An included file that discover also hands to this scanner (its name makes it a
manifest) reports its own findings; other included files (``base.txt``, ``constraints.txt``)
are reported at the ``-r`` / ``-c`` line that pulls them in, naming the real file and line.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from requirements.requirement import Requirement as ParsedRequirement

from auditor.discover.filetypes import classify
from auditor.scan.context import Problem, ScanContext, ScanOutput, SourceFile
from auditor.scan.deps.common import MAX_NEIGHBOUR_BYTES
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.inputs import note_input
from auditor.scan.text.positions import Span
from auditor.types import FileKind

_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION_TOKEN = re.compile(r"\s+(-[^\s=]*)")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")

MAX_INCLUDED_FILES = 500
"""Includes read from one file at most; a generated tree larger than this is cut short."""

INCLUDE_OPTIONS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
# Options pip accepts on their own line in a requirements file; they name no package.
GLOBAL_OPTIONS = frozenset({
    "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links",
    "--no-binary", "--only-binary", "--prefer-binary", "--require-hashes", "--pre",
    "--trusted-host", "--use-feature",
})
# Options pip accepts after a requirement on the same line.
REQUIREMENT_OPTIONS = frozenset({"--hash", "--config-settings", "--global-option",
                                 "--install-option"})


# -- logical lines --------------------------------------------------------------------------

@dataclass
class LogicalLine:
    """One pip logical line: comment-free text and where each of its characters came from."""

    text: str
    starts: list[int] = field(default_factory=list)
    """Offset in ``text`` where each joined physical segment begins."""
    origins: list[tuple[int, int]] = field(default_factory=list)
    """(line, 1-based column) of each segment's first character."""

    @property
    def line(self) -> int:
        return self.origins[0][0]

    def position(self, offset: int) -> tuple[int, int]:
        index = max(0, bisect.bisect_right(self.starts, offset) - 1)
        line, column = self.origins[index]
        return line, column + offset - self.starts[index]

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, last = self.position(max(start, end - 1))
        return Span(line, column, end_line, last + 1)


def logical_lines(text: str) -> list[LogicalLine]:
    """pip's ``join_lines`` + ``ignore_comments``, keeping positions; blank results dropped."""
    out: list[LogicalLine] = []
    pending: LogicalLine | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        is_comment = raw.lstrip().startswith("#")
        current = pending or LogicalLine("")
        if not raw.endswith("\\") or is_comment:
            _append(current, raw, number)
            out.append(current)
            pending = None
        else:
            _append(current, raw.rstrip("\\"), number)
            pending = current
    if pending is not None:
        out.append(pending)
    result = []
    for line in out:
        stripped = _COMMENT.sub("", line.text)
        lead = len(stripped) - len(stripped.lstrip())
        body = stripped.strip()
        if body:
            result.append(_slice(line, lead, lead + len(body)))
    return result


def _append(line: LogicalLine, part: str, number: int) -> None:
    line.starts.append(len(line.text))
    line.origins.append((number, 1))
    line.text += part


def _slice(line: LogicalLine, start: int, end: int) -> LogicalLine:
    """The part ``[start:end]`` of ``line``, positions kept."""
    sliced = LogicalLine(line.text[start:end])
    bounds = [*line.starts[1:], len(line.text)]
    for seg_start, seg_end, (number, column) in zip(line.starts, bounds, line.origins,
                                                    strict=True):
        if seg_end <= start or seg_start >= end:
            continue
        begin = max(seg_start, start)
        sliced.starts.append(begin - start)
        sliced.origins.append((number, column + begin - seg_start))
    return sliced


# -- one logical line -----------------------------------------------------------------------

@dataclass(frozen=True)
class Include:
    option: str
    """``-r`` or ``-c``."""
    target: str
    span: Span


@dataclass(frozen=True)
class Entry:
    """What one logical line says: a requirement, an include, nothing, or a problem."""

    requirement: Declaration | None = None
    include: Include | None = None
    problem: Problem | None = None


def parse_line(line: LogicalLine, manifest: str, context: str = "") -> list[Entry]:
    """Read one logical line of a requirements file."""
    text = line.text
    if text.startswith("-"):
        option, value, value_start = _split_option(text)
        if option in INCLUDE_OPTIONS:
            if not value:
                return [Entry(problem=Problem("invalid-requirement",
                                              f"{option} needs a file name", line=line.line))]
            span = line.span(0, len(text))
            return [Entry(include=Include(INCLUDE_OPTIONS[option], value, span))]
        if option in EDITABLE_OPTIONS:
            if not value:
                return [Entry(problem=Problem("invalid-requirement",
                                              f"{option} needs a path or URL", line=line.line))]
            return _requirement(line, value_start, manifest, context, editable=True)
        if option in GLOBAL_OPTIONS:
            return []
        return [Entry(problem=Problem(
            "invalid-requirement",
            f"pip would reject this line: unknown option {option!r}", line=line.line))]
    return _requirement(line, 0, manifest, context, editable=False)


def _split_option(text: str) -> tuple[str, str, int]:
    """(option, value, offset of value) for ``-r x``, ``-rx``, ``--requirement=x`` and the like."""
    if text.startswith("--"):
        match = re.match(r"(--[\w-]+)(?:\s*=\s*|\s+)?", text)
        assert match is not None
        option, value_start = match.group(1), match.end()
    else:
        option = text[:2]
        rest = text[2:]
        value_start = 2 + len(rest) - len(rest.lstrip())
        if rest.lstrip().startswith("="):
            value_start = text.index("=", 2) + 1
            value_start += len(text[value_start:]) - len(text[value_start:].lstrip())
    value = text[value_start:].strip()
    return option, value, value_start


def _requirement(line: LogicalLine, start: int, manifest: str, context: str,
                 *, editable: bool) -> list[Entry]:
    text = line.text
    body_end, trailing = _split_requirement_options(text, start)
    entries: list[Entry] = []
    unknown = [opt for opt in trailing if opt not in REQUIREMENT_OPTIONS]
    if unknown:
        entries.append(Entry(problem=Problem(
            "invalid-requirement",
            f"pip would reject this line: unknown option {unknown[0]!r}", line=line.line)))
    body = text[start:body_end]
    try:
        parsed = read_requirement(body, editable=editable)
    except RequirementError as exc:
        entries.append(Entry(problem=Problem(
            "invalid-requirement", f"pip would reject {body!r}: {exc}", line=line.line)))
        return entries
    if parsed is None:
        return entries
    name, constraint, extras, marker = parsed
    entries.append(Entry(requirement=Declaration(
        name=name, constraint=constraint, span=line.span(start, body_end), context=context,
        manifest=manifest, extras=extras, marker=marker,
    )))
    return entries


def _split_requirement_options(text: str, start: int) -> tuple[int, list[str]]:
    """End of the requirement proper and the options after it (pip's break_args_options)."""
    first = _OPTION_TOKEN.search(text, start)
    if first is None:
        return len(text), []
    options = [m.group(1) for m in _OPTION_TOKEN.finditer(text, first.start())]
    return first.start(), options


# -- a requirement's parts --------------------------------------------------------------------

class RequirementError(ValueError):
    """A requirement pip would reject."""


_HEAD = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?P<extras>[^\]]*)\])?\s*")


def read_requirement(body: str, *, editable: bool = False
                     ) -> tuple[str, str, str, str] | None:
    """(name, constraint, extras, marker), all as written; None for a nameless local path.

    Raises RequirementError for text pip would reject.
    """
    is_url = "://" in body or re.match(r"[\w.-]+(\[[^\]]*\])?\s*@", body) is not None
    if not is_url and _looks_like_path(body, editable):
        return _local_path(body)
    url_part, marker = _split_marker(body, is_url)
    try:
        parsed = ParsedRequirement.parse(("-e " if editable else "") + url_part)
    except (ValueError, TypeError, AttributeError, AssertionError, IndexError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RequirementError(message) from exc
    name = parsed.name
    if parsed.specifier and not is_url:
        head = _HEAD.match(url_part)
        assert head is not None  # packaging accepted the line, so it starts with a name
        constraint = url_part[head.end():].strip()
        return head.group("name"), constraint, _extras(head.group("extras")), marker
    if not name:
        name = name_from_url(url_part)
        if not name:
            raise RequirementError(f"cannot tell the package name of {url_part!r}; add #egg=NAME")
    head = _HEAD.match(url_part)
    if head and head.group("name") == name and "@" in url_part[head.end():head.end() + 1]:
        constraint = url_part[head.end():].strip()
        return name, constraint, _extras(head.group("extras")), marker
    extras = ",".join(parsed.extras or [])
    return str(name), url_part.strip(), extras, marker


def _extras(raw: str | None) -> str:
    return ",".join(e.strip() for e in (raw or "").split(",") if e.strip())


def _split_marker(body: str, is_url: bool) -> tuple[str, str]:
    separator = "; " if is_url else ";"
    if separator in body:
        head, _, marker = body.partition(separator)
        return head.rstrip(), marker.strip()
    return body, ""


def _looks_like_path(body: str, editable: bool) -> bool:
    if body.startswith((".", "/", "~")) or "/" in body or "\\" in body:
        return True
    return editable or body.lower().endswith(_ARCHIVE)


def _local_path(body: str) -> tuple[str, str, str, str] | None:
    path, marker = _split_marker(body, True)
    name = name_from_filename(PurePosixPath(path.replace("\\", "/")).name)
    if name is None:
        return None
    return name, path.strip(), "", marker


def name_from_url(url: str) -> str | None:
    """The project a URL most likely installs: ``#egg=`` or the last path segment."""
    egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", url)
    if egg:
        return egg.group(1)
    path = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    segment = path.rsplit("/", 1)[-1]
    if "@" in segment and not segment.startswith("@"):
        segment = segment.split("@", 1)[0]
    return name_from_filename(segment)


def name_from_filename(filename: str) -> str | None:
    """Project name of a wheel, sdist, VCS repository or directory name; None if there is none."""
    lower = filename.lower()
    if lower.endswith(".whl"):
        return filename.split("-", 1)[0] or None
    for suffix in _ARCHIVE:
        if lower.endswith(suffix):
            stem = filename[: -len(suffix)]
            name, sep, version = stem.rpartition("-")
            return (name if sep and version[:1].isdigit() else stem) or None
    if lower.endswith(".git"):
        filename = filename[:-4]
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?", filename):
        return None
    return filename


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
            text = resolved.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
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
