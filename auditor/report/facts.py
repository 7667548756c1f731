"""A finding's details as facts a person reads: labelled table cells, never ``key: value``.

Details are machine keys (``llama_license_id``, ``catalog_unconfirmed``...). Reports show
each as a labelled cell; keys that repeat what the card already shows are left out (the JSON
keeps them all); what the catalog could not confirm becomes one marked note.
"""

from __future__ import annotations

import re

from auditor.types import Finding

LABELS: dict[str, str] = {
    "llama_license": "Llama license",
    "license_obligations": "License obligations",
    "llama_license_source": "License source",
    "replacement_class": "Replacement size class",
    "replacement_gaps": "Gaps in the replacements",
    "key": "Config key",
    "confidence": "Confidence",
    "package": "Package",
    "constraint": "Version constraint",
    "direct": "Direct dependency",
    "manifest": "Manifest",
    "reason": "Why it matters",
    "moved_from": "Moved from",
}
HIDDEN = frozenset({"llama_license_id", "class", "catalog_unconfirmed", "license_id",
                    "license_eu_multimodal"})
"""Repeated elsewhere on the card or in the report (the JSON keeps them)."""


def label(key: str) -> str:
    """A person's label for a detail key: the table's, else the key in words."""
    return LABELS.get(key) or key.replace("_", " ").replace("-", " ").strip().capitalize()


def finding_facts(finding: Finding) -> list[tuple[str, str]]:
    """(label, value) rows for a finding card, in the order the details were recorded."""
    rows = []
    for key, value in finding.details:
        if key in HIDDEN or not value:
            continue
        if key == "direct":
            value = "yes" if value.lower() == "true" else "no (transitive)"
        rows.append((label(key), _words(value)))
    return rows


_KEY_COLON = re.compile(r"\b([a-z]+(?:_[a-z0-9]+)+): ")


def _words(value: str) -> str:
    """Machine keys inside a recorded value (``unconfirmed base_model: ...``) as words."""
    return _KEY_COLON.sub(lambda m: m.group(1).replace("_", " ") + " — ", value)


def unconfirmed_names(finding: Finding) -> list[str]:
    """The catalog facts behind this finding that are not confirmed, in words, sorted."""
    value = finding.detail("catalog_unconfirmed")
    if not value:
        return []
    return sorted({part.split(":", 1)[0].strip().replace("_", " ")
                   for part in value.split(";") if part.strip()})


def unconfirmed_note(finding: Finding) -> str | None:
    """One sentence naming the catalog facts behind this finding that are not confirmed."""
    return unconfirmed_sentence(unconfirmed_names(finding))


def unconfirmed_sentence(names: list[str] | tuple[str, ...]) -> str | None:
    if not names:
        return None
    return ("Not confirmed from a primary source, so check before relying on it: the "
            "catalog's " + ", ".join(names) + ".")
