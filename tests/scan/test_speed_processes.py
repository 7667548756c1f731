"""No process of a scan outlives it: pool workers reap their parse workers before they exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.scan.runner import POOL_THRESHOLD

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _group_members(group: int) -> list[tuple[int, str]]:
    """(pid, state) of every process whose process group is ``group``, zombies included."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == group:
            found.append((int(entry), fields[0]))
    return found


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
