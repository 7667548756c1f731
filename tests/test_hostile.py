"""Hostile input and failure: nothing crashes, nothing is lost, the output never wavers.

The corpus (``tests/hostile/corpus.py``) is generated into a temporary directory: every kind
of bad input next to good files with known findings. One scan of the whole tree must give
each kind exactly its diagnostics, keep every finding the bad files still allow, and leave the
good files' findings exactly as a scan of the good files alone gives them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.scan.runner import ScanOptions, scan_paths
from auditor.types import AuditResult, Finding

from .conftest import PROJECT
from .hostile import corpus
from .hostile.corpus import KINDS, Kind, Row

PARSE_TIMEOUT = 1.0
"""Seconds before a file's analysis becomes a diagnostic (none of the corpus needs as long)."""

ISSUE_KINDS = {
    "python2", "syntax-error", "null-bytes", "invalid-utf8", "utf16-bom", "utf16-no-bom",
    "utf32-bom", "utf32-no-bom", "coding-cookie", "line-endings", "huge-file", "long-line",
    "deep-brackets", "deep-operators", "binary-named-text", "empty-files", "broken-toml",
    "broken-yaml", "yaml-bomb", "broken-json", "broken-notebook", "broken-lockfile",
    "broken-requirements", "requirements-self-include", "symlinks", "permission-denied-dir",
    "permission-denied-file", "deleted-mid-scan", "truncated-mid-scan", "missing-path",
    "odd-names", "many-empty-files", "pathological-gitignore",
}
ISSUE16_KINDS = {
    "huge-int-json", "notebook-bad-cells", "many-findings", "json-many-values",
    "json-long-string", "bidi-names", "gitignore-symlink", "gitignore-globstar",
    "swapped-for-symlink", "swapped-for-fifo", "gguf-swapped-for-fifo",
}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("hostile") / "corpus"
    try:
        yield corpus.build_corpus(root)
    finally:
        corpus.remove_deep_dirs(root)
        for big in ("huge/generated.py", "long-line/minified.py"):
            (root / big).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def scanned(tree: Path) -> AuditResult:
    """One in-process scan of the whole corpus, with the in-process failures patched in."""
    with pytest.MonkeyPatch.context() as patch:
        corpus.PATCHED(patch, tree)
        return scan_paths(corpus.corpus_roots(tree),
                          ScanOptions(parse_timeout_seconds=PARSE_TIMEOUT))


