"""Reading one file for scanning: bytes, binary sniffing, prefilter, decoding.

Never raises for a bad file: every problem becomes a Diagnostic and, where any text can be
recovered (bad bytes replaced, stray NUL bytes blanked, UTF-16/32 recognised without a
byte-order mark), the scan still gets it so no identifier is lost. Reads are bounded by the
size discover saw, never block on a pipe that replaced a file, and notice a file that was
deleted, truncated or extended while the scan ran.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, replace
from io import BytesIO

from auditor.types import Diagnostic, FileKind, SourceFile
from auditor.util.files import NotRegularFileError, read_regular_file

SNIFF_BYTES = 8192

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)

_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])
"""Bytes that do not occur in text: C0 controls except tab, newlines, form feed and escape."""

@dataclass(frozen=True)
class ReadOutcome:
    text: str | None
    """None: nothing to scan (unreadable, binary, or no prefilter term)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    skipped: bool = False
    """True when the file could not be read at all (counts as skipped, not scanned)."""


def read_for_scan(file: SourceFile, prefilter: Callable[[bytes], bool]) -> ReadOutcome:
    diagnostics: list[Diagnostic] = []
    try:
        data, size_now = read_regular_file(file.path, file.size)
    except FileNotFoundError:
        return _unreadable(file, "the file was deleted during the scan")
    except NotRegularFileError as exc:
        what = exc.strerror or "not a regular file"
        return _unreadable(file, f"{what} now (replaced during the scan); not read")
    except OSError as exc:
        return _unreadable(file, f"cannot read: {exc.strerror or exc}")
    if size_now > file.size:
        diagnostics.append(Diagnostic(
            file.rel, "changed-during-scan",
            f"grew from {file.size:,} to {size_now:,} bytes during the scan; the first "
            f"{len(data):,} bytes were scanned"))
    elif len(data) < file.size:
        diagnostics.append(Diagnostic(
            file.rel, "changed-during-scan",
            f"shrank from {file.size:,} to {len(data):,} bytes during the scan; what was left "
            "was scanned"))

    encoding, guessed = sniff_encoding(data)
    if encoding is None and b"\x00" in data:
        if looks_binary(data[:SNIFF_BYTES]):
            diagnostics.append(Diagnostic(file.rel, "binary",
                                          "skipped: binary content (NUL bytes)"))
            return ReadOutcome(None, tuple(diagnostics), True)
        count = data.count(b"\x00")
        data = data.replace(b"\x00", b" ")
        diagnostics.append(Diagnostic(
            file.rel, "null-bytes",
            f"{count:,} NUL byte{'s' if count != 1 else ''} in a text file, read as spaces"))
    if encoding is not None and encoding != "utf-8-sig":
        how = "guessed from its zero bytes, no byte-order mark" if guessed else "byte-order mark"
        diagnostics.append(Diagnostic(file.rel, "encoding",
                                      f"read as {encoding.upper()} ({how})"))
    if encoding is None and not prefilter(data):
        return ReadOutcome(None, tuple(diagnostics))
    text, problem = decode(data, file.kind, encoding)
    del data
    if problem is not None:
        diagnostics.append(Diagnostic(file.rel, "decode-error", problem))
    if encoding is not None and not prefilter(text.encode("utf-8", "replace")):
        return ReadOutcome(None, tuple(diagnostics))
    return ReadOutcome(text, tuple(diagnostics))


