"""The JSON report: the versioned contract (schemas/result.schema.json)."""

from __future__ import annotations

from auditor.serialize import result_to_dict
from auditor.types import AuditResult
from auditor.util.json_text import dumps_indented


def render_json(result: AuditResult) -> str:
    return dumps_indented(result_to_dict(result)) + "\n"
