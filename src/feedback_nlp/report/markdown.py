"""The Markdown report: a pure function of the result, one function per section."""

from __future__ import annotations

import pandas as pd

from ..result import AnalysisResult
from ..summary_types import TrendComparison
from .formatting import plain_num
from .formatting import plain_p as format_p
from .markdown_segments import segment_own_md
from .markdown_text import md_escape
from .markdown_text import md_table as _table
from .markdown_text import shares_text as _shares_md
from .view import (
    brand_masking_method,
    headline,
    no_significant_theme,
    score_name,
    theme_changes,
    theme_summaries,
    themes_in_order,
    top_detractor_subthemes,
    top_detractor_themes,
    trend_caveat,
    trend_flag_notes,
)

__all__ = ["render_markdown", "md_escape", "format_p"]


def _methods_md(result: AnalysisResult) -> list[str]:
    """How the figures are computed; on another scale than NPS 0-10, which scale."""
    h = headline(result.summary)
    score = h.label
    scale = f" The scores are read {h.scale}." if h.scale else ""
    return [
        "## Methods",
        "",
        f"{score} = % promoters - % detractors; 95% interval by the adjusted Wald method "
        "(+0.75 detractors, +1.5 passives, +0.75 promoters). Theme shares are per group among "
        "comments with usable text; p-values by Fisher's exact test (small counts) or the "
        "two-proportion z test, q-values by Benjamini-Hochberg across all tests of the run "
        "within each level (themes, sub-themes). "
        f"{score} impact = {score}(all) - {score}(all without the theme's respondents). "
        f"Sentiment: VADER compound. See the README for details.{scale}",
        "",
        "**Brand names.** "
        + md_escape(brand_masking_method(result.masked_terms, result.config.brand_detection)),
        "",
    ]


def render_markdown(result: AnalysisResult) -> str:
    """Headline NPS, NPS by segment, detractor-vs-promoter themes, examples, methods."""
    themes = themes_in_order(result.themes)
    parts = [
        *_headline_md(result),
        *_segments_md(result),
        *_trends_md(result),
        *_metrics_md(result),
        *_themes_md(result, themes),
        *_examples_md(result, themes),
        *segment_own_md(result),
        *_candidates_md(result),
        *_terms_md(result),
        *_followup_md(result),
        *_methods_md(result),
    ]
    return "\n".join(parts)


def _headline_md(result: AnalysisResult) -> list[str]:
    """The title, the NPS with its interval and group counts, the row counts."""
    h = headline(result.summary)
    rows = h.rows
    return [
        "# Survey feedback report",
        "",
        f"**{h.label} {h.score:+.2f}**{' ' + h.scale if h.scale else ''} "
        f"(95% CI {h.ci_low:+.2f} to {h.ci_high:+.2f}), "
        f"n = {h.n}: {h.promoters} promoters, {h.passives} passives, "
        f"{h.detractors} detractors.",
        "",
        f"Rows read: {rows.read}; analysed: {rows.analyzed}; rejected: {rows.rejected} "
        f"(see `rejected.csv`); without usable text: {rows.no_text}; with a theme: "
        f"{rows.with_theme}.",
        "",
    ]


def _segments_md(result: AnalysisResult) -> list[str]:
    """NPS of every segment value, with its interval and its difference from the rest."""
    if not len(result.segments):
        return []
    score = score_name(result.summary)
    table = _table(
        ["segment", "value", "n", score, "95% CI", "vs rest (pp)", "p"],
        [
            [
                r.segment,
                r.value,
                f"{r.n}{' (low n)' if r.low_n else ''}",
                f"{r.nps:+.2f}",
                f"{r.ci_low:+.1f} to {r.ci_high:+.1f}",
                f"{r.diff_vs_rest:+.1f}",
                format_p(r.p_vs_rest),
            ]
            for r in result.segments.itertuples(index=False)
        ],
    )
    return [f"## {score} by segment", "", table, ""]


