"""Hostile JavaScript, Go, Rust, Java and Kotlin sources: the tree-sitter parse and walk run in
the isolate worker, so very deep nesting, a huge file, a parse that overruns --parse-timeout
or a worker that dies ends as a diagnostic (the Python path's codes), the file is line-scanned
for its identifiers, and every other file keeps its findings."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from auditor import isolate
from auditor.scan.context import ScanContext
from auditor.scan.runner import ScanOptions, scan_paths
from auditor.scan.treesitter import analyse_source, scan_source
from auditor.scan.treesitter.walker import MAX_DEPTH
from auditor.types import FileKind, SourceFile
from tests.deps_helpers import write

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
DEEP = 200_000


def _deep_files() -> dict[str, str]:
    """Each language nested 200,000 levels deep on line 3, a Llama model on line 2."""
    return {
        "web/deep.js": f'// generated\nconst m = "{MODEL}";\nconst x = {"[" * DEEP}{"]" * DEEP};\n',
        "svc/deep.go": f'package main\nconst m = "{MODEL}"\nvar x = {"(" * DEEP}1{")" * DEEP}\n',
        "rs/deep.rs": f'// generated\nconst M: &str = "{MODEL}";\nconst X: i32 = '
                      f'{"(" * DEEP}1{")" * DEEP};\n',
        "jvm/Deep.java": f'class Deep {{\n  String m = "{MODEL}";\n  int x = '
                         f'{"(" * DEEP}1{")" * DEEP};\n}}\n',
    }


def _rows(root: Path, timeout: float = 30.0) -> tuple[list[tuple[str, int, int, str | None]],
                                                      list[tuple[str, str, int | None]]]:
    result = scan_paths([root], ScanOptions(parse_timeout_seconds=timeout))
    findings = sorted((f.path, f.line, f.column, f.identifier) for f in result.findings)
    diagnostics = sorted((d.path, d.code, d.line) for d in result.diagnostics)
    return findings, diagnostics


def test_deep_nesting_is_too_deep_and_keeps_every_finding(tmp_path: Path) -> None:
    write(tmp_path, {**_deep_files(), "ok.ts": f'const ok = "{MODEL}";\n',
                     "ok.py": f'MODEL = "{MODEL}"\n'})
    started = time.monotonic()
    findings, diagnostics = _rows(tmp_path)
    assert time.monotonic() - started < 60
    assert diagnostics == [("jvm/Deep.java", "too-deep", 3), ("rs/deep.rs", "too-deep", 3),
                           ("svc/deep.go", "too-deep", 3), ("web/deep.js", "too-deep", 3)]
    # the line scanner's column is the identifier's, the parsers' the literal's (its quote)
    assert findings == [("jvm/Deep.java", 2, 15, MODEL), ("ok.py", 1, 9, MODEL),
                        ("ok.ts", 1, 12, MODEL), ("rs/deep.rs", 2, 18, MODEL),
                        ("svc/deep.go", 2, 12, MODEL), ("web/deep.js", 2, 12, MODEL)]
    result = scan_paths([tmp_path])
    message = next(d.message for d in result.diagnostics if d.path == "web/deep.js")
    assert message == (f"not parsed: nested more than {MAX_DEPTH:,} levels deep; identifiers "
                       "found by the line scanner")


def test_nesting_under_the_limit_is_read(tmp_path: Path) -> None:
    """500 nested arrays (1,000 tree levels) are an ordinary file: read by the walker, so
    a loader call is reported as a loader, not by the line scanner."""
    nested = "[" * 500 + "]" * 500
    write(tmp_path, {"a.ts": f'const x = {nested};\nconst llm = groq("{MODEL}");\n'})
    result = scan_paths([tmp_path])
    assert list(result.diagnostics) == []
    assert [(f.line, f.column, f.rule_id) for f in result.findings] == [(2, 13, "LA102")]


def test_a_five_megabyte_source_is_line_scanned(tmp_path: Path) -> None:
    """4.9 MB of JavaScript (under the default --max-file-size of 5 MB): not parsed, a
    ``too-large-to-parse`` diagnostic, the model it names found by the line scanner, the other
    files' findings kept; in seconds, not the ~11 s and ~700 MB a full parse and walk take."""
    line = 'const a{} = {{ model: "gpt-4o", values: [1, 2, "hello world"], f: (x) => x + 1 }};\n'
    body = "".join(line.format(i) for i in range(60_000))[:4_900_000]
    write(tmp_path, {"bundle.js": f'const m = "{MODEL}";\n{body}',
                     "svc/main.go": f'package main\n\nconst model = "{MODEL}"\n'})
    size = (tmp_path / "bundle.js").stat().st_size
    assert 4_800_000 < size < 5 * 1024 * 1024
    started = time.monotonic()
    result = scan_paths([tmp_path])
    assert time.monotonic() - started < 30
    assert [(d.path, d.code, d.message) for d in result.diagnostics] == [
        ("bundle.js", "too-large-to-parse",
         f"not parsed: {size:,} characters is over the 1,048,576-character limit for "
         "structural analysis; identifiers found by the line scanner")]
    assert sorted((f.path, f.line, f.column, f.rule_id) for f in result.findings) == [
        ("bundle.js", 1, 12, "LA101"), ("svc/main.go", 3, 15, "LA101")]


