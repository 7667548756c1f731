"""The warm-scan index: unchanged files are served without being read, anything else is
scanned again, and the results are the same either way."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

import auditor.scan.index as stat_index
import auditor.scan.runner as engine
from auditor.scan.runner import ScanOptions, scan_paths

HOUR_AGO = time.time() - 3600
SETTLE_NS = 300_000_000


@pytest.fixture(autouse=True)
def _short_settling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's change time cannot be set back, so the tests settle faster than a real scan
    (2 s) and wait that long after writing."""
    monkeypatch.setattr(stat_index, "SETTLE_NS", SETTLE_NS)


def _settled(path: Path) -> None:
    """Give a file a modification time well before the scan (a fresh checkout's files)."""
    os.utime(path, (HOUR_AGO, HOUR_AGO))


def _wait_to_settle() -> None:
    time.sleep(SETTLE_NS / 1e9 + 0.05)


def _tree(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "serve.py").write_text('MODEL = "meta-llama/Llama-3.1-8B-Instruct"\n')
    (root / "pkg" / "other.py").write_text("VALUE = 1  # llama mentioned in a comment\n")
    (root / "config.yaml").write_text("model: meta-llama/Llama-3.2-3B-Instruct\n")
    (root / "requirements.txt").write_text("llama-stack==0.2.0\n")
    for path in root.rglob("*"):
        if path.is_file():
            _settled(path)
    _wait_to_settle()
    return root


