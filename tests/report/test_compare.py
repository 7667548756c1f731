"""``report --compare``: fixed, new and remaining since a saved result, and a burn-down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fix_helpers import BEDROCK_OVERRIDE, DEMO, copy_tree, git, git_repo, run_fix


@pytest.fixture
def before_after(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """fixtures/demo scanned, then 'fix --write', committed, and scanned again."""
    root = git_repo(copy_tree(DEMO, tmp_path / "demo"))
    saved = tmp_path / "saved"
    saved.mkdir()
    monkeypatch.chdir(root)
    assert run_cli(["scan", ".", "--format", "json", "-o", str(saved / "before.json"),
                    "--exit-zero", "-q"]).code == 0
    fixed = run_fix([".", "--write", "--model", BEDROCK_OVERRIDE], root)
    assert fixed.code == 0, fixed.err
    git(root, "commit", "-qam", "fix")
    (root / "chatbot" / "extra.py").write_text('M = "meta-llama/Llama-3.1-8B-Instruct"\n')
    assert run_cli(["scan", ".", "--format", "json", "-o", str(saved / "after.json"),
                    "--exit-zero", "-q"]).code == 0
    monkeypatch.chdir(saved)
    return saved


def test_compare_counts_fixed_new_and_remaining(before_after: Path, run_cli) -> None:
    before = json.loads((before_after / "before.json").read_text())["findings"]
    after = json.loads((before_after / "after.json").read_text())["findings"]
    # with the README code block (LA305, info); the 3 guard findings are adapt, not fixed
    assert (len(before), len(after)) == (24, 12)
    done = run_cli(["report", "after.json", "--compare", "before.json"])
    assert done.code == 0, done.err
    head = done.out.splitlines()
    assert head[0] == "Since before.json: 13 fixed, 1 new, 11 remaining"
    assert head[2] == "Fixed (13):"
    fixed = done.out.split("Fixed (13):\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert sorted({line.split()[1] for line in fixed}) == [
        "LA101", "LA102", "LA103", "LA201", "LA301", "LA302"]
    new = done.out.split("New (1):\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[:2] for line in new] == [
        ["chatbot/extra.py:1", "LA101"]]
    markdown = run_cli(["report", "after.json", "--compare", "before.json",
                        "--format", "markdown"]).out
    assert markdown.startswith("### Progress since before.json\n\n| Fixed | New | Remaining |\n"
                               "| ---: | ---: | ---: |\n| 13 | 1 | 11 |\n")
    html = run_cli(["report", "after.json", "--compare", "before.json",
                    "--format", "html"]).out
    assert html.index('<section id="progress">') < html.index('<section id="summary">')
    assert ('<div class="num">13</div><div class="lbl">fixed</div>' in html
            and '<div class="num">1</div><div class="lbl">new</div>' in html)


def test_a_series_gives_a_burn_down(before_after: Path, run_cli) -> None:
    done = run_cli(["report", "after.json", "--compare", "before.json", "--compare",
                    "before.json", "--format", "text"])
    trend = done.out.split("Findings over time (burn-down):\n", 1)[1].splitlines()[:3]
    assert [line.split()[:2] for line in trend] == [
        ["before.json", "24"], ["before.json", "24"], ["after.json", "12"]]
    html = run_cli(["report", "after.json", "--compare", "before.json", "--compare",
                    "before.json", "--format", "html"]).out
    assert 'aria-label="Findings over time (burn-down)"' in html


def test_compare_needs_a_human_format(before_after: Path, run_cli) -> None:
    done = run_cli(["report", "after.json", "--compare", "before.json", "--format", "json"])
    assert done.code == 2
    assert "--compare works with --format text, markdown or html" in done.err
