"""Every output format, each mapped to one pure renderer ``AuditResult -> str``."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from auditor.types import AuditResult


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

_RENDERER_PATHS: Mapping[Format, str] = {
    Format.TEXT: "text:render_text",
    Format.JSON: "json_report:render_json",
    Format.SARIF: "sarif:render_sarif",
    Format.MARKDOWN: "markdown:render_markdown",
    Format.HTML: "html:render_html",
    Format.CYCLONEDX: "cyclonedx:render_cyclonedx",
}
"""Renderers are imported when first used: CycloneDX and Jinja2 cost a scan that writes text
a good share of its start-up time."""


def _renderer(fmt: Format) -> Callable[..., str]:
    module_name, _, function = _RENDERER_PATHS[fmt].partition(":")
    module: Any = importlib.import_module(f"{__package__}.{module_name}")
    found: Callable[..., str] = getattr(module, function)
    return found


class _LazyRenderers(Mapping[Format, Renderer]):
    """Format -> ``render(result) -> str``, importing each renderer on first access."""

    def __getitem__(self, fmt: Format) -> Renderer:
        renderer = _renderer(fmt)
        if fmt is Format.TEXT:
            return lambda result: renderer(result, color=False)
        return renderer

    def __iter__(self) -> Iterator[Format]:
        return iter(_RENDERER_PATHS)

    def __len__(self) -> int:
        return len(_RENDERER_PATHS)


RENDERERS: Mapping[Format, Renderer] = _LazyRenderers()

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
        return _renderer(fmt)(result, color=color, verbose=verbose, width=width)
    if fmt is Format.MARKDOWN:
        return _renderer(fmt)(result, link_base=link_base)
    return RENDERERS[fmt](result)