def _unreadable(file: SourceFile, reason: str) -> ReadOutcome:
    return ReadOutcome(None, (Diagnostic(file.rel, "unreadable", reason),), True)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` names, if there is one."""
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def sniff_encoding(data: bytes) -> tuple[str | None, bool]:
    """(encoding, guessed): from a byte-order mark, else UTF-16/UTF-32 recognised by where
    the zero bytes of mostly-ASCII text fall; (None, False) for everything else."""
    named = bom_encoding(data)
    if named is not None:
        return named, False
    sample = data[:SNIFF_BYTES]
    if len(sample) < 4 or b"\x00" not in sample:
        return None, False
    for name, width, text_at in (("utf-32-le", 4, 0), ("utf-32-be", 4, 3),
                                 ("utf-16-le", 2, 0), ("utf-16-be", 2, 1)):
        usable = sample[: len(sample) - len(sample) % width]
        lanes = [usable[i::width] for i in range(width)]
        zero_share = [lane.count(0) / max(1, len(lane)) for lane in lanes]
        others = [share for i, share in enumerate(zero_share) if i != text_at]
        if zero_share[text_at] <= 0.05 and min(others) >= 0.75 and _mostly_text(usable, name):
            return name, True
    return None, False


def _mostly_text(sample: bytes, encoding: str) -> bool:
    decoded = sample.decode(encoding, errors="replace")
    if not decoded:
        return False
    printable = sum(1 for ch in decoded if ch.isprintable() or ch in "\t\n\r\f")
    return printable >= 0.9 * len(decoded)


def looks_binary(sample: bytes) -> bool:
    """Binary, rather than text with a stray NUL byte or two: more than 5% control bytes, or
    more than 5% of it not UTF-8 (compressed data has both)."""
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 20 > len(sample):
        return True
    decoded = sample.decode("utf-8", errors="replace")
    return decoded.count("\ufffd") * 20 > len(decoded)


def decode(data: bytes, kind: FileKind, encoding: str | None) -> tuple[str, str | None]:
    """Text of a file for scanning and, if it could not be decoded cleanly, why.

    Line endings are normalised to ``\\n`` (CRLF and lone CR count as one line break each, as
    in Python and editors), which keeps every line number and column unchanged. The other
    characters ``str.splitlines`` would break at (form feed, vertical tab, U+0085, U+2028,
    U+2029...) are read as spaces, so every scanner counts lines as git and editors do.
    """
    decoded = decode_bytes(data, encoding,
                           coding_declaration=kind in (FileKind.PYTHON, FileKind.MANIFEST))
    return _normalise(decoded.text), decoded.problem.detail if decoded.problem else None


@dataclass(frozen=True)
class DecodeProblem:
    """Why bytes did not decode cleanly (bad bytes were replaced)."""

    encoding: str
    """What the bytes should have been."""
    detail: str
    """The scan's diagnostic message."""
    declaration: str | None = None
    """The Python coding declaration's problem, when that is the cause."""


@dataclass(frozen=True)
class Decoded:
    """A file's text exactly as written (line breaks untouched, byte-order mark left out) and
    how to write it back: ``bom + text.encode(encoding)`` gives the same bytes."""

    text: str
    encoding: str
    bom: bytes = b""
    problem: DecodeProblem | None = None


def decode_bytes(data: bytes, encoding: str | None = None, *,
                 coding_declaration: bool = False) -> Decoded:
    """The one decoder: ``encoding`` is what ``sniff_encoding`` (or ``bom_encoding``) found;
    without one, a Python coding declaration (when ``coding_declaration``), else UTF-8.
    Never raises: bad bytes are replaced and ``problem`` says why."""
    if encoding is not None:
        bom = next((mark for mark, name in _BOMS if name == encoding and data.startswith(mark)),
                   b"")
        return _decode_as(data, bom, "utf-8" if encoding == "utf-8-sig" else encoding, encoding)
    declaration_problem = None
    if coding_declaration and data[:1] != b"\x00":
        try:
            declared, _ = tokenize.detect_encoding(BytesIO(data).readline)
        except (SyntaxError, LookupError) as exc:
            if not str(exc).startswith("invalid or missing encoding declaration"):
                return Decoded(data.decode("utf-8", errors="replace"), "utf-8", b"", DecodeProblem(
                    "utf-8", f"bad coding declaration ({exc}); read as UTF-8 with bad bytes "
                    "replaced", str(exc)))
            declared = "utf-8"  # no declaration, and the first lines are not UTF-8
            declaration_problem = str(exc)
        if declared not in ("utf-8", "utf-8-sig"):
            try:
                return Decoded(data.decode(declared), declared)
            except UnicodeDecodeError as exc:
                return Decoded(data.decode("utf-8", errors="replace"), "utf-8", b"",
                               DecodeProblem(declared, (
                                   f"not valid {declared} as declared ({exc.reason} at byte "
                                   f"{exc.start}); read as UTF-8 with bad bytes replaced")))
    decoded = _decode_as(data, b"", "utf-8", None)
    if decoded.problem is not None and declaration_problem is not None:
        return replace(decoded, problem=replace(decoded.problem,
                                                declaration=declaration_problem))
    return decoded


def _decode_as(data: bytes, bom: bytes, codec: str, sniffed: str | None) -> Decoded:
    try:
        return Decoded(data[len(bom):].decode(codec), codec, bom)
    except UnicodeDecodeError as exc:
        text = data[len(bom):].decode(codec, errors="replace")
        if sniffed is None:
            detail = f"not UTF-8 ({exc.reason} at byte {exc.start}); bad bytes replaced"
        else:
            whole = _decode_error(data, sniffed) or exc  # offsets as in the whole file
            detail = (f"invalid {sniffed} ({whole.reason} at byte {whole.start}); bad bytes "
                      "replaced")
        return Decoded(text, codec, bom, DecodeProblem(codec, detail))


def _decode_error(data: bytes, encoding: str) -> UnicodeDecodeError | None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc
    return None


_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Characters ``str.splitlines`` breaks lines at but Python, git and terminals do not."""


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _OTHER_BREAKS.search(text):  # ~20x faster than ``str.translate`` (transformers)
        text = _OTHER_BREAKS.sub(" ", text)
    return text
