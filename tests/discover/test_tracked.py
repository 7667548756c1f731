"""git's rule: .gitignore applies only to untracked files. In a git work tree the walk scans
what git tracks even where an ignore pattern matches; outside git every pattern applies."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.discover.tracked import tracked_files
from auditor.discover.walk import discover
from auditor.types import SourceFile

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _tree(root: Path) -> None:
    (root / "data").mkdir(parents=True)
    (root / "data" / "tracked.py").write_text("A = 1\n", encoding="utf-8")
    (root / "data" / "untracked.py").write_text("B = 1\n", encoding="utf-8")
    (root / "notes.log").write_text("x\n", encoding="utf-8")
    (root / ".gitignore").write_text("data/\n*.log\n", encoding="utf-8")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
                   cwd=root, check=True, capture_output=True)


def _scanned(root: Path) -> list[str]:
    return [item.rel for _, item in discover([root]) if isinstance(item, SourceFile)]


def test_tracked_files_matched_by_gitignore_are_scanned(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _tree(root)
    _git(root, "init", "-q")
    _git(root, "add", "-f", ".gitignore", "data/tracked.py")
    _git(root, "commit", "-qm", "init")
    assert _scanned(root) == [".gitignore", "data/tracked.py"]
    tracked = tracked_files(root)
    assert tracked is not None
    assert tracked.files == frozenset({".gitignore", "data/tracked.py"})
    assert tracked.dirs == frozenset({"data"})


def test_outside_git_every_pattern_applies(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    _tree(root)
    assert tracked_files(root) is None
    assert _scanned(root) == [".gitignore"]


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_index_versions_read_without_running_git(tmp_path: Path, version: str) -> None:
    root = tmp_path / "repo"
    _tree(root)
    (root / "data" / "deeper").mkdir()
    (root / "data" / "deeper" / "same-prefix.py").write_text("C = 1\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-f", ".gitignore", "data/tracked.py", "data/deeper/same-prefix.py")
    _git(root, "update-index", "--index-version", version)
    tracked = tracked_files(root / "data")
    assert tracked is not None
    assert tracked.files == frozenset({"tracked.py", "deeper/same-prefix.py"})


def test_not_an_index_is_ignored() -> None:
    from auditor.discover.tracked import index_paths
    assert index_paths(b"DIRC\x00\x00\x00\x07\x00\x00\x00\x01") is None
    assert index_paths(b"not an index") is None
