"""Bar charts as plain geometry, laid out here and drawn as inline SVG by the HTML template.

Keeping the arithmetic in Python keeps the template simple and lets the tests check numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    css: str
    """A CSS class naming the colour (severity-high, effort-retrain, ...)."""
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    label: str
    value: int
    css: str
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class StackedRow:
    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class StackedChart:
    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: tuple[StackedRow, ...]
    legend: tuple[tuple[str, str], ...]
    """(label, css) pairs."""


LABEL_CHARS = 30
"""Chart labels longer than this keep their end (the most specific part of a path)."""
BAR_HEIGHT = 22
GAP = 8
VALUE_ROOM = 48


def bar_chart(title: str, items: list[tuple[str, int, str]], *, width: int = 520,
              label_width: int = 150) -> BarChart:
    """Horizontal bars, one per (label, value, css) item, scaled to the largest value."""
    top = max((value for _, value, _ in items), default=0)
    room = width - label_width - VALUE_ROOM
    bars = []
    for index, (label, value, css) in enumerate(items):
        length = room * value / top if top else 0.0
        y = float(index * (BAR_HEIGHT + GAP))
        bars.append(Bar(shorten_left(label), value, css, float(label_width), y,
                        round(length, 2), float(BAR_HEIGHT)))
    height = max(1, len(items)) * (BAR_HEIGHT + GAP)
    return BarChart(title, width, height, label_width, tuple(bars))


def stacked_chart(title: str, rows: list[tuple[str, list[tuple[str, int, str]]]], *,
                  width: int = 640, label_width: int = 200) -> StackedChart:
    """One horizontal bar per row, split into segments, scaled to the largest row total."""
    top = max((sum(v for _, v, _ in parts) for _, parts in rows), default=0)
    room = width - label_width - VALUE_ROOM
    laid_out = []
    legend: dict[str, str] = {}
    for index, (label, parts) in enumerate(rows):
        x = float(label_width)
        segments = []
        for name, value, css in parts:
            legend.setdefault(name, css)
            if not value:
                continue
            length = round(room * value / top, 2) if top else 0.0
            segments.append(Segment(name, value, css, round(x, 2), length))
            x += length
        laid_out.append(StackedRow(shorten_left(label), sum(v for _, v, _ in parts),
                                   float(index * (BAR_HEIGHT + GAP)), tuple(segments)))
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP)
    return StackedChart(title, width, height, label_width, BAR_HEIGHT, tuple(laid_out),
                        tuple(legend.items()))


def shorten_left(label: str, limit: int = LABEL_CHARS) -> str:
    """``…`` plus the last ``limit - 1`` characters of a long label."""
    return label if len(label) <= limit else "…" + label[-(limit - 1):]
