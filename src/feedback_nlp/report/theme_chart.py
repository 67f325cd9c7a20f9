"""The detractor-vs-promoter theme chart, with a drill-down into each theme's sub-themes.

The chart is a stack of SVG strips on one x scale (:class:`DiffChart`): a
header, one strip per theme, for a theme with sub-themes one strip of its
sub-themes, and the axis. The HTML report puts a theme's strip in the
``<summary>`` of a ``<details>`` that holds its sub-theme strip, so the page
opens with the themes only and a click on a theme shows its sub-themes, with
no script. Every strip is a complete ``<svg>`` built as :mod:`.charts` builds
its charts: ``role="img"``, a ``<title>``, escaped text, no ids, fixed number
formatting. Strips share their width, so they line up at any zoom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .formatting import fmt_num
from .svg import (
    CHAR_W,
    DETRACTOR,
    INK,
    MUTED,
    PROMOTER,
    coord,
    esc,
    figure,
    grid_lines,
    group,
    nice_step,
    rect,
    text,
    wrap_label,
    x_axis,
)

__all__ = ["ThemeBar", "DiffRow", "DiffChart", "theme_diff_chart"]

WIDTH, RIGHT, CHARS, LINE_H = 900.0, 150.0, 34, 15.0
X0, X1 = 16 + CHAR_W * (CHARS + 2), WIDTH - RIGHT
SUB_BG = "#f6f6f4"
_STRIP = "chart wide strip"


@dataclass(frozen=True)
class ThemeBar:
    """One theme or sub-theme of the chart (shares are fractions 0-1)."""

    theme_id: str
    label: str
    diff_pp: float
    share_detractors: float
    share_promoters: float
    q_value: float
    significant: bool


@dataclass(frozen=True)
class DiffRow:
    """One theme: its strip, and the strip of its sub-themes (None when it has none)."""

    theme_id: str
    strip: str
    subthemes: str | None = None


@dataclass(frozen=True)
class DiffChart:
    """The chart's strips from top to bottom: ``header``, each row, ``axis``."""

    header: str
    rows: tuple[DiffRow, ...]
    axis: str


def _scale(bars: Sequence[ThemeBar]) -> float:
    """Half the axis range: the largest |diff| with room for its value label, rounded."""
    m = max([abs(b.diff_pp) for b in bars if math.isfinite(b.diff_pp)] + [5.0]) * 1.12
    return math.ceil(m / nice_step(2 * m)) * nice_step(2 * m)


def _sx(v: float, m: float) -> float:
    return X0 + (v + m) / (2 * m) * (X1 - X0)


def _tip(b: ThemeBar, digits: int) -> str:
    q = f"{b.q_value:.3g}" if math.isfinite(b.q_value) else "–"
    return (
        f"{b.theme_id} {b.label}: diff {fmt_num(b.diff_pp, signed=True)} pp; detractors "
        f"{100 * b.share_detractors:.{digits}f}%, promoters "
        f"{100 * b.share_promoters:.{digits}f}%; q = {q}"
        + (" (significant)" if b.significant else "")
    )


def _bar_row(b: ThemeBar, m: float, yc: float, lines: list[str], *, sub: bool = False) -> list[str]:
    """The label, the bar with its value and the two shares of one row centred at ``yc``."""
    size, half, digits = (12, 5.0, 1) if sub else (0, 8.0, 0)
    line_h = 14.0 if sub else LINE_H
    first = yc - line_h * (len(lines) - 1) / 2 + 4
    spans = "".join(
        f'<tspan x="{coord(X0 - 10)}" y="{coord(first + k * line_h)}">{esc(ln)}</tspan>'
        for k, ln in enumerate(lines)
    )
    extra = ' font-weight="700"' if b.significant else ""
    extra += f' font-size="{size}"' if sub else ""
    out = [f'<text text-anchor="end" fill="{INK}"{extra}>{spans}</text>']
    if math.isfinite(b.diff_pp):
        xa, xb = sorted((_sx(0, m), _sx(b.diff_pp, m)))
        pos = b.diff_pp >= 0
        out.append(rect(xa, yc - half, max(xb - xa, 1), 2 * half, DETRACTOR if pos else PROMOTER))
        out.append(
            text(
                xb + 5 if pos else xa - 5,
                yc + 4,
                fmt_num(b.diff_pp, signed=True),
                "start" if pos else "end",
                size=11 if sub else 0,
                bold=b.significant,
            )
        )
    shares = f"{100 * b.share_detractors:.{digits}f}% / {100 * b.share_promoters:.{digits}f}%"
    out.append(text(WIDTH, yc + 4, shares, "end", MUTED, 11 if sub else 0))
    return out


