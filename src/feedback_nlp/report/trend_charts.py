"""Inline SVG charts over time: NPS per period with its interval band, theme shares per period.

Pure functions from plain data to SVG text, with the same rules as
:mod:`.charts`: escaped text, ``role="img"``, a ``<title>``, no ids, fixed
number formatting, the Okabe-Ito palette.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .formatting import fmt_interval, fmt_num
from .svg import (
    DETRACTOR,
    GRID,
    INK,
    MUTED,
    PROMOTER,
    coord,
    figure,
    group,
    line,
    nice_step,
    text,
    tick_label,
    wrap_label,
)

__all__ = ["TrendPoint", "ThemeSeries", "nps_trend", "theme_share_panels"]


@dataclass(frozen=True)
class TrendPoint:
    """NPS of one period with its 95% interval and respondent count."""

    period: str
    nps: float
    ci_low: float
    ci_high: float
    n: int


@dataclass(frozen=True)
class ThemeSeries:
    """One theme's share of detractor and promoter comments per period (fractions, NaN = none)."""

    theme_id: str
    label: str
    detractors: tuple[float, ...]
    promoters: tuple[float, ...]


def _x_positions(k: int, x0: float, x1: float) -> list[float]:
    if k == 1:
        return [(x0 + x1) / 2]
    return [x0 + i * (x1 - x0) / (k - 1) for i in range(k)]


def _tick_every(k: int, width: float) -> int:
    """Label every n-th period so the labels (up to 8 characters) do not overlap."""
    return max(1, math.ceil(k * 70 / max(width, 1)))


def _path(xs: Sequence[float], ys: Sequence[float | None]) -> str:
    """A polyline path that breaks at missing values."""
    d, pen = [], False
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            pen = False
            continue
        d.append(("L" if pen else "M") + f"{coord(x)} {coord(y)}")
        pen = True
    return " ".join(d)


def nps_trend(points: Sequence[TrendPoint], title: str, score: str = "NPS") -> str:
    """NPS per period as a line with dots, over a shaded band of its 95% interval.

    ``score`` names the score in tooltips and the caption (``NPS-style score``
    on another scale).
    """
    pts = [p for p in points if math.isfinite(p.nps)]
    width, height, left, right, top, bottom = 900.0, 300.0, 56.0, 20.0, 16.0, 52.0
    x0, x1, y0, y1 = left, width - right, top, height - bottom
    values = [v for p in pts for v in (p.ci_low, p.ci_high, p.nps)] + [0.0]
    step = nice_step(max(values) - min(values) + 10, 5)
    lo = max(-100.0, math.floor((min(values) - 2) / step) * step)
    hi = min(100.0, math.ceil((max(values) + 2) / step) * step)

    def sy(v: float) -> float:
        return y1 - (max(lo, min(hi, v)) - lo) / (hi - lo) * (y1 - y0)

    parts: list[str] = []
    for k in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        t = round(k * step, 6)
        parts.append(line(x0, sy(t), x1, sy(t), "#999" if t == 0 else GRID))
        parts.append(text(x0 - 8, sy(t) + 4, tick_label(t), "end", MUTED))
    xs = _x_positions(len(pts), x0 + 20, x1 - 20)
    if pts:
        band = [f"{coord(x)},{coord(sy(p.ci_high))}" for x, p in zip(xs, pts, strict=True)]
        band += [
            f"{coord(x)},{coord(sy(p.ci_low))}"
            for x, p in reversed(list(zip(xs, pts, strict=True)))
        ]
        parts.append(f'<polygon points="{" ".join(band)}" fill="{PROMOTER}" fill-opacity="0.15"/>')
        ys: list[float | None] = [sy(p.nps) for p in pts]
        parts.append(
            f'<path d="{_path(xs, ys)}" fill="none" stroke="{PROMOTER}" stroke-width="2"/>'
        )
    every = _tick_every(len(pts), x1 - x0)
    for i, (x, p) in enumerate(zip(xs, pts, strict=True)):
        tip = (
            f"{p.period}: {score} {fmt_num(p.nps, signed=True)} "
            f"(95% CI {fmt_interval(p.ci_low, p.ci_high)}), n = {p.n}"
        )
        label = (
            text(x, y1 + 18, p.period, "middle", MUTED)
            if i % every == 0 or i == len(pts) - 1
            else ""
        )
        parts.append(
            group(
                tip,
                f'<circle cx="{coord(x)}" cy="{coord(sy(p.nps))}" r="4" fill="{PROMOTER}"/>',
                label,
            )
        )
    if pts:
        last = pts[-1]
        parts.append(
            text(
                xs[-1], sy(last.nps) - 10, fmt_num(last.nps, signed=True), "middle", INK, bold=True
            )
        )
    caption = f"{score} per period; band: 95% interval"
    parts.append(text((x0 + x1) / 2, height - 8, caption, "middle"))
    return figure(width, height, title, parts, cls="chart wide")


