"""Speed benchmark for `llama-audit scan` (not a test: run it by hand).

    python benchmarks/bench_scan.py corpus TREE... [--semgrep PATH] [--semgrep-rules FILE]
    python benchmarks/bench_scan.py jobs [--files 20000]              # -j 2 against -j 1; discovery
    python benchmarks/bench_scan.py scale [--lines 400]               # 2M, 4M, 8M-line monorepos
    python benchmarks/bench_scan.py discovery [--files 20000] [--rounds 9]   # against os.walk

Every command is measured over its whole process tree (``proctree``: wall time, CPU summed over
every process of its process group, the largest process's peak RSS, and the tree's peak RSS and
PSS sums), so workers and their parse workers are counted. Runs are paired: each round runs
every command once, in the same order, and each ratio is the median over the rounds of that
round's ratio, so a machine shared with other work moves both sides of a ratio together.
The floors run in this process and are timed in CPU seconds: a pure-Python read plus one
compiled regex over every file, and stdlib ``ast.parse`` of the candidate Python files (those
that pass llama-audit's own byte prefilter).
"""

from __future__ import annotations

import argparse
import ast
import compileall
import contextlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_monorepo import generate  # noqa: E402
from proctree import TreeRun, run_tree  # noqa: E402

SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv"}
SEMGREP_RULES = HERE / "semgrep-llama.yml"
CHECKOUT = HERE.parent
""""Now" is the llama-audit of the checkout this script is in, whatever is installed."""


def _now() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(CHECKOUT)}


def _compile(checkout: Path) -> None:
    """Byte-compile a checkout's package once: with ``PYTHONDONTWRITEBYTECODE`` set (or a
    read-only tree) every run would otherwise compile it again (about 0.1 s), which an
    installed package never does."""
    compileall.compile_dir(checkout / "auditor", quiet=1)


def _files(root: Path) -> list[str]:
    out = []
    for base, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        out.extend(os.path.join(base, n) for n in sorted(names))
    return out


def _cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def floor_regex(root: Path) -> tuple[int, int]:
    """Read every file and run one compiled regex: the pure-Python I/O floor."""
    pattern = re.compile(rb"llama", re.IGNORECASE)
    files = lines = 0
    for path in _files(root):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        files += 1
        lines += data.count(b"\n")
        pattern.search(data)
    return files, lines


def candidates(root: Path) -> list[bytes]:
    """The Python files llama-audit's byte prefilter passes (what it may parse)."""
    from auditor.ruleset.load import load_ruleset
    from auditor.scan.prefilter import file_may_match

    ruleset = load_ruleset(())
    out = []
    for path in _files(root):
        if path.endswith(".py"):
            with open(path, "rb") as handle:
                data = handle.read()
            if file_may_match(data, ruleset):
                out.append(data)
    return out


def floor_ast(sources: list[bytes]) -> None:
    for data in sources:
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(data)


def _scan(root: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "auditor", "scan", str(root), "--format", "json",
            "--exit-zero", "-q", "--jobs", str(jobs)]


def _semgrep(semgrep: str, root: Path, jobs: int, rules: Path = SEMGREP_RULES) -> list[str]:
    return [semgrep, "--config", str(rules), "-j", str(jobs), "--metrics=off",
            "--disable-version-check", "-q", str(root)]


def _med(values: list[float]) -> float:
    return statistics.median(values)


def _row(name: str, runs: list[TreeRun]) -> str:
    return (f"| {name} | {_med([r.seconds for r in runs]):.2f} | "
            f"{_med([r.cpu_seconds for r in runs]):.2f} | "
            f"{_med([r.main_cpu_seconds for r in runs]):.2f} | {max(r.processes for r in runs)} | "
            f"{max(r.largest_rss_mb for r in runs):.0f} | {max(r.sum_rss_mb for r in runs):.0f} | "
            f"{max(r.sum_pss_mb for r in runs):.0f} |")


_HEADER = ("| command | wall s | tree CPU s | main process CPU s | processes | largest RSS MB "
           "| tree RSS MB | tree PSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|")