@pytest.fixture(scope="module")
def good_only(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    root = corpus.build_corpus(tmp_path_factory.mktemp("clean") / "corpus", with_bad=False)
    return scan_paths([root])


def _rows(findings: tuple[Finding, ...], top: str) -> set[Row]:
    return {(f.path, f.rule_id, f.line, f.column) for f in findings
            if f.path.split("/", 1)[0] == top}


@pytest.mark.parametrize("kind", [k for k in KINDS if not k.heavy], ids=lambda k: k.name)
def test_each_kind_gives_its_diagnostics_and_keeps_its_findings(
    kind: Kind, tree: Path, scanned: AuditResult
) -> None:
    if kind.extra_roots:
        labels = {Path(tree / extra).as_posix() for extra in kind.extra_roots}
        diagnostics = {(d.path, d.code) for d in scanned.diagnostics if d.root in labels}
    else:
        top = corpus.directory_of(kind)
        diagnostics = {(d.path, d.code) for d in scanned.diagnostics
                       if d.root == tree.as_posix() and d.path.split("/", 1)[0] == top}
    assert diagnostics == kind.diagnostics
    assert _rows(scanned.findings, corpus.directory_of(kind)) == kind.findings


def test_every_diagnostic_belongs_to_a_kind(scanned: AuditResult) -> None:
    tops = {corpus.directory_of(k) for k in KINDS}
    strays = [d for d in scanned.diagnostics if d.path != "." and d.path.split("/")[0] not in tops]
    assert strays == []


def test_good_findings_are_the_same_with_and_without_the_bad_files(
    scanned: AuditResult, good_only: AuditResult
) -> None:
    with_bad = [replace(f, root="") for f in scanned.findings if f.path.startswith("good/")]
    alone = [replace(f, root="") for f in good_only.findings]
    assert with_bad == alone
    assert {(f.path, f.rule_id, f.line, f.column) for f in alone} == corpus.GOOD_FINDINGS
    assert good_only.diagnostics == ()


def test_the_corpus_has_every_kind_the_issue_names() -> None:
    names = [k.name for k in KINDS]
    assert len(names) == len(set(names))
    assert set(names) >= ISSUE_KINDS | ISSUE16_KINDS
    assert len(names) >= 40


def test_no_outside_content_reaches_a_report(scanned: AuditResult) -> None:
    """Files outside the root (a swapped-in link's target, a linked .gitignore's lines)
    are never read: nothing of theirs is in a finding or a diagnostic."""
    texts = [f.snippet + f.message for f in scanned.findings] + [
        d.message for d in scanned.diagnostics]
    assert not [t for t in texts if "OUTSIDE-CONTENT" in t or "SECRET-IGNORE-LINE-*" in t]


def test_the_hostile_tree_scans_under_a_1_gib_memory_limit(tree: Path, tmp_path: Path) -> None:
    """The whole corpus (not the in-process patches) in a separate process, two workers,
    each process limited to 1 GiB of address space: exit 1, a complete JSON report."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(PROJECT),
           "LLAMA_AUDIT_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(tree), "--jobs", "2", "--format", "json",
         "-o", str(report), "-q", "--parse-timeout", str(PARSE_TIMEOUT)],
        cwd=tmp_path, env=env, preexec_fn=limit, capture_output=True, text=True, timeout=600,
        check=False)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    found = {(f["path"], f["rule_id"], f["line"], f["column"]) for f in data["findings"]}
    assert found >= corpus.GOOD_FINDINGS
    assert not [d for d in data["diagnostics"] if "MemoryError" in d["message"]]
    codes = {(d["path"], d["code"]) for d in data["diagnostics"]}
    assert ("many-findings/generated.py", "too-many-findings") in codes


def test_no_path_in_a_report_leaves_the_root(scanned: AuditResult) -> None:
    paths = [f.path for f in scanned.findings] + [d.path for d in scanned.diagnostics]
    for path in paths:
        assert not path.startswith("/")
        assert ".." not in path.split("/")


_DURATION = re.compile(r'"duration_seconds": [0-9.e+-]+')


def _masked(report: str) -> str:
    """The report with its one timing field blanked: every other byte must be identical."""
    return _DURATION.sub('"duration_seconds": 0', report)


@pytest.mark.slow
def test_output_is_identical_across_runs_cache_and_jobs(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = ["scan", str(tree), "--parse-timeout", str(PARSE_TIMEOUT), "--exit-zero", "-q"]
    one_job = run_cli([*base, "--format", "json", "--jobs", "1", "--no-cache"])
    two_jobs = run_cli([*base, "--format", "json", "--jobs", "2"])  # fills the cache
    cached = run_cli([*base, "--format", "json", "--jobs", "2"])  # read from it
    assert one_job.code == two_jobs.code == cached.code == 0
    assert len(_DURATION.findall(one_job.out)) == 1
    assert _masked(one_job.out) == _masked(two_jobs.out) == _masked(cached.out)
    text_one = run_cli([*base, "--jobs", "1", "--no-cache"])
    text_two = run_cli([*base, "--jobs", "2"])
    assert text_one.out == text_two.out
    errors = "".join(run.err for run in (one_job, two_jobs, cached, text_one, text_two))
    assert "Traceback" not in errors


def test_a_missing_path_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path,
                                                                    run_cli) -> None:  # type: ignore[no-untyped-def]
    run = run_cli(["scan", str(tmp_path / "nope")])
    assert run.code == 2
    assert run.err == f"llama-audit: error: path does not exist: {tmp_path / 'nope'}\n"
    assert run.out == ""


# -- writing the report ------------------------------------------------------------------------

def _small_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    corpus.write(root / "app.py", corpus.MODEL_LINE)
    return root


def test_output_into_a_missing_directory_fails_cleanly(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "no-such-dir" / "report.json"
    run = run_cli(["scan", str(_small_tree(tmp_path)), "--format", "json", "-o", str(target),
                   "-q"])
    assert run.code == 2
    assert run.err.count("\n") == 1 and run.err.startswith("llama-audit: error: cannot write")
    assert not target.parent.exists()


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_partial_one(
    failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli  # type: ignore[no-untyped-def]
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "report.json"
    target.write_text("previous report\n")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28 if failing == "fsync" else 30,
                      "No space left on device" if failing == "fsync" else "Read-only file system")

    monkeypatch.setattr(os, failing, fail)
    run = run_cli(["scan", str(_small_tree(tmp_path)), "--format", "json", "-o", str(target),
                   "-q"])
    assert run.code == 2
    reason = "No space left on device" if failing == "fsync" else "Read-only file system"
    assert run.err == f"llama-audit: error: cannot write {target}: {reason}\n"
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.json"]


def test_a_closed_stdout_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    root = _small_tree(tmp_path)
    reader_gone = subprocess.run(
        f"{sys.executable} -m auditor scan {root} --no-cache --format json | head -c 1",
        shell=True, capture_output=True, text=True, cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)}, timeout=120, check=False)
    assert reader_gone.stdout == "{"
    assert "Traceback" not in reader_gone.stderr


# -- Ctrl-C ------------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _slow_modules(root: Path, count: int) -> None:
    """``count`` valid modules just under the parse size limit, made of dense lists (the
    parse of each takes most of a second), a Llama id on line 1 of each."""
    body = "[1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5]\n" * 10_000
    for number in range(count):
        corpus.write(root / "slow" / f"module_{number:02d}.py", corpus.MODEL_LINE + body)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_with_one_clear_line(jobs: str, tmp_path: Path) -> None:
    """SIGINT to the whole process group (what a terminal's Ctrl-C does) while the scan is in
    the middle of analysing big modules: exit 130, one line on stderr, no traceback from any
    process."""
    root = tmp_path / "repo"
    corpus.build_good(root)
    _slow_modules(root, 4)  # seconds of work, and fewer files than the process-pool threshold
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", str(root), "--no-cache", "--jobs", jobs,
         "--parse-timeout", "60"],
        cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    # Wait until the scan is under way: a parse worker (or pool worker) has been forked.
    while not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.endswith("llama-audit: interrupted\n")
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_during_a_pooled_scan_prints_no_traceback(tmp_path: Path) -> None:
    """With enough files for the process pool, Ctrl-C used to make Python 3.11's executor
    print InvalidStateError tracebacks from its manager thread (about one run in two).
    Interrupted three times, at different moments: one clear line each time."""
    root = tmp_path / "repo"
    corpus.build_good(root)  # 65 files: over the pool threshold
    _slow_modules(root, 40)  # many pending chunks when the workers die
    for delay in (0.5, 1.0, 1.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "auditor", "scan", str(root), "--no-cache", "--jobs", "2"],
            cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 60
        while not _children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        if process.returncode == 1:
            continue  # finished before the signal: nothing to check this round
        assert process.returncode == 130, err
        assert err.endswith("llama-audit: interrupted\n"), err
        assert "Traceback" not in err, err


# -- resource bounds (measured in a subprocess) ------------------------------------------------

MEASURE = """
import json, resource, sys
from pathlib import Path
from auditor.scan.runner import ScanOptions, scan_paths
from auditor.discover.walk import DiscoverOptions
from auditor import isolate
from auditor.serialize import result_to_dict
root, max_size, jobs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
result = scan_paths([root], ScanOptions(discover=DiscoverOptions(max_file_size=max_size),
                                        jobs=jobs))
isolate.shutdown()
kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"result": result_to_dict(result), "peak_mib": kib / 1024}))
"""

ONE_GIB_IN_MIB = 1024


def _measure(root: Path, max_size: int, jobs: int = 1) -> tuple[dict[str, object], float]:
    run = subprocess.run([sys.executable, "-c", MEASURE, str(root), str(max_size), str(jobs)],
                         cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                         capture_output=True, text=True, timeout=400, check=True)
    data = json.loads(run.stdout)
    return data["result"], data["peak_mib"]


def _finding_rows(result: dict[str, object]) -> set[Row]:
    return {(f["path"], f["rule_id"], f["line"], f["column"])  # type: ignore[index]
            for f in result["findings"]}  # type: ignore[attr-defined]


def _diagnostic_rows(result: dict[str, object]) -> set[tuple[str, str]]:
    return {(d["path"], d["code"]) for d in result["diagnostics"]}  # type: ignore[attr-defined,index]


@pytest.mark.slow
def test_100mb_file_and_10mb_line_are_really_scanned_under_1gb(tmp_path: Path) -> None:
    """With ``--max-file-size 200MB`` both are read and line-scanned (too large for libcst):
    the Llama names on their first and last lines are found, and peak memory stays < 1 GB."""
    root = tmp_path / "repo"
    lines = corpus.huge_python(root / "huge" / "generated.py")
    corpus.long_line_python(root / "long-line" / "minified.py")
    assert (root / "huge" / "generated.py").stat().st_size > 100_000_000
    try:
        result, peak = _measure(root, 200 * 1024 * 1024)
    finally:
        shutil.rmtree(root)
    assert _diagnostic_rows(result) == {("huge/generated.py", "too-large-to-parse"),
                                        ("long-line/minified.py", "too-large-to-parse")}
    assert _finding_rows(result) == {
        ("huge/generated.py", "LA101", 1, 10),
        ("huge/generated.py", "LA101", lines, 9),
        ("long-line/minified.py", "LA101", 1, corpus.long_line_column()),
    }
    assert peak < ONE_GIB_IN_MIB, f"peak resident memory {peak:.0f} MiB"


@pytest.mark.slow
def test_100000_empty_files_scan_under_1gb(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    corpus.make_many_empty_files(root / "many")
    corpus.build_good(root)
    try:
        result, peak = _measure(root, 5 * 1024 * 1024, jobs=2)
    finally:
        shutil.rmtree(root)
    assert result["diagnostics"] == []
    assert _finding_rows(result) == corpus.GOOD_FINDINGS
    stats = result["stats"]
    assert stats["files_discovered"] == 100_000 + 1 + corpus.GOOD_MODULES  # type: ignore[index]
    assert peak < ONE_GIB_IN_MIB, f"peak resident memory {peak:.0f} MiB"


def test_parse_timeout_option_turns_a_slow_file_into_a_diagnostic(tmp_path: Path,
                                                                  run_cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "repo"
    _slow_modules(root, 1)
    run = run_cli(["scan", str(root), "--parse-timeout", "0.1", "--format", "json",
                   "--no-cache", "-q"])
    assert run.code == 1
    data = json.loads(run.out)
    assert [(d["path"], d["code"], d["message"]) for d in data["diagnostics"]] == [
        ("slow/module_00.py", "parse-timeout",
         "not parsed: analysis did not finish within 0.1 s (--parse-timeout); identifiers "
         "found by the line scanner")]
    assert [(f["path"], f["rule_id"], f["line"]) for f in data["findings"]] == [
        ("slow/module_00.py", "LA101", 1)]


def test_nesting_python_refuses_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    """Nesting the stdlib parser refuses (a RecursionError or "too many nested parentheses",
    in the worker) and nesting it accepts but the analysis must not recurse into: the first
    two are ``too-deep`` diagnostics with the line scanner's findings, the last is analysed."""
    root = tmp_path / "repo"
    corpus.write(root / "operators.py",
                 corpus.MODEL_LINE + "x = " + " + ".join(["1"] * 10_000) + "\n")
    corpus.write(root / "brackets.py", corpus.MODEL_LINE + "x = " + "(" * 300 + ")" * 300 + "\n")
    corpus.write(root / "long_sum.py", "x = " + " + ".join(["a"] * 1_500)
                 + ' + "meta-llama/Llama-2-7b-hf"\n')
    result = scan_paths([root])
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("brackets.py", "too-deep"), ("operators.py", "too-deep")]
    assert next(d.message for d in result.diagnostics) == (
        "not parsed: brackets nested more than 200 deep (Python itself rejects this); "
        "identifiers found by the line scanner")
    assert [(f.path, f.rule_id, f.line, f.column) for f in result.findings] == [
        ("brackets.py", "LA101", 1, 10), ("long_sum.py", "LA101", 1, 5),
        ("operators.py", "LA101", 1, 10)]


