"""Every output format, each mapped to one pure renderer ``AuditResult -> str``."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from ..model import AuditResult
from .cyclonedx import render_cyclonedx
from .html import render_html
from .json_report import render_json
from .markdown import render_markdown
from .sarif import render_sarif
from .text import render_text


class Format(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    CYCLONEDX = "cyclonedx"

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_EXTENSIONS: Mapping[Format, str] = {
    Format.TEXT: ".txt",
    Format.JSON: ".json",
    Format.SARIF: ".sarif",
    Format.MARKDOWN: ".md",
    Format.HTML: ".html",
    Format.CYCLONEDX: ".cdx.json",
}

_LABELS: Mapping[Format, str] = {
    Format.TEXT: "text",
    Format.JSON: "JSON",
    Format.SARIF: "SARIF",
    Format.MARKDOWN: "Markdown",
    Format.HTML: "HTML",
    Format.CYCLONEDX: "CycloneDX",
}

Renderer = Callable[[AuditResult], str]

RENDERERS: Mapping[Format, Renderer] = {
    Format.TEXT: lambda result: render_text(result, color=False),
    Format.JSON: render_json,
    Format.SARIF: render_sarif,
    Format.MARKDOWN: render_markdown,
    Format.HTML: render_html,
    Format.CYCLONEDX: render_cyclonedx,
}

EXTRA_OUTPUT_OPTIONS: Mapping[Format, str] = {
    Format.JSON: "--json-output",
    Format.SARIF: "--sarif-output",
    Format.MARKDOWN: "--markdown-output",
    Format.HTML: "--html-output",
    Format.CYCLONEDX: "--cyclonedx-output",
}
"""The Semgrep-style options that add an output of one format to the same run."""


def format_names() -> list[str]:
    return [fmt.value for fmt in Format]


def render(
    result: AuditResult,
    fmt: Format,
    *,
    color: bool = False,
    verbose: bool = False,
    link_base: str | None = None,
    width: int | None = None,
) -> str:
    """Render ``result`` as ``fmt``.

    ``color``, ``verbose`` and ``width`` affect text only, ``link_base`` Markdown only.
    """
    if fmt is Format.TEXT:
        return render_text(result, color=color, verbose=verbose, width=width)
    if fmt is Format.MARKDOWN:
        return render_markdown(result, link_base=link_base)
    return RENDERERS[fmt](result)
