"""Discovery on plain strings: ``discover_found`` lists files without a ``stat`` or a
``Path``; ``source_file`` makes the ``SourceFile`` (one ``lstat``) where the file is used.
The two together give exactly what the walk gave when it ``stat``ed every file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auditor.discover.filetypes import file_type, path_type
from auditor.discover.found import Found, source_file
from auditor.discover.walk import DiscoverOptions, discover, discover_found
from auditor.types import Diagnostic, FileKind, SourceFile


def _write(root: Path, rel: str, text: str = "x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _tree(root: Path) -> Path:
    for rel in ("b.py", "a.py", "A.md", "pkg/setup.py", "pkg/z/deep.py", "k8s/deploy.yaml",
                "config.yaml", ".github/workflows/ci.yml", "requirements.txt", "LICENSE",
                "notes/requirements-dev.txt", "ignored.log", "pkg/Dockerfile"):
        _write(root, rel)
    _write(root, ".gitignore", "*.log\n")
    return root


def test_found_records_carry_no_stat_and_discover_adds_it(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    found = [item for _, item in discover_found([root])]
    assert all(isinstance(item, Found) and item.size == -1 for item in found)
    files = [item for _, item in discover([root])]
    assert [f.rel for f in found] == [f.rel for f in files]  # type: ignore[union-attr]
    for item, file in zip(found, files, strict=True):
        assert isinstance(file, SourceFile) and isinstance(item, Found)
        st = os.lstat(item.path)
        assert (file.path, file.size, file.stamp, file.kind) == (
            Path(item.path), st.st_size, (st.st_mtime_ns, st.st_ctime_ns, st.st_ino),
            file_type(item.rel).kind)


def test_order_and_kinds_are_those_of_the_table(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    rels = [(item.rel, item.type.kind) for _, item in discover_found([root])
            if isinstance(item, Found)]
    assert rels == [
        (".github/workflows/ci.yml", file_type(".github/workflows/ci.yml").kind),
        (".gitignore", FileKind.OTHER),
        ("A.md", FileKind.TEXT),
        ("LICENSE", FileKind.TEXT),
        ("a.py", FileKind.PYTHON),
        ("b.py", FileKind.PYTHON),
        ("config.yaml", FileKind.CONFIG),
        ("k8s/deploy.yaml", FileKind.INFRA),
        ("notes/requirements-dev.txt", file_type("notes/requirements-dev.txt").kind),
        ("pkg/Dockerfile", file_type("pkg/Dockerfile").kind),
        ("pkg/setup.py", FileKind.MANIFEST),
        ("pkg/z/deep.py", FileKind.PYTHON),
        ("requirements.txt", FileKind.MANIFEST),
    ]


@pytest.mark.parametrize("rel", [
    "setup.py", "SETUP.PY", "a/setup.py", "x.py", "k8s/x.yaml", "a/K8S/b/c.yml",
    "charts/a/values.yaml", "Chart.yaml", ".github/workflows/a.yml", "a/.github/workflows/b.yaml",
    "LICENSE", "license.md", "MyLicense", "LICENSE.txt", "Dockerfile", "k8s/Dockerfile", ".env",
    ".env.local", "a.", ".bashrc", "x.gguf", "requirements.txt", "requirements-dev.txt",
    "requirements/base.txt", "poetry.lock", "package.json", "package-lock.json", "go.mod",
    "Cargo.toml", "pom.xml", "pylock.dev.toml", "İ.py", "a.PY", "notebook.ipynb", "README",
    ".devcontainer/devcontainer.json", "docker-compose.yml", "Modelfile", "x.tar.gz",
])
def test_path_type_is_file_type(rel: str) -> None:
    directory, _, name = rel.rpartition("/")
    assert path_type(directory, name) == file_type(rel)
    assert path_type(directory, name) == file_type(rel)  # the per-directory memo agrees


def test_a_virtual_environment_is_skipped_without_a_diagnostic(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _write(root, "app.py")
    _write(root, "env\nname/pyvenv.cfg", "home = /usr\n")
    _write(root, "env\nname/lib/mod.py")
    items = [item for _, item in discover_found([root])]
    assert [(i.rel, type(i).__name__) for i in items] == [("app.py", "Found")]
    items = [item for _, item in discover_found([root], DiscoverOptions(default_excludes=False))]
    assert [(i.path if isinstance(i, Diagnostic) else i.rel) for i in items] == [
        "app.py", "env\ufffdname", "env\ufffdname/lib/mod.py", "env\ufffdname/pyvenv.cfg"]


def test_the_size_cap_and_special_files_are_found_when_stated(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    big = _write(root, "big.py", "x = 1\n" * 100)
    _write(root, "model.gguf", "GGUF" * 100)
    found = {item.rel: item for _, item in discover_found([root]) if isinstance(item, Found)}
    assert source_file(root, found["big.py"], 100) == Diagnostic(
        path="big.py", code="too-large",
        message="skipped: 600 bytes is over the 100-byte limit (--max-file-size)")
    assert isinstance(source_file(root, found["model.gguf"], 100), SourceFile)  # header only
    big.unlink()
    os.mkfifo(big)  # replaced after it was listed
    assert source_file(root, found["big.py"], 100) == Diagnostic(
        path="big.py", code="unreadable", message="skipped: a named pipe")
    big.unlink()
    gone = source_file(root, found["big.py"], 100)
    assert isinstance(gone, Diagnostic) and gone.code == "unreadable"


def test_a_pipe_found_by_the_walk_is_reported_as_before(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _write(root, "a.py")
    os.mkfifo(root / "pipe.py")
    items = [item for _, item in discover([root])]
    assert [(i.path, i.code, i.message) for i in items if isinstance(i, Diagnostic)] == [
        ("pipe.py", "unreadable", "skipped: a named pipe")]
    assert stat.S_ISFIFO(os.lstat(root / "pipe.py").st_mode)


def test_a_symlinked_file_is_stated_through_its_checked_target(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    target = _write(root, "real/model.py", 'M = "llama"\n')
    (root / "link.py").symlink_to(target)
    found = {item.rel: item for _, item in discover_found([root]) if isinstance(item, Found)}
    assert found["link.py"].path == str(target.resolve())
    assert found["link.py"].size == target.stat().st_size  # known from the link's check
