"""The rules code emits, by name. A rule's id lives in ``rules/*.toml`` only: each constant
here is looked up by the rule's slug in the bundled rules when this module is imported, so a
renamed or missing rule fails at import (and in ``tests/rules/test_tables.py``), not silently.

The dependency rules are not here: each ``[package_classes]`` row names the rule its packages
fire.
"""

from __future__ import annotations

from typing import Final

from auditor.ruleset.load import RuleError, load_ruleset


def _id(slug: str) -> str:
    rule_id = load_ruleset().resolve_rule_ref(slug)
    if rule_id is None:
        raise RuleError(f"the code emits rule {slug!r}, which no rules/*.toml defines")
    return rule_id


# Python code (LA1xx)
MODEL_ID: Final = _id("llama-model-id")
MODEL_LOADER: Final = _id("llama-model-loader")
LLAMA_CLASS: Final = _id("llama-specific-class")
META_ONLY_MODULE: Final = _id("meta-llama-only-module")
RUNTIME_MODULE: Final = _id("llama-runtime-module")
PROMPT_FORMAT: Final = _id("llama-prompt-format")
SPECIAL_TOKEN_ID: Final = _id("llama-special-token-id")
TEMPLATE_NAME_IN_CODE: Final = _id("llama-chat-template-name-in-code")
ARCHITECTURE_ONLY: Final = _id("llama-architecture-only")
ARCHITECTURE_CHECK: Final = _id("llama-architecture-check")
# Configuration and infrastructure (LA3xx)
MODEL_IN_CONFIG: Final = _id("llama-model-in-config")
MODEL_IN_INFRA: Final = _id("llama-model-in-infra")
MODELFILE_FROM_LLAMA: Final = _id("ollama-modelfile-from-llama")
ARCHITECTURE_DECLARED: Final = _id("llama-architecture-declared")
DOCS_CODE: Final = _id("llama-in-docs-code")
COMMENTED_CODE: Final = _id("llama-in-commented-code")
TEMPLATE_BY_NAME: Final = _id("llama-chat-template-by-name")
# Artefacts and license (LA4xx)
FINE_TUNE: Final = _id("llama-fine-tune")
CHECKPOINT_CONFIG: Final = _id("llama-checkpoint-config")
CHAT_TEMPLATE_ARTEFACT: Final = _id("llama-chat-template-artefact")
EOS_IDS_ARTEFACT: Final = _id("llama-eos-ids-artefact")
GGUF_FILE: Final = _id("llama-gguf-file")
LICENSE_FILE: Final = _id("llama-license-file")
BUILT_WITH_NOTICE: Final = _id("built-with-llama-notice")

EMITTED_BY_CODE: Final = frozenset({
    MODEL_ID, MODEL_LOADER, LLAMA_CLASS, META_ONLY_MODULE, RUNTIME_MODULE, PROMPT_FORMAT,
    SPECIAL_TOKEN_ID, TEMPLATE_NAME_IN_CODE, ARCHITECTURE_ONLY, ARCHITECTURE_CHECK, MODEL_IN_CONFIG,
    MODEL_IN_INFRA,
    MODELFILE_FROM_LLAMA, ARCHITECTURE_DECLARED, DOCS_CODE, COMMENTED_CODE, TEMPLATE_BY_NAME,
    FINE_TUNE,
    CHECKPOINT_CONFIG, CHAT_TEMPLATE_ARTEFACT, EOS_IDS_ARTEFACT, GGUF_FILE, LICENSE_FILE,
    BUILT_WITH_NOTICE,
})
"""Every rule id a scanner emits by itself (the tables test checks each one is used)."""
