"""The hostile-input corpus, generated at test time (nothing here is a committed blob).

Every kind of bad input lives in its own directory ``<kind>/`` of one tree, next to ``good/``:
files with known findings that must come out identical whatever else is in the tree. Each
kind states exactly which diagnostics (path, code) and which findings (path, rule, line,
column) its own files give: a kind whose files still name a Llama model keeps that finding.

Some kinds cannot be files alone, because the tests run as root (chmod does not stop root)
or because they happen during the scan: those carry a ``patch`` that makes the scan see the
failure in-process (``os.scandir``/``os.open`` raising PermissionError for one path, the
reader deleting or truncating a file just before reading it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LLAMA_ID = "meta-llama/Llama-3.1-8B-Instruct"
OLLAMA_TAG = "llama3.1:8b"

Row = tuple[str, str, int, int]
"""A finding as the corpus states it: (path, rule id, line, column)."""

Patch = Callable[[pytest.MonkeyPatch, Path], None]


@dataclass(frozen=True)
class Kind:
    name: str
    what: str
    """One line: the bad input (the docs list these)."""
    build: Callable[[Path], None]
    """Writes the kind's files under ``<root>/<name>/``."""
    diagnostics: frozenset[tuple[str, str]]
    """Exactly the (path, code) diagnostics of its files."""
    findings: frozenset[Row] = frozenset()
    """Exactly the findings of its files (what survives the bad input)."""
    patch: Patch | None = None
    heavy: bool = False
    """Built and checked by its own test (memory measured in a subprocess), not the corpus."""
    extra_roots: tuple[str, ...] = field(default=())
    """Roots (relative to the corpus root) the corpus scan adds for this kind."""


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# -- good files -------------------------------------------------------------------------------

GOOD_MODULES = 64
"""Enough modules for the engine to use its process pool with ``--jobs 2``."""

GOOD_APP = f'''"""A small service that loads Llama."""
from transformers import AutoModelForCausalLM

MODEL_ID = "{LLAMA_ID}"


def load():
    return AutoModelForCausalLM.from_pretrained(MODEL_ID)
'''


def build_good(root: Path) -> None:
    write(root / "good" / "app.py", GOOD_APP)
    for index in range(GOOD_MODULES):
        write(root / "good" / "pkg" / f"mod_{index:02d}.py",
              f'# generated module {index}\nOLLAMA_MODEL = "{OLLAMA_TAG}"\n')


GOOD_FINDINGS: frozenset[Row] = frozenset(
    {("good/app.py", "LA101", 4, 12), ("good/app.py", "LA102", 8, 12)}
    | {(f"good/pkg/mod_{i:02d}.py", "LA101", 2, 16) for i in range(GOOD_MODULES)}
)


# -- kinds ------------------------------------------------------------------------------------

def _py(name: str, text: str | bytes) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        write(root / name, text)
    return build


def _files(files: dict[str, str | bytes]) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        for rel, data in files.items():
            write(root / rel, data)
    return build


MODEL_LINE = f'MODEL = "{LLAMA_ID}"\n'
"""A line whose finding every kind below tries to keep: LA101 at column 9 (the literal)."""


def _utf(encoding: str, bom: bool) -> bytes:
    text = "# -- kept --\n" + MODEL_LINE
    data = text.encode(encoding)
    boms = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
            "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}
    return (boms[encoding] if bom else b"") + data


def _deep_brackets(root: Path) -> None:
    depth = 10_000
    write(root / "deep-brackets" / "nested.py",
          MODEL_LINE + "x = " + "(" * depth + "1" + ")" * depth + "\n")


def _deep_operators(root: Path) -> None:
    write(root / "deep-operators" / "chain.py",
          MODEL_LINE + "x = " + " + ".join(["1"] * 10_000) + "\n")


HUGE_FILE_BYTES = 100 * 1024 * 1024
LONG_LINE_BYTES = 10 * 1024 * 1024


