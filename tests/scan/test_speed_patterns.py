"""Long strings through the hand-written JSON parser and the bracket/quote scanners.

The string patterns are unrolled loops (``"[^"\\]*(?:\\.[^"\\]*)*"``): an alternation repeated
per character (``(?:[^"\\]|\\.)*``) costs Python's regex engine ~114 bytes per character.
Time and memory are measured by benchmarks/bench_patterns.py; here the results are checked.
"""

from __future__ import annotations

import json
import re

from auditor.isolate.limits import _BRACKET_TOKENS, bracket_depth
from auditor.scan.documents import json_positions
from auditor.scan.documents.json_positions import JArray, JObject, JString, parse_json
from auditor.scan.notebook_cells import _QUOTED

BIG = 3 * 1024 * 1024


def test_multi_megabyte_json_string_parses_exactly() -> None:
    image = "iVBORw0KGgo" * (BIG // 11)
    escaped = 'a\\"b\\\\c\\u00e9\\n' * 1000
    text = json.dumps({"outputs": [{"image/png": image}], "x": 1})
    text = text.replace('"x": 1', f'"x": "{escaped}"')
    node = parse_json(text)
    assert isinstance(node, JObject)
    outputs = node.get("outputs")
    assert isinstance(outputs, JArray)
    entry = outputs.items[0]
    assert isinstance(entry, JObject)
    png = entry.get("image/png")
    assert isinstance(png, JString)
    assert png.value == image
    assert text[png.start] == '"' and png.end == png.start + len(image) + 2
    x = node.get("x")
    assert isinstance(x, JString)
    assert x.value == 'a"b\\c\u00e9\n' * 1000
    assert x.end == len(text) - 1


def test_multi_megabyte_jsonc_comment_is_skipped() -> None:
    body = "* not the end */ " + "x*" * (BIG // 2)
    text = '/* ' + body.replace("*/", "* /") + ' **/ {"a": "b"} // tail'
    node = parse_json(text, comments=True)
    assert isinstance(node, JObject)
    value = node.get("a")
    assert isinstance(value, JString) and value.value == "b"
    assert value.start == text.index('"b"')


def test_multi_megabyte_python_string_has_no_brackets() -> None:
    text = "x = '''" + "([{ \\' '' " * (BIG // 10) + "'''\ny = ((1))\n"
    assert bracket_depth(text) == 2
    spans = [m.group() for m in _BRACKET_TOKENS.finditer(text)]
    assert spans[1:] == ["(", "(", ")", ")"]
    assert len(spans[0]) == len(text) - len("x = \ny = ((1))\n")


def test_multi_megabyte_notebook_line_quotes_are_removed() -> None:
    line = "f(" + '"' + ")\\\"" * (BIG // 3) + '"' + ", ')') # )"
    assert _QUOTED.sub("", line) == "f(, ) "


def test_no_pattern_repeats_a_per_character_alternation() -> None:
    per_character = re.compile(r"\(\?:\[\^[^\]]*\]\|")
    for pattern in (json_positions._STRING, json_positions._WS_COMMENTS, _BRACKET_TOKENS,
                    _QUOTED):
        assert not per_character.search(pattern.pattern), pattern.pattern
