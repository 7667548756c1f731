"""Fixtures shared by the scan tests."""

from __future__ import annotations

import pytest

from auditor.scan.python.crossrefs import module_links


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts whose module links are computed (in the scan or the join, not remembered),
    in order."""
    import auditor.scan.crossmodule as join

    texts: list[str] = []
    real = join.isolate.run_isolated

    def counting(function, text, *args):  # type: ignore[no-untyped-def]
        if function is module_links:
            texts.append(text)
        return real(function, text, *args)

    monkeypatch.setattr(join.isolate, "run_isolated", counting)
    return texts
