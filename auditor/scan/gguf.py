"""Reading the key/value header of a GGUF file, and nothing else.

Layout (GGUF v2/v3; v1 used 32-bit lengths and counts): magic ``GGUF``, uint32 version,
uint64 tensor count, uint64 key/value count, then the key/values (a length-prefixed UTF-8
key, a uint32 value type, the value). At most ``max_bytes`` are read; the tensors that follow
the header are never touched, so a 40 GB model costs one small read. Reading stops early once
every wanted key is known, or at the first value that does not fit the budget.
"""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import AuditError, ScanError
from auditor.util.files import read_regular_file

MAGIC = b"GGUF"
_SCALARS: dict[int, str] = {
    0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d",
}
_STRING = 8
_ARRAY = 9
MAX_ARRAY_ITEMS = 50_000_000
MAX_STRING_BYTES = 1 << 30
MAX_NESTING = 3

Scalar = str | int | float | bool


class GgufError(ScanError, ValueError):
    """Not a readable GGUF header; the message says what is wrong and where."""

    code = "gguf-header"


class _Truncated(AuditError):
    """The byte budget ended inside a value."""


@dataclass
class GgufHeader:
    version: int
    tensor_count: int
    kv_count: int
    metadata: dict[str, Scalar] = field(default_factory=dict)
    """Scalar and string values by key (arrays are skipped, not stored)."""
    complete: bool = False
    """Every key/value was read (False: stopped at the wanted keys or the byte budget)."""


def read_gguf_header(path: Path, max_bytes: int, wanted: Collection[str] = ()) -> GgufHeader:
    """Raises ``GgufError`` for a file that is not GGUF or whose header is malformed;
    ``OSError`` when the file cannot be read."""
    data, _ = read_regular_file(path, max_bytes)  # non-blocking, no link, regular only
    return parse_gguf_header(data, wanted)


def parse_gguf_header(data: bytes, wanted: Collection[str] = ()) -> GgufHeader:
    if data[:4] != MAGIC:
        raise GgufError("not a GGUF file (the first bytes are not 'GGUF')")
    if len(data) < 8:
        raise GgufError("GGUF header truncated before the version")
    order = "<"
    (version,) = struct.unpack_from("<I", data, 4)
    if version > 0xFFFF:
        order = ">"
        (version,) = struct.unpack_from(">I", data, 4)
    if version not in (1, 2, 3):
        raise GgufError(f"unsupported GGUF version {version}")
    reader = _Reader(data, 8, order, wide=version >= 2)
    try:
        tensor_count = reader.count()
        kv_count = reader.count()
    except _Truncated as exc:
        raise GgufError("GGUF header truncated before the key/value count") from exc
    header = GgufHeader(version, tensor_count, kv_count)
    remaining = set(wanted)
    for number in range(kv_count):
        try:
            key = reader.string()
            kind = reader.count32()
            value = reader.value(kind, depth=0)
        except _Truncated:
            if number == 0:
                raise GgufError("GGUF header truncated inside the first key/value") from None
            return header
        except (UnicodeDecodeError, struct.error) as exc:
            raise GgufError(f"malformed GGUF key/value #{number + 1}: {exc}") from exc
        if value is not None:
            header.metadata[key] = value
        remaining.discard(key)
        if wanted and not remaining:
            return header
    header.complete = True
    return header


class _Reader:
    def __init__(self, data: bytes, offset: int, order: str, *, wide: bool) -> None:
        self.data = data
        self.offset = offset
        self.order = order
        self.wide = wide

    def unpack(self, fmt: str) -> tuple[Scalar, ...]:
        size = struct.calcsize(self.order + fmt)
        if self.offset + size > len(self.data):
            raise _Truncated
        values: tuple[Scalar, ...] = struct.unpack_from(self.order + fmt, self.data, self.offset)
        self.offset += size
        return values

    def count32(self) -> int:
        (value,) = self.unpack("I")
        assert isinstance(value, int)
        return value

    def count(self) -> int:
        (value,) = self.unpack("Q" if self.wide else "I")
        assert isinstance(value, int)
        return value

    def string(self) -> str:
        length = self.count()
        if length > MAX_STRING_BYTES:
            raise GgufError(f"GGUF string length {length:,} is not plausible")
        end = self.offset + length
        if end > len(self.data):
            raise _Truncated
        text = self.data[self.offset:end].decode("utf-8")
        self.offset = end
        return text

    def value(self, kind: int, depth: int) -> Scalar | None:
        if kind in _SCALARS:
            (value,) = self.unpack(_SCALARS[kind])
            return value
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY and depth < MAX_NESTING:
            item_kind = self.count32()
            count = self.count()
            if count > MAX_ARRAY_ITEMS:
                raise GgufError(f"GGUF array of {count:,} items is not plausible")
            if item_kind in _SCALARS:
                size = struct.calcsize(self.order + _SCALARS[item_kind]) * count
                if self.offset + size > len(self.data):
                    raise _Truncated
                self.offset += size
            else:
                for _ in range(count):
                    self.value(item_kind, depth + 1)
            return None
        raise GgufError(f"unknown GGUF value type {kind} at byte {self.offset}")
