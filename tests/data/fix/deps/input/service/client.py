from llama_api_client import LlamaAPIClient

CLIENT = LlamaAPIClient()
