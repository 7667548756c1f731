"""One table from a path to what the file is (kind, format, parser, comment syntax), read by
discovery, the scanners, suppressions and fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.discover import filetypes
from auditor.discover.filetypes import (
    HASH,
    HASH_SEMICOLON,
    HASH_SLASH,
    HTML,
    NOTEBOOK,
    PYTHON,
    RST,
    FileType,
    Row,
    classify,
    comment_style,
    file_type,
)
from auditor.fix.config_rewrite import _parser_for
from auditor.scan.config import config_format
from auditor.scan.infra import infra_format
from auditor.types import FileKind
from tests.deps_helpers import scan_one, write

K = FileKind


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("app/main.py", FileType(K.PYTHON, "python", PYTHON)),
        ("setup.py", FileType(K.MANIFEST, "python", PYTHON, "setup.py")),
        ("nb/eval.ipynb", FileType(K.NOTEBOOK, "notebook", NOTEBOOK)),
        ("poetry.lock", FileType(K.LOCKFILE, "toml", HASH, "poetry.lock")),
        ("Pipfile.lock", FileType(K.LOCKFILE, "json", HASH, "pipfile.lock")),
        ("pylock.dev.toml", FileType(K.LOCKFILE, "toml", HASH, "pylock")),
        ("pyproject.toml", FileType(K.MANIFEST, "toml", HASH, "pyproject")),
        ("setup.cfg", FileType(K.MANIFEST, "ini", HASH_SEMICOLON, "setup.cfg")),
        ("Pipfile", FileType(K.MANIFEST, "toml", HASH, "pipfile")),
        ("requirements-dev.txt", FileType(K.MANIFEST, "requirements", HASH, "requirements")),
        ("requirements/base.in", FileType(K.MANIFEST, "requirements", HASH, "requirements")),
        ("environment.yml", FileType(K.MANIFEST, "yaml", HASH, "conda")),
        ("lora/adapter_config.json", FileType(K.ARTEFACT, "json", None)),
        ("models/llama.Q4_K_M.gguf", FileType(K.ARTEFACT, "gguf", None)),
        ("Dockerfile.gpu", FileType(K.INFRA, "dockerfile", HASH)),
        ("Modelfile", FileType(K.INFRA, "modelfile", HASH)),
        ("main.tf", FileType(K.INFRA, "hcl", HASH_SLASH)),
        ("Makefile", FileType(K.INFRA, "make", HASH)),
        ("Jenkinsfile", FileType(K.INFRA, "shell", None)),
        ("docker-compose.prod.yml", FileType(K.INFRA, "yaml", HASH)),
        (".github/workflows/ci.yml", FileType(K.INFRA, "yaml", HASH)),
        ("deploy/helm/values.yaml", FileType(K.INFRA, "yaml", HASH)),
        ("LICENSE", FileType(K.TEXT, "text", None)),
        ("LICENSE.md", FileType(K.TEXT, "markdown", HTML)),
        ("THIRD_PARTY_LICENSES.txt", FileType(K.TEXT, "text", HASH)),
        ("serve.yaml", FileType(K.CONFIG, "yaml", HASH)),
        ("settings.jsonc", FileType(K.CONFIG, "jsonc", None)),
        ("app.conf", FileType(K.CONFIG, "ini", HASH)),
        (".env.production", FileType(K.CONFIG, "env", HASH)),
        (".env_template", FileType(K.CONFIG, "env", HASH)),
        (".env-example", FileType(K.CONFIG, "env", HASH)),
        ("docs/guide.rst", FileType(K.TEXT, "rst", RST)),
        ("page.html", FileType(K.OTHER, "html", HTML)),
        ("image.png", FileType(K.OTHER, "", None)),
    ],
)
def test_each_path_has_one_file_type(rel: str, expected: FileType) -> None:
    assert file_type(rel) == expected
    assert classify(rel) is expected.kind
    assert comment_style(rel) is expected.comments


def test_every_kind_has_a_row_and_rows_are_data() -> None:
    assert isinstance(filetypes.ROWS, tuple)
    assert all(isinstance(row, Row) for row in filetypes.ROWS)
    assert {row.type.kind for row in filetypes.ROWS} == set(FileKind)


def test_names_that_mix_two_types_follow_their_first_row() -> None:
    """A Dockerfile variant is a Dockerfile whatever its suffix, comments included (the old
    suffix-first comment rule gave ``Dockerfile.md`` HTML comments)."""
    assert file_type("Dockerfile.md") == FileType(K.INFRA, "dockerfile", HASH)
    assert file_type("Modelfile.dockerfile").format == "dockerfile"


@pytest.fixture
def extra_row() -> Iterator[None]:
    """A new file type is one row: ``*.llamarc`` files are YAML config, ``deps.conda`` a conda
    environment."""
    saved = filetypes.ROWS
    filetypes.ROWS = (Row(FileType(K.CONFIG, "yaml", HASH), suffixes=(".llamarc",)),
                      Row(FileType(K.MANIFEST, "yaml", HASH, "conda"), names=("deps.conda",)),
                      *saved)
    filetypes.file_type.cache_clear()
    yield
    filetypes.ROWS = saved
    filetypes.file_type.cache_clear()


@pytest.mark.usefixtures("extra_row")
def test_every_stage_reads_the_table(tmp_path: Path) -> None:
    write(tmp_path, {"deps.conda": "dependencies:\n  - pip:\n    - llama-models==0.3\n"})
    hits = scan_one(tmp_path, "deps.conda").hits  # the manifest dispatch picks conda
    assert [(h.rule_id, h.line, h.context) for h in hits] == [
        ("LA201", 3, "dependencies.pip")]
    rel = "conf/app.llamarc"
    assert classify(rel) is K.CONFIG
    assert comment_style(rel) is HASH
    assert config_format(rel) == "yaml"
    assert _parser_for(rel) is not None  # fix checks the rewritten file still parses


def test_scanner_formats_come_from_the_table() -> None:
    assert config_format("a.jsonc") == "json"
    assert config_format(".env.local") == "env"
    assert infra_format("build/app.dockerfile") == "dockerfile"
    assert infra_format("justfile") == "shell"
