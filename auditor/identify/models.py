"""identify: one raw string in, a canonical Llama model reference (or None) out.

Pure and table-driven: every provider format, look-alike and default lives in
``rules/models.toml``. The parser is deliberately strict about what counts as a model
*identifier* (a token, not prose), and lenient about how the name is spelled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet
from auditor.types import ModelRef

MAX_IDENTIFIER_LENGTH = 300

_LLAMA_CORE = re.compile(r"(?<![a-z])(?P<code>code[-_]?)?llama(?=guard|[^a-z]|$)")
_MAJOR = re.compile(
    r"[-_ ]?v?(?P<major>[1-4])(?![\dbm])(?:[.p](?P<minor>\d)(?!\d)|[-_](?P<minor2>\d)(?![\dbm]))?"
)
_MOE = re.compile(r"(?<![\d.])(?P<active>\d+)b-(?P<experts>\d+)e(?![a-z])")
_SIZE = re.compile(r"(?<![\d.a-z])(?P<num>\d+(?:\.\d+)?)(?P<unit>[bm])(?![a-z])")
_INSTRUCT = re.compile(r"instruct|chat|(?<![a-z])it(?![a-z])|versatile|instant|turbo|hermes|tool")
_GGUF_FILE = re.compile(
    r"\.(gguf|ggml|ggmlv3\.[\w.]+\.bin)(\.part\d+of\d+)?$|(?<![a-z])gguf(?![a-z])"
)
_CODE_NAME = re.compile(r"^(?=[A-Za-z0-9_]*_)[A-Za-z_][A-Za-z0-9_]*$|^[A-Z]?[a-z0-9]+[A-Z]\w*$")
_DOTTED_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*){2,}$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_VALID_CHARS = re.compile(r"^[\w.:/@+{}\-~]+$")


@dataclass(frozen=True)
class _Provider:
    provider: str
    runtime: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Derivative:
    pattern: re.Pattern[str]
    family: str
    variant: str


@dataclass(frozen=True, eq=False)
class IdentifyTables:
    meta_orgs: frozenset[str]
    llama1_orgs: frozenset[str]
    lookalikes: tuple[re.Pattern[str], ...]
    architecture_only: tuple[re.Pattern[str], ...]
    litellm_prefixes: tuple[tuple[str, str], ...]
    providers: tuple[_Provider, ...]
    provider_suffixes: tuple[tuple[str, str], ...]
    org_runtimes: Mapping[str, str]
    ollama_names: Mapping[str, Mapping[str, Any]]
    derivatives: tuple[_Derivative, ...]
    params: Mapping[str, tuple[float, float]]
    canonical: Mapping[str, str]

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> IdentifyTables:
        return _tables_for(ruleset)


@lru_cache(maxsize=8)
def _tables_for(ruleset: RuleSet) -> IdentifyTables:
    table = ruleset.section_table("identify")
    try:
        prefixes = sorted(table["litellm_prefixes"].items(), key=lambda kv: -len(kv[0]))
        return IdentifyTables(
            meta_orgs=frozenset(o.lower() for o in table["meta_orgs"]),
            llama1_orgs=frozenset(o.lower() for o in table.get("llama1_orgs", [])),
            lookalikes=tuple(re.compile(p) for p in table["lookalikes"]),
            architecture_only=tuple(re.compile(p) for p in table["architecture_only"]),
            litellm_prefixes=tuple((k.lower() + "/", v) for k, v in prefixes),
            providers=tuple(
                _Provider(p["provider"], p["runtime"], re.compile(p["pattern"], re.IGNORECASE))
                for p in table["provider"]
            ),
            provider_suffixes=tuple(table["provider_suffixes"].items()),
            org_runtimes={k.lower(): v for k, v in table["org_runtimes"].items()},
            ollama_names=table["ollama_names"],
            derivatives=tuple(
                _Derivative(re.compile(d["pattern"], re.IGNORECASE), d["family"], d["variant"])
                for d in table.get("derivative", [])
            ),
            params={k: (float(v[0]), float(v[1])) for k, v in table["params"].items()},
            canonical=table["canonical"],
        )
    except (KeyError, TypeError, re.error) as exc:
        raise RuleError(f"[identify] section is incomplete or invalid: {exc!r}") from exc


def identify(raw: str, ruleset: RuleSet) -> ModelRef | None:
    """Map a raw string to a Llama model reference, or None when it does not name one."""
    return _identify_cached(raw, _tables_for(ruleset))


def is_lookalike(raw: str, ruleset: RuleSet) -> bool:
    lowered = raw.lower()
    return any(p.search(lowered) for p in _tables_for(ruleset).lookalikes)


@lru_cache(maxsize=65536)
def _identify_cached(raw: str, tables: IdentifyTables) -> ModelRef | None:
    text = _clean(raw, tables)
    if text is None:
        return None
    lowered = text.lower()
    if any(p.search(lowered) for p in tables.lookalikes):
        return None
    for pattern in tables.architecture_only:
        if pattern.search(lowered):
            return ModelRef(
                family="TinyLlama",
                variant="base",
                runtime=_runtime_for(lowered, None, tables),
                size="1.1B",
                params_b=1.1,
                active_params_b=1.1,
                derivative=True,
                meta_weights=False,
            )

    provider: str | None = None
    for prefix, name in tables.litellm_prefixes:
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            provider = name
            text = text[len(prefix):]
            lowered = lowered[len(prefix):]
            break

    for entry in tables.providers:
        match = entry.pattern.match(text)
        if match:
            ref = _parse_name(match.group("name").lower(), tables, runtime=entry.runtime,
                              org=None, hosted=True)
            if ref is not None:
                return _with(ref, provider=provider or entry.provider)

    org, name = _split_org(lowered)
    if org is not None and org in tables.org_runtimes:
        runtime: str | None = tables.org_runtimes[org]
    else:
        runtime = None

    for derivative in tables.derivatives:
        found = derivative.pattern.search(lowered)
        if found:
            size = found.groupdict().get("size")
            label = f"{size}B" if size else None
            return _finish(
                ModelRef(family=derivative.family, variant=derivative.variant,
                         runtime=runtime or _runtime_for(lowered, org, tables), size=label,
                         derivative=True, provider=provider),
                tables,
            )

    base_name = text.split(":", 1)[0]
    if org is None and base_name == base_name.lower():  # Ollama names are lower-case ("Llama3"
        # is prose); the tag after ':' may carry upper-case quantisations such as q4_K_M
        ollama = _parse_ollama(name, tables)
        if ollama is not None:
            return _with(ollama, provider=provider if provider not in (None, "ollama") else None)

    ref = _parse_name(name, tables, runtime=runtime, org=org, hosted=False)
    if ref is None:
        return None
    if provider is None:
        for suffix, hosted in tables.provider_suffixes:
            if name.endswith(suffix):
                provider = hosted
                break
    return _with(ref, provider=provider)


def _clean(raw: str, tables: IdentifyTables) -> str | None:
    text = raw.strip().strip("'\"`")
    if not text or len(text) > MAX_IDENTIFIER_LENGTH:
        return None
    lowered = text.lower()
    for host in ("huggingface.co/", "hf.co/"):
        at = lowered.find(host)
        if at >= 0:
            text = text[at + len(host):]
            text = re.split(r"/(?:resolve|blob|tree|raw)/", text)[0]
            for prefix in ("models/", "api/models/"):
                if text.lower().startswith(prefix):
                    text = text[len(prefix):]
            break
    if lowered.startswith("hf://"):
        text = text[5:]
    at = lowered.find("ollama.com/library/")
    if at >= 0:
        text = text[at + len("ollama.com/library/"):]
    text = text.rstrip("/.,;")
    if text.endswith(("-", "_")):
        return None  # a fragment that code joins with something else
    if _CODE_NAME.match(text) or _DOTTED_PATH.match(text):
        return None  # a Python name (llama4_text, Llama4TextConfig) or module path, not a model
    if not _VALID_CHARS.match(text):
        return None
    if "llama" not in text.lower() and "vicuna" not in text.lower() and "guard" not in text.lower():
        return None
    if (_is_path(text) and not text.lower().startswith(tuple(p for p, _ in tables.litellm_prefixes))
            and not any(entry.pattern.match(text) for entry in tables.providers)):
        # a path names its model in its last Llama-named part; a provider id that looks like
        # a path (a NIM container image, nvcr.io/nim/meta/...) is kept whole
        parts = [p for p in re.split(r"[/\\]", text) if p]
        named = [p for p in parts if "llama" in p.lower() or "vicuna" in p.lower()]
        if not named:
            return None
        text = named[-1]
    text = _PLACEHOLDER.sub("", text)
    return text or None


_WEIGHT_SUFFIXES = (".gguf", ".ggml", ".bin", ".safetensors", ".pth", ".pt", ".ckpt")


def is_directory_path(raw: str, ruleset: RuleSet) -> bool:
    """A filesystem path that is not a weights file: ``/data/llama3``, ``saves/llama3-8b/sft``.

    Such a path names a model only where the key or option says it does (``model_path``);
    elsewhere it is where something is written or mounted. A weights file (``.gguf``) and a
    Hub id (``org/name``, one slash) are not directory paths.
    """
    text = raw.strip().strip("'\"`")
    lowered = text.lower()
    if "://" in text or lowered.startswith(("hf.co/", "huggingface.co/")):
        return False
    if lowered.startswith(tuple(p for p, _ in _tables_for(ruleset).litellm_prefixes)):
        return False  # a LiteLLM route (together_ai/meta-llama/...), not a path
    return _is_path(text) and not lowered.endswith(_WEIGHT_SUFFIXES)


def _is_path(text: str) -> bool:
    if text.startswith(("/", "./", "../", "~", ".\\")) or "\\" in text:
        return True
    if text.lower().endswith((".gguf", ".bin", ".safetensors", ".pth", ".pt")) and "/" in text:
        return True
    return text.count("/") >= 2 and not text.lower().startswith(("accounts/", "@", "publishers/"))


def _split_org(lowered: str) -> tuple[str | None, str]:
    if "/" in lowered:
        org, _, name = lowered.partition("/")
        return org, name
    return None, lowered


def _parse_ollama(name: str, tables: IdentifyTables) -> ModelRef | None:
    base, _, tag = name.partition(":")
    entry = tables.ollama_names.get(base)
    if entry is None:
        return None
    family = str(entry["family"])
    variant = str(entry["variant"])
    size = str(entry["default_size"])
    tag = tag.lower()
    if family == "Llama 4":
        if "maverick" in tag:
            size = "17B-128E"
        elif "scout" in tag:
            size = "17B-16E"
    else:
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
    return _finish(
        ModelRef(family=family, variant=variant, runtime="ollama", size=size,
                 derivative=bool(entry.get("derivative", False))),
        tables,
    )


def _parse_name(
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
    guard = re.match(r"[-_]?guard[-_]?(?P<n>[1-4])?(?![\d])", rest)
    prompt_guard = "prompt-guard" in name or "promptguard" in name
    version_text = rest
    if prompt_guard:
        found = re.search(r"prompt-?guard-?(?P<n>[12])-", name)
        family = f"Prompt Guard {found.group('n') if found else 1}"
        if "llama-prompt-guard-2" in name:
            family = "Prompt Guard 2"
        variant = "prompt-guard"
    elif guard:
        number = guard.group("n")
        if number is None:
            # "meta-llama-guard-2-8b" puts the number after the word; "llamaguard-7b" has none.
            number = "1"
        family = f"Llama Guard {number}"
        variant = "guard-vision" if "vision" in name else "guard"
    else:
        major = _MAJOR.match(version_text)
        if code:
            family = "Code Llama"
            variant = "code"
            if "python" in name:
                variant = "code-python"
            elif "instruct" in name:
                variant = "code-instruct"
        elif major:
            minor = major.group("minor") or major.group("minor2")
            number = major.group("major")
            family = f"Llama {number}.{minor}" if minor and minor != "0" else f"Llama {number}"
            variant = _variant(name, runtime, hosted)
        elif org is not None and org in tables.llama1_orgs:
            family = "Llama 1"
            variant = _variant(name, runtime, hosted)
        elif "scout" in rest or "maverick" in rest:
            family = "Llama 4"
            variant = _variant(name, runtime, hosted)
        else:
            return _unversioned(name, rest, org, tables, runtime, hosted)
    size = _size_from(name, family)
    derivative = org is not None and org not in tables.meta_orgs
    if not meta_org and not _looks_like_model_name(name, core_end, size):
        return None
    if size is None and org is None and runtime is None and not hosted:
        return None  # a bare "llama-3.1" names a family, not a model someone can load
    return _finish(
        ModelRef(
            family=family,
            variant=variant,
            runtime=runtime or _runtime_for(name, org, tables),
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
    size = _size_from(name, "Llama")
    if size is None:
        return None
    return _finish(
        ModelRef(
            family="Llama (version not stated)",
            variant=_variant(name, runtime, hosted),
            runtime=runtime or _runtime_for(name, org, tables),
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


def _variant(name: str, runtime: str | None, hosted: bool) -> str:
    vision = "vision" in name
    if _INSTRUCT.search(name) or hosted or runtime in ("ollama", "bedrock", "vertex-ai"):
        return "vision-instruct" if vision else "instruct"
    return "vision-base" if vision else "base"


def _size_from(name: str, family: str) -> str | None:
    if "scout" in name:
        return "17B-16E"
    if "maverick" in name:
        return "17B-128E"
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


def _runtime_for(lowered: str, org: str | None, tables: IdentifyTables) -> str:
    if org is not None and org in tables.org_runtimes:
        return tables.org_runtimes[org]
    if _GGUF_FILE.search(lowered):
        return "gguf"
    if "mlx" in lowered:
        return "mlx"
    if org is not None:
        return "huggingface"
    return "model-name"


def _with(ref: ModelRef, *, provider: str | None) -> ModelRef:
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


def _finish(ref: ModelRef, tables: IdentifyTables) -> ModelRef:
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
