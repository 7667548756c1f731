"""Property tests: any input in, no exception out, every position inside the file.

The text strategy mixes Llama identifiers, syntax fragments of every file kind (Python,
JSON, YAML, TOML, requirements, Dockerfile, notebook), odd characters (NUL, form feed,
Unicode line separators, BOM, emoji) and random text, so the scanners reach deep into their
parsers instead of rejecting noise at the first byte. Texts go through ``decode`` first, as
every scanned file does. Every scanner the registry knows is covered, found through the
registry itself so a newly registered scanner is covered too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.discover.walk import classify
from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from auditor.scan.context import ScanContext, ScanFunction, ScanOutput
from auditor.scan.read import decode, sniff_encoding
from auditor.scan.registry import scanners_for
from auditor.scan.runner import scan_file
from auditor.types import FileKind, ModelRef, SourceFile

SETTINGS = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

FILE_NAMES = (
    "app.py", "setup.py", "requirements.txt", "requirements/dev.in", "pyproject.toml",
    "setup.cfg", "Pipfile", "environment.yml", "poetry.lock", "uv.lock", "Pipfile.lock",
    "pdm.lock", "pylock.toml", "notebook.ipynb", "config.yaml", "settings.json", "conf.toml",
    "app.ini", ".env", "Dockerfile", "docker-compose.yml", "Modelfile", "run.sh",
    ".github/workflows/ci.yml", "k8s/deploy.yaml", "adapter_config.json", "config.json",
    "tokenizer_config.json", "generation_config.json", "LICENSE", "README.md", "notes.txt",
    "web/app.ts", "web/app.js", "web/Chat.vue", "main.go", "src/lib.rs", "App.java", "Chat.kt",
    "package.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "go.mod",
    "go.sum", "Cargo.toml", "Cargo.lock", "pom.xml", "build.gradle.kts", "gradle.lockfile",
)

FRAGMENTS = (
    # identifiers and names the rules look for
    "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3-70B", "llama3.1:8b", "llama3",
    "codellama:7b", "llama-guard3", "llama-2-7b-chat.Q4_K_M.gguf", "groq/llama-3.1-70b-versatile",
    "us.meta.llama3-3-70b-instruct-v1:0", "@cf/meta/llama-3-8b-instruct", "TinyLlama/TinyLlama",
    "NousResearch/Hermes-3-Llama-3.1-8B", "llama_index", "llama-index-core", "llama-models",
    "llama-cpp-python", "llama_cpp", "<|begin_of_text|>", "<|eot_id|>",
    "<|start_header_id|>", "[INST]", "<<SYS>>", "128009", "128001", "LlamaForCausalLM",
    "transformers.models.llama", "from_pretrained(", "pipeline(", "model=", "model_id",
    "base_model", "base_model_name_or_path", "ollama.chat(", "Llama(", "LLM(",
    # syntax of the kinds
    "\n", "\n", "\r\n", "\r", "\t", " ", "    ", '"', "'", '"""', "'''", "(", ")", "[", "]",
    "{", "}", ":", ",", "=", "==", ">=", ";", "#", "- ", "---\n", "...", "\\", "&anchor ",
    "*anchor", "!!python/object:os.system", "<<: ", "[tool.poetry.dependencies]\n",
    "[[package]]\n", "[project]\n", "dependencies = [", "name = ", "version = ", "-r ",
    "-c ", "-e ", "--index-url ", "@ git+https://", "; python_version < '3.9'", "[extra]",
    "FROM ", "RUN ", "ENV ", "ARG ", "CMD ", "--model ", "$(", "${", '{"cells": [',
    '{"cell_type": "code", "source": ', '"outputs": []', '"metadata": {}', "}]}", "null",
    "true", "import ", "from transformers import ", "def f(", "class C:", "lambda: ",
    "if x else ", " + ", "f'{", "b'", "r'", "u'",
    # other languages and manifests
    'const m = "', '`${x}`', "new ChatOllama({ model: ", 'groq("', "import ", 'require("',
    "&bedrockruntime.InvokeModelInput{ModelId: ", "use candle_transformers::models::llama;",
    '"dependencies": {"node-llama-cpp": ', "require (\n", "[[package]]\nname = ",
    "<dependency><groupId>de.kherud</groupId><artifactId>llama</artifactId>",
    # odd characters
    "\x00", "\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffd", "é",
    "\U0001f999", "\u202e", "\U000e0041",
)

texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)),
                 max_size=40).map("".join)


