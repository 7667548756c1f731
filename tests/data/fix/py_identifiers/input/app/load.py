# ruff: noqa: F401
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

from .settings import CHAT_MODEL

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"


def load():
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
    model = AutoModelForCausalLM.from_pretrained(
        MODEL_ID,  # resolved through the constant above
        device_map="auto",
    )
    return tokenizer, model


def quick():
    return pipeline("text-generation", model="meta-llama/Llama-3.1-8B-Instruct")
