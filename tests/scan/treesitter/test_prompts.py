"""Llama's prompt format in JavaScript/TypeScript, Go, Rust, Java and Kotlin
(fixtures/languages/prompts): special token ids used as stop/end ids (LA107), chat templates
selected by name or by a node-llama-cpp chat wrapper (LA108), hand-written markup and [INST]
near a Llama 2 marker (LA106): exact rows, and look-alikes that produce nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.scan.runner import scan_paths
from auditor.scan.treesitter.prompts import integer_value
from tests.deps_helpers import write

PROMPTS = Path(__file__).resolve().parents[3] / "fixtures" / "languages" / "prompts"

EXPECTED = [  # (path, line, column, identifier, rule)
    ("go/main.go", 5, 22, "llama-3.1", "LA108"),
    ("go/main.go", 7, 24, "128001", "LA107"),
    ("go/main.go", 7, 32, "128008", "LA107"),
    ("go/main.go", 7, 40, "128009", "LA107"),
    ("go/main.go", 15, 32, "llama3", "LA108"),
    ("go/main.go", 15, 61, "128009", "LA107"),
    ("go/main.go", 16, 12, "<|start_header_id|>", "LA106"),
    ("go/main.go", 16, 68, "<|eot_id|>", "LA106"),
    ("java/App.java", 1, 8, "de.kherud.llama.ModelParameters", "LA105"),
    ("java/App.java", 6, 57, "128001", "LA107"),
    ("java/App.java", 6, 65, "128009", "LA107"),
    ("java/App.java", 7, 40, "llama2", "LA108"),
    ("java/App.java", 10, 72, "llama3", "LA108"),
    ("java/App.java", 11, 20, "128009", "LA107"),
    ("java/App.java", 12, 25, "<|begin_of_text|>", "LA106"),
    ("kotlin/Chat.kt", 1, 27, "128001", "LA107"),
    ("kotlin/Chat.kt", 1, 35, "128009", "LA107"),
    ("kotlin/Chat.kt", 2, 18, "llama-3", "LA108"),
    ("kotlin/Chat.kt", 4, 28, "<|start_header_id|>", "LA106"),
    ("rust/src/main.rs", 1, 5, "llama_cpp_2::model::LlamaModel", "LA105"),
    ("rust/src/main.rs", 3, 29, "llama3", "LA108"),
    ("rust/src/main.rs", 4, 34, "128001", "LA107"),
    ("rust/src/main.rs", 4, 43, "128009", "LA107"),
    ("rust/src/main.rs", 7, 25, "128009", "LA107"),
    ("rust/src/main.rs", 8, 26, "<<SYS>>", "LA106"),
    ("web/chat.ts", 1, 56, "node-llama-cpp", "LA105"),
    ("web/chat.ts", 3, 19, "128001", "LA107"),
    ("web/chat.ts", 3, 27, "128009", "LA107"),
    ("web/chat.ts", 4, 34, "llama3", "LA108"),
    ("web/chat.ts", 4, 59, "128009", "LA107"),
    ("web/chat.ts", 7, 10, "<<SYS>>", "LA106"),
    ("web/chat.ts", 15, 10, "[INST]", "LA106"),
    ("web/chat.ts", 19, 67, "Llama3_1ChatWrapper", "LA108"),
]


def _rows(root: Path) -> list[tuple[str, int, int, str | None, str]]:
    result = scan_paths([root])
    assert list(result.diagnostics) == []
    return sorted((f.path, f.line, f.column, f.identifier, f.rule_id) for f in result.findings)


def test_every_language_gives_exact_rows() -> None:
    rows = _rows(PROMPTS)
    assert [r for r in rows if not r[0].startswith("lookalike/")] == EXPECTED


def test_lookalikes_produce_nothing() -> None:
    """Ids under other names (a port, a seed, max context), ids in strings, non-Llama template
    names, `format: "llama3"`, a comparison with "llama3", [INST] without a Llama 2 marker
    (Mistral's format), GemmaChatWrapper."""
    assert len(list((PROMPTS / "lookalike").iterdir())) == 4
    assert _rows(PROMPTS / "lookalike") == []


def test_the_span_is_what_is_written() -> None:
    for finding in scan_paths([PROMPTS]).findings:
        line = (PROMPTS / finding.path).read_text(encoding="utf-8").splitlines()[finding.line - 1]
        written = line[finding.column - 1:finding.end_column - 1]
        if finding.rule_id == "LA107":
            assert integer_value(written) == int(finding.identifier or ""), finding
        elif finding.rule_id == "LA108" and finding.identifier[0].isupper():  # type: ignore[index]
            assert written == finding.identifier, finding  # the class, at its name
        elif finding.rule_id == "LA108":
            assert written.strip("\"'`") == finding.identifier, finding
        elif finding.rule_id == "LA106":  # the whole literal, possibly over several lines
            lines = (PROMPTS / finding.path).read_text(encoding="utf-8").splitlines()
            text = "\n".join([line[finding.column - 1:], *lines[finding.line:finding.end_line]])
            assert written[0] in "\"'`" and finding.identifier in text, finding


def test_messages_name_the_key_that_selects_the_template() -> None:
    by_place = {(f.path, f.line): f for f in scan_paths([PROMPTS]).findings
                if f.rule_id == "LA108"}
    assert by_place[("web/chat.ts", 4)].message == (
        "Chat template 'llama3' selected by name (promptFormat): it formats prompts the "
        "Llama way")
    assert by_place[("web/chat.ts", 19)].message == (
        "Chat template 'Llama3_1ChatWrapper' selected by name (chatWrapper): it formats "
        "prompts the Llama way")
    assert by_place[("java/App.java", 10)].message == (
        "Chat template 'llama3' selected by name (setChatTemplate): it formats prompts the "
        "Llama way")
    assert {f.role for f in by_place.values()} == {"template-selection"}


@pytest.mark.parametrize(("written", "value"), [
    ("128009", 128009), ("128_009", 128009), ("0x1F409", 128009), ("0x1f409", 128009),
    ("128009u32", 128009), ("128009L", 128009), ("128009n", 128009), ("0o372011", 128009),
    ("0b11111010000001001", 128009), ("1.5", None), ("12e3", None), ("abc", None),
    ("0372011", 128009), ("0755", 0o755), ("0", 0), ("00", 0), ("0128009", 128009),
])
def test_integer_value(written: str, value: int | None) -> None:
    assert integer_value(written) == value


def test_a_leading_zero_is_decimal_in_rust() -> None:
    assert integer_value("0372011", legacy_octal=False) == 372011
    assert integer_value("0x1F409", legacy_octal=False) == 128009


def test_inst_counts_only_near_a_llama2_marker(tmp_path: Path) -> None:
    far = "\n" * 11
    write(tmp_path, {
        "near.ts": 'const a = "<<SYS>>";\nconst b = "[INST] hi [/INST]";\n',
        "far.ts": f'const a = "<<SYS>>";{far}const b = "[INST] hi [/INST]";\n',
        "alone.go": 'package p\n\nconst q = "[INST] hi [/INST]"\n',
    })
    assert _rows(tmp_path) == [
        ("far.ts", 1, 11, "<<SYS>>", "LA106"),
        ("near.ts", 1, 11, "<<SYS>>", "LA106"),
        ("near.ts", 2, 11, "[INST]", "LA106"),
    ]


def test_a_file_with_only_a_stop_id_is_parsed(tmp_path: Path) -> None:
    """The file-level prefilter (scan/prefilter.py, shared with Python) and the tree-sitter
    look before the parse let ids through in any notation (tests/scan/test_prefilter.py has
    one file per notation and language); a seed with the same value gives nothing."""
    write(tmp_path, {"stop.go": "package p\n\nvar EOTTokenID = 128009\n",
                     "hex.rs": "const EOS_TOKEN_ID: u32 = 0x1F409;\n",
                     "seed.rs": "const SEED: u64 = 0x1F409;\n"})
    assert _rows(tmp_path) == [("hex.rs", 1, 27, "128009", "LA107"),
                               ("stop.go", 3, 18, "128009", "LA107")]
    from auditor.ruleset.load import load_ruleset
    from auditor.scan.treesitter import may_have_findings
    rules = load_ruleset()
    for text in ("x = 128009", "x = 128_009", "x = 0x1F409", "x = 128009u32", "x = 128009L",
                 "x = 0o372011", "x = 0372011", "x = 0b11111010000001001", "x = 128009usize",
                 "x = 128009uL", "x = 0x0001_F409"):
        assert may_have_findings(text, "rust", rules), text
    for text in ("x = 1280090", "x = 2128009", "x = 128009.5", "v1.128009", "x = 0x1F4090"):
        assert not may_have_findings(text, "rust", rules), text


def test_sarif_reports_the_prompt_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        run_cli: Any) -> None:
    monkeypatch.chdir(PROMPTS)
    out = tmp_path / "out.json"
    done = run_cli(["scan", ".", "--no-config", "--no-cache", "-q", "--exit-zero",
                    "--format", "json", "-o", str(out), "--exclude", "lookalike/"])
    assert done.code == 0
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert sorted((f["path"], f["line"], f["column"], f["identifier"], f["rule_id"])
                  for f in findings) == EXPECTED
    assert {f["rule_id"]: f["severity"] for f in findings if f["rule_id"] in
            ("LA106", "LA107", "LA108")} == {"LA106": "medium", "LA107": "medium",
                                             "LA108": "medium"}


