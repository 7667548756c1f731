"""identify: a raw string in, a canonical Llama model reference (or None) out."""
