"""Time and memory of `llama-audit scan` on hostile input (not a test: run it by hand).

    python benchmarks/bench_hostile.py              # every scenario below, once each
    python benchmarks/bench_hostile.py --jobs 1     # without the worker pool

Scenarios (each generated into a temporary directory, deleted afterwards):

- corpus: the hostile corpus of the tests (``tests/hostile/corpus.py``: every kind of bad
  input beside good files), default options;
- corpus-big-files: the same with ``--max-file-size 200MB`` (the 100 MB module and the 10 MB
  line are read);
- many-findings: one 4.8 MB module naming Llama on each of its ~208,000 lines (capped at
  1,000 findings);
- json-50mb: one 50 MB single-line JSON document (a 40 MB string and a million numbers) with
  ``--max-file-size 100MB``.

For each it prints the exit code, wall time and the peak resident memory of the whole
process tree (the scan and its workers, summed, sampled every 20 ms from /proc; Linux only),
and the largest single process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.hostile import corpus  # noqa: E402


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(name))
    return tree


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss(pid: int) -> tuple[int, int]:
    """(sum, largest) resident KiB of ``pid`` and its descendants."""
    tree = _children()
    pending, total, largest = [pid], 0, 0
    while pending:
        current = pending.pop()
        rss = _rss_kib(current)
        total += rss
        largest = max(largest, rss)
        pending.extend(tree.get(current, []))
    return total, largest


def measure(args: list[str], env: dict[str, str]) -> tuple[int, float, float, float]:
    """(exit code, seconds, peak tree MiB, peak single-process MiB) of one scan."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak_total = peak_single = 0
    while process.poll() is None:
        total, single = _tree_rss(process.pid)
        peak_total, peak_single = max(peak_total, total), max(peak_single, single)
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode("utf-8", "replace")
    if "Traceback" in errors:
        print(errors, file=sys.stderr)
    return process.returncode, seconds, peak_total / 1024, peak_single / 1024


def _corpus(root: Path) -> None:
    corpus.build_corpus(root)


def _big_files(root: Path) -> None:
    corpus.build_corpus(root)


def _many_findings(root: Path) -> None:
    line = 'm = "llama3.1:8b"  # x\n'
    corpus.write(root / "many.py", line * (4_800_000 // len(line)))


def _json_50mb(root: Path) -> None:
    corpus.write(root / "big.json", json.dumps({
        "model": corpus.LLAMA_ID, "blob": "x" * 40_000_000, "numbers": list(range(1_000_000))}))


SCENARIOS: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("corpus", _corpus, []),
    ("corpus-big-files", _big_files, ["--max-file-size", "200MB"]),
    ("many-findings", _many_findings, []),
    ("json-50mb", _json_50mb, ["--max-file-size", "100MB"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--only", help="run one scenario by name")
    options = parser.parse_args()
    print(f"{'scenario':<18} {'exit':>4} {'seconds':>8} {'tree MiB':>9} {'max proc MiB':>13}")
    for name, build, extra in SCENARIOS:
        if options.only and name != options.only:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
            root = Path(tmp) / "tree"
            build(root)
            env = {**os.environ, "PYTHONPATH": str(PROJECT),
                   "LLAMA_AUDIT_CACHE_DIR": str(Path(tmp) / "cache")}
            args = [sys.executable, "-m", "auditor", "scan", str(root), "--format", "json",
                    "-o", str(Path(tmp) / "report.json"), "-q", "--no-cache",
                    "--jobs", options.jobs, *extra]
            code, seconds, tree_mib, single_mib = measure(args, env)
            print(f"{name:<18} {code:>4} {seconds:>8.1f} {tree_mib:>9.0f} {single_mib:>13.0f}")
            corpus.remove_deep_dirs(root)


if __name__ == "__main__":
    main()
