"""The rule tables in ``rules/*.toml``: loaded, validated, typed, documented."""
