"""Structured documents (JSON, TOML, YAML, INI-like) as positioned values."""
