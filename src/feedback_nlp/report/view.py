"""What the reports select from a result, chosen once for every renderer.

The Markdown, HTML and Excel reports and the terminal summary show the same
headline, list themes in the same order and pick the same top detractor
themes and trend changes; the selections live here so they cannot drift
apart. Each function reads the result (or its typed ``summary``) and returns
plain data; formatting stays with each renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import compare
from ..compare import subthemes_in_order, themes_in_order
from ..result import AnalysisResult, MaskedTerm, SegmentFit
from ..summary_types import (
    RowCounts,
    ScaleSummary,
    Summary,
    ThemeChange,
    ThemeSummary,
    TrendComparison,
    TrendsSummary,
)

__all__ = [
    "Headline",
    "headline",
    "score_label",
    "score_name",
    "themes_in_order",
    "subthemes_in_order",
    "top_detractor_themes",
    "top_detractor_subthemes",
    "no_significant_theme",
    "SegmentOwnThemes",
    "segment_own_themes",
    "segment_fit_text",
    "theme_summaries",
    "theme_changes",
    "trend_caveat",
    "trend_flag_notes",
    "masked_term_phrase",
    "brand_masking_text",
    "brand_masking_method",
    "TOP_THEMES",
    "TOP_SUBTHEMES",
    "TOP_SEGMENT_THEMES",
    "MAX_THEME_CHANGES",
]

#: Detractor themes the terminal summary lists.
TOP_THEMES = 5
#: Detractor sub-themes the terminal summary and the Markdown report list under each of them.
TOP_SUBTHEMES = 3
#: Own detractor themes the reports list for each segment value (``--per-segment``).
TOP_SEGMENT_THEMES = 3
#: Detractor-theme changes between the last two periods the reports list.
MAX_THEME_CHANGES = 10


@dataclass(frozen=True)
class Headline:
    """The overall NPS with its 95% interval, the group counts and the row counts.

    ``label`` names the score: ``NPS`` on the NPS's own 0-10 scale, else
    ``NPS-style score`` with ``scale`` beside it (the range and the groups'
    scores, and whether the scale was inferred): a rating on another scale is
    never headlined as a plain NPS.
    """

    score: float
    ci_low: float
    ci_high: float
    n: int
    detractors: int
    passives: int
    promoters: int
    rows: RowCounts
    label: str = "NPS"
    scale: str | None = None


def headline(summary: Summary) -> Headline:
    """The headline figures of ``summary`` (values as the summary holds them).

    >>> from feedback_nlp.summary_types import Manifest, NpsStats, RowCounts
    >>> s = Summary(RowCounts(210, 200, 10, 4, 180), NpsStats(200, 65, 95, 40, 12.5, 8.0, 17.0),
    ...     None, None, None, (), (), Manifest({}, 0, {}, "", None, None), ())
    >>> h = headline(s)
    >>> h.score, h.ci_low, h.promoters, h.rows.read
    (12.5, 8.0, 65, 210)
    """
    nps = summary.nps
    label, scale = score_label(summary.scale)
    return Headline(
        score=nps.score,
        ci_low=nps.ci_low,
        ci_high=nps.ci_high,
        n=nps.n,
        detractors=nps.detractors,
        passives=nps.passives,
        promoters=nps.promoters,
        rows=summary.rows,
        label=label,
        scale=scale,
    )


def score_label(scale: ScaleSummary | None) -> tuple[str, str | None]:
    """What the reports call the score, and the scale to show beside it (None for NPS 0-10).

    >>> label, scale = score_label(ScaleSummary(1, 5, 5, 3, inferred=True))
    >>> label
    'NPS-style score'
    >>> scale
    'on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor; inferred from the scores)'
    >>> score_label(ScaleSummary(0, 10, 9, 6))
    ('NPS', None)
    """
    if scale is None or scale.is_nps:
        return "NPS", None
    s = scale.scale
    how = "; inferred from the scores" if scale.inferred else ""
    return "NPS-style score", f"on a {s.minimum:g}-{s.maximum:g} scale ({s.mapping()}{how})"


def score_name(summary: Summary) -> str:
    """The word for the score in every heading, column and chart: ``NPS`` on the NPS's own
    0-10 scale, else ``NPS-style score`` (the headline shows its scale beside it).

    Machine tables (CSV columns, summary.json keys) keep their ``nps`` names.
    """
    return score_label(summary.scale)[0]


def _significant(themes: pd.DataFrame) -> pd.DataFrame:
    """The rows whose ``significant`` is True (a missing column or value: none)."""
    if "significant" not in themes.columns:
        return themes.iloc[0:0]
    return themes[themes["significant"].map(lambda v: v is True or v is np.True_)]


def top_detractor_themes(themes: pd.DataFrame, limit: int = TOP_THEMES) -> pd.DataFrame:
    """The ``limit`` themes detractors raise most over promoters, significant ones only.

    The order and ``diff_pp`` > 0 are :func:`feedback_nlp.compare.top_detractor_themes`
    (the trends follow those themes, significant or not, to watch them move); a
    headline list keeps only the themes whose difference is significant
    (``significant``: q < alpha), so it never lists noise. When none is, the
    reports say :func:`no_significant_theme`. Full tables list every theme.

    >>> t = pd.DataFrame({"theme_id": ["T1", "T2", "T3", "T4"], "diff_pp": [-2.0, 4.0, 9.0, 0.2],
    ...                   "significant": [True, True, True, False]})
    >>> top_detractor_themes(t)["theme_id"].tolist()
    ['T3', 'T2']
    """
    return _significant(compare.top_detractor_themes(themes, len(themes))).head(limit)


def no_significant_theme(alpha: float) -> str:
    """The line a top list is replaced by when no theme is significant.

    >>> no_significant_theme(0.05)
    'No theme is significantly more common among detractors (q < 0.05).'
    """
    return f"No theme is significantly more common among detractors (q < {alpha:g})."


def top_detractor_subthemes(
    themes: pd.DataFrame, parent_id: str, limit: int = TOP_SUBTHEMES
) -> pd.DataFrame:
    """The ``limit`` sub-themes of ``parent_id`` detractors raise most over promoters.

    The rule of :func:`top_detractor_themes` within one theme: ``diff_pp`` > 0,
    significant, largest first, ties by id (:func:`subthemes_in_order`).

    >>> t = pd.DataFrame({"theme_id": ["T1", "T1.1", "T1.2", "T1.3", "T1.4", "T2.1"],
    ...     "level": [1, 2, 2, 2, 2, 2], "parent_id": ["", "T1", "T1", "T1", "T1", "T2"],
    ...     "diff_pp": [9.0, 1.0, -2.0, 3.0, 4.0, 5.0],
    ...     "significant": [True, True, True, True, False, True]})
    >>> top_detractor_subthemes(t, "T1")["theme_id"].tolist()
    ['T1.3', 'T1.1']
    """
    subs = subthemes_in_order(themes, parent_id)
    return _significant(subs[pd.to_numeric(subs["diff_pp"], errors="coerce") > 0]).head(limit)


@dataclass(frozen=True)
class SegmentOwnThemes:
    """One segment value's own themes (``--per-segment``): how they were fitted, its
    themes in report order and its top (significant) detractor themes among them."""

    fit: SegmentFit
    themes: pd.DataFrame
    top: pd.DataFrame


def segment_own_themes(result: AnalysisResult) -> dict[str, list[SegmentOwnThemes]]:
    """Per segment column, each value's own themes, the values with most comments first
    (ties by value); empty without ``--per-segment``."""
    table = result.segment_own_themes
    if not result.config.per_segment or table is None:
        return {}
    keyed = table.astype({"segment": str, "value": str})
    by_value = {k: g for k, g in keyed.groupby(["segment", "value"], sort=False)}
    out: dict[str, list[SegmentOwnThemes]] = {}
    for fit in sorted(result.segment_fits, key=lambda f: (-f.comments, f.value)):
        own = by_value.get((fit.segment, fit.value), keyed.iloc[0:0])
        out.setdefault(fit.segment, []).append(
            SegmentOwnThemes(
                fit, themes_in_order(own), top_detractor_themes(own, TOP_SEGMENT_THEMES)
            )
        )
    return {col: out[col] for col in dict.fromkeys(f.segment for f in result.segment_fits)}


def segment_fit_text(fit: SegmentFit) -> str:
    """How many own themes a segment value got, and why that many (or none).

    >>> segment_fit_text(SegmentFit("plan", "Basic", 1412, 33, 42, 15))
    '1,412 usable comments, 15 own themes (at most 42: a theme needs 33 comments here)'
    >>> segment_fit_text(SegmentFit("plan", "Trial", 25, 20, 1, 0, "too few comments"))
    '25 usable comments, no own themes: too few comments'
    """
    n = f"{fit.comments:,} usable comment{'s' if fit.comments != 1 else ''}"
    if not fit.themes:
        return f"{n}, no own themes: {fit.reason}"
    plural = "s" if fit.themes != 1 else ""
    return (
        f"{n}, {fit.themes} own theme{plural} (at most {fit.max_themes}: a theme needs "
        f"{fit.min_theme} comments here)"
    )


def theme_summaries(summary: Summary) -> dict[str, ThemeSummary]:
    """Theme id → the theme's (or sub-theme's) entry of ``summary.themes`` (keywords, examples)."""
    return {str(t.theme_id): t for t in summary.themes}


def theme_changes(
    comparison: TrendComparison | None,
    limit: int = MAX_THEME_CHANGES,
    direction: str | None = None,
) -> list[ThemeChange]:
    """The detractor themes whose share moved most between the last two periods.

    ``comparison`` is ``summary.trends.comparison`` (largest change first);
    ``direction`` ``"grew"`` or ``"shrank"`` keeps only those.
    """
    entries: tuple[ThemeChange, ...] = comparison.themes if comparison else ()
    if direction is not None:
        entries = tuple(e for e in entries if e.direction == direction)
    return list(entries[:limit])


def trend_caveat(trends: TrendsSummary | None) -> str | None:
    """Why the last-two-periods comparison may over-claim: a partial or a low-n period.

    >>> from feedback_nlp.summary_types import PeriodNps
    >>> last = PeriodNps(12, 5, 4, 3, 16.7, -17.0, 46.0, period="2024-03", partial=True, low_n=True)
    >>> prev = PeriodNps(80, 25, 40, 15, 12.5, -1.0, 26.0, period="2024-02")
    >>> c = TrendComparison(last, prev, 4.2, 0.8, False, ())
    >>> t = TrendsSummary("date", "month", 92, 0, ("2024-02", "2024-03"), (), c,
    ...                   "2024-02-01", "2024-03-10", ("2024-03",), ("2024-03",), 30)
    >>> trend_caveat(t)
    'Read the change with caution: 2024-03 is a partial month (answers up to 2024-03-10) \
and has only 12 respondents (fewer than 30).'
    """
    c = trends.comparison if trends else None
    if not trends or not c:
        return None
    notes = []
    for p in (c.previous, c.last):
        says = []
        if p.partial:
            to = f"up to {trends.last_date}" if p is c.last else f"from {trends.first_date}"
            says.append(f"is a partial {trends.period} (answers {to})")
        if p.low_n:
            says.append(f"has only {p.n} respondents (fewer than {trends.low_n_threshold})")
        if says:
            notes.append(f"{p.period} " + " and ".join(says))
    return f"Read the change with caution: {'; '.join(notes)}." if notes else None


def trend_flag_notes(trends: TrendsSummary | None, limit: int = 12) -> list[str]:
    """One line each for the partial periods and the low-n periods (at most ``limit`` named).

    >>> t = TrendsSummary("date", "year", 900, 0, ("2013", "2014", "2024"), (), None,
    ...                   "2013-03-02", "2024-03-10", ("2013", "2024"), ("2014",), 30)
    >>> trend_flag_notes(t)
    ['Partial periods (answers run from 2013-03-02 to 2024-03-10): 2013, 2024.', \
'Periods with fewer than 30 respondents (low n): 2014.']
    """
    if not trends:
        return []

    def named(periods: tuple[str, ...]) -> str:
        more = len(periods) - limit
        return ", ".join(periods[:limit]) + (f" and {more} more" if more > 0 else "")

    out = []
    if trends.partial_periods:
        out.append(
            f"Partial periods (answers run from {trends.first_date} to {trends.last_date}): "
            f"{named(trends.partial_periods)}."
        )
    if trends.low_n_periods:
        out.append(
            f"Periods with fewer than {trends.low_n_threshold} respondents (low n): "
            f"{named(trends.low_n_periods)}."
        )
    return out


def _share(share: float | None) -> str:
    if share is None:
        return "no comments"
    return "<1%" if 0 < share < 0.01 else f"{share:.0%}"


def masked_term_phrase(term: MaskedTerm, counts: bool = False) -> str:
    """A masked brand term with its source and how many comments hold it.

    >>> masked_term_phrase(MaskedTerm("acme", "detected", 41, 100))
    'acme (detected, 41% of comments)'
    >>> masked_term_phrase(MaskedTerm("Zed", "given", 3, 2948), counts=True)
    'Zed (given; in 3 of 2,948 comments with text, <1%)'
    """
    if not counts:
        return f"{term.term} ({term.source}, {_share(term.share)} of comments)"
    return (
        f"{term.term} ({term.source}; in {term.comments:,} of {term.of:,} comments with text, "
        f"{_share(term.share)})"
    )


def brand_masking_text(
    terms: Sequence[MaskedTerm], detection: bool = True, counts: bool = True
) -> str:
    """What was masked as brand names before theme discovery, as one plain sentence.

    ``terms`` is ``result.masked_terms``, ``detection`` the config's
    ``brand_detection``. Every report states it (each renderer escapes it).

    >>> brand_masking_text([MaskedTerm("acme", "detected", 1, 2)], counts=False)
    'Masked as brand names before theme discovery: acme (detected, 50% of comments).'
    >>> brand_masking_text([], detection=False)
    'No brand names were masked before theme discovery (none given; brand detection was off).'
    """
    if terms:
        listed = ", ".join(masked_term_phrase(t, counts) for t in terms)
        text = f"Masked as brand names before theme discovery: {listed}."
        return text + (" Brand detection was off." if not detection else "")
    why = "none given, none detected" if detection else "none given; brand detection was off"
    return f"No brand names were masked before theme discovery ({why})."


def brand_masking_method(terms: Sequence[MaskedTerm], detection: bool = True) -> str:
    """The reports' methods paragraph on brand masking: what was masked, and the rule."""
    from ..themes.clean import GENERIC_COMPANY_WORDS  # loaded by the analysis already

    generic = ", ".join(GENERIC_COMPANY_WORDS[:-1]) + f" and {GENERIC_COMPANY_WORDS[-1]}"
    rule = (
        " A term is detected when it is name-like and detractors, passives and promoters "
        "use it at a similar rate: the highest group's share at most 1.5 times the lowest's, "
        "and no difference between detractors and promoters (two-proportion test, p ≥ 0.05)."
        if detection
        else ""
    )
    saved = (
        " A saved model's own terms are masked when themes are assigned."
        if any(t.source == "saved model" for t in terms)
        else ""
    )
    return (
        f"{brand_masking_text(terms, detection)}{rule}{saved} The words {generic} are "
        "always masked. Masked words are left out of the text themes and sentiment read; "
        "the example comments show them."
    )
