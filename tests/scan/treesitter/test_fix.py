"""`fix` on sources in other languages: the literal is swapped in place, the file re-parses
with tree-sitter, and a rewrite that would not parse is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.scan.treesitter import check_parses
from tests.fix_helpers import copy_tree, run_fix

ISSUE = Path(__file__).resolve().parents[3] / "fixtures" / "languages" / "issue19"


def test_fix_swaps_model_ids_in_typescript_and_go(tmp_path: Path) -> None:
    root = copy_tree(ISSUE, tmp_path / "repo")
    run = run_fix([".", "--write", "--allow-dirty", "-q"], root)
    assert run.code in (0, 1), run.err
    chat = (root / "web" / "chat.ts").read_text(encoding="utf-8").splitlines()
    # Together's own model list (as read for the catalog) has no replacement: a note, no swap
    assert chat[6] == ("  // llama-audit: todo[LA102] the Llama model named here was not "
                       "replaced: together does not")
    assert chat[13] == ('  const out = await client.chat.completions.create({ model: '
                        '"meta-llama/Llama-3.3-70B-Instruct-Turbo", messages });')
    assert chat[14] == '  const local = new ChatOllama({ model: "gemma4:e4b" });'
    go = (root / "go" / "main.go").read_text(encoding="utf-8").splitlines()
    assert go[4] == 'const model = "google/gemma-4-E4B-it"'
    java = (root / "App.java").read_text(encoding="utf-8")
    assert "// llama-audit: todo[LA101]" in java  # no Bedrock id in the catalog: a note
    for rel, fmt in (("web/chat.ts", "typescript"), ("go/main.go", "go"),
                     ("App.java", "java")):
        check_parses(fmt, (root / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("typescript", 'const m = "x";', 'const m = "x;'),
    ("javascript", "f({ model: 'x' });", "f({ model: 'x' );"),
    ("go", 'package m\nconst x = "a"\n', 'package m\nconst x = "a\n'),
    ("rust", 'const X: &str = "a";', 'const X: &str = "a;'),
    ("java", 'class A { String m = "a"; }', 'class A { String m = "a; }'),
    ("kotlin", 'val m = "a"', 'val m = "a'),
    ("vue", '<script>\nconst m = "a";\n</script>', '<script>\nconst m = "a;\n</script>'),
])
def test_check_parses(fmt: str, good: str, bad: str) -> None:
    check_parses(fmt, good)
    with pytest.raises(ValueError, match="syntax error at line"):
        check_parses(fmt, bad)
