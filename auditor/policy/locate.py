"""Where a finding's file is on disk, and its path relative to some anchor directory.

Findings name files relative to their scan root (as the user wrote it). Baselines, waivers and
git diffs each need the path relative to a different directory (the baseline file's, the config
file's, the repository's). These helpers are pure string arithmetic over absolute paths the CLI
resolved once.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from auditor.types import Finding


@dataclass(frozen=True, slots=True)
class RootLocation:
    """A scan root: its absolute real path and whether it is a single file."""

    path: str
    is_file: bool = False

    def file_path(self, rel: str) -> str:
        """Absolute path of a file the scan reported as ``rel`` under this root."""
        if self.is_file:
            return self.path
        return os.path.join(self.path, *rel.split("/"))


RootMap = Mapping[str, RootLocation]
"""Root label (as in ``Finding.root``) to where it is."""


def finding_file(roots: RootMap, finding: Finding) -> str | None:
    """Absolute path of the file a finding is in; None when its root is unknown."""
    location = roots.get(finding.root)
    if location is None:
        return None
    return location.file_path(finding.path)


def relative_to(path: str, anchor: str) -> str | None:
    """``path`` relative to directory ``anchor`` in POSIX form; None when it is outside it."""
    try:
        rel = os.path.relpath(path, anchor)
    except ValueError:  # different drives on Windows
        return None
    rel = rel.replace(os.sep, "/")
    if rel == ".." or rel.startswith("../"):
        return None
    return posixpath.normpath(rel)


def anchored_path(roots: RootMap, finding: Finding, anchor: str) -> str:
    """The finding's path relative to ``anchor`` if it lies inside it, else its absolute path
    (so two files never collide); falls back to the finding's own path for unknown roots."""
    absolute = finding_file(roots, finding)
    if absolute is None:
        return finding.path
    rel = relative_to(absolute, anchor)
    return rel if rel is not None else absolute.replace(os.sep, "/")