def theme_share_panels(periods: Sequence[str], series: Sequence[ThemeSeries], title: str) -> str:
    """Small multiples: per theme, its share of detractor (orange) and promoter (blue) comments.

    All panels share one y scale (0 to the largest share) so they compare.
    """
    cols = 3 if len(series) > 4 else max(1, min(2, len(series)))
    rows = math.ceil(len(series) / cols) if series else 1
    pw, ph, gap = 290.0, 170.0, 10.0
    width = cols * pw + (cols - 1) * gap
    height = rows * ph + 24
    shares = [v for s in series for v in (*s.detractors, *s.promoters) if math.isfinite(v)]
    top = max(0.05, math.ceil(max(shares + [0.0]) * 20) / 20)  # round up to 5 points
    parts: list[str] = [
        text(
            0,
            height - 6,
            f"Share of comments (0 to {100 * top:.0f}%); orange: detractors, blue: promoters",
            "start",
            MUTED,
            12,
        )
    ]
    for i, s in enumerate(series):
        ox, oy = (i % cols) * (pw + gap), (i // cols) * ph
        x0, x1, y0, y1 = ox + 34, ox + pw - 12, oy + 34, oy + ph - 30
        head = wrap_label(f"{s.theme_id} {s.label}", 38, 1)[0]
        parts.append(text(ox + 4, oy + 16, head, "start", INK, bold=True))
        for frac in (0.0, 0.5, 1.0):
            y = y1 - frac * (y1 - y0)
            parts.append(line(x0, y, x1, y, GRID))
            parts.append(text(x0 - 4, y + 4, f"{100 * top * frac:.0f}%", "end", MUTED, 11))
        xs = _x_positions(len(periods), x0 + 6, x1 - 6)

        def sy(v: float, y0: float = y0, y1: float = y1) -> float | None:
            return y1 - min(v, top) / top * (y1 - y0) if math.isfinite(v) else None

        for values, colour, who in (
            (s.promoters, PROMOTER, "promoter"),
            (s.detractors, DETRACTOR, "detractor"),
        ):
            ys = [sy(v) for v in values]
            parts.append(
                f'<path d="{_path(xs, ys)}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for x, yv, v, p in zip(xs, ys, values, periods, strict=True):
                if yv is not None:
                    parts.append(
                        group(
                            f"{s.theme_id} {s.label}, {p}: {100 * v:.1f}% of {who} comments",
                            f'<circle cx="{coord(x)}" cy="{coord(yv)}" r="3" fill="{colour}"/>',
                        )
                    )
        if periods:
            parts.append(text(xs[0], y1 + 16, periods[0], "start", MUTED, 11))
            if len(periods) > 1:
                parts.append(text(xs[-1], y1 + 16, periods[-1], "end", MUTED, 11))
    return figure(width, height, title, parts, cls="chart")
