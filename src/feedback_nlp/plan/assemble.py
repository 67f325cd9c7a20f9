"""The reduce step of the analysis plan: chunk results → one :class:`AnalysisResult`.

Counts are summed (they are additive), then turned into statistics by the
same table functions whatever the number of chunks; row tables are
concatenated in row order; theme examples are merged from each chunk's best
candidates. The local engine assembles one chunk, the Dask engine many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import add
from typing import Any

import numpy as np
import pandas as pd

from ..compare import add_q_values, table_from_counts, term_log_odds
from ..config import AnalysisConfig
from ..execution import Timer
from ..nps import nps_from_counts, segment_table_from_counts
from ..result import (
    SEGMENT_OWN_THEME_COLUMNS,
    SEGMENT_THEME_COLUMNS,
    THEME_COLUMNS,
    AnalysisResult,
    SegmentFit,
    Survey,
)
from ..summary_types import EngineInfo, Summary
from . import summary as summaries
from .chunk import ChunkResult, theme_nodes
from .comment_columns import finish_comments

__all__ = ["FitSample", "assemble", "merge_examples", "segment_theme_table"]


@dataclass
class FitSample:
    """The comments the theme model was fitted on (cleaned) and their NPS groups."""

    cleaned: list[str]
    groups: np.ndarray


def merge_examples(
    candidates: Sequence[Sequence[tuple[float, int, str]]], count: int
) -> list[tuple[int, str]]:
    """The ``count`` best distinct comments among every chunk's candidates for one theme.

    Same rule as :func:`feedback_nlp.compare.pick_examples`: highest score first,
    ties by row, one comment per distinct (stripped, lower-cased) text. Each
    chunk sends its own first ``count`` picks, which always include the
    global picks that fall in it, so the result equals the one-chunk answer.
    """
    pool = sorted((c for part in candidates for c in part), key=lambda c: (-c[0], c[1]))
    picked: list[tuple[int, str]] = []
    seen: set[str] = set()
    for score, row, text in pool:
        key = text.strip().lower()
        if score <= 0 or key in seen:
            continue
        seen.add(key)
        picked.append((row, text))
        if len(picked) == count:
            break
    return picked


def segment_theme_table(seg_tables: list[pd.DataFrame], labels: dict[str, str]) -> pd.DataFrame:
    """segment_themes.csv from the per-value comparison tables (q-values already added)."""
    if not seg_tables:
        return pd.DataFrame(columns=list(SEGMENT_THEME_COLUMNS))
    table = pd.concat(seg_tables, ignore_index=True)
    table.insert(3, "label", table["theme_id"].map(labels))
    return table[list(SEGMENT_THEME_COLUMNS)]


def _comparison(
    cfg: AnalysisConfig, segment_cols: tuple[str, ...], parts: Sequence[ChunkResult], model: Any
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The overall and per-segment-value theme tables, q-values within both."""
    nodes = theme_nodes(model)
    theme_ids = [t["theme_id"] for t in nodes]
    levels = [t["level"] for t in nodes]
    parents = [t["parent_id"] for t in nodes]
    overall = table_from_counts(reduce(add, (p.counts for p in parts)), theme_ids)
    overall.insert(1, "level", levels)
    overall.insert(2, "parent_id", parents)
    seg_tables: list[pd.DataFrame] = []
    for col in segment_cols:
        values = sorted({v for p in parts for c, v in p.segment_theme_counts if c == col})
        for value in values:
            counts = reduce(
                add,
                (p.segment_theme_counts[(col, value)] for p in parts
                 if (col, value) in p.segment_theme_counts),
            )  # fmt: skip
            t = table_from_counts(counts, theme_ids)
            t.insert(1, "level", levels)
            t.insert(2, "parent_id", parents)
            t.insert(0, "value", value)
            t.insert(0, "segment", col)
            seg_tables.append(t)
    tables = add_q_values([overall, *seg_tables], cfg.alpha)
    overall = tables[0]
    overall.insert(3, "label", [t["label"] for t in nodes])
    overall.insert(4, "keywords", [", ".join(t["keywords"]) for t in nodes])
    return overall, tables[1:]


