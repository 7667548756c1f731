"""Every rule proves itself with exact rows: each ``[[rule.case]]`` in ``rules/*.toml`` is
scanned and the rule's findings must be exactly its ``expect`` rows (line, column,
identifier); a case with ``fixed`` must read exactly that after ``llama-audit fix --write``.
Test ids keep the rule and the kind of case: ``LA101-match-2``, ``LA101-no_match-1``."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ruleset.load import RuleCase, RuleSet, load_ruleset
from tests.rules.helpers import check_case

RULES = load_ruleset()


def case_params(ruleset: RuleSet, fires: bool) -> list[object]:
    params = []
    kind = "match" if fires else "no_match"
    for rule in ruleset.rules.values():
        cases = [c for c in rule.cases if c.fires == fires]
        for number, case in enumerate(cases, start=1):
            params.append(pytest.param(rule.id, case, id=f"{rule.id}-{kind}-{number}"))
    return params


@pytest.mark.parametrize(("rule_id", "case"), case_params(RULES, fires=True))
def test_match_cases_give_their_rows(tmp_path: Path, rule_id: str, case: RuleCase) -> None:
    check_case(tmp_path, rule_id, case)


@pytest.mark.parametrize(("rule_id", "case"), case_params(RULES, fires=False))
def test_no_match_cases_do_not_fire(tmp_path: Path, rule_id: str, case: RuleCase) -> None:
    check_case(tmp_path, rule_id, case)


def test_every_rule_has_examples_both_ways() -> None:
    for rule in RULES.rules.values():
        assert rule.match, f"{rule.id} has no match example"
        assert rule.no_match, f"{rule.id} has no no_match example"


def test_rule_ids_are_unique_and_stable_format() -> None:
    ids = list(RULES.rules)
    assert len(ids) == len(set(ids))
    assert all(i.startswith("LA") and len(i) == 5 for i in ids)


def test_bundled_cases_carry_exact_rows() -> None:
    """A bundled case says which rows it expects; only a user's legacy strings may not."""
    loose = [f"{rule.id}: {case.code!r}" for rule in RULES.rules.values()
             for case in rule.cases if case.expect is None]
    assert loose == []
