"""End to end: scan fixtures through the CLI, then merge and report saved results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from auditor.cli.report import merge_command, report_command
from auditor.cli.scan import scan as scan_command
from auditor.report.formats import Format, render
from auditor.serialize import result_from_dict
from tests.conftest import PROJECT, SCHEMA

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json")
                          .read_text())
REPO_A = "fixtures/multi-repo/repo-a"
REPO_B = "fixtures/multi-repo/repo-b"
_DURATION = re.compile(r'"duration_seconds": [0-9.e-]+')


def without_duration(text: str) -> str:
    return _DURATION.sub('"duration_seconds": 0', text)


def invoke(command, args: list[str], stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(command, args, input=stdin, catch_exceptions=False)


def check_valid(fmt: Format, text: str) -> None:
    if fmt is Format.JSON:
        jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(json.loads(text))
    elif fmt is Format.SARIF:
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(text))
    elif fmt is Format.CYCLONEDX:
        errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
        assert errors is None, "\n".join(map(str, errors))
    elif fmt is Format.HTML:
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(PROJECT)
    return PROJECT


def scan_json(run_cli, out: Path, *roots: str) -> str:  # type: ignore[no-untyped-def]
    run = run_cli(["scan", *roots, "--format", "json", "-o", str(out), "--quiet"])
    assert run.code in (0, 1), run.err
    return out.read_text()


def test_merge_then_report_equals_one_scan_of_both_roots(
    run_cli, in_project: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    both = scan_json(run_cli, tmp_path / "both.json", REPO_A, REPO_B)
    scan_json(run_cli, tmp_path / "a.json", REPO_A)
    scan_json(run_cli, tmp_path / "b.json", REPO_B)
    merged = tmp_path / "all.json"
    run = invoke(merge_command, [str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                                 "-o", str(merged)])
    assert run.exit_code == 0, run.output
    assert run.output == ""
    assert without_duration(merged.read_text()) == without_duration(both)
    data = json.loads(merged.read_text())
    assert data["roots"] == [REPO_A, REPO_B]
    assert {f["root"] for f in data["findings"]} == {REPO_A, REPO_B}
    assert data["stats"]["duration_seconds"] == pytest.approx(
        json.loads((tmp_path / "a.json").read_text())["stats"]["duration_seconds"]
        + json.loads((tmp_path / "b.json").read_text())["stats"]["duration_seconds"], abs=0.002)
    for fmt in Format:
        from_merge = invoke(report_command, [str(merged), "--format", fmt.value])
        from_scan = invoke(report_command, [str(tmp_path / "both.json"), "--format", fmt.value])
        assert from_merge.exit_code == 0 and from_scan.exit_code == 0
        if fmt is Format.JSON:
            assert without_duration(from_merge.output) == without_duration(from_scan.output)
        else:
            assert from_merge.output == from_scan.output, fmt


def test_report_merges_several_inputs_itself(in_project: Path, tmp_path: Path,
                                             run_cli) -> None:  # type: ignore[no-untyped-def]
    scan_json(run_cli, tmp_path / "a.json", REPO_A)
    scan_json(run_cli, tmp_path / "b.json", REPO_B)
    run = invoke(report_command, [str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                                  "--format", "markdown"])
    assert run.exit_code == 0
    assert "| **fixtures/multi-repo/repo-a** |" in run.output
    assert "(fixtures/multi-repo/repo-b/tools/prompt.py#L3)" in run.output


def test_report_rerenders_a_saved_scan_in_every_format(
    run_cli, in_project: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    saved = tmp_path / "demo.json"
    text = scan_json(run_cli, saved, "fixtures/demo")
    result = result_from_dict(json.loads(text))
    assert result.findings, "the demo fixture must produce findings"
    for fmt in Format:
        out = tmp_path / f"report{fmt.extension}"
        run = invoke(report_command, [str(saved), "--format", fmt.value, "-o", str(out)])
        assert run.exit_code == 0, run.output
        written = out.read_text()
        assert written == render(result, fmt)
        check_valid(fmt, written)
    assert (tmp_path / "report.json").read_text() == text


def test_every_format_from_one_report_run(run_cli, in_project: Path,
                                          tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "demo.json"
    scan_json(run_cli, saved, "fixtures/demo")
    outputs = {fmt: tmp_path / f"extra{fmt.extension}" for fmt in Format if fmt is not Format.TEXT}
    args = [str(saved), "--format", "text"]
    for fmt, path in outputs.items():
        args += [f"--{fmt.value}-output", str(path)]
    run = invoke(report_command, args)
    assert run.exit_code == 0
    assert "Findings by category and severity" in run.output
    for fmt, path in outputs.items():
        check_valid(fmt, path.read_text())


def test_scan_writes_every_format_in_one_run(run_cli, in_project: Path,
                                             tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if "sarif_output" not in {p.name for p in scan_command.params}:
        pytest.skip("scan has no --sarif-output yet (see cli_report.extra_output_options)")
    outputs = {fmt: tmp_path / f"scan{fmt.extension}" for fmt in Format if fmt is not Format.TEXT}
    args = ["scan", "fixtures/demo", "--quiet", "--format", "text", "-o", str(tmp_path / "t.txt")]
    for fmt, path in outputs.items():
        args += [f"--{fmt.value}-output", str(path)]
    run = run_cli(args)
    assert run.code == 1, run.err
    result = result_from_dict(json.loads(outputs[Format.JSON].read_text()))
    for fmt, path in outputs.items():
        check_valid(fmt, path.read_text())
        if fmt is not Format.JSON:
            assert path.read_text() == render(result, fmt)
    assert (tmp_path / "t.txt").read_text() == render(result, Format.TEXT)


def test_report_reads_standard_input(in_project: Path, tmp_path: Path,
                                     run_cli) -> None:  # type: ignore[no-untyped-def]
    text = scan_json(run_cli, tmp_path / "demo.json", "fixtures/demo")
    run = invoke(report_command, ["-", "--format", "sarif"], stdin=text)
    assert run.exit_code == 0
    check_valid(Format.SARIF, run.output)


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"),
    ("{oops", "is not JSON"),
    ('{"schema_version": "9.0"}', "schema_version 9.0 is not supported"),
])
def test_bad_input_is_exit_2_with_the_reason(tmp_path: Path, content: str | None,
                                            message: str) -> None:
    source = tmp_path / "in.json"
    if content is not None:
        source.write_text(content)
    for command in (report_command, merge_command):
        run = CliRunner().invoke(command, [str(source)])
        assert run.exit_code == 2
        assert message in run.output
        assert "Traceback" not in run.output


def test_unwritable_output_is_exit_2_and_leaves_nothing(run_cli, in_project: Path,
                                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "demo.json"
    scan_json(run_cli, saved, "fixtures/demo")
    target = tmp_path / "no-such-dir" / "report.html"
    run = CliRunner().invoke(report_command, [str(saved), "--format", "html", "-o", str(target)])
    assert run.exit_code == 2
    assert "does not exist" in run.output
    assert not target.parent.exists()


def test_merge_refuses_the_same_root_twice(run_cli, in_project: Path,
                                           tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "a.json"
    scan_json(run_cli, saved, REPO_A)
    out = tmp_path / "all.json"
    run = CliRunner().invoke(merge_command, [str(saved), str(saved), "-o", str(out)])
    assert run.exit_code == 2
    assert f"{saved} and {saved} both hold a repository named " in run.output
    assert "the same result twice, or two repositories with one name" in run.output
    assert not out.exists()


class _Stdout:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.cli import report as cli_report

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(cli_report.sys, "stdout", _Stdout(True))
    assert cli_report.use_color(None) is True
    assert cli_report.use_color(Path("-")) is True
    assert cli_report.use_color(Path("out.txt")) is False
    monkeypatch.setenv("NO_COLOR", "")  # empty: does not count (no-color.org)
    assert cli_report.use_color(None) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli_report.use_color(None) is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(cli_report.sys, "stdout", _Stdout(False))
    assert cli_report.use_color(None) is False