def _examples(
    cfg: AnalysisConfig, parts: Sequence[ChunkResult], k: int
) -> tuple[list[str], dict[str, list[list[int]]], list[str]]:
    """Example texts, per eligibility and theme the positions of its examples in
    them, and each example's whole comment when the example is one of its
    sentences ('' when it is the whole comment)."""
    pool: list[str] = []
    rows: list[int] = []
    examples: dict[str, list[list[int]]] = {}
    for name in ("all", "detractor", "promoter"):
        examples[name] = []
        for j in range(k):
            picked = merge_examples([p.examples[name][j] for p in parts], cfg.example_count)
            examples[name].append(list(range(len(pool), len(pool) + len(picked))))
            pool.extend(text for _, text in picked)
            rows.extend(row for row, _ in picked)
    wanted = set(rows)
    whole: dict[int, str] = {}
    for p in parts:
        sel = p.comments["row"].isin(wanted).to_numpy()
        whole.update(zip(p.comments["row"][sel].tolist(), p.comments["text"][sel].astype(str)))
    reviews = [whole.get(r, "") for r in rows]
    reviews = [w if w.strip() != t.strip() else "" for w, t in zip(reviews, pool)]
    return pool, examples, reviews


def _trends(
    cfg: AnalysisConfig, survey: Survey, parts: Sequence[ChunkResult], model: Any
) -> pd.DataFrame | None:
    """The trend table when a date column was used, else None."""
    from ..trends import trend_table

    if not survey.info.get("date"):
        return None
    nodes = theme_nodes(model)
    theme_ids = [t["theme_id"] for t in nodes]
    labels = {t["theme_id"]: t["label"] for t in nodes}
    rows = pd.concat([p.trend_rows for p in parts], ignore_index=True)
    member = (
        parts[0].trend_member
        if len(parts) == 1
        else np.concatenate([p.trend_member for p in parts])
    )
    return trend_table(
        rows["date"], rows["group"].to_numpy(dtype=object), member,
        rows["usable"].to_numpy(dtype=bool), theme_ids, labels, cfg.period, cfg.low_n,
    )  # fmt: skip


def _new_theme_candidates(
    cfg: AnalysisConfig, parts: Sequence[ChunkResult], model: Any
) -> list[dict[str, Any]]:
    """With a saved model: clusters of comments none of its themes fits."""
    if cfg.model_path is None:
        return []
    from ..themes import new_theme_candidates

    texts = [t for p in parts if p.unmatched for t in p.unmatched[0]]
    k = len(model.themes_)
    primary = np.concatenate([p.unmatched[1] for p in parts if p.unmatched] or [np.zeros(0, int)])
    scores = np.concatenate(
        [p.unmatched[2] for p in parts if p.unmatched] or [np.zeros((0, k), np.float32)]
    )
    return new_theme_candidates(model, texts, primary, scores)


@dataclass
class _ThemeTables:
    """The comparison step's tables, and the example texts they point into."""

    overall: pd.DataFrame
    segment_themes: pd.DataFrame
    segments: pd.DataFrame
    terms: pd.DataFrame
    pool: list[str]
    examples: dict[str, list[list[int]]]
    candidates: list[dict[str, Any]]
    #: Per pool entry: the whole comment of a sentence example ('' for a whole comment).
    reviews: list[str] = field(default_factory=list)


def _theme_tables(
    cfg: AnalysisConfig,
    segment_cols: tuple[str, ...],
    parts: Sequence[ChunkResult],
    model: Any,
    sample: FitSample,
) -> _ThemeTables:
    nodes = theme_nodes(model)
    labels = {t["theme_id"]: t["label"] for t in nodes}
    overall, seg_tables = _comparison(cfg, segment_cols, parts, model)
    pool, examples, reviews = _examples(cfg, parts, len(nodes))
    overall["examples"] = [" | ".join(pool[r].strip() for r in rows) for rows in examples["all"]]
    seg_counts = {
        col: reduce(lambda a, b: a.add(b, fill_value=0), (p.segment_counts[col] for p in parts))
        .fillna(0)
        .astype(np.int64)
        for col in segment_cols
    }
    return _ThemeTables(
        overall=overall[list(THEME_COLUMNS)],
        segment_themes=segment_theme_table(seg_tables, labels),
        segments=segment_table_from_counts(seg_counts, cfg.low_n),
        terms=term_log_odds(sample.cleaned, sample.groups, seed=cfg.seed),
        pool=pool,
        examples=examples,
        reviews=reviews,
        candidates=_new_theme_candidates(cfg, parts, model),
    )


