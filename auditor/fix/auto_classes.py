"""Which transformers Auto class replaces each Llama-specific class, and how it may be used.

Auto classes are factories: ``AutoModelForCausalLM.from_pretrained(id)`` and
``.from_config(config)`` work, but ``AutoModelForCausalLM(config)``, ``isinstance(m,
AutoModelForCausalLM)`` or subclassing do not. Only uses through the listed factory methods
are rewritten; every other use is left with a comment.

Class names: the Llama, Mllama, Llama 4 and Code Llama pages of the transformers docs
(https://huggingface.co/docs/transformers/model_doc/llama, .../mllama, .../llama4,
.../code_llama; catalog-facts ``llama_python_surface``). Auto classes:
https://huggingface.co/docs/transformers/model_doc/auto.
"""

from __future__ import annotations

from dataclasses import dataclass

_MODEL_METHODS = ("from_pretrained", "from_config")
_LOADER_METHODS = ("from_pretrained",)


@dataclass(frozen=True, slots=True)
class AutoClass:
    name: str
    methods: tuple[str, ...]


_TABLE: dict[str, AutoClass] = {
    "LlamaForCausalLM": AutoClass("AutoModelForCausalLM", _MODEL_METHODS),
    "LlamaModel": AutoClass("AutoModel", _MODEL_METHODS),
    "LlamaForSequenceClassification": AutoClass("AutoModelForSequenceClassification",
                                                _MODEL_METHODS),
    "LlamaForQuestionAnswering": AutoClass("AutoModelForQuestionAnswering", _MODEL_METHODS),
    "LlamaForTokenClassification": AutoClass("AutoModelForTokenClassification", _MODEL_METHODS),
    "LlamaConfig": AutoClass("AutoConfig", _LOADER_METHODS),
    "LlamaTokenizer": AutoClass("AutoTokenizer", _LOADER_METHODS),
    "LlamaTokenizerFast": AutoClass("AutoTokenizer", _LOADER_METHODS),
    "CodeLlamaTokenizer": AutoClass("AutoTokenizer", _LOADER_METHODS),
    "CodeLlamaTokenizerFast": AutoClass("AutoTokenizer", _LOADER_METHODS),
    "MllamaForConditionalGeneration": AutoClass("AutoModelForImageTextToText", _MODEL_METHODS),
    "MllamaForCausalLM": AutoClass("AutoModelForCausalLM", _MODEL_METHODS),
    "MllamaProcessor": AutoClass("AutoProcessor", _LOADER_METHODS),
    "MllamaConfig": AutoClass("AutoConfig", _LOADER_METHODS),
    "MllamaImageProcessor": AutoClass("AutoImageProcessor", _LOADER_METHODS),
    "Llama4ForConditionalGeneration": AutoClass("AutoModelForImageTextToText", _MODEL_METHODS),
    "Llama4ForCausalLM": AutoClass("AutoModelForCausalLM", _MODEL_METHODS),
    "Llama4Config": AutoClass("AutoConfig", _LOADER_METHODS),
    "Llama4TextConfig": AutoClass("AutoConfig", _LOADER_METHODS),
    "Llama4Processor": AutoClass("AutoProcessor", _LOADER_METHODS),
    "Llama4ImageProcessorFast": AutoClass("AutoImageProcessor", _LOADER_METHODS),
    "FlaxLlamaForCausalLM": AutoClass("FlaxAutoModelForCausalLM", _MODEL_METHODS),
    "FlaxLlamaModel": AutoClass("FlaxAutoModel", _MODEL_METHODS),
    "TFLlamaForCausalLM": AutoClass("TFAutoModelForCausalLM", _MODEL_METHODS),
}


def auto_class_for(llama_class: str) -> AutoClass | None:
    """The Auto class for a Llama class; None for internals with no Auto equivalent
    (``LlamaPreTrainedModel``, ``MllamaVisionModel``, ``LlamaAttention``...)."""
    return _TABLE.get(llama_class)
