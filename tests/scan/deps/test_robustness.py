"""No input makes a dependency scanner raise: bad files are diagnostics, never tracebacks."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.discover.walk import classify
from auditor.scan.deps import scan_lockfile, scan_manifest
from auditor.types import FileKind, SourceFile
from tests.deps_helpers import CTX

NAMES = ["requirements.txt", "pyproject.toml", "setup.cfg", "setup.py", "Pipfile",
         "environment.yml", "poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock"]
PIECES = st.sampled_from([
    "llama-models", "llama-stack>=0.7", "[[package]]", "[project]", "dependencies = [",
    '"llama-api-client"', "]", "{", "}", 'name = "llama-models"', "-r x.txt", "-c y.txt",
    "-e git+https://github.com/meta-llama/llama-models", "\\", "\n", "  ", ";", "#", "'", '"',
    "install_requires =", "setup(install_requires=[", ")", "- pip:", "  - ", ":", "=", "@",
    '"""', "[options]", "version = 1", '{"default": {', "\r\n", "\t", "\x0c", "é",
])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), pieces=st.lists(PIECES, max_size=30))
def test_scanners_never_raise(tmp_path: Path, name: str, pieces: list[str]) -> None:
    text = "".join(pieces)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    kind = classify(name)
    file = SourceFile(root=tmp_path, path=path, rel=name, kind=kind, size=len(text))
    scanner = scan_lockfile if kind is FileKind.LOCKFILE else scan_manifest
    output = scanner(file, text, CTX)
    lines = max(1, len(text.splitlines()))
    for hit in output.hits:
        assert 1 <= hit.line <= hit.end_line <= lines
        assert hit.column >= 1
    for problem in output.problems:
        assert problem.line is None or 1 <= problem.line <= lines + 1
