"""A finding's message follows its role: a dataset id, label, path or registry key never says
"Llama model '...' is named here" (``[role_outcome]`` messages in rules/python.toml), in the
scan and in the re-scan list after ``fix --write``. A kept role (label, dataset, path, help
text) gets no replacement; a registry key keeps the suggestions a person may rename it to."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from auditor.cli.main import cli
from tests.fix_helpers import git, run_fix

APP = '''import logging
from datasets import load_dataset
from transformers import AutoModelForCausalLM

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
ds = load_dataset("meta-llama/Llama-3.2-1B-Instruct-evals")
logging.info("loading meta-llama/Llama-3.1-8B-Instruct")
model = AutoModelForCausalLM.from_pretrained(MODEL)
model.save_pretrained("out/meta-llama/Llama-3.1-8B-Instruct")
SIZES = {"Llama-30B": 30, "Llama-65B": 65}
'''

AFTER = [
    "adapt (2):",
    "app.py:10:10  LA101  Registry key 'Llama-30B' (Llama (version not stated) 30B): other code "
    "looks it up by this name",
    "app.py:10:27  LA101  Registry key 'Llama-65B' (Llama (version not stated) 65B): other code "
    "looks it up by this name",
    "keep (3):",
    "app.py:6:19  LA101  Dataset 'meta-llama/Llama-3.2-1B-Instruct-evals' is named after Llama "
    "3.2 1B instruct: a dataset, not a model",
    "app.py:7:23  LA101  Label or log text 'meta-llama/Llama-3.1-8B-Instruct' mentions Llama 3.1 "
    "8B instruct: it names Llama without loading it",
    "app.py:9:23  LA101  Path or output directory 'out/meta-llama/Llama-3.1-8B-Instruct' is named "
    "after Llama 3.1 8B instruct: renaming it would move files",
]


def test_scan_messages_follow_the_role_and_kept_roles_get_no_replacement(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    done = CliRunner().invoke(cli, ["scan", str(tmp_path), "--format", "json", "--exit-zero",
                                    "-q", "--no-cache"])
    assert done.exit_code == 0, done.output
    rows = [(f["line"], f["role"], f["message"], len(f["suggestions"]))
            for f in json.loads(done.stdout)["findings"] if f.get("identifier")]
    assert rows == [
        (5, "model-reference", "Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B "
         "instruct) is named here", 3),
        (6, "dataset", "Dataset 'meta-llama/Llama-3.2-1B-Instruct-evals' is named after Llama "
         "3.2 1B instruct: a dataset, not a model", 0),
        (7, "label", "Label or log text 'meta-llama/Llama-3.1-8B-Instruct' mentions Llama 3.1 8B "
         "instruct: it names Llama without loading it", 0),
        (8, "model-reference", "from_pretrained loads Llama model 'meta-llama/Llama-3.1-8B-"
         "Instruct' (Llama 3.1 8B instruct)", 3),
        (9, "path", "Path or output directory 'out/meta-llama/Llama-3.1-8B-Instruct' is named "
         "after Llama 3.1 8B instruct: renaming it would move files", 0),
        (10, "registry-key", "Registry key 'Llama-30B' (Llama (version not stated) 30B): other "
         "code looks it up by this name", 3),
        (10, "registry-key", "Registry key 'Llama-65B' (Llama (version not stated) 65B): other "
         "code looks it up by this name", 3),
    ]


def test_the_rescan_after_fix_lists_role_messages(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    run = run_fix([".", "--write"], root)
    assert run.code == 0, run.err
    after = run.err.split("0 of them swaps:\n", 1)[1].splitlines()
    assert [line.strip() for line in after] == AFTER
    assert "is named here" not in run.err.split("After the rewrite", 1)[1]