# -- the parse guard itself --------------------------------------------------------------------
# Analyses run in the worker by reference, so they live at module level.

def _echo(text: str, context: object) -> tuple[int, str]:
    return os.getpid(), text.upper()


def _segfault(text: str, context: object) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _sleep(text: str, context: object) -> None:
    time.sleep(float(text))


def _allocate(text: str, context: object) -> int:
    return len(bytearray(int(text)))


def _recurse(text: str, context: object) -> int:
    def down(n: int) -> int:
        return down(n + 1) + 1
    return down(0)


def test_guard_reuses_one_worker_and_replaces_it_after_a_crash() -> None:
    from auditor import isolate as guard

    first_pid, first = guard.run_isolated(_echo, "a")
    second_pid, second = guard.run_isolated(_echo, "b")
    assert (first, second) == ("A", "B")
    assert first_pid == second_pid != os.getpid()
    crashed = guard.run_isolated(_segfault, "")
    assert crashed == guard.ParseRefused("parse-crash",
                                         "not parsed: the parser crashed (SIGSEGV)")
    third_pid, third = guard.run_isolated(_echo, "c")
    assert third == "C" and third_pid != first_pid


def test_guard_time_memory_and_recursion_limits() -> None:
    from auditor import isolate as guard

    assert guard.run_isolated(_sleep, "30", timeout=0.3) == guard.ParseRefused(
        "parse-timeout", "not parsed: analysis did not finish within 0.3 s (--parse-timeout)")
    assert guard.run_isolated(_allocate, str(4 << 30)) == guard.ParseRefused(
        "parse-crash", "not parsed: the parser ran out of memory")
    assert guard.run_isolated(_recurse, "") == guard.AnalysisError(
        "RecursionError", "maximum recursion depth exceeded")
    assert guard.run_isolated(_allocate, "1000") == 1000


