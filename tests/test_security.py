"""The scanned tree is untrusted: scanning never runs it, never phones home, never leaks the
Hub token, and nothing from it can break out of a report.

Every trap below writes a marker file if anything executes, imports, installs or shells out to
it. The network guard records every attempt to resolve or connect and refuses it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .conftest import FIXTURES, PROJECT
from .hostile.corpus import LLAMA_ID, MODEL_LINE, write

TOKEN = "hf_SeCrEtToKeN0123456789abcdefABCDEFxyz"
FORMAT_OPTIONS = ("--json-output", "--sarif-output", "--markdown-output", "--html-output",
                  "--spdx-output", "--gitlab-output",
                  "--cyclonedx-output")


def _trap(marker: Path, name: str) -> str:
    """Python that leaves ``marker/name`` behind if it ever runs (builtins only, so that one
    trap shadowing a module such as ``re`` cannot disarm the others)."""
    return f"open({str(marker / name)!r}, 'w').write('ran')"


def build_traps(root: Path, marker: Path) -> Path:
    """A repository whose every file would leave a marker if it were run or imported."""
    marker.mkdir(parents=True, exist_ok=True)
    py = {name: f"{_trap(marker, name)}\n{MODEL_LINE}" for name in (
        "conftest.py", "sitecustomize.py", "usercustomize.py", "__init__.py", "noxfile.py",
        "manage.py", "backend.py", "__main__.py",
        # names that shadow modules the scanner itself imports
        "json.py", "yaml.py", "libcst.py", "click.py", "tomllib.py", "pathspec.py", "re.py",
        "pkg/__init__.py", "pkg/models.py",
    )}
    for rel, text in py.items():
        write(root / rel, text)
    write(root / "setup.py", f"{_trap(marker, 'setup.py')}\nfrom setuptools import setup\n"
                             "setup(name='trap', install_requires=['llama-models'])\n")
    write(root / "evil.pth", "import os; " + _trap(marker, "evil.pth") + "\n")  # site runs it
    write(root / "pyproject.toml",
          '[build-system]\nrequires = ["llama-models"]\nbuild-backend = "backend"\n'
          'backend-path = ["."]\n[project]\nname = "trap"\ndependencies = ["llama-models"]\n')
    write(root / "requirements.txt", "-e .\nllama-models==0.1.0\n")
    write(root / "notebook.ipynb", json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": [_trap(marker, "notebook") + "\n", f'm = "{LLAMA_ID}"\n',
                              f"!touch {marker}/notebook-shell\n"]}],
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    write(root / "config.yaml",
          f"model: {LLAMA_ID}\n"
          f"boom: !!python/object/apply:os.system [\"touch {marker}/yaml\"]\n")
    write(root / "run.sh", f"#!/bin/sh\ntouch {marker}/shell\nollama run llama3.1:8b\n")
    write(root / "Dockerfile", f"FROM python:3.11\nRUN touch {marker}/docker\n"
                               f"ENV MODEL={LLAMA_ID}\n")
    write(root / ".env", f"MODEL=$(touch {marker}/dotenv){LLAMA_ID}\n")
    write(root / "Makefile", f"all:\n\ttouch {marker}/make\n\techo {LLAMA_ID}\n")
    return root


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from auditor.cli.main import main

    capsys.readouterr()
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    else:  # pragma: no cover - main always exits
        code = 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse, and record, every name lookup and connection this process tries."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record (and refuse) every attempt to start a program."""
    calls: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        raise OSError("process creation blocked by the test")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    for name in ("system", "execv", "execve", "execvp", "execvpe", "posix_spawn",
                 "posix_spawnp", "popen"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    return calls


def _all_outputs(out_dir: Path) -> list[str]:
    args = []
    for option in FORMAT_OPTIONS:
        args += [option, str(out_dir / option.strip("-"))]
    return args


def test_scanning_runs_imports_and_installs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network_attempts: list[Any],
    spawned: list[Any],
) -> None:
    root = build_traps(tmp_path / "repo", tmp_path / "markers")
    before = set(sys.modules)
    code, out, err = _run_cli(["scan", str(root), "--jobs", "1", "--format", "json",
                               *_all_outputs(tmp_path)], capsys)
    assert code == 1, err
    assert sorted(p.name for p in (tmp_path / "markers").iterdir()) == []
    assert spawned == []
    assert network_attempts == []
    leaked = [name for name in set(sys.modules) - before
              if str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(root))]
    assert leaked == []
    found = {(f["path"], f["rule_id"]) for f in json.loads(out)["findings"]}
    # the traps were really read: their Llama references are reported
    assert {("setup.py", "LA201"), ("notebook.ipynb", "LA101"), ("config.yaml", "LA301"),
            ("requirements.txt", "LA201"), ("sitecustomize.py", "LA101")} <= found


