"""Number formatting shared by the HTML report modules: true minus sign, en dash for missing."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite", "fmt_num", "fmt_interval", "fmt_pct", "fmt_p"]


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
    return "–" if f is None else "<0.001" if f < 0.001 else f"{f:.3f}"
