"""The summary of an analysis as small frozen dataclasses, and its one JSON form.

Renderers read these attributes; :meth:`Summary.to_dict` is the only place
that knows the key names and their order in ``summary.json`` (the README's
"Output files" documents them). Parts that are free-form records of what
loading found (``join``, ``redaction``, ``columns``, the input files, the
configuration) stay plain mappings. Values are kept as the analysis produced
them: a missing statistic is ``None`` or NaN, and the JSON writer turns NaN
into ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .config import Scale

__all__ = [
    "RowCounts",
    "NpsStats",
    "ScaleSummary",
    "ThemeExamples",
    "ThemeSummary",
    "ThemeCandidate",
    "PeriodNps",
    "ThemeChange",
    "TrendComparison",
    "TrendsSummary",
    "GroupMean",
    "MetricSummary",
    "FollowupSummary",
    "ThemeModelInfo",
    "Manifest",
    "EngineInfo",
    "Summary",
]


@dataclass(frozen=True)
class RowCounts:
    """Rows ``read``, ``analyzed``, ``rejected``, without usable text, with a theme."""

    read: int
    analyzed: int
    rejected: int
    no_text: int
    with_theme: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "analyzed": self.analyzed,
            "rejected": self.rejected,
            "no_text": self.no_text,
            "with_theme": self.with_theme,
        }


@dataclass(frozen=True)
class NpsStats:
    """NPS of one set of respondents, with its 95% adjusted-Wald interval and group counts.

    The one NPS type: :func:`feedback_nlp.nps.nps_from_counts` returns it, the
    summary's overall NPS is one (``result.summary.nps``, its score also named
    ``score``) and a period's NPS (:class:`PeriodNps`) extends it.

    >>> s = NpsStats(200, 65, 95, 40, 12.5, 8.0, 17.0)
    >>> s.score == s.nps, s.summary_dict("score")["ci95"]
    (True, [8.0, 17.0])
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float
    ci_low: float
    ci_high: float

    @property
    def score(self) -> float:
        """The NPS under the summary's name for it (``result.summary.nps.score``)."""
        return self.nps

    def _counts(self) -> dict[str, int]:
        return {
            "n": self.n,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
        }

    def to_dict(self) -> dict[str, Any]:
        """The fields as one flat record (the columns segments.csv and trends.csv share)."""
        return {**self._counts(), "nps": self.nps, "ci_low": self.ci_low, "ci_high": self.ci_high}

    def summary_dict(self, score_key: str = "nps") -> dict[str, Any]:
        """summary.json's form: the counts, the NPS as ``score_key``, the interval as ``ci95``."""
        return {**self._counts(), score_key: self.nps, "ci95": [self.ci_low, self.ci_high]}


@dataclass(frozen=True)
class ScaleSummary:
    """The scale the scores were read on, and whether it was inferred from them."""

    minimum: float
    maximum: float
    promoter_min: float
    detractor_max: float
    inferred: bool = False

    @property
    def scale(self) -> Scale:
        return Scale(self.minimum, self.maximum, self.promoter_min, self.detractor_max)

    @property
    def is_nps(self) -> bool:
        """The NPS's own 0-10 scale, chosen or by default (summary.json then leaves it out)."""
        return self.scale.is_nps and not self.inferred

    def to_dict(self) -> dict[str, Any]:
        return {
            "min": self.minimum,
            "max": self.maximum,
            "promoter_min": self.promoter_min,
            "detractor_max": self.detractor_max,
            "inferred": self.inferred,
            "label": self.scale.label(),
        }


@dataclass(frozen=True)
class ThemeExamples:
    """A theme's example comments: ``all`` (as themes.csv) and per group; read
    sentence by sentence, the examples are sentences and ``*_reviews`` hold
    each one's whole comment ('' where the example is the whole comment)."""

    all: tuple[str, ...] = ()
    detractor: tuple[str, ...] = ()
    promoter: tuple[str, ...] = ()
    detractor_reviews: tuple[str, ...] = ()
    promoter_reviews: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "all": list(self.all),
            "detractor": list(self.detractor),
            "promoter": list(self.promoter),
            "detractor_reviews": list(self.detractor_reviews),
            "promoter_reviews": list(self.promoter_reviews),
        }


