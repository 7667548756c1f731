"""However ``scan -j 2`` ends (SIGTERM, SIGINT, SIGHUP, its parent killed), every process it
started ends and is reaped, the exit code is 128 + the signal, and no partial report replaces
an existing one (``docs/robustness.md``, "Signals")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.cli.exit_codes import ExitCode
from auditor.cli.signals import Terminated, orderly_stop
from tests.procs import process_stats

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; Linux signals"),
]

_BODY = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(2500))


@pytest.fixture(scope="module")
def slow_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 modules of ~90 KB that all need a parse: seconds of work for two workers, so the
    scan is still running when the workers have been seen."""
    root = tmp_path_factory.mktemp("slow-tree")
    for n in range(200):
        (root / f"m{n}.py").write_text(
            'from transformers import AutoModel\n'
            f'm{n} = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")\n' + _BODY)
    return root


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, start time) of every process, zombies included."""
    return {pid: (int(f[1]), f[0], f[19]) for pid, f in process_stats().items()}


def _descendants(pid: int) -> dict[int, str]:
    """pid -> start time of every process whose parent chain leads to ``pid``."""
    table = _processes()
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _, started) in table.items():
            if ppid == parent and child not in found:
                found[child] = started
                todo.append(child)
    return found


def _left(processes: dict[int, str]) -> dict[int, str]:
    """Those of ``processes`` still there (running, or a zombie nobody reaped): pid -> state.
    A pid reused by a new process (another start time) is not the same process."""
    table = _processes()
    return {pid: table[pid][1] for pid, started in processes.items()
            if pid in table and table[pid][2] == started}


def _start_scan(tree: Path, output: Path) -> tuple[subprocess.Popen[bytes], dict[int, str]]:
    """``scan -j 2 -o output`` in its own session, once its two pool workers and their two
    parse workers are running: the process and its descendants."""
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", str(tree), "-j", "2", "--no-cache",
         "--format", "json", "-o", str(output)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    descendants: dict[int, str] = {}
    while process.poll() is None:
        descendants = _descendants(process.pid)
        table = _processes()
        workers = {pid for pid in descendants if table.get(pid, (0,))[0] == process.pid}
        parse_workers = [pid for pid in descendants if table.get(pid, (0,))[0] in workers]
        if len(workers) >= 2 and len(parse_workers) >= 2:
            break
        time.sleep(0.02)
    return process, descendants


@pytest.mark.slow
@pytest.mark.parametrize(("number", "to_group", "code", "message"), [
    (signal.SIGTERM, False, 143, "llama-audit: terminated by SIGTERM"),
    (signal.SIGHUP, False, 129, "llama-audit: terminated by SIGHUP"),
    (signal.SIGINT, False, 130, "llama-audit: interrupted"),
    (signal.SIGINT, True, 130, "llama-audit: interrupted"),  # a terminal's Ctrl-C
    (signal.SIGTERM, True, 143, "llama-audit: terminated by SIGTERM"),
], ids=["term", "hup", "int", "int-group", "term-group"])
def test_a_stopped_scan_reaps_every_process_and_keeps_the_previous_report(
        slow_tree: Path, tmp_path: Path, number: int, to_group: bool, code: int,
        message: str) -> None:
    output = tmp_path / "out" / "report.json"
    output.parent.mkdir()
    output.write_text("the previous report\n")
    process, descendants = _start_scan(slow_tree, output)
    assert process.poll() is None, "the scan ended before it could be stopped"
    assert len(descendants) >= 4  # two pool workers, each with its parse worker
    if to_group:
        os.killpg(process.pid, number)
    else:
        process.send_signal(number)
    out, err = process.communicate(timeout=300)
    assert process.returncode == code
    assert err.decode().splitlines()[-1] == message
    assert out == b""
    assert _left(descendants) == {}
    assert output.read_text() == "the previous report\n"
    assert os.listdir(output.parent) == ["report.json"]  # no temporary file left either


@pytest.mark.slow
def test_pool_workers_end_when_the_scan_is_killed_outright(
        slow_tree: Path, tmp_path: Path) -> None:
    """SIGKILL cannot be handled: the kernel sends each pool worker SIGTERM (its death
    signal), and it reaps its parse worker and exits. What is left is at most the pool
    workers' exit statuses, for PID 1 to collect (some container inits never do)."""
    process, descendants = _start_scan(slow_tree, tmp_path / "report.json")
    assert process.poll() is None, "the scan ended before it could be stopped"
    workers = {pid for pid, (ppid, _, _) in _processes().items() if ppid == process.pid}
    assert len(workers) == 2
    process.kill()
    process.communicate(timeout=60)
    deadline = time.monotonic() + 120
    while any(state != "Z" for state in _left(descendants).values()):
        assert time.monotonic() < deadline, _left(descendants)
        time.sleep(0.05)
    assert set(_left(descendants)) <= workers  # every parse worker reaped by its pool worker
    assert not (tmp_path / "report.json").exists()


def test_the_first_stop_signal_raises_later_ones_are_ignored_and_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated) as raised, orderly_stop() as state:
        os.kill(os.getpid(), signal.SIGTERM)
    assert (raised.value.number, raised.value.name) == (signal.SIGTERM, "SIGTERM")
    assert state.ending
    assert signal.getsignal(signal.SIGTERM) == before
    with orderly_stop() as state:
        state.ending = True  # the run is ending: a signal now must not interrupt the cleanup
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), orderly_stop():
        os.kill(os.getpid(), signal.SIGINT)


def test_a_signal_ignored_at_start_stays_ignored() -> None:
    """``nohup llama-audit scan``: SIGHUP was ignored before the run and is not caught."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with orderly_stop():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_the_exit_codes_are_128_plus_the_signal() -> None:
    assert ExitCode.HANGUP == 128 + signal.SIGHUP
    assert ExitCode.INTERRUPTED == 128 + signal.SIGINT
    assert ExitCode.TERMINATED == 128 + signal.SIGTERM