def _trends_md(result: AnalysisResult) -> list[str]:
    """NPS per period, the last period against the one before, detractor theme changes."""
    info, trends = result.summary.trends, result.trends
    if not info or trends is None:
        return []
    score = score_name(result.summary)
    parts = [f"## {score} over time (by {info.period})", ""]
    c = info.comparison
    if c:
        sig = "significant" if c.significant else "not significant"
        parts += [
            f"**{score} {c.last.period}: {c.last.nps:+.1f}**, "
            f"{c.nps_change:+.1f} points "
            f"vs {c.previous.period} ({c.previous.nps:+.1f}); z test p = "
            f"{format_p(c.p_value)}, {sig}.",
            "",
        ]
        caveat = trend_caveat(info)
        parts += [caveat, ""] if caveat else []
    if info.rows_without_date:
        parts += [
            f"{info.rows_without_date} respondents without a date are left out of the trends only.",
            "",
        ]
    for note in trend_flag_notes(info):
        parts += [note, ""]
    nps = trends[trends["kind"] == "nps"]
    table = _table(
        ["period", "n", score, "95% CI", "detractors", "promoters"],
        [
            [
                f"{r.period}{' (partial)' if r.partial else ''}",
                f"{r.n}{' (low n)' if r.low_n else ''}",
                f"{r.nps:+.1f}",
                f"{r.ci_low:+.1f} to {r.ci_high:+.1f}",
                r.detractors,
                r.promoters,
            ]
            for r in nps.itertuples(index=False)
        ],
    )
    return parts + [table, ""] + _theme_changes_md(c, result.config.alpha)


def _theme_changes_md(c: TrendComparison | None, alpha: float) -> list[str]:
    """Detractor themes whose share moved between the last two periods."""
    changes = theme_changes(c)
    if not c or not changes:
        return []
    table = _table(
        [
            "theme",
            "label",
            c.previous.period,
            c.last.period,
            "change (pp)",
            "q",
            "direction",
        ],
        [
            [
                e.theme_id,
                e.label,
                plain_num(e.share_detractors_previous, ".1%"),
                plain_num(e.share_detractors_last, ".1%"),
                plain_num(e.change_pp, "+.1f"),
                format_p(e.q_value),
                e.direction,
            ]
            for e in changes
        ],
    )
    return [
        f"Detractor themes, {c.last.period} vs {c.previous.period} "
        f"(share of detractor comments; grew/shrank when q < {alpha:g}):",
        "",
        table,
        "",
    ]


def _metrics_md(result: AnalysisResult) -> list[str]:
    """Each other metric: mean, correlation with the score, means by NPS group."""
    metrics = result.summary.metrics
    if not metrics:
        return []
    rows = []
    for m in metrics:
        g = m.by_group
        rows.append(
            [
                m.metric,
                m.n,
                plain_num(m.mean, ".2f"),
                *(
                    plain_num(g[k].mean if k in g else None, ".2f")
                    for k in ("detractor", "passive", "promoter")
                ),
                f"{plain_num(m.pearson_r, '+.2f')} (p {format_p(m.pearson_p)})",
                f"{plain_num(m.spearman_rho, '+.2f')} (p {format_p(m.spearman_p)})",
                f"{m.n_missing} / {m.n_invalid}",
            ]
        )
    table = _table(
        [
            "metric",
            "n",
            "mean",
            "detractors",
            "passives",
            "promoters",
            "Pearson r",
            "Spearman rho",
            "empty / not numeric",
        ],
        rows,
    )
    return ["## Other metrics", "", table, "", "Means by segment value are in `metrics.csv`.", ""]


def _themes_md(result: AnalysisResult, themes: pd.DataFrame) -> list[str]:
    """The theme table: shares by group, their difference and its q-value, NPS impact."""
    if not len(themes):
        return [
            "## Themes",
            "",
            "No themes: the survey has too little usable text for them (see the notes in "
            "`summary.json`).",
            "",
        ]
    score = score_name(result.summary)
    table = _table(
        [
            "theme",
            "label",
            "detractors",
            "promoters",
            "diff (pp)",
            "lift",
            "q",
            f"theme {score}",
            f"{score} impact",
            "sentiment",
            "negative mentions",
        ],
        [
            [
                r.theme_id,
                r.label,
                plain_num(r.share_detractors, ".1%"),
                plain_num(r.share_promoters, ".1%"),
                plain_num(r.diff_pp, "+.1f"),
                plain_num(r.lift, ".2f"),
                format_p(r.q_value) + (" *" if r.significant else ""),
                plain_num(r.nps, "+.1f"),
                plain_num(r.nps_impact, "+.2f"),
                plain_num(r.mean_sentiment, "+.2f"),
                plain_num(r.share_negative_mentions, ".0%"),
            ]
            for r in themes.itertuples(index=False)
        ],
    )
    n_sub = _n_subthemes(result.themes)
    subs_note = (
        [
            f"Sub-themes: {n_sub} in `themes.csv` (`level` 2, `parent_id` their theme, the same "
            "columns; q-values corrected among the sub-themes). `report.html` shows each "
            "theme's with example comments.",
            "",
        ]
        if n_sub
        else []
    )
    return [
        "## What detractors raise more than promoters",
        "",
        *_top_themes_md(result),
        table,
        "",
        f"\\* significant after Benjamini-Hochberg correction (q < {result.config.alpha:g}).",
        "",
        *subs_note,
    ]


