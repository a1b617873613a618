"""The geometry of the dashboard's and statistics page's charts: where each bar, point, axis and
label stands, its numbers already formatted. templates/macros/charts.html draws it as an
accessible SVG (``role="img"`` labelled by its title and description, no script, no inline
style); the page puts the data table beneath it, so the figures are readable without it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: How many characters of a bar's label are shown (a longer one ends with "…").
LABEL_CHARS = 28


@dataclass(frozen=True)
class Bar:
    """One category of a bar chart: what it is called and its value."""

    label: str
    value: float
    highlight: float = 0.0  # a part of the bar drawn in the alert colour (e.g. overdue)


@dataclass(frozen=True)
class Label:
    """A text at (x, y); ``anchor`` is "end" for a text that ends there, else empty."""

    x: str
    y: str
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Axis:
    """An axis: a line from (x1, y1) to (x2, y2)."""

    x1: str
    y1: str
    x2: str
    y2: str


@dataclass(frozen=True)
class BarRow:
    """A drawn bar: its label, its rectangle, the alert part of it (``alert_width`` empty when
    there is none) and its value written after its end."""

    label: Label
    x: str
    y: str
    width: str
    height: str
    alert_width: str
    value: Label


@dataclass(frozen=True)
class Point:
    """A point of a line chart."""

    x: str
    y: str


@dataclass(frozen=True)
class Chart:
    """A chart to draw: its kind, id, title, description, size and positioned parts."""

    kind: Literal["bar", "line"]
    chart_id: str
    title: str
    desc: str
    width: int
    height: int
    axes: tuple[Axis, ...]
    bars: tuple[BarRow, ...] = ()
    ticks: tuple[Label, ...] = ()  # the values written on the y axis
    points: tuple[Point, ...] = ()
    x_labels: tuple[Label, ...] = ()

    @property
    def title_id(self) -> str:
        return f"{self.chart_id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.chart_id}-desc"

    @property
    def polyline(self) -> str:
        """The points as an SVG ``points`` attribute."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


def number(value: float) -> str:
    """A value as written on a chart: an integer without decimals, else the shortest form."""
    return f"{value:g}" if value != int(value) else str(int(value))


def short_label(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], *,
              width: int = 640, bar_height: int = 22) -> Chart:
    """Horizontal bars, one per category, the value written at the end of each bar."""
    label_width, gap, top = 180, 8, 8
    height = top * 2 + max(1, len(bars)) * (bar_height + gap)
    biggest = max((b.value for b in bars), default=0) or 1
    room = width - label_width - 60
    rows = []
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = room * bar.value / biggest
        alert = room * min(bar.highlight, bar.value) / biggest
        baseline = f"{y + bar_height * 0.7:.1f}"
        rows.append(BarRow(
            label=Label(str(label_width - 6), baseline, short_label(bar.label), "end"),
            x=str(label_width), y=str(y), width=f"{length:.1f}", height=str(bar_height),
            alert_width=f"{alert:.1f}" if alert > 0 else "",
            value=Label(f"{label_width + length + 6:.1f}", baseline, number(bar.value))))
    axis = Axis(str(label_width), str(top), str(label_width), str(height - top))
    return Chart("bar", chart_id, title, desc, width, height, (axis,), bars=tuple(rows))


def line_chart(chart_id: str, title: str, desc: str, points: Sequence[tuple[str, float]], *,
               width: int = 640, height: int = 240) -> Chart:
    """A line over time with its first and last labels on the x axis and the maximum on y."""
    left, right, top, bottom = 48, 16, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((v for _, v in points), default=0) or 1
    axes = (Axis(str(left), str(top + plot_h), str(left + plot_w), str(top + plot_h)),
            Axis(str(left), str(top), str(left), str(top + plot_h)))
    ticks = (Label(str(left - 6), str(top + 10), number(biggest), "end"),
             Label(str(left - 6), str(top + plot_h), "0", "end"))
    step = plot_w / max(1, len(points) - 1)
    drawn = tuple(Point(f"{left + i * step:.1f}", f"{top + plot_h - plot_h * v / biggest:.1f}")
                  for i, (_, v) in enumerate(points))
    x_labels = (Label(str(left), str(height - 12), points[0][0]),
                Label(str(left + plot_w), str(height - 12), points[-1][0], "end")
                ) if points else ()
    return Chart("line", chart_id, title, desc, width, height, axes, ticks=ticks,
                 points=drawn, x_labels=x_labels)
