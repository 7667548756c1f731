"""Reading one file for scanning: bytes, binary sniffing, prefilter, decoding.

Never raises for a bad file: every problem becomes a Diagnostic and, where any text can be
recovered (bad bytes replaced), the scan still gets it so no identifier is lost.
"""

from __future__ import annotations

import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from .model import Diagnostic, FileKind
from .scanners.base import SourceFile

SNIFF_BYTES = 8192

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


@dataclass(frozen=True)
class ReadOutcome:
    text: str | None
    """None: nothing to scan (unreadable, binary, or no prefilter term)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    skipped: bool = False
    """True when the file could not be read at all (counts as skipped, not scanned)."""


def read_for_scan(file: SourceFile, prefilter: Callable[[bytes], bool]) -> ReadOutcome:
    try:
        data = file.path.read_bytes()
    except OSError as exc:
        return ReadOutcome(None, (Diagnostic(file.rel, "unreadable",
                                             f"cannot read: {exc.strerror or exc}"),), True)
    encoding = _bom_encoding(data)
    if encoding is None and b"\x00" in data[:SNIFF_BYTES]:
        return ReadOutcome(None, (Diagnostic(file.rel, "binary",
                                             "skipped: binary content (NUL bytes)"),), True)
    if encoding is None and not prefilter(data):
        return ReadOutcome(None)
    text, problem = decode(data, file.kind, encoding)
    diagnostics = () if problem is None else (Diagnostic(file.rel, "decode-error", problem),)
    if encoding is not None and not prefilter(text.encode("utf-8", "replace")):
        return ReadOutcome(None, diagnostics)
    return ReadOutcome(text, diagnostics)


def _bom_encoding(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def decode(data: bytes, kind: FileKind, encoding: str | None) -> tuple[str, str | None]:
    """Text of a file and, if it could not be decoded cleanly, why."""
    if encoding is not None:
        try:
            return _normalise(data.decode(encoding)), None
        except UnicodeDecodeError as exc:
            return _normalise(data.decode(encoding, errors="replace")), (
                f"invalid {encoding} ({exc.reason} at byte {exc.start}); bad bytes replaced")
    if kind in (FileKind.PYTHON, FileKind.MANIFEST) and data[:1] != b"\x00":
        try:
            declared, _ = tokenize.detect_encoding(BytesIO(data).readline)
        except (SyntaxError, LookupError) as exc:
            return _normalise(data.decode("utf-8", errors="replace")), (
                f"bad coding declaration ({exc}); read as UTF-8 with bad bytes replaced")
        try:
            return _normalise(data.decode(declared)), None
        except (UnicodeDecodeError, LookupError) as exc:
            return _normalise(data.decode("utf-8", errors="replace")), (
                f"not valid {declared} ({exc}); bad bytes replaced")
    try:
        return _normalise(data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return _normalise(data.decode("utf-8", errors="replace")), (
            f"not UTF-8 ({exc.reason} at byte {exc.start}); bad bytes replaced")


def _normalise(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


