"""docs/rules.md, generated from the rule tables (the SARIF helpUri points at its anchors)."""

from __future__ import annotations

import re

from auditor.ruleset.load import RuleSet

_FAMILIES = (
    ("LA1", "Python code"),
    ("LA2", "Dependencies"),
    ("LA3", "Configuration and infrastructure"),
    ("LA4", "Model artefacts and licenses"),
)


def render_rules_markdown(ruleset: RuleSet) -> str:
    lines = [
        "# llama-audit rules",
        "",
        "Generated from `rules/*.toml` by `llama-audit rules docs -o docs/rules.md`; do not edit "
        "by hand.",
        "",
        "| id | slug | severity | effort | title |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in ruleset.rules.values():
        lines.append(
            f"| [{rule.id}](#{rule.help_anchor}) | `{rule.slug}` | {rule.severity.value} | "
            f"{rule.effort.value} | {rule.title} |"
        )
    for prefix, heading in _FAMILIES:
        family = [r for r in ruleset.rules.values() if r.id.startswith(prefix)]
        if not family:
            continue
        lines += ["", f"## {heading}"]
        for rule in family:
            lines += [
                "",
                f'<a id="{rule.help_anchor}"></a>',
                f"### {rule.id} {rule.slug}: {rule.title}",
                "",
                f"Category `{rule.category.value}`, severity `{rule.severity.value}`, "
                f"effort `{rule.effort.value}`"
                + ("" if rule.default_enabled else _DOCS_NOTE) + ".",
                "",
                f"**Why it matters.** {rule.why}",
            ]
            if rule.use_instead:
                lines += ["", f"**Use instead.** {rule.use_instead}"]
            if rule.match:
                lines += ["", f"**Example** (`{rule.example_path}`):", ""]
                lines += _example_block(rule.match[0])
            if rule.no_match:
                lines += ["", "**Not reported:**", ""]
                lines += _example_block(rule.no_match[0])
    return "\n".join(lines) + "\n"


_DOCS_NOTE = (", reported by `scan` and `baseline`, counted by `--fail-on` only with "
              "`--include-docs` (`fix` and `plan`: only with `--include-docs`)")


def _example_block(example: str) -> list[str]:
    """A fenced example; binary examples (GGUF headers) are shown as escaped text. The fence
    is longer than any run of backticks in the example, so a README example's own ``` fences
    stay inside it (CommonMark closes a fence only with one at least as long)."""
    if any(not ch.isprintable() and ch not in "\n\t" for ch in example):
        return ["```", example.encode("unicode_escape").decode("ascii")[:300], "```"]
    longest = max((len(run) for run in re.findall(r"`+", example)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *example.splitlines(), fence]
