"""Constants defined in one module and used in another (issue 18 item 2): every import form,
re-exports, cycles, missing modules, shadowed names, the pool and the cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import auditor.scan.index as stat_index
import auditor.scan.runner as engine
from auditor.ruleset.load import load_ruleset
from auditor.scan.python.crossrefs import WHOLE, module_links
from auditor.scan.runner import ScanOptions, scan_paths

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
GROQ = "groq/llama-3.3-70b-versatile"
CONSTANTS = (f'MODEL_ID = "{LLAMA}"\n'
             f'LLAMA3_3 = {{"model": "{GROQ}", "temperature": 0}}\n')
LOADER = "from transformers import AutoModelForCausalLM\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _rows(root: Path, **options: object) -> list[tuple[str, int, int, str | None, str]]:
    result = scan_paths([root], ScanOptions(**options))  # type: ignore[arg-type]
    return [(f.path, f.line, f.column, f.identifier, f.rule_id) for f in result.findings
            if f.rule_id == "LA102"]


def _package(root: Path, user: str, rel: str = "pkg/user.py") -> Path:
    return _write(root, {"pkg/__init__.py": "", "pkg/constants.py": CONSTANTS, rel: user})


@pytest.mark.parametrize("imports, argument", [
    ("from pkg.constants import MODEL_ID\n", "MODEL_ID"),
    ("from .constants import MODEL_ID\n", "MODEL_ID"),
    ("from .constants import MODEL_ID as CHOSEN\n", "CHOSEN"),
    ("import pkg.constants as c\n", "c.MODEL_ID"),
    ("import pkg.constants\n", "pkg.constants.MODEL_ID"),
    ("from . import constants\n", "constants.MODEL_ID"),
    ("from pkg import constants\n", "constants.MODEL_ID"),
    ("from pkg.constants import *\n", "MODEL_ID"),
    ("from .constants import *\n", "MODEL_ID"),
    ("from pkg.constants import (\n    LLAMA3_3,\n    MODEL_ID,\n)\n", "MODEL_ID"),
    ("from pkg.constants import LLAMA3_3, \\\n    MODEL_ID\n", "MODEL_ID"),
])
def test_each_import_form_reports_the_loader(tmp_path: Path, imports: str,
                                             argument: str) -> None:
    _package(tmp_path, LOADER + imports + f"\nmodel = AutoModelForCausalLM.from_pretrained("
                                          f"{argument})\n")
    assert _rows(tmp_path) == [("pkg/user.py", imports.count("\n") + 3, 9, LLAMA, "LA102")]


def test_dict_constant_by_key_and_unpacked(tmp_path: Path) -> None:
    _package(tmp_path, "import litellm\nfrom pkg.constants import LLAMA3_3\n\n"
                       "litellm.completion(model=LLAMA3_3['model'], messages=[])\n"
                       "litellm.completion(**LLAMA3_3, messages=[])\n"
                       "litellm.completion(model=LLAMA3_3['temperature'], messages=[])\n",
             rel="app/main.py")
    assert _rows(tmp_path) == [("app/main.py", 4, 1, GROQ, "LA102"),
                               ("app/main.py", 5, 1, GROQ, "LA102")]


def test_a_file_without_llama_text_is_read_for_the_join(tmp_path: Path) -> None:
    """The use file names no Llama: the byte prefilter skips it in the scan, the join reads
    it; the constant's own line keeps its LA101."""
    _package(tmp_path, LOADER + "from pkg.constants import MODEL_ID\n\n"
                                "def load():\n"
                                "    return AutoModelForCausalLM.from_pretrained(\n"
                                "        MODEL_ID, device_map='auto')\n")
    result = scan_paths([tmp_path])
    assert [(f.path, f.line, f.column, f.identifier, f.rule_id) for f in result.findings] == [
        ("pkg/constants.py", 1, 12, LLAMA, "LA101"),
        ("pkg/constants.py", 2, 22, GROQ, "LA101"),
        ("pkg/user.py", 5, 12, LLAMA, "LA102"),
    ]


