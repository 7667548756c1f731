"""String literals as written in the source: pieces, f-string text parts and fields.

``ast`` merges an implicit concatenation (``"a" f"{b}" 'c'``) into one node and gives its
value with escapes processed. A few rules need the literal as typed: prompt markers count
where they are written (quotes and all), identifiers inside a string are located in its raw
text, an f-string's text parts are read raw, and a node inside an f-string's replacement field
needs a position that Python 3.10 and 3.11 do not always give right. This module reads those
from the source text, given the character offsets ``ast`` gives for the whole literal.

Replacement fields are scanned the way Python 3.12 reads them (any quotes nest, comments and
backslashes allowed), which also reads every f-string Python 3.10 and 3.11 accept. A literal
this reader does not understand gives ``None``; callers then use ``ast``'s own view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PREFIX_LETTERS = frozenset("rRbBuUfF")
_PIECE_START = re.compile(r"""([A-Za-z]{0,2})('''|\"\"\"|'|")""")
_BETWEEN_PIECES = re.compile(r"(?:[ \t\f]+|\\(?:\r\n|\r|\n)|\r\n|\r|\n|#[^\r\n]*)*")
_PLAIN_BODY = {
    "'": re.compile(r"[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'"),
    '"': re.compile(r'[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"'),
    "'''": re.compile(r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"),
    '"""': re.compile(r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'),
}
_TEXT_RUN = {q: re.compile(r"[^{}\\\r\n" + q + "]*") for q in ("'", '"')}
_EXPRESSION_RUN = re.compile(r"""[^()\[\]{}'"!:=#\\\r\n]*""")
_CONVERSION = re.compile(r"![A-Za-z]*")
_NAMED_ESCAPE = re.compile(r"\\N\{[^}\r\n]*\}")


@dataclass(frozen=True)
class Field:
    """One replacement field of an f-string: where its expression is written."""

    start: int
    end: int


@dataclass(frozen=True)
class Piece:
    """One string token of a literal (``"a"`` or ``f"{b}c"``), as character offsets."""

    start: int
    end: int
    prefix: str
    parts: tuple[tuple[int, int, int], ...]
    """In order: ``(-1, start, end)`` for raw literal text (``{{`` kept as typed), and
    ``(index, 0, 0)`` for a top-level replacement field (``index`` into ``fields``)."""
    fields: tuple[Field, ...]
    """Every replacement field in source order, those of a format spec after their own."""

    @property
    def is_f(self) -> bool:
        return "f" in self.prefix


def literal_pieces(text: str, start: int, end: int) -> list[Piece] | None:
    """The string tokens written between offsets ``start`` and ``end`` (one literal node)."""
    pieces: list[Piece] = []
    position = start
    while position < end:
        piece = _piece(text, position, end)
        if piece is None:
            return None
        pieces.append(piece)
        position = _BETWEEN_PIECES.match(text, piece.end, end).end()  # type: ignore[union-attr]
    return pieces if pieces and pieces[-1].end == end else None


def written_text(text: str, pieces: list[Piece]) -> str:
    """The literal as typed, minus what is not literal text: a plain piece with its prefix and
    quotes, an f-string piece as its raw text parts (replacement fields left out)."""
    out: list[str] = []
    for piece in pieces:
        if piece.is_f:
            out.extend(text[a:b] for index, a, b in piece.parts if index < 0)
        else:
            out.append(text[piece.start:piece.end])
    return "".join(out)


def all_fields(pieces: list[Piece]) -> list[Field]:
    """Every replacement field of the literal, in the order ``ast`` lists FormattedValues."""
    return [f for piece in pieces for f in piece.fields]


def _piece(text: str, position: int, limit: int) -> Piece | None:
    opening = _PIECE_START.match(text, position, limit)
    if opening is None:
        return None
    prefix, quote = opening.group(1).lower(), opening.group(2)
    if any(c not in _PREFIX_LETTERS for c in prefix):
        return None
    body = opening.end()
    if "f" not in prefix:
        closing = _PLAIN_BODY[quote].match(text, body, limit)
        if closing is None:
            return None
        return Piece(position, closing.end(), prefix, ((-1, body, closing.end() - len(quote)),),
                     ())
    fields: list[Field] = []
    scanned = _fstring_body(text, body, limit, quote, "r" in prefix, fields)
    if scanned is None:
        return None
    stop, parts = scanned
    return Piece(position, stop, prefix, tuple(parts), tuple(fields))


