"""Every rule proves itself with exact rows: each ``[[rule.case]]`` in ``rules/*.toml`` is
scanned and the rule's findings must be exactly its ``expect`` rows (line, column,
identifier); a case with ``fixed`` must read exactly that after ``llama-audit fix --write``.
Test ids keep the rule and the kind of case: ``LA101-match-2``, ``LA101-no_match-1``."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ruleset.load import RuleCase, RuleSet, load_ruleset
from auditor.scan.runner import ScanOptions, scan_paths
from tests.fix_helpers import run_fix

RULES = load_ruleset()


def case_params(ruleset: RuleSet, fires: bool) -> list[object]:
    params = []
    kind = "match" if fires else "no_match"
    for rule in ruleset.rules.values():
        cases = [c for c in rule.cases if c.fires == fires]
        for number, case in enumerate(cases, start=1):
            params.append(pytest.param(rule.id, case, id=f"{rule.id}-{kind}-{number}"))
    return params


def write_case(root: Path, case: RuleCase) -> Path:
    target = root / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.code + "\n", encoding="utf-8")
    return target


def rows_of(root: Path, rule_id: str, rules_dirs: tuple[Path, ...] = ()
            ) -> list[tuple[int, int, str]]:
    result = scan_paths([root], ScanOptions(include_docs=True, rules_dirs=rules_dirs))
    return sorted((f.line, f.column, f.identifier or "") for f in result.findings
                  if f.rule_id == rule_id)


def check_case(tmp_path: Path, rule_id: str, case: RuleCase,
               rules_dirs: tuple[Path, ...] = ()) -> None:
    root = tmp_path / "repo"
    target = write_case(root, case)
    rows = rows_of(root, rule_id, rules_dirs)
    if case.expect is None:  # a legacy `match` string from a user's rules
        assert rows, f"{rule_id} does not fire on {case.code!r}"
    else:
        assert rows == list(case.expect), case.code
    if case.fixed is not None:
        extra = [arg for d in rules_dirs for arg in ("--rules", str(d))]
        run = run_fix([".", "--write", "--allow-dirty", "-q", *extra], root)
        assert run.code in (0, 1), run.err
        assert target.read_text(encoding="utf-8").removesuffix("\n") == case.fixed


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
