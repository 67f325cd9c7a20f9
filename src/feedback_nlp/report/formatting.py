"""How the reports write numbers and texts, in two styles.

The HTML report and its charts use typography: a true minus sign, an en dash
for a missing value (``fmt_*``). The Markdown report and the terminal summary
stay plain ASCII: a hyphen for a missing value and Python's format specs
(``plain_*``). Both write a p- or q-value the same way ('<0.001', '0.042').
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "finite",
    "fmt_num",
    "fmt_interval",
    "fmt_pct",
    "fmt_p",
    "plain_num",
    "plain_p",
    "shorten",
]


def finite(v: Any) -> float | None:
    """``v`` as a finite float, or None (missing, NaN, inf, not a number)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_num(v: Any, digits: int = 1, signed: bool = False) -> str:
    """A number for people: '−3.2' with a true minus, never '−0.0'; '–' when missing.

    >>> fmt_num(-3.21), fmt_num(2, signed=True), fmt_num(-0.01), fmt_num(None)
    ('−3.2', '+2.0', '0.0', '–')
    """
    f = finite(v)
    if f is None:
        return "–"
    s = f"{f:+.{digits}f}" if signed else f"{f:.{digits}f}"
    return f"{0:.{digits}f}" if float(s) == 0 else s.replace("-", "−")


def fmt_interval(low: Any, high: Any, digits: int = 1) -> str:
    """An interval of signed numbers: '−3.2 to +4.1'.

    >>> fmt_interval(-3.21, 4.1)
    '−3.2 to +4.1'
    """
    return f"{fmt_num(low, digits, signed=True)} to {fmt_num(high, digits, signed=True)}"


def fmt_pct(v: Any) -> str:
    """A share as a percentage with one decimal; '–' when missing."""
    f = finite(v)
    return "–" if f is None else f"{100 * f:.1f}%"


def fmt_p(v: Any) -> str:
    """A p- or q-value: '<0.001', '0.042'; '–' when missing."""
    f = finite(v)
    return "–" if f is None else _p_text(f)


def _number(v: Any) -> float | None:
    """``v`` as a float, or None when missing, NaN or not a number (infinity is kept)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def plain_num(v: Any, spec: str) -> str:
    """A number in the format ``spec`` ('+.2f', '.1%'); '-' when missing.

    >>> plain_num(-3.214, "+.2f"), plain_num(0.1234, ".1%"), plain_num(float("nan"), ".2f")
    ('-3.21', '12.3%', '-')
    """
    f = _number(v)
    return "-" if f is None else format(f, spec)


def plain_p(v: Any) -> str:
    """A p- or q-value for plain text: '<0.001', '0.042', or '-' when missing.

    >>> plain_p(0.0001), plain_p(0.04213), plain_p(None)
    ('<0.001', '0.042', '-')
    """
    f = _number(v)
    return "-" if f is None else _p_text(f)


def _p_text(f: float) -> str:
    return "<0.001" if f < 0.001 else f"{f:.3f}"


def shorten(text: Any, limit: int, *, strip: bool = True) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis.

    ``strip`` drops the spaces before the ellipsis (the reports); the terminal
    summary keeps them (``strip=False``), as it always has.

    >>> shorten("a  long   comment", 8), shorten("a long comment", 8, strip=False)
    ('a long…', 'a long …')
    """
    s = " ".join(str(text).split())
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    return (cut.rstrip() if strip else cut) + "…"
