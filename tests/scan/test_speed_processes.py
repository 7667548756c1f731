"""No process of a scan outlives it: pool workers reap their parse workers before they exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.scan.runner import POOL_THRESHOLD
from tests.procs import process_stats

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _group_members(group: int) -> list[tuple[int, str]]:
    """(pid, state) of every process whose process group is ``group``, zombies included."""
    return [(pid, f[0]) for pid, f in process_stats().items() if int(f[2]) == group]


def test_scan_with_two_jobs_leaves_no_process(tmp_path: Path) -> None:
    for n in range(POOL_THRESHOLD * 2):
        (tmp_path / f"m{n}.py").write_text(
            f'from transformers import AutoModel\nm{n} = AutoModel.from_pretrained('
            f'"meta-llama/Llama-3.1-8B")\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", str(tmp_path), "--jobs", "2", "--no-cache",
         "--format", "json", "--exit-zero"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert out.count(b'"rule_id"') >= POOL_THRESHOLD * 2
    assert _group_members(process.pid) == []


def _sleep(text: str, context: object) -> int:
    import time

    time.sleep(float(text))
    return 0


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat[stat.rindex(")") + 2:].split()[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_busy_parse_worker_dies_with_its_killed_parent() -> None:
    import signal
    import time

    from auditor import isolate
    from auditor.isolate import worker

    report_r, report_w = os.pipe()
    parent = os.fork()
    if parent == 0:  # pragma: no cover - the child stands in for a pool worker
        os.close(report_r)
        isolate.run_isolated(_sleep, "0")  # starts this process's parse worker
        busy = worker._WORKER
        os.write(report_w, str(busy.pid if busy else 0).encode())
        isolate.run_isolated(_sleep, "30", timeout=60)  # the parse worker is now mid-analysis
        os._exit(0)
    os.close(report_w)
    parse_worker = int(os.read(report_r, 32) or b"0")
    os.close(report_r)
    assert parse_worker > 0
    time.sleep(0.3)
    assert _state(parse_worker) in ("S", "R")  # busy in _sleep
    os.kill(parent, signal.SIGKILL)
    os.waitpid(parent, 0)
    deadline = time.monotonic() + 5
    while _state(parse_worker) in ("S", "R", "D") and time.monotonic() < deadline:
        time.sleep(0.05)
    # Killed by the kernel: gone, or a zombie of a PID 1 that does not reap.
    assert _state(parse_worker) in ("gone", "Z", "X")
