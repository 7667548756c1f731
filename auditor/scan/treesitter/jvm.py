"""Java and Kotlin: tree-sitter-java and tree-sitter-kotlin. Builder calls
(``.modelName("...")``, ``.modelId("...")``) are loaders like any other call; Kotlin's
``"eos" to 128009`` (in ``mapOf``, ``Pair`` lists) is a key/value pair like a named argument."""

from __future__ import annotations

import tree_sitter_java
import tree_sitter_kotlin

from auditor.scan.treesitter.spec import LanguageSpec
from auditor.scan.treesitter.walker import Walk

JAVA = LanguageSpec(
    "java", tree_sitter_java.language,
    strings=frozenset({"string_literal"}),
    calls={"method_invocation": ("name", "arguments"),
           "object_creation_expression": ("type", "arguments")},
    declarators={"variable_declarator": ("name", "value")},
    imports=frozenset({"import_declaration"}),
    numbers=frozenset({"decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
                       "binary_integer_literal"}),
)

KOTLIN = LanguageSpec(
    "kotlin", tree_sitter_kotlin.language,
    strings=frozenset({"string_literal", "multiline_string_literal"}),
    substitutions=frozenset({"interpolation", "string_template"}),
    calls={"call_expression": ("", "")},
    declarators={"property_declaration": ("", "")},
    pairs={"value_argument": (0, 1), "infix_expression": (0, 2)},
    pair_operators={"infix_expression": frozenset({"to"})},
    imports=frozenset({"import", "import_header"}),
    numbers=frozenset({"number_literal", "integer_literal", "hex_literal", "bin_literal",
                       "long_literal"}),
)


def modules(walk: Walk) -> list[tuple[str, int]]:
    found = []
    for node in walk.imports:
        path = next((c for c in node.named_children
                     if c.type in ("scoped_identifier", "qualified_identifier", "identifier")),
                    None)
        if path is not None:
            found.append((walk.text(path), path.start_byte))
    return found
