"""Every rule proves itself: each `match` example fires the rule, each `no_match` does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.scan.runner import ScanOptions, scan_paths

RULES = load_ruleset()


def _cases(kind: str) -> list[object]:
    cases = []
    for rule in RULES.rules.values():
        examples = rule.match if kind == "match" else rule.no_match
        for number, example in enumerate(examples, start=1):
            cases.append(pytest.param(rule.id, rule.example_path, example,
                                      id=f"{rule.id}-{kind}-{number}"))
    return cases


def _rules_fired(tmp_path: Path, example_path: str, text: str) -> set[str]:
    target = tmp_path / "repo" / example_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text + "\n", encoding="utf-8")
    result = scan_paths([tmp_path / "repo"], ScanOptions(include_docs=True))
    return {f.rule_id for f in result.findings}


@pytest.mark.parametrize(("rule_id", "example_path", "text"), _cases("match"))
def test_match_examples_fire(tmp_path: Path, rule_id: str, example_path: str, text: str) -> None:
    assert rule_id in _rules_fired(tmp_path, example_path, text)


@pytest.mark.parametrize(("rule_id", "example_path", "text"), _cases("no_match"))
def test_no_match_examples_do_not_fire(tmp_path: Path, rule_id: str, example_path: str,
                                       text: str) -> None:
    assert rule_id not in _rules_fired(tmp_path, example_path, text)


def test_every_rule_has_examples_both_ways() -> None:
    for rule in RULES.rules.values():
        assert rule.match, f"{rule.id} has no match example"
        assert rule.no_match, f"{rule.id} has no no_match example"


def test_rule_ids_are_unique_and_stable_format() -> None:
    ids = list(RULES.rules)
    assert len(ids) == len(set(ids))
    assert all(i.startswith("LA") and len(i) == 5 for i in ids)
