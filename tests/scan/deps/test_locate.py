"""Positions of TOML and JSON keys and values, which tomllib and json do not give."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.scan.documents.json_positions import JArray, JObject, parse_json
from auditor.scan.documents.toml_positions import locate_toml
from auditor.scan.documents.toml_values import toml_document
from auditor.scan.text.positions import LineIndex
from auditor.types import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOML = '''# comment with [brackets] and "quotes"
title = "x"  # trailing
[project]
name = 'demo'
dependencies = [
    "llama-models>=0.3",  # first
    # a comment line inside the array
    'llama-stack-client',
    """multi
line""",
]
"quoted.key" = { version = "^1", extras = ["a", "b"] }
dotted.inner = "v"

[[package]]
name = "first"

[package.dependencies]
llama-stack = ">=0.7"

[[package]]
name = "second"
dependencies = [{ name = "llama-models" }]

[[package.wheels]]
url = "https://example.org/w.whl"

[tool.x]
when = 1979-05-27 07:32:00
'''


def test_toml_values_and_keys_have_exact_spans() -> None:
    spans = locate_toml(TOML)
    assert spans.value(("title",)) == Span(2, 10, 2, 11)
    assert spans.value(("project", "name")) == Span(4, 9, 4, 13)
    assert spans.value(("project", "dependencies", 0)) == Span(6, 6, 6, 23)
    assert spans.value(("project", "dependencies", 1)) == Span(8, 6, 8, 24)
    # multi-line strings keep their quotes and span both lines
    assert spans.value(("project", "dependencies", 2)) == Span(9, 5, 10, 8)
    assert spans.key(("project", "quoted.key")) == Span(12, 2, 12, 12)
    assert spans.value(("project", "quoted.key", "version")) == Span(12, 29, 12, 31)
    assert spans.value(("project", "quoted.key", "extras", 1)) == Span(12, 50, 12, 51)
    assert spans.key(("project", "dotted", "inner")) == Span(13, 8, 13, 13)
    assert spans.value(("tool", "x", "when")) == Span(29, 8, 29, 27)


def test_toml_arrays_of_tables_are_indexed() -> None:
    spans = locate_toml(TOML)
    assert spans.value(("package", 0, "name")) == Span(16, 9, 16, 14)
    assert spans.key(("package", 0, "dependencies", "llama-stack")) == Span(19, 1, 19, 12)
    assert spans.value(("package", 1, "name")) == Span(22, 9, 22, 15)
    assert spans.value(("package", 1, "dependencies", 0, "name")) == Span(23, 27, 23, 39)
    assert spans.value(("package", 1, "wheels", 0, "url")) == Span(26, 8, 26, 33)
    assert spans.key(("package", 1, "wheels", 0)) == Span(25, 11, 25, 17)


def test_toml_multiline_string_with_embedded_quotes() -> None:
    text = 'a = """x ""quoted"" ]"""\nb = \'\'\'lit ] \'\'\'\nc = "after"\n'
    spans = locate_toml(text)
    assert spans.value(("c",)) == Span(3, 6, 3, 11)


def test_json_keys_and_values() -> None:
    text = ('{\n  "default": {\n    "llama-models": {"version": "==0.3.0"},\n'
            '    "x": [1, true]\n  }\n}')
    index = LineIndex(text)
    root = parse_json(text)
    assert isinstance(root, JObject)
    default = root.get("default")
    assert isinstance(default, JObject)
    key, package = default.members[0]
    assert index.span(key.start, key.end) == Span(3, 5, 3, 19)
    assert isinstance(package, JObject)
    version = package.get("version")
    assert version is not None
    assert index.span(version.start, version.end) == Span(3, 33, 3, 42)
    items = default.get("x")
    assert isinstance(items, JArray)
    assert index.span(items.items[1].start, items.items[1].end) == Span(4, 14, 4, 18)


@pytest.mark.parametrize(("text", "offset", "expected"), [
    ("ab\ncd", 3, (2, 1)),
    ("ab\r\ncd", 4, (2, 1)),
    ("ab\rcd", 3, (2, 1)),
    ("a\x0cb", 2, (2, 1)),  # form feed breaks lines for str.splitlines, as for the engine
])
def test_line_index_breaks_lines_like_splitlines(text: str, offset: int,
                                                 expected: tuple[int, int]) -> None:
    assert LineIndex(text).position(offset) == expected


_NAMES = st.from_regex(r"[a-z][a-z0-9_.\-]{0,12}", fullmatch=True)
_GAP = st.sampled_from(["", " ", "  ", "\n", "\n    ", " # note ]\n  ", "\n# [x]\n"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(_NAMES, _GAP, _GAP, st.booleans()), min_size=1, max_size=6))
def test_every_located_array_string_reads_back(items: list[tuple[str, str, str, bool]]) -> None:
    """Whatever the layout, the span of each array item is exactly that item's text."""
    parts = []
    for name, before, after, literal in items:
        quote = "'" if literal else '"'
        parts.append(f"{before}{quote}{name}{quote}{after}")
    text = "[project]\ndependencies = [" + ",".join(parts) + "]\n"
    assert tomllib.loads(text)["project"]["dependencies"] == [i[0] for i in items]
    spans = locate_toml(text)
    lines = text.splitlines()
    for index, (name, *_rest) in enumerate(items):
        span = spans.value(("project", "dependencies", index))
        assert span is not None
        assert span.line == span.end_line
        assert lines[span.line - 1][span.column - 1:span.end_column - 1] == name


def test_toml_config_values_share_the_locator_offsets() -> None:
    """The config scanner's values are the locator's values: strings with their quotes,
    integers, each array index (inline or array of tables) written ``[]``."""
    text = ('[[model]]\nid = "meta-llama/Llama-3.1-8B"\n[model.gen]\neos = [128009, \'x\']\n'
            'on = true\n')
    values = [(v.path, v.value, text[v.start:v.end]) for v in toml_document(text).values]
    assert values == [
        (("model", "[]", "id"), "meta-llama/Llama-3.1-8B", '"meta-llama/Llama-3.1-8B"'),
        (("model", "[]", "gen", "eos", "[]"), 128009, "128009"),
        (("model", "[]", "gen", "eos", "[]"), "x", "'x'"),
    ]
    assert locate_toml(text).last_line() == 5
