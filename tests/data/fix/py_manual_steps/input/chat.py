"""Hand-written prompts and stop ids from the Llama 3 days."""

from llama_api_client import LlamaAPIClient

SYSTEM = "You are terse."
STOP_IDS = [128001, 128009]


def prompt(question):
    text = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" + SYSTEM
    text += f"<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{question}<|eot_id|>"
    return text + "<|start_header_id|>assistant<|end_header_id|>\n\n"


class Client:
    def __init__(self):
        self.client = LlamaAPIClient()

    def generate(self, model, ids):
        if True:
            return model.generate(ids, eos_token_id=[128001, 128009], max_new_tokens=64)
