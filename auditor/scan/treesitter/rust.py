"""Rust: tree-sitter-rust. ``use`` paths name modules (``candle_transformers::models::llama``,
``llama_cpp_2::model::LlamaModel``); one level of ``{a, b}`` lists is expanded."""

from __future__ import annotations

import tree_sitter_rust

from auditor.scan.treesitter.spec import LanguageSpec
from auditor.scan.treesitter.walker import Walk

RUST = LanguageSpec(
    "rust", tree_sitter_rust.language,
    strings=frozenset({"string_literal", "raw_string_literal"}),
    calls={"call_expression": ("function", "arguments"),
           "struct_expression": ("name", "body")},
    declarators={"const_item": ("name", "value"), "static_item": ("name", "value"),
                 "let_declaration": ("pattern", "value")},
    pairs={"field_initializer": (0, 1)},
    imports=frozenset({"use_declaration"}),
    numbers=frozenset({"integer_literal"}),
)


def modules(walk: Walk) -> list[tuple[str, int]]:
    found = []
    for node in walk.imports:
        argument = node.child_by_field_name("argument")
        if argument is None:
            continue
        if argument.type == "scoped_use_list":
            path = argument.child_by_field_name("path")
            items = argument.child_by_field_name("list")
            prefix = walk.text(path) if path is not None else ""
            if path is not None and walk.tables.import_rule(walk.spec.name, prefix):
                found.append((prefix, path.start_byte))  # the module itself, once
                continue
            for item in items.named_children if items is not None else []:
                found.append((f"{prefix}::{walk.text(item)}", item.start_byte))
            continue
        if argument.type == "use_as_clause":
            argument = argument.child_by_field_name("path") or argument
        found.append((walk.text(argument), argument.start_byte))
    return found