def test_scanning_from_inside_the_tree_runs_nothing(tmp_path: Path) -> None:
    """A separate interpreter whose working directory is the hostile tree (sitecustomize.py,
    .pth and shadowing modules in reach), scanning with a process pool."""
    root = build_traps(tmp_path / "repo", tmp_path / "markers")
    for index in range(70):  # enough files for the pool
        write(root / "many" / f"m{index}.py", MODEL_LINE)
    # ``python -c`` would put the working directory first on sys.path (Python's doing, not
    # the scanner's; the installed ``llama-audit`` script does not): take it off first.
    launcher = ("import sys; del sys.path[0]; sys.path.insert(0, sys.argv.pop(1)); "
                "import runpy; runpy.run_module('auditor', run_name='__main__')")
    run = subprocess.run(
        [sys.executable, "-c", launcher, str(PROJECT), "scan", ".", "--jobs", "2", "-q",
         "--format", "json"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        | {"LLAMA_AUDIT_CACHE_DIR": str(tmp_path / "cache")})
    assert run.returncode == 1, run.stderr
    assert sorted(p.name for p in (tmp_path / "markers").iterdir()) == []
    assert len(json.loads(run.stdout)["findings"]) > 70


def test_no_network_without_online(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network_attempts: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.example.invalid")
    code, out, err = _run_cli(["scan", str(FIXTURES / "demo"), "--jobs", "1",
                               *_all_outputs(tmp_path)], capsys)
    assert code == 1, err
    assert network_attempts == []
    assert "LA101" in out


def _every_output(tmp_path: Path, out: str, err: str, cache: Path) -> Iterator[tuple[str, str]]:
    yield "stdout", out
    yield "stderr", err
    for option in FORMAT_OPTIONS:
        path = tmp_path / option.strip("-")
        yield path.name, path.read_text(encoding="utf-8")
    for path in cache.rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes().decode("utf-8", "replace")


def test_hf_token_never_appears_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch,
                                        _private_cache: Path) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    code, out, err = _run_cli(["scan", str(FIXTURES / "demo"), "-v", "--jobs", "1",
                               *_all_outputs(tmp_path)], capsys)
    assert code == 1
    for name, text in _every_output(tmp_path, out, err, _private_cache):
        assert TOKEN not in text, name


@pytest.mark.parametrize("status", [401, 429, 500])
def test_hf_token_never_appears_online_even_when_the_hub_fails(
    status: int, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer, _private_cache: Path,
) -> None:
    seen: list[str] = []

    def answer(request: Request) -> Response:
        seen.append(request.headers.get("Authorization", ""))
        headers = {"Retry-After": "0"} if status == 429 else {}
        return Response(json.dumps({"error": f"{TOKEN} is not welcome"}), status=status,
                        headers=headers, content_type="application/json")

    httpserver.expect_request("").respond_with_handler(answer)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("LLAMA_AUDIT_HUB_RETRIES", "0")
    monkeypatch.setenv("LLAMA_AUDIT_HUB_TIMEOUT", "5")
    repo = tmp_path / "repo"
    write(repo / "app.py", MODEL_LINE)
    code, out, err = _run_cli(["scan", str(repo), "--online", "-v", "--jobs", "1",
                               *_all_outputs(tmp_path)], capsys)
    assert code == 1, err
    assert f"Bearer {TOKEN}" in seen  # the token was really in use...
    for name, text in _every_output(tmp_path, out, err, _private_cache):
        assert TOKEN not in text, name  # ...and shows up nowhere else


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_html_report_escapes_every_string_from_the_tree(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    payload = "<script>alert(1)</script>"
    repo = tmp_path / "repo"
    write(repo / f"{payload}.py", f'MODEL = "{LLAMA_ID}"  # {payload}\n')
    write(repo / 'x" onmouseover="alert(2).py', f'MODEL = "{LLAMA_ID}"\n')
    write(repo / "<img src=x onerror=alert(3)>.py", b"\x00\x01\x02binary llama3\x00" * 20)
    write(repo / "requirements.txt", f"llama-models==0.1  # {payload}\n-r <b>missing</b>.txt\n")
    write(repo / "config.yaml", f"model: {LLAMA_ID}\nnote: '{payload}'\n")
    report = tmp_path / "report.html"
    code, out, err = _run_cli(["scan", str(repo), "--format", "html", "-o", str(report), "-v"],
                              capsys)
    assert (code, out) == (1, ""), err
    html = report.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the payload is shown, escaped
    parser = _Tags()
    parser.feed(html)
    tags = [tag for tag, _ in parser.tags]
    assert "script" not in tags and "img" not in tags and "b" not in tags
    handlers = [(tag, name) for tag, attrs in parser.tags for name, _ in attrs
                if name.startswith("on")]
    assert handlers == []


def test_report_paths_stay_inside_the_root(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    write(outside / "secret.txt", "llama-models==0.1\n")
    repo = tmp_path / "repo"
    write(repo / "requirements.txt", "-r ../outside/secret.txt\n-r /etc/passwd\nllama-stack\n")
    write(repo / "sub" / "app.py", MODEL_LINE)
    os.symlink(outside, repo / "link-out")
    os.symlink("/", repo / "link-root")
    code, out, err = _run_cli(["scan", str(repo / "sub" / ".."), "--format", "json"], capsys)
    assert code == 1, err
    data = json.loads(out)
    paths = [f["path"] for f in data["findings"]] + [d["path"] for d in data["diagnostics"]]
    assert paths and all(not p.startswith("/") and ".." not in p.split("/") for p in paths)
    # nothing outside the root was read: its llama-models line gives no finding
    assert {(f["path"], f["rule_id"], f["identifier"]) for f in data["findings"]} == {
        ("requirements.txt", "LA202", "llama-stack"), ("sub/app.py", "LA101", LLAMA_ID)}
    codes = {(d["path"], d["code"]) for d in data["diagnostics"]}
    assert {("link-out", "symlink"), ("link-root", "symlink"),
            ("requirements.txt", "include-outside-root")} <= codes


SHADOWED = ("ast", "re", "enum", "tokenize", "json", "typing", "dataclasses", "pathlib")


def test_python_dash_m_does_not_import_the_current_directory(tmp_path: Path) -> None:
    """``python -m auditor`` run inside a tree of modules named like the standard library's:
    none is imported (Python puts the current directory first on sys.path; the package drops
    it before importing anything, as ``python -P`` does)."""
    root = tmp_path / "repo"
    markers = tmp_path / "markers"
    markers.mkdir()
    for name in SHADOWED:
        write(root / f"{name}.py", f"{_trap(markers, name)}\n{MODEL_LINE}")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    env |= {"PYTHONPATH": str(PROJECT), "LLAMA_AUDIT_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, "-m", "auditor", "scan", ".", "--jobs", "2", "-q",
                          "--format", "json"], cwd=root, capture_output=True, text=True,
                         timeout=300, check=False, env=env)
    assert run.returncode == 1, run.stderr
    assert sorted(p.name for p in markers.iterdir()) == []
    assert sorted(f["path"] for f in json.loads(run.stdout)["findings"]) == sorted(
        f"{name}.py" for name in SHADOWED)


def test_scan_output_on_a_device_node_leaves_the_node(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """``-o`` and ``--*-output`` on a character device (a null device node made in the test's
    own directory, never the machine's /dev/null), a FIFO with a reader, and a symlink to the
    node: each is written in place and is still what it was afterwards."""
    import stat
    import threading

    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"mknod not permitted here: {exc}")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "link").symlink_to(node)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    root = tmp_path / "repo"
    write(root / "app.py", MODEL_LINE)
    code, out, err = _run_cli(["scan", str(root), "--jobs", "1", "--format", "json", "-o",
                               str(node), "--sarif-output", str(fifo), "--html-output",
                               str(tmp_path / "link")], capsys)
    reader.join(timeout=30)
    assert (code, out) == (1, ""), err
    assert stat.S_ISCHR(os.lstat(node).st_mode) and os.lstat(node).st_rdev == os.makedev(1, 3)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.path.islink(tmp_path / "link")
    assert json.loads(got[0])["version"] == "2.1.0"


# -- saved results and caches from outside (issue 16) -----------------------------------------

def _saved_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    root = tmp_path / "repo"
    write(root / "app.py", MODEL_LINE)
    code, out, err = _run_cli(["scan", str(root), "--jobs", "1", "--format", "json", "-q"],
                              capsys)
    assert code == 1, err
    data: dict[str, Any] = json.loads(out)
    return data


ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"


def test_report_of_a_hostile_result_shows_no_escape_sequence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _saved_result(tmp_path, capsys)
    finding = data["findings"][0]
    finding["message"] = ESC + "msg"
    finding["snippet"] = "evil\u202etxt.exe"
    finding["path"] = f"a{ESC}.py"
    data["diagnostics"] = [{"root": data["roots"][0], "path": "x\u202e.py", "code": "odd",
                            "message": ESC, "line": None}]
    saved = tmp_path / "hostile.json"
    saved.write_text(json.dumps(data))
    for fmt in ("text", "markdown", "json", "sarif", "html"):
        code, out, err = _run_cli(["report", str(saved), "--format", fmt, "-v"], capsys)
        assert code == 0, (fmt, err)
        for bad in ("\x1b", "\x07", "\u202e"):
            assert bad not in out and bad not in err, (fmt, bad)
        assert "\ufffd" in out


@pytest.mark.parametrize("mutate, reason", [
    (lambda d: d["findings"][0].update(line="7"), "findings[0].line has the wrong type (str)"),
    (lambda d: d["findings"][0].update(line=True), "findings[0].line must not be true/false"),
    (lambda d: d["findings"][0].update(model=["x"]), "findings[0].model has the wrong type"),
    (lambda d: d["findings"][0].update(details={"k": {"deep": 1}}),
     "findings[0].details.k has the wrong type (dict)"),
    (lambda d: d.update(findings={"a": 1}), "findings has the wrong type (dict)"),
    (lambda d: d.update(roots=[1]), "roots[0] has the wrong type (int)"),
    (lambda d: d["tool"].update(name=["x"]), "tool.name has the wrong type (list)"),
    (lambda d: d["stats"].update(files_by_kind={"python": "many"}),
     "stats.files_by_kind.python has the wrong type (str)"),
    (lambda d: d["findings"][0].update(severity="catastrophic"), "ValueError"),
    (lambda d: d["findings"][0].pop("rule_id"), "'rule_id' is missing"),
])
def test_a_wrong_typed_saved_result_is_one_line_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: Any, reason: str) -> None:
    data = _saved_result(tmp_path, capsys)
    mutate(data)
    saved = tmp_path / "bad.json"
    saved.write_text(json.dumps(data))
    for command in (["report", str(saved)], ["merge", str(saved), str(saved)]):
        code, _out, err = _run_cli(command, capsys)
        assert code == 2, (command, err)
        assert err.count("\n") == 1 and "not a llama-audit JSON result" in err, err
        assert reason in err
        assert "Traceback" not in err


