"""No rule or code path names a repository, file or path of the accuracy set
(benchmarks/accuracy): the fixes it led to are classes, not special cases."""

from __future__ import annotations

import json

from tests.conftest import PROJECT

SET = PROJECT / "benchmarks" / "accuracy"

# A package's own source URL as a requirement example of that package (packages.toml:
# `git+https://github.com/abetlen/llama-cpp-python`) is knowledge of the package, written
# before the repository joined the set.
# An SDK's own reference documentation cited as the source of the SDK call rows
# (sources.toml: `pkg.go.dev/github.com/tmc/langchaingo/llms/ollama#WithModel`) is knowledge
# of the SDK's API, not of the set's example programs.
# A library's own template registry cited as the source of the template names it registers
# (templates.toml: LLaMA-Factory's data/template.py, FastChat's conversation.py) is knowledge of
# the library a project imports, used for any project that imports it.
ALLOWED = {("abetlen/llama-cpp-python", "rules/packages.toml"),
           ("tmc/langchaingo", "rules/sources.toml"),
           ("hiyouga/llama-factory", "rules/templates.toml"),
           ("lm-sys/fastchat", "rules/templates.toml"),
           ("fastchat/conversation.py", "rules/templates.toml")}


def _sources() -> dict[str, str]:
    files = [*sorted((PROJECT / "auditor").rglob("*.py")),
             *sorted((PROJECT / "rules").glob("*.toml"))]
    return {p.relative_to(PROJECT).as_posix(): p.read_text(encoding="utf-8").lower() for p in files}


def _set_names() -> set[str]:
    names: set[str] = set()
    for repo in json.loads((SET / "repos.json").read_text(encoding="utf-8"))["repositories"]:
        names.add(repo["repo"].lower())
        if repo.get("scope", ".") not in ("", "."):
            names.add(f"{repo['repo'].split('/')[1]}/{repo['scope']}".lower())
    for labels in (SET / "labels").glob("*.jsonl"):
        for line in labels.read_text(encoding="utf-8").splitlines():
            path = json.loads(line)["path"]
            if "/" in path:  # a bare file name (config.yaml, run.sh) names no repository
                names.add(path.lower())
    return names


def test_no_rule_or_code_names_the_set() -> None:
    names = _set_names()
    assert len(names) > 100  # the set was read
    found = sorted((name, where) for where, text in _sources().items() for name in names
                   if name in text and (name, where) not in ALLOWED)
    assert found == []
