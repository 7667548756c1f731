"""The indented JSON writer writes exactly what ``json.dumps(indent=2, ensure_ascii=False)``
writes: every report, baseline and plan file keeps its bytes."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.pipeline import audit
from auditor.report.json_report import render_json
from auditor.serialize import result_to_dict
from auditor.util.json_text import dumps_indented

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _standard(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Name(str):
    pass


@pytest.mark.parametrize("data", [
    {},
    [],
    (),
    {"a": {}, "b": [], "c": [{}], "d": [[]]},
    {"text": "caf\u00e9 \u2603 \U0001f999 \"quoted\" back\\slash \n\t\x00\x1f \u2028"},
    {"n": [0, -1, 2**70, 1.5, -0.0, 1e300, 1e-7, 3.0]},
    {"flags": [True, False, None]},
    ("tuple", ("inner", 1), []),
    [1, [2, [3, [4, {"deep": "x"}]]]],
    {"key with \u00e9": "v", "": ""},
    {"nan": math.nan, "inf": [math.inf, -math.inf]},
    {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
    {"enum": Level.HIGH, "bool-like": True},
    {"sub": Name("a str subclass")},
    "a bare string",
    42,
    None,
])
def test_the_text_is_what_json_dumps_writes(data: object) -> None:
    assert dumps_indented(data) == _standard(data)


def test_what_json_cannot_hold_raises_as_json_dumps_does() -> None:
    with pytest.raises(TypeError, match="Colour"):
        dumps_indented({"colour": Colour.RED})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented({"loop": loop})


def test_a_value_shared_by_two_keys_is_not_taken_for_a_loop() -> None:
    shared = {"same": [1, 2]}
    data = {"first": shared, "second": shared, "list": [shared, shared]}
    assert dumps_indented(data) == _standard(data)


_leaves = (st.none() | st.booleans() | st.integers() | st.text()
           | st.floats(allow_nan=True, allow_infinity=True))
_values = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_any_json_value_is_written_as_json_dumps_writes_it(data: object) -> None:
    assert dumps_indented(data) == _standard(data)


def test_the_json_report_of_the_fixtures_is_unchanged() -> None:
    result = audit([FIXTURES]).result
    assert result.findings, "the fixtures must give a report with findings to compare"
    assert render_json(result) == _standard(result_to_dict(result)) + "\n"
