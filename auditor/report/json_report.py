"""The JSON report: the versioned contract (schemas/result.schema.json)."""

from __future__ import annotations

import json

from auditor.serialize import result_to_dict
from auditor.types import AuditResult


def render_json(result: AuditResult) -> str:
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
