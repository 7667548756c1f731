"""Tiny GGUF files written at test time (no binaries in the repository).

Only the header layout matters to llama-audit: magic, version, tensor count, key/value count,
then typed key/values. ``tensor_bytes`` appends zero bytes standing in for tensor data, or
``sparse_size`` makes the file that large without writing the bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

STRING = 8
ARRAY = 9
UINT32 = 4

Value = str | int | Sequence[str]


def _string(text: str, wide: bool = True) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q" if wide else "<I", len(data)) + data


def gguf_bytes(metadata: Sequence[tuple[str, Value]], *, version: int = 3,
               tensor_count: int = 0) -> bytes:
    wide = version >= 2
    out = bytearray(b"GGUF")
    out += struct.pack("<I", version)
    out += struct.pack("<QQ" if wide else "<II", tensor_count, len(metadata))
    for key, value in metadata:
        out += _string(key, wide)
        if isinstance(value, str):
            out += struct.pack("<I", STRING) + _string(value, wide)
        elif isinstance(value, int):
            out += struct.pack("<II", UINT32, value)
        else:
            out += struct.pack("<II", ARRAY, STRING)
            out += struct.pack("<Q" if wide else "<I", len(value))
            for item in value:
                out += _string(item, wide)
    return bytes(out)


def write_gguf(path: Path, metadata: Sequence[tuple[str, Value]], *, version: int = 3,
               sparse_size: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(gguf_bytes(metadata, version=version))
        if sparse_size is not None:
            handle.truncate(sparse_size)
    return path
