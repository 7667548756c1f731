#!/bin/sh
# Serve the tuned model.
vllm serve \
  NousResearch/Hermes-3-Llama-3.1-8B \
  --port 8000
