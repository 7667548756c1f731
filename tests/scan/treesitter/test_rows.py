"""Every [[source_loader]], [[source_import]] and [[source_template]] example in
rules/sources.toml, scanned end to end: exactly the rows it lists, of the rule its row fires."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.ruleset.rule_ids import MODEL_LOADER, TEMPLATE_NAME_IN_CODE
from auditor.scan.treesitter.tables import IMPORT_RULES
from tests.rules.helpers import check_case, row_case

RULES = load_ruleset()
LOADERS = RULES.section_list("source_loader")
IMPORTS = RULES.section_list("source_import")
TEMPLATES = RULES.section_list("source_template")


def _id(row: dict[str, Any]) -> str:
    name = f"{'-'.join(row['languages'])}-{row.get('callee') or row.get('module')}"
    return name.replace('/', '_').replace(':', '_').replace('()', '')


@pytest.mark.parametrize("row", [r for r in LOADERS if r.get("examples")], ids=_id)
def test_loader_examples(tmp_path: Path, row: dict[str, Any]) -> None:
    for number, example in enumerate(row["examples"]):
        check_case(tmp_path / str(number), MODEL_LOADER, row_case(example, "app.ts"))


@pytest.mark.parametrize("row", [r for r in IMPORTS if r.get("examples")], ids=_id)
def test_import_examples(tmp_path: Path, row: dict[str, Any]) -> None:
    for number, example in enumerate(row["examples"]):
        check_case(tmp_path / str(number), IMPORT_RULES[row["class"]],
                   row_case(example, "app.ts"))


@pytest.mark.parametrize("row", TEMPLATES, ids=_id)
def test_template_examples(tmp_path: Path, row: dict[str, Any]) -> None:
    assert row["examples"], "every [[source_template]] row shows its call"
    for number, example in enumerate(row["examples"]):
        check_case(tmp_path / str(number), TEMPLATE_NAME_IN_CODE, row_case(example, "app.ts"))


@pytest.mark.parametrize("row", [*LOADERS, *IMPORTS, *TEMPLATES], ids=_id)
def test_every_row_names_its_sources(row: dict[str, Any]) -> None:
    assert row.get("sources") and all(s.startswith("https://") for s in row["sources"])