@pytest.fixture(scope="module")
def ctx() -> ScanContext:
    return ScanContext(ruleset=load_ruleset(), include_docs=True, parse_timeout_seconds=10.0)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty directory the scanned files pretend to live in (for neighbours, includes)."""
    return tmp_path_factory.mktemp("props")


def _source(root: Path, name: str, size: int = 0) -> SourceFile:
    return SourceFile(root=root, path=root / name, rel=name, kind=classify(name), size=size)


def _scanners() -> Iterator[tuple[str, ScanFunction, tuple[str, ...]]]:
    """(name, scanner, the file names it reads) for every scanner in the registry."""
    found: dict[str, tuple[ScanFunction, list[str]]] = {}
    for name in FILE_NAMES:
        for scanner in scanners_for(_source(Path("/nowhere"), name)):
            key = f"{scanner.__module__}.{scanner.__qualname__}"
            found.setdefault(key, (scanner, []))[1].append(name)
    for key, (scanner, names) in sorted(found.items()):
        yield key, scanner, tuple(names)


SCANNERS = list(_scanners())


def test_every_file_kind_has_a_scanner_under_test() -> None:
    covered = {classify(name) for _, _, names in SCANNERS for name in names}
    assert covered == set(FileKind) - {FileKind.OTHER}


def assert_positions_inside(output: ScanOutput, text: str) -> None:
    """Lines 1-based within the text (split at ``\\n`` only, as editors count them after
    decoding), columns 1-based within the line, end exclusive and not before the start."""
    lines = text.split("\n")
    for hit in output.hits:
        where = f"{hit.rule_id} at {hit.line}:{hit.column}-{hit.end_line}:{hit.end_column}"
        assert 1 <= hit.line <= hit.end_line <= len(lines), where
        assert 1 <= hit.column <= len(lines[hit.line - 1]) + 1, where
        assert 1 <= hit.end_column <= len(lines[hit.end_line - 1]) + 1, where
        if hit.end_line == hit.line:
            assert hit.column <= hit.end_column, where
    for problem in output.problems:
        if problem.line is not None:
            assert 1 <= problem.line <= len(lines), f"{problem.code} at line {problem.line}"


@pytest.mark.parametrize(("key", "scanner", "names"), SCANNERS, ids=[s[0] for s in SCANNERS])
def test_any_text_scans_without_error_and_positions_stay_in_the_file(
    key: str, scanner: ScanFunction, names: tuple[str, ...], ctx: ScanContext, workdir: Path
) -> None:
    @SETTINGS
    @given(name=st.sampled_from(names), raw=texts)
    def check(name: str, raw: str) -> None:
        file = _source(workdir, name, len(raw))
        text, _ = decode(raw.encode("utf-8", "surrogatepass"), file.kind, None)
        output = scanner(file, text, ctx)
        assert isinstance(output, ScanOutput)
        assert_positions_inside(output, text)

    check()


@SETTINGS
@given(raw=texts)
def test_identify_never_raises(raw: str) -> None:
    ruleset = load_ruleset()
    found = identify(raw, ruleset)
    assert found is None or isinstance(found, ModelRef)


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_any_bytes_decode(data: bytes) -> None:
    encoding, _ = sniff_encoding(data)
    for kind in (FileKind.PYTHON, FileKind.CONFIG):
        text, problem = decode(data, kind, encoding)
        assert "\r" not in text
        assert problem is None or isinstance(problem, str)


@pytest.mark.parametrize("name", ["app.py", "requirements.txt", "notebook.ipynb",
                                  "config.yaml", "model.gguf", "poetry.lock"])
def test_any_bytes_in_any_file_scan_to_a_result(name: str, ctx: ScanContext,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whole files of arbitrary bytes through the engine (read, sniff, decode, scan)."""
    root = tmp_path_factory.mktemp("bytes")

    @SETTINGS
    @given(data=st.one_of(st.binary(max_size=4096),
                          texts.map(lambda t: t.encode("utf-8", "surrogatepass"))))
    def check(data: bytes) -> None:
        path = root / name
        path.write_bytes(data)
        result = scan_file(_source(root, name, len(data)), ctx)
        for finding in result.findings:
            assert finding.path == name
            assert finding.line >= 1 and finding.column >= 1
        for diagnostic in result.diagnostics:
            assert diagnostic.path == name and diagnostic.code

    check()


KNOWN_CRASHERS = [
    (".env", "model="),  # flat_values: an empty value was indexed (found by this suite)
    ("config.yaml", '{"cells": ['),  # a YAML error reported one line past the end
    ("app.py", "\x0cmeta-llama/Llama-3.1-8B-Instruct"),  # form feed counted as a line break
]


@pytest.mark.parametrize(("name", "raw"), KNOWN_CRASHERS)
def test_inputs_that_once_failed(name: str, raw: str, ctx: ScanContext, workdir: Path) -> None:
    file = _source(workdir, name, len(raw))
    text, _ = decode(raw.encode("utf-8"), file.kind, None)
    for scanner in scanners_for(file):
        assert_positions_inside(scanner(file, text, ctx), text)
