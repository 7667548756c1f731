"""Packages installed by a shell command: ``RUN pip install llama-cpp-python==0.3.2`` in a
Dockerfile, a shell script or a Makefile recipe.

The arguments of ``pip install`` (also ``python -m pip``, ``uv pip``) are read as pip reads
them: options and their values are skipped, ``-r file`` is left to the requirements scanner,
and every remaining argument is a requirement looked up in the same package table as the
manifests. Nothing is run; shell variables are not expanded (an argument using one is skipped).
"""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.scan.deps.declarations import Declaration
from auditor.scan.deps.requirement_spec import RequirementError, read_requirement
from auditor.types import Span

_INSTALL = re.compile(
    r"(?:^|[\s;&|(`])(?:(?:python[\d.]*|py)\s+-m\s+pip|pip[\d.]*|uv\s+pip)\s+install(?=\s|$)")
_ARGUMENT = re.compile(r"\S+")
_END = frozenset({"&&", "||", ";", "|", ")", "\\", ">", ">>", "2>&1"})
_VALUE_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy",
    "--progress-bar", "--cache-dir", "--src", "--trusted-host", "--proxy", "--retries",
    "--timeout", "--log", "--config-settings", "-C", "--global-option", "--no-binary",
    "--only-binary", "--report", "--python",
})
"""Options whose value is the next argument (``-e`` too: an editable path is not a package
name the table knows)."""


def install_declarations(code: str, line: int, manifest: str,
                         context: str) -> list[Declaration]:
    """Every package ``pip install`` names in one line of shell ``code`` (comments removed)."""
    out: list[Declaration] = []
    for command in _INSTALL.finditer(code):
        skip_value = False
        for argument in _ARGUMENT.finditer(code, command.end()):
            raw = argument.group(0)
            if raw in _END or raw.startswith(("&&", "||", ";", "|", "#")):
                break
            if skip_value:
                skip_value = False
                continue
            if raw.startswith("-"):
                skip_value = raw in _VALUE_OPTIONS
                continue
            declaration = _declaration(raw, argument.start(), line, manifest, context)
            if declaration is not None:
                out.append(declaration)
            if raw.endswith(";"):
                break
    return out


def _declaration(raw: str, start: int, line: int, manifest: str,
                 context: str) -> Declaration | None:
    body = raw.rstrip(";")
    if body[:1] in "'\"" and body[-1:] == body[:1] and len(body) > 1:
        body, start = body[1:-1], start + 1
    if "$" in body or "`" in body:
        # ``pkg==$VERSION``: the name is written, only the version is a variable.
        operator = re.search(r"[=<>!~]", body)
        prefix = body[:operator.start()] if operator else body
        body = "" if "$" in prefix or "`" in prefix else prefix
    if not body:
        return None
    try:
        read = read_requirement(body)
    except RequirementError:
        return None
    if read is None:
        return None
    name, constraint, extras, marker = read
    span = Span(line, start + 1, line, start + 1 + len(body))
    return Declaration(name=name, constraint=constraint, span=span, context=context,
                       manifest=manifest, extras=extras, marker=marker)


_MODULE_RUN = re.compile(r"(?:^|[\s;&|(`])(?:python[\d.]*|py)\s+(?:-[A-Za-z]+\s+)*-m\s+"
                         r"(?P<module>[A-Za-z_][\w.]*)")


def module_runs(code: str) -> list[tuple[str, int, int]]:
    """The modules ``python -m module`` runs in one line of shell ``code`` (comments removed):
    (module, start, end) offsets. A command inside a quoted string (``pkill -f "python -m x"``)
    is an argument of another command, not a run."""
    out: list[tuple[str, int, int]] = []
    for found in _MODULE_RUN.finditer(code):
        before = code[:found.start("module")]
        if before.count('"') % 2 or before.count("'") % 2:
            continue
        out.append((found.group("module"), found.start("module"), found.end("module")))
    return out


def shell_install_declarations(lines: list[tuple[int, int, str]], manifest: str,
                               context: str) -> list[Declaration]:
    """``pip install`` in shell lines given as (line, column, text), with a command continued
    by a trailing backslash (``!pip install -q \\`` then ``  llama-cpp-python \\``): each
    continuation line is read as more arguments of the same command."""
    out: list[Declaration] = []
    installing_until = 0
    for number, column, text in lines:
        prefix = ""
        if number == installing_until and not _INSTALL.search(text):
            prefix = "pip install "
        found = install_declarations(prefix + text, number, manifest, context)
        shift = column - len(prefix)
        out.extend(replace(d, span=Span(d.span.line, d.span.column + shift, d.span.end_line,
                                        d.span.end_column + shift)) for d in found)
        if (prefix or _INSTALL.search(text)) and text.rstrip().endswith("\\"):
            installing_until = number + 1
    return out