def test_re_exports_through_a_package_init(tmp_path: Path) -> None:
    _write(tmp_path, {
        "src/pkg/__init__.py": "from .settings import *\n",
        "src/pkg/settings.py": "from .constants import MODEL_ID as DEFAULT_MODEL\n",
        "src/pkg/constants.py": CONSTANTS,
        "scripts/run.py": LOADER + "from pkg import DEFAULT_MODEL\n\n"
                                   "AutoModelForCausalLM.from_pretrained(DEFAULT_MODEL)\n",
    })
    assert _rows(tmp_path) == [("scripts/run.py", 4, 1, LLAMA, "LA102")]


def test_an_alias_of_an_alias_is_followed(tmp_path: Path) -> None:
    """``X as Y`` then ``Y as Z`` in two other modules: each round of the join's byte pass
    looks for the names the previous round added."""
    _write(tmp_path, {
        "constants.py": CONSTANTS,
        "first.py": "from constants import MODEL_ID as CHOSEN\n",
        "second.py": "from first import CHOSEN as PICKED\n",
        "run.py": LOADER + "from second import PICKED\n\n"
                           "AutoModelForCausalLM.from_pretrained(PICKED)\n",
    })
    assert _rows(tmp_path) == [("run.py", 4, 1, LLAMA, "LA102")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_use_file_with_a_byte_order_mark_is_read_as_text(tmp_path: Path,
                                                            encoding: str) -> None:
    """The quick byte read leaves a file with a byte-order mark to the full read, which
    decodes it (UTF-16 bytes hold no ASCII name)."""
    _package(tmp_path, "")
    (tmp_path / "pkg/user.py").write_text(
        LOADER + "from pkg.constants import MODEL_ID\n\n"
                 "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n", encoding=encoding)
    assert _rows(tmp_path) == [("pkg/user.py", 4, 1, LLAMA, "LA102")]


def test_a_use_file_with_nul_bytes_is_read_as_the_scan_reads_it(tmp_path: Path) -> None:
    """NUL bytes are read as spaces (the scan's rule): the use is still found."""
    _package(tmp_path, "")
    (tmp_path / "pkg/user.py").write_bytes(
        (LOADER + "from pkg.constants import MODEL_ID  # \x00\n\n"
                  "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n").encode())
    assert _rows(tmp_path) == [("pkg/user.py", 4, 1, LLAMA, "LA102")]


def test_a_definition_module_is_parsed_for_its_links_once(tmp_path: Path,
                                                          parsed: list[str]) -> None:
    """The scan takes a definition module's links where it reads the file (a pool worker
    when there is a pool); the join in the main process does not parse it again. A use file
    is parsed by the join."""
    user = (LOADER + "from pkg.constants import MODEL_ID\n\n"
            "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
    _package(tmp_path, user)
    assert _rows(tmp_path) == [("pkg/user.py", 4, 1, LLAMA, "LA102")]
    assert sorted(parsed) == sorted([CONSTANTS, user])


def test_a_file_binding_the_name_itself_is_not_parsed_by_the_join(
        tmp_path: Path, parsed: list[str]) -> None:
    """It holds the constant's name and a loader's, but imports neither: it cannot use
    another module's constant, and the join does not parse it."""
    local = LOADER + "MODEL_ID = 'gpt2'\n\nAutoModelForCausalLM.from_pretrained(MODEL_ID)\n"
    _package(tmp_path, local)
    assert _rows(tmp_path) == []
    assert parsed == [CONSTANTS]


def test_a_long_line_before_the_import_is_read_in_constant_memory(
        tmp_path: Path) -> None:
    """The use-file test walks a 400 KB line to the imported name (a single-class repeat, not a
    backtracking frame per character: benchmarks, not this test, measure the memory)."""
    long = "x = '" + "a" * (400 * 1024) + "'"  # under the parse limit (512K characters)
    _package(tmp_path, LOADER + f"import os; {long}; from pkg.constants import MODEL_ID\n\n"
                                "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
    assert _rows(tmp_path) == [("pkg/user.py", 4, 1, LLAMA, "LA102")]


def test_an_import_cycle_resolves_nothing_and_ends(tmp_path: Path) -> None:
    _write(tmp_path, {
        "constants.py": CONSTANTS,
        "a.py": "from b import MODEL_ID\nfrom b import *\n",
        "b.py": "from a import MODEL_ID\nfrom a import *\n",
        "user.py": LOADER + "from a import MODEL_ID\n"
                            "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n",
        "star.py": LOADER + "from b import *\n"
                            "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n",
    })
    assert _rows(tmp_path) == []


def test_a_missing_module_or_name_resolves_nothing(tmp_path: Path) -> None:
    _package(tmp_path, LOADER + "from .missing import MODEL_ID\n"
                                "from nowhere.constants import OTHER\n"
                                "from .constants import NOT_DEFINED\n"
                                "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n"
                                "AutoModelForCausalLM.from_pretrained(OTHER)\n"
                                "AutoModelForCausalLM.from_pretrained(NOT_DEFINED)\n")
    assert _rows(tmp_path) == []


def test_shadowed_names_are_not_the_import(tmp_path: Path) -> None:
    _package(tmp_path, LOADER + "from pkg.constants import MODEL_ID, LLAMA3_3\n"
                                "from pkg.constants import *\n\n"
                                "def load(MODEL_ID):\n"
                                "    return AutoModelForCausalLM.from_pretrained(MODEL_ID)\n\n"
                                "def load_local():\n"
                                "    LLAMA3_3 = pick()\n"
                                "    return AutoModelForCausalLM.from_pretrained(LLAMA3_3)\n\n"
                                "def load_default():\n"
                                "    return AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
    assert _rows(tmp_path) == [("pkg/user.py", 13, 12, LLAMA, "LA102")]


def test_a_module_level_rebinding_shadows_the_import(tmp_path: Path) -> None:
    _package(tmp_path, LOADER + "import os\nfrom pkg.constants import MODEL_ID\n"
                                "MODEL_ID = os.environ['MODEL']\n"
                                "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
    assert _rows(tmp_path) == []


def test_the_nearest_module_of_a_name_wins_and_a_tie_resolves_nothing(tmp_path: Path) -> None:
    _write(tmp_path, {
        "one/constants.py": CONSTANTS,
        "one/run.py": LOADER + "from constants import MODEL_ID\n"
                               "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n",
        "two/constants.py": 'MODEL_ID = "Qwen/Qwen2.5-7B-Instruct"\n',
        "two/run.py": LOADER + "from constants import MODEL_ID\n"
                               "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n",
        "three/run.py": LOADER + "from constants import MODEL_ID\n"
                                 "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n",
    })
    assert _rows(tmp_path) == [("one/run.py", 3, 1, LLAMA, "LA102")]


def test_the_same_rows_in_a_process_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    _package(tmp_path, LOADER + "from .constants import MODEL_ID\n"
                                "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
    serial = _rows(tmp_path)
    monkeypatch.setattr(engine, "POOL_THRESHOLD", 1)
    assert _rows(tmp_path, jobs=2) == serial == [("pkg/user.py", 3, 1, LLAMA, "LA102")]


def test_editing_the_constants_module_updates_a_cached_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The use file is unchanged and served from the warm-scan index and the result cache;
    the join is computed after them, from the constants module as it is now."""
    monkeypatch.setattr(stat_index, "SETTLE_NS", 300_000_000)
    root = _package(tmp_path / "repo", LOADER + "from .constants import MODEL_ID\n"
                                                "AutoModelForCausalLM.from_pretrained("
                                                "MODEL_ID)\n")
    hour_ago = time.time() - 3600
    for path in root.rglob("*.py"):
        os.utime(path, (hour_ago, hour_ago))
    time.sleep(0.35)
    cache = tmp_path / "cache"
    assert _rows(root, cache_dir=cache) == [("pkg/user.py", 3, 1, LLAMA, "LA102")]
    assert _rows(root, cache_dir=cache) == [("pkg/user.py", 3, 1, LLAMA, "LA102")]
    constants = root / "pkg" / "constants.py"
    constants.write_text('MODEL_ID = "meta-llama/Llama-3.2-3B-Instruct"\n', encoding="utf-8")
    assert _rows(root, cache_dir=cache) == [
        ("pkg/user.py", 3, 1, "meta-llama/Llama-3.2-3B-Instruct", "LA102")]
    constants.write_text('MODEL_ID = "Qwen/Qwen2.5-7B-Instruct"  # was llama\n',
                         encoding="utf-8")
    assert _rows(root, cache_dir=cache) == []


def test_module_links_records_definitions_imports_and_uses() -> None:
    links = module_links(
        "import litellm\nfrom .base import ORG\nfrom .more import *\n"
        f"MODEL_ID = 'meta-llama/' + 'Llama-3.1-8B'\nPAIR = ('a', \"{LLAMA}\")\n"
        f"OPTS = {{'model': '{GROQ}', 'n': 1}}\nCOUNT = 3\n"
        "litellm.completion(model=ORG)\n", load_ruleset())
    assert links is not None
    assert links.definitions == {"MODEL_ID": {WHOLE: ("meta-llama/Llama-3.1-8B",)},
                                 "PAIR": {WHOLE: ("a", LLAMA)},
                                 "OPTS": {"model": (GROQ,)}}
    assert links.imports == {"litellm": "litellm", "ORG": ".base.ORG"}
    assert links.stars == (".more",)
    assert [(u.ref, u.keys, u.starred, u.line, u.column, u.loader) for u in links.uses] == [
        (".base.ORG", (WHOLE,), False, 8, 1, "LiteLLM")]
    assert module_links("def broken(:\n", load_ruleset()) is None


def test_through_the_cli_with_its_default_cache(tmp_path: Path, run_cli,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    root = _package(tmp_path / "repo", LOADER + "from pkg.constants import MODEL_ID\n\n"
                                                "model = AutoModelForCausalLM.from_pretrained("
                                                "MODEL_ID)\n")
    for _ in range(2):  # cold, then warm from the cache
        run = run_cli(["scan", "--format", "json", str(root)])
        assert run.code == 1
        rows = [(f["path"], f["line"], f["column"], f["identifier"], f["rule_id"],
                 f["severity"]) for f in run.json()["findings"]]
        assert rows == [("pkg/constants.py", 1, 12, LLAMA, "LA101", "high"),
                        ("pkg/constants.py", 2, 22, GROQ, "LA101", "high"),
                        ("pkg/user.py", 4, 9, LLAMA, "LA102", "high")]


def test_a_suppression_comment_at_the_use_site_applies(tmp_path: Path, run_cli  # type: ignore[no-untyped-def]
                                                       ) -> None:
    root = _package(tmp_path / "repo", LOADER + "from pkg.constants import MODEL_ID\n"
                    "m = AutoModelForCausalLM.from_pretrained(MODEL_ID)  "
                    "# llama-audit: ignore[LA102] parity run\n")
    run = run_cli(["scan", "--no-cache", "--format", "json", str(root)])
    assert [(f["path"], f["line"], f["rule_id"]) for f in run.json()["findings"]] == [
        ("pkg/constants.py", 1, "LA101"), ("pkg/constants.py", 2, "LA101")]


def test_a_failing_join_keeps_every_file_result(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.scan.crossmodule as crossmodule

    def broken(self: object, findings: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(crossmodule._Root, "join", broken)
    _package(tmp_path, LOADER + "from .constants import MODEL_ID\n"
                                "AutoModelForCausalLM.from_pretrained(MODEL_ID)\n")
    result = scan_paths([tmp_path])
    assert [(f.path, f.line, f.rule_id) for f in result.findings] == [
        ("pkg/constants.py", 1, "LA101"), ("pkg/constants.py", 2, "LA101")]
    assert [(d.path, d.code, d.message) for d in result.diagnostics] == [
        (".", "scanner-error", "constants across modules not followed: RuntimeError: boom")]
