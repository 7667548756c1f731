"""Documentation: Llama identifiers in code blocks of Markdown, reStructuredText and text.

Code blocks are what readers copy, so a concrete identifier in one is a finding (LA305, info,
off unless ``--include-docs``). Prose is never a finding: a sentence naming a model is not a
dependency. Block detection: Markdown fences (``` and ~~~) and indented blocks outside lists;
reST ``.. code-block::`` directives and ``::`` literal blocks; AsciiDoc ``----`` listings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from auditor.ruleset.file_tables import file_tables
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import DOCS_CODE
from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.licenses import is_license_file
from auditor.scan.text.identifiers import identifiers_in
from auditor.types import Hit, SourceFile

RULE_DOCS = DOCS_CODE

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_ADOC_FENCE = re.compile(r"^(?P<fence>-{4,}|\.{4,})\s*$")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s")
_RST_CODE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?:code-block|code|sourcecode|prompt|highlight)::")
_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s")


def doc_flavour(rel: str) -> str:
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix == ".rst":
        return "rst"
    if suffix == ".adoc":
        return "adoc"
    return "markdown"


def code_lines(text: str, flavour: str = "markdown") -> Iterator[tuple[int, str]]:
    """(0-based line number, line) for every line inside a code block of ``text``."""
    lines = text.splitlines()
    if flavour == "rst":
        yield from _rst_code(lines)
    else:
        yield from _markdown_code(lines, adoc=flavour == "adoc")


def _markdown_code(lines: list[str], *, adoc: bool) -> Iterator[tuple[int, str]]:
    fence: str | None = None
    previous_blank = True
    in_indented = False
    in_list = False
    for number, line in enumerate(lines):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            else:
                yield number, line
            continue
        opened = _FENCE.match(line) or (_ADOC_FENCE.match(line) if adoc else None)
        if opened:
            fence = opened.group("fence")
            in_indented = False
            continue
        if not line.strip():
            previous_blank = True
            continue
        indented = line.startswith(("    ", "\t"))
        if indented and (in_indented or (previous_blank and not in_list)):
            in_indented = True
            yield number, line
        else:
            in_indented = False
            if not indented:
                in_list = bool(_LIST_ITEM.match(line))
        previous_blank = False


def _rst_code(lines: list[str]) -> Iterator[tuple[int, str]]:
    block_indent: int | None = None
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip():
                continue
            if indent > block_indent:
                yield number, line
                continue
            block_indent = None
        code = _RST_CODE.match(line)
        if code:
            block_indent = len(code.group("indent"))
        elif line.rstrip().endswith("::") and not _RST_DIRECTIVE.match(line):
            block_indent = indent


def code_block_hits(text: str, ruleset: RuleSet, flavour: str = "markdown") -> list[Hit]:
    """LA305 hits for identifiers inside code blocks (Meta weights only)."""
    hits: list[Hit] = []
    for number, line in code_lines(text, flavour):
        for found in identifiers_in(line, ruleset):
            if not found.model.meta_weights:
                continue
            hits.append(Hit(rule_id=RULE_DOCS, line=number + 1, column=found.start + 1,
                            end_line=number + 1, end_column=found.end + 1,
                            identifier=found.token, model=found.model,
                            details=(("mention", "code-block"),)))
    return hits


def scan_docs(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Documentation mentions; skipped entirely unless ``--include-docs`` asked for them."""
    if not ctx.include_docs or is_license_file(file.rel, file_tables(ctx.ruleset)):
        return ScanOutput()
    return ScanOutput(hits=code_block_hits(text, ctx.ruleset, doc_flavour(file.rel)))
