"""Combining the Dask engine's partitions into one :class:`~feedback_nlp.result.AnalysisResult`.

Counts are summed (they are additive), then the local engine's own table
functions turn them into statistics, so both engines give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import add
from typing import Any

import numpy as np
import pandas as pd

from ..compare import add_q_values, table_from_counts, term_log_odds
from ..config import AnalysisConfig
from ..nps import nps_from_counts, segment_table_from_counts
from ..result import (
    SEGMENT_OWN_THEME_COLUMNS,
    THEME_COLUMNS,
    AnalysisResult,
    Survey,
)
from .partition import AnalyzedPart

__all__ = ["combine", "merge_examples"]


def merge_examples(
    candidates: Sequence[Sequence[tuple[float, int, str]]], count: int
) -> list[tuple[int, str]]:
    """The ``count`` best distinct comments among every partition's candidates for one theme.

    Same rule as :func:`feedback_nlp.compare.pick_examples`: highest score first,
    ties by row, one comment per distinct (stripped, lower-cased) text. Each
    partition sends its own first ``count`` picks, which always include the
    global picks that fall in it, so the result equals the local engine's.
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


def combine(
    cfg: AnalysisConfig,
    survey: Survey,
    parts: list[AnalyzedPart],
    model: Any,
    brand: list[str],
    sample_cleaned: list[str],
    sample_groups: np.ndarray,
    timer: Any,
) -> AnalysisResult:
    """The result of the whole survey from its analysed partitions (in row order)."""
    from ..followup import followup_table
    from ..metrics import metric_table
    from ..pipeline import (
        _metrics_summary,
        _summary,
        _theme_summaries,
        _trends_summary,
        segment_theme_table,
    )
    from ..trends import trend_table

    theme_ids = [t["theme_id"] for t in model.themes_]
    labels = {t["theme_id"]: t["label"] for t in model.themes_}
    with timer.stage("comparison"):
        total = reduce(add, (p.counts for p in parts))
        overall = table_from_counts(total, theme_ids)
        seg_tables: list[pd.DataFrame] = []
        for col in cfg.segment_cols:
            values = sorted({v for p in parts for c, v in p.segment_theme_counts if c == col})
            for value in values:
                counts = reduce(
                    add,
                    (p.segment_theme_counts[(col, value)] for p in parts
                     if (col, value) in p.segment_theme_counts),
                )  # fmt: skip
                t = table_from_counts(counts, theme_ids)
                t.insert(0, "value", value)
                t.insert(0, "segment", col)
                seg_tables.append(t)
        tables = add_q_values([overall, *seg_tables], cfg.alpha)
        overall, seg_tables = tables[0], tables[1:]
        overall.insert(1, "label", overall["theme_id"].map(labels))
        overall.insert(2, "keywords", [", ".join(t["keywords"]) for t in model.themes_])
        pool: list[str] = []  # example texts, indexed like the local engine's row numbers
        examples: dict[str, list[list[int]]] = {}
        for name in ("all", "detractor", "promoter"):
            examples[name] = []
            for j in range(len(theme_ids)):
                picked = merge_examples([p.examples[name][j] for p in parts], cfg.example_count)
                examples[name].append(list(range(len(pool), len(pool) + len(picked))))
                pool.extend(text for _, text in picked)
        overall["examples"] = [
            " | ".join(pool[r].strip() for r in rows) for rows in examples["all"]
        ]
        overall = overall[list(THEME_COLUMNS)]
        segment_themes = segment_theme_table(seg_tables, labels)
        seg_counts = {
            col: reduce(lambda a, b: a.add(b, fill_value=0), (p.segment_counts[col] for p in parts))
            .fillna(0)
            .astype(np.int64)
            for col in cfg.segment_cols
        }
        segments = segment_table_from_counts(seg_counts, cfg.low_n)
        terms = term_log_odds(sample_cleaned, sample_groups, seed=cfg.seed)
        candidates: list[dict[str, Any]] = []
        if cfg.model_path is not None:
            from ..themes import new_theme_candidates

            primary_u, _, scores_u = model.assign(sample_cleaned)
            candidates = new_theme_candidates(model, sample_cleaned, primary_u, scores_u)

    comments = pd.concat([p.comments for p in parts], ignore_index=True)
    sentences = pd.concat([p.sentences for p in parts], ignore_index=True)
    with timer.stage("trends, metrics, follow-up"):
        trends = None
        if survey.info.get("date"):
            rows = pd.concat([p.trend_rows for p in parts], ignore_index=True)
            member = rows[[f"m{j}" for j in range(len(theme_ids))]].to_numpy(dtype=bool)
            trends = trend_table(
                rows["date"], rows["group"].to_numpy(dtype=object), member,
                rows["usable"].to_numpy(dtype=bool), theme_ids, labels, cfg.period,
            )  # fmt: skip
        metrics = (
            metric_table(comments, survey.metrics, cfg.segment_cols)
            if survey.metrics is not None and len(survey.metrics.columns)
            else None
        )
        followup = followup_table(comments, overall, cfg.segment_cols)
    det, pas, pro = (int(v) for v in total.totals)
    overall_nps = nps_from_counts(pro, pas, det)
    summary = _summary(cfg, survey, comments, overall_nps.to_dict(), model, overall, segments)
    if trends is not None:
        summary["trends"] = _trends_summary(trends, survey.frame, survey, overall, cfg)
    if metrics is not None:
        summary["metrics"] = _metrics_summary(metrics)
    summary["followup"] = {
        "detractors": int((followup["group"] == "detractor").sum()),
        "promoters": int((followup["group"] == "promoter").sum()),
        "detractors_without_text": int(
            ((followup["group"] == "detractor") & followup["sentiment"].isna()).sum()
        ),
    }
    summary["themes"] = _theme_summaries(overall, examples["detractor"], examples["promoter"], pool)
    summary["brand_terms"] = brand
    summary["new_theme_candidates"] = candidates
    summary["sentences"] = int(len(sentences))
    summary["engine"] = {
        "name": "dask",
        "partitions": survey.info["input"].get("partitions"),
        "fit_rows": len(sample_cleaned),
    }
    return AnalysisResult(
        config=cfg,
        comments=comments,
        rejected=survey.rejected,
        themes=overall,
        segments=segments,
        segment_themes=segment_themes,
        segment_own_themes=pd.DataFrame(columns=list(SEGMENT_OWN_THEME_COLUMNS)),
        terms=terms,
        summary=summary,
        notes=list(survey.notes),
        timings=timer.timings,
        sentences=sentences,
        trends=trends,
        metrics=metrics,
        followup=followup,
    )
