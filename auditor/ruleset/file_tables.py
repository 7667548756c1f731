"""The non-Python scanners' view of ``rules/files.toml``: keys, values, markers, licenses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet
from auditor.types import ModelRef


@dataclass(frozen=True)
class LicenseInfo:
    """One Llama license version as ``rules/licenses.toml`` describes it."""

    id: str
    name: str
    obligations: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class FileTables:
    model_keys: frozenset[str]
    model_key_suffixes: tuple[str, ...]
    architecture_keys: frozenset[str]
    template_keys: frozenset[str]
    command_keys: frozenset[str]
    output_keys: frozenset[str]
    """Keys and options whose value is where a job writes (output_dir): never a reference."""
    label_keys: frozenset[str]
    """Keys that name an entry (``name``): a bare model name under them is a label."""
    bare_tag_context: re.Pattern[str]
    bare_tag_not_context: re.Pattern[str]
    architecture_names: frozenset[str]
    not_llama_orgs: frozenset[str]
    """Hub organisations of other families: a config whose model is theirs declares their
    architecture, even with ``tokenizer_type: LlamaTokenizer`` (Mistral's tokenizer class)."""
    template_pattern: re.Pattern[str]
    component_pattern: re.Pattern[str]
    training_markers: frozenset[str]
    training_min_markers: int
    llama3_vocab_sizes: frozenset[int]
    gguf_architectures: frozenset[str]
    gguf_name_keys: tuple[str, ...]
    gguf_max_header_bytes: int
    license_file_stems: tuple[str, ...]
    agreement_pattern: re.Pattern[str]
    built_with_pattern: re.Pattern[str]
    license_versions: Mapping[str, str]
    licenses: Mapping[str, LicenseInfo]
    """Llama license facts by id (``llama3.1``), read from the ``[[llama_license]]`` tables."""

    def accepts(self, ref: ModelRef, token: str, context: str) -> bool:
        """False for a bare Ollama name (``llama3``) whose key or line does not say "model":
        ``format: llama3`` or ``family: llama2`` name a format or a family, not a model."""
        if ref.runtime != "ollama" or ":" in token or "/" in token:
            return True
        return bool(self.bare_tag_context.search(context)) and not \
            self.bare_tag_not_context.search(context)

    def is_model_key(self, key: str) -> bool:
        name = normalise_key(key)
        return name in self.model_keys or name.endswith(self.model_key_suffixes)


def normalise_key(key: str) -> str:
    """``--Model-ID`` / ``MODEL_ID`` / ``modelId`` -> ``model_id``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key.strip().lstrip("-"))
    return spaced.lower().replace("-", "_").replace(".", "_")


@lru_cache(maxsize=8)
def file_tables(ruleset: RuleSet) -> FileTables:
    try:
        keys = ruleset.section_table("config_keys")
        values = ruleset.section_table("config_values")
        training = ruleset.section_table("training_config")
        artefacts = ruleset.section_table("artefact_evidence")
        notices = ruleset.section_table("license_notices")
        suffixes = tuple("_" + normalise_key(str(s)) for s in keys["model_suffixes"])
        return FileTables(
            model_keys=_keys(keys["model"]),
            model_key_suffixes=suffixes,
            architecture_keys=_keys(keys["architecture"]),
            template_keys=_keys(keys["template"]),
            command_keys=_keys(keys["command"]),
            output_keys=_keys(keys.get("output", [])),
            label_keys=_keys(keys.get("label", [])),
            bare_tag_context=re.compile(str(keys["bare_tag_context"])),
            bare_tag_not_context=re.compile(str(keys["bare_tag_not_context"])),
            architecture_names=frozenset(str(v).lower() for v in values["architecture_names"]),
            not_llama_orgs=frozenset(str(v).lower() for v in values.get("not_llama_orgs", [])),
            template_pattern=re.compile(str(values["template_pattern"])),
            component_pattern=re.compile(str(values["component_pattern"])),
            training_markers=_keys(training["markers"]),
            training_min_markers=int(training["min_markers"]),
            llama3_vocab_sizes=frozenset(int(v) for v in artefacts["llama3_vocab_sizes"]),
            gguf_architectures=frozenset(str(v) for v in artefacts["gguf_architectures"]),
            gguf_name_keys=tuple(str(v) for v in artefacts["gguf_name_keys"]),
            gguf_max_header_bytes=int(artefacts["gguf_max_header_bytes"]),
            license_file_stems=tuple(str(v).lower() for v in notices["file_stems"]),
            agreement_pattern=re.compile(str(notices["agreement_pattern"])),
            built_with_pattern=re.compile(str(notices["built_with_pattern"])),
            license_versions={str(k): str(v) for k, v in notices["versions"].items()},
            licenses=_licenses(ruleset.section_list("llama_license")),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuleError(f"rules/files.toml tables are incomplete or invalid: {exc!r}") from exc


def _keys(items: list[Any]) -> frozenset[str]:
    return frozenset(normalise_key(str(item)) for item in items)


def _licenses(tables: list[dict[str, Any]]) -> dict[str, LicenseInfo]:
    out: dict[str, LicenseInfo] = {}
    for table in tables:
        if "id" not in table:
            continue
        obligations = []
        for item in table.get("obligations", []):
            if isinstance(item, Mapping):
                obligations.append(str(item.get("short") or item.get("text") or ""))
            else:
                obligations.append(str(item))
        out[str(table["id"])] = LicenseInfo(
            id=str(table["id"]),
            name=str(table.get("name", table["id"])),
            obligations=tuple(o for o in obligations if o),
            sources=tuple(str(s) for s in table.get("sources", [])),
        )
    return out