def test_guarded_parse_module_is_a_drop_in_for_libcst() -> None:
    import libcst as cst

    from auditor import isolate as guard

    assert guard.parse_module("x = 1\n").code == "x = 1\n"
    with pytest.raises(cst.ParserSyntaxError):
        guard.parse_module("def broken(:\n")
    with pytest.raises(guard.ParseGuardError, match="brackets nested more than 200"):
        guard.parse_module("x = " + "(" * 300 + ")" * 300 + "\n")
    with pytest.raises(guard.ParseGuardError, match="crashed"):
        guard.parse_module("x = " + "lambda: " * 10_000 + "1\n")
    with pytest.raises(guard.ParseGuardError, match="did not finish"):
        guard.parse_module("x = " + " + ".join(["1"] * 10_000) + "\n", timeout=0.5)


def test_bracket_depth_ignores_strings_and_comments() -> None:
    from auditor.isolate import bracket_depth

    assert bracket_depth("f(g([1, {2: (3)}]))") == 5
    assert bracket_depth('s = "((((((" + \'[[[[\'  # {{{{{{\nt = """(((\n((("""\n') == 0
    assert bracket_depth("x = (" * 2 + "'unterminated") == 2
    assert bracket_depth("(" * 1000, limit=200) == 201


def test_a_reader_bug_is_a_diagnostic_not_a_lost_scan(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.scan.runner as engine

    root = tmp_path / "repo"
    corpus.write(root / "a.py", corpus.MODEL_LINE)
    corpus.write(root / "b.py", corpus.MODEL_LINE)
    real = engine.read_for_scan

    def flaky(file, prefilter):  # type: ignore[no-untyped-def]
        if file.rel == "a.py":
            raise RuntimeError("boom")
        return real(file, prefilter)

    monkeypatch.setattr(engine, "read_for_scan", flaky)
    result = scan_paths([root])
    assert [(d.path, d.code, d.message) for d in result.diagnostics] == [
        ("a.py", "scanner-error", "reading failed: RuntimeError: boom")]
    assert [(f.path, f.rule_id) for f in result.findings] == [("b.py", "LA101")]


def test_an_unexpected_error_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                run_cli) -> None:  # type: ignore[no-untyped-def]
    import auditor.pipeline as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise LookupError("something nobody expected")

    monkeypatch.setattr(pipeline, "scan_paths", broken)
    root = _small_tree(tmp_path)
    run = run_cli(["scan", str(root), "--no-cache"])
    assert run.code == 2
    assert run.err == ("llama-audit: error: internal error: LookupError: something nobody "
                       "expected (set LLAMA_AUDIT_DEBUG=1 for the traceback)\n")
    monkeypatch.setenv("LLAMA_AUDIT_DEBUG", "1")
    with pytest.raises(LookupError):
        run_cli(["scan", str(root), "--no-cache"])


