"""Reading README.md and docs/*.md the way GitHub renders them: code fences, heading anchors
and relative links, plus the docs/usage.md generator loaded from its script."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .conftest import PROJECT

USAGE_GENERATOR = PROJECT / "docs" / "generate_usage.py"
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"(`+).*?\1")


def load_usage_generator() -> ModuleType:
    """docs/generate_usage.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("generate_usage", USAGE_GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Markdown:
    """The parts of one Markdown file that links depend on."""

    path: Path
    prose: tuple[tuple[int, str], ...]      # (line number, text) outside code fences
    nested_fences: tuple[int, ...]          # lines that open a fence inside a fence
    unclosed_fence: int | None              # line of a fence still open at the end

    @property
    def anchors(self) -> set[str]:
        """GitHub's heading ids (with -1, -2 for repeats) and explicit ``<a id>`` anchors."""
        seen: dict[str, int] = {}
        found = set(HTML_ANCHOR.findall(self.path.read_text(encoding="utf-8")))
        for _, line in self.prose:
            heading = HEADING.match(line)
            if heading is None:
                continue
            slug = github_slug(heading.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
        return found

    def links(self) -> list[tuple[int, str]]:
        """(line, target) of every Markdown link outside code."""
        return [(number, target) for number, line in self.prose
                for target in LINK.findall(INLINE_CODE.sub("", line))]


def github_slug(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def parse_markdown(path: Path) -> Markdown:
    """Split a file into prose and fenced code, CommonMark's way: a fence closes only with the
    same character, at least as long, and no info string."""
    prose: list[tuple[int, str]] = []
    nested: list[int] = []
    open_fence: tuple[str, int] | None = None  # (marker, line)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if open_fence is None:
            if fence is not None:
                open_fence = (fence.group(1), number)
            else:
                prose.append((number, line))
            continue
        marker = open_fence[0]
        if fence is None or fence.group(1)[0] != marker[0] or len(fence.group(1)) < len(marker):
            continue
        if fence.group(2).strip():
            nested.append(number)  # "```bash" inside "```": the outer fence needed more ticks
        else:
            open_fence = None
    return Markdown(path, tuple(prose), tuple(nested),
                    None if open_fence is None else open_fence[1])
