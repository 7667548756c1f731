"""Every catalog fact cites only primary sources (auditor/enrich/sources.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.enrich.sources import PRIMARY_SOURCES, is_primary

SNAPSHOTS = sorted((Path(__file__).resolve().parents[2] / "auditor" / "enrich" / "data")
                   .glob("snapshot-*.json"))


def _sources() -> list[tuple[str, str]]:
    out = []
    for path in SNAPSHOTS:
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            out += [(entry["hub_id"], url) for url in entry["sources"]]
        for derivative in data.get("derivatives", []):
            out += [(derivative["repo_id"], url) for url in derivative.get("sources", [])]
    return out


def test_there_is_a_bundled_snapshot_with_sources() -> None:
    assert SNAPSHOTS
    assert len(_sources()) > 100


def test_no_catalog_source_is_outside_the_primary_domains() -> None:
    outside = [(hub_id, url) for hub_id, url in _sources() if not is_primary(url)]
    assert outside == []


@pytest.mark.parametrize(("url", "primary"), [
    ("https://huggingface.co/google/gemma-4-E4B-it", True),
    ("https://ai.google.dev/gemma/docs/core/model_card_4", True),
    ("https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md", True),
    ("https://github.com/tenstorrent/tt-inference-server/issues/104", False),
    ("https://ollama.com/library/gemma4", True),
    ("https://fireworks.ai/models/fireworks/qwen3-14b", True),
    ("https://fireworks.ai/blog/anything", False),
    ("https://cdn-avatars.qwak.ai/x", False),
    ("https://insiderllm.com/guides/qwen-3-5-local-guide", False),
    ("https://enclaveai.app/x", False),
    ("https://ainewstrend.com/x", False),
    ("https://huggingface.co.evil.example/x", False),
    ("find_string hit in public code (repo/file not named by index)", False),
])
def test_primary_is_host_exact_and_path_scoped(url: str, primary: bool) -> None:
    assert is_primary(url) is primary


def test_the_list_is_one_table_of_host_prefix_and_purpose() -> None:
    assert all(len(row) == 3 and row[0] == row[0].lower() and row[2] for row in PRIMARY_SOURCES)
    assert len({(host, prefix) for host, prefix, _ in PRIMARY_SOURCES}) == len(PRIMARY_SOURCES)
