"""Small CLI promises: colour by NO_COLOR/FORCE_COLOR, a quiet failing scan says why."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.cli.report_outputs import color_wanted

MODEL = "meta-llama/Llama-3.1-8B-Instruct"


@pytest.mark.parametrize(("tty", "env", "wanted"), [
    (True, {}, True),
    (False, {}, False),
    (True, {"NO_COLOR": ""}, True),        # no-color.org: an empty NO_COLOR does not count
    (True, {"NO_COLOR": "1"}, False),
    (False, {"FORCE_COLOR": "1"}, True),   # force-color.org: any non-empty value forces
    (False, {"FORCE_COLOR": "0"}, True),
    (False, {"FORCE_COLOR": ""}, False),
    (False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (True, {"FORCE_COLOR": "", "NO_COLOR": ""}, True),
])
def test_color_wanted(tty: bool, env: dict[str, str], wanted: bool) -> None:
    assert color_wanted(tty, env) is wanted


def test_force_color_colours_piped_text(tmp_path: Path, run_cli,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text(f'M = "{MODEL}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli(["scan", ".", "-q"]).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli(["scan", ".", "-q"]).out


def test_quiet_strict_suppressions_failure_says_why(tmp_path: Path, run_cli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deploy.sh").write_text("# llama-audit: ignore[LA101] old server\necho hi\n")
    monkeypatch.chdir(tmp_path)
    done = run_cli(["scan", ".", "--strict-suppressions", "-q"])
    assert done.code == 1
    lines = done.err.splitlines()
    assert lines[-1] == "failing: 1 suppression problem(s) (--strict-suppressions)"
    assert lines[0].startswith("deploy.sh:1: ") and lines[0].endswith("[suppression-unused]")
    assert run_cli(["scan", ".", "-q"]).err == ""


class _ClosedPipe:
    """Standard output whose reader went away (``| head`` once the pipe's buffer is full)."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")


def test_a_closed_pipe_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """As docs/robustness.md says. A report that fits in the pipe's buffer is written before
    the reader goes, so the exit code is the scan's own (1: findings), as for any run."""
    (tmp_path / "a.py").write_text(f'M = "{MODEL}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", ".", "-q"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("llama-audit: error: ")
    assert "Broken pipe" in err or "broken pipe" in err
