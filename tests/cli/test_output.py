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



# -- special files: written in place, never replaced (issue 16) ------------------------------

def _char_device(path: Path) -> Path:
    """A null device node (major 1, minor 3) inside the test's own directory: never the
    machine's /dev/null."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"mknod not permitted here: {exc}")
    return path


def test_a_character_device_is_written_in_place_and_survives(tmp_path: Path) -> None:
    node = _char_device(tmp_path / "null")
    before = os.lstat(node)
    write_output(node, "report\n")
    after = os.lstat(node)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)
    assert after.st_ino == before.st_ino
    assert os.listdir(tmp_path) == ["null"]


def test_a_symlink_to_a_character_device_writes_through_it(tmp_path: Path) -> None:
    node = _char_device(tmp_path / "null")
    (tmp_path / "link").symlink_to(node)
    write_output(tmp_path / "link", "report\n")
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert os.readlink(tmp_path / "link") == str(node)
    assert sorted(os.listdir(tmp_path)) == ["link", "null"]


def test_a_fifo_is_written_in_place_and_survives(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader)
    thread.start()
    write_output(fifo, "through the pipe")
    thread.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_symlink_to_a_regular_file_replaces_the_file_and_keeps_the_link(
        tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n")
    (tmp_path / "link.json").symlink_to("real.json")
    write_output(tmp_path / "link.json", "new")
    assert real.read_text() == "new\n"
    assert os.readlink(tmp_path / "link.json") == "real.json"
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


@pytest.mark.parametrize("target, reason", [
    ("missing", "it is a symbolic link to a missing file"),
    ("loop", "it is a symbolic link that cannot be followed (Too many levels of symbolic "
             "links)"),
])
def test_a_dangling_or_looping_symlink_is_refused(tmp_path: Path, target: str,
                                                  reason: str) -> None:
    link = tmp_path / "out.json"
    if target == "loop":
        (tmp_path / "loop").symlink_to("out.json")
    link.symlink_to(target)
    with pytest.raises(OutputError) as caught:
        write_output(link, "x")
    assert str(caught.value) == f"cannot write {link}: {reason}"
    assert os.path.islink(link)


def test_a_long_file_name_still_gets_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / ("r" * 250 + ".json")
    write_output(target, "{}")
    assert target.read_text() == "{}\n"
    assert os.listdir(tmp_path) == [target.name]


def test_dev_stdout_redirected_to_a_file_is_written_in_place(tmp_path: Path) -> None:
    """``-o /dev/stdout`` while stdout is a regular file: the report is appended to that file
    (same inode), never renamed over it."""
    import subprocess
    import sys

    captured = tmp_path / "captured.txt"
    captured.write_text("before\n")
    inode = captured.stat().st_ino
    code = ("from auditor.cli.output import write_output; "
            "print('first', flush=True); write_output('/dev/stdout', 'report')")
    with captured.open("a") as stream:
        subprocess.run([sys.executable, "-c", code], stdout=stream, check=True, timeout=60)
    assert captured.read_text() == "before\nfirst\nreport\n"
    assert captured.stat().st_ino == inode
