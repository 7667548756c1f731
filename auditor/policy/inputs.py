"""The policy stage's inputs: suppressions (from the comments the scan recorded), file hashes
and the baseline file.

Everything here except ``read_suppressions`` touches the disk; ``apply_policy`` then works on
what it returns.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor.policy.baseline import Baseline, BaselineError, content_hash, parse_baseline
from auditor.policy.locate import RootLocation, RootMap, relative_to
from auditor.scan.suppressions import (
    Suppression,
    SuppressionProblem,
    suppressions_from_comments,
)
from auditor.types import AuditResult, Finding
from auditor.util.files import read_regular_file

MAX_HASHED_BYTES = 1 << 30
"""A file hashed for the baseline is read whole, up to this (scanned files are far smaller)."""


def root_map(labels: Sequence[str], roots: Sequence[Path]) -> dict[str, RootLocation]:
    """Root label (as the result names it) to where it is. ``labels`` are ``result.roots``,
    in the order the roots were given."""
    out = {}
    for label, root in zip(labels, roots, strict=True):
        real = os.path.realpath(root)
        out[label] = RootLocation(path=real, is_file=os.path.isfile(real))
    return out


@dataclass
class SuppressionScan:
    suppressions: list[Suppression] = field(default_factory=list)
    problems: list[SuppressionProblem] = field(default_factory=list)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Absolute file path to (root label, path) for messages."""


def read_suppressions(
    result: AuditResult,
    roots: RootMap,
    resolve: Callable[[str], str | None],
    *,
    every_file: bool = False,
) -> SuppressionScan:
    """Suppressions in the files that have findings; with ``every_file``, in every file the
    scan read, so unused ones anywhere can be reported. They come from the comments the scan
    recorded (``result.comments``): no file is read again."""
    recorded = {(c.root, c.path): c.comments for c in result.comments}
    wanted: dict[tuple[str, str], None] = {}
    for finding in result.findings:
        if finding.root in roots:
            wanted.setdefault((finding.root, finding.path))
    if every_file:
        wanted.update(dict.fromkeys(recorded))
    scan = SuppressionScan()
    seen: set[str] = set()
    for label, rel in wanted:
        location = roots.get(label) or RootLocation(os.path.realpath(label))
        absolute = location.file_path(rel)
        comments = recorded.get((label, rel), ())
        if absolute in seen or not comments:
            continue
        seen.add(absolute)
        found, problems = suppressions_from_comments(comments, absolute, resolve)
        if found or problems:
            scan.labels[absolute] = (label, rel)
        scan.suppressions.extend(found)
        scan.problems.extend(problems)
    return scan


_BASELINE_SIGNATURE = b'"format": "llama-audit-baseline"'


def without_baseline_files(result: AuditResult, roots: RootMap) -> AuditResult:
    """``result`` minus findings inside llama-audit baseline files (recognised by content,
    whatever their name): a baseline names every known Llama identifier by design."""
    verdicts: dict[str, bool] = {}

    def is_baseline(finding: Finding) -> bool:
        location = roots.get(finding.root)
        if location is None or not finding.path.lower().endswith(".json"):
            return False
        path = location.file_path(finding.path)
        if path not in verdicts:
            try:  # the file may have been swapped for a pipe or a link since the scan
                verdicts[path] = _BASELINE_SIGNATURE in read_regular_file(Path(path), 256)[0]
            except OSError:
                verdicts[path] = False
        return verdicts[path]

    kept = tuple(f for f in result.findings if not is_baseline(f))
    return result if len(kept) == len(result.findings) else replace(result, findings=kept)


def load_baseline_file(path: Path) -> Baseline:
    """Read a baseline file; BaselineError (naming the file) when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BaselineError(
            f"baseline file {path} does not exist; create it with "
            f"'llama-audit baseline -o {path}'") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline file {path}: {exc}") from exc
    return parse_baseline(text, str(path))


def _on_disk(anchor: str, rel: str) -> str:
    """Where an anchor-relative path is (``anchored_path`` keeps outside files absolute)."""
    if os.path.isabs(rel):
        return rel
    return os.path.join(anchor, *rel.split("/"))


def hash_file(path: str) -> str | None:
    try:
        return content_hash(read_regular_file(Path(path), MAX_HASHED_BYTES)[0])
    except OSError:
        return None


def hashes_for(paths: Iterable[str], anchor: str) -> dict[str, str]:
    """Content hash of each anchor-relative path that exists."""
    out = {}
    for rel in paths:
        digest = hash_file(_on_disk(anchor, rel))
        if digest is not None:
            out[rel] = digest
    return out


def rename_candidates(
    baseline: Baseline, anchored_paths: Iterable[str], anchor: str
) -> dict[str, str | None]:
    """What ``match_baseline`` needs to recognise renamed files: for every file the baseline
    knows, "" when it still exists and None when it is gone; for every current file it does
    not know, its content hash."""
    out: dict[str, str | None] = {}
    gone = False
    for rel in baseline.files:
        exists = os.path.exists(_on_disk(anchor, rel))
        out[rel] = "" if exists else None
        gone = gone or not exists
    if not gone:
        return out
    for rel in set(anchored_paths) - set(baseline.files):
        out[rel] = hash_file(_on_disk(anchor, rel))
    return out


def inside(path: Path, directory: Path) -> str | None:
    """``path`` relative to ``directory`` in POSIX form, None when outside."""
    return relative_to(os.path.realpath(path), os.path.realpath(directory))