@dataclass(frozen=True)
class ThemeSummary:
    """One theme: its row of themes.csv (keywords as a list) and its examples.

    The statistics are as in themes.csv, ``None`` where the table has no value.
    """

    theme_id: str
    label: str
    keywords: tuple[str, ...]
    n_comments: int
    n_detractors: int
    n_passives: int
    n_promoters: int
    share_detractors: float | None
    share_passives: float | None
    share_promoters: float | None
    diff_pp: float | None
    lift: float | None
    p_value: float | None
    q_value: float | None
    significant: bool
    nps: float | None
    nps_impact: float | None
    mean_sentiment: float | None
    examples: ThemeExamples
    #: 1 for a theme, 2 for a sub-theme (whose theme is ``parent_id``).
    level: int = 1
    parent_id: str = ""
    #: Comments mentioning the theme (its ``n_comments``), the share whose mention is
    #: negative, and the mentions' mean sentiment (the sentences carrying the theme
    #: when comments are read sentence by sentence, else the comment's).
    mentions: int = 0
    share_negative_mentions: float | None = None
    mean_mention_sentiment: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "level": self.level,
            "parent_id": self.parent_id,
            "label": self.label,
            "keywords": list(self.keywords),
            "n_comments": self.n_comments,
            "n_detractors": self.n_detractors,
            "n_passives": self.n_passives,
            "n_promoters": self.n_promoters,
            "share_detractors": self.share_detractors,
            "share_passives": self.share_passives,
            "share_promoters": self.share_promoters,
            "diff_pp": self.diff_pp,
            "lift": self.lift,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "significant": self.significant,
            "nps": self.nps,
            "nps_impact": self.nps_impact,
            "mean_sentiment": self.mean_sentiment,
            "mentions": self.mentions,
            "share_negative_mentions": self.share_negative_mentions,
            "mean_mention_sentiment": self.mean_mention_sentiment,
            "examples": self.examples.to_dict(),
        }


@dataclass(frozen=True)
class ThemeCandidate:
    """A cluster of comments that fit no theme of a saved model (``--model``)."""

    theme_id: str
    label: str
    keywords: tuple[str, ...]
    size: int
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "label": self.label,
            "keywords": list(self.keywords),
            "size": self.size,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class PeriodNps(NpsStats):
    """One period's NPS with its 95% interval and group counts; ``partial``: the answers
    cover only part of the period; ``low_n``: fewer respondents than ``--low-n``."""

    period: str = field(kw_only=True)
    partial: bool = field(default=False, kw_only=True)
    low_n: bool = field(default=False, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            **self.summary_dict(),
            "partial": self.partial,
            "low_n": self.low_n,
        }


@dataclass(frozen=True)
class ThemeChange:
    """A theme's share of detractor comments in the previous and the last period."""

    theme_id: str
    label: str
    share_detractors_previous: float
    share_detractors_last: float
    detractors_previous: int
    detractors_last: int
    change_pp: float
    p_value: float
    q_value: float
    significant: bool
    #: ``grew``, ``shrank`` or ``steady`` (not significant)
    direction: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "label": self.label,
            "share_detractors_previous": self.share_detractors_previous,
            "share_detractors_last": self.share_detractors_last,
            "detractors_previous": self.detractors_previous,
            "detractors_last": self.detractors_last,
            "change_pp": self.change_pp,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "significant": self.significant,
            "direction": self.direction,
        }


@dataclass(frozen=True)
class TrendComparison:
    """The last period against the one before; ``themes`` largest change first."""

    last: PeriodNps
    previous: PeriodNps
    nps_change: float
    p_value: float
    significant: bool
    themes: tuple[ThemeChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "last": self.last.to_dict(),
            "previous": self.previous.to_dict(),
            "nps_change": self.nps_change,
            "p_value": self.p_value,
            "significant": self.significant,
            "themes": [t.to_dict() for t in self.themes],
        }


@dataclass(frozen=True)
class TrendsSummary:
    """Periods, the top detractor themes followed, the last two periods compared."""

    date_column: str | None
    period: str
    rows_with_date: int
    rows_without_date: int
    periods: tuple[str, ...]
    top_detractor_themes: tuple[str, ...]
    #: None when fewer than two periods have answers.
    comparison: TrendComparison | None
    #: The first and last answer date (``YYYY-MM-DD``), None without dated answers.
    first_date: str | None = None
    last_date: str | None = None
    #: Periods the answers cover only in part (the first and/or the last one).
    partial_periods: tuple[str, ...] = ()
    #: Periods with fewer respondents than ``low_n_threshold`` (``--low-n``).
    low_n_periods: tuple[str, ...] = ()
    low_n_threshold: int = 30

    def to_dict(self) -> dict[str, Any]:
        return {
            "date_column": self.date_column,
            "period": self.period,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "rows_with_date": self.rows_with_date,
            "rows_without_date": self.rows_without_date,
            "periods": list(self.periods),
            "partial_periods": list(self.partial_periods),
            "low_n_threshold": self.low_n_threshold,
            "low_n_periods": list(self.low_n_periods),
            "top_detractor_themes": list(self.top_detractor_themes),
            "comparison": None if self.comparison is None else self.comparison.to_dict(),
        }


@dataclass(frozen=True)
class GroupMean:
    """A metric's mean within one NPS group."""

    n: int
    mean: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "mean": self.mean}


@dataclass(frozen=True)
class MetricSummary:
    """One other metric overall (a row of metrics.csv) and its mean by NPS group."""

    metric: str
    n: int
    mean: float | None
    sd: float | None
    n_missing: int
    n_invalid: int
    pearson_r: float | None
    pearson_p: float | None
    spearman_rho: float | None
    spearman_p: float | None
    #: NPS group → its mean (groups without answers are absent)
    by_group: Mapping[str, GroupMean]

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "n_missing": self.n_missing,
            "n_invalid": self.n_invalid,
            "pearson_r": self.pearson_r,
            "pearson_p": self.pearson_p,
            "spearman_rho": self.spearman_rho,
            "spearman_p": self.spearman_p,
            "by_group": {k: g.to_dict() for k, g in self.by_group.items()},
        }


