"""The file-level byte prefilter (scan/prefilter.py, shared by every scanner) lets a file
through when its only Llama trace is a stop/end token id in any notation a scanner reads:
decimal, digit separators, hexadecimal, octal, binary, type suffixes. End to end: each file
below holds one such id and nothing else Llama, and gets its LA107 finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.scan.prefilter import file_may_match, token_id_spellings, token_ids
from auditor.scan.runner import scan_paths
from tests.deps_helpers import write

FILES = {
    "py/hex.py": "out = model.generate(ids, eos_token_id=0x1F409)\n",
    "py/underscore.py": "stop_token = 128_009\n",
    "py/octal.py": "EOS_TOKEN_ID = 0o372011\n",
    "py/binary.py": "eos_token_id = 0b1_1111_0100_0000_1001\n",
    "js/hex.js": "const eosTokenId = 0x1F409;\n",
    "js/underscore.ts": "const stopTokens: number[] = [128_009];\n",
    "js/bigint.mjs": "export const EOS_TOKEN_ID = 128009n;\n",
    "go/hex.go": "package p\n\nvar EOSTokenID = 0x1F409\n",
    "go/underscore.go": "package p\n\nvar StopTokenIDs = []int{128_009}\n",
    "go/octal.go": "package p\n\nconst EOTTokenID = 0o372011\n",
    "rs/suffix.rs": "const EOS_TOKEN_ID: u32 = 128009u32;\n",
    "rs/hex.rs": "const EOS_TOKEN_ID: u32 = 0x1F409;\n",
    "rs/underscore.rs": "const STOP_TOKENS: [u32; 1] = [128_009];\n",
    "java/Long.java": "class Long1 {\n  static final long EOS_TOKEN_ID = 128009L;\n}\n",
    "java/Hex.java": "class Hex {\n  static final int EOS_TOKEN_ID = 0x1F409;\n}\n",
    "java/Underscore.java": "class Underscore {\n  static final int EOS_TOKEN_ID = 128_009;\n}\n",
    "kt/Underscore.kt": "val eosTokenId = 128_009\n",
    "kt/Hex.kt": "val stopTokenId = 0x1F409\n",
    "kt/Long.kt": "val eotId = 128009L\n",
}

EXPECTED = [  # (path, line, column, identifier, rule)
    ("go/hex.go", 3, 18, "128009", "LA107"),
    ("go/octal.go", 3, 20, "128009", "LA107"),
    ("go/underscore.go", 3, 26, "128009", "LA107"),
    ("java/Hex.java", 2, 35, "128009", "LA107"),
    ("java/Long.java", 2, 36, "128009", "LA107"),
    ("java/Underscore.java", 2, 35, "128009", "LA107"),
    ("js/bigint.mjs", 1, 29, "128009", "LA107"),
    ("js/hex.js", 1, 20, "128009", "LA107"),
    ("js/underscore.ts", 1, 31, "128009", "LA107"),
    ("kt/Hex.kt", 1, 19, "128009", "LA107"),
    ("kt/Long.kt", 1, 13, "128009", "LA107"),
    ("kt/Underscore.kt", 1, 18, "128009", "LA107"),
    ("py/binary.py", 1, 16, "128009", "LA107"),
    ("py/hex.py", 1, 40, "128009", "LA107"),
    ("py/octal.py", 1, 16, "128009", "LA107"),
    ("py/underscore.py", 1, 14, "128009", "LA107"),
    ("rs/hex.rs", 1, 27, "128009", "LA107"),
    ("rs/suffix.rs", 1, 27, "128009", "LA107"),
    ("rs/underscore.rs", 1, 32, "128009", "LA107"),
]


def test_a_file_whose_only_trace_is_a_token_id_gets_its_finding(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    result = scan_paths([tmp_path])
    assert list(result.diagnostics) == []
    assert sorted((f.path, f.line, f.column, f.identifier, f.rule_id)
                  for f in result.findings) == EXPECTED


def test_each_of_those_files_passes_the_prefilter_alone() -> None:
    rules = load_ruleset()
    for rel, text in FILES.items():
        assert file_may_match(text.encode(), rules), rel


def test_lookalikes_pass_or_not_but_give_nothing(tmp_path: Path) -> None:
    """The id under a name that is not a stop/end token (read, nothing reported), and a
    number that is not a Llama id in any notation (not read at all)."""
    write(tmp_path, {"port.py": "port = 0x1F409\n", "seed.rs": "const SEED: u64 = 128_009;\n",
                     "Port.kt": 'val cfg = mapOf("port" to 0x1F409)\n',
                     "near.go": "package p\n\nvar EOSTokenID = 0x1F40\n"})
    assert list(scan_paths([tmp_path]).findings) == []
    rules = load_ruleset()
    for text in (b"x = 0x1F40", b"x = 128_00", b"x = 1280", b"x = 0o37201", b"v = 0b1111"):
        assert not file_may_match(text, rules), text


@pytest.mark.parametrize("notation", ["{:d}", "{:_d}", "0x{:x}", "0X{:X}", "0x{:_x}",
                                      "0x000{:x}", "0o{:o}", "0O{:_o}", "0{:o}", "0b{:b}",
                                      "0b{:_b}", "{:d}u32", "{:d}L", "{:d}n", "{:d}usize"])
def test_every_id_of_the_rules_in_every_notation(notation: str) -> None:
    """Derived from ``[special_tokens] ids`` in rules/python.toml, not a second list."""
    rules = load_ruleset()
    assert token_ids(rules) == {128001, 128008, 128009, 200001, 200007, 200008}
    for value in token_ids(rules):
        written = notation.format(value)
        assert file_may_match(f"eos = {written}\n".encode(), rules), written


def test_the_spellings_are_exact() -> None:
    """Each id's spellings, as a full match, read exactly that id (checked against int())."""
    import re

    ids = [128009, 200008]
    pattern = re.compile("|".join(token_id_spellings(ids)))
    for value in range(127_000, 210_000):
        for prefix, code in (("", "d"), ("0x", "x"), ("0o", "o"), ("0", "o"), ("0b", "b")):
            written = prefix + format(value, code)
            assert (pattern.fullmatch(written) is not None) == (value in ids), written
