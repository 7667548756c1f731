"""``scan --online`` and ``fix --online --write`` against a Hub that lies, floods, echoes the
token and hangs (issue 16), as a user runs them: the installed console script in its own
process, ``HF_ENDPOINT`` pointing at the fake Hub on 127.0.0.1. Each run must end by itself
(a 60 s subprocess timeout proves "did not hang"); the files it writes must hold nothing but
valid ids, exactly what the offline run writes; no token may appear in any output, report or
cache file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.enrich import hostile_hub as hh
from tests.fix_helpers import git, git_repo

DEMO = Path(__file__).parents[2] / "fixtures" / "demo"
SCRIPT = Path(sys.executable).parent / "llama-audit"
TOKEN = "s3cr3t-Token-Value-0042"
HF_SHAPED = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"
OUTPUTS = ("--json-output", "--sarif-output", "--markdown-output", "--html-output",
           "--spdx-output", "--gitlab-output",
           "--cyclonedx-output")
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"

pytestmark = pytest.mark.slow


def build_tree(root: Path) -> Path:
    import shutil

    shutil.copytree(DEMO, root)
    (root / "serve.sh").write_text(f"#!/bin/sh\nvllm serve {LLAMA} --port 8000\n")
    (root / ".env").write_text(f"MODEL_ID={LLAMA}\n")
    (root / "compose.yaml").write_text(
        "services:\n  llm:\n    image: vllm/vllm-openai\n"
        f'    command: ["--model", "{LLAMA}"]\n')
    (root / "deploy" / "Dockerfile.vllm").write_text(
        f"FROM vllm/vllm-openai\nCMD vllm serve {LLAMA}\n")
    return git_repo(root)


def lying(server: hh.HostileServer) -> None:
    """Every model the demo leads to gets a hostile answer."""
    hh.gzip_bomb()  # made once, before the run
    server.default = hh.injected_id
    server.scripts.update({
        "Qwen/Qwen3.5-9B": hh.echo_token,
        "mistralai/Ministral-3-8B-Instruct-2512": hh.wrong_types,
        LLAMA: hh.unauthorised,
        "Qwen/Qwen3Guard-Gen-8B": hh.bomb,
        "google/gemma-4-31B-it": hh.huge_undeclared,
        "meta-llama/Llama-Guard-3-8B": hh.retry_after(429, 3600),
    })


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def environment(tmp_path: Path, endpoint: str, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "LLAMA_AUDIT_")) and k != "PYTHONPATH"}
    return env | {"HF_ENDPOINT": endpoint, "HF_TOKEN": token, "HF_HOME": str(tmp_path / "hf"),
                  "LLAMA_AUDIT_CACHE_DIR": str(tmp_path / "cache"),
                  "LLAMA_AUDIT_HUB_RETRIES": "1"}


def no_secret_anywhere(tmp_path: Path, *texts: str) -> None:
    for text in texts:
        assert TOKEN not in text and HF_SHAPED not in text and "\x1b" not in text
    for path in tmp_path.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            data = path.read_bytes()
            assert TOKEN.encode() not in data and HF_SHAPED.encode() not in data, path


@pytest.mark.parametrize("token", [TOKEN, HF_SHAPED])
def test_scan_online_against_a_lying_hub(tmp_path: Path, token: str) -> None:
    tree = build_tree(tmp_path / "tree")
    out = tmp_path / "out"
    out.mkdir()
    with hh.hostile_hub() as server:
        lying(server)
        env = environment(tmp_path, server.endpoint, token)
        args = ["scan", ".", "--online", "--format", "json", "-o", str(out / "main.json")]
        for option in OUTPUTS:
            args += [option, str(out / option.strip("-"))]
        done = run(args, tree, env)
        assert done.returncode == 1, done.stderr
        assert server.requests and all(
            headers.get("Authorization") == f"Bearer {token}" for _, headers in server.requests)
    no_secret_anywhere(tmp_path, done.stdout, done.stderr)
    report = (out / "main.json").read_text()
    assert "touch" not in report and "***" in report  # the echoed token, masked
    hub_ids = set(re.findall(r'"hub_id": "([^"]*)"', report))
    assert hub_ids and all(re.fullmatch(r"[\w.-]+/[\w.-]+", i) for i in hub_ids), hub_ids


def test_fix_online_write_writes_what_the_offline_fix_writes(tmp_path: Path) -> None:
    offline_tree = build_tree(tmp_path / "offline")
    online_tree = build_tree(tmp_path / "online")
    env = environment(tmp_path, "http://127.0.0.1:9", TOKEN)
    done = run(["fix", "--write", "."], offline_tree, env)
    assert done.returncode == 1, done.stderr  # the bedrock references are left
    with hh.hostile_hub() as server:
        lying(server)
        env = environment(tmp_path, server.endpoint, TOKEN)
        online = run(["fix", "--online", "--write", "."], online_tree, env)
        assert online.returncode == 1, online.stderr
        assert len(server.requests) >= 6
    # every Hub answer was refused, so the snapshot decided: the same rewrite, byte for byte
    assert git(online_tree, "diff") == git(offline_tree, "diff")
    diff = git(online_tree, "diff")
    assert "vllm serve google/gemma-4-E4B-it --port 8000" in diff
    for bad in ("touch", ";", "RUN touch", "evil"):
        assert not any(bad in line for line in diff.splitlines()
                       if line.startswith("+") and not line.startswith("+++")
                       and "llama-audit:" not in line), bad
    no_secret_anywhere(tmp_path, online.stdout, online.stderr)


def test_a_hanging_hub_ends_at_the_run_deadline(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree")
    with hh.hostile_hub() as server:
        server.default = hh.drip_headers
        env = environment(tmp_path, server.endpoint, TOKEN) | {
            "LLAMA_AUDIT_HUB_DEADLINE": "2", "LLAMA_AUDIT_HUB_TIMEOUT": "30"}
        done = run(["scan", ".", "--online", "--format", "json"], tree, env)
    assert done.returncode == 1, done.stderr
    assert '"code": "hub-timeout"' in done.stdout and '"code": "hub-skipped"' in done.stdout
    assert ("live lookups skipped after the 2s Hub deadline of this run "
            "(LLAMA_AUDIT_HUB_DEADLINE) was reached (") in done.stdout
