from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.cli.main import main

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "fixtures"
SCHEMA = PROJECT / "schemas" / "result.schema.json"


@pytest.fixture(autouse=True, scope="session")
def _interruptible() -> None:
    """A shell starts a background job with SIGINT ignored, and the scans these tests start
    inherit that (llama-audit keeps a signal ignored at its start ignored, as ``nohup``
    expects): the Ctrl-C tests would then see no Ctrl-C. The suite runs the same whether it
    was started in the foreground or not."""
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own result cache, never the user's."""
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run the real entry point (``main``) and return exit code, stdout and stderr."""

    def run(args: Sequence[str]) -> CliRun:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


@pytest.fixture
def result_schema() -> dict:
    return json.loads(SCHEMA.read_text())
