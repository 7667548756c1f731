"""pyproject.toml, setup.cfg, setup.py, Pipfile and conda environment files."""

from __future__ import annotations

from pathlib import Path

from auditor.scan.context import ScanOutput
from tests.deps_helpers import assert_spans_hold, problems, rows, scan_one, write


def _groups(output: ScanOutput) -> list[tuple[str | None, str, str]]:
    return [(h.identifier, h.context, dict(h.details).get("group", "")) for h in output.hits]


PYPROJECT = '''[build-system]
requires = ["setuptools>=69", "llama-models"]

[project]
name = "llama-stack-notes"
dependencies = [
  "llama-index>=0.14",
  'llama_api_client >= 0.6',
]
[project.optional-dependencies]
serve = ["llama-stack[all]==0.7.3"]

[dependency-groups]
dev = [{include-group = "lint"}, "llama-cookbook"]
lint = ["ruff"]

[tool.poetry.dependencies]
python = "^3.11"
Llama-CPP-Python = {version = "^0.3", extras = ["server"], markers = "sys_platform == 'linux'"}
llama-stack-client = [{version = "^0.7", python = ">=3.11"}, {version = "^0.6", python = "<3.11"}]

[tool.poetry.dev-dependencies]
llama-recipes = "*"

[tool.poetry.group.docs.dependencies]
llama-toolchain = {path = "../toolchain"}

[tool.pdm.dev-dependencies]
test = ["llama-stack-evals"]

[tool.uv]
dev-dependencies = ["llama-prompt-ops"]

[tool.hatch.envs.default]
dependencies = ["meta-llama-haystack"]
extra-dependencies = ["llamafirewall"]

[tool.llama-audit]
fail-on = "medium"
exclude = ["llama-models"]
'''


def test_pyproject_every_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PYPROJECT})
    output = scan_one(tmp_path, "pyproject.toml")
    assert_spans_hold(tmp_path, "pyproject.toml", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA201", 8, 4, "llama_api_client", ">= 0.6", "true", ""),
        ("LA202", 11, 11, "llama-stack", "==0.7.3", "true", ""),
        ("LA201", 14, 35, "llama-cookbook", "", "true", ""),
        ("LA201", 2, 32, "llama-models", "", "true", ""),
        ("LA203", 19, 1, "Llama-CPP-Python", "^0.3", "true", ""),
        ("LA202", 20, 1, "llama-stack-client", "^0.7 | ^0.6", "true", ""),
        ("LA201", 23, 1, "llama-recipes", "*", "true", ""),
        ("LA201", 26, 1, "llama-toolchain", "path ../toolchain", "true", ""),
        ("LA202", 29, 10, "llama-stack-evals", "", "true", ""),
        ("LA201", 32, 22, "llama-prompt-ops", "", "true", ""),
        ("LA201", 35, 18, "meta-llama-haystack", "", "true", ""),
        ("LA202", 36, 24, "llamafirewall", "", "true", ""),
    ]
    assert _groups(output) == [
        ("llama_api_client", "project.dependencies", ""),
        ("llama-stack", "project.optional-dependencies.serve", "serve"),
        ("llama-cookbook", "dependency-groups.dev", "dev"),
        ("llama-models", "build-system.requires", "build-system"),
        ("Llama-CPP-Python", "tool.poetry.dependencies", ""),
        ("llama-stack-client", "tool.poetry.dependencies", ""),
        ("llama-recipes", "tool.poetry.dev-dependencies", "dev"),
        ("llama-toolchain", "tool.poetry.group.docs.dependencies", "docs"),
        ("llama-stack-evals", "tool.pdm.dev-dependencies.test", "test"),
        ("llama-prompt-ops", "tool.uv.dev-dependencies", "dev"),
        ("meta-llama-haystack", "tool.hatch.envs.default.dependencies", "hatch:default"),
        ("llamafirewall", "tool.hatch.envs.default.extra-dependencies", "hatch:default"),
    ]
    cpp = dict(output.hits[4].details)
    assert (cpp["marker"], cpp["extras"]) == ("sys_platform == 'linux'", "server")


def test_pyproject_wrong_shapes_and_bad_requirements(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": (
        '[project]\nname = "x"\ndependencies = "llama-models"\n'
        '[project.optional-dependencies]\n'
        'a = [1, "llama-stack>=>1", "llama-api-client"]\n'
        '[tool.poetry.dependencies]\nllama-models = 3\n'
    )})
    output = scan_one(tmp_path, "pyproject.toml")
    assert_spans_hold(tmp_path, "pyproject.toml", output.hits)
    assert problems(output) == [
        ("invalid-manifest", 3), ("invalid-manifest", 5), ("invalid-requirement", 5),
        ("invalid-manifest", 7),
    ]
    assert [h.identifier for h in output.hits] == ["llama-api-client"]