def test_a_parse_over_the_timeout_is_a_parse_timeout(tmp_path: Path) -> None:
    """A 900 KB TypeScript file (under the size limit) needs about 2 s: with a 0.1 s
    --parse-timeout the worker is killed and the file line-scanned; the next file gets a
    fresh worker and is read structurally (its loader call is LA102)."""
    line = 'export const a{} = {{ n: [1, 2, 3], s: "some text here", f: (x: number) => x }};\n'
    body = "".join(line.format(i) for i in range(20_000))[:900_000]
    write(tmp_path, {"big.ts": f'const m = "{MODEL}";\n{body}\n'})
    findings, diagnostics = _rows(tmp_path, timeout=0.1)
    assert diagnostics == [("big.ts", "parse-timeout", None)]
    assert findings == [("big.ts", 1, 12, MODEL)]
    small = tmp_path / "small"
    write(small, {"a.ts": f'const llm = groq("{MODEL}");\n'})
    result = scan_paths([small], ScanOptions(parse_timeout_seconds=5))
    assert [(f.rule_id, f.line) for f in result.findings] == [("LA102", 1)]


def _crash(text: str, context: object) -> object:  # runs in the worker
    os.kill(os.getpid(), signal.SIGSEGV)
    return None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker needs fork")
def test_a_worker_that_dies_is_a_parse_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """What tree-sitter does when it cannot allocate (abort) or a grammar bug that crashes:
    the worker dies, the file is line-scanned with a ``parse-crash`` diagnostic."""
    import auditor.scan.treesitter as treesitter
    from auditor.ruleset.load import load_ruleset

    real = isolate.run_isolated
    monkeypatch.setattr(treesitter.isolate, "run_isolated",
                        lambda _analysis, text, ctx, timeout: real(_crash, text, ctx, timeout))
    file = SourceFile(root=Path("/x"), path=Path("/x/a.go"), rel="a.go", kind=FileKind.SOURCE,
                      size=0)
    output = scan_source(file, f'package a\n\nconst m = "{MODEL}"\n',
                         ScanContext(load_ruleset()))
    assert [(p.code, p.message) for p in output.problems] == [
        ("parse-crash", "not parsed: the parser crashed (SIGSEGV); identifiers found by the "
                        "line scanner")]
    assert [(h.rule_id, h.line, h.column) for h in output.hits] == [("LA101", 3, 12)]
    assert output.parsed is False


def test_the_analysis_is_plain_data() -> None:
    """What the worker sends back pickles (hits and problems), so the parse can run there."""
    import pickle

    from auditor.ruleset.load import load_ruleset

    out = analyse_source("go", f'package a\n\nconst m = "{MODEL}"\n', load_ruleset())
    assert pickle.loads(pickle.dumps(out)) == out


def test_a_legacy_octal_literal_does_not_fail_the_file(tmp_path: Path) -> None:
    """``0755`` (Go, Java, JavaScript octal) once failed the whole file with a scanner-error
    and lost its model; it is octal there and decimal in Rust (``0372011`` is 128009 in Go,
    372011 in Rust)."""
    write(tmp_path, {
        "main.go": f'package main\n\nimport "os"\n\nconst m = "{MODEL}"\n\n'
                   'const EOSTokenID = 0372011\n\nfunc main() {{ os.MkdirAll("x", 0755) }}\n',
        "App.java": "class App {\n  static final int EOS_TOKEN_ID = 0372011;\n"
                    "  int mode = 0755;\n}\n",
        "main.rs": "const EOS_TOKEN_ID: u32 = 0372011;\n",
    })
    result = scan_paths([tmp_path])
    assert list(result.diagnostics) == []
    assert sorted((f.path, f.line, f.column, f.identifier, f.rule_id)
                  for f in result.findings) == [
        ("App.java", 2, 35, "128009", "LA107"),
        ("main.go", 5, 11, MODEL, "LA101"),
        ("main.go", 7, 20, "128009", "LA107"),
    ]


def test_fix_parse_check_names_the_first_error_without_walking_the_whole_tree() -> None:
    """``check_parses`` (fix re-parses a rewritten source) follows only the subtrees that
    hold an error: the first error's line, in a file of 100,000 lines, at once."""
    from auditor.scan.treesitter import check_parses

    body = "".join(f"const a{i} = [{i}, {i + 1}];\n" for i in range(100_000))
    text = f"const ok = 1;\nconst bad = (;\n{body}const worse = {{;\n"
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"^javascript syntax error at line 2$"):
        check_parses("javascript", text)
    check_parses("javascript", body)  # no error: returns
    check_parses("go", f"package p\nvar x = {'(' * DEEP}1{')' * DEEP}\n")
    assert time.monotonic() - started < 30
