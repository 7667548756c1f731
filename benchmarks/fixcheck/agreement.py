"""Do ``scan`` and ``fix`` give the same replacement for every finding of a tree?

    python benchmarks/fixcheck/agreement.py TREE [TREE ...]

For each finding ``scan`` reports with a model, the plan's decision (``enrich.decision``)
is compared with what ``fix`` would write (its chooser, on the same tree): the same
replacement text, or both "not replaced"; and the report's first suggestion names the same
model. Prints one line per tree and every disagreement; exits 1 when there is one. The
fixtures' test (tests/fix/test_plan_agreement.py) runs the same function.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from auditor.enrich.decision import decide, routing_prefixes
from auditor.fix.model import Chosen, NotChosen
from auditor.fix.plan import OverrideChooser, policy_families
from auditor.fix.run import CatalogSettings, make_chooser
from auditor.pipeline import AuditOptions, audit
from auditor.policy.gate import GateOptions
from auditor.ruleset.load import load_ruleset
from auditor.types import Finding


@dataclass
class Agreement:
    compared: int = 0
    """Findings with a replacement in the plan, checked against fix's choice."""
    not_replaced: int = 0
    """Findings the plan leaves, checked that fix leaves them too."""
    disagreements: list[str] = field(default_factory=list)


def _key(finding: Finding) -> tuple[str, int, int, str]:
    return finding.path, finding.line, finding.column, finding.identifier or ""


def agreement(tree: Path) -> Agreement:
    rules = load_ruleset()
    gate = GateOptions(no_baseline=True)
    scanned = audit([tree], AuditOptions(gate=gate)).result.findings
    prefixes, families = routing_prefixes(rules), policy_families(rules)
    fix_findings = audit([tree], AuditOptions(enrich=None, gate=gate)).result.findings
    enriched, chooser, _ = make_chooser(fix_findings, OverrideChooser({}), CatalogSettings(),
                                        rules)
    fixed = {_key(f): chooser.choose(f) for f in enriched if f.model is not None}
    out = Agreement()
    for finding in scanned:
        decision = decide(finding, prefixes, None, families)
        if decision is None:
            continue
        where = f"{finding.path}:{finding.line}:{finding.column} {finding.identifier}"
        choice = fixed.get(_key(finding))
        if decision.replacement is None:
            out.not_replaced += 1
            if not isinstance(choice, NotChosen):
                out.disagreements.append(f"{where}: plan leaves it, fix chooses {choice}")
            continue
        out.compared += 1
        if not isinstance(choice, Chosen) or choice.text != decision.replacement:
            out.disagreements.append(f"{where}: plan {decision.replacement!r}, fix {choice}")
            continue
        first = finding.suggestions[0]
        stem = first.runtime_name.rsplit("/", 1)[-1].removesuffix("-GGUF")
        named = (first.runtime_name in choice.text if not choice.text.endswith(".gguf")
                 else f"{stem}-" in choice.text)
        if not (first.hub_id == decision.hub_id == choice.hub_id and named):
            out.disagreements.append(f"{where}: report suggests {first.runtime_name!r}, "
                                     f"fix writes {choice.text!r}")
    return out


def main(argv: list[str]) -> int:
    failed = False
    for tree in argv:
        found = agreement(Path(tree))
        print(f"{tree}: {found.compared} replaced and {found.not_replaced} left compared, "
              f"{len(found.disagreements)} disagreements")
        for line in found.disagreements:
            print(f"  {line}")
        failed = failed or bool(found.disagreements)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