def test_invalid_toml_is_a_diagnostic_with_its_line(tmp_path: Path) -> None:
    text = '[project]\ndependencies = [\n  "llama-models"\n  "x",\n]\n'
    write(tmp_path, {"pyproject.toml": text})
    output = scan_one(tmp_path, "pyproject.toml")
    assert_spans_hold(tmp_path, "pyproject.toml", output.hits)
    assert problems(output) == [("invalid-toml", 4)]
    assert output.parsed is False
    # the missing comma does not lose the dependency: it is read line by line
    assert [(h.rule_id, h.identifier, h.line, h.column, h.end_column) for h in output.hits] == [
        ("LA201", "llama-models", 3, 4, 16)]


SETUP_CFG = '''[metadata]
name = demo

[options]
install_requires =
    llama-models>=0.3

    # a comment inside the list
    llama-index-core
setup_requires = llama-stack-client; wheel
tests_require = llama-cookbook; python_version >= "3.10"

[options.extras_require]
gpu =
    Llama_CPP.Python>=0.3 ; sys_platform == "linux"
hosted = llama-api-client
'''


def test_setup_cfg_lists(tmp_path: Path) -> None:
    write(tmp_path, {"setup.cfg": SETUP_CFG})
    output = scan_one(tmp_path, "setup.cfg")
    assert_spans_hold(tmp_path, "setup.cfg", output.hits)
    # setuptools splits a one-line value on ";": the marker becomes its own (invalid) item
    assert problems(output) == [("invalid-requirement", 11)]
    assert rows(output.hits) == [
        ("LA201", 6, 5, "llama-models", ">=0.3", "true", ""),
        ("LA202", 10, 18, "llama-stack-client", "", "true", ""),
        ("LA201", 11, 17, "llama-cookbook", "", "true", ""),
        ("LA203", 15, 5, "Llama_CPP.Python", ">=0.3", "true", ""),
        ("LA201", 16, 10, "llama-api-client", "", "true", ""),
    ]
    assert [g for _, _, g in _groups(output)] == ["", "setup", "tests", "gpu", "hosted"]


def test_setup_cfg_that_setuptools_would_reject(tmp_path: Path) -> None:
    write(tmp_path, {"setup.cfg": "llama-models\n[options]\ninstall_requires = llama-models\n"})
    output = scan_one(tmp_path, "setup.cfg")
    assert_spans_hold(tmp_path, "setup.cfg", output.hits)
    assert problems(output) == [("invalid-setup-cfg", 1)]
    assert [h.line for h in output.hits] == [3]


SETUP_PY = '''import os
from setuptools import setup

os.system("touch pwned")
CORE = ["llama-models>=0.3", "requests"]
EXTRA = ("llama-stack",)
DYNAMIC = open("reqs.txt").read().splitlines()


def helper():
    setup(install_requires=LOCAL)


setup(
    name="demo",
    install_requires=CORE + [*EXTRA, "llama-api-client" "==0.6.0", DYNAMIC[0]],
    setup_requires="""
        llama-cookbook
        wheel
    """,
    extras_require={
        "gpu": ["llama-cpp-python==0.3.16"],
        f"{os.name}": ["llama-toolchain"],
        **more,
    },
)
'''


def test_setup_py_literals_only(tmp_path: Path) -> None:
    write(tmp_path, {"setup.py": SETUP_PY})
    output = scan_one(tmp_path, "setup.py")
    assert_spans_hold(tmp_path, "setup.py", output.hits)
    assert rows(output.hits) == [
        ("LA201", 5, 10, "llama-models", ">=0.3", "true", ""),
        ("LA202", 6, 11, "llama-stack", "", "true", ""),
        ("LA201", 16, 38, "llama-api-client", "==0.6.0", "true", ""),
        ("LA201", 18, 9, "llama-cookbook", "", "true", ""),
        ("LA203", 22, 18, "llama-cpp-python", "==0.3.16", "true", ""),
    ]
    assert [h.context for h in output.hits] == [
        "setup.install_requires", "setup.install_requires", "setup.install_requires",
        "setup.setup_requires", "setup.extras_require.gpu"]
    assert problems(output) == [
        ("dynamic-dependencies", 11), ("dynamic-dependencies", 16),
        ("dynamic-dependencies", 23), ("dynamic-dependencies", 24),
    ]
    assert not (tmp_path / "pwned").exists()


