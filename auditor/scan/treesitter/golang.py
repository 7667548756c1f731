"""Go: tree-sitter-go. Struct literals (``bedrockruntime.InvokeModelInput{ModelId: ...}``)
are read like calls: the type names the loader, the keyed elements carry the model."""

from __future__ import annotations

import tree_sitter_go

from auditor.scan.treesitter.spec import LanguageSpec
from auditor.scan.treesitter.walker import Walk

GO = LanguageSpec(
    "go", tree_sitter_go.language,
    strings=frozenset({"interpreted_string_literal", "raw_string_literal"}),
    calls={"call_expression": ("function", "arguments"),
           "composite_literal": ("type", "body")},
    declarators={"const_spec": ("name", "value"), "var_spec": ("name", "value"),
                 "short_var_declaration": ("left", "right")},
    pairs={"keyed_element": (0, 1)},
    imports=frozenset({"import_spec"}),
    numbers=frozenset({"int_literal"}),
)


def modules(walk: Walk) -> list[tuple[str, int]]:
    found = []
    for node in walk.imports:
        path = node.child_by_field_name("path")
        literal = walk.literals.get(path.id) if path is not None else None
        if literal is not None:
            found.append((literal.value, literal.start))
    return found