def bench_corpus(root: Path, jobs: int, rounds: int, semgrep: str | None,
                 before: Path | None, semgrep_rules: Path = SEMGREP_RULES) -> None:
    files, lines = floor_regex(root)
    sources = candidates(root)
    cold: list[TreeRun] = []
    warm: list[TreeRun] = []
    sem: list[TreeRun] = []
    old: list[TreeRun] = []
    regex_cpu: list[float] = []
    ast_cpu: list[float] = []
    for _ in range(rounds):
        regex_cpu.append(_cpu(lambda: floor_regex(root)))
        ast_cpu.append(_cpu(lambda: floor_ast(sources)))
        if semgrep:
            sem.append(run_tree(_semgrep(semgrep, root, jobs, semgrep_rules),
                                {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"}))
        with tempfile.TemporaryDirectory() as cache:
            env = {**_now(), "LLAMA_AUDIT_CACHE_DIR": cache}
            cold.append(run_tree(_scan(root, jobs), env, cwd=str(CHECKOUT)))
            warm.append(run_tree(_scan(root, jobs), env, cwd=str(CHECKOUT)))
        if before is not None:
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "LLAMA_AUDIT_CACHE_DIR": cache, "PYTHONPATH": str(before)}
                old.append(run_tree(_scan(root, jobs), env, cwd=str(before)))
    candidate_lines = sum(s.count(b"\n") for s in sources)
    print(f"\n## {root}  ({files:,} files, {lines:,} lines; {len(sources)} candidate Python "
          f"files, {candidate_lines:,} lines)\n")
    print(f"floors (CPU s, in-process): read + regex {_med(regex_cpu):.2f}; ast.parse of the "
          f"candidates {_med(ast_cpu):.2f}\n")
    print(_HEADER)
    if sem:
        print(_row(f"semgrep -j {jobs}", sem))
    print(_row(f"llama-audit cold -j {jobs}", cold))
    print(_row(f"llama-audit warm -j {jobs}", warm))
    if old:
        print(_row(f"llama-audit cold -j {jobs}, before ({before})", old))
    pairs = [("cold tree CPU / ast floor",
              [c.cpu_seconds / a for c, a in zip(cold, ast_cpu, strict=True)]),
             ("warm tree CPU / regex floor",
              [w.cpu_seconds / r for w, r in zip(warm, regex_cpu, strict=True)])]
    if sem:
        pairs += [("Semgrep / cold, wall",
                   [s.seconds / c.seconds for s, c in zip(sem, cold, strict=True)]),
                  ("Semgrep / cold, tree CPU",
                   [s.cpu_seconds / c.cpu_seconds for s, c in zip(sem, cold, strict=True)])]
    if old:
        pairs += [("before / now, cold wall", [b.seconds / c.seconds
                                               for b, c in zip(old, cold, strict=True)]),
                  ("before / now, cold tree PSS", [b.sum_pss_mb / c.sum_pss_mb
                                                   for b, c in zip(old, cold, strict=True)])]
    print()
    for name, ratios in pairs:
        print(f"- {name}: **{_med(ratios):.2f}x** (rounds: "
              f"{', '.join(f'{r:.2f}' for r in ratios)})")


def _walk_count(root: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(root))


def _discover_count(root: Path) -> int:
    """What the main process does before the workers get the files: the walk, ignores and
    each file's type (``discover_found``; the ``stat`` and ``SourceFile`` come in the
    worker that scans the file)."""
    from auditor.discover.walk import DiscoverOptions, discover_found

    return sum(1 for _ in discover_found([root], DiscoverOptions()))


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(CPU s, wall s) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def bench_discovery(root: Path, rounds: int) -> None:
    """Discovery against a bare ``os.walk`` over the same tree, paired: each round runs both
    (alternating which goes first), the ratio is the median of the rounds' ratios."""
    walk: list[tuple[float, float]] = []
    disc: list[tuple[float, float]] = []
    _walk_count(root), _discover_count(root)  # warm the directory cache and the imports
    for number in range(rounds):
        if number % 2:
            disc.append(_timed(lambda: _discover_count(root)))
            walk.append(_timed(lambda: _walk_count(root)))
        else:
            walk.append(_timed(lambda: _walk_count(root)))
            disc.append(_timed(lambda: _discover_count(root)))
    print(f"\n## discovery: {root}  ({_walk_count(root):,} files), {rounds} paired rounds, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    for index, name in ((0, "CPU"), (1, "wall")):
        ratios = [d[index] / w[index] for d, w in zip(disc, walk, strict=True)]
        print(f"- discovery / bare os.walk, {name}: **{_med(ratios):.2f}x** "
              f"({_med([d[index] for d in disc]):.4f} s against "
              f"{_med([w[index] for w in walk]):.4f} s; rounds: "
              f"{', '.join(f'{r:.2f}' for r in ratios)})")


def bench_jobs(root: Path, rounds: int, before: Path | None = None) -> None:
    one: list[TreeRun] = []
    two: list[TreeRun] = []
    old: list[tuple[TreeRun, TreeRun]] = []
    walk: list[float] = []
    disc: list[float] = []
    loads: list[float] = []
    for _ in range(rounds):
        loads.append(os.getloadavg()[0])
        walk.append(_cpu(lambda: _walk_count(root)))
        disc.append(_cpu(lambda: _discover_count(root)))
        one.append(run_tree([*_scan(root, 1), "--no-cache"], _now(), cwd=str(CHECKOUT)))
        two.append(run_tree([*_scan(root, 2), "--no-cache"], _now(), cwd=str(CHECKOUT)))
        if before is not None:
            env = {**os.environ, "PYTHONPATH": str(before)}
            old.append((run_tree([*_scan(root, 1), "--no-cache"], env, cwd=str(before)),
                        run_tree([*_scan(root, 2), "--no-cache"], env, cwd=str(before))))
    print(f"\n## {root}  ({_walk_count(root):,} files), cold, --no-cache; load average at "
          f"each round's start: {', '.join(f'{x:.1f}' for x in loads)}\n")
    print(_HEADER)
    print(_row("llama-audit -j 1", one))
    print(_row("llama-audit -j 2", two))
    if old:
        print(_row(f"llama-audit -j 1, before ({before})", [a for a, _ in old]))
        print(_row(f"llama-audit -j 2, before ({before})", [b for _, b in old]))
    print()
    if old:
        ratios = [b.main_cpu_seconds / n.main_cpu_seconds
                  for (_, b), n in zip(old, two, strict=True)]
        print(f"- before / now, -j 2 main process CPU: **{_med(ratios):.2f}x** "
              f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
        ratios = [a.seconds / b.seconds for a, b in old]
        print(f"- before: -j 1 / -j 2, wall: **{_med(ratios):.2f}x** "
              f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    ratios = [a.seconds / b.seconds for a, b in zip(one, two, strict=True)]
    print(f"- -j 1 / -j 2, wall: **{_med(ratios):.2f}x** "
          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    ratios = [a.cpu_seconds / b.busiest_cpu_seconds for a, b in zip(one, two, strict=True)]
    print(f"- -j 1 tree CPU / -j 2 busiest process CPU (the speed-up an idle machine allows): "
          f"**{_med(ratios):.2f}x** (rounds: {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"-j 2 main process {_med([b.main_cpu_seconds for b in two]):.2f} s, busiest "
          f"{_med([b.busiest_cpu_seconds for b in two]):.2f} s)")
    ratios = [d / w for d, w in zip(disc, walk, strict=True)]
    print(f"- discovery / bare os.walk, CPU: **{_med(ratios):.1f}x** ({_med(disc):.3f} s against "
          f"{_med(walk):.3f} s; rounds: {', '.join(f'{r:.1f}' for r in ratios)})")


def bench_scale(lines: int, sizes: list[int], jobs: int, rounds: int) -> None:
    print(_HEADER.replace("| command |", "| files / lines |"))
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / f"monorepo-{size}"
            written = generate(root, size, lines, 0.01)
            runs = [run_tree([*_scan(root, jobs), "--no-cache"], _now(), cwd=str(CHECKOUT))
                    for _ in range(rounds)]
            print(_row(f"{size:,} / {written:,}", runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("corpus", "jobs", "scale", "discovery"))
    parser.add_argument("paths", nargs="*", type=Path, help="trees (corpus; jobs: else generated)")
    parser.add_argument("--files", type=int, default=20_000, help="jobs: generated tree size")
    parser.add_argument("--lines", type=int, help="lines per generated file (scale: 400, "
                        "jobs and discovery: 100)")
    parser.add_argument("--sizes", default="5000,10000,20000", help="scale: file counts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--before", type=Path, help="corpus, jobs: also run the llama-audit "
                        "source tree at PATH (e.g. `git archive` of an older commit), paired")
    parser.add_argument("--semgrep", default=shutil.which("semgrep"), help="semgrep executable")
    parser.add_argument("--semgrep-rules", type=Path, default=SEMGREP_RULES,
                        help="corpus: the Semgrep rule file (benchmarks/semgrep-llama-js.yml for "
                        "JavaScript/TypeScript trees)")
    args = parser.parse_args()
    _compile(CHECKOUT)
    if args.before is not None:
        _compile(args.before)
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}, "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.mode == "corpus":
        for path in args.paths:
            bench_corpus(path.resolve(), args.jobs, args.rounds, args.semgrep, args.before,
                         args.semgrep_rules)
    elif args.mode in ("jobs", "discovery"):
        def bench(root: Path) -> None:
            if args.mode == "jobs":
                bench_jobs(root, args.rounds, args.before)
            else:
                bench_discovery(root, args.rounds)

        if args.paths:
            bench(args.paths[0])
            return
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "monorepo"
            generate(root, args.files, args.lines or 100, 0.01)
            bench(root)
    else:
        bench_scale(args.lines or 400, [int(s) for s in args.sizes.split(",")], args.jobs,
                    args.rounds)


if __name__ == "__main__":
    main()
