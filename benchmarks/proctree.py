"""Time, CPU and memory of a command's whole process tree (Linux /proc), not just what it waits for.

``resource.getrusage(RUSAGE_CHILDREN)`` and GNU time count only the processes that were
waited for; a grandchild re-parented to PID 1 (a parse worker whose pool worker exited) is
invisible to them. Here the command runs in a new session, so it and every process it starts
share one process group, and /proc is polled for that group every ``interval`` seconds:

- CPU: each process's utime + stime at the last sample (a zombie keeps its final figures), summed;
  at least the waited-for total ``wait4`` reports. Up to one interval per process can be missed.
- peak RSS: each process's VmHWM (the kernel's own high-water mark, exact); the largest one,
  and the largest sum of VmRSS over the processes alive at one sample.
- peak PSS: the largest sum of Pss (shared pages split among the processes that share them) at
  one sample: what the tree really occupies; RSS sums count a forked child's shared pages twice.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class TreeRun:
    seconds: float
    cpu_seconds: float
    main_cpu_seconds: float
    """The command's own process (the rest is its workers)."""
    busiest_cpu_seconds: float
    """The process that used the most CPU: with the others in parallel, a lower bound on the
    wall time on an idle machine with enough cores."""
    processes: int
    largest_rss_mb: float
    sum_rss_mb: float
    sum_pss_mb: float
    returncode: int


def _group(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == pgid:
                pids.append(int(entry))
    return pids


def _sample(pid: int) -> tuple[float, int, int, int] | None:
    """(cpu seconds, VmHWM KiB, VmRSS KiB, Pss KiB) of one process, None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICK
    memory = {k: int(v.split()[0]) for k, _, v in
              (line.partition(":") for line in status.splitlines())
              if k in ("VmHWM", "VmRSS")}
    pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
                break
    except OSError:
        pass
    return cpu, memory.get("VmHWM", 0), memory.get("VmRSS", 0), pss


def run_tree(args: list[str], env: dict[str, str] | None = None, interval: float = 0.02,
             cwd: str | None = None) -> TreeRun:
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    cpu: dict[int, float] = {}
    hwm: dict[int, int] = {}
    sum_rss = sum_pss = 0
    status = None
    while True:
        rss_now = pss_now = 0
        for pid in _group(process.pid):
            sample = _sample(pid)
            if sample is None:
                continue
            cpu[pid] = max(cpu.get(pid, 0.0), sample[0])
            hwm[pid] = max(hwm.get(pid, 0), sample[1])
            rss_now += sample[2]
            pss_now += sample[3]
        sum_rss, sum_pss = max(sum_rss, rss_now), max(sum_pss, pss_now)
        if status is not None:
            break
        waited = os.wait4(process.pid, os.WNOHANG)
        if waited[0]:
            status = waited
            seconds = time.perf_counter() - start
            # one more pass: processes of the group still alive (or unreaped) after the exit
            continue
        time.sleep(interval)
    _, code, usage = status
    process.returncode = os.waitstatus_to_exitcode(code)
    waited_cpu = usage.ru_utime + usage.ru_stime
    return TreeRun(
        seconds=seconds,
        cpu_seconds=max(sum(cpu.values()), waited_cpu),
        main_cpu_seconds=cpu.get(process.pid, 0.0),
        busiest_cpu_seconds=max(cpu.values(), default=waited_cpu),
        processes=len(cpu),
        largest_rss_mb=max(hwm.values(), default=usage.ru_maxrss) / 1024,
        sum_rss_mb=sum_rss / 1024,
        sum_pss_mb=sum_pss / 1024,
        returncode=process.returncode,
    )
