"""The checks each suggestion carries: small pure functions from facts to a ``Check``.

``passed`` is True or False when the facts decide it and None when they do not (a fact is
missing). A fact with no primary source (see ``sources.py``) never makes a check pass: the
check is unknown (None) and its detail says ``[unconfirmed: why]`` (``confirmed_only``); it
may still make a check fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.enrich.candidates import SizeClass
from auditor.enrich.entries import CatalogEntry
from auditor.enrich.facts import Fact, ModelFacts
from auditor.enrich.licenses import LicenseTable
from auditor.identify.tables import is_naming_template, name_by_template
from auditor.types import Check

CHECK_NAMES = ("exists", "license", "gated", "parameters", "context_length", "modalities",
               "runtime_format")


@dataclass(frozen=True, slots=True)
class Original:
    """What the Llama model of a finding needs from its replacement."""

    label: str
    hub_id: str | None
    context_length: Fact[int | None]
    input_modalities: tuple[str, ...]
    runtime: str
    provider: str | None


def exists_check(facts: ModelFacts, source: str) -> Check:
    fact = facts.exists
    if fact.value is True:
        if fact.live:
            return Check("exists", True, "found on the Hub" + _marks(fact, source))
        mark = f" [unconfirmed: {fact.unconfirmed}]" if fact.unconfirmed else ""
        return Check("exists", True, f"on the Hub per {fact.origin}{mark}")
    if fact.value is False:
        problem = facts.problem
        if problem is not None:
            detail = f"{problem.message} at {problem.endpoint}"
        else:
            detail = f"not on the Hub per {fact.origin}"
        return Check("exists", False, f"{detail}; the next candidate is offered")
    return Check("exists", None, f"not confirmed: {fact.unconfirmed or 'no metadata'}")


def license_check(facts: ModelFacts, allow: Sequence[str], licenses: LicenseTable,
                  source: str) -> Check:
    fact = facts.license
    allowed = ", ".join(allow) if allow else "empty"
    label = fact.value
    if label is None:
        return Check("license", None, f"license not confirmed ({fact.unconfirmed or 'unknown'}); "
                     f"allow-list: {allowed}")
    known = licenses.model_license(label)
    name = known.name if known else label
    in_allow = label.lower() in {a.lower() for a in allow}
    if licenses.is_llama(label):
        return Check("license", False,
                     f"{label} is a Llama community license" + _marks(fact, source))
    if in_allow:
        detail = f"{name} is in the allow-list ({allowed})"
        if known is not None and not known.open:
            detail += f"; note: {known.summary}"
        return Check("license", True, detail + _marks(fact, source))
    detail = f"{name} is not in the allow-list ({allowed})"
    if known is not None and not known.open:
        detail += f": {known.summary}"
    return Check("license", False, detail + _marks(fact, source))


def gated_check(facts: ModelFacts, source: str) -> Check:
    fact = facts.gated
    url = f"https://huggingface.co/{facts.hub_id}"
    if facts.problem is not None and facts.problem.kind == "gated":
        return Check("gated", False, f"{facts.problem.message}; request access at {url}, then "
                     "set HF_TOKEN")
    if fact.value is False:
        return Check("gated", True, "not gated" + _marks(fact, source))
    if fact.value is None:
        return Check("gated", None, f"gating not confirmed ({fact.unconfirmed or 'unknown'})")
    how = {"manual": "access is approved by hand", "auto": "access is granted on accepting"}
    mode = how.get(str(fact.value), "terms must be accepted")
    return Check("gated", False, f"gated ({mode}): log in, accept the terms at {url} and set "
                 f"HF_TOKEN" + _marks(fact, source))


def parameters_check(facts: ModelFacts, size_class: SizeClass, source: str) -> Check:
    total = facts.params_b_total
    active = facts.params_b_active
    if total.value is None:
        return Check("parameters", None, f"parameter count unknown; {size_class.label} fits "
                     f"{size_class.fit_text()}")
    described = f"{total.value:g}B total"
    if active.value is not None and active.value != total.value:
        described += f", {active.value:g}B active"
    low, high = size_class.fit_total_b
    problems = []
    if total.value < low:
        problems.append("smaller than the class")
    if total.value > high:
        problems.append("larger than the class")
    limit = size_class.fit_active_b_max
    if limit is not None and active.value is not None and active.value > limit:
        problems.append(f"more than {limit:g}B active")
    verdict = "; ".join(problems) if problems else "within"
    detail = f"{described}: {verdict} {size_class.label} ({size_class.fit_text()})"
    marks = _marks(total, source) if total.unconfirmed or total.origin != source else _marks(
        active, source)
    return Check("parameters", not problems, detail + marks)


def context_check(facts: ModelFacts, original: Original, source: str) -> Check:
    need = original.context_length
    have = facts.context_length
    if need.value is None:
        return Check("context_length", None,
                     f"the original's context length is not known ({need.unconfirmed or ''})"
                     .replace(" ()", ""))
    if have.value is None:
        return Check("context_length", None, f"context length not known "
                     f"({have.unconfirmed or 'no metadata'}); needs ≥ {tokens(need.value)}")
    ok = have.value >= need.value
    relation = "≥" if ok else "<"
    detail = (f"{tokens(have.value)} {relation} {tokens(need.value)} of {original.label}"
              + _marks(have, source))
    if need.unconfirmed:
        detail += f" [original's context unconfirmed: {need.unconfirmed}]"
    return Check("context_length", ok, detail)


def modalities_check(facts: ModelFacts, original: Original, source: str) -> Check:
    have = facts.input_modalities
    need = original.input_modalities
    if not have.value:
        return Check("modalities", None, f"input modalities not known "
                     f"({have.unconfirmed or 'no metadata'}); needs {'+'.join(need)}")
    missing = [m for m in need if m not in have.value]
    if missing:
        return Check("modalities", False,
                     f"takes {'+'.join(have.value)} only: no {'+'.join(missing)} input, which "
                     f"{original.label} has" + _marks(have, source))
    return Check("modalities", True, f"inputs {'+'.join(have.value)} cover "
                 f"{'+'.join(need)}" + _marks(have, source))


def runtime_check(facts: ModelFacts, hub_id: str, naming: str, original: Original,
                  source: str) -> tuple[str, Check]:
    """How to name the replacement for the finding's runtime, and whether one exists."""
    entry = facts.entry
    runtime = original.runtime
    if naming == "none":
        return hub_id, Check("runtime_format", False,
                             f"{runtime} serves only Llama models: move this call to a runtime "
                             f"or provider that serves {hub_id}")
    if naming == "hub":
        if facts.exists.value is False:
            return hub_id, Check("runtime_format", False, f"{hub_id} is not on the Hub")
        return hub_id, Check("runtime_format", True,
                             f"Hugging Face repository {hub_id} (load it by this id)")
    if naming == "ollama":
        return _ollama(entry, hub_id, source)
    if naming == "gguf":
        return _listed(entry, hub_id, "gguf_repos", "GGUF repository", "gguf",
                       "convert the safetensors with llama.cpp's convert_hf_to_gguf.py", source)
    if naming == "mlx":
        return _listed(entry, hub_id, "mlx_repos", "MLX repository", "mlx",
                       "convert it with mlx_lm.convert", source)
    provider = original.provider or runtime
    if is_naming_template(naming):
        templated = name_by_template(naming, hub_id)
        return templated, Check("runtime_format", None,
                                f"named in {provider}'s format {naming}: check that {provider} "
                                f"serves {templated}")
    model_id = entry.hosted_id(provider) if entry is not None else None
    if model_id:
        # an unconfirmed note is per provider (``hosted:groq``) or for every hosted id
        note = (entry.unconfirmed_note(f"hosted:{provider}") or entry.unconfirmed_note("hosted")
                if entry is not None else None)
        return model_id, Check("runtime_format", True, f"{provider} serves it as {model_id}"
                               + (f" [unconfirmed: {note}]" if note else ""))
    return hub_id, Check("runtime_format", None,
                         f"{provider} does not list {hub_id} on the model list the catalog "
                         f"read, so there is no {provider} id to write. Nearest runtimes that "
                         "serve these models: their Hugging Face ids (vLLM, TGI, SGLang, "
                         f"Inference Endpoints) or Ollama/GGUF builds. Check {provider}'s "
                         "current model list first")