@pytest.fixture
def scanned_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the engine actually scans (reads), in order."""
    seen: list[str] = []
    real = engine.scan_file

    def spy(file, ctx, cache=None):  # type: ignore[no-untyped-def]
        seen.append(file.rel)
        return real(file, ctx, cache)

    monkeypatch.setattr(engine, "scan_file", spy)
    return seen


def _scan(root: Path, cache: Path, **options: object) -> dict:
    result = scan_paths([root], ScanOptions(cache_dir=cache, jobs=1, **options))  # type: ignore[arg-type]
    return {"findings": [(f.path, f.rule_id, f.line, f.column, f.identifier)
                         for f in result.findings],
            "diagnostics": [(d.path, d.code) for d in result.diagnostics]}


def test_unchanged_files_are_not_read_again(tmp_path: Path, scanned_files: list[str]) -> None:
    root = _tree(tmp_path / "repo")
    cold = _scan(root, tmp_path / "cache")
    assert sorted(scanned_files) == ["config.yaml", "pkg/other.py", "pkg/serve.py",
                                     "requirements.txt"]
    scanned_files.clear()
    warm = _scan(root, tmp_path / "cache")
    assert warm == cold
    assert ("pkg/serve.py", "LA101", 1, 9, "meta-llama/Llama-3.1-8B-Instruct") in warm["findings"]
    assert scanned_files == []


def test_an_edited_file_is_scanned_again(tmp_path: Path, scanned_files: list[str]) -> None:
    root = _tree(tmp_path / "repo")
    _scan(root, tmp_path / "cache")
    serve = root / "pkg" / "serve.py"
    # same size, same modification time: only the change time (and content) differ
    stat = serve.stat()
    serve.write_text('MODEL = "meta-llama/Llama-3.3-70B-Instruct"\n'[:stat.st_size])
    os.utime(serve, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _wait_to_settle()  # so only the stat comparison can tell
    scanned_files.clear()
    warm = _scan(root, tmp_path / "cache")
    assert "pkg/serve.py" in scanned_files
    assert [f for f in warm["findings"] if f[0] == "pkg/serve.py" and f[1] == "LA101"] == [
        ("pkg/serve.py", "LA101", 1, 9, "meta-llama/Llama-3.3-70B-Instruct")]


def test_a_manifest_is_scanned_again_when_a_file_it_includes_changes(
        tmp_path: Path, scanned_files: list[str]) -> None:
    root = tmp_path / "repo"
    (root / "deps").mkdir(parents=True)
    (root / "requirements.txt").write_text("-r deps/common.in\nrequests==2.32.0\n")
    common = root / "deps" / "common.in"  # not a manifest by name: read only through -r
    common.write_text("numpy==2.1.0\n")
    for path in (root / "requirements.txt", common):
        _settled(path)
    _wait_to_settle()
    assert _scan(root, tmp_path / "cache")["findings"] == []
    scanned_files.clear()
    assert _scan(root, tmp_path / "cache")["findings"] == []
    assert scanned_files == []
    common.write_text("numpy==2.1.0\nllama-stack==0.2.0\n")
    _wait_to_settle()
    warm = _scan(root, tmp_path / "cache")
    assert sorted(scanned_files) == ["deps/common.in", "requirements.txt"]
    assert [f[:3] for f in warm["findings"]] == [("requirements.txt", "LA202", 1)]


def test_a_lockfile_is_scanned_again_when_its_manifest_appears(
        tmp_path: Path, scanned_files: list[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    lock = root / "poetry.lock"
    lock.write_text('[[package]]\nname = "llama-stack"\nversion = "0.2.0"\n'
                    'description = ""\noptional = false\npython-versions = ">=3.10"\n'
                    'files = []\n\n[metadata]\nlock-version = "2.0"\n'
                    'python-versions = "^3.11"\ncontent-hash = "0"\n')
    _settled(lock)
    _wait_to_settle()
    before = _scan(root, tmp_path / "cache")
    (root / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "app"\nversion = "0"\ndescription = ""\nauthors = []\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nllama-stack = "^0.2"\n')
    _wait_to_settle()
    scanned_files.clear()
    after = _scan(root, tmp_path / "cache")
    assert "poetry.lock" in scanned_files
    assert after != before


def test_deleted_and_added_files_are_noticed(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    _scan(root, tmp_path / "cache")
    (root / "pkg" / "serve.py").unlink()
    added = root / "pkg" / "new.py"
    added.write_text('M = "llama3.1:8b"\n')
    _settled(added)
    _wait_to_settle()
    warm = _scan(root, tmp_path / "cache")
    paths = {f[0] for f in warm["findings"]}
    assert "pkg/serve.py" not in paths
    assert ("pkg/new.py", "LA101", 1, 5, "llama3.1:8b") in warm["findings"]


def test_a_file_changed_just_before_the_scan_is_not_trusted(
        tmp_path: Path, scanned_files: list[str]) -> None:
    root = _tree(tmp_path / "repo")
    fresh = root / "pkg" / "serve.py"
    now_ns = time.time_ns()
    os.utime(fresh, ns=(now_ns, now_ns))
    _scan(root, tmp_path / "cache")
    scanned_files.clear()
    _scan(root, tmp_path / "cache")
    assert "pkg/serve.py" in scanned_files  # its timestamp could not yet tell an edit apart
    assert "pkg/other.py" not in scanned_files


def test_options_that_change_results_use_their_own_index(
        tmp_path: Path, scanned_files: list[str]) -> None:
    root = _tree(tmp_path / "repo")
    _scan(root, tmp_path / "cache")
    scanned_files.clear()
    _scan(root, tmp_path / "cache", include_docs=False)
    assert "pkg/serve.py" in scanned_files


def test_a_corrupt_index_is_an_empty_one(tmp_path: Path, scanned_files: list[str]) -> None:
    root = _tree(tmp_path / "repo")
    cold = _scan(root, tmp_path / "cache")
    [index] = (tmp_path / "cache").rglob("index/*.json")
    entries = json.loads(index.read_text())
    assert str(root / "pkg" / "serve.py") in entries
    index.write_text('{"truncated": [1, 2')
    scanned_files.clear()
    assert _scan(root, tmp_path / "cache") == cold
    assert "pkg/serve.py" in scanned_files
    index.write_text(json.dumps({str(root / "pkg" / "serve.py"): ["wrong", "shape"]}))
    assert _scan(root, tmp_path / "cache") == cold


def test_no_cache_writes_no_index(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    scan_paths([root], ScanOptions(cache_dir=None, jobs=1))
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_hostile_tree_reports_are_identical_from_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Every kind of bad file, scanned without a cache, then cold, then served from the index:
    byte-identical reports (the timing field aside)."""
    from tests.hostile import corpus

    monkeypatch.setattr(stat_index, "SETTLE_NS", 0)  # trust every file written before the scan
    root = tmp_path / "corpus"
    try:
        corpus.build_corpus(root)
        base = ["scan", str(root), "--format", "json", "--exit-zero", "-q", "--jobs", "2",
                "--parse-timeout", "1"]
        uncached = run_cli([*base, "--no-cache"])
        cold = run_cli(base)
        [index] = Path(os.environ["LLAMA_AUDIT_CACHE_DIR"]).rglob("index/*.json")
        assert len(json.loads(index.read_text())) > corpus.GOOD_MODULES
        warm = run_cli(base)
    finally:
        corpus.remove_deep_dirs(root)
    masked = [re.sub(r'"duration_seconds": [0-9.e+-]+', "", run.out)
              for run in (uncached, cold, warm)]
    assert masked[0] == masked[1] == masked[2]
    assert "Traceback" not in uncached.err + cold.err + warm.err
