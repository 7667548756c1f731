"""Python sources, read with the stdlib ``ast``."""
