"""Inline SVG charts over time: NPS per period with its interval band, theme shares per period.

Pure functions from plain data to SVG text, with the same rules as
:mod:`.charts`: escaped text, ``role="img"``, a ``<title>``, no ids, fixed
number formatting, the Okabe-Ito palette.

The x axis is time: each period sits at its first day, so a year without
answers shows as a gap, and the line (and the interval band) breaks where a
period has no answers. Ticks fall on calendar weeks, months or years, a
few across the axis whatever the number of periods. A period with few
respondents is drawn hollow, a partial period as a diamond joined by dashed
segments; the caption says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TrendPoint",
    "ThemeSeries",
    "trend_points",
    "nps_trend",
    "theme_share_panels",
    "time_ticks",
]


@dataclass(frozen=True)
class TrendPoint:
    """NPS of one period with its 95% interval and respondent count.

    ``start`` and ``end`` are the period's first and last day; ``low_n``: fewer
    respondents than the report's minimum; ``partial``: the answers cover only
    part of the period.
    """

    period: str
    nps: float
    ci_low: float
    ci_high: float
    n: int
    start: date
    end: date
    low_n: bool = False
    partial: bool = False


def trend_points(trends: pd.DataFrame) -> list[TrendPoint]:
    """The periods of a trend table (``result.trends``, its ``nps`` rows) as chart points.

    >>> points = trend_points(result.trends)  # doctest: +SKIP
    >>> svg = nps_trend(points, "NPS per month")  # doctest: +SKIP
    """
    return [
        TrendPoint(
            str(r.period), float(r.nps), float(r.ci_low), float(r.ci_high), int(r.n),
            date.fromisoformat(str(r.period_start)), date.fromisoformat(str(r.period_end)),
            low_n=bool(r.low_n), partial=bool(r.partial),
        )
        for r in trends[trends["kind"] == "nps"].itertuples(index=False)
    ]  # fmt: skip


@dataclass(frozen=True)
class ThemeSeries:
    """One theme's share of detractor and promoter comments per period (fractions, NaN = none)."""

    theme_id: str
    label: str
    detractors: tuple[float, ...]
    promoters: tuple[float, ...]


def _x_positions(points: Sequence[TrendPoint], x0: float, x1: float) -> list[float]:
    """Each period at its first day, on a linear time scale from the first to the last."""
    if not points:
        return []
    t0, t1 = points[0].start, points[-1].start
    days = (t1 - t0).days
    if days <= 0:
        return [(x0 + x1) / 2] * len(points)
    return [x0 + (p.start - t0).days / days * (x1 - x0) for p in points]


def _follows(a: TrendPoint, b: TrendPoint) -> bool:
    """True when ``b`` is the period right after ``a`` (no period without answers between)."""
    return b.start <= a.end + timedelta(days=1)


#: Tick steps from finest to coarsest: (unit, count, the most days such a step spans).
_STEPS = (
    ("week", 1, 7), ("week", 2, 14), ("month", 1, 31), ("month", 2, 62), ("month", 3, 92),
    ("month", 6, 184), ("year", 1, 366), ("year", 2, 731), ("year", 5, 1827),
    ("year", 10, 3653), ("year", 20, 7305), ("year", 50, 18263), ("year", 100, 36525),
)  # fmt: skip