def test_no_command_dies_on_a_file_that_crashes_libcst(tmp_path: Path) -> None:
    """10,000 nested lambdas overflow libcst's native stack (SIGSEGV) and exhaust the stdlib
    parser's stack (MemoryError). Every place that parses Python (the Python scanner, setup.py,
    notebook cells with ``ast``; ``fix`` with libcst) must survive it. Run in a subprocess: a
    regression would kill the process that runs it."""
    bomb = "x = " + "lambda: " * 10_000 + "1\n"
    root = tmp_path / "repo"
    corpus.write(root / "app.py", corpus.MODEL_LINE + bomb)
    corpus.write(root / "setup.py", "from setuptools import setup\n"
                                    "setup(install_requires=['llama-models'])\n" + bomb)
    corpus.write(root / "notebook.ipynb", json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": [corpus.MODEL_LINE, bomb]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "LLAMA_AUDIT_CACHE_DIR": str(tmp_path)}
    scan = subprocess.run([sys.executable, "-m", "auditor", "scan", str(root), "--format",
                           "json", "-q"], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert scan.returncode == 1, scan.stderr
    data = json.loads(scan.stdout)
    assert {(d["path"], d["code"]) for d in data["diagnostics"]} == {
        ("app.py", "parse-crash"), ("notebook.ipynb", "parse-error"),
        ("setup.py", "parse-crash"), ("setup.py", "invalid-python")}
    assert {(f["path"], f["rule_id"], f["line"]) for f in data["findings"]} == {
        ("app.py", "LA101", 1), ("notebook.ipynb", "LA101", 1),
        ("setup.py", "LA201", 2)}  # its dependency list, read line by line
    fix = subprocess.run([sys.executable, "-m", "auditor", "fix", str(root)], cwd=PROJECT,
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert fix.returncode == 0, fix.stderr
    assert "not rewritten: it does not parse" in fix.stdout + fix.stderr
    assert "Traceback" not in scan.stderr + fix.stderr
