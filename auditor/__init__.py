"""llama-audit: find every dependency on Meta's Llama models and plan the move away."""

__version__ = "0.1.0"
