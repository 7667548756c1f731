"""write_output: stdout for None/'-', otherwise an atomic replace that leaves nothing on failure."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from auditor.cli import output
from auditor.cli.output import OutputError, write_output


def test_none_and_dash_write_to_the_given_stream() -> None:
    for target in (None, "-", Path("-")):
        stream = io.StringIO()
        write_output(target, "hello", stdout=stream)
        assert stream.getvalue() == "hello\n"


def test_writes_the_file_with_a_final_newline_and_normal_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_output(target, "one\ntwo")
    assert target.read_text() == "one\ntwo\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["out.txt"]


def test_replaces_an_existing_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    write_output(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_missing_directory_is_an_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"
    with pytest.raises(OutputError, match=r"out\.json: directory .*missing does not exist"):
        write_output(target, "{}")
    assert not (tmp_path / "missing").exists()


def test_directory_target_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_output(tmp_path, "x")


def test_failed_replace_leaves_no_file_and_no_temporary(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: str, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.os, "replace", refuse)
    target = tmp_path / "out.sarif"
    with pytest.raises(OutputError, match=r"cannot write .*out\.sarif: Permission denied"):
        write_output(target, "{}")
    assert os.listdir(tmp_path) == []


def test_failed_replace_keeps_the_previous_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.md"
    target.write_text("previous\n")

    def refuse(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(target, "new")
    assert target.read_text() == "previous\n"
    assert os.listdir(tmp_path) == ["out.md"]

