"""npm, Go, Cargo, Maven and Gradle manifests and lockfiles: exact rows on the fixture tree
(fixtures/languages/deps), look-alikes that produce nothing, and bad input as a diagnostic."""

from __future__ import annotations

import shutil
from pathlib import Path

from auditor.scan.runner import scan_paths
from tests.deps_helpers import problems, scan_one, write

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "languages" / "deps"

EXPECTED = [  # (path, line, column, identifier, rule, direct, pulled in by)
    ("bun/bun.lock", 13, 6, "node-llama-cpp", "LA203", "true", ""),
    ("bun/bun.lock", 14, 6, "llama3-tokenizer-js", "LA201", "false", "node-llama-cpp"),
    ("go/go.mod", 7, 2, "github.com/go-skynet/go-llama.cpp", "LA203", "true", ""),
    ("go/go.sum", 3, 1, "github.com/go-skynet/go-llama.cpp", "LA203", "true", ""),
    ("gradle/build.gradle.kts", 7, 21, "de.kherud:llama", "LA203", "true", ""),
    ("gradle/build.gradle.kts", 9, 53, "de.kherud:llama", "LA203", "true", ""),
    ("gradle/gradle.lockfile", 4, 1, "de.kherud:llama", "LA203", "unknown", ""),
    ("maven/pom.xml", 10, 19, "de.kherud:llama", "LA203", "true", ""),
    ("npm/package-lock.json", 24, 19, "llama-tokenizer-js", "LA201", "true", ""),
    ("npm/package-lock.json", 28, 19, "llama3-tokenizer-js", "LA201", "false", "chat-kit"),
    ("npm/package-lock.json", 34, 19, "node-llama-cpp", "LA203", "true", ""),
    ("npm/package.json", 6, 6, "llama-tokenizer-js", "LA201", "true", ""),
    ("npm/packages/web/package.json", 5, 6, "node-llama-cpp", "LA203", "true", ""),
    ("pnpm/pnpm-lock.yaml", 25, 3, "node-llama-cpp", "LA203", "false", "chat-kit"),
    ("rust/Cargo.lock", 11, 9, "llama-cpp-2", "LA203", "true", ""),
    ("rust/Cargo.lock", 19, 9, "llama-cpp-sys-2", "LA203", "false", "llama-cpp-2"),
    ("rust/Cargo.toml", 8, 1, "llama-cpp-2", "LA203", "true", ""),
    ("rust/Cargo.toml", 12, 20, "llama_cpp", "LA203", "true", ""),
    ("yarn-berry/yarn.lock", 31, 2, "node-llama-cpp", "LA203", "false", "chat-kit"),
    ("yarn-v1/package.json", 1, 35, "llama-tokenizer-js", "LA201", "true", ""),
    ("yarn-v1/yarn.lock", 11, 1, "llama-tokenizer-js", "LA201", "true", ""),
    ("yarn-v1/yarn.lock", 15, 1, "node-llama-cpp", "LA203", "false", "chat-kit"),
]


def test_every_manifest_and_lockfile_format_gives_exact_rows() -> None:
    result = scan_paths([FIXTURE])
    found = sorted((f.path, f.line, f.column, f.identifier, f.rule_id, dict(f.details)["direct"],
                    dict(f.details).get("pulled_in_by", "")) for f in result.findings)
    assert found == EXPECTED
    assert list(result.diagnostics) == []


def test_spans_cover_the_name_as_written() -> None:
    for finding in scan_paths([FIXTURE]).findings:
        line = (FIXTURE / finding.path).read_text(encoding="utf-8").splitlines()[finding.line - 1]
        written = line[finding.column - 1:finding.end_column - 1]
        assert written in (finding.identifier, finding.identifier.split(":")[-1]), finding


def test_lookalikes_produce_nothing(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE / "lookalike", tmp_path / "lookalike")
    write(tmp_path, {
        "go.mod": "module x\n\nrequire github.com/ollama/ollama v0.3.14\n",
        "Cargo.toml": '[dependencies]\nollama-rs = "0.2"\n',
        "pom.xml": "<project><dependencies><dependency><groupId>io.github.ollama4j</groupId>"
                   "<artifactId>ollama4j</artifactId></dependency></dependencies></project>\n",
    })
    assert list(scan_paths([tmp_path]).findings) == []


def test_commented_out_declarations_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, {
        "pom.xml": "<project><!-- <dependency><groupId>de.kherud</groupId>"
                   "<artifactId>llama</artifactId></dependency> --></project>\n",
        "build.gradle": "dependencies {\n    // implementation 'de.kherud:llama:4.1.0'\n}\n",
    })
    assert list(scan_paths([tmp_path]).findings) == []


def test_go_mod_indirect_is_transitive(tmp_path: Path) -> None:
    write(tmp_path, {"go.mod": "module x\n\nrequire github.com/go-skynet/go-llama.cpp v0.1.0"
                               " // indirect\n"})
    hits = scan_one(tmp_path, "go.mod").hits
    assert [(h.line, h.column, dict(h.details)["direct"]) for h in hits] == [(3, 9, "false")]


def test_npm_lockfile_v1_reads_direct_from_package_json(tmp_path: Path) -> None:
    write(tmp_path, {
        "package.json": '{"dependencies": {"chat-kit": "^2"}}',
        "package-lock.json": '{"lockfileVersion": 1, "dependencies": {\n'
                             '  "chat-kit": {"version": "2.0.0", "requires": '
                             '{"node-llama-cpp": "^3"}},\n'
                             '  "node-llama-cpp": {"version": "3.1.1"}\n}}',
    })
    hits = scan_one(tmp_path, "package-lock.json").hits
    assert [(h.line, h.column, h.identifier, dict(h.details)["pulled_in_by"]) for h in hits] == [
        (3, 4, "node-llama-cpp", "chat-kit")]


def test_invalid_package_json_is_a_diagnostic(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": '{\n  "dependencies": {"node-llama-cpp": }\n}'})
    output = scan_one(tmp_path, "package.json")
    assert output.hits == []
    assert problems(output) == [("invalid-json", 2)]


def test_a_pnpm_lock_without_its_version_is_a_diagnostic(tmp_path: Path) -> None:
    write(tmp_path, {"pnpm-lock.yaml": "packages:\n  node-llama-cpp@3.1.1:\n"})
    output = scan_one(tmp_path, "pnpm-lock.yaml")
    assert output.hits == []
    assert problems(output) == [("invalid-lockfile", 1)]


def test_pnpm_6_keys_and_edges_in_packages(tmp_path: Path) -> None:
    write(tmp_path, {"pnpm-lock.yaml": (
        "lockfileVersion: '6.0'\n\ndependencies:\n  chat-kit:\n    specifier: ^2\n"
        "    version: 2.0.0\n\npackages:\n\n  /chat-kit@2.0.0:\n    dependencies:\n"
        "      node-llama-cpp: 3.1.1\n\n  /node-llama-cpp@3.1.1:\n    dev: false\n")})
    hits = scan_one(tmp_path, "pnpm-lock.yaml").hits
    assert [(h.line, h.column, h.identifier, dict(h.details)["pulled_in_by"]) for h in hits] == [
        (14, 4, "node-llama-cpp", "chat-kit")]


def test_invalid_cargo_lock_is_a_diagnostic(tmp_path: Path) -> None:
    write(tmp_path, {"Cargo.lock": "[[package]]\nname = \n"})
    output = scan_one(tmp_path, "Cargo.lock")
    assert output.hits == []
    assert problems(output) == [("invalid-toml", 2)]