def test_setup_py_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = 'from setuptools import setup\nsetup(install_requires=["llama-models"\n'
    write(tmp_path, {"setup.py": text})
    output = scan_one(tmp_path, "setup.py")
    assert_spans_hold(tmp_path, "setup.py", output.hits)
    assert [code for code, _ in problems(output)] == ["invalid-python"]
    assert problems(output)[0][1] in (2, 3)
    assert [(h.rule_id, h.identifier, h.line, h.column) for h in output.hits] == [
        ("LA201", "llama-models", 2, 26)]


PIPFILE = '''[[source]]
url = "https://pypi.org/simple"
name = "pypi"

[packages]
llama-models = "==0.3.0"
"llama-stack" = {version = ">=0.7", extras = ["server"]}
llama-cookbook = {git = "https://github.com/meta-llama/llama-cookbook.git", ref = "main"}
ollama = "*"

[dev-packages]
llama-api-client = "*"

[gpu]
llama-cpp-python = "*"

[requires]
python_version = "3.11"

[scripts]
llama-models = "echo not a package"
'''


def test_pipfile_categories(tmp_path: Path) -> None:
    write(tmp_path, {"Pipfile": PIPFILE})
    output = scan_one(tmp_path, "Pipfile")
    assert_spans_hold(tmp_path, "Pipfile", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA201", 6, 1, "llama-models", "==0.3.0", "true", ""),
        ("LA202", 7, 2, "llama-stack", ">=0.7", "true", ""),
        ("LA201", 8, 1, "llama-cookbook",
         "git https://github.com/meta-llama/llama-cookbook.git @ main", "true", ""),
        ("LA201", 12, 1, "llama-api-client", "*", "true", ""),
        ("LA203", 15, 1, "llama-cpp-python", "*", "true", ""),
    ]
    assert [g for _, _, g in _groups(output)] == ["", "", "", "dev", "gpu"]


ENVIRONMENT = '''name: demo
channels: [conda-forge]
dependencies:
  - python=3.11
  - conda-forge::llama-cpp-python>=0.3,<0.4
  - "llama-models 0.3.*"
  - llamafactory
  - pip:
    - llama-stack-client==0.7.5  # served by our gateway
    - 'llama-index>=0.14'
    - -r requirements-extra.txt
    - -e git+https://github.com/meta-llama/llama-recipes.git#egg=llama-recipes
'''


def test_conda_environment(tmp_path: Path) -> None:
    write(tmp_path, {"environment.yml": ENVIRONMENT,
                     "requirements-extra.txt": "llama-api-client\n"})
    output = scan_one(tmp_path, "environment.yml")
    assert_spans_hold(tmp_path, "environment.yml", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA203", 5, 18, "llama-cpp-python", ">=0.3,<0.4", "true", ""),
        ("LA201", 6, 6, "llama-models", "0.3.*", "true", ""),
        ("LA202", 9, 7, "llama-stack-client", "==0.7.5", "true", ""),
        ("LA201", 12, 10, "llama-recipes",
         "git+https://github.com/meta-llama/llama-recipes.git#egg=llama-recipes", "true", ""),
    ]
    assert [h.context for h in output.hits] == [
        "dependencies", "dependencies", "dependencies.pip", "dependencies.pip"]


def test_conda_environment_include_of_a_non_manifest(tmp_path: Path) -> None:
    write(tmp_path, {"environment.yml": "dependencies:\n  - pip:\n    - -r extra.txt\n",
                     "extra.txt": "llama-api-client\n"})
    output = scan_one(tmp_path, "environment.yml")
    assert_spans_hold(tmp_path, "environment.yml", output.hits)
    assert rows(output.hits) == [("LA201", 3, 7, "llama-api-client", "", "true", "")]
    assert dict(output.hits[0].details)["declared_at"] == "extra.txt:1"


def test_conda_invalid_yaml_and_shapes(tmp_path: Path) -> None:
    write(tmp_path, {"environment.yml": "dependencies:\n  - a\n - b\n",
                     "sub/environment.yml": "dependencies: llama-models\n",
                     "conda.yml": "dependencies:\n  - [llama-models]\n  - pip: llama-stack\n"})
    assert problems(scan_one(tmp_path, "environment.yml")) == [("invalid-yaml", 3)]
    assert problems(scan_one(tmp_path, "sub/environment.yml")) == [("invalid-manifest", 1)]
    assert problems(scan_one(tmp_path, "conda.yml")) == [("invalid-manifest", 2),
                                                          ("invalid-manifest", 3)]