def _n_subthemes(themes: pd.DataFrame) -> int:
    if "level" not in themes.columns:
        return 0
    return int((pd.to_numeric(themes["level"], errors="coerce") == 2).sum())


def _top_themes_md(result: AnalysisResult) -> list[str]:
    """The significant top detractor themes, each with its significant top detractor
    sub-themes; one line saying so when no theme is significant."""
    themes = result.themes
    top = top_detractor_themes(themes)
    if not len(top):
        return [no_significant_theme(result.config.alpha), ""]
    subs = " and under each the sub-themes detractors raise most" if _n_subthemes(themes) else ""
    parts = [
        f"Top detractor themes (q < {result.config.alpha:g}){subs}; share of detractor vs "
        "promoter comments:",
        "",
    ]
    for r in top.itertuples(index=False):
        parts.append(f"- **{md_escape(r.theme_id)} {md_escape(r.label)}**: {_shares_md(r)}")
        for sub in top_detractor_subthemes(themes, str(r.theme_id)).itertuples(index=False):
            parts.append(f"  - {md_escape(sub.theme_id)} {md_escape(sub.label)}: {_shares_md(sub)}")
    return parts + [""]


def _examples_md(result: AnalysisResult, themes: pd.DataFrame) -> list[str]:
    """Per theme its keywords and the example comments of detractors and promoters."""
    if not len(themes):
        return []
    parts = ["## Themes with example comments", ""]
    by_id = theme_summaries(result.summary)
    for r in themes.itertuples(index=False):
        examples = by_id[str(r.theme_id)].examples
        parts += [
            f"### {r.theme_id}: {md_escape(r.label)}",
            "",
            f"Keywords: {md_escape(r.keywords)}. Comments: {r.n_comments}.",
            "",
        ]
        for side in ("detractor", "promoter"):
            parts += [f"- *{side}*: {md_escape(ex)}" for ex in getattr(examples, side)]
        parts.append("")
    return parts


def _candidates_md(result: AnalysisResult) -> list[str]:
    """Clusters of comments that fit no theme of the saved model."""
    candidates = result.summary.new_theme_candidates
    if not candidates:
        return []
    parts = [
        "## New theme candidates",
        "",
        "Comments that fit no theme of the saved model, clustered:",
        "",
    ]
    for c in candidates:
        parts.append(
            f"- **{c.theme_id} {md_escape(c.label)}** ({c.size} comments): "
            + "; ".join(md_escape(e) for e in c.examples[:2])
        )
    return parts + [""]


def _terms_md(result: AnalysisResult) -> list[str]:
    """The words most typical of detractors and of promoters."""
    if not len(result.terms):
        return []
    parts = ["## Words that set detractors apart", ""]
    for side in ("detractor", "promoter"):
        terms = result.terms[result.terms["side"] == side].head(12)
        parts.append(f"- **{side}s**: " + ", ".join(md_escape(t) for t in terms["term"]))
    return parts + [""]


def _followup_md(result: AnalysisResult) -> list[str]:
    """What followup.csv holds and in which order."""
    f = result.summary.followup
    if not f:
        return []
    return [
        "## Close the loop",
        "",
        f"`followup.csv` lists {f.detractors} detractors to contact "
        f"({f.detractors_without_text} without a usable comment), then {f.promoters} "
        "promoters to thank and ask for a referral; passives are not listed. Detractors come "
        "by lowest score, then most negative sentiment, then the summed "
        f"|{score_name(result.summary)} impact| of their comment's themes.",
        "",
    ]