@dataclass(frozen=True)
class FollowupSummary:
    """How many detractors (and of them without usable text) and promoters followup.csv holds."""

    detractors: int
    promoters: int
    detractors_without_text: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "detractors": self.detractors,
            "promoters": self.promoters,
            "detractors_without_text": self.detractors_without_text,
        }


@dataclass(frozen=True)
class ThemeModelInfo:
    """The theme model of the run: saved folder (``--model``), representation, parameters."""

    saved_model: str | None
    #: what the model recorded about its text representation (name, model, checksum)
    representation: Any
    n_themes: int
    params: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "saved_model": self.saved_model,
            "representation": self.representation,
            "n_themes": self.n_themes,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Manifest:
    """What reproduces the run: configuration, seed, versions, model, input files."""

    config: Mapping[str, Any]
    seed: int
    versions: Mapping[str, str]
    spacy_pipeline: str
    theme_model: ThemeModelInfo | None
    #: path, format, encoding, delimiter, rows read, SHA-256 of the survey file
    input: Mapping[str, Any] | None
    #: the same for ``--comments``
    comments_input: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": dict(self.config),
            "seed": self.seed,
            "versions": dict(self.versions),
            "spacy_pipeline": self.spacy_pipeline,
            "theme_model": None if self.theme_model is None else self.theme_model.to_dict(),
            "input": self.input,
            "comments_input": self.comments_input,
        }


@dataclass(frozen=True)
class EngineInfo:
    """The engine that ran the plan when it was not the local one."""

    name: str
    partitions: int
    #: comments the theme model was fitted on
    fit_rows: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "partitions": self.partitions}
        if self.fit_rows is not None:
            out["fit_rows"] = self.fit_rows
        return out


@dataclass(frozen=True)
class Summary:
    """Everything summary.json holds besides the tables.

    ``trends`` (with a date column), ``metrics`` (with metric columns),
    ``followup`` and ``engine`` (another engine than the local one) are left
    out of the JSON when None; ``scale`` when it is the NPS's own 0-10 scale.
    """

    rows: RowCounts
    nps: NpsStats
    #: with ``--comments``: rows of each file, matched and unmatched ids
    join: Mapping[str, Any] | None
    #: placeholder type → how many were replaced; None with ``--no-redact``
    redaction: Mapping[str, Any] | None
    #: the columns chosen and detected
    columns: Mapping[str, Any] | None
    #: rows of segments.csv as records
    segments: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...]
    manifest: Manifest
    themes: tuple[ThemeSummary, ...]
    trends: TrendsSummary | None = None
    metrics: tuple[MetricSummary, ...] | None = None
    followup: FollowupSummary | None = None
    brand_terms: tuple[str, ...] = ()
    new_theme_candidates: tuple[ThemeCandidate, ...] = ()
    #: rows of sentences.csv
    sentences: int = 0
    engine: EngineInfo | None = None
    #: the scale the scores were read on (None: group labels, or the NPS 0-10 scale)
    scale: ScaleSummary | None = None

    def to_dict(self) -> dict[str, Any]:
        """summary.json as plain data: its keys in their order (NaN left as NaN).

        >>> s = Summary(RowCounts(3, 2, 1, 0, 2), NpsStats(2, 1, 0, 1, 0.0, -50.0, 50.0),
        ...     None, None, None, (), (), Manifest({}, 0, {}, "", None, None), ())
        >>> list(s.to_dict())  # doctest: +NORMALIZE_WHITESPACE
        ['rows', 'nps', 'join', 'redaction', 'columns', 'segments', 'notes', 'manifest',
         'themes', 'brand_terms', 'new_theme_candidates', 'sentences']
        """
        out: dict[str, Any] = {
            "rows": self.rows.to_dict(),
            "nps": self.nps.summary_dict("score"),
        }
        if self.scale is not None and not self.scale.is_nps:
            out["scale"] = self.scale.to_dict()
        out |= {
            "join": self.join,
            "redaction": self.redaction,
            "columns": self.columns,
            "segments": [dict(s) for s in self.segments],
            "notes": list(self.notes),
            "manifest": self.manifest.to_dict(),
        }
        if self.trends is not None:
            out["trends"] = self.trends.to_dict()
        if self.metrics is not None:
            out["metrics"] = [m.to_dict() for m in self.metrics]
        if self.followup is not None:
            out["followup"] = self.followup.to_dict()
        out["themes"] = [t.to_dict() for t in self.themes]
        out["brand_terms"] = list(self.brand_terms)
        out["new_theme_candidates"] = [c.to_dict() for c in self.new_theme_candidates]
        out["sentences"] = self.sentences
        if self.engine is not None:
            out["engine"] = self.engine.to_dict()
        return out
