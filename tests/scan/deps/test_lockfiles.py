"""Lockfiles: every locked Llama package, direct or transitive, and who pulls it in."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.scan.deps.edges import shortest_chains
from tests.deps_helpers import assert_spans_hold, problems, rows, scan_one, write

UV_LOCK = '''version = 1
requires-python = ">=3.11"

[[package]]
name = "llama-stack"
version = "0.7.3"
source = { editable = "." }
dependencies = [
    { name = "app-core" },
    { name = "llama-index-core" },
]

[package.optional-dependencies]
hosted = [{ name = "llama-api-client" }]

[package.dev-dependencies]
test = [{ name = "eval-kit" }]

[[package]]
name = "app-core"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "llama-models" }, { name = "llama-api-client" }]

[[package]]
name = "eval-kit"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "llama-stack-client" }]

[[package]]
name = "llama-api-client"
version = "0.6.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "llama-index-core"
version = "0.14.25"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "llama-models"
version = "0.3.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "app-core" }]

[[package]]
name = "llama-stack-client"
version = "0.7.5"
source = { registry = "https://pypi.org/simple" }
'''


def test_uv_lock_roots_groups_and_chains(tmp_path: Path) -> None:
    # The project being scanned is itself named llama-stack: it is the root, not a dependency.
    write(tmp_path, {"uv.lock": UV_LOCK})
    output = scan_one(tmp_path, "uv.lock")
    assert_spans_hold(tmp_path, "uv.lock", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA201", 32, 9, "llama-api-client", "0.6.0", "true", ""),
        ("LA201", 42, 9, "llama-models", "0.3.0", "false", "app-core"),
        ("LA202", 48, 9, "llama-stack-client", "0.7.5", "false", "eval-kit"),
    ]
    groups = [dict(h.details).get("group", "") for h in output.hits]
    assert groups == ["hosted", "", "test"]
    assert [dict(h.details)["direct_from"] for h in output.hits] == ["uv.lock root package"] * 3


def test_uv_lock_cut_short(tmp_path: Path) -> None:
    cut = UV_LOCK[: UV_LOCK.index('[[package]]\nname = "llama-api-client"')]
    write(tmp_path, {"uv.lock": cut})
    output = scan_one(tmp_path, "uv.lock")
    assert problems(output) == [("incomplete-lockfile", 5)]
    assert output.problems[0].message.startswith(
        "uv.lock looks cut short or edited by hand: 4 required packages have no [[package]] "
        "entry: llama-index-core (required by llama-stack), llama-api-client (required by "
        "llama-stack), llama-models (required by app-core) and 1 more")


POETRY_LOCK = '''[[package]]
name = "assistant"
version = "2.0.0"
optional = false
python-versions = ">=3.10"
files = []

[package.dependencies]
llama-stack = ">=0.7"
extras-only = {version = "*", optional = true}

[[package]]
name = "llama-stack"
version = "0.7.3"
optional = false
python-versions = ">=3.10"
files = []

[package.dependencies]
llama-models = ">=0.3"

[[package]]
name = "llama-models"
version = "0.3.0"
optional = false
python-versions = ">=3.10"
files = []

[[package]]
name = "Llama_CPP_Python"
version = "0.3.16"
optional = false
python-versions = ">=3.8"
files = []

[metadata]
lock-version = "2.1"
python-versions = "^3.11"
content-hash = "00"
'''


def test_poetry_lock_with_its_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {
        "poetry.lock": POETRY_LOCK,
        "pyproject.toml": ('[tool.poetry.dependencies]\npython = "^3.11"\nassistant = "^2"\n'
                           '[tool.poetry.group.gpu.dependencies]\nllama-cpp-python = "^0.3"\n'),
    })
    output = scan_one(tmp_path, "poetry.lock")
    assert_spans_hold(tmp_path, "poetry.lock", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA202", 13, 9, "llama-stack", "0.7.3", "false", "assistant"),
        ("LA201", 23, 9, "llama-models", "0.3.0", "false", "assistant → llama-stack"),
        ("LA203", 30, 9, "Llama_CPP_Python", "0.3.16", "true", ""),
    ]
    assert dict(output.hits[2].details)["group"] == "gpu"
    assert dict(output.hits[1].details)["direct_from"] == "pyproject.toml"


def test_poetry_lock_without_manifest_infers_roots_from_the_graph(tmp_path: Path) -> None:
    write(tmp_path, {"poetry.lock": POETRY_LOCK})
    output = scan_one(tmp_path, "poetry.lock")
    assert rows(output.hits) == [
        ("LA202", 13, 9, "llama-stack", "0.7.3", "false", "assistant"),
        ("LA201", 23, 9, "llama-models", "0.3.0", "false", "assistant → llama-stack"),
        ("LA203", 30, 9, "Llama_CPP_Python", "0.3.16", "true", ""),
    ]
    assert dict(output.hits[0].details)["direct_from"] == "lockfile graph (no manifest found)"


def test_poetry_lock_cut_short(tmp_path: Path) -> None:
    cut = POETRY_LOCK[: POETRY_LOCK.index("[[package]]\nname = \"llama-models\"")]
    write(tmp_path, {"poetry.lock": cut})
    output = scan_one(tmp_path, "poetry.lock")
    assert problems(output) == [("incomplete-lockfile", 20), ("incomplete-lockfile", 13)]
    assert "no [metadata] table" in output.problems[0].message
    assert "llama-models (required by llama-stack)" in output.problems[1].message
    assert "extras-only" not in output.problems[1].message  # optional edges need no entry
    assert [h.identifier for h in output.hits] == ["llama-stack"]


def test_poetry_lock_cut_mid_string(tmp_path: Path) -> None:
    write(tmp_path, {"poetry.lock": POETRY_LOCK[: POETRY_LOCK.index("0.7.3") + 2]})
    output = scan_one(tmp_path, "poetry.lock")
    assert problems(output) == [("invalid-toml", 14)]
    assert "read line by line" in output.problems[0].message
    # what the cut file still says is read line by line: each package at its own entry
    assert [(h.rule_id, h.identifier, h.line, h.column, dict(h.details)["direct"])
            for h in output.hits] == [("LA202", "llama-stack", 13, 9, "unknown")]
    assert output.parsed is False


PDM_LOCK = '''[metadata]
groups = ["default", "dev"]
lock_version = "4.5.0"
content_hash = "sha256:00"

[[package]]
name = "guard-kit"
version = "0.3.1"
groups = ["default"]
dependencies = [
    "llamafirewall>=1.0; python_version >= \\"3.10\\"",
    "llama-cloud",
]

[[package]]
name = "llamafirewall"
version = "1.0.3"
groups = ["default"]

[[package]]
name = "llama-cloud"
version = "2.19.0"
groups = ["default"]

[[package]]
name = "llama-models"
version = "0.3.0"
groups = ["dev"]
'''


def test_pdm_lock(tmp_path: Path) -> None:
    write(tmp_path, {"pdm.lock": PDM_LOCK, "pyproject.toml": (
        '[project]\nname = "x"\ndependencies = ["guard-kit"]\n'
        '[tool.pdm.dev-dependencies]\ndev = ["llama-models"]\n')})
    output = scan_one(tmp_path, "pdm.lock")
    assert rows(output.hits) == [
        ("LA202", 16, 9, "llamafirewall", "1.0.3", "false", "guard-kit"),
        ("LA201", 26, 9, "llama-models", "0.3.0", "true", ""),
    ]
    assert dict(output.hits[1].details)["group"] == "dev"


def test_pdm_lock_entry_without_a_name(tmp_path: Path) -> None:
    write(tmp_path, {"pdm.lock": PDM_LOCK + '\n[[package]]\nversion = "1"\n'})
    output = scan_one(tmp_path, "pdm.lock")
    assert problems(output) == [("invalid-lockfile", 30)]


PYLOCK = '''lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "demo"
directory = { path = "." }

[[packages]]
name = "llama-stack-client"
version = "0.7.5"

[[packages]]
name = "llama-models"
version = "0.3.0"
'''


def test_pylock_without_edges_or_manifest_says_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"pylock.toml": PYLOCK})
    output = scan_one(tmp_path, "pylock.toml")
    assert rows(output.hits) == [
        ("LA202", 9, 9, "llama-stack-client", "0.7.5", "unknown", ""),
        ("LA201", 13, 9, "llama-models", "0.3.0", "unknown", ""),
    ]


def test_pylock_with_manifest_and_named_variant(tmp_path: Path) -> None:
    manifest = '[project]\nname = "demo"\ndependencies = ["llama-models"]\n'
    write(tmp_path, {"pylock.dev.toml": PYLOCK, "pyproject.toml": manifest})
    output = scan_one(tmp_path, "pylock.dev.toml")
    assert rows(output.hits) == [
        ("LA202", 9, 9, "llama-stack-client", "0.7.5", "false", ""),
        ("LA201", 13, 9, "llama-models", "0.3.0", "true", ""),
    ]
    assert dict(output.hits[0].message_values)["how"] == (
        "transitive dependency, the lockfile does not record what pulls it in")


def test_pylock_missing_lock_version(tmp_path: Path) -> None:
    write(tmp_path, {"pylock.toml": PYLOCK.replace('lock-version = "1.0"\n', "")})
    assert problems(scan_one(tmp_path, "pylock.toml")) == [("invalid-lockfile", 1)]


PIPFILE_LOCK = {
    "_meta": {"hash": {"sha256": "00"}, "pipfile-spec": 6},
    "default": {
        "llama-models": {"hashes": ["sha256:11"], "version": "==0.3.0"},
        "llama-stack-client": {"version": "==0.7.5"},
        "llama-cookbook": {"git": "https://github.com/meta-llama/llama-cookbook.git",
                           "ref": "abc123"},
    },
    "develop": {"llama-api-client": {"version": "==0.6.0"}},
}


def test_pipfile_lock_with_pipfile(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pipfile.lock": json.dumps(PIPFILE_LOCK, indent=4),
        "Pipfile": ('[packages]\nllama-models = "*"\nllama-cookbook = {git = "x"}\n'
                    '[dev-packages]\nllama-api-client = "*"\n'),
    })
    output = scan_one(tmp_path, "Pipfile.lock")
    assert_spans_hold(tmp_path, "Pipfile.lock", output.hits)
    assert rows(output.hits) == [
        ("LA201", 9, 10, "llama-models", "==0.3.0", "true", ""),
        ("LA202", 15, 10, "llama-stack-client", "==0.7.5", "false", ""),
        ("LA201", 18, 10, "llama-cookbook",
         "git https://github.com/meta-llama/llama-cookbook.git @ abc123", "true", ""),
        ("LA201", 24, 10, "llama-api-client", "==0.6.0", "true", ""),
    ]
    assert [h.context for h in output.hits] == ["default", "default", "default", "develop"]
    assert dict(output.hits[3].details)["group"] == "dev"


def test_pipfile_lock_alone_cannot_tell_direct_from_transitive(tmp_path: Path) -> None:
    write(tmp_path, {"Pipfile.lock": json.dumps(PIPFILE_LOCK)})
    output = scan_one(tmp_path, "Pipfile.lock")
    assert {dict(h.details)["direct"] for h in output.hits} == {"unknown"}
    assert [h.line for h in output.hits] == [1, 1, 1, 1]


def test_pipfile_lock_cut_in_half(tmp_path: Path) -> None:
    text = json.dumps(PIPFILE_LOCK, indent=4)
    write(tmp_path, {"Pipfile.lock": text[: len(text) // 2]})
    output = scan_one(tmp_path, "Pipfile.lock")
    assert [code for code, _ in problems(output)] == ["invalid-json"]
    assert [(h.identifier, h.line, h.column, dict(h.details)["direct"]) for h in output.hits
            ] == [("llama-models", 9, 10, "unknown"), ("llama-stack-client", 15, 10, "unknown")]
    assert output.parsed is False


def test_shortest_chains_are_deterministic() -> None:
    edges = {"b": ["x"], "a": ["y", "x"], "y": ["target"], "x": ["target"]}
    paths = shortest_chains(["b", "a"], edges)
    assert paths["target"] == ["a", "x", "target"]
    assert paths["x"] == ["a", "x"]
