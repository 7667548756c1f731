"""LA307 reads full-line comments cheaply: a Python file is tokenized at most once, and only
when a comment names a Meta model (a file of 200 code-like comments that name none is never
tokenized)."""

from __future__ import annotations

import tokenize

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.scan import commented
from auditor.scan.commented import commented_code_hits

RULES = load_ruleset()


def count_tokenize(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = tokenize.generate_tokens

    def counting(readline):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(readline)

    monkeypatch.setattr(commented.tokenize, "generate_tokens", counting)
    return calls


def test_a_file_is_tokenized_once_whatever_its_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_tokenize(monkeypatch)
    text = "".join(f"# MODEL_{n} = 'meta-llama/Llama-3.1-8B'\nx{n} = 1\n" for n in range(60))
    text += 'DOC = """\n# MODEL = "meta-llama/Llama-2-7b-hf"\n"""\n'
    hits = commented_code_hits("app.py", text, RULES)
    assert len(calls) == 1
    assert [(h.line, h.column, h.identifier) for h in hits][:2] == [
        (1, 14, "meta-llama/Llama-3.1-8B"), (3, 14, "meta-llama/Llama-3.1-8B")]
    assert len(hits) == 60  # the line inside the triple-quoted string is not a comment


def test_comments_that_name_no_model_are_never_tokenized(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_tokenize(monkeypatch)
    text = "".join(f"# value_{n} = compute({n})\n" for n in range(200))
    assert commented_code_hits("app.py", text, RULES) == []
    assert calls == []