def _step_ticks(t0: date, t1: date, unit: str, k: int) -> list[tuple[date, str]]:
    """Calendar ticks from ``t0`` to ``t1``: every k-th Monday, first of month or New Year."""
    out: list[tuple[date, str]] = []
    if unit == "week":
        d = t0 + timedelta(days=(7 - t0.weekday()) % 7)
        while d <= t1:
            out.append((d, d.strftime("%Y-%m-%d")))
            d += timedelta(days=7 * k)
    elif unit == "month":
        y, m = t0.year, t0.month
        while date(y, m, 1) <= t1:
            if date(y, m, 1) >= t0 and (m - 1) % k == 0:
                out.append((date(y, m, 1), f"{y}-{m:02d}"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        for y in range(t0.year, t1.year + 1):
            if date(y, 1, 1) >= t0 and y % k == 0:
                out.append((date(y, 1, 1), str(y)))
    return out


def time_ticks(points: Sequence[TrendPoint], max_ticks: int) -> list[tuple[date, str]]:
    """At most ``max_ticks`` calendar ticks between the first and the last period's start.

    The finest step no shorter than the shortest period (no weekly ticks on
    monthly data) that needs no more than ``max_ticks`` ticks.
    """
    if len(points) < 2 or points[-1].start <= points[0].start:
        return []
    t0, t1 = points[0].start, points[-1].start
    shortest = min((p.end - p.start).days + 1 for p in points)
    for unit, k, days in _STEPS:
        if days < shortest:
            continue
        ticks = _step_ticks(t0, t1, unit, k)
        if 1 <= len(ticks) <= max_ticks:
            return ticks
    return []


def _segments(
    xs: Sequence[float], ys: Sequence[float], points: Sequence[TrendPoint]
) -> tuple[str, str]:
    """Path data of the line between consecutive periods: (solid, dashed).

    No segment across a period without answers; a segment touching a partial
    period is dashed.
    """
    paths: dict[bool, list[str]] = {False: [], True: []}
    pen: dict[bool, tuple[float, float] | None] = {False: None, True: None}
    for i in range(len(points) - 1):
        if not _follows(points[i], points[i + 1]):
            continue
        dash = points[i].partial or points[i + 1].partial
        a, b = (xs[i], ys[i]), (xs[i + 1], ys[i + 1])
        if pen[dash] != a:
            paths[dash].append(f"M{coord(a[0])} {coord(a[1])}")
        paths[dash].append(f"L{coord(b[0])} {coord(b[1])}")
        pen[dash] = b
    return " ".join(paths[False]), " ".join(paths[True])


def _path(xs: Sequence[float], ys: Sequence[float | None], points: Sequence[TrendPoint]) -> str:
    """A polyline path that breaks at missing values and across periods without answers."""
    d, pen = [], False
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if y is None:
            pen = False
            continue
        pen = pen and _follows(points[i - 1], points[i])
        d.append(("L" if pen else "M") + f"{coord(x)} {coord(y)}")
        pen = True
    return " ".join(d)


def _runs(points: Sequence[TrendPoint]) -> list[range]:
    """Index ranges of consecutive periods (no period without answers inside)."""
    out, first = [], 0
    for i in range(1, len(points) + 1):
        if i == len(points) or not _follows(points[i - 1], points[i]):
            out.append(range(first, i))
            first = i
    return out


def _marker(x: float, y: float, p: TrendPoint) -> str:
    """A dot: hollow when low n, a diamond when partial."""
    fill = "#fff" if p.low_n else PROMOTER
    style = f'fill="{fill}" stroke="{PROMOTER}" stroke-width="1.5"'
    if p.partial:
        r = 5.5
        return (
            f'<path d="M{coord(x)} {coord(y - r)}L{coord(x + r)} {coord(y)}'
            f'L{coord(x)} {coord(y + r)}L{coord(x - r)} {coord(y)}Z" {style}/>'
        )
    return f'<circle cx="{coord(x)}" cy="{coord(y)}" r="4" {style}/>'


def _x_axis(
    points: Sequence[TrendPoint], xs: Sequence[float], x0: float, x1: float, y: float
) -> list[str]:
    """Calendar ticks under the plot (about one per 80 px); else the periods' own names."""
    if not points:
        return []
    ticks = time_ticks(points, max(2, int((x1 - x0) // 80)))
    if not ticks:
        ends = {0: "start", len(points) - 1: "end"} if len(points) > 1 else {0: "middle"}
        return [text(xs[i], y + 18, points[i].period, a, MUTED) for i, a in ends.items()]
    a, b = xs[0], xs[-1]
    t0, days = points[0].start, (points[-1].start - points[0].start).days
    parts = []
    for d, label in ticks:
        x = a + (d - t0).days / days * (b - a)
        parts.append(line(x, y, x, y + 5, "#999"))
        parts.append(text(x, y + 18, label, "middle", MUTED))
    return parts


def nps_trend(points: Sequence[TrendPoint], title: str, score: str = "NPS", min_n: int = 30) -> str:
    """NPS per period over time, with dots, over a shaded band of its 95% interval.

    ``score`` names the score in tooltips and the caption (``NPS-style score``
    on another scale); ``min_n`` is the respondent count below which a
    period is flagged ``low_n`` (for the caption).
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
    xs = _x_positions(pts, x0 + 20, x1 - 20)
    for run in _runs(pts):
        if len(run) == 1:  # a period alone between gaps: its interval as a whisker
            i = run[0]
            parts.append(
                f'<line x1="{coord(xs[i])}" y1="{coord(sy(pts[i].ci_low))}" x2="{coord(xs[i])}" '
                f'y2="{coord(sy(pts[i].ci_high))}" stroke="{PROMOTER}" stroke-opacity="0.3" '
                'stroke-width="6"/>'
            )
            continue
        band = [f"{coord(xs[i])},{coord(sy(pts[i].ci_high))}" for i in run]
        band += [f"{coord(xs[i])},{coord(sy(pts[i].ci_low))}" for i in reversed(run)]
        parts.append(f'<polygon points="{" ".join(band)}" fill="{PROMOTER}" fill-opacity="0.15"/>')
    solid, dashed = _segments(xs, [sy(p.nps) for p in pts], pts)
    if solid:
        parts.append(f'<path d="{solid}" fill="none" stroke="{PROMOTER}" stroke-width="2"/>')
    if dashed:
        parts.append(
            f'<path d="{dashed}" fill="none" stroke="{PROMOTER}" stroke-width="2" '
            'stroke-dasharray="5 4"/>'
        )
    parts += _x_axis(pts, xs, x0, x1, y1)
    for x, p in zip(xs, pts, strict=True):
        flags = (", partial period" if p.partial else "") + (", low n" if p.low_n else "")
        tip = (
            f"{p.period}: {score} {fmt_num(p.nps, signed=True)} "
            f"(95% CI {fmt_interval(p.ci_low, p.ci_high)}), n = {p.n}{flags}"
        )
        parts.append(group(tip, _marker(x, sy(p.nps), p)))
    if pts:
        last = pts[-1]
        parts.append(
            text(
                xs[-1], sy(last.nps) - 10, fmt_num(last.nps, signed=True), "middle", INK, bold=True
            )
        )
    parts.append(text((x0 + x1) / 2, height - 8, _caption(pts, score, min_n), "middle"))
    return figure(width, height, title, parts, cls="chart wide")


def _caption(pts: Sequence[TrendPoint], score: str, min_n: int) -> str:
    """The legend: the band, and the marks the chart uses."""
    notes = [f"{score} per period; band: 95% interval"]
    if any(p.low_n for p in pts):
        notes.append(f"hollow: fewer than {min_n} respondents")
    if any(p.partial for p in pts):
        notes.append("diamond, dashed line: partial period")
    if len(_runs(pts)) > 1:
        notes.append("gap: periods without answers")
    return "; ".join(notes)


def theme_share_panels(
    points: Sequence[TrendPoint], series: Sequence[ThemeSeries], title: str
) -> str:
    """Small multiples: per theme, its share of detractor (orange) and promoter (blue) comments.

    ``points`` are the periods (their names and days, as in :func:`nps_trend`),
    one per value of each series. All panels share one y scale (0 to the
    largest share) so they compare, and the time axis of the NPS chart.
    """
    periods = [p.period for p in points]
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
        xs = _x_positions(points, x0 + 6, x1 - 6)

        def sy(v: float, y0: float = y0, y1: float = y1) -> float | None:
            return y1 - min(v, top) / top * (y1 - y0) if math.isfinite(v) else None

        for values, colour, who in (
            (s.promoters, PROMOTER, "promoter"),
            (s.detractors, DETRACTOR, "detractor"),
        ):
            ys = [sy(v) for v in values]
            parts.append(
                f'<path d="{_path(xs, ys, points)}" fill="none" stroke="{colour}" '
                'stroke-width="2"/>'
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
