"""The Markdown report's section on each segment value's own themes (``--per-segment``)."""

from __future__ import annotations

from ..result import AnalysisResult
from .formatting import plain_num, plain_p
from .markdown_text import md_escape, md_table, shares_text
from .view import SegmentOwnThemes, no_significant_theme, segment_fit_text, segment_own_themes

__all__ = ["segment_own_md", "MAX_OWN_VALUES"]


#: Segment values whose own themes the Markdown report shows per segment column (the
#: most comments first); every value is in segment_own_themes.csv.
MAX_OWN_VALUES = 20


def segment_own_md(result: AnalysisResult) -> list[str]:
    """With --per-segment: per segment column, each value's own themes, or why it has none."""
    sections = segment_own_themes(result)
    if not sections:
        return []
    alpha = result.config.alpha
    parts = [
        "## Each segment's own themes",
        "",
        "Each segment value's comments grouped into themes of their own (`--per-segment`; "
        "ids per value, unrelated to the main table's). A value gets as many themes as its "
        "comments hold: a theme needs enough comments for a 2:1 detractor/promoter difference "
        f"to reach p < {alpha:g}. q-values are corrected across every value's own themes; "
        "every row is in `segment_own_themes.csv`.",
        "",
    ]
    for col, values in sections.items():
        parts += [f"### {md_escape(col)}", ""]
        shown = values[:MAX_OWN_VALUES]
        if len(values) > len(shown):
            parts += [f"Showing the {len(shown)} of {len(values)} values with most comments.", ""]
        without = [v for v in shown if not v.fit.themes]
        for v in shown:
            if v.fit.themes:
                parts += _own_value_md(v, alpha)
        if without:
            parts += [
                *(
                    f"- **{md_escape(v.fit.value)}**: {md_escape(segment_fit_text(v.fit))}."
                    for v in without
                ),
                "",
            ]
    return parts


def _flag(v: object) -> bool:
    """A boolean cell; NaN/None (no test was possible) counts as False."""
    return bool(v) if v is not None and v == v else False


def _own_value_md(v: SegmentOwnThemes, alpha: float) -> list[str]:
    """One segment value's own themes: its top detractor themes and the full table."""
    top = [
        f"**{md_escape(r.theme_id)} {md_escape(r.label)}** {shares_text(r)}"
        for r in v.top.itertuples(index=False)
    ]
    table = md_table(
        ["theme", "label", "comments", "detractors", "promoters", "diff (pp)", "lift", "q"],
        [
            [
                r.theme_id,
                r.label,
                r.n_comments,
                plain_num(r.share_detractors, ".1%"),
                plain_num(r.share_promoters, ".1%"),
                plain_num(r.diff_pp, "+.1f"),
                plain_num(r.lift, ".2f"),
                plain_p(r.q_value) + (" *" if _flag(r.significant) else ""),
            ]
            for r in v.themes.itertuples(index=False)
        ],
    )
    return [
        f"#### {md_escape(v.fit.value)}",
        "",
        md_escape(segment_fit_text(v.fit)) + ".",
        "",
        "Top own detractor themes: " + "; ".join(top) + "." if top else no_significant_theme(alpha),
        "",
        table,
        "",
    ]
