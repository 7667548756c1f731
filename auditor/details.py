"""The vocabulary of a finding's ``details``: the kind-specific facts stages attach to it.

Scanners write facts about what they read (a package's constraint, a config key), enrich adds
license and catalog facts, policy marks a finding moved with its file. Keys are a closed,
typed set, so a stage that writes or reads a key nobody else knows is a type error.
"""

from __future__ import annotations

from typing import Literal, get_args

DetailKey = Literal[
    # dependency declarations (scan/deps): what the manifest or lockfile says
    "package", "constraint", "direct", "manifest", "class", "reason", "pulled_in_by", "group",
    "marker", "extras", "declared_at", "include_chain", "direct_from",
    # set where the manifest's own type does not say it (a container image in compose/k8s)
    "ecosystem",
    # structured config, artefacts, GGUF headers, notebooks, infra (scan)
    "key", "confidence", "peft_type", "evidence", "name_or_path", "header_key", "part",
    "base_model",
    # license facts (scan/licenses for license files; enrich for models)
    "license", "llama_license", "llama_license_id", "llama_license_source",
    "llama_license_unconfirmed", "license_obligations", "license_eu_multimodal",
    # the replacement plan and the catalog (enrich)
    "replacement_class", "replacement_gaps", "catalog_unconfirmed", "lineage",
    # the string's role when it changed the rule's severity or effort, and what a person must
    # decide about a derivative fix cannot swap (scan/roles)
    "role", "decide",
    # what the model is used for (scan/python/roles.py from the call; enrich/tasks.py from
    # the model itself): fim, tools, vision, guard, embeddings, joined by "+"
    "task",
    # a documentation code block or commented-out code (scan/docs, scan/commented): reported
    # at info, counted by the gate only with --include-docs (policy)
    "mention",
    # a plan file shown by `report --plan` (enrich.plan_file)
    "plan",
    # the baseline (policy): a finding matched in a renamed file
    "moved_from",
]
"""Every key a finding's ``details`` may carry, with the stage that writes it. A typed
vocabulary: a producer or reader naming any other key is a type error."""

DETAIL_KEYS: frozenset[str] = frozenset(get_args(DetailKey))

Details = tuple[tuple[DetailKey, str], ...]
"""Kind-specific facts as ordered (key, value) pairs, in the order the stages added them."""
