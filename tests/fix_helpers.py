"""Shared helpers for the ``fix`` tests: run the command, copy cases, make git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from auditor.cli.fix import fix_command

FIX_DATA = Path(__file__).resolve().parent / "data" / "fix"
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
BEDROCK_OVERRIDE = "us.meta.llama3-3-70b-instruct-v1:0=qwen.qwen3-235b-a22b-2507-v1:0"
"""A Bedrock id for the demo: the bundled catalog records no Bedrock ids for its candidates.
The id is the one AWS lists for Qwen3 235B A22B 2507 (Bedrock Qwen model cards)."""


@dataclass
class FixRun:
    code: int
    out: str
    err: str


def run_fix(args: Sequence[str], cwd: Path) -> FixRun:
    """Run ``fix_command`` as the CLI would, from ``cwd`` (paths in the diff are relative)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(fix_command, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return FixRun(result.exit_code, result.stdout, result.stderr)


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (outside .git) and its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def git_repo(root: Path) -> Path:
    """Make ``root`` a git repository with everything in it committed."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root
