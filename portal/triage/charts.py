"""Accessible SVG charts rendered on the server (no script, no inline style): each chart is an
``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``; the page puts the data table
beneath it, so the figures are readable without the picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR = "#1a4480"
ALERT = "#b50909"
AXIS = "#565c65"
TEXT = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: float = 0.0  # a part of the bar drawn in the alert colour (e.g. overdue)


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _head(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], *,
              width: int = 640, bar_height: int = 22) -> Markup:
    """Horizontal bars, one per category, the value written at the end of each bar."""
    label_width, gap, top = 180, 8, 8
    height = top * 2 + max(1, len(bars)) * (bar_height + gap)
    biggest = max((b.value for b in bars), default=0) or 1
    room = width - label_width - 60
    parts = _head(chart_id, title, desc, width, height)
    parts.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" '
                 f'y2="{height - top}" stroke="{AXIS}" stroke-width="1"/>')
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = room * bar.value / biggest
        alert = room * min(bar.highlight, bar.value) / biggest
        label = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" '
                     f'text-anchor="end" font-size="12" fill="{TEXT}">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" '
                     f'height="{bar_height}" fill="{BAR}"/>')
        if alert > 0:
            parts.append(f'<rect x="{label_width}" y="{y}" width="{alert:.1f}" '
                         f'height="{bar_height}" fill="{ALERT}"/>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7:.1f}" '
                     f'font-size="12" fill="{TEXT}">{escape(_fmt(bar.value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def line_chart(chart_id: str, title: str, desc: str, points: Sequence[tuple[str, float]], *,
               width: int = 640, height: int = 240) -> Markup:
    """A line over time with its first and last labels on the x axis and the maximum on y."""
    left, right, top, bottom = 48, 16, 16, 36
    parts = _head(chart_id, title, desc, width, height)
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((v for _, v in points), default=0) or 1
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
                 f'y2="{top + plot_h}" stroke="{AXIS}" stroke-width="1"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
                 f'stroke="{AXIS}" stroke-width="1"/>')
    parts.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="12" '
                 f'fill="{TEXT}">{escape(_fmt(biggest))}</text>')
    parts.append(f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="12" '
                 f'fill="{TEXT}">0</text>')
    if points:
        step = plot_w / max(1, len(points) - 1)
        coords = [(left + i * step, top + plot_h - plot_h * v / biggest)
                  for i, (_, v) in enumerate(points)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BAR}"/>')
        parts.append(f'<text x="{left}" y="{height - 12}" font-size="12" fill="{TEXT}">'
                     f'{escape(points[0][0])}</text>')
        parts.append(f'<text x="{left + plot_w}" y="{height - 12}" text-anchor="end" '
                     f'font-size="12" fill="{TEXT}">{escape(points[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
