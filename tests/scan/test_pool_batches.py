"""Files go to the pool workers in batches; the results are those of one process, in order,
and the counts are those of the walk that ``stat``ed every file itself."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from auditor.discover.walk import DiscoverOptions
from auditor.scan.pool import batch_size, batched_map
from auditor.scan.runner import POOL_THRESHOLD, ScanOptions, scan_paths
from auditor.types import AuditResult


def _batch_lengths(items: list[int] | range) -> list[int]:
    return [len(items)] * len(items)


def test_batched_map_keeps_the_order_and_sends_whole_batches() -> None:
    items = range(1000)
    assert list(batched_map(_double, items, 2)) == [2 * n for n in items]
    lengths = list(batched_map(_batch_lengths, items, 2))
    assert batch_size(1000, 2) == 62
    assert lengths == [62] * 992 + [8] * 8  # 16 whole batches and the rest
    assert list(batched_map(_double, [], 2)) == []


def _double(items: list[int] | range) -> list[int]:
    return [2 * n for n in items]


def test_batch_sizes() -> None:
    assert [batch_size(n, 2) for n in (1, 15, 16, 100, 1000, 20000)] == [1, 1, 1, 6, 62, 64]


def _tree(root: Path) -> Path:
    for n in range(POOL_THRESHOLD * 2):
        path = root / f"pkg{n % 3}" / f"m{n:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = f'M{n} = "meta-llama/Llama-3.1-8B"\n' if n % 10 == 0 else f"V{n} = {n}\n"
        path.write_text(body)
    (root / "big.py").write_text('MODEL = "meta-llama/Llama-3.1-8B"\n' * 200)
    (root / "requirements.txt").write_text("llama-stack==0.2.0\n")
    (root / "odd\u202ename.py").write_text('M = "llama3"\n')
    os.mkfifo(root / "pipe.py")
    return root


def _scan(root: Path, jobs: int, cache: Path | None = None, limit: int = 5000) -> AuditResult:
    options = ScanOptions(jobs=jobs, cache_dir=cache,
                          discover=DiscoverOptions(max_file_size=limit))
    result = scan_paths([root], options)
    return replace(result, stats=replace(result.stats, duration_seconds=0.0))


def test_two_jobs_give_the_result_of_one(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    one, two = _scan(root, 1), _scan(root, 2)
    assert one == two
    assert [(d.path, d.code) for d in one.diagnostics] == [
        ("big.py", "too-large"), ("odd\ufffdname.py", "odd-path"), ("pipe.py", "unreadable")]
    stats = one.stats
    # the file over the size limit and the pipe are discovered and skipped, counted once;
    # neither is among the kinds
    assert (stats.files_discovered, stats.files_skipped) == (POOL_THRESHOLD * 2 + 4, 2)
    assert dict(stats.files_by_kind) == {"manifest": 1, "python": POOL_THRESHOLD * 2 + 1}
    assert len([f for f in one.findings if f.rule_id == "LA101"]) >= POOL_THRESHOLD * 2 // 10


def test_a_smaller_size_limit_applies_to_files_the_index_knows(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    cache = tmp_path / "cache"
    first = _scan(root, 2, cache, limit=50_000)
    assert "big.py" in {f.path for f in first.findings}
    again = _scan(root, 2, cache, limit=5000)
    assert again == _scan(root, 1, None, limit=5000)
    assert ("big.py", "too-large") in [(d.path, d.code) for d in again.diagnostics]
    assert "big.py" not in {f.path for f in again.findings}
