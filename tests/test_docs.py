"""docs/ stays true: usage.md is the real --help, every relative link and anchor resolves,
every page is reachable from the README, and the documented options and rule ids exist."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT
from .docs_helpers import USAGE_GENERATOR, parse_markdown

DOCS = PROJECT / "docs"
README = PROJECT / "README.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
# Linked from the README before it exists: the lead writes it after the rules work lands.
RESERVED = {PROJECT / "CONTRIBUTING.md"}


def _name(path: Path) -> str:
    return str(path.relative_to(PROJECT))


@pytest.mark.parametrize("columns", [None, "40", "200"])
def test_usage_md_is_the_real_help(columns: str | None) -> None:
    """Regenerated in a fresh interpreter (click caches each command's help option on first
    use, so help rendered after other tests ran commands in-process can differ), at several
    terminal widths: the generator fixes the width, so the output never changes."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    check = subprocess.run([sys.executable, str(USAGE_GENERATOR), "--check"], env=env,
                           cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stderr


def test_usage_covers_nested_commands() -> None:
    titles = re.findall(r"^## `llama-audit ?(.*)`$", (DOCS / "usage.md").read_text(), re.M)
    assert titles[0] == ""
    for command in ("scan", "fix", "catalog show", "catalog refresh", "catalog verify",
                    "rules explain", "rules docs", "config show"):
        assert command in titles, command


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for line, target in parse_markdown(page).links():
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if linked in RESERVED and not linked.exists():
            continue
        if not linked.exists():
            broken.append(f"{_name(page)}:{line}: {target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in parse_markdown(linked).anchors:
            broken.append(f"{_name(page)}:{line}: {target}: no such heading")
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_code_blocks_are_closed_and_not_nested(page: Path) -> None:
    parsed = parse_markdown(page)
    assert (parsed.nested_fences, parsed.unclosed_fence) == ((), None)


def test_every_doc_page_is_linked_from_the_readme() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve()
              for _, target in parse_markdown(README).links()}
    assert [_name(p) for p in DOCS.glob("*.md") if p not in linked] == []


def test_documented_rule_ids_exist() -> None:
    known = set(re.findall(r"^\| \[(LA\d{3})\]", (DOCS / "rules.md").read_text(), re.M))
    assert len(known) >= 20
    for page in PAGES:
        unknown = set(re.findall(r"\bLA\d{3}\b", page.read_text())) - known
        assert unknown == set(), (_name(page), unknown)


def test_scan_help_matches_the_documented_options(run_cli) -> None:
    text = (DOCS / "configuration.md").read_text()
    table = text.split("## `scan` options")[1].split("Default excludes")[0]
    help_text = run_cli(["scan", "--help"]).out
    options = re.findall(r"`(--[a-z-]+)", table)
    assert len(options) >= 20
    for option in options:
        assert option in help_text, option


def test_named_project_files_exist() -> None:
    """Files of this repository named in the docs (tests and rule tables move) still exist."""
    pattern = re.compile(r"(?<![\w./-])(?:tests|benchmarks|rules|schemas|fixtures|docs)/[\w./-]*\w")
    missing = [f"{_name(page)}: {path}" for page in PAGES
               for path in pattern.findall(page.read_text())
               if not (PROJECT / path).exists()]
    assert missing == []


def _documented_options() -> dict[tuple[str, ...], set[str]]:
    """Each command path of docs/usage.md with the options its help lists."""
    usage = (DOCS / "usage.md").read_text()
    blocks = re.findall(r"^## `llama-audit ?([^`]*)`\n\n```text\n(.*?)```", usage, re.M | re.S)
    return {tuple(title.split()): set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)",
                                                 text.partition("\nOptions:")[2]))
            for title, text in blocks}


def _commands_in(page: Path) -> list[str]:
    """``llama-audit ...`` command lines in code blocks and inline code, continuations joined."""
    text = page.read_text().replace("\\\n", " ")
    prose = {line for _, line in parse_markdown(page).prose}
    found = []
    for line in text.splitlines():
        if line in prose:
            found += re.findall(r"`(llama-audit [^`]+)`", line)
        else:
            found += re.findall(r"^\s*(?:\$ |- run: |run: |- )?(llama-audit [^#]*)", line)
    return found


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_documented_commands_use_real_options(page: Path) -> None:
    options = _documented_options()
    wrong = []
    for command in _commands_in(page):
        words = shlex.split(command.replace("\\|", " "))[1:]
        words = words[:next((i for i, w in enumerate(words) if w in ("|", ">")), len(words))]
        path = max((p for p in options if tuple(words[:len(p)]) == p), key=len)
        used = {w.split("=")[0] for w in words[len(path):] if w.startswith("-")}
        if not used <= options[path]:
            wrong.append(f"{command}: {sorted(used - options[path])}")
    assert wrong == []
