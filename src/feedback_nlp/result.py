"""Plain-data containers passed between the stages, and the output column contracts.

The column tuples below are the public contract of the output tables: the
README documents each, renderers rely on them, and tests pin them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import AnalysisConfig
from .summary_types import Summary

if TYPE_CHECKING:  # pandas loads only when an analysis runs, so `--help` stays instant
    import pandas as pd

__all__ = [
    "Survey",
    "AnalysisResult",
    "MaskedTerm",
    "SegmentFit",
    "MASK_SOURCES",
    "COMMENT_COLUMNS",
    "THEME_COLUMNS",
    "SEGMENT_COLUMNS",
    "SEGMENT_THEME_COLUMNS",
    "SEGMENT_OWN_THEME_COLUMNS",
    "TERM_COLUMNS",
    "REJECTED_COLUMNS",
    "TREND_COLUMNS",
    "METRIC_COLUMNS",
    "FOLLOWUP_COLUMNS",
]

#: comments.csv; the segment columns (named as in the input) follow ``score``. ``date``
#: only with a date column; the sub-theme columns unless sub-themes are off (``subthemes=0``)
#: and none was found. ``theme_labels`` and ``subtheme_labels`` hold the labels of the ids
#: beside them, in the same order and ``;``-joined. No name shadows a pandas DataFrame
#: attribute (``row_flags``, not ``flags``: ``result.comments.row_flags`` works).
COMMENT_COLUMNS = (
    "respondent_id",
    "row",
    "group",
    "score",
    # <segment columns>
    "date",
    "sentiment",
    "sentiment_label",
    "primary_theme",
    "themes",
    "theme_labels",
    "primary_subtheme",
    "subthemes",
    "subtheme_labels",
    "row_flags",
    "text",
)
#: themes.csv: one row per theme (``level`` 1) and per sub-theme (``level`` 2,
#: ``parent_id`` its theme's id; empty on themes). q-values are Benjamini-Hochberg
#: within each level.
THEME_COLUMNS = (
    "theme_id",
    "level",
    "parent_id",
    "label",
    "keywords",
    "n_comments",
    "n_detractors",
    "n_passives",
    "n_promoters",
    "share_detractors",
    "share_passives",
    "share_promoters",
    "diff_pp",
    "lift",
    "p_value",
    "q_value",
    "significant",
    "nps",
    "nps_impact",
    "mean_sentiment",
    "mentions",
    "share_negative_mentions",
    "mean_mention_sentiment",
    "examples",
)
SEGMENT_COLUMNS = (
    "segment",
    "value",
    "n",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "ci_low",
    "ci_high",
    "low_n",
    "diff_vs_rest",
    "p_vs_rest",
)
#: segment_themes.csv: the comparison columns of THEME_COLUMNS within each segment value.
SEGMENT_THEME_COLUMNS = ("segment", "value") + tuple(
    c for c in THEME_COLUMNS if c not in ("keywords", "examples")
)
#: segment_own_themes.csv (with --per-segment): each segment value's own themes.
SEGMENT_OWN_THEME_COLUMNS = ("segment", "value", "theme_id", "label", "keywords") + tuple(
    c for c in THEME_COLUMNS if c not in ("theme_id", "label", "keywords", "examples")
)
TERM_COLUMNS = ("term", "side", "z", "n_detractors", "n_promoters")
REJECTED_COLUMNS = ("row", "respondent_id", "source", "reason")
#: trends.csv (with a date column), long format: per period one ``kind="nps"`` row, then one
#: ``kind="theme"`` row per theme. On nps rows ``n``/``promoters``/``passives``/``detractors``
#: count the period's respondents; on theme rows they count those whose comment carries the
#: theme, and ``share_*`` = those / the period's comments of that group with usable text
#: (``n_detractor_comments``, ``n_promoter_comments``). NPS columns are empty on theme rows,
#: theme columns empty on nps rows. ``period_start``/``period_end`` are the period's first
#: and last day; ``partial`` and ``low_n`` describe the period (the same on all its rows):
#: the answers cover only part of it, fewer respondents than ``--low-n`` (see ``trends``).
TREND_COLUMNS = (
    "period",
    "period_start",
    "period_end",
    "partial",
    "low_n",
    "kind",
    "theme_id",
    "label",
    "n",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "ci_low",
    "ci_high",
    "n_detractor_comments",
    "n_promoter_comments",
    "share_detractors",
    "share_promoters",
)
#: metrics.csv (with --metric-col): the mean of each metric by ``by`` = ``all``, ``nps_group``
#: or a segment column; correlation with the score on the ``all`` row only. ``metric_mean``,
#: not ``mean``: no output column shadows a pandas DataFrame attribute.
METRIC_COLUMNS = (
    "metric",
    "by",
    "value",
    "n",
    "metric_mean",
    "sd",
    "n_missing",
    "n_invalid",
    "pearson_r",
    "pearson_p",
    "spearman_rho",
    "spearman_p",
)
#: followup.csv; the segment columns (named as in the input) follow ``score``; ``date``
#: only with a date column.
FOLLOWUP_COLUMNS = (
    "priority",
    "respondent_id",
    "group",
    "score",
    # <segment columns>
    "date",
    "sentiment",
    "themes",
    "theme_labels",
    "theme_impact",
    "action",
    "text",
)


@dataclass
class Survey:
    """The input after loading, validation and joining: one row per respondent kept.

    ``frame`` has the canonical columns ``row`` (1-based data row of the main
    input, header excluded), ``respondent_id`` (str), ``score`` (float, NaN when
    only a group label was given), ``group`` ('detractor'/'passive'/'promoter'),
    ``text`` (str, '' when absent), ``date`` (datetime64, NaT when absent) and
    the segment columns under their input names (as str). ``rejected`` has
    :data:`REJECTED_COLUMNS` plus ``raw_*`` columns with the raw values.
    ``info`` records what was detected and decided (columns chosen, encoding,
    delimiter, join counts) and ``notes`` holds messages for the user.
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    segment_cols: tuple[str, ...]
    info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Raw cells of the metric columns (one column each, as text), aligned with ``frame``.
    metrics: pd.DataFrame | None = None


