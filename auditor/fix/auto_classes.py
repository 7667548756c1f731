"""Which transformers Auto class replaces each Llama-specific class, and how it may be used.

The knowledge is the ``[[llama_class]]`` rows of ``rules/python.toml`` (each names its Auto
counterpart and the factory methods through which it may be used); this module is ``fix``'s
view of them. Only uses through the listed factory methods are rewritten; every other use is
left with a comment.
"""

from __future__ import annotations

from auditor.ruleset.load import RuleSet, load_ruleset
from auditor.ruleset.python_tables import AutoClass, python_tables

__all__ = ["AutoClass", "auto_class_for"]


def auto_class_for(llama_class: str, ruleset: RuleSet | None = None) -> AutoClass | None:
    """The Auto class for a Llama class; None for internals with no Auto equivalent
    (``LlamaPreTrainedModel``, ``MllamaVisionModel``, ``LlamaAttention``...)."""
    return python_tables(ruleset or load_ruleset()).auto_class(llama_class)
