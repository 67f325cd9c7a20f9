"""Context builders of the HTML report's theme lists: the headline's top detractor
themes and each segment value's own themes (``--per-segment``).

Each returns plain values for the template (numbers already formatted); the
template escapes every string.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..result import AnalysisResult
from .formatting import finite
from .formatting import fmt_num as _num
from .formatting import fmt_p as _p
from .formatting import fmt_pct as _pct
from .view import (
    SegmentOwnThemes,
    no_significant_theme,
    segment_fit_text,
    segment_own_themes,
    top_detractor_themes,
)

__all__ = ["top_themes_context", "segment_own_section", "MAX_OWN_VALUES"]

#: Segment values whose own themes the page shows per segment column (the most comments
#: first); every value is in segment_own_themes.csv.
MAX_OWN_VALUES = 20


def _flag(v: Any) -> bool:
    """A boolean cell; NaN/None (no test was possible) counts as False."""
    return bool(v) if v is not None and v == v else False


def _top_items(themes: pd.DataFrame) -> list[dict[str, str]]:
    return [
        {
            "theme_id": str(r["theme_id"]),
            "label": str(r["label"]),
            "stats": (
                f"{_pct(r['share_detractors'])} vs {_pct(r['share_promoters'])}, "
                f"{_num(r['diff_pp'], 1, True)} pp, q = {_p(r['q_value'])}"
            ),
        }
        for _, r in themes.iterrows()
    ]


def top_themes_context(result: AnalysisResult) -> dict[str, Any] | None:
    """The significant top detractor themes, or the line saying none is (None without themes)."""
    if not len(result.themes):
        return None
    top = _top_items(top_detractor_themes(result.themes))
    return {"themes": top, "none": None if top else no_significant_theme(result.config.alpha)}


def _cell(text: str, v: Any) -> dict[str, str]:
    """A numeric table cell; ``v`` is the sort key for the page's script ('' sorts last)."""
    f = finite(v)
    return {"text": text, "v": "" if f is None else f"{f:.6g}", "cls": "num"}


def _own_value(v: SegmentOwnThemes, alpha: float) -> dict[str, Any]:
    top = _top_items(v.top)
    return {
        "value": v.fit.value,
        "text": segment_fit_text(v.fit),
        "top": top,
        "none": None if top else no_significant_theme(alpha),
        "rows": [
            {
                "theme_id": str(r["theme_id"]),
                "label": str(r["label"]),
                "significant": _flag(r["significant"]),
                "cells": [
                    _cell(str(int(r["n_comments"])), r["n_comments"]),
                    _cell(_pct(r["share_detractors"]), r["share_detractors"]),
                    _cell(_pct(r["share_promoters"]), r["share_promoters"]),
                    _cell(_num(r["diff_pp"], 1, True), r["diff_pp"]),
                    _cell(_num(r["lift"], 2), r["lift"]),
                    _cell(
                        _p(r["q_value"]) + (" ★" if _flag(r["significant"]) else ""), r["q_value"]
                    ),
                ],
            }
            for _, r in v.themes.iterrows()
        ],
    }


def segment_own_section(result: AnalysisResult) -> list[dict[str, Any]] | None:
    """Per segment column, each value's own themes (top list and table) or why it has none;
    None without ``--per-segment``."""
    sections = segment_own_themes(result)
    if not sections:
        return None
    alpha = result.config.alpha
    out = []
    for col, values in sections.items():
        shown = values[:MAX_OWN_VALUES]
        out.append(
            {
                "name": col,
                "fitted": [_own_value(v, alpha) for v in shown if v.fit.themes],
                "without": [
                    {"value": v.fit.value, "text": segment_fit_text(v.fit)}
                    for v in shown
                    if not v.fit.themes
                ],
                "hidden": len(values) - len(shown),
                "total": len(values),
            }
        )
    return out