def _fstring_body(
    text: str, position: int, limit: int, quote: str, raw: bool, fields: list[Field]
) -> tuple[int, list[tuple[int, int, int]]] | None:
    """Scan an f-string's body from after its opening quote: (offset past the closing quote,
    parts). Appends the fields found to ``fields``."""
    parts: list[tuple[int, int, int]] = []
    text_start = position
    triple = len(quote) == 3
    run = _TEXT_RUN[quote[0]]
    while True:
        position = run.match(text, position, limit).end()  # type: ignore[union-attr]
        if position >= limit:
            return None
        char = text[position]
        if text.startswith(quote, position):
            parts.append((-1, text_start, position))
            return position + len(quote), [p for p in parts if p[0] >= 0 or p[1] < p[2]]
        if char == quote[0]:
            position += 1  # a lone quote inside a triple-quoted string
        elif char == "\\":
            named = None if raw else _NAMED_ESCAPE.match(text, position, limit)
            if named is not None:
                position = named.end()
            elif text.startswith(("\\{", "\\}"), position):
                position += 1  # a backslash does not escape a brace
            else:
                position += 3 if text.startswith("\r\n", position + 1) else 2
        elif char in "\r\n":
            if not triple:
                return None
            position += 1
        elif text.startswith(("{{", "}}"), position):
            position += 2
        elif char == "}":
            return None
        else:  # "{": a replacement field
            parts.append((-1, text_start, position))
            parts.append((len(fields), 0, 0))
            end = _field(text, position + 1, limit, fields)
            if end is None:
                return None
            position = text_start = end


def _field(text: str, position: int, limit: int, fields: list[Field]) -> int | None:
    """Scan a replacement field from after its ``{``; the offset past its ``}``."""
    start = position
    depth = 0
    slot = len(fields)
    fields.append(Field(start, start))
    expression_end: int | None = None
    while True:
        position = _EXPRESSION_RUN.match(text, position, limit).end()  # type: ignore[union-attr]
        if position >= limit:
            return None
        char = text[position]
        if char in "([{":
            depth += 1
            position += 1
        elif char in ")]":
            depth = max(0, depth - 1)
            position += 1
        elif char == "}":
            if depth:
                depth -= 1
                position += 1
                continue
            fields[slot] = Field(start, position if expression_end is None else expression_end)
            return position + 1
        elif char in "'\"":
            skipped = _nested_string(text, position, limit)
            if skipped is None:
                return None
            position = skipped
        elif char == "#":
            newline = re.compile(r"[\r\n]").search(text, position, limit)
            position = newline.start() if newline else limit
        elif char == "\\":
            position += 2
        elif char in "\r\n" or depth:
            position += 1
        elif char == "!" and not text.startswith("!=", position):
            expression_end = position if expression_end is None else expression_end
            position = _CONVERSION.match(text, position, limit).end()  # type: ignore[union-attr]
        elif char == ":":
            expression_end = position if expression_end is None else expression_end
            fields[slot] = Field(start, expression_end)
            return _format_spec(text, position + 1, limit, fields)
        elif char == "=" and not text.startswith("==", position) and \
                text[position - 1] not in "=!<>":
            expression_end = position  # the self-documenting "{x=}"
            position += 1
        else:
            position += 2 if text.startswith(("==", "!="), position) else 1


def _format_spec(text: str, position: int, limit: int, fields: list[Field]) -> int | None:
    """Scan a format spec (literal text and nested fields) up to and past its field's ``}``."""
    while position < limit:
        char = text[position]
        if char == "}":
            return position + 1
        if char == "{":
            end = _field(text, position + 1, limit, fields)
            if end is None:
                return None
            position = end
        else:
            position += 1
    return None


def _nested_string(text: str, position: int, limit: int) -> int | None:
    """Skip a string literal written inside a replacement field; the offset past it."""
    letters = position
    while letters > 0 and (text[letters - 1].isalnum() or text[letters - 1] == "_"):
        letters -= 1
    prefix = text[letters:position]
    if len(prefix) > 2 or any(c not in _PREFIX_LETTERS for c in prefix):
        prefix = ""
    quote = text[position:position + 3]
    if quote not in ("'''", '"""'):
        quote = text[position]
    body = position + len(quote)
    if "f" in prefix.lower():
        scanned = _fstring_body(text, body, limit, quote, "r" in prefix.lower(), [])
        return None if scanned is None else scanned[0]
    closing = _PLAIN_BODY[quote].match(text, body, limit)
    return None if closing is None else closing.end()