def test_fix_lists_them_as_manual_steps_and_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any) -> None:
    import shutil
    root = tmp_path / "tree"
    shutil.copytree(PROMPTS, root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    monkeypatch.chdir(root)
    done = run_cli(["fix", ".", "--no-config", "--write", "--allow-dirty"])
    assert done.code == 0, done.err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert f"0 rewrite(s) in 0 file(s), 0 swap(s) not replaced, {len(EXPECTED) - 3} manual " \
        "step(s)" in done.out + done.err


def test_kotlin_to_pairs_are_read_as_keys(tmp_path: Path) -> None:
    """``"eos" to 128009`` (in ``mapOf``, ``listOf``) is a key/value pair like a named
    argument; under another key (a port, max tokens, a seed), as a range (``until``) or a
    ``format`` value it gives nothing."""
    write(tmp_path, {"Cfg.kt": (
        'val gen = mapOf("eos" to 128009, "stop" to listOf(128009, 128001))\n'
        'val ports = mapOf("port" to 128009, "maxTokens" to 128008)\n'
        "val range = 1 until 128009\n"
        'val chat = mapOf("chatTemplate" to "llama3", "format" to "llama3")\n'
        'val opts = listOf("seed" to 128009, "eos_token_id" to 128001)\n')})
    assert _rows(tmp_path) == [
        ("Cfg.kt", 1, 26, "128009", "LA107"),
        ("Cfg.kt", 1, 51, "128009", "LA107"),
        ("Cfg.kt", 1, 59, "128001", "LA107"),
        ("Cfg.kt", 4, 36, "llama3", "LA108"),
        ("Cfg.kt", 5, 55, "128001", "LA107"),
    ]
    messages = {f.line: f.message for f in scan_paths([tmp_path]).findings}
    assert messages[4] == ("Chat template 'llama3' selected by name (chatTemplate): it "
                           "formats prompts the Llama way")
