"""The hostile-input corpus, generated at test time (see corpus.py)."""
