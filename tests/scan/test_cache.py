"""The result cache keeps one directory per tool/rules/code version; directories of other
versions unused for a week are deleted by the next scan, everything else is left alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

from auditor.scan.cache import STALE_AFTER_SECONDS, ResultCache
from auditor.scan.runner import ScanOptions, scan_paths


def _aged(path: Path, seconds: float) -> Path:
    path.mkdir(parents=True)
    (path / "ab").mkdir()
    (path / "ab" / "entry.json").write_text("{}")
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


def test_a_scan_prunes_old_versions_only(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan_root = cache / "scan"
    old = _aged(scan_root / "0.0.9-0123456789ab-0123456789abcdef", STALE_AFTER_SECONDS + 3600)
    recent = _aged(scan_root / "0.1.0-0123456789ab-fedcba9876543210", 3600)
    unrelated = _aged(scan_root / "my-notes", STALE_AFTER_SECONDS * 4)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "app.py").write_text('M = "llama3.1:8b"\n')
    result = scan_paths([tmp_path / "repo"], ScanOptions(cache_dir=cache, jobs=1))
    assert [f.rule_id for f in result.findings] == ["LA101"]
    assert not old.exists()
    assert recent.exists() and unrelated.exists()
    current = [p.name for p in scan_root.iterdir() if p not in (recent, unrelated)]
    assert len(current) == 1 and current[0].startswith("0.1.0-")


def test_the_current_version_is_marked_used(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "0123456789ab")
    cache.directory.mkdir(parents=True)
    os.utime(cache.directory, (0, 0))
    cache.prune_stale_versions(now=1_000_000.0)
    assert cache.directory.stat().st_mtime == 1_000_000.0
