"""The JSON position parser's ``keep`` schema: only the named values are built, every other
member value is consumed by the C scanner, and the result (nodes, positions, errors and their
offsets) is the full parse's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.scan.documents import json_positions
from auditor.scan.documents.json_positions import (
    JArray,
    JNode,
    JObject,
    JScalar,
    JsonError,
    JString,
    Keep,
    parse_json,
)
from auditor.scan.notebook import NOTEBOOK_KEEP
from auditor.scan.notebook_cells import prepare_cell, text_of
from auditor.scan.text.lines import has_hint
from tests.kinds_helpers import scan_text


def _tree(node: JNode) -> Any:
    """A comparable form: kind, start, end and content of every node."""
    if isinstance(node, JString):
        return ("s", node.start, node.end, node.raw)
    if isinstance(node, JArray):
        return ("a", node.start, node.end, [_tree(item) for item in node.items])
    if isinstance(node, JObject):
        return ("o", node.start, node.end,
                [(key.raw, key.start, _tree(value)) for key, value in node.members])
    return ("v", node.start, node.end, node.value)


def _kept(node: JNode, keep: Keep) -> Any:
    """The full parse's tree with the schema applied by hand."""
    if keep is None:
        return _tree(node)
    if isinstance(node, JArray):
        return ("a", node.start, node.end, [_kept(item, keep) for item in node.items])
    if isinstance(node, JObject):
        return ("o", node.start, node.end,
                [(key.raw, key.start, _kept(value, keep[key.value]))
                 for key, value in node.members if key.value in keep])
    return _tree(node)


NOTEBOOK = json.dumps({
    "cells": [
        {"cell_type": "markdown", "id": "a1", "metadata": {"tags": ["x"]},
         "source": ["# Llama\n", "text \u00e9"]},
        {"cell_type": "code", "execution_count": 3, "id": "b2",
         "metadata": {"scrolled": True, "n": None, "f": 1.5e3},
         "outputs": [
             {"output_type": "stream", "name": "stdout", "text": ["meta-llama\n", "done"]},
             {"output_type": "display_data",
              "data": {"image/png": "iVBOR" * 50, "text/html": ["<b>x</b>"],
                       "text/plain": ["<Figure>"]},
              "metadata": {"needs_background": "light"}},
         ],
         "source": "m = \"llama3\"\n\tprint(m)"},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python"},
                 "language_info": {"name": "python", "version": "3.11"},
                 "widgets": {"state": {"k": [[1, 2], {"a": [3]}]}}},
    "nbformat": 4, "nbformat_minor": 5,
}, indent=1)


def test_keep_builds_only_the_named_values_at_the_full_parse_positions() -> None:
    full = parse_json(NOTEBOOK)
    kept = parse_json(NOTEBOOK, keep=NOTEBOOK_KEEP)
    assert _tree(kept) == _kept(full, NOTEBOOK_KEEP)
    assert isinstance(kept, JObject)
    assert [key.value for key, _ in kept.members] == ["cells", "metadata"]
    cells = kept.get("cells")
    assert isinstance(cells, JArray)
    assert [[key.value for key, _ in cell.members] for cell in cells.items
            if isinstance(cell, JObject)] == [["cell_type", "source"],
                                              ["cell_type", "outputs", "source"]]
    code = cells.items[1]
    assert isinstance(code, JObject)
    outputs = code.get("outputs")
    assert isinstance(outputs, JArray)
    assert [[key.value for key, _ in output.members] for output in outputs.items
            if isinstance(output, JObject)] == [["text"], ["data"]]
    data = outputs.items[1].get("data") if isinstance(outputs.items[1], JObject) else None
    assert isinstance(data, JObject) and [k.value for k, _ in data.members] == ["text/plain"]
    metadata = kept.get("metadata")
    assert isinstance(metadata, JObject)
    assert _tree(metadata)[3] == [
        ("kernelspec", NOTEBOOK.index('"kernelspec"'),
         ("o", NOTEBOOK.index("{", NOTEBOOK.index('"kernelspec"')),
          NOTEBOOK.index("}", NOTEBOOK.index('"kernelspec"')) + 1,
          [("language", NOTEBOOK.index('"language"'),
            ("s", NOTEBOOK.index('"python"'), NOTEBOOK.index('"python"') + 8, "python"))])),
        ("language_info", NOTEBOOK.index('"language_info"'),
         ("o", NOTEBOOK.index("{", NOTEBOOK.index('"language_info"')),
          NOTEBOOK.index("}", NOTEBOOK.index('"language_info"')) + 1,
          [("name", NOTEBOOK.index('"name": "python"'),
            ("s", NOTEBOOK.index('"python"', NOTEBOOK.index('"language_info"')),
             NOTEBOOK.index('"python"', NOTEBOOK.index('"language_info"')) + 8, "python"))])),
    ]
    assert cells.end == full.get("cells").end  # type: ignore[union-attr]
    assert kept.end == len(NOTEBOOK)


