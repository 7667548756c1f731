"""Sources in JavaScript/TypeScript (and .vue scripts), Go, Rust, Java and Kotlin: exact rows on
fixtures/languages/sources, look-alikes that produce nothing, and the tree from issue 19."""

from __future__ import annotations

from pathlib import Path

from auditor.discover.filetypes import file_type
from auditor.scan.runner import scan_paths
from auditor.types import FileKind
from tests.deps_helpers import write

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "languages"

EXPECTED = [  # (path, line, column, identifier, rule)
    ("go/main.go", 8, 9, "github.com/go-skynet/go-llama.cpp", "LA105"),
    ("go/main.go", 12, 17, "meta.llama3-70b-instruct-v1:0", "LA101"),
    ("go/main.go", 15, 32, "meta.llama3-70b-instruct-v1:0", "LA102"),
    ("go/main.go", 16, 23, "llama3.1", "LA102"),
    ("go/main.go", 17, 20, "./models/llama-2-7b-chat.Q4_K_M.gguf", "LA101"),
    ("java/App.java", 1, 8, "de.kherud.llama.LlamaModel", "LA105"),
    ("java/App.java", 6, 33, "llama3.1:8b", "LA101"),
    ("java/App.java", 9, 20, "llama3.1:8b", "LA102"),
    ("java/App.java", 10, 23, "meta.llama3-2-11b-instruct-v1:0", "LA102"),
    ("kotlin/Chat.kt", 3, 24, "llama-3.3-70b-versatile", "LA101"),
    ("kotlin/Chat.kt", 7, 12, "llama-3.3-70b-versatile", "LA102"),
    ("rust/src/main.rs", 1, 5, "candle_transformers::models::llama", "LA103"),
    ("rust/src/main.rs", 3, 5, "llama_cpp_2::model::LlamaModel", "LA105"),
    ("rust/src/main.rs", 5, 20, "meta-llama/Llama-3.2-1B-Instruct", "LA101"),
    ("rust/src/main.rs", 9, 16, "meta-llama/Llama-3.2-1B-Instruct", "LA102"),
    ("rust/src/main.rs", 10, 16, "models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "LA101"),
    ("rust/src/main.rs", 11, 26, "<|start_header_id|>", "LA106"),
    ("web/Chat.vue", 8, 21, "llama3.2:3b", "LA102"),
    ("web/chat.ts", 6, 27, "node-llama-cpp", "LA105"),
    ("web/chat.ts", 8, 24, "meta-llama/Llama-3.3-70B-Instruct-Turbo", "LA101"),
    ("web/chat.ts", 12, 41, "llama-3.3-70b-versatile", "LA102"),
    ("web/chat.ts", 13, 41, "meta-llama/Llama-3.3-70B-Instruct-Turbo", "LA102"),
    ("web/chat.ts", 14, 13, "meta-llama/Meta-Llama-3.1-8B-Instruct", "LA102"),
    ("web/chat.ts", 17, 22, "meta.llama3-1-70b-instruct-v1:0", "LA102"),
    ("web/chat.ts", 22, 23, "<|begin_of_text|>", "LA106"),
    ("web/legacy.js", 6, 15, "llama3.1:8b", "LA102"),
    ("web/legacy.js", 7, 10, "llama-3.1-8b-instant", "LA102"),
]


def _rows(root: Path) -> list[tuple[str, int, int, str | None, str]]:
    result = scan_paths([root])
    assert list(result.diagnostics) == []
    return sorted((f.path, f.line, f.column, f.identifier, f.rule_id) for f in result.findings)


def test_every_language_gives_exact_rows() -> None:
    rows = _rows(FIXTURES / "sources")
    assert [r for r in rows if not r[0].startswith("lookalike/")] == EXPECTED


def test_lookalikes_produce_nothing() -> None:
    assert _rows(FIXTURES / "sources" / "lookalike") == []


def test_the_tree_from_the_issue() -> None:
    assert _rows(FIXTURES / "issue19") == [
        ("App.java", 3, 20, "meta.llama3-70b-instruct-v1:0", "LA101"),
        ("go/main.go", 5, 15, "meta-llama/Meta-Llama-3-8B-Instruct", "LA101"),
        ("web/chat.ts", 7, 21, "meta-llama/Llama-3.3-70B-Instruct-Turbo", "LA102"),
        ("web/chat.ts", 8, 17, "llama3.1:8b", "LA102"),
        ("web/package.json", 4, 6, "node-llama-cpp", "LA203"),
        ("web/package.json", 5, 6, "llama-tokenizer-js", "LA201"),
    ]


def test_spans_cover_the_reported_text() -> None:
    for finding in scan_paths([FIXTURES / "sources"]).findings:
        if finding.rule_id in ("LA102", "LA106"):
            continue  # a call or a whole string
        line = (FIXTURES / "sources" / finding.path).read_text(
            encoding="utf-8").splitlines()[finding.line - 1]
        written = line[finding.column - 1:finding.end_column - 1].strip("\"'`")
        assert written == finding.identifier, finding


def test_file_types() -> None:
    for rel, fmt in (("a.js", "javascript"), ("a.mjs", "javascript"), ("a.cjs", "javascript"),
                     ("a.jsx", "javascript"), ("a.ts", "typescript"), ("a.tsx", "tsx"),
                     ("a.vue", "vue"), ("a.svelte", "vue"), ("a.go", "go"), ("a.rs", "rust"),
                     ("A.java", "java"), ("a.kt", "kotlin")):
        assert (file_type(rel).kind, file_type(rel).format) == (FileKind.SOURCE, fmt), rel
    assert file_type("build.gradle.kts").kind is FileKind.MANIFEST


def test_substitutions_and_unresolved_names_are_not_model_ids(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.ts": "const m = `meta-llama/Llama-3.2-${size}-Instruct`;\n"
                "const c = groq(process.env.MODEL);\n",
        "b.kt": 'val m = "meta-llama/Llama-3.1-${size}-Instruct"\n',
    })
    assert _rows(tmp_path) == []


