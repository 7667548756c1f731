"""From a scanner's ``Hit`` to a reported ``Finding``: rule metadata, message, safe snippet."""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditor.scan.context import ScanContext
from auditor.scan.roles import default_role, role_message, role_outcome
from auditor.types import Finding, Hit

SNIPPET_LIMIT = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SECRET = re.compile(r"\b(hf_[A-Za-z0-9]{8})[A-Za-z0-9]{16,}\b")


MAX_FINDINGS_PER_FILE = 1000
"""A generated file can name Llama on every line: past this, its findings are counted in a
``too-many-findings`` diagnostic instead (130,000 findings of one file took gigabytes)."""


def capped_findings(hits: Sequence[Hit], rel: str, lines: Sequence[str], ctx: ScanContext
                    ) -> tuple[tuple[Finding, ...], int]:
    """The findings of a file's hits, at most ``MAX_FINDINGS_PER_FILE`` (the first by
    position), and how many more there were. Under the cap, the scanners' order is kept."""
    if len(hits) > MAX_FINDINGS_PER_FILE:
        hits = sorted(hits, key=lambda h: (h.line, h.column, h.rule_id))
    findings: list[Finding] = []
    dropped = 0
    for hit in hits:
        if len(findings) >= MAX_FINDINGS_PER_FILE:
            rule = ctx.ruleset.rules.get(hit.rule_id)
            if rule is not None and (rule.default_enabled or ctx.include_docs):
                dropped += 1
            continue
        finding = hit_to_finding(hit, rel, lines, ctx)
        if finding is not None:
            findings.append(finding)
    return tuple(findings), dropped


def safe_snippet(text: str) -> str:
    """A source line fit for any report: control and bidi characters shown as U+FFFD (they
    could rewrite a terminal or disguise code), Hugging Face tokens cut to a prefix, and
    long lines shortened (cut first: a 5 MB line is not copied once per finding)."""
    text = text[: SNIPPET_LIMIT * 4]
    text = _SECRET.sub(r"\1…(redacted)", _CONTROL.sub("\ufffd", text))
    if len(text) > SNIPPET_LIMIT:
        text = text[: SNIPPET_LIMIT - 1] + "…"
    return text


def hit_to_finding(hit: Hit, rel: str, lines: Sequence[str], ctx: ScanContext) -> Finding | None:
    rule = ctx.ruleset.rules.get(hit.rule_id)
    if rule is None:
        return None
    if not rule.default_enabled and not ctx.include_docs:
        return None
    if hit.snippet is not None:
        snippet = hit.snippet
    elif 0 < hit.line <= len(lines):
        snippet = lines[hit.line - 1][: SNIPPET_LIMIT * 8].strip()
    else:
        snippet = hit.identifier or ""
    snippet = safe_snippet(snippet)
    values: dict[str, object] = {
        "identifier": hit.identifier or "",
        "model": hit.model.label() if hit.model else "unknown model",
        "path": rel,
    }
    values.update(dict(hit.message_values))
    values.update({k: v for k, v in hit.details if k not in values})
    role = default_role(rule.id, hit)
    severity, effort, extra = role_outcome(role, rule.severity, rule.effort, hit, ctx.ruleset)
    return Finding(
        rule_id=rule.id,
        category=rule.category,
        severity=severity,
        effort=effort,
        path=rel,
        line=hit.line,
        column=hit.column,
        end_line=hit.end_line,
        end_column=hit.end_column,
        message=role_message(role, extra, values, ctx.ruleset) or rule.render_message(values),
        snippet=snippet,
        identifier=hit.identifier,
        model=hit.model,
        context=hit.context,
        cell=hit.cell,
        cell_line=hit.cell_line,
        details=hit.details + extra,
        role=role,
    )
