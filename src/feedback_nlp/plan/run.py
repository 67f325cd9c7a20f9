"""The analysis plan after loading, written once for every engine.

prepare each chunk → fit the theme model on the usable comments (a seeded
sample above ``max_fit_rows``) → decide whether comments are read sentence by
sentence and learn their sentiment model from the same comments → analyse
each chunk → assemble. The
:class:`~feedback_nlp.execution.Executor` decides where the per-chunk steps
run; nothing here knows which engine it serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

import numpy as np

from ..config import AnalysisConfig
from ..execution import Executor, Timer
from ..result import AnalysisResult, Survey
from ..summary_types import EngineInfo
from . import fitting
from .assemble import FitSample, assemble
from .chunk import (
    PreparedChunk,
    analyze_chunk,
    prepare_chunk,
    sample_chunk,
    segment_values,
    usable_count,
)
from .fitting import (
    NoThemes,
    fit_themes,
    label_exclusions,
    not_english_note,
    read_sentences,
    sample_positions,
    sentence_median,
)

__all__ = ["run_plan", "long_comment_rows"]


def long_comment_rows(chunk: PreparedChunk) -> list[int]:
    """Data rows of the chunk whose comment is longer than spaCy reads (:mod:`..nlp`)."""
    from ..nlp import SPACY_MAX_CHARS

    texts = chunk.part.frame["text"].fillna("").astype(str)
    return chunk.part.frame["row"][texts.str.len() > SPACY_MAX_CHARS].astype(int).tolist()


def _long_comment_note(rows: list[int], cfg: AnalysisConfig) -> str:
    from ..nlp import SPACY_MAX_CHARS

    shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
    s, it, its = ("s", "them", "their") if len(rows) > 1 else ("", "it", "its")
    names = (
        f"person names in {it} are found by the fixed cues only (not spaCy's recogniser), and "
        if cfg.redact and cfg.redact_names
        else ""
    )
    return (
        f"{len(rows)} comment{s} longer than {SPACY_MAX_CHARS:,} characters (row{s} {shown}): "
        f"{names}theme labels read {its} first {SPACY_MAX_CHARS:,} characters; sentiment and "
        "themes read all of it."
    )


def run_plan(
    cfg: AnalysisConfig,
    ex: Executor,
    loaded: Sequence[Any],
    survey: Survey,
    timer: Timer,
    *,
    max_fit_rows: int | None = None,
    engine: EngineInfo | None = None,
) -> AnalysisResult:
    """Analyse the loaded (and redacted) chunks ``loaded`` into the survey's result.

    ``survey`` carries what loading found (info, notes, rejected rows, segment
    columns; its frame is not read); ``engine``, when given, is recorded in the
    summary with the number of comments fitted on. The model is fitted on every
    usable comment, or on a seeded sample of ``max_fit_rows`` of them (by
    default :data:`~feedback_nlp.plan.fitting.MAX_FIT_ROWS`, read when called,
    which both engines use, so their results are equal on any survey).
    """
    with timer.stage("text preparation"):
        prepared = ex.map(prepare_chunk, loaded)
        counts = ex.gather(ex.map(usable_count, prepared))
        long_rows = [r for rows in ex.gather(ex.map(long_comment_rows, prepared)) for r in rows]
        if long_rows:
            survey.notes.append(_long_comment_note(long_rows, cfg))
    with timer.stage("theme fit"):
        cap = fitting.MAX_FIT_ROWS if max_fit_rows is None else max_fit_rows
        positions = sample_positions(counts, cfg.seed, cap)
        got = ex.gather(ex.map(sample_chunk, prepared, positions))
        texts = [t for chunk_texts, _ in got for t in chunk_texts]
        groups = np.concatenate([g for _, g in got]).astype(object)
        values = ex.gather(ex.map(segment_values, prepared, segment_cols=survey.segment_cols))
        exclude = label_exclusions(v for chunk_values in values for v in chunk_values)
        # Long comments are read sentence by sentence: themes are fitted on sentences.
        median = sentence_median(cfg, texts)
        model, brand, cleaned = fit_themes(
            cfg, texts, groups, exclude, by_sentence=median is not None
        )
        # Without a text column the loader's note already says there are no themes.
        if isinstance(model, NoThemes) and survey.info.get("columns", {}).get("text", ""):
            survey.notes.append(model.note())
        left_out = getattr(model, "not_english_", None)
        if left_out:
            survey.notes.append(not_english_note(left_out, median is not None))
        if sum(counts) > len(texts):
            survey.notes.append(
                f"Themes were fitted on a seeded sample of {len(texts):,} of "
                f"{sum(counts):,} comments (max_fit_rows)."
            )
    with timer.stage("sentiment fit"):
        reading = read_sentences(cfg, cleaned, median, model)
        if reading is not None:
            survey.notes.append(reading.note())
    # In this process the chunk step times its own stages; elsewhere it is one stage.
    with nullcontext() if ex.in_process else timer.stage("chunk analysis"):
        parts = ex.gather(
            ex.map(
                analyze_chunk, prepared, model=ex.scatter(model), brand=tuple(brand), cfg=cfg,
                reading=ex.scatter(reading),
                segment_cols=survey.segment_cols, processes=ex.workers,
                timer=timer if ex.in_process else None,
            )
        )  # fmt: skip
    if engine is not None:
        engine = replace(engine, fit_rows=len(texts))
    sample = FitSample(cleaned, groups)
    return assemble(cfg, survey, parts, model, brand, sample, timer, engine)
