import boto3
import litellm
from llama_cpp import Llama

SIZE = "3B"


def gguf_from_hub():
    return Llama.from_pretrained(
        repo_id="bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        filename="*Q4_K_M.gguf",
    )


def gguf_from_disk():
    return Llama(model_path="./models/Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf", n_ctx=8192)


def routed(messages):
    return litellm.completion(model="ollama_chat/llama3.1:8b", messages=messages)


def hosted(body):
    client = boto3.client("bedrock-runtime")
    return client.invoke_model(modelId="meta.llama3-1-70b-instruct-v1:0", body=body)


def assembled():
    return f"meta-llama/Llama-3.2-{SIZE}-Instruct"


def fine_tune():
    return litellm.completion(model="huggingface/NousResearch/Hermes-3-Llama-3.1-8B", messages=[])
