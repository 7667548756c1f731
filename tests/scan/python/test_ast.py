"""The pieces under the ast-based Python scanner: positions, literal text, live lines, and
that reading only live lines loses nothing."""

from __future__ import annotations

import ast
import warnings

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.ruleset.python_tables import python_tables
from auditor.scan.python.literals import all_fields, literal_pieces, written_text
from auditor.scan.python.live import live_lines, may_hold_text, trigger_lines
from auditor.scan.python.locate import Locator
from auditor.scan.python.positions import SourceIndex, line_starts
from auditor.scan.python.records import formatted_values
from auditor.scan.python.scanner import analyse_tree
from auditor.types import Span
from tests.conftest import FIXTURES

RULES = load_ruleset()
TABLES = python_tables(RULES)


# -- positions --------------------------------------------------------------------------------

def test_lines_break_where_python_breaks_them() -> None:
    text = "a\r\nb\rc\nd\x0ce\u2028f\n"
    assert line_starts(text) == [0, 3, 5, 7, 13]
    index = SourceIndex(text)
    assert [index.line_of(i) for i in (0, 3, 5, 7, 12, 13)] == [1, 2, 3, 4, 4, 5]


def test_byte_columns_become_character_columns() -> None:
    text = 'x = "日本"; MODEL = "meta-llama/Llama-2-7b-hf"\n'
    node = ast.parse(text).body[1].value  # type: ignore[attr-defined]
    assert node.col_offset == 22  # UTF-8 bytes: each CJK character is three
    index = SourceIndex(text)
    start, end = index.node_offsets(node)
    assert text[start:end] == '"meta-llama/Llama-2-7b-hf"'
    assert index.span(start, end) == Span(1, 19, 1, 45)  # the one Span: columns 1-based


# -- literal text -----------------------------------------------------------------------------

def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes are part of what is tested
        return ast.parse(text)


def _pieces(source: str) -> tuple[str, list]:  # type: ignore[type-arg]
    text = f"x = {source}\n"
    node = _parse(text).body[0].value  # type: ignore[attr-defined]
    pieces = literal_pieces(text, *SourceIndex(text).node_offsets(node))
    assert pieces is not None
    return text, pieces


def test_implicit_concatenation_is_read_piece_by_piece() -> None:
    text, pieces = _pieces('(Rb"a\\"b"  # comment\n     b\'c\')')
    assert [text[p.start:p.end] for p in pieces] == ['Rb"a\\"b"', "b'c'"]
    assert [p.prefix for p in pieces] == ["rb", "b"]
    text, pieces = _pieces('(r"a\\"b"  # comment\n     \'c\' f"{d}e{{f}}")')
    assert [text[p.start:p.end] for p in pieces] == ['r"a\\"b"', "'c'", 'f"{d}e{{f}}"']
    assert written_text(text, pieces) == 'r"a\\"b"\'c\'e{{f}}'


@pytest.mark.parametrize(("source", "fields", "written"), [
    ('f"{a!r:>{width}} and {b=} {c:{d}.{e}}"', ["a", "width", "b", "c", "d", "e"],
     " and  "),
    ('f"{x[\'k\']}{ {1: 2}[1] }{(lambda y: y)(1)}"', ["x['k']", " {1: 2}[1] ", "(lambda y: y)(1)"],
     ""),
    ('f"{a != b}{a == b}{a <= b}"', ["a != b", "a == b", "a <= b"], ""),
    ('f"\\N{BULLET} {name}\\{x}"', ["name", "x"], "\\N{BULLET} \\"),
    ('rf"\\{x}"', ["x"], "\\"),
    ('f"""\n{ f\'{inner}\' }\n"""', [" f'{inner}' "], "\n\n"),
])
def test_fstring_fields_are_located_in_the_source(source: str, fields: list[str],
                                                  written: str) -> None:
    text, pieces = _pieces(source)
    assert [text[f.start:f.end] for f in all_fields(pieces)] == fields
    assert written_text(text, pieces) == written
    node = _parse(text).body[0].value  # type: ignore[attr-defined]
    assert len(formatted_values(node)) == len(fields)


def test_text_that_is_not_one_literal_gives_none() -> None:
    assert literal_pieces('x = "a" + "b"', 4, 13) is None
    assert literal_pieces('"unterminated', 0, 13) is None


# -- live lines -------------------------------------------------------------------------------

def _live(text: str) -> list[int]:
    tree = ast.parse(text)
    bindings = [([t.id], s.value) for s in ast.walk(tree) if isinstance(s, ast.Assign)
                for t in s.targets if isinstance(t, ast.Name) and may_hold_text(s.value)]
    return live_lines(SourceIndex(text), TABLES, bindings, set()).lines


def test_trigger_text_in_any_spelling() -> None:
    text = ("a = 1\n"
            "b = 'LLaMA'\n"
            "c = 200_008\n"
            "d = 0x1F409\n"
            "e = '<|eot_id|>'\n"
            "f = 12800\n")
    assert trigger_lines(SourceIndex(text), TABLES).lines == [2, 3, 4, 5]


def test_names_bound_to_text_taint_their_uses_but_calls_do_not() -> None:
    text = ("ORG = 'meta-llama'\n"        # 1 trigger
            "NAME = ORG + '/x'\n"          # 2 tainted by ORG
            "model = LlamaModel(cfg)\n"    # 3 trigger, but a call holds no text
            "use(NAME)\n"                  # 4 tainted by NAME
            "use(model)\n"                 # 5 not live
            "other = 1\n")                 # 6 not live
    assert _live(text) == [1, 2, 3, 4]


def test_pruning_loses_no_finding_of_any_fixture() -> None:
    """Reading only live lines gives exactly what reading every expression gives."""
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except SyntaxError:
            continue
        assert analyse_tree(tree, text, RULES) == analyse_tree(tree, text, RULES,
                                                               prune=False), path
        checked += 1
    assert checked >= 15


# -- nodes inside f-strings -------------------------------------------------------------------

def test_positions_inside_fstrings_are_derived_from_the_source() -> None:
    """Python 3.10/3.11 have placed nodes of replacement fields wrongly (at text repeated
    earlier in the literal); the locator finds them again from the enclosing f-string."""
    text = 'msg = f"""LlamaModel\n  {x} and {\n  f\'{LlamaModel}\'}"""\n'
    joined = ast.parse(text).body[0].value  # type: ignore[attr-defined]
    inner = formatted_values(joined)[1].value
    name = formatted_values(inner)[0].value
    chain = ((joined, 1), (inner, 0))
    locator = Locator(SourceIndex(text))
    right = locator.offsets(name, chain)
    assert text[right[0]:right[1]] == "LlamaModel" and right[0] > text.index("{\n")
    assert right == SourceIndex(text).node_offsets(name)  # this Python placed it right
    name.lineno, name.end_lineno, name.col_offset, name.end_col_offset = 1, 1, 10, 20
    assert text[10:20] == "LlamaModel"  # the same text, in the literal part: wrong
    assert locator.offsets(name, chain) == right
    assert locator.span(name, chain) == Span(3, 6, 3, 16)
