"""Speed benchmark for `llama-audit scan` (not a test: run it by hand on a quiet machine).

    python benchmarks/bench_scan.py                      # generated 20,000-file monorepo
    python benchmarks/bench_scan.py --scale              # ... at 1x, 2x and 4x sizes
    python benchmarks/bench_scan.py /path/to/checkout    # any tree (e.g. transformers, vllm)
    python benchmarks/bench_scan.py --semgrep-rules benchmarks/semgrep-llama-js.yml TREE
                                                         # a JavaScript/TypeScript tree

For each tree it times, in the same run: llama-audit cold (empty cache) and warm (nothing
changed), and the floors: a pure-Python read + one compiled regex over every file, stdlib
`ast.parse` of the Python files that mention "llama", and `rg`/`semgrep` when installed.
Each figure is the median of --runs runs; peak RSS is the largest seen over the runs,
including worker processes.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_monorepo import generate  # noqa: E402

SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv"}
SEMGREP_RULES = HERE / "semgrep-llama.yml"


def _files(root: Path) -> list[Path]:
    out = []
    for base, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        out.extend(Path(base) / n for n in sorted(names))
    return out


def floor_regex(root: Path) -> tuple[int, int]:
    """Read every file and run one compiled regex: the pure-Python I/O floor."""
    pattern = re.compile(rb"llama", re.IGNORECASE)
    files = lines = 0
    for path in _files(root):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        files += 1
        lines += data.count(b"\n")
        pattern.search(data)
    return files, lines


def floor_ast(root: Path) -> int:
    """stdlib ast.parse of only the Python files that mention llama."""
    parsed = 0
    for path in _files(root):
        if path.suffix != ".py":
            continue
        data = path.read_bytes()
        if b"llama" not in data.lower():
            continue
        try:
            ast.parse(data)
            parsed += 1
        except (SyntaxError, ValueError):
            pass
    return parsed


def _timed(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _run_command(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB, process tree) of one command, via GNU time when present."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists()
                                        else None)
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        command = [gnu_time, "-f", "%M", "-o", rss.name, *args] if gnu_time else args
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        elapsed = time.perf_counter() - start
        text = Path(rss.name).read_text().strip()
    return elapsed, int(text.splitlines()[-1]) if text else 0


def bench_audit(root: Path, jobs: int, runs: int) -> dict[str, float]:
    scan = [sys.executable, "-m", "auditor", "scan", str(root), "--format", "json",
            "--exit-zero", "-q", "--jobs", str(jobs)]
    cold, warm, peak = [], [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "LLAMA_AUDIT_CACHE_DIR": cache}
            seconds, rss = _run_command(scan, env)
            cold.append(seconds)
            peak = max(peak, rss)
            for _ in range(1):
                seconds, rss = _run_command(scan, env)
                warm.append(seconds)
                peak = max(peak, rss)
    return {"cold": statistics.median(cold), "warm": statistics.median(warm),
            "peak_rss_mb": peak / 1024}


def bench_tree(root: Path, jobs: int, runs: int, semgrep_rules: Path = SEMGREP_RULES) -> None:
    files, lines = floor_regex(root)
    regex = _timed(lambda: floor_regex(root), runs)
    ast_floor = _timed(lambda: floor_ast(root), runs)
    audit = bench_audit(root, jobs, runs)
    print(f"\n## {root}  ({files:,} files, {lines:,} lines)")
    rows = [
        ("pure-Python read + regex (floor)", regex),
        ("ast.parse of llama files (floor)", ast_floor),
    ]
    if shutil.which("rg"):
        rows.append(("rg -i -c llama", _timed(lambda: subprocess.run(
            ["rg", "-i", "-c", "llama", str(root)], stdout=subprocess.DEVNULL, check=False), runs)))
    if shutil.which("semgrep"):
        rows.append((f"semgrep -j {jobs}", _timed(lambda: subprocess.run(
            ["semgrep", "--config", str(semgrep_rules), "-j", str(jobs), "--metrics=off",
             "--disable-version-check", "-q", str(root)],
            env={**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"},
            stdout=subprocess.DEVNULL, check=False), 1)))
    rows.append((f"llama-audit cold (--jobs {jobs})", audit["cold"]))
    rows.append((f"llama-audit warm (--jobs {jobs})", audit["warm"]))
    print("| pass | seconds | files/s | lines/s |")
    print("|---|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {files / seconds:,.0f} | {lines / seconds:,.0f} |")
    print(f"\npeak RSS of llama-audit: {audit['peak_rss_mb']:.0f} MB")
    print(f"cold / ast floor: {audit['cold'] / ast_floor:.2f}x;  "
          f"warm / regex floor: {audit['warm'] / regex:.2f}x")
    semgrep = dict(rows).get(f"semgrep -j {jobs}")
    if semgrep:
        print(f"semgrep / llama-audit cold: {semgrep / audit['cold']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="trees to scan (default: generated)")
    parser.add_argument("--files", type=int, default=20_000, help="generated monorepo size")
    parser.add_argument("--scale", action="store_true", help="generated at 1x, 2x and 4x/4")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--semgrep-rules", type=Path, default=SEMGREP_RULES,
                        help="Semgrep rules for the comparison (semgrep-llama-js.yml for a "
                             "JavaScript/TypeScript tree)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")
    if args.paths:
        for path in args.paths:
            bench_tree(path, args.jobs, args.runs, args.semgrep_rules)
        return
    sizes = [args.files // 4, args.files // 2, args.files] if args.scale else [args.files]
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / f"monorepo-{size}"
            generate(root, size, 100, 0.01)
            # A file changed less than 2 s before a scan is not trusted by the warm-scan index
            # (see auditor/stat_index.py); a real checkout is older than that.
            time.sleep(2.5)
            bench_tree(root, args.jobs, args.runs)


if __name__ == "__main__":
    main()