def huge_python(path: Path, size: int = HUGE_FILE_BYTES) -> int:
    """A real ~``size``-byte Python module (generated code) that names Llama on its first and
    last lines; returns its number of lines. Written in 1 MB chunks: fast."""
    line = "VALUE_{:07d} = {{'id': {:d}, 'name': 'item', 'tags': ['a', 'b', 'c']}}\n"
    lines = [MODEL_LINE]
    written = len(MODEL_LINE)
    count = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="ascii") as handle:
        handle.write(MODEL_LINE)
        chunk: list[str] = []
        chunk_size = 0
        while written + chunk_size < size - 100:
            text = line.format(count, count)
            chunk.append(text)
            chunk_size += len(text)
            count += 1
            if chunk_size >= 1 << 20:
                handle.write("".join(chunk))
                written += chunk_size
                chunk, chunk_size = [], 0
        handle.write("".join(chunk))
        handle.write(f'LAST = "{OLLAMA_TAG}"\n')
    del lines
    return count + 1


def long_line_python(path: Path, size: int = LONG_LINE_BYTES) -> None:
    """One ~``size``-byte line of generated data that ends by naming Llama."""
    path.parent.mkdir(parents=True, exist_ok=True)
    item = "1234567, "
    with path.open("w", encoding="ascii") as handle:
        handle.write("DATA = [")
        handle.write(item * (size // len(item)))
        handle.write(f']; MODEL = "{OLLAMA_TAG}"\n')


def long_line_column(size: int = LONG_LINE_BYTES) -> int:
    """Column where the Ollama tag starts in ``long_line_python``'s line (1-based)."""
    item = "1234567, "
    return len("DATA = [") + len(item) * (size // len(item)) + len(']; MODEL = "') + 1


def _huge(root: Path) -> None:
    huge_python(root / "huge" / "generated.py")


def _long_line(root: Path) -> None:
    long_line_python(root / "long-line" / "minified.py")


def _symlinks(root: Path) -> None:
    base = root / "symlinks"
    write(base / "real" / "inside.py", MODEL_LINE)
    outside = root.parent / f"{root.name}-outside"
    write(outside / "secret.py", MODEL_LINE)
    os.symlink("loop-b", base / "loop-a")
    os.symlink("loop-a", base / "loop-b")
    os.symlink("..", base / "real" / "up")
    os.symlink("/", base / "to-root")
    os.symlink(outside, base / "outside")
    os.symlink("missing-target", base / "dangling")
    os.symlink("real", base / "alias")  # a second way to the same directory


def _gitignore(root: Path) -> None:
    base = root / "gitignore"
    lines = [
        "ignored.py",                  # 1: applied
        "*a*a*a*a*a*b",                # 2: five stars: not applied
        "\\",                          # 3: invalid
        "[z-a]",                       # 4: invalid range
        "x" * 5000,                    # 5: too long
        "**/build-output/",            # 6: applied
    ]
    write(base / ".gitignore", "\n".join(lines) + "\n")
    write(base / "ignored.py", MODEL_LINE)
    write(base / "build-output" / "gen.py", MODEL_LINE)
    write(base / ("a" * 200 + ".py"), MODEL_LINE)
    many = ["# thousands of patterns"] + [f"generated_{i}.py" for i in range(2500)]
    write(base / "huge" / ".gitignore", "\n".join(many) + "\n")
    write(base / "huge" / "generated_1.py", MODEL_LINE)
    write(base / "huge" / "generated_2499.py", MODEL_LINE)


def _odd_names(root: Path) -> None:
    base = root / "odd-names"
    write(base / "with space.py", MODEL_LINE)
    write(base / "new\nline.py", MODEL_LINE)
    raw_dir = os.fsencode(base)
    fd = os.open(raw_dir + b"/caf\xe9-\xff.py", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, MODEL_LINE.encode())
    os.close(fd)
    write(base / "esc\x1b[31mred.py", MODEL_LINE)


def _special(root: Path) -> None:
    base = root / "special"
    base.mkdir(parents=True, exist_ok=True)
    os.mkfifo(base / "pipe.py")


def _deep_dirs(root: Path) -> None:
    path = os.fspath(root / "deep-dirs")
    os.mkdir(path)
    for _ in range(1200):  # one mkdir at a time: makedirs itself recurses per level
        path += "/d"
        os.mkdir(path)
    with open(path + "/bottom.py", "w", encoding="utf-8") as handle:
        handle.write(MODEL_LINE)


DEEP_DIRS_FILE = "deep-dirs/" + "d/" * 1200 + "bottom.py"


def remove_deep_dirs(root: Path) -> None:
    """Delete the deep-dirs tree bottom-up without recursion (``shutil.rmtree`` and pytest's
    own clean-up of old temporary directories recurse once per level and would fail)."""
    top = os.fspath(root / "deep-dirs")
    if not os.path.isdir(top):
        return
    path = top
    while True:
        names = os.listdir(path)
        subdirs = [n for n in names if os.path.isdir(f"{path}/{n}")]
        for name in names:
            if name not in subdirs:
                os.unlink(f"{path}/{name}")
        if subdirs:
            path = f"{path}/{subdirs[0]}"
            continue
        os.rmdir(path)
        if path == top:
            return
        path = os.path.dirname(path)


# -- kinds that need the scan to see a failure in-process ----------------------------------

def _deny_directory(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    denied = os.fspath(root / "denied-dir" / "locked")
    real = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if os.fspath(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def _deny_file(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    denied = os.fspath(root / "denied-file" / "secret.py")
    real = os.open

    def open_(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: object) -> int:
        if os.fspath(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", open_)


def _during_read(name: str, change: Callable[[Path], None]) -> Patch:
    """Patch the engine's reader so that ``change`` hits the file just before it is read."""

    def patch(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
        import auditor.scan.runner as engine

        real = engine.read_for_scan
        target = root / name

        def read_for_scan(file, prefilter):  # type: ignore[no-untyped-def]
            if file.path == target and target.exists():
                change(target)
            return real(file, prefilter)

        monkeypatch.setattr(engine, "read_for_scan", read_for_scan)

    return patch


def _truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _combine(*patches: Patch) -> Patch:
    def patch(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
        for each in patches:
            each(monkeypatch, root)
    return patch


TRUNCATED_TEXT = MODEL_LINE + "# " + "padding " * 40 + "\n" + f'LATE = "{OLLAMA_TAG}"\n'


def _notebook(cells: object) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


YAML_BOMB = "\n".join(
    ["model: meta-llama/Llama-3.1-8B-Instruct", 'a0: &a0 ["llama", "llama", "llama"]']
    + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
       for i in range(1, 10)]
) + "\n"


KINDS: tuple[Kind, ...] = (
    Kind("python2", "Python 2 source (print statement, old except syntax)",
         _py("python2/legacy.py", 'print "loading"\n' + MODEL_LINE
             + "try:\n    pass\nexcept Exception, e:\n    pass\n"),
         frozenset({("python2/legacy.py", "parse-error")}),
         frozenset({("python2/legacy.py", "LA101", 2, 10)})),
    Kind("syntax-error", "a Python syntax error",
         _py("syntax-error/broken.py", MODEL_LINE + "def broken(:\n    return 1\n"),
         frozenset({("syntax-error/broken.py", "parse-error")}),
         frozenset({("syntax-error/broken.py", "LA101", 1, 10)})),
    Kind("null-bytes", "stray NUL bytes in a Python file",
         _py("null-bytes/nul.py", b"x = 1\x00\n" + MODEL_LINE.encode() + b"# \x00 end\n"),
         frozenset({("null-bytes/nul.py", "null-bytes")}),
         frozenset({("null-bytes/nul.py", "LA101", 2, 9)})),
    Kind("invalid-utf8", "bytes that are not UTF-8",
         _py("invalid-utf8/bad.py", b"# caf\xe9 \xff\xfe\n" + MODEL_LINE.encode()),
         frozenset({("invalid-utf8/bad.py", "decode-error")}),
         frozenset({("invalid-utf8/bad.py", "LA101", 2, 9)})),
    Kind("utf16-bom", "UTF-16 with a byte-order mark",
         _files({"utf16-bom/le.py": _utf("utf-16-le", True),
                 "utf16-bom/be.py": _utf("utf-16-be", True)}),
         frozenset({("utf16-bom/le.py", "encoding"), ("utf16-bom/be.py", "encoding")}),
         frozenset({("utf16-bom/le.py", "LA101", 2, 9), ("utf16-bom/be.py", "LA101", 2, 9)})),
    Kind("utf16-no-bom", "UTF-16 without a byte-order mark",
         _files({"utf16-no-bom/le.py": _utf("utf-16-le", False),
                 "utf16-no-bom/be.py": _utf("utf-16-be", False)}),
         frozenset({("utf16-no-bom/le.py", "encoding"), ("utf16-no-bom/be.py", "encoding")}),
         frozenset({("utf16-no-bom/le.py", "LA101", 2, 9),
                    ("utf16-no-bom/be.py", "LA101", 2, 9)})),
    Kind("utf32-bom", "UTF-32 with a byte-order mark",
         _files({"utf32-bom/le.py": _utf("utf-32-le", True),
                 "utf32-bom/be.py": _utf("utf-32-be", True)}),
         frozenset({("utf32-bom/le.py", "encoding"), ("utf32-bom/be.py", "encoding")}),
         frozenset({("utf32-bom/le.py", "LA101", 2, 9), ("utf32-bom/be.py", "LA101", 2, 9)})),
    Kind("utf32-no-bom", "UTF-32 without a byte-order mark",
         _files({"utf32-no-bom/le.py": _utf("utf-32-le", False),
                 "utf32-no-bom/be.py": _utf("utf-32-be", False)}),
         frozenset({("utf32-no-bom/le.py", "encoding"), ("utf32-no-bom/be.py", "encoding")}),
         frozenset({("utf32-no-bom/le.py", "LA101", 2, 9),
                    ("utf32-no-bom/be.py", "LA101", 2, 9)})),
    Kind("coding-cookie", "PEP 263 coding cookies: latin-1 (valid), a wrong one, an unknown one",
         _files({
             "coding-cookie/latin1.py": b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n"
                                        + MODEL_LINE.encode(),
             "coding-cookie/wrong.py": b"# coding: ascii\nNAME = 'caf\xc3\xa9'\n"
                                       + MODEL_LINE.encode(),
             "coding-cookie/unknown.py": b"# coding: klingon\n" + MODEL_LINE.encode(),
         }),
         frozenset({("coding-cookie/wrong.py", "decode-error"),
                    ("coding-cookie/unknown.py", "decode-error")}),
         frozenset({("coding-cookie/latin1.py", "LA101", 3, 9),
                    ("coding-cookie/wrong.py", "LA101", 3, 9),
                    ("coding-cookie/unknown.py", "LA101", 2, 9)})),
    Kind("line-endings", "CRLF and lone-CR line endings (valid: exact positions, no diagnostic)",
         _files({"line-endings/crlf.py": ("# crlf\n\n" + MODEL_LINE).replace("\n", "\r\n"),
                 "line-endings/cr.py": "# cr\r\r" + MODEL_LINE.replace("\n", "\r")}),
         frozenset(),
         frozenset({("line-endings/crlf.py", "LA101", 3, 9),
                    ("line-endings/cr.py", "LA101", 3, 9)})),
    Kind("huge-file", "a 100 MB Python file (over the default 5 MB cap)",
         _huge, frozenset({("huge/generated.py", "too-large")})),
    Kind("long-line", "a single 10 MB line (over the default 5 MB cap)",
         _long_line, frozenset({("long-line/minified.py", "too-large")})),
    Kind("deep-brackets", "10,000 nested brackets (libcst overflows its stack on 3,000)",
         _deep_brackets, frozenset({("deep-brackets/nested.py", "too-deep")}),
         frozenset({("deep-brackets/nested.py", "LA101", 1, 10)})),
    Kind("deep-operators", "10,000 chained operators (deeper than Python itself builds)",
         _deep_operators, frozenset({("deep-operators/chain.py", "too-deep")}),
         frozenset({("deep-operators/chain.py", "LA101", 1, 10)})),
    Kind("binary-named-text", "binary blobs named .py, .ipynb and .toml",
         _files({"binary/blob.py": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8
                                   + b"llama3.1:8b\x00",
                 "binary/notebook.ipynb": b"PK\x03\x04\x14\x00\x00\x00llama\x00" * 40,
                 "binary/pyproject.toml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR llama" * 40}),
         frozenset({("binary/blob.py", "binary"), ("binary/notebook.ipynb", "binary"),
                    ("binary/pyproject.toml", "binary")})),
    Kind("empty-files", "empty files of every scanned kind (only the empty lockfile is reported, "
         "as cut short)",
         _files({"empty/empty.py": "", "empty/empty.ipynb": "", "empty/pyproject.toml": "",
                 "empty/requirements.txt": "", "empty/poetry.lock": "",
                 "empty/config.yaml": "", "empty/Dockerfile": ""}),
         frozenset({("empty/poetry.lock", "incomplete-lockfile")})),
    Kind("broken-toml", "a pyproject.toml that is not TOML",
         _py("broken-toml/pyproject.toml",
             '[project]\nname = "x"\ndependencies = ["llama-models>=0.1"\n[tool.x\n'),
         frozenset({("broken-toml/pyproject.toml", "invalid-toml")}),
         frozenset({("broken-toml/pyproject.toml", "LA201", 3, 18)})),  # read line by line
    Kind("broken-yaml", "YAML that does not parse",
         _py("broken-yaml/config.yaml",
             f"model: {LLAMA_ID}\nlist: [unclosed\n  key: : value\n"),
         frozenset({("broken-yaml/config.yaml", "parse-error")}),
         frozenset({("broken-yaml/config.yaml", "LA301", 1, 8)})),
    Kind("yaml-bomb", "a YAML bomb of nested aliases (billions of nodes when expanded)",
         _py("yaml-bomb/config.yaml", YAML_BOMB),
         frozenset({("yaml-bomb/config.yaml", "yaml-alias-bomb")}),
         frozenset({("yaml-bomb/config.yaml", "LA301", 1, 8)})),
    Kind("broken-json", "JSON that does not parse",
         _py("broken-json/settings.json", '{"model": "' + LLAMA_ID + '", "x": [1, 2,,]\n'),
         frozenset({("broken-json/settings.json", "parse-error")}),
         frozenset({("broken-json/settings.json", "LA301", 1, 12)})),
    Kind("broken-notebook", "notebooks that are not JSON or not notebooks",
         _files({"broken-notebook/truncated.ipynb": '{"cells": [{"cell_type": "code", "source": '
                                                    f'["m = \\"{LLAMA_ID}\\""',
                 "broken-notebook/wrong-shape.ipynb": _notebook("llama " * 3)}),
         frozenset({("broken-notebook/truncated.ipynb", "parse-error"),
                    ("broken-notebook/wrong-shape.ipynb", "parse-error")}),
         frozenset({("broken-notebook/truncated.ipynb", "LA101", 1, 52)})),
    Kind("broken-lockfile", "lockfiles that are not TOML or JSON",
         _files({"broken-lockfile/poetry.lock": '[[package]]\nname = "llama-models"\nversion =\n',
                 "broken-lockfile/Pipfile.lock": '{"default": {"llama-models": {"version": '}),
         frozenset({("broken-lockfile/poetry.lock", "invalid-toml"),
                    ("broken-lockfile/Pipfile.lock", "invalid-json")}),
         frozenset({("broken-lockfile/poetry.lock", "LA201", 2, 9),  # read line by line
                    ("broken-lockfile/Pipfile.lock", "LA201", 1, 15)})),
    Kind("broken-requirements", "requirements lines that are not requirements",
         _py("broken-requirements/requirements.txt",
             "llama-models==0.1.0\n===not a requirement===\nfoo[bar\n-e\n--hash=sha256:zz\n"),
         frozenset({("broken-requirements/requirements.txt", "invalid-requirement")}),
         frozenset({("broken-requirements/requirements.txt", "LA201", 1, 1)})),
    Kind("requirements-self-include", "a requirements file that -r includes itself, and a cycle",
         _files({"self-include/requirements.txt": "-r requirements.txt\nllama-models==0.1.0\n",
                 "self-include/requirements-a.txt": "-r requirements-b.txt\nllama-stack\n",
                 "self-include/requirements-b.txt": "-r requirements-a.txt\n"}),
         frozenset({("self-include/requirements.txt", "include-cycle"),
                    ("self-include/requirements-a.txt", "include-cycle"),
                    ("self-include/requirements-b.txt", "include-cycle")}),
         frozenset({("self-include/requirements.txt", "LA201", 2, 1),
                    ("self-include/requirements-a.txt", "LA202", 2, 1)})),
    Kind("symlinks", "symlink loops, links to / and outside the root, dangling links",
         _symlinks,
         frozenset({("symlinks/loop-a", "symlink"), ("symlinks/loop-b", "symlink"),
                    ("symlinks/alias", "symlink"),
                    ("symlinks/real/up", "symlink"), ("symlinks/to-root", "symlink"),
                    ("symlinks/outside", "symlink"), ("symlinks/dangling", "symlink")}),
         frozenset({("symlinks/real/inside.py", "LA101", 1, 9)})),
    Kind("special-file", "a named pipe called .py (reading it would block forever)",
         _special, frozenset({("special/pipe.py", "unreadable")})),
    Kind("permission-denied-dir", "a directory that cannot be listed (PermissionError)",
         _files({"denied-dir/locked/hidden.py": MODEL_LINE, "denied-dir/open.py": MODEL_LINE}),
         frozenset({("denied-dir/locked", "unreadable")}),
         frozenset({("denied-dir/open.py", "LA101", 1, 9)}),
         patch=_deny_directory),
    Kind("permission-denied-file", "a file that cannot be opened (PermissionError)",
         _files({"denied-file/secret.py": MODEL_LINE}),
         frozenset({("denied-file/secret.py", "unreadable")}),
         patch=_deny_file),
    Kind("deleted-mid-scan", "a file deleted after discovery, before reading",
         _files({"deleted-mid-scan/deleted.py": MODEL_LINE}),
         frozenset({("deleted-mid-scan/deleted.py", "unreadable")}),
         patch=_during_read("deleted-mid-scan/deleted.py", Path.unlink)),
    Kind("truncated-mid-scan", "a file truncated to half after discovery, before reading",
         _files({"truncated-mid-scan/truncated.py": TRUNCATED_TEXT}),
         frozenset({("truncated-mid-scan/truncated.py", "changed-during-scan")}),
         frozenset({("truncated-mid-scan/truncated.py", "LA101", 1, 9)}),
         patch=_during_read("truncated-mid-scan/truncated.py", _truncate_half)),
    Kind("missing-path", "a scan root that does not exist",
         lambda root: None, frozenset({(".", "unreadable")}),
         extra_roots=("does-not-exist",)),
    Kind("root-symlink-loop", "a scan root that is a symlink loop",
         lambda root: None, frozenset({(".", "unreadable")}),
         extra_roots=("symlinks/loop-a",)),
    Kind("odd-names", "file names with spaces, a newline, an escape sequence, non-UTF-8 bytes",
         _odd_names,
         frozenset({("odd-names/new\ufffdline.py", "odd-path"),
                    ("odd-names/caf\ufffd-\ufffd.py", "odd-path"),
                    ("odd-names/esc\ufffd[31mred.py", "odd-path")}),
         frozenset({("odd-names/with space.py", "LA101", 1, 9),
                    ("odd-names/new\ufffdline.py", "LA101", 1, 9),
                    ("odd-names/caf\ufffd-\ufffd.py", "LA101", 1, 9),
                    ("odd-names/esc\ufffd[31mred.py", "LA101", 1, 9)})),
    Kind("pathological-gitignore",
         ".gitignore lines that are invalid, too long, catastrophic to match, or too many",
         _gitignore,
         frozenset({("gitignore/.gitignore", "bad-gitignore"),
                    ("gitignore/huge/.gitignore", "bad-gitignore")}),
         frozenset({("gitignore/" + "a" * 200 + ".py", "LA101", 1, 9),
                    ("gitignore/huge/generated_2499.py", "LA101", 1, 9)})),
    Kind("deep-directories", "1,200 nested directories (no recursion limit in the walk)",
         _deep_dirs, frozenset(), frozenset({(DEEP_DIRS_FILE, "LA101", 1, 9)})),
    Kind("many-empty-files", "100,000 empty files", lambda root: None, frozenset(),
         heavy=True),
)

# -- issue 16: hostile input that used to lose findings, hang, exhaust memory or leak --------

MANY_FINDINGS = 1500
"""Lines naming Llama in one file: past the 1,000-finding cap per file."""


def _many_findings(root: Path) -> None:
    write(root / "many-findings" / "generated.py", MODEL_LINE * MANY_FINDINGS)


def _json_many_values(root: Path) -> None:
    """Over a million JSON values (2 MB, under the size cap): not parsed, line-scanned."""
    write(root / "json-many-values" / "data.json",
          '{"model": "' + LLAMA_ID + '", "v": [' + ",".join(["1"] * 1_000_001) + "]}\n")


def _json_long_string(root: Path) -> None:
    """A 4 MB single JSON string (its pattern used to take ~500 MB per 4 MB)."""
    write(root / "json-long-string" / "config.json",
          '{"model": "' + LLAMA_ID + '", "blob": "' + "A" * (4 << 20) + '"}\n')


def _symlinked_gitignore(root: Path) -> None:
    base = root / "gitignore-link"
    outside = root.parent / f"{root.name}-outside-ignore"
    write(outside / "ignore", "SECRET-IGNORE-LINE-*.py\n")
    write(base / "SECRET-IGNORE-LINE-1.py", MODEL_LINE)
    base.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "ignore", base / ".gitignore")


def _outside_file(root: Path) -> Path:
    outside = root.parent / f"{root.name}-outside-secret.py"
    write(outside, f'SECRET_OUTSIDE = "{LLAMA_ID}"  # OUTSIDE-CONTENT\n')
    return outside


def _swap_for_link(path: Path) -> None:
    target = _outside_file(path.parents[1])
    path.unlink()
    os.symlink(target, path)


def _swap_for_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _during_gguf_read(name: str, change: Callable[[Path], None]) -> Patch:
    """Patch the GGUF header reader so that ``change`` hits the file just before it opens."""

    def patch(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
        import auditor.scan.artefacts as artefacts

        real = artefacts.read_gguf_header
        target = root / name

        def read_gguf_header(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if path == target and not path.is_fifo():
                change(target)
            return real(path, *args, **kwargs)

        monkeypatch.setattr(artefacts, "read_gguf_header", read_gguf_header)

    return patch


def _gguf(root: Path) -> None:
    write(root / "gguf-swapped" / "Llama-3.1-8B-Instruct-Q4_K_M.gguf",
          b"GGUF\x03\x00\x00\x00" + bytes(16))


def _globstar_gitignore(root: Path) -> None:
    base = root / "globstar"
    write(base / ".gitignore", "/".join(["a/**"] * 6) + "/nomatch\n**/out/**\n")
    path = os.fspath(base)
    for _ in range(300):  # a deep path for the pattern to chew on
        path += "/a"
        os.mkdir(path)
    with open(path + "/x.py", "w", encoding="utf-8") as handle:
        handle.write(MODEL_LINE)
    write(base / "out" / "skipped.py", MODEL_LINE)


GLOBSTAR_FILE = "globstar/" + "a/" * 300 + "x.py"

HUGE_INT = "9" * 4301

ISSUE16_KINDS: tuple[Kind, ...] = (
    Kind("huge-int-json", "a 4,301-digit integer in a JSON config and a JSON lockfile",
         _files({"huge-int/config.json": '{"model": "' + LLAMA_ID + '", "n": ' + HUGE_INT
                 + "}\n",
                 "huge-int/Pipfile.lock": '{"_meta": {"hash": {"sha256": "x"}}, "default": '
                 '{"llama-models": {"version": "==0.1"}}, "n": ' + HUGE_INT + "}\n"}),
         frozenset(),
         frozenset({("huge-int/config.json", "LA301", 1, 12),
                    ("huge-int/Pipfile.lock", "LA201", 1, 51)})),
    Kind("notebook-bad-cells", "a notebook whose cells are strings or have an integer cell_type",
         _py("bad-cells/nb.ipynb", _notebook([
             "just a string",
             {"cell_type": 3, "metadata": {}, "source": "x = 1"},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": [MODEL_LINE]}])),
         frozenset({("bad-cells/nb.ipynb", "invalid-cell")}),
         frozenset({("bad-cells/nb.ipynb", "LA101", 1, 180)})),
    Kind("many-findings", f"{MANY_FINDINGS:,} findings in one file (capped at 1,000)",
         _many_findings, frozenset({("many-findings/generated.py", "too-many-findings")}),
         frozenset({("many-findings/generated.py", "LA101", line, 9)
                    for line in range(1, 1001)})),
    Kind("json-many-values", "a JSON document of over a million values",
         _json_many_values, frozenset({("json-many-values/data.json", "parse-error")}),
         frozenset({("json-many-values/data.json", "LA301", 1, 12)})),
    Kind("json-long-string", "a 4 MB single JSON string",
         _json_long_string, frozenset(),
         frozenset({("json-long-string/config.json", "LA301", 1, 12)})),
    Kind("bidi-names", "a file name with U+202E RIGHT-TO-LEFT OVERRIDE and U+2066",
         _files({"bidi-names/evil\u202etxt.py": MODEL_LINE,
                 "bidi-names/iso\u2066late.py": MODEL_LINE}),
         frozenset({("bidi-names/evil\ufffdtxt.py", "odd-path"),
                    ("bidi-names/iso\ufffdlate.py", "odd-path")}),
         frozenset({("bidi-names/evil\ufffdtxt.py", "LA101", 1, 9),
                    ("bidi-names/iso\ufffdlate.py", "LA101", 1, 9)})),
    Kind("gitignore-symlink", "a .gitignore that is a symlink out of the root (not read)",
         _symlinked_gitignore, frozenset({("gitignore-link/.gitignore", "symlink")}),
         frozenset({("gitignore-link/SECRET-IGNORE-LINE-1.py", "LA101", 1, 9)})),
    Kind("gitignore-globstar", "a .gitignore line with six '**' against a 300-level path",
         _globstar_gitignore, frozenset({("globstar/.gitignore", "bad-gitignore")}),
         frozenset({(GLOBSTAR_FILE, "LA101", 1, 9)})),
    Kind("swapped-for-symlink", "a file swapped for a link to an outside file before reading",
         _files({"swapped-link/app.py": MODEL_LINE}),
         frozenset({("swapped-link/app.py", "unreadable")}),
         patch=_during_read("swapped-link/app.py", _swap_for_link)),
    Kind("swapped-for-fifo", "a file swapped for a named pipe before reading",
         _files({"swapped-fifo/app.py": MODEL_LINE}),
         frozenset({("swapped-fifo/app.py", "unreadable")}),
         patch=_during_read("swapped-fifo/app.py", _swap_for_fifo)),
    Kind("gguf-swapped-for-fifo", "a GGUF file swapped for a named pipe before its header read",
         _gguf, frozenset({("gguf-swapped/Llama-3.1-8B-Instruct-Q4_K_M.gguf", "unreadable")}),
         frozenset({("gguf-swapped/Llama-3.1-8B-Instruct-Q4_K_M.gguf", "LA405", 1, 1)}),
         patch=_during_gguf_read("gguf-swapped/Llama-3.1-8B-Instruct-Q4_K_M.gguf",
                                 _swap_for_fifo)),
)

KINDS = KINDS + ISSUE16_KINDS

PATCHED = _combine(*(k.patch for k in KINDS if k.patch is not None))


def kind(name: str) -> Kind:
    return next(k for k in KINDS if k.name == name)


def build_corpus(root: Path, *, with_bad: bool = True) -> Path:
    """The corpus tree: ``good/`` and, unless ``with_bad`` is False, every non-heavy kind."""
    root.mkdir(parents=True, exist_ok=True)
    build_good(root)
    if with_bad:
        for each in KINDS:
            if not each.heavy:
                each.build(root)
    return root


def corpus_roots(root: Path) -> list[Path]:
    return [root, *(root / extra for k in KINDS for extra in k.extra_roots)]


def directory_of(each: Kind) -> str:
    """The one top-level directory holding a kind's files."""
    paths = [p for p, _ in each.diagnostics] + [row[0] for row in each.findings]
    tops = {p.split("/", 1)[0] for p in paths if p != "."}
    if len(tops) > 1:
        raise ValueError(f"kind {each.name} spreads over {sorted(tops)}")
    return next(iter(tops), each.name)


def make_many_empty_files(directory: Path, count: int = 100_000) -> None:
    """``count`` empty .py files, 1,000 per subdirectory. Each subdirectory's files are hard
    links to one empty file: to the scan they are ordinary empty files, and linking is ~30x
    faster than creating inodes (seconds instead of most of a minute on a slow CI disk)."""
    per_dir = 1000
    for start in range(0, count, per_dir):
        base = os.fspath(directory / f"d{start // per_dir:03d}")
        os.makedirs(base, exist_ok=True)
        first = f"{base}/e{start:06d}.py"
        os.close(os.open(first, os.O_WRONLY | os.O_CREAT, 0o644))
        for index in range(start + 1, min(count, start + per_dir)):
            os.link(first, f"{base}/e{index:06d}.py")