def test_svelte_script_and_not_markup(tmp_path: Path) -> None:
    write(tmp_path, {"Chat.svelte": '<h1>meta-llama/Llama-3.1-8B</h1>\n<script>\n'
                                    '  const MODEL = "meta-llama/Llama-3.1-8B";\n</script>\n'})
    assert _rows(tmp_path) == [("Chat.svelte", 3, 17, "meta-llama/Llama-3.1-8B", "LA101")]


def test_broken_source_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, {"a.go": ")))) ((( {{{ \n" * 3 + 'const m = "meta-llama/Llama-3.1-8B"\n'})
    result = scan_paths([tmp_path])
    assert [d.code for d in result.diagnostics] == ["invalid-source"]


def test_a_go_short_variable_named_model_gives_a_bare_tag_its_context(tmp_path: Path) -> None:
    write(tmp_path, {"main.go": 'package main\n\nfunc main() {\n\tmodel := "llama3"\n'
                                '\tformat := "llama3"\n\t_, _ = model, format\n}\n'})
    assert _rows(tmp_path) == [("main.go", 4, 11, "llama3", "LA101")]


def test_only_files_that_can_hold_a_finding_are_parsed() -> None:
    from auditor.ruleset.load import load_ruleset
    from auditor.scan.treesitter import may_have_findings
    rules = load_ruleset()
    assert may_have_findings('const m = "meta-llama/Llama-3.1-8B";', "javascript", rules)
    assert may_have_findings('import { getLlama } from "node-llama-cpp";', "javascript", rules)
    assert may_have_findings("use llama_cpp_2::model::LlamaModel;", "rust", rules)
    assert may_have_findings('p = "<|begin_of_text|>"', "go", rules)
    assert may_have_findings('c.call("ollama/llama3.1")', "kotlin", rules)
    assert not may_have_findings('import { VectorStoreIndex } from "llamaindex";\n'
                                 'const llama = new LlamaParseReader();', "javascript", rules)
