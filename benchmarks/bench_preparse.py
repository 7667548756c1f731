"""The pre-parse decision (auditor/scan/python/preparse.py): what it clears and what it saves.

    python benchmarks/bench_preparse.py precheck TREE...
        in-process, over the candidate Python files (the byte prefilter passes them): how many
        files and lines are cleared without a parse, the pre-check's CPU (cleared / parsed) and
        the CPU of ``ast.parse`` of all candidates and of the cleared ones.
    python benchmarks/bench_preparse.py pair --before DIR [--rounds 5] TREE...
        whole-tree CPU (every process, ``proctree``) of a cold ``scan -j 1 --no-cache`` with
        this checkout and with DIR (a ``git archive`` of another build), paired, alternating
        which runs first; with the ``ast`` floor of ``bench_scan.py`` in each round.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from benchmarks.bench_scan import _cpu, candidates, floor_ast  # noqa: E402
from benchmarks.proctree import run_tree  # noqa: E402


def precheck(tree: Path) -> None:
    from auditor.ruleset.load import load_ruleset
    from auditor.scan.python.preparse import cannot_find
    from auditor.scan.read import _normalise

    ruleset = load_ruleset(())
    texts = [_normalise(data.decode("utf-8", "replace")) for data in candidates(tree)]
    cpu = {True: 0.0, False: 0.0}
    cleared: list[str] = []
    for text in texts:
        start = time.process_time()
        decided = cannot_find(text, ruleset)
        cpu[decided] += time.process_time() - start
        if decided:
            cleared.append(text)
    warnings.simplefilter("ignore")
    parse_all = _cpu(lambda: [_parse(t) for t in texts])
    parse_cleared = _cpu(lambda: [_parse(t) for t in cleared])
    print(f"{tree}: {len(texts)} candidates ({sum(t.count(chr(10)) for t in texts):,} lines); "
          f"cleared {len(cleared)} ({sum(t.count(chr(10)) for t in cleared):,} lines); "
          f"pre-check CPU {cpu[True] + cpu[False]:.3f} s ({cpu[True]:.3f} s on the cleared); "
          f"ast.parse CPU {parse_all:.3f} s ({parse_cleared:.3f} s of the cleared)")


def _parse(text: str) -> None:
    with contextlib.suppress(SyntaxError, ValueError):
        ast.parse(text)


def pair(tree: Path, before: Path, rounds: int) -> None:
    builds = {"before": before, "now": HERE}
    sources = candidates(tree)
    cpu: dict[str, list[float]] = {"before": [], "now": [], "floor": []}
    for number in range(rounds):
        cpu["floor"].append(_cpu(lambda: floor_ast(sources)))
        for name in ("before", "now") if number % 2 == 0 else ("now", "before"):
            with tempfile.TemporaryDirectory() as tmp:
                env = {**os.environ, "PYTHONPATH": str(builds[name]), "LLAMA_AUDIT_CACHE_DIR": tmp}
                run = run_tree([sys.executable, "-m", "auditor", "scan", str(tree), "--format",
                                "json", "--exit-zero", "-q", "-j", "1", "--no-cache",
                                "--no-config", "-o", f"{tmp}/out.json"], env,
                               cwd=str(builds[name]))
            cpu[name].append(run.cpu_seconds)
    med = {name: statistics.median(values) for name, values in cpu.items()}
    ratio = statistics.median(b / n for b, n in zip(cpu["before"], cpu["now"], strict=True))
    floor_before = statistics.median(b / f for b, f in zip(cpu["before"], cpu["floor"],
                                                           strict=True))
    floor_now = statistics.median(n / f for n, f in zip(cpu["now"], cpu["floor"], strict=True))
    print(f"{tree}: medians of {rounds} rounds: before {med['before']:.2f} s, now "
          f"{med['now']:.2f} s, ast floor {med['floor']:.2f} s; before / now {ratio:.2f}x; "
          f"tree CPU / ast floor {floor_before:.2f}x -> {floor_now:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("precheck", "pair"))
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--before", type=Path, help="pair: the other build's directory")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for tree in args.trees:
        if args.mode == "precheck":
            precheck(tree)
        elif args.before is None:
            parser.error("pair needs --before DIR")
        else:
            pair(tree, args.before, args.rounds)


if __name__ == "__main__":
    main()
