"""Suppressions come from the text the scan already decoded: no second walk, no second decoder.

(The imports of the new functions are local so the bug test also runs against the old code.)

A suppression comment in a UTF-32 file used to be ignored, because the policy stage re-read the
file with a decoder of its own that knew only UTF-8 and UTF-16 byte-order marks.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import auditor.scan.index as stat_index
import auditor.scan.runner as engine
from auditor.fix.files import FileRefused, encode, read_for_rewrite
from auditor.policy.inputs import read_suppressions, root_map
from auditor.ruleset.load import load_ruleset
from auditor.scan.read import decode, sniff_encoding
from auditor.scan.runner import ScanOptions, scan_paths
from auditor.scan.suppressions import PYTHON, parse_suppressions
from auditor.types import FileKind

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
SOURCE = (f'MODEL = "{MODEL}"  # llama-audit: ignore[LA101] kept for the benchmark\n'
          f'OTHER = "{MODEL}"\n')
RESOLVE = load_ruleset().resolve_rule_ref


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_suppression_in_any_encoding_is_applied(tmp_path: Path, run_cli, encoding: str) -> None:
    (tmp_path / "app.py").write_bytes(SOURCE.encode(encoding))  # utf-16/32 write a BOM
    run = run_cli(["scan", str(tmp_path), "--format", "json", "--no-cache"])
    data = run.json()
    assert [(f["path"], f["line"], f["rule_id"]) for f in data["findings"]] == [
        ("app.py", 2, "LA101")]
    assert data["stats"]["policy"] == {"suppressed": 1, "waived": 0}


def test_recorded_comments_survive_the_content_cache_and_the_warm_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second scan is served from the content cache, the third from the warm index
    (without reading the file): the suppression comments are the same every time."""
    monkeypatch.setattr(stat_index, "SETTLE_NS", 300_000_000)
    root = tmp_path / "repo"
    root.mkdir()
    app = root / "app.py"
    app.write_bytes(SOURCE.encode("utf-32"))
    options = ScanOptions(cache_dir=tmp_path / "cache")
    cold = scan_paths([root], options)
    os.utime(app, (time.time() - 3600,) * 2)
    time.sleep(0.35)
    cached = scan_paths([root], options)  # content cache: the stat changed
    read: list[str] = []
    real = engine.scan_file

    def spy(file, ctx, cache=None):  # type: ignore[no-untyped-def]
        read.append(file.rel)
        return real(file, ctx, cache)

    monkeypatch.setattr(engine, "scan_file", spy)
    warm = scan_paths([root], options)
    assert read == []
    assert cold.comments == cached.comments == warm.comments
    assert [(c.line, c.alone) for c in warm.comments[0].comments] == [(1, False)]
    found = read_suppressions(warm, root_map(warm.roots, [root]), RESOLVE)
    assert [(s.line, s.applies_to, s.reason) for s in found.suppressions] == [
        (1, (1,), "kept for the benchmark")]


def test_scan_records_the_comments_and_policy_reads_them(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(SOURCE.encode("utf-32"))
    (tmp_path / "clean.sh").write_text("# llama-audit: ignore[LA101] nothing here\necho hi\n")
    result = scan_paths([tmp_path], ScanOptions())
    assert [(c.root, c.path) for c in result.comments] == [
        (tmp_path.as_posix(), "app.py"), (tmp_path.as_posix(), "clean.sh")]
    roots = root_map(result.roots, [tmp_path])
    only_findings = read_suppressions(result, roots, RESOLVE)
    assert [(Path(s.file).name, s.line) for s in only_findings.suppressions] == [("app.py", 1)]
    every = read_suppressions(result, roots, RESOLVE, every_file=True)
    assert [(Path(s.file).name, s.line) for s in every.suppressions] == [
        ("app.py", 1), ("clean.sh", 1)]


def test_comments_then_directives_is_parse_suppressions() -> None:
    from auditor.scan.suppressions import suppression_comments, suppressions_from_comments

    text = ("x = 1  # llama-audit: ignore[LA101] why\n"
            "# llama-audit: ignore\n"
            "# llama-audit: nonsense\n"
            "y = 2  # unrelated\n")
    direct = parse_suppressions(text, PYTHON, "f.py", RESOLVE)
    split = suppressions_from_comments(suppression_comments(text, PYTHON), "f.py", RESOLVE)
    assert split == direct
    assert [c.line for c in suppression_comments(text, PYTHON)] == [1, 2, 3]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1"])
def test_fix_and_scan_read_a_file_with_the_same_decoder(tmp_path: Path, encoding: str) -> None:
    """``fix`` keeps the exact text (CRLF, BOM) and writes back the same bytes; the scan sees
    the same text with line breaks normalised."""
    cookie = "# -*- coding: latin-1 -*-\r\n" if encoding == "latin-1" else ""
    text = cookie + "NAME = 'caf\u00e9'\r\n"
    data = text.encode(encoding)
    path = tmp_path / "app.py"
    path.write_bytes(data)
    decoded = read_for_rewrite(path, FileKind.PYTHON)
    assert decoded.text == text
    assert encode(decoded.text, decoded.encoding, decoded.bom) == data
    scanned, problem = decode(data, FileKind.PYTHON, sniff_encoding(data)[0])
    assert (scanned, problem) == (text.replace("\r\n", "\n"), None)


def test_undecodable_bytes_are_a_scan_diagnostic_and_a_fix_refusal(tmp_path: Path) -> None:
    from auditor.scan.read import decode_bytes

    data = b"x = 1\nNAME = '\xff'\n"
    assert decode_bytes(data).problem is not None
    assert decode(data, FileKind.PYTHON, None)[1] == (
        "not UTF-8 (invalid start byte at byte 14); bad bytes replaced")
    (tmp_path / "app.py").write_bytes(b"# caf\xe9\n" + data)  # tokenize reads the comment
    with pytest.raises(FileRefused, match="bad coding declaration: invalid or missing"):
        read_for_rewrite(tmp_path / "app.py", FileKind.PYTHON)
    (tmp_path / "app.yaml").write_bytes(data)
    with pytest.raises(FileRefused, match="it is not valid utf-8, so it is not rewritten"):
        read_for_rewrite(tmp_path / "app.yaml", FileKind.CONFIG)


def test_fix_leaves_a_suppressed_line_of_a_utf32_file_alone(tmp_path: Path, run_cli) -> None:
    (tmp_path / "app.py").write_bytes(SOURCE.encode("utf-32"))
    run = run_cli(["fix", str(tmp_path)])
    assert run.code == 0, run.err
    assert '-OTHER = "meta-llama/' in run.out  # the unsuppressed line is rewritten
    assert "-MODEL" not in run.out
