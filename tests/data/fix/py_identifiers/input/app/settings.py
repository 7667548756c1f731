"""Settings: the model is named once, read from the environment with a default."""

import os

# The chat model (swap it here, not at each use).
CHAT_MODEL = os.environ.get("CHAT_MODEL", "meta-llama/Llama-3.1-8B-Instruct")
LOCAL_TAG = 'llama3.1:8b'  # pulled by the setup script
PULL_COMMAND = "ollama pull llama3.1:8b && ollama serve"
RAW = r"meta-llama/Llama-3.1-8B-Instruct"
