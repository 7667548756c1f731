"""Configuration: discovery, nearest-wins cascade, strict validation, ``config show``."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from auditor.policy.config import ConfigError, load_config, rebase_pattern
from auditor.ruleset.load import load_ruleset


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    """A monorepo: pyproject at the top, a service with its own .llama-audit.toml."""
    root = tmp_path / "mono"
    (root / ".git").mkdir(parents=True)
    (root / "services" / "chat" / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "mono"\n\n[tool.llama-audit]\n'
        'exclude = ["services/chat/legacy/", "*.ipynb"]\nfail-on = "medium"\n'
        'baseline = ".llama-audit-baseline.json"\nrule-dirs = ["tools/rules"]\n'
        '\n[[tool.llama-audit.waivers]]\nrule = "llama-model-id"\npath = "eval/**"\n'
        'reason = "parity runs"\nuntil = 2027-01-31\n')
    (root / "services" / "chat" / ".llama-audit.toml").write_text(
        'fail-on = "low"\nprefer = ["Qwen", "gemma"]\n')
    return root


def test_nearest_file_wins_key_by_key(mono: Path) -> None:
    config = load_config(mono / "services" / "chat" / "src", cwd=mono)
    assert [f.display for f in config.files] == ["services/chat/.llama-audit.toml",
                                                 "pyproject.toml"]
    assert config.fail_on == "low"
    assert config.prefer == ("qwen", "gemma")
    assert config.preferred_family == "qwen"
    assert config.exclude == ("services/chat/legacy/", "*.ipynb")
    assert config.baseline == mono.resolve() / ".llama-audit-baseline.json"
    assert config.rule_dirs == (mono.resolve() / "tools" / "rules",)
    assert config.sources["fail-on"].display == "services/chat/.llama-audit.toml"
    assert config.sources["exclude"].label == "pyproject.toml [tool.llama-audit]"
    [spec] = config.waiver_specs
    assert (spec.rule, spec.path, spec.reason, spec.until) == (
        "llama-model-id", "eval/**", "parity runs", datetime.date(2027, 1, 31))


def test_root_true_stops_the_search(mono: Path) -> None:
    (mono / "services" / "chat" / ".llama-audit.toml").write_text("root = true\n")
    config = load_config(mono / "services" / "chat", cwd=mono)
    assert [f.display for f in config.files] == ["services/chat/.llama-audit.toml"]
    assert config.fail_on is None and config.exclude == ()


def test_prefer_accepts_one_family(tmp_path: Path) -> None:
    write(tmp_path, 'prefer = "Mistral"\n')
    config = load_config(tmp_path, cwd=tmp_path)
    assert (config.prefer, config.preferred_family) == (("mistral",), "mistral")


def test_search_stops_at_the_repository_top(tmp_path: Path) -> None:
    (tmp_path / ".llama-audit.toml").write_text('fail-on = "info"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert load_config(repo).files == ()


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n')
    assert load_config(tmp_path / "pkg").files == ()


def test_scanning_a_file_uses_its_directory(mono: Path) -> None:
    target = mono / "services" / "chat" / "src" / "app.py"
    target.write_text("x = 1\n")
    assert load_config(target).fail_on == "low"


def test_explicit_config_file_replaces_the_search(mono: Path, tmp_path: Path) -> None:
    other = tmp_path / "ci.toml"
    other.write_text('fail-on = "none"\n')
    config = load_config(mono / "services" / "chat", explicit=other)
    assert config.fail_on == "none" and len(config.files) == 1
    with pytest.raises(ConfigError, match=r"config file .*missing\.toml does not exist"):
        load_config(mono, explicit=tmp_path / "missing.toml")


def test_exclude_patterns_are_rebased_onto_the_scanned_subdirectory(mono: Path) -> None:
    config = load_config(mono / "services" / "chat")
    assert config.exclude_for(mono / "services" / "chat") == ("/legacy/", "*.ipynb")
    assert config.exclude_for(mono) == ("services/chat/legacy/", "*.ipynb")
    (mono / "services" / "other").mkdir()
    assert config.exclude_for(mono / "services" / "other") == ("*.ipynb",)


@pytest.mark.parametrize(
    ("pattern", "prefix", "expected"),
    [
        ("*.ipynb", "a/b", "*.ipynb"),
        ("legacy/", "a", "legacy/"),
        ("a/legacy/", "a", "/legacy/"),
        ("/a/b/c.py", "a", "/b/c.py"),
        ("a/*/gen/", "a/x", "/gen/"),
        ("a/**/gen", "a/x", "/**/gen"),
        ("**/gen", "a", "**/gen"),
        ("b/legacy/", "a", None),
        ("a/", "a", "a/"),
        ("a/b/", "a/b", None),
        ("!a/keep.py", "a", "!/keep.py"),
        ("x/y", None, None),
        ("x/y", "", "x/y"),
    ],
)
def test_rebase_pattern(pattern: str, prefix: str | None, expected: str | None) -> None:
    assert rebase_pattern(pattern, prefix) == expected


def write(tmp_path: Path, text: str, name: str = ".llama-audit.toml") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('excludes = ["x"]',
         ".llama-audit.toml: unknown key 'excludes' (did you mean 'exclude'?); known keys: "
         "root, exclude, fail-on, baseline, rule-dirs, prefer, waivers"),
        ('fail-on = "hgh"',
         ".llama-audit.toml: 'fail-on' must be a string, one of high, medium, low, info, none; "
         "got string 'hgh'"),
        ("fail-on = 3",
         ".llama-audit.toml: 'fail-on' must be a string, one of high, medium, low, info, none; "
         "got integer 3"),
        ('exclude = "legacy/"',
         ".llama-audit.toml: 'exclude' must be an array of strings (gitignore-style patterns); "
         "got string 'legacy/'"),
        ('root = "yes"', ".llama-audit.toml: 'root' must be a boolean; got string 'yes'"),
        ("baseline = 1",
         ".llama-audit.toml: 'baseline' must be a string (path to a baseline file); got "
         "integer 1"),
        ('prefer = ["llama"]',
         ".llama-audit.toml: 'prefer' must be a string or an array of strings from gemma, "
         "qwen, mistral; got array ['llama']"),
        ('prefer = "llama"',
         ".llama-audit.toml: 'prefer' must be a string or an array of strings from gemma, "
         "qwen, mistral; got string 'llama'"),
        ("prefer = 1",
         ".llama-audit.toml: 'prefer' must be a string or an array of strings from gemma, "
         "qwen, mistral; got integer 1"),
        ('waivers = [{rule = "LA101", path = "x"}]',
         ".llama-audit.toml: waivers[0]: missing 'reason' (a string)"),
        ('waivers = [{rule = "LA101", path = "x", reason = "r", untill = 2027-01-01}]',
         ".llama-audit.toml: waivers[0]: unknown key 'untill' (did you mean 'until'?); known "
         "keys: rule, path, reason, identifier, until"),
        ('waivers = [{rule = "LA101", path = "x", reason = "r", until = "next year"}]',
         ".llama-audit.toml: waivers[0].until must be a date such as 2027-01-31, not "
         "'next year'"),
        ('waivers = [{rule = "LA101", path = "x", reason = "r", until = 2027-01-01T10:00:00}]',
         ".llama-audit.toml: waivers[0].until must be a date such as 2027-01-31, not "
         "date-time datetime.datetime(2027, 1, 1, 10, 0)"),
        ('waivers = [{rule = "LA101", path = "x", reason = ""}]',
         ".llama-audit.toml: waivers[0].reason must be a non-empty string, not string ''"),
        ("fail-on = ", ".llama-audit.toml: invalid TOML: "),
    ],
)
def test_invalid_config_names_file_key_and_expected_type(
        tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, cwd=tmp_path)
    assert str(info.value).startswith(message)


def test_errors_in_pyproject_name_the_table(tmp_path: Path) -> None:
    write(tmp_path, '[tool.llama-audit]\nfail_on = "high"\n', "pyproject.toml")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, cwd=tmp_path)
    assert str(info.value).startswith(
        "pyproject.toml [tool.llama-audit]: unknown key 'fail_on' (did you mean 'fail-on'?)")


def test_both_config_files_in_one_directory_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, 'fail-on = "low"\n')
    write(tmp_path, '[tool.llama-audit]\nfail-on = "high"\n', "pyproject.toml")
    with pytest.raises(ConfigError, match=r"both \.llama-audit\.toml and pyproject\.toml"):
        load_config(tmp_path, cwd=tmp_path)


def test_waiver_rules_resolve_by_id_or_slug_and_unknown_ones_fail(tmp_path: Path) -> None:
    write(tmp_path, '[[waivers]]\nrule = "llama-model-loader"\npath = "a/**"\nreason = "r"\n'
                    '[[waivers]]\nrule = "LA999"\npath = "b"\nreason = "r"\n')
    config = load_config(tmp_path, cwd=tmp_path)
    resolve = load_ruleset().resolve_rule_ref
    with pytest.raises(ConfigError) as info:
        config.waivers(resolve)
    assert str(info.value) == (".llama-audit.toml: waivers[1].rule: unknown rule 'LA999' "
                               "(see 'llama-audit rules list')")
    write(tmp_path, '[[waivers]]\nrule = "llama-model-loader"\npath = "a/**"\nreason = "r"\n')
    [waiver] = load_config(tmp_path, cwd=tmp_path).waivers(resolve)
    assert (waiver.rule_id, waiver.base_dir) == ("LA102", str(tmp_path.resolve()))


def test_config_show_prints_values_and_their_sources(mono: Path, run_cli,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mono)
    run = run_cli(["config", "show", "services/chat"])
    assert run.code == 0
    assert run.out == (
        "# config files, nearest first:\n"
        "#   services/chat/.llama-audit.toml\n"
        "#   pyproject.toml [tool.llama-audit]\n"
        "\n"
        "root = false  # default\n"
        'exclude = ["services/chat/legacy/", "*.ipynb"]  # pyproject.toml [tool.llama-audit]\n'
        'fail-on = "low"  # services/chat/.llama-audit.toml\n'
        'baseline = ".llama-audit-baseline.json"  # pyproject.toml [tool.llama-audit]\n'
        'rule-dirs = ["tools/rules"]  # pyproject.toml [tool.llama-audit]\n'
        'prefer = ["qwen", "gemma"]  # services/chat/.llama-audit.toml\n'
        "\n"
        "[[waivers]]  # pyproject.toml [tool.llama-audit]\n"
        'rule = "llama-model-id"\n'
        'path = "eval/**"\n'
        'reason = "parity runs"\n'
        'until = "2027-01-31"\n')
    data = json.loads(run_cli(["config", "show", "services/chat", "--format", "json"]).out)
    assert data["files"] == [{"path": "services/chat/.llama-audit.toml", "root": False},
                             {"path": "pyproject.toml", "root": False}]
    assert data["values"]["fail-on"] == {"value": "low",
                                         "source": "services/chat/.llama-audit.toml"}
    assert data["values"]["root"] == {"value": False, "source": "default"}


def test_config_show_without_files_lists_defaults(tmp_path: Path, run_cli,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    run = run_cli(["config", "show"])
    assert run.out.splitlines()[:4] == ["# no config file found: defaults apply", "",
                                        "root = false  # default", "exclude = []  # default"]
    assert 'fail-on = "high"  # default' in run.out


def test_bad_config_exits_2_with_one_line_in_every_command(tmp_path: Path, run_cli,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, 'fail-on = "hgh"\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    expected = ("llama-audit: error: .llama-audit.toml: 'fail-on' must be a string, one of "
                "high, medium, low, info, none; got string 'hgh'\n")
    for args in (["scan", "."], ["baseline", "."], ["config", "show"]):
        run = run_cli(args)
        assert (run.code, run.err) == (2, expected), args
    assert run_cli(["scan", ".", "--no-config", "-q"]).code == 0


def test_config_excludes_apply_to_scans_of_a_subdirectory(mono: Path, run_cli) -> None:
    chat = mono / "services" / "chat"
    (chat / "legacy").mkdir()
    (chat / "legacy" / "old.py").write_text('M = "meta-llama/Llama-2-7b-hf"\n')
    (chat / "src" / "app.py").write_text('M = "meta-llama/Llama-3.1-8B"\n')
    (mono / "tools" / "rules").mkdir(parents=True)
    run = run_cli(["scan", str(chat), "--no-baseline", "--format", "json"])
    assert [f["path"] for f in run.json()["findings"]] == ["src/app.py"]


def test_force_exclude_drops_excluded_files_given_explicitly(mono: Path, run_cli,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    chat = mono / "services" / "chat"
    (chat / "legacy").mkdir()
    (chat / "legacy" / "old.py").write_text('M = "meta-llama/Llama-2-7b-hf"\n')
    (mono / "tools" / "rules").mkdir(parents=True)
    monkeypatch.chdir(mono)
    target = "services/chat/legacy/old.py"
    assert run_cli(["scan", target, "--no-baseline", "-q"]).code == 1
    run = run_cli(["scan", target, "--no-baseline", "--force-exclude", "--format", "json"])
    assert run.code == 0
    assert run.json()["findings"] == [] and run.json()["roots"] == [target]
