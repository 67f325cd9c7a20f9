"""Inline SVG charts for the HTML report: pure functions from plain data to SVG text.

Every function returns a complete ``<svg>`` element as a string, with
``role="img"``, an ``aria-label`` and a ``<title>``; every piece of text that
comes from the data is escaped, so the result can be placed in HTML as is.
Output is deterministic: no ids, no randomness, fixed number formatting.
Colours are the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .formatting import fmt_interval, fmt_num
from .svg import (
    CHAR_W,
    DETRACTOR,
    INK,
    LOW,
    MUTED,
    PASSIVE,
    PROMOTER,
    coord,
    esc,
    figure,
    group,
    line,
    nice_step,
    rect,
    text,
    tick_label,
    wrap_label,
    x_axis,
)

__all__ = [
    "DETRACTOR",
    "PASSIVE",
    "PROMOTER",
    "NpsPoint",
    "HeatCell",
    "group_bar",
    "nps_intervals",
    "heatmap",
    "term_bars",
    "heat_colour",
    "wrap_label",
]


@dataclass(frozen=True)
class NpsPoint:
    """One row of a dot-and-whisker NPS chart (a segment value)."""

    label: str
    nps: float
    ci_low: float
    ci_high: float
    n: int
    low_n: bool = False


@dataclass(frozen=True)
class HeatCell:
    """One heatmap cell: ``value`` in percentage points (NaN when undefined)."""

    value: float
    grey: bool
    tooltip: str


def group_bar(detractors: int, passives: int, promoters: int) -> str:
    """A 100% stacked bar of detractors, passives and promoters, labelled with shares."""
    total = detractors + passives + promoters
    width, height = 640.0, 56.0
    parts, x = [], 0.0
    for name, count, colour in (
        ("Detractors", detractors, DETRACTOR),
        ("Passives", passives, PASSIVE),
        ("Promoters", promoters, PROMOTER),
    ):
        share = count / total if total else 0.0
        w = width * share
        full, short = f"{name} {100 * share:.1f}%", f"{100 * share:.0f}%"
        fits = [t for t in (full, short) if len(t) * CHAR_W + 10 < w]
        label = text(x + w / 2, 22, fits[0], "middle", "#fff", bold=True) if fits else ""
        parts.append(
            group(f"{name}: {count} ({100 * share:.1f}%)", rect(x, 0, w, 34, colour), label)
        )
        x += w
    parts.append(text(0, height - 4, "Share of respondents (%)", "start", MUTED, 12))
    title = (
        f"Stacked bar: detractors {detractors}, passives {passives}, promoters {promoters} "
        f"of {total} respondents"
    )
    return figure(width, height, title, parts)


def nps_intervals(
    points: Sequence[NpsPoint], title: str, overall: float | None = None, score: str = "NPS"
) -> str:
    """Horizontal dot-and-whisker chart: NPS with its 95% interval per row.

    Low-n rows are drawn hollow, grey and dashed with a "(low n)" mark; a
    dashed vertical line shows the overall NPS. ``score`` names the score in
    tooltips and on the axis (``NPS-style score`` on another scale).
    """
    pts = [p for p in points if math.isfinite(p.nps)]
    row_h, top, chars = 26.0, 30.0, 26
    longest = max([min(len(p.label), chars) + (8 if p.low_n else 0) for p in pts] + [6])
    width, right = 900.0, 60.0
    x0, x1 = 16 + CHAR_W * longest, width - right
    ref = overall if overall is not None and math.isfinite(overall) else None
    values = [v for p in pts for v in (p.ci_low, p.ci_high, p.nps)] + [0.0]
    values += [ref] if ref is not None else []
    step = nice_step(max(values) - min(values) + 10)
    lo = max(-100.0, math.floor((min(values) - 5) / step) * step)
    hi = min(100.0, math.ceil((max(values) + 5) / step) * step)

    def sx(v: float) -> float:
        return x0 + (max(lo, min(hi, v)) - lo) / (hi - lo) * (x1 - x0)

    y_axis = top + row_h * len(pts) + 4
    height = y_axis + 44
    parts = x_axis(lo, hi, x0, x1, top - 6, y_axis)
    parts.append(text(width, 18, "n", "end", MUTED))
    if ref is not None:
        parts.append(line(sx(ref), top - 10, sx(ref), y_axis, INK, "4 3"))
        parts.append(text(sx(ref), 14, f"overall {fmt_num(ref, signed=True)}", "middle"))
    for i, p in enumerate(pts):
        yc = top + row_h * i + row_h / 2
        colour, fill = ("#8c8c8c", "#fff") if p.low_n else (PROMOTER, PROMOTER)
        ink, dash = (MUTED, "3 2") if p.low_n else (INK, "")
        name = wrap_label(p.label, chars, 1)[0] + (" (low n)" if p.low_n else "")
        xl, xh, xm = sx(p.ci_low), sx(p.ci_high), sx(p.nps)
        tip = (
            f"{p.label}: {score} {fmt_num(p.nps, signed=True)} "
            f"(95% CI {fmt_interval(p.ci_low, p.ci_high)}), n = {p.n}"
            + (", low n" if p.low_n else "")
        )
        parts.append(
            group(
                tip,
                text(x0 - 10, yc + 4, name, "end", ink, italic=p.low_n),
                line(xl, yc, xh, yc, colour, dash),
                line(xl, yc - 5, xl, yc + 5, colour),
                line(xh, yc - 5, xh, yc + 5, colour),
                f'<circle cx="{coord(xm)}" cy="{coord(yc)}" r="5" fill="{fill}" stroke="{colour}" '
                f'stroke-width="2"/>',
                text(width, yc + 4, str(p.n), "end", ink, italic=p.low_n),
            )
        )
    axis = f"{score} (points, −100 to +100); whiskers: 95% interval"
    parts.append(text((x0 + x1) / 2, height - 6, axis, "middle"))
    return figure(width, height, title, parts, cls="chart wide")


def heat_colour(value: float, scale_max: float) -> tuple[str, str]:
    """(fill, text colour) for a diff_pp value on a diverging blue-white-orange scale.

    >>> heat_colour(0, 10)
    ('#f7f7f7', '#222')
    """
    t = max(-1.0, min(1.0, value / scale_max)) if scale_max > 0 else 0.0
    end = DETRACTOR if t >= 0 else PROMOTER
    a = abs(t)
    rgb = (round(247 + (int(end[i : i + 2], 16) - 247) * a) for i in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in rgb), ("#fff" if a > 0.55 else INK)


def heatmap(
    row_labels: Sequence[str],
    columns: Sequence[tuple[str, str]],
    cells: Sequence[Sequence[HeatCell]],
    title: str,
    scale_max: float,
) -> str:
    """A segment-value x theme heatmap of diff_pp with the value printed in each cell.

    ``columns`` are (theme id, full label) pairs; ids head the columns and the
    labels go in tooltips. Grey cells are low-n or undefined. The SVG keeps
    its natural width (class ``chart fixed``) so many themes scroll sideways
    instead of shrinking the text.
    """
    cw, ch, chars, top = 48.0, 26.0, 24, 64.0
    label_w = 20 + CHAR_W * min(chars + 1, max([len(r) for r in row_labels] + [6]))
    grid_h = ch * len(row_labels)
    width = max(label_w + cw * len(columns) + 10, 500.0)
    parts = []
    for j, (tid, label) in enumerate(columns):
        cx = label_w + cw * j + cw / 2 + 4
        parts.append(
            group(
                f"{tid}: {label}",
                f'<text transform="translate({coord(cx)},{coord(top - 8)}) rotate(-40)" '
                f'fill="{INK}">{esc(wrap_label(tid, 9, 1)[0])}</text>',
            )
        )
    for i, row_label in enumerate(row_labels):
        y = top + ch * i
        name = wrap_label(row_label, chars, 1)[0]
        parts.append(group(row_label, text(label_w - 8, y + ch / 2 + 4, name, "end")))
        for j, cell in enumerate(cells[i]):
            x = label_w + cw * j
            if cell.grey or not math.isfinite(cell.value):
                fill, ink = LOW, MUTED
            else:
                fill, ink = heat_colour(cell.value, scale_max)
            parts.append(
                group(
                    cell.tooltip,
                    rect(x, y, cw - 2, ch - 2, fill),
                    text(
                        x + cw / 2 - 1,
                        y + ch / 2 + 3,
                        fmt_num(cell.value, 0, signed=True),
                        "middle",
                        ink,
                        11,
                    ),
                )
            )
    ly = top + grid_h + 14
    parts.append(text(0, ly + 13, "diff (pp):", "start", MUTED, 12))
    for k, v in enumerate((-scale_max, -scale_max / 2, 0.0, scale_max / 2, scale_max)):
        fill, ink = heat_colour(v, scale_max)
        parts.append(rect(70 + 50 * k, ly, 48, 18, fill))
        parts.append(text(94 + 50 * k, ly + 13, tick_label(round(v)), "middle", ink, 11))
    parts.append(rect(330, ly, 48, 18, LOW))
    parts.append(text(384, ly + 13, "low n / no data", "start", MUTED, 12))
    return figure(width, top + grid_h + 40, title, parts, cls="chart fixed")


def term_bars(terms: Sequence[tuple[str, float]], colour: str, title: str) -> str:
    """Horizontal bars of |z| (log-odds z-score) for the top terms of one side."""
    row_h, top, chars, width = 22.0, 8.0, 22, 440.0
    x0, x1 = 12 + CHAR_W * chars, width - 44
    m = max([abs(z) for _, z in terms] + [1.0])
    parts = []
    for i, (term, z) in enumerate(terms):
        y = top + row_h * i
        w = (x1 - x0) * abs(z) / m
        parts.append(
            group(
                f"{term}: z = {z:.2f}",
                text(x0 - 8, y + 15, wrap_label(term, chars, 1)[0], "end"),
                rect(x0, y + 4, max(w, 1), 14, colour),
                text(x0 + w + 4, y + 15, f"{abs(z):.1f}", "start", MUTED, 11),
            )
        )
    y_axis = top + row_h * len(terms)
    axis = "|z| of the log-odds ratio (larger = more distinctive)"
    parts.append(text((x0 + x1) / 2, y_axis + 18, axis, "middle", MUTED, 12))
    return figure(width, y_axis + 26, title, parts)