@pytest.mark.parametrize("text, reason", [
    ('{"schema_version": "1.0", "n": ' + "9" * 4301 + "}", "is not JSON: Exceeds the limit"),
    ("[" * 100_000 + "]" * 100_000, "is not JSON: nested too deeply"),
])
def test_unreadable_json_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            text: str, reason: str) -> None:
    saved = tmp_path / "bad.json"
    saved.write_text(text)
    for command in (["report", str(saved)], ["scan", str(tmp_path / "empty"), "--baseline",
                                             str(saved)]):
        (tmp_path / "empty").mkdir(exist_ok=True)
        code, _out, err = _run_cli(command, capsys)
        assert code == 2, (command, err)
        assert err.count("\n") == 1 and "Traceback" not in err, err
    code, _out, err = _run_cli(["report", str(saved)], capsys)
    assert reason in err


@pytest.mark.parametrize("tamper", ["fifo", "dev-zero", "oversized", "wrong-type", "dotdot",
                                    "escape"])
def test_a_tampered_cache_entry_or_index_is_never_served(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], _private_cache: Path,
        tamper: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cache file (the content cache's entries and the warm-scan index) replaced by a
    FIFO, a link to /dev/zero (never written: only opened for reading), an oversized file,
    wrong types, a path with '..' or an escape sequence: the scan ignores it and gives the
    same result as without a cache."""
    import time

    root = tmp_path / "repo"
    write(root / "app.py", MODEL_LINE)
    time.sleep(2.2)  # settled (ctime included): the index trusts the file's stat
    args = ["scan", str(root), "--jobs", "1", "--format", "json", "-q"]
    clean = _run_cli([*args, "--no-cache"], capsys)
    assert _masked(_run_cli(args, capsys)[1]) == _masked(clean[1])  # fills cache and index
    targets = sorted(p for p in _private_cache.rglob("*.json") if "links" not in p.parts)
    assert len(targets) == 2 and "index" in targets[1].parts  # (app.py defines no constant)
    for target in targets:
        data = json.loads(target.read_text())
        target.unlink()
        if tamper == "fifo":
            os.mkfifo(target)
        elif tamper == "dev-zero":
            target.symlink_to("/dev/zero")
        elif tamper == "oversized":  # over the limits, lowered for the test
            monkeypatch.setattr("auditor.scan.index.MAX_INDEX_BYTES", 1 << 20)
            monkeypatch.setattr("auditor.scan.cache.MAX_ENTRY_BYTES", 1 << 20)
            target.write_text(" " * (2 << 20) + json.dumps(data))
        else:
            text = json.dumps(data)
            if tamper == "wrong-type":
                text = text.replace('"line": 1', '"line": "1"')
            elif tamper == "dotdot":
                text = text.replace('"path": "app.py"', '"path": "../../etc/passwd"')
            else:
                text = text.replace("Llama", "\\u001b[31mLlama")
            assert text != json.dumps(data)
            target.write_text(text)
    run = _run_cli(args, capsys)
    assert (run[0], _masked(run[1]), run[2]) == (clean[0], _masked(clean[1]), clean[2])
    for target in targets:
        if target.exists() and target.is_file() and not target.is_symlink():
            target.unlink()


def _masked(report: str) -> str:
    import re

    return re.sub(r'"duration_seconds": [0-9.e+-]+', '"duration_seconds": 0', report)
