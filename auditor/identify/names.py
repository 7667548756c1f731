"""The name grammar: a Llama model name (after its org and provider are removed) to a
reference with family, version, size and variant. The patterns and words come from
``[identify.grammar]`` and ``[identify.codenames]`` in ``rules/models.toml``."""

from __future__ import annotations

import re

from auditor.identify.tables import IdentifyTables
from auditor.types import ModelRef

_LLAMA_CORE = re.compile(r"(?<![a-z])(?P<code>code[-_]?)?llama(?=guard|[^a-z]|$)")
_MOE = re.compile(r"(?<![\d.])(?P<active>\d+)b-(?P<experts>\d+)e(?![a-z])")
# A size stands alone or right after "llama" (llama7b-v2-chat).
_SIZE = re.compile(r"(?:(?<![\d.a-z])|(?<=llama))(?P<num>\d+(?:\.\d+)?)(?P<unit>[bm])(?![a-z])")
_GGUF_FILE = re.compile(
    r"\.(gguf|ggml|ggmlv3\.[\w.]+\.bin)(\.part\d+of\d+)?$|(?<![a-z])gguf(?![a-z])"
)


def parse_ollama(name: str, tables: IdentifyTables) -> ModelRef | None:
    base, _, tag = name.partition(":")
    entry = tables.ollama_names.get(base)
    if entry is None:
        return None
    family = str(entry["family"])
    variant = str(entry["variant"])
    size = str(entry["default_size"])
    tag = tag.lower()
    codename = tables.codename_in(tag)
    if codename is not None and codename.family == family:
        size = codename.size
    elif not any(c.family == family for c in tables.codenames):
        found = _SIZE.search(tag)
        if found:
            size = _size_label(found.group("num"), found.group("unit"))
    if variant.startswith("code"):
        if "python" in tag:
            variant = "code-python"
        elif "code" in tag and "instruct" not in tag:
            variant = "code"
    if tag and ("text" in tag or "-base" in tag) and family not in ("Code Llama",):
        variant = "vision-base" if variant.startswith("vision") else "base"
    return finish(
        ModelRef(family=family, variant=variant, runtime="ollama", size=size,
                 derivative=bool(entry.get("derivative", False))),
        tables,
    )


def parse_name(
    name: str, tables: IdentifyTables, *, runtime: str | None, org: str | None, hosted: bool
) -> ModelRef | None:
    core = _LLAMA_CORE.search(name)
    meta_org = org is not None and org in tables.meta_orgs
    if core is None:
        if meta_org and "guard" in name:
            core_end = 0
            code = False
        else:
            return None
    else:
        core_end = core.end()
        code = bool(core.group("code"))
    rest = name[core_end:]
    family: str
    variant: str
    grammar = tables.grammar
    guard = grammar.guard.match(rest)
    prompt_guard = "prompt-guard" in name or "promptguard" in name
    version_text = rest
    if prompt_guard:
        found = grammar.prompt_guard.search(name)
        family = f"Prompt Guard {found.group('n') if found else grammar.unnumbered_guard_version}"
        if "llama-prompt-guard-2" in name:
            family = "Prompt Guard 2"
        variant = "prompt-guard"
    elif guard:
        number = guard.group("n")
        if number is None:
            # "meta-llama-guard-2-8b" puts the number after the word; "llamaguard-7b" has none.
            number = grammar.unnumbered_guard_version
        family = f"Llama Guard {number}"
        variant = "guard-vision" if "vision" in name else "guard"
    else:
        major = grammar.version.match(version_text) or grammar.version_after_size.match(rest)
        codename = tables.codename_in(rest)
        if code:
            family = "Code Llama"
            variant = "code"
            if "python" in name:
                variant = "code-python"
            elif "instruct" in name:
                variant = "code-instruct"
        elif major:
            groups = major.groupdict()
            minor = groups.get("minor") or groups.get("minor2")
            number = major.group("major")
            family = f"Llama {number}.{minor}" if minor and minor != "0" else f"Llama {number}"
            variant = _variant(name, runtime, hosted, tables)
        elif org is not None and org in tables.llama1_orgs:
            family = "Llama 1"
            variant = _variant(name, runtime, hosted, tables)
        elif codename is not None:
            family = codename.family
            variant = _variant(name, runtime, hosted, tables)
        else:
            return _unversioned(name, rest, org, tables, runtime, hosted)
    size = _size_from(name, tables)
    derivative = org is not None and org not in tables.meta_orgs
    if not meta_org and not _looks_like_model_name(name, core_end, size):
        return None
    if size is None and org is None and runtime is None and not hosted:
        return None  # a bare "llama-3.1" names a family, not a model someone can load
    return finish(
        ModelRef(
            family=family,
            variant=variant,
            runtime=runtime or runtime_for(name, org, tables),
            size=size,
            derivative=derivative,
        ),
        tables,
    )


