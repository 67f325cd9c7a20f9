"""SVG building blocks shared by the chart modules: palette, escaped text, lines, axes steps.

Every function returns a piece of SVG text with fixed number formatting
(coordinates to one decimal, never ``-0.0``) and every piece of text escaped,
so charts built from them are deterministic and safe to place in HTML as is.
Colours are the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

import math
import textwrap

from markupsafe import escape

__all__ = [
    "DETRACTOR",
    "PASSIVE",
    "PROMOTER",
    "INK",
    "MUTED",
    "GRID",
    "LOW",
    "CHAR_W",
    "esc",
    "coord",
    "figure",
    "text",
    "line",
    "rect",
    "group",
    "nice_step",
    "tick_label",
    "wrap_label",
    "grid_lines",
    "x_axis",
]

DETRACTOR = "#d55e00"
PASSIVE = "#999999"
PROMOTER = "#0072b2"
INK = "#222"
MUTED = "#555"
GRID = "#e3e3e3"
LOW = "#d9d9d9"  # cells and marks of low-n or undefined values
FONT = 13
CHAR_W = 7.2  # average glyph width of a 13px sans-serif font, to lay out labels


def esc(value: object) -> str:
    """``value`` as text escaped for SVG/HTML."""
    return str(escape(str(value)))


def coord(x: float) -> str:
    """A coordinate: one decimal, no negative zero.

    >>> coord(-0.04), coord(12.345)
    ('0.0', '12.3')
    """
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def wrap_label(text: str, width: int, max_lines: int = 2) -> list[str]:
    """Wrap ``text`` into at most ``max_lines`` lines of ``width`` characters.

    >>> wrap_label("billing and refunds took weeks to sort out", 16)
    ['billing and', 'refunds took we…']
    >>> wrap_label("<script>alert(1)</script>", 10, 1)
    ['<script>a…']
    """
    lines = textwrap.wrap(" ".join(str(text).split()) or "-", width)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [rest[: width - 1].rstrip() + "…"]
    return lines


def figure(width: float, height: float, label: str, body: list[str], cls: str = "chart") -> str:
    """A complete ``<svg>`` element with ``role="img"``, an ``aria-label`` and a ``<title>``."""
    a = esc(label)
    return (
        f'<svg class="{cls}" viewBox="0 0 {coord(width)} {coord(height)}" width="{coord(width)}" '
        f'height="{coord(height)}" role="img" aria-label="{a}" font-size="{FONT}">'
        f"<title>{a}</title>" + "".join(body) + "</svg>"
    )


def text(
    x: float,
    y: float,
    s: str,
    anchor: str = "start",
    fill: str = INK,
    size: int = 0,
    bold: bool = False,
    italic: bool = False,
) -> str:
    """A ``<text>`` element; ``size`` 0 keeps the chart's font size."""
    extra = (f' font-size="{size}"' if size else "") + (' font-weight="700"' if bold else "")
    extra += ' font-style="italic"' if italic else ""
    return (
        f'<text x="{coord(x)}" y="{coord(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{esc(s)}</text>"
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, dash: str = "") -> str:
    """A ``<line>``: 1 px wide for grid lines (``GRID`` or ``#999``), 2 px otherwise."""
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{coord(x1)}" y1="{coord(y1)}" x2="{coord(x2)}" y2="{coord(y2)}" '
        f'stroke="{stroke}" stroke-width="{2 if stroke not in (GRID, "#999") else 1}"{d}/>'
    )


def rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    """A filled ``<rect>``."""
    return (
        f'<rect x="{coord(x)}" y="{coord(y)}" width="{coord(w)}" height="{coord(h)}" '
        f'fill="{fill}"/>'
    )


def group(tip: str, *parts: str) -> str:
    """A group with a tooltip (an SVG ``<title>``, read by screen readers too)."""
    return f"<g><title>{esc(tip)}</title>" + "".join(parts) + "</g>"


def nice_step(span: float, target: int = 6) -> float:
    """A round axis step (1, 2, 2.5 or 5 times a power of ten) giving about ``target`` ticks.

    >>> nice_step(100), nice_step(7, 5)
    (20, 2)
    """
    raw = max(span, 1e-9) / target
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if raw <= m * mag * (1 + 1e-9))


def tick_label(v: float) -> str:
    """An axis tick: '0', '+20', '−20' (true minus).

    >>> tick_label(0), tick_label(20), tick_label(-2.5)
    ('0', '+20', '−2.5')
    """
    return "0" if v == 0 else f"{v:+g}".replace("-", "−")


def _ticks(lo: float, hi: float, x0: float, x1: float) -> list[tuple[float, float]]:
    """(value, x) of the round ticks of a linear axis from ``lo`` to ``hi``."""
    step = nice_step(hi - lo)
    out = []
    for k in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        t = round(k * step, 6)
        out.append((t, x0 + (t - lo) / (hi - lo) * (x1 - x0)))
    return out


def grid_lines(lo: float, hi: float, x0: float, x1: float, y0: float, y1: float) -> list[str]:
    """The vertical grid lines of a linear axis from ``lo`` to ``hi`` (darker at 0).

    A chart built of several SVG strips on one axis draws them in each strip, so
    the lines run on unbroken.
    """
    return [line(x, y0, x, y1, "#999" if t == 0 else GRID) for t, x in _ticks(lo, hi, x0, x1)]


def x_axis(lo: float, hi: float, x0: float, x1: float, y_top: float, y_axis: float) -> list[str]:
    """Vertical grid lines (darker at 0) and tick labels under a linear axis."""
    out = []
    for t, x in _ticks(lo, hi, x0, x1):
        out.append(line(x, y_top, x, y_axis, "#999" if t == 0 else GRID))
        out.append(text(x, y_axis + 16, tick_label(t), "middle", MUTED))
    return out
