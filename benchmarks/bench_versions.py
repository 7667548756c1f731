"""Two builds of llama-audit on one tree, in one paired run: is the new one slower?

    python benchmarks/bench_versions.py --before /path/to/old/.venv/bin/python \
        --after .venv/bin/python /path/to/tree [--runs 5] [--jobs 1]

Each round runs the two builds back to back, in alternating order, as cold scans
(``--no-cache --no-config``, JSON to a temporary file), so both see the same machine load.
It prints the median wall and CPU time of each build, the after/before ratios (CPU is the
steadier figure on a busy machine), and whether the two JSON reports agree once the run time
and the rules digest are set aside. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def scan_once(python: str, tree: Path, jobs: int, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process and every descendant it waited
    for) of one cold scan of ``tree`` by the build behind ``python``."""
    command = [python, "-m", "auditor", "scan", str(tree), "--no-cache", "--no-config",
               "--jobs", str(jobs), "--format", "json", "-o", str(out), "--exit-zero", "-q"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=tree.parent)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{python}: scan exited {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def comparable(report: Path) -> object:
    """The report without what differs between any two runs or builds."""
    data = json.loads(report.read_text(encoding="utf-8"))
    data.get("stats", {}).pop("duration_seconds", None)
    data.get("tool", {}).pop("rules_version", None)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--before", required=True, help="python of the old build")
    parser.add_argument("--after", default=sys.executable, help="python of the new build")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    tree = args.tree.resolve()
    times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as scratch:
        reports = {name: Path(scratch) / f"{name}.json" for name in times}
        pythons = {"before": args.before, "after": args.after}
        for round_number in range(args.runs):
            order = ["before", "after"] if round_number % 2 == 0 else ["after", "before"]
            for name in order:
                times[name].append(scan_once(pythons[name], tree, args.jobs, reports[name]))
        same = comparable(reports["before"]) == comparable(reports["after"])
    print(f"tree: {tree} ({args.runs} paired runs, --jobs {args.jobs})")
    medians = {}
    for name in ("before", "after"):
        wall = statistics.median(t[0] for t in times[name])
        cpu = statistics.median(t[1] for t in times[name])
        medians[name] = (wall, cpu)
        print(f"{name:>6}: median wall {wall:.2f} s, CPU {cpu:.2f} s  (CPU per run: "
              f"{', '.join(f'{t[1]:.2f}' for t in times[name])})")
    (wall_before, cpu_before), (wall_after, cpu_after) = medians["before"], medians["after"]
    print(f"after/before: wall {wall_after / wall_before:.3f}, CPU {cpu_after / cpu_before:.3f}")
    print(f"reports identical (run time and rules digest aside): {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
