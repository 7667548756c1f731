"""Sources in other languages, read with tree-sitter and never executed.

One module per language family (javascript, golang, rust, jvm) fills a ``LanguageSpec`` and
says where its imports are; ``walker.Walk`` reads every language the same way. A file's format
(its row in ``discover.filetypes``) picks the spec. Adding a language: one grammar dependency
in pyproject.toml, one filetypes row, one module here and one entry in ``_LANGUAGES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from tree_sitter import Node

from auditor import isolate
from auditor.discover.filetypes import file_type
from auditor.identify.models import identify
from auditor.isolate.limits import MAX_SOURCE_PARSE_CHARS
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.prefilter import token_id_spellings
from auditor.scan.text.lines import scan_lines
from auditor.scan.treesitter import golang, javascript, jvm, rust
from auditor.scan.treesitter.prompts import template_call_hits, token_id_hits
from auditor.scan.treesitter.spec import LanguageSpec, parser_for
from auditor.scan.treesitter.tables import source_tables
from auditor.scan.treesitter.walker import TooDeep, Walk
from auditor.types import SourceFile

DIAGNOSTIC_CODES = frozenset({"invalid-source", "too-large-to-parse", "too-deep", "parse-crash",
                              "parse-timeout"})

Modules = Callable[[Walk], list[tuple[str, int]]]

_LANGUAGES: dict[str, tuple[LanguageSpec, Modules]] = {
    "javascript": (javascript.JAVASCRIPT, javascript.modules),
    "typescript": (javascript.TYPESCRIPT, javascript.modules),
    "tsx": (javascript.TSX, javascript.modules),
    "go": (golang.GO, golang.modules),
    "rust": (rust.RUST, rust.modules),
    "java": (jvm.JAVA, jvm.modules),
    "kotlin": (jvm.KOTLIN, jvm.modules),
}
"""A file format (``discover.filetypes``) to its language and its import reader."""

MAX_ERROR_SHARE = 0.5
"""A tree with more error nodes than this share of its top-level statements is reported."""


def scan_source(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Scan a source file; when it cannot be read structurally, fall back to the line scanner.

    The parse and the walk run in ``isolate``'s worker, like the Python scanner's: a file
    over ``MAX_SOURCE_PARSE_CHARS``, nested deeper than ``walker.MAX_DEPTH``, that crashes the
    worker or overruns ``ctx.parse_timeout_seconds`` is line-scanned instead, with the same
    diagnostic codes as Python (``too-large-to-parse``, ``too-deep``, ``parse-crash``,
    ``parse-timeout``)."""
    fmt = file_type(file.rel).format
    found, _data = _language_and_code(fmt, text)
    if found is None or not may_have_findings(text, found[0].name, ctx.ruleset):
        return ScanOutput()
    refused = isolate.too_large(text, MAX_SOURCE_PARSE_CHARS)
    if refused is None:
        outcome = isolate.run_isolated(partial(analyse_source, fmt), text, ctx.ruleset,
                                       ctx.parse_timeout_seconds)
        if isinstance(outcome, isolate.AnalysisError):
            raise isolate.AnalysisFailed(outcome)
        if isinstance(outcome, ScanOutput):
            return outcome
        refused = outcome
    return ScanOutput(hits=scan_lines(text, ctx.ruleset),
                      problems=[Problem(refused.code, f"{refused.message}; identifiers found "
                                        "by the line scanner", _refused_line(refused))],
                      parsed=False)


@dataclass(frozen=True)
class _TooDeep(isolate.ParseRefused):
    line: int | None = None


def _refused_line(refused: isolate.ParseRefused) -> int | None:
    return refused.line if isinstance(refused, _TooDeep) else None


