"""Only model references are swapped: what ``fix`` does with a finding of another role.

A string's role is decided by the scan (``auditor/scan/roles.py``, docs/detection.md#roles).
A label, dataset id, path or help text names Llama without using it: kept. A registry key
or plugin name is looked up by other code, and a fine-tune needs a person's decision: each
is a manual step saying why. A template selection goes on to the rewriters, which never
change its value (LA108/LA306 are prompt-format findings, listed with their advice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from auditor.fix.model import Action, Choice, Chosen, NotChosen, Outcome
from auditor.types import Effort, Finding, Role

_KEPT = {
    Role.LABEL: "a display label or log text: it names Llama without loading it, not rewritten",
    Role.DATASET: "a dataset id: datasets are not models, not rewritten",
    Role.PATH: "a path or output directory: renaming it would move files, not rewritten",
    Role.DOCUMENTATION: "help or description text: not rewritten",
}
_MANUAL = {
    Role.REGISTRY_KEY: ("a dict or registry key: other code looks it up by this name, and "
                        "renaming keys can merge two entries; rename it by hand if the "
                        "registry should list the replacement"),
    Role.PLUGIN_NAME: ("a plugin name selected by the Llama model's name: keep it until the "
                       "replacement's plugin is chosen, then change it by hand"),
    Role.OPTION_VALUE: ("one of the values a command-line option accepts (or its default, "
                        "which must stay one of them): rewriting it changes what the option "
                        "accepts, and code may compare it with data; add the replacement to "
                        "the choices by hand if the code loads what is chosen"),
}


def by_role(findings: Sequence[Finding]) -> tuple[list[Finding], list[Outcome]]:
    """The findings the rewriters get, and the outcomes of those they must not touch."""
    rewrite: list[Finding] = []
    outcomes: list[Outcome] = []
    for finding in findings:
        decide = finding.detail("decide")
        if finding.role in _KEPT and finding.detail("role"):
            outcomes.append(Outcome(finding, Action.KEPT, _KEPT[finding.role]))
        elif finding.role in _MANUAL:
            outcomes.append(Outcome(finding, Action.MANUAL,
                                    f"'{finding.identifier}' is {_MANUAL[finding.role]}"))
        elif decide is not None and finding.model is not None:
            planned = _planned(finding)
            outcomes.append(Outcome(finding, Action.MANUAL,
                                    f"'{finding.identifier}' is {decide}; then pass "
                                    f"--model OLD=NEW{planned}"))
        else:
            rewrite.append(finding)
    return rewrite, outcomes


def _planned(finding: Finding) -> str:
    """The plan's replacement of a model fix leaves to a person, and what its task check says
    (a guard model's output-format change)."""
    if not finding.suggestions or finding.model is None or finding.model.derivative:
        return ""
    first = finding.suggestions[0]
    task = next((c.detail for c in first.checks if c.name == "task"), None)
    return f" (the plan's replacement: {first.runtime_name}" + (f"; {task})" if task else ")")


def keyed_elsewhere(findings: Sequence[Finding], keys: Mapping[str, str]
                    ) -> tuple[list[Finding], list[Outcome]]:
    """Leave a swap whose exact string is also a dict key that is kept (``keys``: identifier ->
    ``path:line``): ``VERSIONS = ["meta-llama/Llama-2-7b-hf"]`` beside
    ``EXPECTED = {"meta-llama/Llama-2-7b-hf": ...}`` and ``EXPECTED[v] for v in VERSIONS``.
    Swapping the value alone makes the lookup fail (llama-cookbook's tests)."""
    rewrite: list[Finding] = []
    outcomes: list[Outcome] = []
    for finding in findings:
        where = keys.get(finding.identifier or "")
        if where is not None and finding.effort is Effort.SWAP and finding.role is not \
                Role.REGISTRY_KEY:
            outcomes.append(Outcome(finding, Action.LEFT, (
                f"'{finding.identifier}' is also a dict key at {where}, which is kept: "
                "swapping this copy alone breaks the lookup; rename both by hand, or neither")))
        else:
            rewrite.append(finding)
    return rewrite, outcomes


_ROUTE = re.compile(r"^([A-Za-z][\w.-]*):(?=\S)")


def keeps_route(finding: Finding, choice: Choice) -> Choice:
    """A replacement must keep a ``provider:`` routing prefix the original has
    (``groq:llama3-8b-8192``, aisuite's and LangChain's ``provider:model``): the code routes by
    it, so an id without it breaks the call at run time although the file still parses."""
    found = _ROUTE.match(finding.identifier or "")
    if found is None or not isinstance(choice, Chosen):
        return choice
    prefix, rest = found.group(1), (finding.identifier or "")[found.end():]
    if "llama" in prefix.lower() or "llama" not in rest.lower() or \
            choice.text.startswith(found.group(0)):
        return choice
    return NotChosen(f"it is routed by its '{prefix}:' prefix and the replacement "
                     f"'{choice.text}' has none: name the replacement the way {prefix} does "
                     f"and pass --model OLD=NEW")
