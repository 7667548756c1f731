"""discover: walk the roots, honour ignores, classify each file by kind."""
