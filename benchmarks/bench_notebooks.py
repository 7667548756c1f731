"""Notebook scanning cost, in-process (not a test: run it by hand).

    python benchmarks/bench_notebooks.py TREE [--before DIR] [--rounds 3]

For every ``*.ipynb`` under TREE, times (CPU seconds of this process) the position-keeping
JSON parse of the whole document, the parse the notebook reader does (with its ``keep``
schema, where the build has one) and ``scan_notebook`` (main process CPU and wall; the
Python analysis runs in the parse worker, whose CPU the wall time includes). With
``--before DIR`` (a ``git archive`` of another commit) both builds run in alternation, each
in its own subprocess, and the medians over the rounds are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

_MEASURE = r"""
import json, sys, time
from pathlib import Path
from auditor.ruleset.load import load_ruleset
from auditor.scan import notebook
from auditor.scan.context import ScanContext
from auditor.scan.documents.json_positions import parse_json
from auditor.types import FileKind, SourceFile
root = Path(sys.argv[1])
texts = [(p, p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.ipynb"))]
ctx = ScanContext(ruleset=load_ruleset(()), include_docs=True, parse_timeout_seconds=30.0)
keep = getattr(notebook, "NOTEBOOK_KEEP", None)
out = {"files": len(texts), "chars": sum(len(t) for _, t in texts)}
def cpu(run):
    start = time.process_time(); run(); return time.process_time() - start
out["parse_full"] = cpu(lambda: [parse_json(t) for _, t in texts])
out["parse_reader"] = cpu(lambda: [parse_json(t, keep=keep) if keep else parse_json(t)
                                   for _, t in texts])
files = [(SourceFile(root=root, path=p, rel=str(p.relative_to(root)), kind=FileKind.NOTEBOOK,
                     size=len(t), stamp=(0, 0, 0)), t) for p, t in texts]
def scan():
    for file, text in files:
        notebook.scan_notebook(file, text, ctx)
scan()  # the parse worker starts once, outside the timing
wall = time.perf_counter()
out["scan_cpu"] = cpu(scan)
out["scan_wall"] = time.perf_counter() - wall
print(json.dumps(out))
"""


def _measure(build: Path, tree: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(build)}
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(tree)], env=env, cwd=build,
                          check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", type=Path)
    parser.add_argument("--before", type=Path, help="another build (a git archive) to pair with")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    builds = {"now": HERE} | ({"before": args.before} if args.before else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in builds}
    for number in range(args.rounds):
        order = list(builds.items())
        for name, build in order if number % 2 == 0 else order[::-1]:
            runs[name].append(_measure(build.resolve(), args.tree))
    first = runs["now"][0]
    print(f"{args.tree}: {first['files']:.0f} notebooks, {first['chars']:,.0f} characters; "
          f"medians of {args.rounds} rounds ({time.strftime('%H:%M')}, load average "
          f"{os.getloadavg()[0]:.1f})")
    print("| build | full JSON parse CPU s | reader's parse CPU s | scan_notebook CPU s "
          "| scan_notebook wall s |\n|---|---:|---:|---:|---:|")
    for name, results in runs.items():
        cells = [statistics.median(r[key] for r in results)
                 for key in ("parse_full", "parse_reader", "scan_cpu", "scan_wall")]
        print(f"| {name} | " + " | ".join(f"{value:.3f}" for value in cells) + " |")


if __name__ == "__main__":
    main()
