"""requirements*.txt / *.in: pip's line rules, every requirement form, and -r / -c includes."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.scan.deps.requirement_lines import logical_lines
from auditor.scan.deps.requirement_spec import (
    RequirementError,
    name_from_filename,
    name_from_url,
    read_requirement,
)
from auditor.scan.runner import scan_paths
from tests.deps_helpers import (
    assert_spans_hold,
    dependency_findings,
    problems,
    rows,
    scan_one,
    write,
)


def test_every_requirement_form_at_its_exact_position(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": (
        "# comment naming llama-models is not a requirement\n"          # 1
        "llama-models>=0.3,<0.4 ; python_version >= '3.10'  # pinned\n"  # 2
        "  Llama_CPP.Python[server] \\\n"                                # 3
        "      ==0.3.16 \\\n"                                            # 4
        "      --hash=sha256:abcd\n"                                      # 5
        "-e git+https://github.com/meta-llama/llama-stack.git@v0.7.3#egg=llama-stack\n"  # 6
        "--editable=git+https://github.com/meta-llama/llama-recipes\n"    # 7
        "git+https://github.com/abetlen/llama-cpp-python@v0.3.16\n"       # 8
        "llama-api-client @ https://example.org/llama_api_client-0.6.0-py3-none-any.whl\n"  # 9
        "./wheels/llama_cookbook-0.0.5-py3-none-any.whl\n"               # 10
        "-e .\n"                                                          # 11
        "--index-url https://pypi.org/simple\n"                           # 12
        "llama-index>=0.14\n"                                             # 13
        "ollama\n"                                                        # 14
    )})
    output = scan_one(tmp_path, "requirements.txt")
    assert_spans_hold(tmp_path, "requirements.txt", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA201", 2, 1, "llama-models", ">=0.3,<0.4", "true", ""),
        ("LA203", 3, 3, "Llama_CPP.Python", "==0.3.16", "true", ""),
        ("LA202", 6, 4, "llama-stack",
         "git+https://github.com/meta-llama/llama-stack.git@v0.7.3#egg=llama-stack", "true", ""),
        ("LA201", 7, 12, "llama-recipes",
         "git+https://github.com/meta-llama/llama-recipes", "true", ""),
        ("LA203", 8, 1, "llama-cpp-python",
         "git+https://github.com/abetlen/llama-cpp-python@v0.3.16", "true", ""),
        ("LA201", 9, 1, "llama-api-client",
         "@ https://example.org/llama_api_client-0.6.0-py3-none-any.whl", "true", ""),
        ("LA201", 10, 1, "llama_cookbook",
         "./wheels/llama_cookbook-0.0.5-py3-none-any.whl", "true", ""),
    ]
    cpp = output.hits[1]
    assert (cpp.end_line, cpp.end_column) == (4, 15)  # the requirement spans the continuation
    assert ("extras", "server") in cpp.details
    assert ("marker", "python_version >= '3.10'") in output.hits[0].details


def test_crlf_and_comment_continuations(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt":
                     "# a comment ending in a backslash \\\r\nllama-models\r\nllama-stack\\\r\n"
                     "-client==0.7.5\r\n"})
    output = scan_one(tmp_path, "requirements.txt")
    assert_spans_hold(tmp_path, "requirements.txt", output.hits)
    assert rows(output.hits) == [
        ("LA201", 2, 1, "llama-models", "", "true", ""),
        ("LA202", 3, 1, "llama-stack-client", "==0.7.5", "true", ""),
    ]


def test_logical_lines_remember_physical_positions() -> None:
    [line] = logical_lines("  pkg \\\n  >=1 # c\n")
    assert line.text == "pkg   >=1"
    assert line.position(0) == (1, 3)
    assert line.position(6) == (2, 3)


def test_lines_pip_would_reject_become_diagnostics(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": (
        "llama-models>=>0.3\n"
        "--frobnicate\n"
        "llama-stack-client==0.7.5 --no-such-flag\n"
        "llama-api-client==0.6.0\n"
        "-r\n"
    )})
    output = scan_one(tmp_path, "requirements.txt")
    assert_spans_hold(tmp_path, "requirements.txt", output.hits)
    assert problems(output) == [
        ("invalid-requirement", 1), ("invalid-requirement", 2), ("invalid-requirement", 3),
        ("invalid-requirement", 5),
    ]
    assert "llama-models>=>0.3" in output.problems[0].message
    assert "'--frobnicate'" in output.problems[1].message
    # the valid requirements are still reported
    assert [h.identifier for h in output.hits] == ["llama-stack-client", "llama-api-client"]


@pytest.mark.parametrize(("url", "name"), [
    ("git+https://github.com/abetlen/llama-cpp-python", "llama-cpp-python"),
    ("git+https://github.com/meta-llama/llama-models.git@v0.3.0", "llama-models"),
    ("git+ssh://git@github.com/meta-llama/llama-stack.git#egg=llama_stack", "llama_stack"),
    ("https://example.org/llama_models-0.3.0.tar.gz", "llama_models"),
    ("https://example.org/dist/llama_api_client-0.6.0-py3-none-any.whl", "llama_api_client"),
])
def test_names_from_urls(url: str, name: str) -> None:
    assert name_from_url(url) == name


def test_names_from_files() -> None:
    assert name_from_filename("llama_cpp_python-0.3.16.zip") == "llama_cpp_python"
    assert name_from_filename("..") is None


def test_read_requirement_errors() -> None:
    with pytest.raises(RequirementError):
        read_requirement("llama-models>=>1")
    assert read_requirement(".", editable=True) is None


def test_includes_are_followed_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "env/requirements.txt": "-r ../shared/base.txt\n--constraint=pins.txt\n",
        "shared/base.txt": "llama-index-core\n-r more/deep.txt\n",
        "shared/more/deep.txt": "\n\nllama-models==0.3.0\n",
        "env/pins.txt": "llama-stack<0.8\n",
    })
    output = scan_one(tmp_path, "env/requirements.txt")
    assert_spans_hold(tmp_path, "env/requirements.txt", output.hits)
    assert problems(output) == []
    assert rows(output.hits) == [
        ("LA201", 1, 1, "llama-models", "==0.3.0", "true", ""),
        ("LA202", 2, 1, "llama-stack", "<0.8", "false", ""),
    ]
    deep = dict(output.hits[0].details)
    assert (deep["manifest"], deep["declared_at"], deep["include_chain"]) == (
        "shared/more/deep.txt", "shared/more/deep.txt:3", "shared/base.txt → shared/more/deep.txt")
    assert output.hits[0].context == "-r ../shared/base.txt"
    assert dict(output.hits[1].message_values)["how"] == (
        "version constraint only, declared at env/pins.txt:1")


def test_a_file_reached_directly_and_by_include_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "-r requirements-base.txt\n-r extra.txt\nllama-stack\n",
        "requirements-base.txt": "llama-models\n-r extra.txt\n",
        "extra.txt": "llama-api-client\n",
    })
    found = [(f.path, f.line, f.identifier, f.context) for f in dependency_findings(tmp_path)]
    assert found == [
        ("requirements-base.txt", 1, "llama-models", ""),
        ("requirements-base.txt", 2, "llama-api-client", "-r extra.txt"),
        ("requirements.txt", 2, "llama-api-client", "-r extra.txt"),
        ("requirements.txt", 3, "llama-stack", ""),
    ]


def test_include_cycles_outside_root_and_missing_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(tmp_path, {"secret.txt": "llama-models\n"})
    write(root, {
        "requirements.txt": ("-r a.txt\n-r ../secret.txt\n-r nowhere.txt\n"
                             "-r https://example.org/r.txt\n-r ${HOME}/r.txt\nllama-models\n"),
        "a.txt": "-r b.txt\nllama-stack\n",
        "b.txt": "-r a.txt\n-r requirements.txt\n",
    })
    output = scan_one(root, "requirements.txt")
    assert_spans_hold(root, "requirements.txt", output.hits)
    assert problems(output) == [
        ("include-cycle", 1), ("include-cycle", 1), ("include-outside-root", 2),
        ("include-missing", 3), ("include-not-followed", 4), ("include-not-followed", 5),
    ]
    assert "a.txt → b.txt → a.txt" in output.problems[0].message
    assert "requirements.txt → a.txt → b.txt → requirements.txt" in output.problems[1].message
    assert [(h.identifier, h.line) for h in output.hits] == [("llama-models", 6),
                                                             ("llama-stack", 1)]


def test_symlinked_include_leaving_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(tmp_path, {"outside/deps.txt": "llama-models\n"})
    write(root, {"requirements.txt": "-r link.txt\n"})
    (root / "link.txt").symlink_to(tmp_path / "outside" / "deps.txt")
    output = scan_one(root, "requirements.txt")
    assert_spans_hold(root, "requirements.txt", output.hits)
    assert problems(output) == [("include-outside-root", 1)]
    assert output.hits == []


def test_a_single_file_root_expands_its_includes(tmp_path: Path) -> None:
    """Given one file to scan, its includes are read (nothing else is scanned on its own)."""
    write(tmp_path, {
        "requirements.txt": "-r requirements-base.txt\nllama-stack\n",
        "requirements-base.txt": "llama-models==0.3.0\n",
    })
    result = scan_paths([tmp_path / "requirements.txt"])
    found = [(f.path, f.line, f.identifier, f.detail("declared_at")) for f in result.findings]
    assert found == [
        ("requirements.txt", 1, "llama-models", "requirements-base.txt:1"),
        ("requirements.txt", 2, "llama-stack", None),
    ]
    assert result.diagnostics == ()


def test_a_file_included_along_two_paths_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "-r a.txt\n",
        "a.txt": "-r b.txt\n-r c.txt\n",
        "b.txt": "-r shared.txt\n",
        "c.txt": "-r shared.txt\n",
        "shared.txt": "llama-models\nnot a requirement!\n",
    })
    output = scan_one(tmp_path, "requirements.txt")
    assert rows(output.hits) == [("LA201", 1, 1, "llama-models", "", "true", "")]
    assert dict(output.hits[0].details)["include_chain"] == "a.txt → b.txt → shared.txt"
    assert problems(output) == [("invalid-requirement", 1)]
    assert output.problems[0].message.startswith("shared.txt:2 (included at line 1): ")