def _ollama(entry: CatalogEntry | None, hub_id: str, source: str) -> tuple[str, Check]:
    if entry is not None and entry.ollama_tag:
        note = entry.unconfirmed_note("ollama_tag")
        return entry.ollama_tag, Check(
            "runtime_format", True, f"Ollama tag {entry.ollama_tag}"
            + (f" [unconfirmed: {note}]" if note else ""))
    if entry is not None and "ollama" in entry.unavailable_runtimes:
        return hub_id, Check("runtime_format", False, "no Ollama library tag: import a GGUF "
                             "with a Modelfile (FROM ./model.gguf)")
    note = entry.unconfirmed_note("ollama_tag") if entry is not None else None
    return hub_id, Check("runtime_format", None, "no Ollama tag recorded in the catalog"
                         + (f" ({note})" if note else ""))


def _listed(entry: CatalogEntry | None, hub_id: str, field_name: str, what: str, runtime: str,
            fallback: str, source: str) -> tuple[str, Check]:
    repos: tuple[str, ...] = getattr(entry, field_name) if entry is not None else ()
    note = entry.unconfirmed_note(field_name) if entry is not None else None
    if repos:
        return repos[0], Check("runtime_format", True, f"{what} {repos[0]}"
                               + (f" [unconfirmed: {note}]" if note else ""))
    if entry is not None and runtime in entry.unavailable_runtimes:
        return hub_id, Check("runtime_format", False, f"no {what} exists; {fallback}")
    return hub_id, Check("runtime_format", None, f"no {what} recorded in the catalog"
                         + (f" ({note})" if note else "") + f"; {fallback}")


UNCONFIRMED_MARK = "[unconfirmed"


def confirmed_only(check: Check) -> Check:
    """A check that would pass on a fact with no primary source is unknown, never passed
    (its detail keeps the ``[unconfirmed: why]`` mark)."""
    if check.passed is True and (UNCONFIRMED_MARK in check.detail
                                 or "[original's context unconfirmed" in check.detail):
        return Check(check.name, None, check.detail)
    return check


def tokens(count: int) -> str:
    """131072 -> '128K tokens', 10485760 -> '10M tokens', 4000 -> '4,000 tokens'."""
    if count >= 1 << 20 and count % (1 << 20) == 0:
        return f"{count >> 20}M tokens"
    if count % 1024 == 0:
        return f"{count >> 10}K tokens"
    return f"{count:,} tokens"


def _marks(fact: Fact[Any], source: str) -> str:
    text = ""
    if not source.startswith(fact.origin):
        text += f" ({fact.origin})"
    if fact.evidence:
        text += f" (Hub {fact.evidence})"
    if fact.unconfirmed:
        text += f" [unconfirmed: {fact.unconfirmed}]"
    return text
