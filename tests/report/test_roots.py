"""Root names (``scan --name``, git remote, folder) and SARIF URIs from the repository root."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from auditor.report.roots import remote_repository_name

MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def git_repo(path: Path, remote: str | None = "https://github.com/acme/widget.git") -> Path:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(path), "remote", "add", "origin", remote], check=True)
    (path / "examples" / "deep").mkdir(parents=True)
    (path / "examples" / "chat.py").write_text(f'M = "{MODEL}"\n')
    (path / "examples" / "deep" / "serve.py").write_text(f'\n\nN = "{MODEL}"\n')
    (path / "top.py").write_text(f'T = "{MODEL}"\n')
    return path


def sarif_uris(text: str) -> tuple[dict, list[tuple[str, str, int]]]:
    run = json.loads(text)["runs"][0]
    uris = []
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        uris.append((physical["artifactLocation"]["uriBaseId"],
                     physical["artifactLocation"]["uri"], physical["region"]["startLine"]))
    return run["originalUriBaseIds"], uris


def test_sarif_of_a_subfolder_scan_resolves_from_the_repository_root(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "widget")
    monkeypatch.chdir(repo)
    done = run_cli(["scan", "examples", "--format", "sarif", "-q"])
    assert done.code == 1
    bases, uris = sarif_uris(done.out)
    assert uris == [("%SRCROOT%", "examples/chat.py", 1),
                    ("%SRCROOT%", "examples/deep/serve.py", 3)]
    assert list(bases) == ["%SRCROOT%"]
    for _, uri, _ in uris:
        assert (repo / uri).is_file()
    # from inside the folder, and with an absolute path: the same URIs; absolute gives the URI
    monkeypatch.chdir(repo / "examples")
    assert sarif_uris(run_cli(["scan", ".", "--format", "sarif", "-q"]).out)[1] == uris
    bases, absolute = sarif_uris(run_cli(
        ["scan", str(repo / "examples"), "--format", "sarif", "-q"]).out)
    assert absolute == uris
    assert bases["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_two_roots_of_one_repository_share_the_repository_base(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "widget")
    monkeypatch.chdir(repo / "examples")
    done = run_cli(["scan", "deep", "../top.py", "--format", "sarif", "-q"])
    bases, uris = sarif_uris(done.out)
    assert list(bases) == ["%SRCROOT%"]
    assert sorted(uris) == [("%SRCROOT%", "examples/deep/serve.py", 3),
                            ("%SRCROOT%", "top.py", 1)]


def test_outside_git_uris_stay_relative_to_the_root(tmp_path: Path, run_cli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "a.py").write_text(f'M = "{MODEL}"\n')
    monkeypatch.chdir(tmp_path)
    done = run_cli(["scan", "plain", "--format", "json", "-q"])
    assert json.loads(done.out)["root_info"] == [
        {"root": "plain", "name": "plain", "repo_path": None, "top": None}]
    assert sarif_uris(run_cli(["scan", "plain", "--format", "sarif", "-q"]).out)[1] == [
        ("%SRCROOT%", "a.py", 1)]


def test_default_names_come_from_the_remote_then_the_folder(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo(tmp_path / "widget-checkout")
    git_repo(tmp_path / "local", remote=None)
    monkeypatch.chdir(tmp_path)
    done = run_cli(["scan", "widget-checkout", "widget-checkout/examples", "local",
                    "--format", "json", "-q"])
    info = json.loads(done.out)["root_info"]
    assert [(i["name"], i["repo_path"], i["top"]) for i in info] == [
        ("widget", "", "widget-checkout"),
        ("widget/examples", "examples", "widget-checkout"),
        ("local", "", "local")]


def test_scan_name_names_the_roots_and_must_fit_them(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo(tmp_path / "widget")
    monkeypatch.chdir(tmp_path / "widget")
    done = run_cli(["scan", ".", "--name", "svc-widget", "--format", "json", "-q"])
    assert [i["name"] for i in json.loads(done.out)["root_info"]] == ["svc-widget"]
    done = run_cli(["scan", ".", "examples", "--name", "one"])
    assert done.code == 2
    assert "--name was given 1 time(s) for 2 path(s)" in done.err
    done = run_cli(["scan", ".", "examples", "--name", "x", "--name", "x"])
    assert done.code == 2
    assert "paths '.' and 'examples' are both named 'x'" in done.err


@pytest.mark.parametrize(("url", "name"), [
    ("https://github.com/meta-llama/llama-cookbook.git", "llama-cookbook"),
    ("git@github.com:org/svc", "svc"),
    ("ssh://git@host:2222/group/sub/repo.git/", "repo"),
    ("", ""),
])
def test_remote_repository_name(url: str, name: str) -> None:
    assert remote_repository_name(url) == name