def _theme_strip(b: ThemeBar, m: float, n_sub: int) -> str:
    lines = wrap_label(("★ " if b.significant else "") + f"{b.theme_id} · {b.label}", CHARS)
    height = 12 + LINE_H * len(lines)
    parts = grid_lines(-m, m, X0, X1, 0, height)
    tip = _tip(b, 1)
    if n_sub:
        y = coord(height / 2 + 5)
        # Which marker shows is the page's CSS: ▸ while the theme's <details> is closed.
        parts.append(f'<text class="when-closed" x="4" y="{y}" fill="{MUTED}">▸</text>')
        parts.append(f'<text class="when-open" x="4" y="{y}" fill="{MUTED}">▾</text>')
        tip += f"; {n_sub} sub-theme{'s' if n_sub != 1 else ''}: click to show or hide"
    parts += _bar_row(b, m, height / 2, lines)
    return figure(WIDTH, height, tip, parts, cls=_STRIP)


def _sub_strip(parent: ThemeBar, subs: Sequence[ThemeBar], m: float) -> str:
    rows, y = [], 4.0
    for b in subs:
        star = "★ " if b.significant else ""
        lines = wrap_label(f"{star}{b.theme_id} · {b.label}", CHARS)
        h = 8 + 14.0 * len(lines)
        rows.append((b, lines, y + h / 2))
        y += h
    height = y + 4
    parts = [rect(0, 0, WIDTH, height, SUB_BG), *grid_lines(-m, m, X0, X1, 0, height)]
    for b, lines, yc in rows:
        parts.append(group(_tip(b, 1), *_bar_row(b, m, yc, lines, sub=True)))
    title = (
        f"Sub-themes of {parent.theme_id} {parent.label}: share of detractors − share of "
        "promoters mentioning each, percentage points"
    )
    return figure(WIDTH, height, title, parts, cls=_STRIP + " sub")


def theme_diff_chart(
    themes: Sequence[tuple[ThemeBar, Sequence[ThemeBar]]], alpha: float
) -> DiffChart:
    """Diverging bars of diff_pp (detractor share − promoter share) per theme, centred at 0.

    ``themes`` are (theme, its sub-themes) pairs in the order to draw. Bars to
    the right (orange) are themes detractors mention more; to the left (blue)
    themes promoters mention more. Significant themes (q < ``alpha``) get a
    bold label and a star. Long labels wrap onto two lines and are truncated,
    with the full text in the strip's tooltip. Themes and sub-themes share one
    scale, so a sub-theme's bar compares with its theme's.
    """
    m = _scale([b for theme, subs in themes for b in (theme, *subs)])
    header = [
        *grid_lines(-m, m, X0, X1, 22, 28),
        text(_sx(0, m) - 8, 16, "← promoters mention more", "end", PROMOTER),
        text(_sx(0, m) + 8, 16, "detractors mention more →", "start", "#a64200"),
        text(WIDTH, 16, "detractors / promoters", "end", MUTED),
    ]
    title = (
        "Themes detractors mention more than promoters: difference in share, percentage points; "
        f"★ significant at q < {alpha:g}"
    )
    axis_title = "Share of detractors − share of promoters mentioning the theme (percentage points)"
    axis = [*x_axis(-m, m, X0, X1, 0, 4), text((X0 + X1) / 2, 42, axis_title, "middle")]
    rows = tuple(
        DiffRow(
            theme.theme_id,
            _theme_strip(theme, m, len(subs)),
            _sub_strip(theme, subs, m) if subs else None,
        )
        for theme, subs in themes
    )
    return DiffChart(
        header=figure(WIDTH, 28, title, header, cls=_STRIP),
        rows=rows,
        axis=figure(WIDTH, 48, axis_title, axis, cls=_STRIP),
    )