@pytest.mark.parametrize(("text", "message", "offset"), [
    ('{"metadata": {"a": [1, 2,, 3]}, "cells": []}', "unexpected character ','", 25),
    ('{"metadata": {"a": "unterminated}, "cells": []}', "expected ',' or '}'", 36),
    ('{"metadata": {"a": "ctl\x01"}, "cells": []}', "unterminated or invalid string", 19),
    ('{"metadata": {"a": [1, NaN]}, "cells": []}', "unexpected character 'N'", 23),
    ('{"metadata": {"a": {"b": Infinity}}, "cells": []}', "unexpected character 'I'", 25),
    ('{"metadata": -Infinity, "cells": []}', "unexpected character '-'", 13),
    ('{"cells": [{"source": ["a", "b"], "outputs": [], "x": [tru]}]}',
     "unexpected character 't'", 55),
    # deeper than MAX_DEPTH inside a skipped value: the full parser's error and offset, also
    # past the C scanner's own recursion limit
    ('{"cells": [], "x": ' + "[" * 201 + "]" * 201 + "}", "nesting deeper than 200 levels", 219),
    ('{"cells": [], "x": ' + "[" * 1200 + "]" * 1200 + "}",
     "nesting deeper than 200 levels", 219),
    ('{"cells": ["a" "b"]}', "expected ',' or ']'", 15),
    ('{"cells": ["a",]}', "unexpected character ']'", 15),
    ('{"cells": ["a\x01"]}', "unterminated or invalid string", 11),
    ('{"cells": ["a", "b"', "expected ',' or ']'", 19),
    ('{"cells" 1}', "expected ':' after a key", 9),
    ('{"cells": 1 "b": 2}', "expected ',' or '}'", 12),
])
def test_invalid_json_inside_or_around_skipped_values_fails_as_the_full_parse(
        text: str, message: str, offset: int) -> None:
    for keep in (None, NOTEBOOK_KEEP):
        with pytest.raises(JsonError) as info:
            parse_json(text, keep=keep)
        assert (str(info.value), info.value.offset) == (message, offset)


def test_nesting_is_counted_exactly_inside_a_skipped_value() -> None:
    at_limit = '{"cells": [], "x": ' + "[" * 200 + "]" * 200 + "}"
    node = parse_json(at_limit, keep=NOTEBOOK_KEEP)
    assert _tree(node) == ("o", 0, len(at_limit), [("cells", 1, ("a", 10, 12, []))])
    # brackets inside strings are not nesting: still skipped, nothing built for "x"
    in_strings = '{"x": ["' + "[{" * 300 + '"], "cells": []}'
    node = parse_json(in_strings, keep=NOTEBOOK_KEEP)
    assert isinstance(node, JObject) and [k.value for k, _ in node.members] == ["cells"]


def test_a_value_the_c_scanner_refuses_is_parsed_as_before() -> None:
    # an integer of 5,000 digits: the C scanner refuses it (int max str digits), this
    # parser keeps it as a float; the document is parsed without the schema
    text = '{"cells": [], "metadata": {"n": ' + "9" * 5000 + "}}"
    assert _tree(parse_json(text, keep=NOTEBOOK_KEEP)) == _tree(parse_json(text))
    node = parse_json(text, keep=NOTEBOOK_KEEP)
    metadata = node.get("metadata") if isinstance(node, JObject) else None
    number = metadata.get("n") if isinstance(metadata, JObject) else None
    assert isinstance(number, JScalar) and number.value == float("inf")


