"""Time and memory of live Hub lookups against a hostile fake Hub (issue 16; not a test).

    python benchmarks/hub_hostile.py            # one lookup per behaviour, default settings
    python benchmarks/hub_hostile.py --cli      # also `scan --online` of fixtures/demo

Each behaviour of tests/enrich/hostile_hub.py answers one lookup of google/gemma-4-E4B-it in a
fresh process (so the peak RSS is that lookup's), with the default settings: 10 s per request,
60 s per run, 4 MiB / 16 MiB caps, Retry-After cut-off 10 s. Prints the outcome, the wall
time and the process's peak RSS. With --cli, `llama-audit scan --online` of fixtures/demo
runs against a Hub that drips every answer, with LLAMA_AUDIT_HUB_DEADLINE=5.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEHAVIOURS = ("honest", "injected_id", "wrong_types", "huge_declared", "huge_undeclared", "bomb",
              "hang", "drip_headers", "drip_body", "retry_429_3600", "retry_503_30",
              "echo_token", "unauthorised")

ONE = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from tests.enrich import hostile_hub as hh
from auditor.enrich.hub import HubSettings, LiveHub
name = sys.argv[2]
behaviour = (hh.retry_after(429, 3600) if name == "retry_429_3600" else
             hh.retry_after(503, 30) if name == "retry_503_30" else getattr(hh, name))
hh.gzip_bomb()
with hh.hostile_hub() as server:
    server.default = behaviour
    import os; os.environ["HF_ENDPOINT"] = server.endpoint
    started = time.monotonic()
    answer = LiveHub(HubSettings.from_env()).lookup("google/gemma-4-E4B-it")
    took = time.monotonic() - started
outcome = getattr(answer, "kind", "record") + ": " + getattr(answer, "message", answer.repo_id)
print(json.dumps({"outcome": outcome, "seconds": round(took, 2),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", action="store_true")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "LLAMA_AUDIT_"))}
    print(f"{'behaviour':16} {'seconds':>7} {'peak MiB':>8}  outcome")
    for name in BEHAVIOURS:
        done = subprocess.run([sys.executable, "-c", ONE, str(ROOT), name], env=env,
                              capture_output=True, text=True, timeout=300, check=True)
        row = json.loads(done.stdout)
        print(f"{name:16} {row['seconds']:7.2f} {row['peak_mib']:8}  {row['outcome'][:90]}")
    if args.cli:
        sys.path.insert(0, str(ROOT))
        from tests.enrich import hostile_hub as hh

        with hh.hostile_hub() as server:
            server.default = hh.drip_headers
            started = time.monotonic()
            subprocess.run([str(Path(sys.executable).parent / "llama-audit"), "scan",
                            str(ROOT / "fixtures" / "demo"), "--online", "-q", "--format",
                            "json"], env=env | {"HF_ENDPOINT": server.endpoint,
                                                "LLAMA_AUDIT_HUB_DEADLINE": "5",
                                                "LLAMA_AUDIT_CACHE_DIR": "/tmp/hub-bench"},
                           capture_output=True, timeout=300, check=False)
            took = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        print(f"scan --online, every answer dripped, deadline 5 s: {took:.1f} s, "
              f"peak {peak} MiB")


if __name__ == "__main__":
    main()