def _unversioned(
    name: str, rest: str, org: str | None, tables: IdentifyTables, runtime: str | None,
    hosted: bool,
) -> ModelRef | None:
    """``llama-7b`` style names: only a model when a size follows (else it is a word)."""
    size = _size_from(name, tables)
    if size is None:
        return None
    return finish(
        ModelRef(
            family="Llama (version not stated)",
            variant=_variant(name, runtime, hosted, tables),
            runtime=runtime or runtime_for(name, org, tables),
            size=size,
            derivative=org is not None and org not in tables.meta_orgs,
        ),
        tables,
    )


def _looks_like_model_name(name: str, core_end: int, size: str | None) -> bool:
    """Reject words such as ``llama3_utils`` that carry a version but name code, not a model."""
    tail = name[core_end:]
    if re.search(r"[-_.](py|js|ts|json|yaml|yml|toml|md|txt|sh)$", name) and ".gguf" not in name:
        return False
    if re.search(r"(^|[-_])(utils?|helpers?|tests?|module|config|tokenizer|template|prompt|format|"
                 r"adapter|patch|kernel|layer|attention|mlp|block|impl)s?($|[-_])", tail):
        return size is not None
    return True


def _variant(name: str, runtime: str | None, hosted: bool, tables: IdentifyTables) -> str:
    vision = "vision" in name
    if (tables.grammar.instruct.search(name) or hosted
            or runtime in ("ollama", "bedrock", "vertex-ai")):
        return "vision-instruct" if vision else "instruct"
    return "vision-base" if vision else "base"


def _size_from(name: str, tables: IdentifyTables) -> str | None:
    codename = tables.codename_in(name)
    if codename is not None:
        return codename.size
    moe = _MOE.search(name)
    if moe:
        return f"{moe.group('active')}B-{moe.group('experts')}E"
    for found in _SIZE.finditer(name):
        label = _size_label(found.group("num"), found.group("unit"))
        if found.group("unit") == "b" and float(found.group("num")) < 0.5:
            continue
        return label
    return None


def _size_label(number: str, unit: str) -> str:
    return f"{number}{unit.upper()}"


def runtime_for(lowered: str, org: str | None, tables: IdentifyTables) -> str:
    if org is not None and org in tables.org_runtimes:
        return tables.org_runtimes[org]
    if _GGUF_FILE.search(lowered):
        return "gguf"
    if "mlx" in lowered:
        return "mlx"
    if org is not None:
        return "huggingface"
    return "model-name"


def with_provider(ref: ModelRef, *, provider: str | None) -> ModelRef:
    if provider is None or ref.provider == provider:
        return ref
    runtime = ref.runtime
    if runtime in ("model-name", "huggingface") and provider not in ("huggingface",):
        runtime = provider
    return ModelRef(
        family=ref.family, variant=ref.variant, runtime=runtime, size=ref.size,
        params_b=ref.params_b, active_params_b=ref.active_params_b,
        canonical_id=ref.canonical_id, derivative=ref.derivative,
        meta_weights=ref.meta_weights, provider=provider,
    )


def finish(ref: ModelRef, tables: IdentifyTables) -> ModelRef:
    """Fill parameters and the canonical Meta repository from the tables."""
    size = ref.size
    params = tables.params.get(size) if size else None
    params_b = ref.params_b
    active = ref.active_params_b
    if params is not None:
        params_b, active = params
    elif size and size.endswith("B") and params_b is None:
        try:
            params_b = active = float(size[:-1])
        except ValueError:
            params_b = active = None
    elif size and size.endswith("M") and params_b is None:
        try:
            params_b = active = round(float(size[:-1]) / 1000, 3)
        except ValueError:
            params_b = active = None
    canonical = ref.canonical_id
    if canonical is None and size:
        canonical = tables.canonical.get(f"{ref.family}|{size}|{ref.variant}")
        if canonical is None and ref.variant == "instruct":
            canonical = tables.canonical.get(f"{ref.family}|{size}|base")
        if canonical is None and ref.variant == "base":
            canonical = tables.canonical.get(f"{ref.family}|{size}|instruct")
    return ModelRef(
        family=ref.family, variant=ref.variant, runtime=ref.runtime, size=size,
        params_b=params_b, active_params_b=active, canonical_id=canonical,
        derivative=ref.derivative, meta_weights=ref.meta_weights, provider=ref.provider,
    )
