"""The infrastructure scanner: Dockerfiles, Ollama Modelfiles, compose/CI/Kubernetes YAML,
shell scripts, Makefiles and Terraform.

YAML goes through the structured config reader (LA302 instead of LA301). The rest is read line
by line with comments removed, so ``# we used to pull llama3`` is not a finding while
``RUN ollama pull llama3`` is. A Modelfile is parsed into its instructions: FROM a Llama model
is LA303, an ADAPTER on a Llama base LA401, Llama chat markup in TEMPLATE or PARAMETER stop
LA106, and a Llama license in LICENSE LA410.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from auditor.details import Details
from auditor.discover.filetypes import file_type
from auditor.identify.models import identify
from auditor.ruleset.file_tables import file_tables
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import MODELFILE_FROM_LLAMA
from auditor.scan.config import scan_structured
from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.deps.commands import install_declarations, module_runs
from auditor.scan.deps.declarations import declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.documents.values import RULE_FINE_TUNE, RULE_INFRA, RULE_MARKER, RULE_NON_META
from auditor.scan.images import from_image_hits
from auditor.scan.licenses import RULE_LICENSE, agreement_mentions, license_hit
from auditor.scan.text.identifiers import identifiers_in, prompt_marker_in, shell_code_end
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, ModelRef, SourceFile

RULE_MODELFILE = MODELFILE_FROM_LLAMA

_MAKE_TARGET = re.compile(r"^(?P<target>[\w.\-/$() %]+?)\s*::?(?![=])")
_DOCKER_INSTRUCTION = re.compile(r"^\s*(?P<word>[A-Za-z]+)\b")
_MODELFILE_INSTRUCTION = re.compile(r"^[ \t]*(?P<word>[A-Za-z]+)[ \t]+")

LineSource = Iterator[tuple[int, str, str]]
"""(1-based line number, the line with comments blanked out, context)."""


def infra_format(rel: str) -> str:
    """dockerfile, modelfile, yaml, hcl, make or shell: the format in ``discover.filetypes``."""
    return file_type(rel).format


def scan_infra(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    fmt = infra_format(file.rel)
    if fmt == "yaml":
        return scan_structured(file.rel, text, ctx.ruleset, default_rule=RULE_INFRA, fmt="yaml")
    if fmt == "modelfile":
        return ScanOutput(hits=modelfile_hits(text, ctx.ruleset))
    readers: dict[str, Callable[[str], LineSource]] = {
        "dockerfile": _dockerfile_lines,
        "hcl": _hcl_lines,
        "make": _make_lines,
        "shell": _shell_lines,
    }
    lines = list(readers[fmt](text))
    hits = line_source_hits(iter(lines), ctx.ruleset, RULE_INFRA, manifest=file.rel)
    if fmt == "dockerfile":
        hits.extend(from_image_hits(lines, ctx.ruleset, file.rel))
    return ScanOutput(hits=hits)


def line_source_hits(lines: LineSource, ruleset: RuleSet, rule: str, *,
                     manifest: str | None = None) -> list[Hit]:
    """Identifiers and chat markers on every line; with ``manifest`` (the file's path), also
    the packages ``pip install`` names (LA2xx, the manifests' package table)."""
    hits: list[Hit] = []
    table = package_table(ruleset) if manifest is not None else None
    for number, code, context in lines:
        if table is not None and manifest is not None and "install" in code:
            hits.extend(declaration_hits(
                install_declarations(code, number, manifest, context), table))
        if table is not None and "-m" in code:
            hits.extend(_module_run_hits(code, number, context, ruleset))
        for found in identifiers_in(code, ruleset):
            hits.append(Hit(rule_id=rule if found.model.meta_weights else RULE_NON_META,
                            line=number, column=found.start + 1, end_line=number,
                            end_column=found.end + 1, identifier=found.token,
                            model=found.model, context=context))
        marker = prompt_marker_in(code, ruleset)
        if marker is not None:
            hits.append(Hit(rule_id=RULE_MARKER, line=number, column=marker.start + 1,
                            end_line=number, end_column=marker.end + 1,
                            identifier=marker.marker, context=context))
    return hits


def _module_run_hits(code: str, number: int, context: str, ruleset: RuleSet) -> list[Hit]:
    """``python -m llama_cpp.server``: running a module is reported as importing it (the
    Python scanner's module rules: LA105 for a Llama-named runtime, LA104 Meta-only)."""
    tables = python_tables(ruleset)
    hits: list[Hit] = []
    for module, start, end in module_runs(code):
        rule_id = tables.module_rule(module)
        if rule_id is not None:
            hits.append(Hit(rule_id=rule_id, line=number, column=start + 1, end_line=number,
                            end_column=end + 1, identifier=module, context=context))
    return hits


def _dockerfile_lines(text: str) -> LineSource:
    instruction = ""
    continued = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#") or (not continued and not stripped):
            continue
        if not continued:
            word = _DOCKER_INSTRUCTION.match(line)
            instruction = word.group("word").upper() if word else ""
        code = line[:shell_code_end(line)] if instruction == "RUN" else line
        continued = line.rstrip().endswith("\\")
        yield number, code, instruction


def _shell_lines(text: str) -> LineSource:
    function = ""
    for number, line in enumerate(text.splitlines(), start=1):
        code = line[:shell_code_end(line)]
        found = re.match(r"^\s*(?:function\s+)?(?P<name>[\w.-]+)\s*\(\)\s*\{?", code)
        if found:
            function = found.group("name")
        yield number, code, function


def _make_lines(text: str) -> LineSource:
    target = ""
    for number, line in enumerate(text.splitlines(), start=1):
        code = line[:shell_code_end(line)]
        if not line.startswith("\t"):
            found = _MAKE_TARGET.match(code)
            if found and "=" not in code.split(":", 1)[0]:
                target = found.group("target").strip()
        yield number, code, target


def _hcl_lines(text: str) -> LineSource:
    in_block_comment = False
    block = ""
    for number, line in enumerate(text.splitlines(), start=1):
        code, in_block_comment = _hcl_code(line, in_block_comment)
        header = re.match(r'^\s*(?P<kind>resource|data|module|variable|locals|output|provider)'
                          r'(?P<names>(?:\s+"[^"]*")*)', code)
        if header:
            block = (header.group("kind") + "." + ".".join(
                re.findall(r'"([^"]*)"', header.group("names")))).rstrip(".")
        yield number, code, block


def _hcl_code(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line with ``#``, ``//`` and ``/* */`` comments blanked (same length)."""
    out = list(line)
    quote = False
    index = 0
    while index < len(line):
        if in_comment:
            end = line.find("*/", index)
            stop = len(line) if end < 0 else end + 2
            out[index:stop] = " " * (stop - index)
            index = stop
            in_comment = end < 0
            continue
        char = line[index]
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            quote = not quote
        elif not quote and (char == "#" or line.startswith("//", index)):
            out[index:] = " " * (len(line) - index)
            break
        elif not quote and line.startswith("/*", index):
            in_comment = True
            continue
        index += 1
    return "".join(out), in_comment


# --- Ollama Modelfile ---------------------------------------------------------------------

@dataclass(frozen=True)
class ModelfileInstruction:
    word: str
    argument: str
    start: int
    """Offset of the argument's first character (inside the quotes of a ``\"\"\"`` block)."""


def modelfile_instructions(text: str) -> list[ModelfileInstruction]:
    out: list[ModelfileInstruction] = []
    position = 0
    while position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        line = text[position:line_end]
        found = _MODELFILE_INSTRUCTION.match(line)
        if found is None or line.lstrip().startswith("#"):
            position = line_end + 1
            continue
        start = position + found.end()
        if text.startswith('"""', start):
            close = text.find('"""', start + 3)
            stop = len(text) if close < 0 else close
            out.append(ModelfileInstruction(found.group("word").upper(), text[start + 3:stop],
                                            start + 3))
            after = stop + 3
            next_line = text.find("\n", after)
            position = len(text) if next_line < 0 else next_line + 1
            continue
        out.append(ModelfileInstruction(found.group("word").upper(), line[found.end():].rstrip(),
                                        start))
        position = line_end + 1
    return out


def modelfile_hits(text: str, ruleset: RuleSet) -> list[Hit]:
    index = LineIndex(text)
    hits: list[Hit] = []
    base: tuple[str, ModelRef] | None = None
    for item in modelfile_instructions(text):
        argument = item.argument.strip()
        offset = item.start + item.argument.find(argument) if argument else item.start
        if item.word == "FROM" and argument:
            ref = identify(argument, ruleset)
            if ref is not None:
                rule = RULE_MODELFILE if ref.meta_weights else RULE_NON_META
                hits.append(_at(rule, index, offset, argument, ref, "FROM"))
                if ref.meta_weights:
                    base = (argument, ref)
        elif item.word == "ADAPTER" and argument:
            own = identify(argument, ruleset)
            bound = base if base is not None else (
                (argument, own) if own is not None and own.meta_weights else None)
            if bound is not None:
                hits.append(_at(RULE_FINE_TUNE, index, offset, argument, bound[1], "ADAPTER",
                                (("base_model", bound[0]),)))
        elif item.word == "LICENSE":
            hits.extend(license_hit(RULE_LICENSE, mention, index, "Modelfile LICENSE", ruleset)
                        for mention in agreement_mentions(item.argument, file_tables(ruleset),
                                                          base=item.start))
        elif item.word in ("TEMPLATE", "PARAMETER", "SYSTEM", "MESSAGE"):
            marker = prompt_marker_in(item.argument, ruleset)
            if marker is not None:
                hits.append(_at(RULE_MARKER, index, item.start + marker.start, marker.marker,
                                None, item.word))
    return hits


def _at(rule_id: str, index: LineIndex, offset: int, token: str, ref: ModelRef | None,
        context: str, details: Details = ()) -> Hit:
    line, column = index.position(offset)
    return Hit(rule_id=rule_id, line=line, column=column, end_line=line,
               end_column=column + len(token.splitlines()[0] if token else ""),
               identifier=token, model=ref, context=context, details=details)
