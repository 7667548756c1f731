"""pip's logical lines of a requirements file, with the origin of every character, and what
one logical line says: a requirement, an include, a global option or a problem."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from auditor.scan.context import Problem
from auditor.scan.deps.declarations import Declaration
from auditor.scan.deps.requirement_spec import RequirementError, read_requirement
from auditor.types import Span

_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION_TOKEN = re.compile(r"\s+(-[^\s=]*)")

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
