"""--new-since plumbing: parsing git's unified diff, and the real git on a temp repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from auditor.policy.gitdiff import (
    changed_lines_since,
    finding_is_changed,
    parse_unified_diff,
    unquote_path,
)
from auditor.util.git import GitError, run_git, uncommitted

PATCH = b"""diff --git a/app/chat.py b/app/chat.py
index 1111111..2222222 100644
--- a/app/chat.py
+++ b/app/chat.py
@@ -3,0 +4,2 @@ class Chat:
+    x = 1
+    y = 2
@@ -10 +12 @@ def f():
-    old
+    new
@@ -20,3 +21,0 @@ def g():
-    gone
-    gone
-    gone
diff --git a/old.py b/new.py
similarity index 100%
rename from old.py
rename to new.py
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-x
diff --git a/model.gguf b/model.gguf
new file mode 100644
Binary files /dev/null and b/model.gguf differ
diff --git "a/sp ace\\tx.py" "b/sp ace\\tx.py"
--- "a/sp ace\\tx.py"
+++ "b/sp ace\\tx.py"
@@ -0,0 +1 @@
+z
"""


def test_parse_unified_diff_collects_added_and_changed_lines() -> None:
    assert parse_unified_diff(PATCH) == {
        "app/chat.py": frozenset({4, 5, 12}),
        "new.py": frozenset(),
        "model.gguf": None,
        "sp ace\tx.py": frozenset({1}),
    }


def test_unquote_path_handles_c_escapes_and_octal_utf8() -> None:
    assert unquote_path('"caf\\303\\251.py"') == "café.py"
    assert unquote_path('"a\\"b"') == 'a"b'
    assert unquote_path("plain.py") == "plain.py"


def test_finding_is_changed_checks_the_whole_span() -> None:
    changed = {"/r/a.py": frozenset({5}), "/r/new.py": None}
    assert finding_is_changed(changed, "/r/a.py", 3, 5)
    assert not finding_is_changed(changed, "/r/a.py", 6, 6)
    assert finding_is_changed(changed, "/r/new.py", 100, 100)
    assert not finding_is_changed(changed, "/r/other.py", 1, 1)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True)


def test_changed_lines_since_on_a_real_repository(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "a.py").write_text("one\ntwo\nthree\n")
    (repo / "moved.py").write_text("same\ncontent\n")
    (repo / ".gitignore").write_text("ignored.py\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    (repo / "src" / "a.py").write_text("one\nTWO\nthree\nfour\n")
    git(repo, "mv", "moved.py", "renamed.py")
    (repo / "untracked.py").write_text("new\n")
    (repo / "ignored.py").write_text("ignored\n")
    real = os.path.realpath(repo)
    changed = changed_lines_since("HEAD", [str(repo / "src")])
    assert changed == {
        os.path.join(real, "src", "a.py"): frozenset({2, 4}),
        os.path.join(real, "renamed.py"): frozenset(),
        os.path.join(real, "untracked.py"): None,
    }


def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not inside one"):
        changed_lines_since("HEAD", [str(tmp_path)])
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    with pytest.raises(GitError, match="unknown git revision 'HEAD'"):
        changed_lines_since("HEAD", [str(repo)])  # no commit yet
    with pytest.raises(GitError, match="invalid git revision '--all'"):
        changed_lines_since("--all", [str(repo)])


def test_run_git_takes_an_argument_list_never_a_shell(tmp_path: Path) -> None:
    done = run_git(["rev-parse", "--show-toplevel;", "echo", "pwned"], tmp_path)
    assert done.returncode != 0
    assert b"pwned" not in done.stdout


def test_run_git_errors_say_what_went_wrong(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def too_slow(*args: object, **kwargs: object) -> None:
        raise subprocess.TimeoutExpired("git", 1)

    monkeypatch.setattr(subprocess, "run", too_slow)
    with pytest.raises(GitError, match=r"git status did not finish in 1s"):
        run_git(["status"], tmp_path, timeout=1)
    monkeypatch.undo()
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitError, match=r"^--new-since needs git, and git is not installed$"):
        changed_lines_since("HEAD", [str(tmp_path)])
    assert uncommitted([tmp_path / "app.py"]) == (
        [], ["git is not installed, so uncommitted changes cannot be checked"])
