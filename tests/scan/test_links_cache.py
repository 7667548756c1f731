"""The cross-module join remembers module links: a warm re-scan parses nothing for it, and a
bad entry is only a miss."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import auditor.scan.index as stat_index
from auditor.ruleset.load import load_ruleset
from auditor.scan.links_cache import links_from_json, links_to_json
from auditor.scan.python.crossrefs import module_links
from auditor.scan.runner import ScanOptions, scan_paths

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
CONSTANTS = f'MODEL_ID = "{LLAMA}"\nTABLE = {{"model": "{LLAMA}"}}\n'
USER = ("from transformers import AutoModelForCausalLM\n"
        "from .constants import MODEL_ID\n\n"
        "model = AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
ROWS = [("pkg/user.py", 4, 9, LLAMA, "LA102")]


def _repo(root: Path) -> Path:
    for rel, text in {"pkg/__init__.py": "", "pkg/constants.py": CONSTANTS,
                      "pkg/user.py": USER}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        hour_ago = time.time() - 3600
        os.utime(path, (hour_ago, hour_ago))
    return root


def _rows(root: Path, cache: Path) -> list[tuple[str, int, int, str | None, str]]:
    result = scan_paths([root], ScanOptions(cache_dir=cache))
    return [(f.path, f.line, f.column, f.identifier, f.rule_id) for f in result.findings
            if f.rule_id == "LA102"]


@pytest.fixture(autouse=True)
def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm-scan index trusts the files written a moment ago."""
    monkeypatch.setattr(stat_index, "SETTLE_NS", 0)


def test_a_warm_rescan_parses_no_module_for_the_join(tmp_path: Path,
                                                     parsed: list[str]) -> None:
    root, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    assert _rows(root, cache) == ROWS
    assert sorted(parsed) == sorted([CONSTANTS, USER])
    parsed.clear()
    assert _rows(root, cache) == ROWS  # from the warm-scan index: no file is scanned
    assert parsed == []


def test_the_same_text_elsewhere_is_not_parsed_again(tmp_path: Path,
                                                     parsed: list[str]) -> None:
    """Links depend on the text alone: a copy of the package (a fresh checkout, a renamed
    directory) reuses them, while its findings name the new paths."""
    cache = tmp_path / "cache"
    assert _rows(_repo(tmp_path / "one"), cache) == ROWS
    parsed.clear()
    assert _rows(_repo(tmp_path / "two"), cache) == ROWS
    assert parsed == []


def test_an_edited_module_is_parsed_again(tmp_path: Path, parsed: list[str]) -> None:
    root, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    assert _rows(root, cache) == ROWS
    parsed.clear()
    edited = CONSTANTS.replace(LLAMA, "meta-llama/Llama-3.2-1B")
    (root / "pkg" / "constants.py").write_text(edited, encoding="utf-8")
    assert _rows(root, cache) == [("pkg/user.py", 4, 9, "meta-llama/Llama-3.2-1B", "LA102")]
    assert parsed == [edited]


@pytest.mark.parametrize("entry", [b"", b"not json", b"[]", b'{"python": "yes"}',
                                   b'{"python": true, "definitions": []}',
                                   json.dumps({"python": True, "definitions": {},
                                               "imports": {}, "stars": [],
                                               "uses": [["x", [""], False, True, 0, 1, 1,
                                                         "", "loader"]]}).encode()])
def test_a_bad_entry_is_a_miss_and_the_findings_stay(tmp_path: Path, parsed: list[str],
                                                     entry: bytes) -> None:
    root, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    assert _rows(root, cache) == ROWS
    entries = list(cache.rglob("links/*/*.json"))
    assert len(entries) == 2
    for path in entries:
        path.write_bytes(entry)
    (root / "pkg" / "user.py").write_text(USER + "\n", encoding="utf-8")  # not from the index
    parsed.clear()
    assert _rows(root, cache) == ROWS
    assert sorted(parsed) == sorted([CONSTANTS, USER + "\n"])


def test_links_survive_the_round_trip() -> None:
    text = (USER.replace(".constants", "pkg.other") + "from x import *\n"
            + CONSTANTS.replace("MODEL_ID", "OTHER_ID"))
    links = module_links(text, load_ruleset())
    assert links is not None and links.definitions and links.imports and links.uses
    assert links_from_json(json.loads(json.dumps(links_to_json(links)))) == links
    assert links_from_json(links_to_json(None)) is None
