# ruff: noqa: F401, I001
import transformers
from transformers import (
    AutoConfig,
    LlamaConfig,
    LlamaForCausalLM,
    LlamaTokenizerFast as Tok,
)
from transformers import AutoProcessor, MllamaForConditionalGeneration, MllamaProcessor

MODEL = "Qwen/Qwen3.5-9B"


def load_text():
    tokenizer = Tok.from_pretrained(MODEL)
    config = LlamaConfig.from_pretrained(MODEL)
    model = LlamaForCausalLM.from_pretrained(MODEL, config=config)
    return tokenizer, model


def load_vision(path):
    processor = MllamaProcessor.from_pretrained(path)
    model = MllamaForConditionalGeneration.from_pretrained(path)
    return processor, model


def tiny(config):
    # A randomly initialised model for tests.
    return LlamaForCausalLM(config)


def legacy(path):
    return transformers.LlamaTokenizer.from_pretrained(path, legacy=False)
