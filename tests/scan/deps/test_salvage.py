"""A dependency file its parser rejects is read line by line: its Llama packages are still
reported (exact positions, versions where written), nothing else is."""

from __future__ import annotations

from pathlib import Path

from tests.deps_helpers import problems, rows, scan_one, span_text, write


def _salvaged(tmp_path: Path, rel: str, text: str) -> list[tuple]:
    write(tmp_path, {rel: text})
    output = scan_one(tmp_path, rel)
    assert output.parsed is False
    assert len(output.problems) == 1
    assert "read line by line" in output.problems[0].message
    for hit in output.hits:  # every span covers exactly the package name
        assert span_text(text, hit.line, hit.column, hit.end_line,
                         hit.end_column) == hit.identifier
        assert hit.context == "read line by line"
    return rows(output.hits)


def test_pyproject_with_a_missing_comma(tmp_path: Path) -> None:
    text = ('[project]\nname = "llama-stack"\ndescription = "llama-models wrapper"\n'
            'dependencies = [\n  "llama-models>=0.3"\n  "llama-index>=0.12",\n'
            '  "ollama",\n  "llama-api-client[async] ; python_version >= \'3.10\'",\n]\n')
    # the project's own name, prose, look-alikes (llama-index, ollama): not dependencies
    assert _salvaged(tmp_path, "pyproject.toml", text) == [
        ("LA201", 5, 4, "llama-models", ">=0.3", "true", ""),
        ("LA201", 8, 4, "llama-api-client", "", "true", ""),
    ]


def test_poetry_and_pipfile_keys(tmp_path: Path) -> None:
    poetry = ('[tool.poetry.dependencies]\npython = "^3.11"\nllama-models = "^0.3"\n'
              'llama-stack = { version = ">=0.2", optional = true }\n[tool.poetry\n')
    assert _salvaged(tmp_path, "pyproject.toml", poetry) == [
        ("LA201", 3, 1, "llama-models", "^0.3", "true", ""),
        ("LA202", 4, 1, "llama-stack", "", "true", ""),
    ]
    pipfile = '[packages\nllama-models = "==0.3.0"\nollama = "*"\n'
    assert _salvaged(tmp_path, "Pipfile", pipfile) == [
        ("LA201", 2, 1, "llama-models", "==0.3.0", "true", "")]


def test_a_lockfile_reports_each_package_at_its_own_entry(tmp_path: Path) -> None:
    text = ('[[package]]\nname = "acme"\nversion = "1.0"\n\n[package.dependencies]\n'
            'llama-models = ">=0.3"\n\n[[package]]\nname = "llama-models"\nversion = "0.3.0"\n'
            'description = "Meta llama models"\nfiles = [\n  {file = "llama_models-0.3.0.tar.gz"')
    # named twice (required by acme, then its own entry): once, at the entry, locked version
    assert _salvaged(tmp_path, "poetry.lock", text) == [
        ("LA201", 9, 9, "llama-models", "0.3.0", "unknown", "")]


def test_conda_items_and_a_json_lockfile(tmp_path: Path) -> None:
    conda = "name: app\ndependencies:\n  - llama-cpp-python=0.3.16\n - pip:\n    - llama-stack\n"
    assert _salvaged(tmp_path, "environment.yml", conda) == [
        ("LA203", 3, 5, "llama-cpp-python", "=0.3.16", "true", ""),
        ("LA202", 5, 7, "llama-stack", "", "true", ""),
    ]
    lock = '{"default": {\n  "llama-models": {"version": "==0.3.0"},\n  "ollama": {'
    assert _salvaged(tmp_path, "Pipfile.lock", lock) == [
        ("LA201", 2, 4, "llama-models", "", "unknown", "")]


def test_a_broken_file_without_llama_packages_reports_nothing(tmp_path: Path) -> None:
    text = '[project]\ndependencies = [\n  "requests>=2"\n  "numpy",\n]\n'
    assert _salvaged(tmp_path, "pyproject.toml", text) == []
    write(tmp_path, {"pyproject.toml": text})
    assert problems(scan_one(tmp_path, "pyproject.toml")) == [("invalid-toml", 4)]
