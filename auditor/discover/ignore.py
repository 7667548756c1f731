"""Ignore patterns: one ``.gitignore`` file's patterns (each bad line costs only itself) and the
``--exclude`` patterns, refused when they could not be matched quickly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pathspec

from auditor.types import Diagnostic
from auditor.util.files import read_regular_file

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


def os_reason(exc: OSError) -> str:
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
                                 message=f".gitignore not applied: {os_reason(exc)}")]
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
