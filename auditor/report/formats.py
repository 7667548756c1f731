"""Every output format as one ``FormatSpec`` row: its label, file extension, extra-output
option, renderer and the rendering options that renderer takes.

Renderers are imported when first used: CycloneDX and Jinja2 cost a scan that writes text a
good share of its start-up time. Each is a pure ``render(result, **options) -> str``.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.types import AuditResult


class Format(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    MARKDOWN_COMMENT = "markdown-comment"
    HTML = "html"
    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"
    GITLAB = "gitlab"

    @property
    def spec(self) -> FormatSpec:
        return _SPECS[self]

    @property
    def extension(self) -> str:
        return self.spec.extension

    @property
    def label(self) -> str:
        return self.spec.label


@dataclass(frozen=True)
class FormatSpec:
    format: Format
    label: str
    """How help texts and messages name the format."""
    extension: str
    """File name ending of a report in this format."""
    renderer: str
    """``module:function`` in ``auditor.report``, imported on first use."""
    extra_output_option: str | None
    """The Semgrep-style option that adds an output of this format to a run (None: none)."""
    options: frozenset[str] = frozenset()
    """The keyword options of ``render`` this renderer takes; it is called without the rest."""


SPECS: tuple[FormatSpec, ...] = (
    FormatSpec(Format.TEXT, "text", ".txt", "text:render_text", None,
               frozenset({"color", "verbose", "width"})),
    FormatSpec(Format.JSON, "JSON", ".json", "json_report:render_json", "--json-output"),
    FormatSpec(Format.SARIF, "SARIF", ".sarif", "sarif:render_sarif", "--sarif-output"),
    FormatSpec(Format.MARKDOWN, "Markdown", ".md", "markdown:render_markdown",
               "--markdown-output", frozenset({"link_base"})),
    FormatSpec(Format.MARKDOWN_COMMENT, "Markdown comment", ".comment.md",
               "markdown:render_markdown_comment", "--markdown-comment-output",
               frozenset({"link_base"})),
    FormatSpec(Format.HTML, "HTML", ".html", "html:render_html", "--html-output"),
    FormatSpec(Format.CYCLONEDX, "CycloneDX", ".cdx.json", "cyclonedx:render_cyclonedx",
               "--cyclonedx-output"),
    FormatSpec(Format.SPDX, "SPDX", ".spdx.json", "spdx:render_spdx", "--spdx-output"),
    FormatSpec(Format.GITLAB, "GitLab Code Quality", ".codequality.json",
               "gitlab:render_gitlab", "--gitlab-output"),
)

_SPECS: Mapping[Format, FormatSpec] = {spec.format: spec for spec in SPECS}

Renderer = Callable[[AuditResult], str]


def _renderer(fmt: Format) -> Callable[..., str]:
    module_name, _, function = _SPECS[fmt].renderer.partition(":")
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
        return iter(_SPECS)

    def __len__(self) -> int:
        return len(_SPECS)


RENDERERS: Mapping[Format, Renderer] = _LazyRenderers()

EXTRA_OUTPUT_OPTIONS: Mapping[Format, str] = {
    spec.format: spec.extra_output_option for spec in SPECS
    if spec.extra_output_option is not None
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

    ``color``, ``verbose`` and ``width`` affect text only, ``link_base`` Markdown only: each
    renderer gets the options its ``FormatSpec`` names.
    """
    given = {"color": color, "verbose": verbose, "link_base": link_base, "width": width}
    options = {name: value for name, value in given.items() if name in _SPECS[fmt].options}
    return _renderer(fmt)(result, **options)