def assemble(
    cfg: AnalysisConfig,
    survey: Survey,
    parts: Sequence[ChunkResult],
    model: Any,
    brand: list[str],
    sample: FitSample,
    timer: Timer,
    engine: EngineInfo | None = None,
) -> AnalysisResult:
    """The result of the whole survey from its analysed chunks (in row order).

    ``survey`` carries what loading found (``info``, ``notes``, ``rejected``,
    ``segment_cols``; its ``frame`` is not read); ``sample`` is what the theme
    model was fitted on (the term table reads it); ``engine`` is recorded in
    the summary when given.
    """
    from ..followup import followup_table
    from ..metrics import metric_table

    segment_cols = survey.segment_cols
    survey = _scale_worded_notes(survey, model)
    with timer.stage("comparison"):
        tables = _theme_tables(cfg, segment_cols, parts, model, sample)
    own = pd.DataFrame(columns=list(SEGMENT_OWN_THEME_COLUMNS))
    fits: tuple[SegmentFit, ...] = ()
    if cfg.per_segment and segment_cols:
        from .segment_themes import fit_notes, per_segment_themes

        with timer.stage("per-segment themes"):
            own, fits = per_segment_themes(cfg, segment_cols, parts)
        survey = replace(survey, notes=[*survey.notes, *fit_notes(fits)])
    comments = finish_comments(
        pd.concat([p.comments for p in parts], ignore_index=True), tables.overall,
        dated=bool(survey.info.get("date")),
        subthemes=cfg.n_subthemes != 0 or bool((tables.overall["level"] == 2).any()),
    )  # fmt: skip
    sentences = pd.concat([p.sentences for p in parts], ignore_index=True)
    metrics_raw = pd.concat([p.metrics for p in parts], ignore_index=True)
    with timer.stage("trends, metrics, follow-up"):
        trends = _trends(cfg, survey, parts, model)
        metrics = (
            metric_table(comments, metrics_raw, segment_cols) if len(metrics_raw.columns) else None
        )
        followup = followup_table(comments, tables.overall, segment_cols)
    summary = replace(
        _summary(cfg, survey, parts, model, tables, comments, trends, metrics, followup),
        brand_terms=tuple(brand),
        new_theme_candidates=summaries.candidates(tables.candidates),
        sentences=int(len(sentences)),
        engine=engine,
    )
    return AnalysisResult(
        config=cfg,
        comments=comments,
        rejected=survey.rejected,
        themes=tables.overall,
        segments=tables.segments,
        segment_themes=tables.segment_themes,
        segment_own_themes=own,
        segment_fits=fits,
        terms=tables.terms,
        summary=summary,
        notes=list(survey.notes),
        timings=timer.timings,
        sentences=sentences,
        trends=trends,
        metrics=metrics,
        followup=followup,
        masked_terms=summaries.masked_terms(cfg, brand, model, _usable_texts(parts, comments)),
    )


def _scale_worded_notes(survey: Survey, model: Any) -> Survey:
    """``survey`` with a tiny survey's no-themes note naming the score as the reports do.

    The plan notes it before the scale the scores were read on is at hand
    (an inferred 1-5 rating is known only from loading's ``info``): here it is
    reworded ("NPS-style score, segments, ..." on a scale other than NPS 0-10).
    """
    from .fitting import NoThemes

    if not isinstance(model, NoThemes):
        return survey
    plain, worded = model.note(), model.note(summaries.scale_summary(survey.info.get("scale")))
    if plain == worded:
        return survey
    return replace(survey, notes=[worded if n == plain else n for n in survey.notes])


def _usable_texts(parts: Sequence[ChunkResult], comments: pd.DataFrame) -> list[str]:
    """The comments with usable text (those the themes and sentiment read), in row order."""
    usable = np.concatenate(
        [p.trend_rows["usable"].to_numpy(dtype=bool) for p in parts] or [np.zeros(0, bool)]
    )
    return comments["text"].to_numpy(dtype=object)[usable].tolist()


def _summary(
    cfg: AnalysisConfig,
    survey: Survey,
    parts: Sequence[ChunkResult],
    model: Any,
    tables: _ThemeTables,
    comments: pd.DataFrame,
    trends: pd.DataFrame | None,
    metrics: pd.DataFrame | None,
    followup: pd.DataFrame,
) -> Summary:
    """The summary up to its themes (the caller adds brand terms, candidates, counts)."""
    det, pas, pro = (int(v) for v in reduce(add, (p.counts for p in parts)).totals)
    nps = nps_from_counts(pro, pas, det)
    overall = tables.overall
    themes = summaries.theme_summaries(
        overall,
        tables.examples["detractor"],
        tables.examples["promoter"],
        tables.pool,
        tables.reviews,
    )
    out = summaries.summary(cfg, survey, comments, nps, model, tables.segments, themes)
    trends_info = None
    if trends is not None:
        dates = pd.concat([p.trend_rows[["date"]] for p in parts], ignore_index=True)
        trends_info = summaries.trends_summary(trends, dates, survey, overall, cfg)
    return replace(
        out,
        trends=trends_info,
        metrics=None if metrics is None else summaries.metrics_summary(metrics),
        followup=summaries.followup_summary(followup),
    )
