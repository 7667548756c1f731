"""discover: ignores, default excludes, kinds, size cap, binary files and symlinks."""

from __future__ import annotations

import os
from pathlib import Path

from auditor.discover.walk import DiscoverOptions, classify, discover
from auditor.scan.runner import scan_paths
from auditor.types import Diagnostic, FileKind


def _walk(
    root: Path, options: DiscoverOptions | None = None
) -> tuple[list[str], list[Diagnostic]]:
    options = options or DiscoverOptions()
    files, diags = [], []
    for _, item in discover([root], options):
        if isinstance(item, Diagnostic):
            diags.append(item)
        else:
            files.append(item.rel)
    return files, diags


def _touch(root: Path, rel: str, text: str = "x = 1\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_gitignore_nested_and_negation(tmp_path: Path) -> None:
    _touch(tmp_path, ".gitignore", "*.log\nsecret/\n")
    _touch(tmp_path, "a.py")
    _touch(tmp_path, "debug.log")
    _touch(tmp_path, "secret/keys.py")
    _touch(tmp_path, "pkg/.gitignore", "generated_*.py\n!generated_keep.py\n")
    _touch(tmp_path, "pkg/generated_x.py")
    _touch(tmp_path, "pkg/generated_keep.py")
    _touch(tmp_path, "other/generated_x.py")
    files, _ = _walk(tmp_path)
    assert files == [".gitignore", "a.py", "other/generated_x.py", "pkg/.gitignore",
                     "pkg/generated_keep.py"]


def test_default_excludes_but_tests_examples_docs_are_scanned(tmp_path: Path) -> None:
    for rel in ["node_modules/x.py", ".git/config.py", "build/x.py", "dist/x.py", ".tox/x.py",
                "__pycache__/x.py", "lib/site-packages/x.py", "myenv/lib/x.py",
                "tests/test_x.py", "examples/demo.py", "docs/conf.py"]:
        _touch(tmp_path, rel)
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    files, _ = _walk(tmp_path)
    assert files == ["docs/conf.py", "examples/demo.py", "tests/test_x.py"]


def test_exclude_globs(tmp_path: Path) -> None:
    _touch(tmp_path, "a.py")
    _touch(tmp_path, "vendor/b.py")
    _touch(tmp_path, "pkg/c_test.py")
    files, _ = _walk(tmp_path, DiscoverOptions(excludes=("vendor/", "*_test.py")))
    assert files == ["a.py"]


def test_size_cap_is_a_diagnostic(tmp_path: Path) -> None:
    _touch(tmp_path, "big.py", "MODEL = 'llama3'\n" * 1000)
    _touch(tmp_path, "small.py", "MODEL = 'llama3'\n")
    files, diags = _walk(tmp_path, DiscoverOptions(max_file_size=1000))
    assert files == ["small.py"]
    assert [(d.path, d.code) for d in diags] == [("big.py", "too-large")]
    assert "--max-file-size" in diags[0].message


def test_binary_file_named_py_is_skipped_with_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x00\x01llama3\x00" * 10)
    (tmp_path / "ok.py").write_text('M = "llama3.1:8b"\n')
    result = scan_paths([tmp_path])
    assert [(d.path, d.code) for d in result.diagnostics] == [("blob.py", "binary")]
    assert [(f.path, f.rule_id) for f in result.findings] == [("ok.py", "LA101")]


def test_symlinks_loops_and_escapes_are_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _touch(root, "pkg/a.py")
    outside = tmp_path / "outside"
    _touch(outside, "b.py")
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(outside, root / "escape")
    os.symlink(root / "nowhere", root / "broken")
    os.symlink(root / "pkg" / "a.py", root / "alias.py")
    files, diags = _walk(root)
    assert files == ["alias.py", "pkg/a.py"]
    by_path = {d.path: d.message for d in diags}
    assert set(by_path) == {"broken", "escape", "pkg/loop"}
    assert "leaves the scanned root" in by_path["escape"]
    assert "loops" in by_path["pkg/loop"]
    assert all(d.code == "symlink" for d in diags)


def test_classify_kinds() -> None:
    assert classify("app/main.py") is FileKind.PYTHON
    assert classify("setup.py") is FileKind.MANIFEST
    assert classify("requirements-dev.txt") is FileKind.MANIFEST
    assert classify("requirements/base.in") is FileKind.MANIFEST
    assert classify("pyproject.toml") is FileKind.MANIFEST
    assert classify("uv.lock") is FileKind.LOCKFILE
    assert classify("pylock.toml") is FileKind.LOCKFILE
    assert classify("nb/explore.ipynb") is FileKind.NOTEBOOK
    assert classify("deploy/Dockerfile") is FileKind.INFRA
    assert classify(".github/workflows/ci.yml") is FileKind.INFRA
    assert classify("Modelfile") is FileKind.INFRA
    assert classify("config/settings.yaml") is FileKind.CONFIG
    assert classify(".env") is FileKind.CONFIG
    assert classify("adapter/adapter_config.json") is FileKind.ARTEFACT
    assert classify("weights/model.gguf") is FileKind.ARTEFACT
    assert classify("LICENSE") is FileKind.TEXT
    assert classify("docs/guide.md") is FileKind.TEXT
    assert classify("web/app.js") is FileKind.SOURCE
    assert classify("web/app.css") is FileKind.OTHER
