"""The pieces of ``fix``: naming, choosing, text edits, files, git, manifests."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auditor.enrich.naming import Shaped, Unshapeable, shape
from auditor.fix.deps_rewrite import _requirement_name, relock_commands
from auditor.fix.files import FileRefused, encode, inside_root, read_for_rewrite, write_all
from auditor.fix.model import Chosen, NotChosen
from auditor.fix.plan import (
    CatalogChooser,
    OverrideChooser,
    fine_tune_reason,
    parse_overrides,
    policy_families,
    routing_prefixes,
    summarise_problems,
)
from auditor.fix.textedit import (
    EditConflict,
    TextEdit,
    TextLines,
    apply_edits,
    comment_above,
    has_comment_above,
)
from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from auditor.types import Category, Check, Effort, FileKind, Finding, Severity, Suggestion
from auditor.util.git import _porcelain_paths, uncommitted
from tests.fix_helpers import git, git_repo

RULES = load_ruleset()
PREFIXES = routing_prefixes(RULES)


def _finding(identifier: str, suggestions: tuple[Suggestion, ...] = (),
             details: tuple[tuple[str, str], ...] = ()) -> Finding:
    ref = identify(identifier, RULES)
    assert ref is not None
    return Finding(rule_id="LA101", category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
                   effort=Effort.SWAP, path="app.py", line=1, column=1, end_line=1,
                   end_column=1 + len(identifier), message="m", snippet=identifier,
                   identifier=identifier, model=ref, suggestions=suggestions, details=details)


def _suggestion(hub_id: str, runtime_name: str, runtime: bool | None = True,
                failed: tuple[str, ...] = ()) -> Suggestion:
    checks = [Check("runtime_format", runtime, f"no name for {hub_id}")]
    checks += [Check(name, False, f"{name} failed") for name in failed]
    return Suggestion(hub_id=hub_id, family=hub_id.split("/")[0], runtime_name=runtime_name,
                      reason="r", checks=tuple(checks))


# -- naming -------------------------------------------------------------------------------

@pytest.mark.parametrize(("identifier", "name", "expected"), [
    ("llama3.1:8b", "qwen3.5:9b", "qwen3.5:9b"),
    ("ollama_chat/llama3.1:8b", "qwen3.5:9b", "ollama_chat/qwen3.5:9b"),
    ("groq/llama-3.3-70b-versatile", "qwen3.6-27b", "groq/qwen3.6-27b"),
    ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "unsloth/Qwen3.5-9B-GGUF",
     "unsloth/Qwen3.5-9B-GGUF"),
    ("hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M", "unsloth/Qwen3.5-4B-GGUF",
     "hf.co/unsloth/Qwen3.5-4B-GGUF:Q4_K_M"),
    ("./models/llama-2-13b-chat.Q5_K_M.gguf", "unsloth/Qwen3.5-27B-GGUF",
     "./models/Qwen3.5-27B-Q5_K_M.gguf"),
    ("Meta-Llama-3.1-8B-Instruct-IQ4_XS.gguf", "unsloth/Qwen3.5-9B-GGUF",
     "Qwen3.5-9B-IQ4_XS.gguf"),
    # a router's prefix that repeats the provider's name (instructor's from_provider) stays
    ("fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct",
     "accounts/fireworks/models/qwen3-8b", "fireworks/accounts/fireworks/models/qwen3-8b"),
])
def test_replacement_keeps_the_shape_of_the_original(identifier: str, name: str,
                                                      expected: str) -> None:
    ref = identify(identifier, RULES)
    assert ref is not None
    shaped = shape(identifier, ref, name, PREFIXES)
    assert isinstance(shaped, Shaped)
    assert shaped.text == expected


def test_a_chat_template_file_is_not_named_by_a_hub_id() -> None:
    """vLLM's ``--chat-template tool_chat_template_llama3.1_json.jinja``: Llama's prompt
    format in a file; a Hub id there would point the server at no template."""
    identifier = "templates/tool_chat_template_llama3.1_json.jinja"
    ref = identify(identifier, RULES)
    assert ref is not None  # still reported (a Llama prompt format)
    refused = shape(identifier, ref, "google/gemma-4-E4B-it", PREFIXES)
    assert isinstance(refused, Unshapeable)
    assert refused.reason.startswith("'templates/tool_chat_template_llama3.1_json.jinja' is a "
                                     "chat template file written for Llama")


def test_a_gguf_file_gets_a_download_step_and_one_without_quantisation_is_refused() -> None:
    ref = identify("models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", RULES)
    assert ref is not None
    shaped = shape("models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", ref,
                   "unsloth/Qwen3.5-9B-GGUF", PREFIXES)
    assert isinstance(shaped, Shaped)
    assert shaped.steps[0].startswith("download Qwen3.5-9B-Q4_K_M.gguf from "
                                      "https://huggingface.co/unsloth/Qwen3.5-9B-GGUF into models")
    bare = identify("Meta-Llama-3.1-8B-Instruct.gguf", RULES)
    assert bare is not None
    refused = shape("Meta-Llama-3.1-8B-Instruct.gguf", bare, "unsloth/Qwen3.5-9B-GGUF",
                    PREFIXES)
    assert isinstance(refused, Unshapeable)
    assert "no quantisation label" in refused.reason


@pytest.mark.parametrize("identifier", [
    "llama2_7b.bin", "./models/llama-7B/ggml-model.bin",
    "out/Llama-2-7b/consolidated.00.pth", "llama-2-7b/model.safetensors"])
def test_a_weights_file_is_not_named_by_a_hub_id(identifier: str) -> None:
    """llama2.c's ``./run llama2_7b.bin`` read ``./run google/gemma-4-E4B`` after fix: the code
    reads a file, and a repository id names none."""
    ref = identify(identifier, RULES)
    assert ref is not None and ref.runtime != "gguf"
    refused = shape(identifier, ref, "google/gemma-4-E4B", PREFIXES)
    assert isinstance(refused, Unshapeable)
    assert refused.reason.startswith(f"'{identifier}' is a weights file the code reads, and "
                                      "google/gemma-4-E4B names no file")


def test_a_bedrock_profile_prefix_is_flagged() -> None:
    ref = identify("us.meta.llama3-3-70b-instruct-v1:0", RULES)
    assert ref is not None
    shaped = shape("us.meta.llama3-3-70b-instruct-v1:0", ref, "qwen.qwen3-32b-v1:0", PREFIXES)
    assert isinstance(shaped, Shaped)
    assert shaped.text == "qwen.qwen3-32b-v1:0"
    assert "cross-region inference profile 'us.'" in shaped.steps[0]


# -- choosing -----------------------------------------------------------------------------

def test_overrides_parse_validate_and_match_case_insensitively() -> None:
    table = parse_overrides(["Meta-Llama/Llama-3.1-8B-Instruct = Qwen/Qwen3.5-9B"], RULES)
    assert table == {"Meta-Llama/Llama-3.1-8B-Instruct": "Qwen/Qwen3.5-9B"}
    chooser = OverrideChooser(table)
    choice = chooser.choose(_finding("meta-llama/Llama-3.1-8B-Instruct"))
    assert choice == Chosen("Qwen/Qwen3.5-9B", "Qwen/Qwen3.5-9B", "--model")
    assert isinstance(chooser.choose(_finding("llama3.1:8b")), NotChosen)
    assert chooser.unused([_finding("llama3.1:8b")]) == ["Meta-Llama/Llama-3.1-8B-Instruct"]
    with pytest.raises(ValueError, match="two replacements"):
        parse_overrides(["llama3.1:8b=a", "LLAMA3.1:8B=b"], RULES)


def test_catalog_chooser_writes_the_plans_first_suggestion() -> None:
    """The planner orders the suggestions (the decision first); fix never re-decides."""
    suggestions = (
        _suggestion("google/gemma-4-E4B-it", "google/gemma-4-E4B-it", failed=("license",)),
        _suggestion("mistralai/Ministral-3-8B-Instruct-2512",
                    "mistralai/Ministral-3-8B-Instruct-2512"),
    )
    finding = _finding("meta-llama/Llama-3.1-8B-Instruct", suggestions)
    families = policy_families(RULES)
    plain = CatalogChooser(PREFIXES, families).choose(finding)
    assert plain == Chosen("google/gemma-4-E4B-it", "google/gemma-4-E4B-it", "catalog",
                           ("google/gemma-4-E4B-it failed its license check: license failed",))
    qwen = CatalogChooser(PREFIXES, families, prefer="qwen").choose(finding)
    assert isinstance(qwen, Chosen)
    assert qwen.text == "google/gemma-4-E4B-it"
    assert qwen.warnings[0] == ("no usable qwen replacement for Llama 3.1 8B instruct; "
                                "used google")
    unnamed = _finding("meta-llama/Llama-3.1-8B-Instruct", (
        _suggestion("Qwen/Qwen3.5-9B", "Qwen/Qwen3.5-9B", runtime=None), *suggestions))
    assert CatalogChooser(PREFIXES, families).choose(unnamed) == NotChosen(
        "no name for Qwen/Qwen3.5-9B")


def test_catalog_chooser_explains_when_nothing_is_usable() -> None:
    finding = _finding("meta.llama3-1-70b-instruct-v1:0", (
        _suggestion("google/gemma-4-31B-it", "google/gemma-4-31B-it", runtime=None),
        _suggestion("Qwen/Qwen3.5-122B-A10B", "Qwen/Qwen3.5-122B-A10B", runtime=None)))
    choice = CatalogChooser(PREFIXES, {}).choose(finding)
    assert choice == NotChosen("no name for google/gemma-4-31B-it or Qwen/Qwen3.5-122B-A10B")
    empty = CatalogChooser(PREFIXES, {}).choose(_finding("meta-llama/Llama-3.1-8B-Instruct"))
    assert isinstance(empty, NotChosen)
    assert empty.reason.startswith("the catalog has no replacement for Llama 3.1 8B instruct")


def test_problems_that_differ_only_in_the_hub_id_are_merged() -> None:
    assert summarise_problems([("a/x", "no id for a/x"), ("b/y", "no id for b/y"),
                               ("c/z", "gone")]) == "no id for a/x or b/y; gone"


def test_fine_tunes_are_not_swapped_but_quantisations_are() -> None:
    hermes = _finding("NousResearch/Hermes-3-Llama-3.1-8B")
    assert fine_tune_reason(hermes) is not None
    assert fine_tune_reason(_finding("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")) is None
    quantised = _finding("NousResearch/Hermes-3-Llama-3.1-8B", details=(
        ("lineage", "x → meta-llama/Llama-3.1-8B-Instruct (quantized): Llama-derived"),))
    assert fine_tune_reason(quantised) is None
    assert fine_tune_reason(_finding("meta-llama/Llama-3.1-8B-Instruct")) is None


# -- text edits ---------------------------------------------------------------------------

def test_edits_apply_together_and_overlaps_are_refused() -> None:
    text = "a = 1\nb = 2\n"
    assert apply_edits(text, [TextEdit(4, 5, "10"), TextEdit(6, 6, "# c\n")]) == \
        "a = 10\n# c\nb = 2\n"
    with pytest.raises(EditConflict):
        apply_edits(text, [TextEdit(0, 3, "x"), TextEdit(2, 4, "y")])


def test_comments_keep_indentation_and_crlf_line_breaks() -> None:
    lines = TextLines("a:\r\n  b: 1\r\n")
    edit = comment_above(lines, 2, ["llama-audit: todo[LA301] x", "  y"])
    assert apply_edits(lines.text, [edit]) == \
        "a:\r\n  # llama-audit: todo[LA301] x\r\n  #   y\r\n  b: 1\r\n"
    commented = TextLines(apply_edits(lines.text, [edit]))
    assert has_comment_above(commented, 4, "llama-audit: todo[LA301]")
    assert not has_comment_above(commented, 2, "llama-audit: todo[LA301]")


# -- files --------------------------------------------------------------------------------

def test_reading_keeps_bom_and_declared_encoding(tmp_path: Path) -> None:
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfmodel: x\r\n")
    decoded = read_for_rewrite(bom, FileKind.CONFIG)
    assert (decoded.text, decoded.encoding, decoded.bom) == ("model: x\r\n", "utf-8",
                                                             b"\xef\xbb\xbf")
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9'\n")
    assert read_for_rewrite(latin, FileKind.PYTHON).encoding == "iso-8859-1"
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(b"model: \xff\n")
    with pytest.raises(FileRefused, match="not valid utf-8"):
        read_for_rewrite(broken, FileKind.CONFIG)
    with pytest.raises(FileRefused, match="cannot be written as ascii"):
        encode("é", "ascii")


def test_write_all_is_atomic_per_file_and_keeps_modes(tmp_path: Path) -> None:
    script = tmp_path / "serve.sh"
    script.write_text("old\n")
    script.chmod(0o750)
    write_all([(script, b"new\n")])
    assert script.read_bytes() == b"new\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["serve.sh"]
    with pytest.raises(OSError, match="cannot write"):
        write_all([(tmp_path / "missing" / "x.txt", b"x")])


def test_symlinks_and_files_outside_the_root_are_not_rewritten(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text("model: x\n")
    (root / "link.yaml").symlink_to(outside)
    (root / "real.yaml").write_text("model: x\n")
    assert not inside_root(root / "link.yaml", root)
    assert not inside_root(outside, root)
    assert inside_root(root / "real.yaml", root)


# -- git ----------------------------------------------------------------------------------

def test_porcelain_paths_include_both_sides_of_a_rename() -> None:
    output = " M a.py\0R  new.py\0old.py\0?? dir/n.txt\0"
    assert _porcelain_paths(output) == ["a.py", "new.py", "old.py", "dir/n.txt"]


def test_uncommitted_reports_modified_and_untracked_files(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "clean.py").write_text("x = 1\n")
    (repo / "changed.py").write_text("x = 1\n")
    git_repo(repo)
    (repo / "changed.py").write_text("x = 2\n")
    (repo / "new.py").write_text("x = 3\n")
    git(repo, "status")
    paths = [repo / "clean.py", repo / "changed.py", repo / "new.py"]
    dirty, problems = uncommitted(paths)
    assert (dirty, problems) == ([repo / "changed.py", repo / "new.py"], [])
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    (elsewhere / "a.py").write_text("")
    dirty, problems = uncommitted([elsewhere / "a.py"])
    assert dirty == []
    assert problems == [f"{elsewhere.resolve()} is not inside a git work tree"]
    assert os.path.isdir(repo / ".git")


# -- manifests ----------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "name"), [
    ("llama-models>=0.3", "llama-models"),
    ("llama-models>=0.3  # comment", "llama-models"),
    ("    - llama-models>=0.3", "llama-models"),
    ("llama_recipes[extra] ; python_version >= '3.10'", "llama_recipes"),
    ("llama-cookbook==0.0.5 \\", "llama-cookbook"),
    ("-e git+https://github.com/meta-llama/llama-models.git@v0.3.0#egg=llama-models",
     "llama-models"),
    ("install_requires = llama-models", None),
    ("git+https://github.com/meta-llama/llama-models", None),
])
def test_requirement_lines_are_removed_only_when_they_hold_one_requirement(
        line: str, name: str | None) -> None:
    assert _requirement_name(line) == name


def test_relock_commands_name_the_tool() -> None:
    compiled = ("#\n# This file is autogenerated by pip-compile with Python 3.11\n"
                "# by the following command:\n#\n#    pip-compile requirements.in\n#\n")
    assert relock_commands(["poetry.lock", "svc/uv.lock"], ["requirements.txt"],
                           {"requirements.txt": compiled}) == [
        "poetry.lock: poetry lock",
        "svc/uv.lock: cd svc && uv lock",
        "requirements.txt: compiled from a .in file; re-run pip-compile requirements.in",
    ]


def test_a_gguf_file_name_in_a_repository_says_it_is_unchecked() -> None:
    """``hf_hub_download(repo_id=..., filename="...Q6_K_L.gguf")``: the code downloads the
    file itself, so the note does not send it "into ."; it says the name is a guess."""
    identifier = "Llama-3.2-3B-Instruct-Q6_K_L.gguf"
    ref = identify(identifier, RULES)
    assert ref is not None
    shaped = shape(identifier, ref, "unsloth/gemma-4-E4B-it-GGUF", PREFIXES)
    assert isinstance(shaped, Shaped)
    assert shaped.text == "gemma-4-E4B-it-Q6_K_L.gguf"
    assert shaped.steps == (
        "the name gemma-4-E4B-it-Q6_K_L.gguf is not checked (the catalog does not list the "
        "files of unsloth/gemma-4-E4B-it-GGUF, and uploaders name quantisations differently): "
        "check it in https://huggingface.co/unsloth/gemma-4-E4B-it-GGUF/tree/main; if the code "
        "reads it from disk, download it (huggingface-cli download unsloth/gemma-4-E4B-it-GGUF "
        "--include '*Q6_K_L*.gguf' --local-dir .)",)