#: Where a masked brand term came from: ``--brand-terms``, detection in the comments, or
#: the saved model given with ``--model`` (its own terms, masked when themes are assigned).
MASK_SOURCES = ("given", "detected", "saved model")


@dataclass(frozen=True)
class MaskedTerm:
    """A term masked as a brand name before theme discovery: where it came from, how common.

    ``comments`` of the ``of`` comments with usable text hold it (as a whole
    word, any case: as it is masked). The reports show it; ``summary.json``
    keeps only the given and detected names (``brand_terms``).

    >>> MaskedTerm("acme", "detected", 41, 100).share
    0.41
    """

    term: str
    #: one of :data:`MASK_SOURCES`
    source: str
    comments: int
    of: int

    @property
    def share(self) -> float | None:
        """``comments`` / ``of`` (None without comments with usable text)."""
        return self.comments / self.of if self.of else None


@dataclass(frozen=True)
class SegmentFit:
    """How one segment value's own themes were fitted (``--per-segment``), or why not.

    ``comments`` is the value's usable comments; ``min_theme`` the fewest
    comments a theme of it needs to show a detractor/promoter difference
    (None when no size can: it lacks detractor or promoter comments);
    ``max_themes`` the most themes of that size it holds; ``themes`` how many it
    got; ``reason`` why it got none ('' when it got some).
    """

    segment: str
    value: str
    comments: int
    min_theme: int | None
    max_themes: int
    themes: int
    reason: str = ""


@dataclass
class AnalysisResult:
    """Everything an analysis produced; renderers and writers read only this."""

    config: AnalysisConfig
    comments: pd.DataFrame
    rejected: pd.DataFrame
    themes: pd.DataFrame
    segments: pd.DataFrame
    segment_themes: pd.DataFrame
    terms: pd.DataFrame
    #: what summary.json holds; ``summary.to_dict()`` gives it as plain data
    summary: Summary
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    sentences: pd.DataFrame | None = None
    segment_own_themes: pd.DataFrame | None = None
    #: With ``--per-segment``: every segment value's own theme fit, in table order.
    segment_fits: tuple[SegmentFit, ...] = ()
    #: :data:`TREND_COLUMNS`; None without a date column.
    trends: pd.DataFrame | None = None
    #: :data:`METRIC_COLUMNS`; None without ``metric_cols``.
    metrics: pd.DataFrame | None = None
    #: :data:`FOLLOWUP_COLUMNS` plus the segment columns.
    followup: pd.DataFrame | None = None
    #: Every term masked as a brand name, with its source and frequency: the human-read
    #: reports show them (summary.json's ``brand_terms`` keeps the given and detected names).
    masked_terms: tuple[MaskedTerm, ...] = ()
