"""Shared setup for the file-kind tests: the fixture repository plus its GGUF files.

GGUF files are binary, so the fixture does not commit them: ``prepare_kinds_repo`` copies
``fixtures/kinds`` and writes them, and ``fixtures/kinds/expected.json`` lists their rows
together with the committed files'.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from auditor.discover.walk import DiscoverOptions, classify
from auditor.ruleset.load import load_ruleset
from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.registry import scanners_for
from auditor.scan.runner import ScanOptions, scan_paths
from auditor.types import AuditResult, Hit, SourceFile

from .gguf_writer import write_gguf

PROJECT = Path(__file__).resolve().parent.parent
KINDS = PROJECT / "fixtures" / "kinds"

GGUF_FILES: dict[str, list[tuple[str, Any]]] = {
    # Named in the header only: the file name says nothing.
    "models/gguf/support-model.Q4_K_M.gguf": [
        ("general.architecture", "llama"),
        ("general.file_type", 15),
        ("tokenizer.ggml.tokens", [f"<tok{i}>" for i in range(2000)]),
        ("general.name", "Llama 3.2 1B Instruct"),
        ("general.license", "llama3.2"),
    ],
    # llama.cpp's "llama" architecture, but a Mistral model: not reported.
    "models/gguf/mistral-7b-instruct-v0.3.Q4_K_M.gguf": [
        ("general.architecture", "llama"),
        ("general.name", "Mistral 7B Instruct v0.3"),
    ],
    # Architecture only, no name: LA304.
    "models/gguf/unnamed.Q8_0.gguf": [("general.architecture", "llama")],
}
NOT_GGUF = "models/gguf/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
"""A file whose name says Llama but whose content is not GGUF: a diagnostic, and the name."""


def prepare_kinds_repo(target: Path) -> Path:
    repo = target / "kinds"
    shutil.copytree(KINDS, repo)
    (repo / "expected.json").unlink()
    for rel, metadata in GGUF_FILES.items():
        write_gguf(repo / rel, metadata)
    (repo / NOT_GGUF).write_bytes(b"version https://git-lfs.github.com/spec/v1\n")
    return repo


def scan_repo(repo: Path, *, include_docs: bool = True) -> AuditResult:
    return scan_paths([repo], ScanOptions(include_docs=include_docs,
                                          discover=DiscoverOptions()))


def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((KINDS / "expected.json").read_text(encoding="utf-8"))
    return data


def rows(result: AuditResult) -> list[dict[str, Any]]:
    out = []
    for f in result.findings:
        row: dict[str, Any] = {"rule_id": f.rule_id, "path": f.path, "line": f.line,
                               "column": f.column}
        if f.cell is not None:
            row["cell"] = f.cell
        if f.cell_line is not None:
            row["cell_line"] = f.cell_line
        row["identifier"] = f.identifier
        out.append(row)
    return out


def scan_text(tmp_path: Path, rel: str, text: str | bytes, *, include_docs: bool = False,
              check_positions: bool = True) -> tuple[ScanOutput, list[str]]:
    """Run the registered scanners of ``rel``'s kind directly on one file and return the
    output and the file's lines. Unless told otherwise, checks that every hit's position
    holds its identifier."""
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
        decoded = ""
    else:
        path.write_text(text, encoding="utf-8")
        decoded = text
    source = SourceFile(root=tmp_path, path=path, rel=rel, kind=classify(rel),
                        size=path.stat().st_size)
    ctx = ScanContext(ruleset=load_ruleset(), include_docs=include_docs)
    output = ScanOutput()
    for scanner in scanners_for(source):
        part = scanner(source, decoded, ctx)
        output.hits += part.hits
        output.problems += part.problems
        output.parsed = output.parsed and part.parsed
    lines = decoded.splitlines()
    if check_positions and decoded:
        assert_positions(output.hits, lines)
    return output, lines


def assert_positions(hits: list[Hit], lines: list[str]) -> None:
    """Each hit's line and column hold its identifier as written in the file."""
    for hit in hits:
        written = lines[hit.line - 1][hit.column - 1:]
        ident = hit.identifier or ""
        if hit.rule_id in ("LA410", "LA411"):
            assert written.lower().startswith(ident.split()[0].lower()), (hit, written)
        else:
            assert written.startswith(ident), (hit, written)
        if hit.end_line == hit.line and hit.rule_id not in ("LA404",):
            assert hit.end_column - hit.column == len(ident), hit
