"""Terminal output: grouped findings with replacements, summary tables, colour rules, progress."""

from __future__ import annotations

import io
from dataclasses import replace

from auditor.cli.progress import progress_wanted, scan_progress
from auditor.report.text import render_text, summary_line
from auditor.types import AuditResult, Diagnostic
from tests.report_samples import TOOL, demo_findings, empty_result, sample_result


def test_findings_grouped_by_file_with_position_and_replacement() -> None:
    text = render_text(sample_result(), color=False)
    lines = text.splitlines()
    start = lines.index("app/chat.py")
    assert lines[start:start + 6] == [
        "app/chat.py",
        "  3:12  high    LA101  Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B "
        "instruct) is named here  [swap]",
        "      -> replace with google/gemma-4-E4B-it (Gemma 4); or Qwen/Qwen3-8B",
        "  9:13  high    LA102  ollama.chat loads Llama model 'llama3.1:8b' (Llama 3.1 8B "
        "instruct)  [swap]",
        "      -> replace with gemma4:e4b (google/gemma-4-E4B-it) (Gemma 4)",
        "",
    ]
    assert "  27:5 [cell 2:3]  medium  LA103  Llama-specific class LlamaForCausalLM  [adapt]" \
        in lines
    assert lines[-1] == ("9 finding(s) (4 high, 4 medium, 1 low) in 7 file(s); "
                         "12 file(s) scanned; 2 diagnostic(s)")


def test_summary_tables_by_category_severity_and_effort() -> None:
    lines = render_text(sample_result(), color=False).splitlines()
    assert "Findings by category and severity" in lines
    assert "  category          high   medium   low   info   total" in lines
    assert "  dependency           1        0     1      0       2" in lines
    assert "  all                  4        4     1      0       9" in lines
    assert "Effort by directory" in lines
    assert "  where                  retrain   adapt   swap   keep   heaviest" in lines
    assert "  adapters/support-bot         1       0      0      0   retrain" in lines
    assert "  all                          1       4      3      1   retrain" in lines


def test_verbose_adds_snippets_and_diagnostics() -> None:
    quiet = render_text(sample_result(), color=False)
    loud = render_text(sample_result(), color=False, verbose=True)
    assert '      | MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"' in loud.splitlines()
    assert "| MODEL_ID" not in quiet
    assert "  weights/model.bin: binary file skipped (binary)" in loud.splitlines()
    assert "weights/model.bin" not in quiet


def test_a_diagnostic_repeated_in_a_file_is_one_line_with_its_lines() -> None:
    """22 computed install_requires entries of one setup.py are one line that names where
    they are, not 22 identical lines; a single one shows its line."""
    computed = "part of install_requires is computed when setup.py runs"
    base = sample_result()
    diagnostics = (*(Diagnostic("setup.py", "dynamic-dependencies", computed, line=n)
                     for n in range(97, 119)),
                   Diagnostic("app.py", "parse-error", "not valid Python 3", line=4))
    loud = render_text(replace(base, diagnostics=diagnostics), color=False, verbose=True)
    lines = loud.splitlines()
    start = lines.index("Not fully scanned")
    assert lines[start + 1:start + 4] == [
        f"  setup.py (lines 97, 98, 99, 100, 101 and 17 more): {computed} "
        "(dynamic-dependencies)",
        "  app.py:4: not valid Python 3 (parse-error)",
        ""]


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_text(sample_result(), color=False)
    coloured = render_text(sample_result(), color=True)
    assert "\x1b[1;31mhigh" in coloured
    assert "\x1b[32mgoogle/gemma-4-E4B-it\x1b[0m" in coloured


def test_scanned_text_is_never_console_markup() -> None:
    finding = replace(demo_findings()[0], message="[bold red]boom[/] :smile:", path="[x].py")
    result = AuditResult(tool=TOOL, roots=("demo",), findings=(finding,))
    for color in (False, True):
        text = render_text(result, color=color)
        assert "[bold red]boom[/] :smile:" in text
        assert "[x].py" in text


def test_finding_lines_do_not_wrap_when_piped() -> None:
    long = replace(demo_findings()[0], message="x" * 300)
    text = render_text(AuditResult(tool=TOOL, roots=("demo",), findings=(long,)), color=False,
                       width=80)
    assert any(line.endswith("x" * 300 + "  [swap]") for line in text.splitlines())


def test_multi_root_paths_carry_their_root() -> None:
    findings = demo_findings("repo-a")[:1] + demo_findings("repo-b")[:1]
    result = AuditResult(tool=TOOL, roots=("repo-a", "repo-b"), findings=findings)
    lines = render_text(result, color=False).splitlines()
    assert "repo-a/app/chat.py" in lines and "repo-b/app/chat.py" in lines
    assert "Effort by repository and directory" in lines
    start = lines.index("  where         retrain   adapt   swap   keep   heaviest")
    assert lines[start + 2:start + 7] == [
        "  repo-a              0       0      1      0   swap",
        "  repo-a: app         0       0      1      0   swap",
        "  repo-b              0       0      1      0   swap",
        "  repo-b: app         0       0      1      0   swap",
        "  all                 0       0      2      0   swap",
    ]


def test_empty_result() -> None:
    assert render_text(empty_result(), color=False) == (
        "0 finding(s) in 0 file(s); 0 file(s) scanned\n")
    assert summary_line(empty_result()) == "0 finding(s) in 0 file(s); 0 file(s) scanned"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_an_interactive_terminal() -> None:
    assert progress_wanted(_Tty(), quiet=False, env={}) is True
    assert progress_wanted(_Tty(), quiet=True, env={}) is False
    assert progress_wanted(_Tty(), quiet=False, env={"CI": "true"}) is False
    assert progress_wanted(_Tty(), quiet=False, env={"TERM": "dumb"}) is False
    assert progress_wanted(io.StringIO(), quiet=False, env={}) is False


def test_disabled_progress_writes_nothing() -> None:
    stream = _Tty()
    with scan_progress(stream, enabled=False) as update:
        for done in range(1, 1001):
            update(done, 1000)
    assert stream.getvalue() == ""


def test_small_scans_get_no_bar_large_scans_do() -> None:
    small = _Tty()
    with scan_progress(small, enabled=True, threshold=200) as update:
        for done in range(1, 51):
            update(done, 50)
    assert small.getvalue() == ""
    large = _Tty()
    with scan_progress(large, enabled=True, threshold=200, color=False) as update:
        for done in range(1, 301):
            update(done, 300)
    assert "scanning" in large.getvalue()
    assert "300/300" in large.getvalue()


def test_file_roots_are_not_doubled() -> None:
    from auditor.report.summary import join_root

    assert join_root("app/chat.py", "chat.py") == "app/chat.py"
    assert join_root("chat.py", "chat.py") == "chat.py"
    assert join_root("repo", "app/chat.py") == "repo/app/chat.py"
    assert join_root(".", "app/chat.py") == "app/chat.py"
