"""Context builders of the HTML report's action sections: trends, other metrics, follow-up.

Each returns plain values for the template (numbers already formatted, charts
as :class:`markupsafe.Markup`), or None when the result has no such table.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..result import AnalysisResult
from ..summary_types import TrendComparison
from . import trend_charts
from .formatting import finite as _finite
from .formatting import fmt_interval, shorten
from .formatting import fmt_num as _num
from .formatting import fmt_p as _p
from .formatting import fmt_pct as _pct
from .view import score_name, theme_changes, trend_caveat, trend_flag_notes

__all__ = ["trends_section", "metrics_section", "followup_section", "trend_headline"]

MAX_TREND_PERIODS = 60
MAX_FOLLOWUP_ROWS = 10
MAX_FOLLOWUP_CHARS = 200


def trend_headline(
    comparison: TrendComparison | None, alpha: float, label: str = "NPS"
) -> str | None:
    """One sentence: the last period's NPS, its change vs the one before, its significance.

    ``label`` names the score (``NPS-style score`` on another scale than NPS 0-10).

    >>> from feedback_nlp.summary_types import PeriodNps
    >>> last = PeriodNps(80, 20, 44, 16, 5.0, -8.0, 18.0, period="2026-06")
    >>> previous = PeriodNps(80, 25, 40, 15, 12.5, -1.0, 26.0, period="2026-05")
    >>> trend_headline(TrendComparison(last, previous, -7.5, 0.2, False, ()), 0.05)
    'NPS 2026-06: +5.0, −7.5 points vs 2026-05 (+12.5); p = 0.200, not significant.'
    """
    if not comparison:
        return None
    c = comparison
    sig = "significant" if (_finite(c.p_value) or 1.0) < alpha else "not significant"
    return (
        f"{label} {c.last.period}: {_num(c.last.nps, 1, True)}, "
        f"{_num(c.nps_change, 1, True)} points vs {c.previous.period} "
        f"({_num(c.previous.nps, 1, True)}); p = {_p(c.p_value)}, {sig}."
    )


def trends_section(result: AnalysisResult) -> dict[str, Any] | None:
    """NPS per period (chart with interval band, table), top detractor themes per period."""
    trends, info = result.trends, result.summary.trends
    if trends is None or not info:
        return None
    # the charts show every period on their time axis; the table the latest ones
    all_rows = trends[trends["kind"] == "nps"]
    nps_rows = all_rows.tail(MAX_TREND_PERIODS)
    periods = [str(p) for p in all_rows["period"]]
    points = trend_charts.trend_points(trends)
    themes = trends[(trends["kind"] == "theme") & trends["period"].isin(periods)]
    series = []
    for tid in info.top_detractor_themes:
        t = themes[themes["theme_id"] == tid].set_index("period").reindex(periods)
        label = str(t["label"].dropna().iloc[0]) if t["label"].notna().any() else ""
        series.append(
            trend_charts.ThemeSeries(
                str(tid),
                label,
                tuple(float(v) for v in t["share_detractors"].astype(float)),
                tuple(float(v) for v in t["share_promoters"].astype(float)),
            )
        )
    c = info.comparison
    score = score_name(result.summary)
    changes = []
    for e in theme_changes(c):
        changes.append(
            {
                "theme_id": e.theme_id,
                "label": e.label,
                "previous": _pct(e.share_detractors_previous),
                "last": _pct(e.share_detractors_last),
                "change": _num(e.change_pp, 1, True),
                "q": _p(e.q_value),
                "direction": e.direction,
                "significant": bool(e.significant),
            }
        )
    return {
        "period": info.period,
        "date_column": info.date_column or "",
        "without_date": int(info.rows_without_date or 0),
        "headline": trend_headline(c, result.config.alpha, score),
        "caveat": trend_caveat(info),
        "flag_notes": trend_flag_notes(info),
        "last": c.last.period if c else None,
        "previous": c.previous.period if c else None,
        "nps_chart": Markup(
            trend_charts.nps_trend(
                points, f"{score} per period with 95% intervals", score, info.low_n_threshold
            )
        )
        if points
        else None,
        "theme_chart": Markup(
            trend_charts.theme_share_panels(points, series, "Top detractor themes per period")
        )
        if series and periods
        else None,
        "rows": [
            {
                "period": str(r.period),
                "n": int(r.n),
                "nps": _num(r.nps, 1, True),
                "ci": fmt_interval(r.ci_low, r.ci_high),
                "det": int(r.detractors),
                "pro": int(r.promoters),
                "partial": bool(r.partial),
                "low_n": bool(r.low_n),
            }
            for r in nps_rows.itertuples(index=False)
        ],
        "hidden": len(all_rows) - len(nps_rows),
        "changes": changes,
    }


def metrics_section(result: AnalysisResult) -> list[dict[str, Any]] | None:
    """Per metric: overall mean, correlation with the score, means by group and segment."""
    if result.metrics is None or not len(result.metrics):
        return None
    out = []
    for name, rows in result.metrics.groupby("metric", sort=False):
        overall = rows[rows["by"] == "all"].iloc[0]
        out.append(
            {
                "name": str(name),
                "n": int(overall["n"]),
                "mean": _num(overall["metric_mean"], 2),
                "missing": int(overall["n_missing"]),
                "invalid": int(overall["n_invalid"]),
                "pearson": _num(overall["pearson_r"], 2, True),
                "pearson_p": _p(overall["pearson_p"]),
                "spearman": _num(overall["spearman_rho"], 2, True),
                "spearman_p": _p(overall["spearman_p"]),
                "rows": [
                    {
                        "by": str(r.by),
                        "value": str(r.value),
                        "n": int(r.n),
                        "mean": _num(r.metric_mean, 2),
                        "sd": _num(r.sd, 2),
                    }
                    for r in rows[rows["by"] != "all"].itertuples(index=False)
                ][:200],
            }
        )
    return out


def followup_section(result: AnalysisResult) -> dict[str, Any] | None:
    """The counts of the follow-up list and its first detractors."""
    f = result.followup
    if f is None:
        return None
    det = f[f["group"] == "detractor"].head(MAX_FOLLOWUP_ROWS)
    return {
        "detractors": int((f["group"] == "detractor").sum()),
        "promoters": int((f["group"] == "promoter").sum()),
        "rows": [
            {
                "priority": int(r.priority),
                "id": str(r.respondent_id),
                "score": _num(r.score, 0),
                "sentiment": _num(r.sentiment, 2, True),
                "themes": str(r.theme_labels),
                "text": shorten(r.text, MAX_FOLLOWUP_CHARS),
            }
            for r in det.itertuples(index=False)
        ],
    }
