"""Time and memory of the JSON string pattern on one long string: the alternation form the
parser used before against the unrolled form it uses now (each in a fresh process, so the
peak RSS is the pattern's own); and the same for the join's import-line pattern
(``scan/crossmodule.py`` ``_imported``) walking one long line to a name.

    python benchmarks/bench_patterns.py [--chars 1300000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

ALTERNATION = r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
UNROLLED = r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'

_PROBE = """
import re, resource, sys, time
pattern = re.compile(sys.argv[1])
text = '"' + "iVBORw0KGgo"[: 11] * (int(sys.argv[2]) // 11) + '"'
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
match = pattern.match(text)
seconds = time.perf_counter() - start
assert match is not None and match.end() == len(text)
print(seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


IMPORT_ALTERNATION = r"\bimport\b(?:\\\r?\n|[^\n])*?\bMODEL_ID\b"
IMPORT_NOW = r"\bimport\b[^\n]*?(?:\\\r?\n[^\n]*?)*?\bMODEL_ID\b"

_IMPORT_PROBE = """
import re, resource, sys, time
pattern = re.compile(sys.argv[1].encode())
text = b"import os; x = '" + b"a" * int(sys.argv[2]) + b"'; from c import MODEL_ID\\n"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
match = pattern.search(text)
seconds = time.perf_counter() - start
assert match is not None
print(seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


def measure(pattern: str, chars: int, probe: str = _PROBE) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", probe, pattern, str(chars)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=1_300_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {"alternation (before)": [],
                                                  "unrolled (now)": []}
    for _ in range(args.rounds):  # paired: both forms once per round
        rows["alternation (before)"].append(measure(ALTERNATION, args.chars))
        rows["unrolled (now)"].append(measure(UNROLLED, args.chars))
    print(f"one {args.chars:,}-character JSON string, median of {args.rounds}\n")
    print("| pattern | ms | extra peak RSS MB |\n|---|---:|---:|")
    for name, runs in rows.items():
        print(f"| {name} | {statistics.median(r[0] for r in runs) * 1000:.1f} | "
              f"{statistics.median(r[1] for r in runs):.0f} |")
    ratios = [a[0] / b[0] for a, b in zip(rows["alternation (before)"], rows["unrolled (now)"],
                                          strict=True)]
    print(f"\ntime ratio before / now: {statistics.median(ratios):.0f}x")
    lines = {"alternation (before)": [measure(IMPORT_ALTERNATION, args.chars, _IMPORT_PROBE)
                                      for _ in range(args.rounds)],
             "single-class repeat (now)": [measure(IMPORT_NOW, args.chars, _IMPORT_PROBE)
                                           for _ in range(args.rounds)]}
    print(f"\nthe join's import-line pattern over one {args.chars:,}-character line\n")
    print("| pattern | ms | extra peak RSS MB |\n|---|---:|---:|")
    for name, runs in lines.items():
        print(f"| {name} | {statistics.median(r[0] for r in runs) * 1000:.1f} | "
              f"{statistics.median(r[1] for r in runs):.0f} |")


if __name__ == "__main__":
    main()