def test_skipped_values_count_towards_max_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_positions, "MAX_VALUES", 5)
    # the skipped array's bound (1 bracket + 1 comma) keeps the count at 5: skipped
    small = '{"cells": [], "x": [1, 2]}'
    node = parse_json(small, keep=NOTEBOOK_KEEP)
    assert isinstance(node, JObject) and [k.value for k, _ in node.members] == ["cells"]
    # 5 values, but the bound counts the commas inside the string (1 + 3): past the limit,
    # so the document is parsed again without the schema, which counts exactly
    fits = '{"cells": [], "x": ["a,b,c", 2]}'
    assert _tree(parse_json(fits, keep=NOTEBOOK_KEEP)) == _tree(parse_json(fits))
    over = '{"cells": [], "x": [1, 2, 3]}'
    for keep in (None, NOTEBOOK_KEEP):
        with pytest.raises(JsonError) as info:
            parse_json(over, keep=keep)
        assert (str(info.value), info.value.offset) == ("more than 5 values, not parsed", 26)


def test_lenient_trailing_comma_after_a_skipped_member() -> None:
    text = '{"a": {"b": 1}, /* note */ "c": "d", }'
    node = parse_json(text, comments=True, keep={"c": None})
    assert _tree(node) == ("o", 0, len(text), [("c", 27, ("s", 32, 35, "d"))])
    assert isinstance(parse_json(text, comments=True), JObject)
    # every member skipped: the trailing comma is still accepted, as in the full parse
    assert _tree(parse_json('{"a": 1, }', comments=True, keep={"c": None})) == ("o", 0, 10, [])


def test_array_strings_decoded_at_once_match_each_piece() -> None:
    text = '["a\\n", "\\u00e9\\ud83d\\ude00\\t", 3, ["x"], "plain", "q\\"\\\\"]'
    node = parse_json(text)
    assert isinstance(node, JArray)
    once = text_of(node, text)
    each = text_of(node)
    assert once.text == each.text == "a\n\u00e9\U0001F600\tplainq\"\\"
    assert [once.raw_offset(i) for i in range(len(once.text) + 1)] == \
        [each.raw_offset(i) for i in range(len(each.text) + 1)] == \
        [2, 3, 9, 15, 27, 43, 44, 45, 46, 47, 52, 53, 55, 57]


def test_prepare_cell_without_magic_characters_is_the_source() -> None:
    source = "x = [\n  1]\r\ny = {'a': 2}\r  # comment\n"
    prepared = prepare_cell(source)
    assert (prepared.python, prepared.shell) == (source, [])
    assert prepare_cell("x = [\n %d\n]\n!ls\n").shell == [(4, 1, "ls")]


def test_has_hint() -> None:
    assert has_hint("see META-LLAMA/x")
    assert has_hint("LlamaGuard") and has_hint("vicuna-7b")
    assert not has_hint("gemma and qwen")


def test_a_notebook_with_nan_in_skipped_metadata_is_reported_as_before(tmp_path: Path) -> None:
    text = ('{"cells": [{"cell_type": "code", "metadata": {"score": NaN},\n'
            ' "source": ["m = \\"llama3.2:3b\\"\\n"]}], "metadata": {}}\n')
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert [(p.code, p.message, p.line) for p in out.problems] == [(
        "parse-error", "invalid JSON: unexpected character 'N' at line 1 column 56; "
        "identifiers found by the line scanner", 1)]
    assert [(h.rule_id, h.line, h.identifier) for h in out.hits] == [("LA101", 2, "llama3.2:3b")]
    clean = text.replace("NaN", "1.5")
    out, _ = scan_text(tmp_path, "nb2.ipynb", clean, check_positions=False)
    assert out.problems == []
    assert [(h.rule_id, h.line, h.column, h.cell, h.cell_line) for h in out.hits] == [
        ("LA101", 2, 18, 0, 1)]
