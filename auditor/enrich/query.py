"""``llama-audit suggest MODEL_ID``: from one raw identifier to its replacement plan."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.enrich.attach import Session, lineage_for
from auditor.enrich.lineage import (
    Lineage,
    derived_ref,
    looks_like_repo_id,
    trace_offline,
    trace_online,
)
from auditor.enrich.plan import Plan
from auditor.errors import AuditError
from auditor.identify.models import identify
from auditor.types import ModelRef


class NotLlamaError(AuditError, ValueError):
    """The identifier does not name a Meta Llama model (a usage error for ``suggest``)."""


@dataclass(frozen=True)
class Query:
    raw: str
    ref: ModelRef
    plan: Plan
    lineage: Lineage | None = None


def plan_for_identifier(raw: str, session: Session) -> Query:
    text = raw.strip()
    if not text:
        raise NotLlamaError("MODEL_ID is empty")
    ref = identify(text, session.ruleset)
    lineage: Lineage | None = None
    if ref is None:
        lineage = _trace(text, session)
        ref = (derived_ref(lineage, text, session.catalog, session.ruleset)
               if lineage is not None else None)
        if ref is None:
            hint = ""
            if lineage is not None:
                hint = f" ({lineage.describe()})"
            elif looks_like_repo_id(text) and session.hub is None:
                hint = "; add --online to follow its Hub card's base_model"
            raise NotLlamaError(f"{text!r} does not name a Meta Llama model{hint}")
    if not ref.meta_weights:
        raise NotLlamaError(f"{text!r} is {ref.family}: the Llama architecture with weights "
                            "not from Meta, so no Llama license applies and there is nothing "
                            "to replace")
    if lineage is None and ref.derivative and looks_like_repo_id(text):
        lineage = lineage_for(text, session)
    return Query(raw=text, ref=ref, plan=session.planner.plan(ref), lineage=lineage)


def _trace(text: str, session: Session) -> Lineage | None:
    offline = trace_offline(text, session.catalog, session.ruleset)
    if offline is not None and offline.llama_base is not None:
        return offline
    if session.hub is not None and looks_like_repo_id(text):
        return trace_online(text, session.catalog, session.hub, session.ruleset)
    return offline