def analyse_source(fmt: str, text: str, ruleset: RuleSet) -> ScanOutput | isolate.ParseRefused:
    """Parse and walk one file (runs in the worker: a parse of hostile text may need its
    limits); plain data comes back."""
    found, data = _language_and_code(fmt, text)
    if found is None:
        return ScanOutput()
    spec, modules = found
    tree = parser_for(spec).parse(data)
    walk = Walk(spec, data, ruleset)
    try:
        walk.collect(tree.root_node)
    except TooDeep as exc:
        return _TooDeep("too-deep", f"not parsed: {exc}", exc.line)
    walk.loader_hits()
    walk.string_hits()
    walk.import_hits(modules(walk))
    walk.hits.extend(token_id_hits(walk))
    walk.hits.extend(template_call_hits(walk))
    problems = []
    root = tree.root_node
    if root.has_error:
        errors = sum(1 for c in root.children if c.type == "ERROR" or c.is_missing)
        if root.child_count and errors / root.child_count > MAX_ERROR_SHARE:
            line = next((c.start_point[0] + 1 for c in root.children if c.type == "ERROR"), 1)
            problems.append(Problem("invalid-source", f"{spec.name} source has syntax errors the "
                                    "parser could not recover from; findings may be missing",
                                    line=line))
    hits = sorted(walk.hits, key=lambda h: (h.line, h.column, h.rule_id))
    return ScanOutput(hits=hits, problems=problems)


_TOKEN = re.compile(r"[\w./:@+-]*(?:llama|vicuna|guard)[\w./:@+-]*", re.IGNORECASE)


def may_have_findings(text: str, language: str, ruleset: RuleSet) -> bool:
    """A cheap look before the parse: some word in the file identifies as a Llama model, or
    it holds a Llama prompt marker, a Llama stop token id, the name of a ``[[source_import]]``
    module or of a ``[[source_template]]`` call. Files that only mention LlamaIndex, or
    variables named llama, are not parsed at all."""
    tables = python_tables(ruleset)
    if any(marker in text for marker in tables.strong_markers):
        return True
    sources = source_tables(ruleset)
    if any(row.module in text for row in sources.imports.get(language, ())):
        return True
    if any(callee in text for lang, callee in sources.templates if lang == language):
        return True
    seen: set[str] = set()
    for found in _TOKEN.finditer(text):
        token = found.group(0).strip(".:/-@+")
        if token in seen:
            continue
        seen.add(token)
        if identify(token, ruleset) is not None or any(
                identify(part, ruleset) is not None
                for part in re.split(r"[:/@]", token) if part and part != token):
            return True
    return _token_ids(tables.token_ids).search(text.replace("_", "")) is not None


@lru_cache(maxsize=4)
def _token_ids(ids: frozenset[int]) -> re.Pattern[str]:
    """A Llama stop token id in any notation ``prompts.integer_value`` reads (underscores
    removed), with a type suffix or none; the spellings are the byte prefilter's."""
    written = "|".join(token_id_spellings(ids, separator=""))
    return re.compile(rf"(?i)(?<![\w.])(?:{written})(?:[iu](?:\d+|size)|ul|[lun])?(?![\w.])")


def _language_and_code(fmt: str, text: str) -> tuple[tuple[LanguageSpec, Modules] | None, bytes]:
    """The language entry for a file format and the bytes to parse (a ``.vue`` or ``.svelte``
    file's ``<script>`` blocks, read as TypeScript or JavaScript)."""
    data = text.encode("utf-8")
    if fmt == "vue":
        data, typescript = javascript.script_blocks(data)
        fmt = "typescript" if typescript else "javascript"
    return _LANGUAGES.get(fmt), data


def source_formats() -> frozenset[str]:
    """The file formats (``discover.filetypes``) read with tree-sitter."""
    return frozenset({*_LANGUAGES, "vue"})


def check_parses(fmt: str, text: str) -> None:
    """Raise ValueError when ``text`` (a file of format ``fmt``) has a syntax error: ``fix``
    re-parses a rewritten source with this before it writes it."""
    found, data = _language_and_code(fmt, text)
    if found is None:
        return
    root = parser_for(found[0]).parse(data).root_node
    if root.has_error:
        bad = _first_error(root)
        raise ValueError(f"{fmt} syntax error at line {bad.start_point[0] + 1}")


def _first_error(node: Node) -> Node:
    """The first error or missing node, found by following only the children that hold an
    error (``has_error``): a walk as long as the tree is deep, not as large as the file (a
    whole-tree walk took 7.7 s on a 4.9 MB file)."""
    current = node
    while not (current.type == "ERROR" or current.is_missing):
        child = next((c for c in current.children if c.has_error or c.is_missing), None)
        if child is None:
            return current
        current = child
    return current
