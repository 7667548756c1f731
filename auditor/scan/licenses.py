"""License and notice files: a Llama community license (LA410), "Built with Llama" (LA411).

The version named in the text (2, 3, 3.1, 3.2, 3.3, 4) selects the obligations from the
``[[llama_license]]`` tables in ``rules/licenses.toml``, which carry their sources; each
finding records the license id (``license`` detail) the reports group by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from auditor.details import DetailKey
from auditor.ruleset.file_tables import FileTables, file_tables
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import BUILT_WITH_NOTICE, LICENSE_FILE
from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, SourceFile

RULE_LICENSE = LICENSE_FILE
RULE_BUILT_WITH = BUILT_WITH_NOTICE


@dataclass(frozen=True)
class LicenseMention:
    start: int
    end: int
    text: str
    license_id: str | None


def is_license_file(rel: str, tables: FileTables) -> bool:
    name = PurePosixPath(rel).name.lower()
    return any(stem in name for stem in tables.license_file_stems)


def agreement_mentions(text: str, tables: FileTables, base: int = 0) -> list[LicenseMention]:
    """The first mention of each Llama license or use-policy version in ``text``."""
    seen: set[str] = set()
    out: list[LicenseMention] = []
    for match in tables.agreement_pattern.finditer(text):
        license_id = tables.license_versions.get(match.group("version"))
        if license_id is None or license_id in seen:
            continue
        seen.add(license_id)
        out.append(LicenseMention(base + match.start(), base + match.end(),
                                  _fold(match.group(0)), license_id))
    return out


def built_with_mentions(text: str, tables: FileTables) -> list[LicenseMention]:
    out: list[LicenseMention] = []
    for match in tables.built_with_pattern.finditer(text):
        version = match.group("version")
        out.append(LicenseMention(match.start(), match.end(), _fold(match.group(0)),
                                  tables.license_versions.get(version) if version else None))
    return out


def license_hit(rule_id: str, mention: LicenseMention, index: LineIndex, document: str,
                ruleset: RuleSet) -> Hit:
    """A LA410/LA411 hit carrying the license's name, obligations and source."""
    tables = file_tables(ruleset)
    info = tables.licenses.get(mention.license_id) if mention.license_id else None
    details: list[tuple[DetailKey, str]] = []
    if info is not None:
        name = info.name
        obligations = "; ".join(info.obligations) or "see the license text"
        details.append(("license", info.id))
        if info.sources:
            details.append(("llama_license_source", info.sources[0]))
    else:
        name = "Llama 3.1, 3.2, 3.3 and 4 community licenses"
        obligations = "'Built with Llama' display; derivative names start with 'Llama'"
    details += [("llama_license", name), ("license_obligations", obligations)]
    line, column = index.position(mention.start)
    end_line, end_column = index.position(mention.end)
    return Hit(rule_id=rule_id, line=line, column=column, end_line=end_line,
               end_column=end_column, identifier=mention.text, context=document,
               details=tuple(details),
               message_values=(("document", document), ("license_name", name),
                               ("obligations", obligations)))


def scan_license_text(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """LA410 in license-named files, LA411 in any text file."""
    tables = file_tables(ctx.ruleset)
    index = LineIndex(text)
    document = PurePosixPath(file.rel).name
    hits: list[Hit] = []
    if is_license_file(file.rel, tables):
        hits.extend(license_hit(RULE_LICENSE, m, index, document, ctx.ruleset)
                    for m in agreement_mentions(text, tables))
    hits.extend(license_hit(RULE_BUILT_WITH, m, index, document, ctx.ruleset)
                for m in built_with_mentions(text, tables))
    return ScanOutput(hits=hits)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
