"""The Markdown report: a pure function of the result."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..result import AnalysisResult

__all__ = ["render_markdown", "md_escape", "format_p"]


def md_escape(text: Any) -> str:
    """Make a value safe inside a Markdown table cell (pipes, newlines, HTML)."""
    s = " ".join(str(text).split())
    for ch, rep in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        s = s.replace(ch, rep)
    return s


def format_p(v: Any) -> str:
    """A p- or q-value for people: '<0.001', '0.042', or '-' when missing.

    >>> format_p(0.0001), format_p(0.04213), format_p(None)
    ('<0.001', '0.042', '-')
    """
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "-"
    if f != f:
        return "-"
    return "<0.001" if f < 0.001 else f"{f:.3f}"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render_markdown(result: AnalysisResult) -> str:
    """Headline NPS, NPS by segment, detractor-vs-promoter themes, examples, methods."""
    s = result.summary
    nps = s["nps"]
    rows = s["rows"]
    parts = [
        "# Survey feedback report",
        "",
        f"**NPS {nps['score']:+.2f}** (95% CI {nps['ci95'][0]:+.2f} to {nps['ci95'][1]:+.2f}), "
        f"n = {nps['n']}: {nps['promoters']} promoters, {nps['passives']} passives, "
        f"{nps['detractors']} detractors.",
        "",
        f"Rows read: {rows['read']}; analysed: {rows['analyzed']}; rejected: {rows['rejected']} "
        f"(see `rejected.csv`); without usable text: {rows['no_text']}; with a theme: "
        f"{rows['with_theme']}.",
        "",
    ]
    if len(result.segments):
        parts += ["## NPS by segment", ""]
        parts.append(
            _table(
                ["segment", "value", "n", "NPS", "95% CI", "vs rest (pp)", "p"],
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
        )
        parts.append("")
    parts += _trends_md(result) + _metrics_md(result)
    themes = result.themes.sort_values(["diff_pp", "theme_id"], ascending=[False, True])
    parts += ["## What detractors raise more than promoters", ""]
    parts.append(
        _table(
            [
                "theme",
                "label",
                "detractors",
                "promoters",
                "diff (pp)",
                "lift",
                "q",
                "theme NPS",
                "NPS impact",
                "sentiment",
            ],
            [
                [
                    r.theme_id,
                    r.label,
                    f"{100 * r.share_detractors:.1f}%",
                    f"{100 * r.share_promoters:.1f}%",
                    f"{r.diff_pp:+.1f}",
                    f"{r.lift:.2f}",
                    format_p(r.q_value) + (" *" if r.significant else ""),
                    "-" if pd.isna(r.nps) else f"{r.nps:+.1f}",
                    "-" if pd.isna(r.nps_impact) else f"{r.nps_impact:+.2f}",
                    "-" if pd.isna(r.mean_sentiment) else f"{r.mean_sentiment:+.2f}",
                ]
                for r in themes.itertuples(index=False)
            ],
        )
    )
    parts += [
        "",
        f"\\* significant after Benjamini-Hochberg correction (q < {result.config.alpha:g}).",
        "",
        "## Themes with example comments",
        "",
    ]
    by_id = {t["theme_id"]: t for t in s["themes"]}
    for r in themes.itertuples(index=False):
        t = by_id[r.theme_id]
        parts.append(f"### {r.theme_id}: {md_escape(r.label)}")
        parts.append("")
        parts.append(f"Keywords: {md_escape(r.keywords)}. Comments: {r.n_comments}.")
        parts.append("")
        for side in ("detractor", "promoter"):
            for ex in t["examples"][side]:
                parts.append(f"- *{side}*: {md_escape(ex)}")
        parts.append("")
    candidates = s.get("new_theme_candidates") or []
    if candidates:
        parts += [
            "## New theme candidates",
            "",
            "Comments that fit no theme of the saved model, clustered:",
            "",
        ]
        for c in candidates:
            parts.append(
                f"- **{c['theme_id']} {md_escape(c['label'])}** ({c['size']} comments): "
                + "; ".join(md_escape(e) for e in c.get("examples", [])[:2])
            )
        parts.append("")
    if len(result.terms):
        parts += ["## Words that set detractors apart", ""]
        for side in ("detractor", "promoter"):
            terms = result.terms[result.terms["side"] == side].head(12)
            parts.append(f"- **{side}s**: " + ", ".join(md_escape(t) for t in terms["term"]))
        parts.append("")
    parts += _followup_md(result)
    parts += [
        "## Methods",
        "",
        "NPS = % promoters - % detractors; 95% interval by the adjusted Wald method "
        "(+0.75 detractors, +1.5 passives, +0.75 promoters). Theme shares are per group among "
        "comments with usable text; p-values by Fisher's exact test (small counts) or the "
        "two-proportion z test, q-values by Benjamini-Hochberg across all tests of the run. "
        "NPS impact = NPS(all) - NPS(all without the theme's respondents). Sentiment: VADER "
        "compound. See the README for details.",
        "",
    ]
    return "\n".join(parts)


def _num(v: Any, fmt: str) -> str:
    return "-" if v is None or pd.isna(v) else format(float(v), fmt)


def _trends_md(result: AnalysisResult) -> list[str]:
    """NPS per period, the last period against the one before, detractor theme changes."""
    info, trends = result.summary.get("trends"), result.trends
    if not info or trends is None:
        return []
    parts = [f"## NPS over time (by {info['period']})", ""]
    c = info.get("comparison")
    if c:
        sig = "significant" if c["significant"] else "not significant"
        parts += [
            f"**NPS {c['last']['period']}: {c['last']['nps']:+.1f}**, "
            f"{c['nps_change']:+.1f} points "
            f"vs {c['previous']['period']} ({c['previous']['nps']:+.1f}); z test p = "
            f"{format_p(c['p_value'])}, {sig}.",
            "",
        ]
    if info.get("rows_without_date"):
        parts += [
            f"{info['rows_without_date']} respondents without a date are left out of the "
            "trends only.",
            "",
        ]
    nps = trends[trends["kind"] == "nps"]
    parts.append(
        _table(
            ["period", "n", "NPS", "95% CI", "detractors", "promoters"],
            [
                [
                    r.period,
                    r.n,
                    f"{r.nps:+.1f}",
                    f"{r.ci_low:+.1f} to {r.ci_high:+.1f}",
                    r.detractors,
                    r.promoters,
                ]
                for r in nps.itertuples(index=False)
            ],
        )
    )
    parts.append("")
    if c and c["themes"]:
        parts += [
            f"Detractor themes, {c['last']['period']} vs {c['previous']['period']} "
            "(share of detractor comments; grew/shrank when q < "
            f"{result.config.alpha:g}):",
            "",
        ]
        parts.append(
            _table(
                [
                    "theme",
                    "label",
                    c["previous"]["period"],
                    c["last"]["period"],
                    "change (pp)",
                    "q",
                    "direction",
                ],
                [
                    [
                        e["theme_id"],
                        e["label"],
                        _num(e["share_detractors_previous"], ".1%"),
                        _num(e["share_detractors_last"], ".1%"),
                        _num(e["change_pp"], "+.1f"),
                        format_p(e["q_value"]),
                        e["direction"],
                    ]
                    for e in c["themes"][:10]
                ],
            )
        )
        parts.append("")
    return parts


def _metrics_md(result: AnalysisResult) -> list[str]:
    """Each other metric: mean, correlation with the score, means by NPS group."""
    metrics = result.summary.get("metrics")
    if not metrics:
        return []
    parts = ["## Other metrics", ""]
    rows = []
    for m in metrics:
        g = m["by_group"]
        rows.append(
            [
                m["metric"],
                m["n"],
                _num(m["mean"], ".2f"),
                *(
                    _num(g.get(k, {}).get("mean"), ".2f")
                    for k in ("detractor", "passive", "promoter")
                ),
                f"{_num(m['pearson_r'], '+.2f')} (p {format_p(m['pearson_p'])})",
                f"{_num(m['spearman_rho'], '+.2f')} (p {format_p(m['spearman_p'])})",
                f"{m['n_missing']} / {m['n_invalid']}",
            ]
        )
    parts.append(
        _table(
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
    )
    parts += ["", "Means by segment value are in `metrics.csv`.", ""]
    return parts


def _followup_md(result: AnalysisResult) -> list[str]:
    f = result.summary.get("followup")
    if not f:
        return []
    return [
        "## Close the loop",
        "",
        f"`followup.csv` lists {f['detractors']} detractors to contact "
        f"({f['detractors_without_text']} without a usable comment), then {f['promoters']} "
        "promoters to thank and ask for a referral; passives are not listed. Detractors come "
        "by lowest score, then most negative sentiment, then the summed |NPS impact| of their "
        "comment's themes.",
        "",
    ]
