"""JavaScript and TypeScript (``.js .mjs .cjs .jsx .ts .mts .cts .tsx``, and the ``<script>``
blocks of ``.vue`` and ``.svelte`` files): tree-sitter-javascript and tree-sitter-typescript."""

from __future__ import annotations

import re
from collections.abc import Callable

import tree_sitter_javascript
import tree_sitter_typescript

from auditor.scan.treesitter.spec import LanguageSpec
from auditor.scan.treesitter.walker import Walk


def _spec(grammar: Callable[[], object]) -> LanguageSpec:
    return LanguageSpec(
        "javascript", grammar,
        strings=frozenset({"string", "template_string"}),
        substitutions=frozenset({"template_substitution"}),
        calls={"call_expression": ("function", "arguments"),
               "new_expression": ("constructor", "arguments")},
        declarators={"variable_declarator": ("name", "value"),
                     "public_field_definition": ("name", "value")},
        pairs={"pair": (0, 1)},
        imports=frozenset({"import_statement", "export_statement"}),
        numbers=frozenset({"number"}),
    )


JAVASCRIPT = _spec(tree_sitter_javascript.language)
TYPESCRIPT = _spec(tree_sitter_typescript.language_typescript)
TSX = _spec(tree_sitter_typescript.language_tsx)

_SCRIPT = re.compile(rb"(<script\b[^>]*>)(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_TS_LANG = re.compile(rb"""\blang\s*=\s*["']ts["']""")


def script_blocks(data: bytes) -> tuple[bytes, bool]:
    """A .vue or .svelte file with everything outside its ``<script>`` blocks blanked (line
    breaks kept, so positions stay those of the file); True when a block is TypeScript."""
    out = bytearray(re.sub(rb"[^\n]", b" ", data))
    typescript = False
    for block in _SCRIPT.finditer(data):
        out[block.start(2):block.end(2)] = block.group(2)
        typescript = typescript or bool(_TS_LANG.search(block.group(1)))
    return bytes(out), typescript


def modules(walk: Walk) -> list[tuple[str, int]]:
    """(module, byte offset) of every ``import ... from "m"``, ``export ... from "m"``,
    ``require("m")`` and ``import("m")``."""
    found = []
    for node in walk.imports:
        source = node.child_by_field_name("source")
        literal = walk.literals.get(source.id) if source is not None else None
        if literal is not None:
            found.append((literal.value, literal.start))
    for call in walk.calls:
        name, _, args = walk.callee(call)
        if name in ("require", "import"):
            first = walk.arguments(args)[:1]
            literal = walk.literals.get(first[0].id) if first else None
            if literal is not None and not literal.substituted:
                found.append((literal.value, literal.start))
    return found
