"""The per-chunk steps of the analysis plan: plain functions on one chunk of loaded rows.

:func:`prepare_chunk` decides which comments carry usable text;
:func:`analyze_chunk` scores sentiment, assigns themes, builds the chunk's
comment and sentence rows and its additive counts (:class:`ChunkResult`),
which :func:`feedback_nlp.plan.assemble.assemble` combines. Both engines run
these same functions: the local engine on one chunk, the Dask engine on each
partition.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..compare import ThemeCounts, pick_examples, theme_counts
from ..config import AnalysisConfig
from ..execution import Timer
from ..load import LoadedPart
from ..nps import segment_counts
from ..result import COMMENT_COLUMNS
from ..sentiment import contradictions, sentiment_label
from ..textprep import usable_mask

__all__ = [
    "PreparedChunk",
    "ChunkResult",
    "prepare_chunk",
    "usable_count",
    "sample_chunk",
    "analyze_chunk",
    "assign_themes",
    "comment_table",
    "sentence_table",
]

#: Example candidates: per theme, (membership score, data row, comment text).
Candidates = list[list[tuple[float, int, str]]]


@dataclass
class PreparedChunk:
    """A loaded chunk with its comments' plain text (no placeholders) and usability."""

    part: LoadedPart
    #: The comments without redaction placeholders ("[PHONE]" is never a theme word).
    plain: list[str]
    usable: np.ndarray
    #: Why a comment has no usable text (None when it has).
    reasons: list[str | None]


@dataclass
class ChunkResult:
    """One chunk after text analysis: its output rows and its additive counts."""

    comments: pd.DataFrame
    sentences: pd.DataFrame
    counts: ThemeCounts
    segment_theme_counts: dict[tuple[str, str], ThemeCounts]
    segment_counts: dict[str, pd.DataFrame]
    #: Per eligibility (all / detractor / promoter), per theme: the best example candidates.
    examples: dict[str, Candidates]
    #: date, group, usable and one bool column per theme, for the trend table.
    trend_rows: pd.DataFrame
    metrics: pd.DataFrame
    #: With a saved model: the usable comments (cleaned), their primary theme index
    #: (-1 none) and scores, for the new-theme candidates.
    unmatched: tuple[list[str], np.ndarray, np.ndarray] | None = None
    #: With per-segment themes: the cleaned comments, usability and sentiment.
    texts: tuple[list[str], np.ndarray, np.ndarray] | None = None


def prepare_chunk(part: LoadedPart) -> PreparedChunk:
    """The one definition of usable text: what is left once placeholders are removed."""
    from ..redact import strip_placeholders

    plain = strip_placeholders(part.frame["text"].fillna("").astype(str).tolist())
    usable, reasons = usable_mask(plain)
    return PreparedChunk(part, plain, usable, reasons)


def usable_count(chunk: PreparedChunk) -> int:
    """How many comments of the chunk carry usable text."""
    return int(chunk.usable.sum())


def sample_chunk(chunk: PreparedChunk, positions: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Plain text and group of the usable comments at ``positions`` (0-based among them)."""
    idx = np.flatnonzero(chunk.usable)[positions]
    groups = chunk.part.frame["group"].to_numpy(dtype=object)[idx]
    return [chunk.plain[i] for i in idx], groups


def analyze_chunk(
    chunk: PreparedChunk,
    *,
    model: Any,
    brand: tuple[str, ...],
    cfg: AnalysisConfig,
    segment_cols: tuple[str, ...],
    processes: int = 1,
    timer: Timer | None = None,
) -> ChunkResult:
    """Sentiment, theme assignment, output rows and additive counts of one chunk.

    ``processes`` processes share the sentiment scoring (1 where the cluster is
    the parallelism); ``timer`` times the sentiment and assignment stages.
    """
    from threadpoolctl import threadpool_limits

    from ..sentiment import score_sentiment
    from ..themes import clean_for_themes

    timer = timer or Timer()
    frame, usable = chunk.part.frame, chunk.usable
    groups = frame["group"].to_numpy(dtype=object)
    texts = frame["text"].fillna("").astype(str).tolist()
    idx = np.flatnonzero(usable)
    with timer.stage("text preparation"):
        # Sentiment and the sentences shown keep a leading "because"; the theme model cuts it.
        cleaned = clean_for_themes(chunk.plain, brand_terms=brand, cut_because=False)
    with timer.stage("sentiment"):
        sent = score_sentiment(cleaned, usable, workers=processes)
    with timer.stage("theme assignment"), _one_thread_if(processes == 1, threadpool_limits):
        member, scores, primary, theme_lists = assign_themes(model, cleaned, idx, len(frame))
    unmatched = None
    if cfg.model_path is not None:
        best = scores[idx].argmax(axis=1) if scores.shape[1] else np.zeros(len(idx), dtype=int)
        unmatched = ([cleaned[i] for i in idx], np.where(primary[idx] == "none", -1, best),
                     scores[idx])  # fmt: skip
    comments = comment_table(
        frame, segment_cols, chunk.reasons, sent.compound, primary, theme_lists
    )
    seg_counts: dict[tuple[str, str], ThemeCounts] = {}
    for col in segment_cols:
        values = frame[col].astype(str).to_numpy(dtype=object)
        for value in sorted(set(values)):
            mask = values == value
            seg_counts[(col, value)] = theme_counts(
                groups[mask], member[mask], usable[mask], sent.compound[mask]
            )
    trend = pd.DataFrame({"date": frame["date"].to_numpy(), "group": groups, "usable": usable})
    for j in range(member.shape[1]):
        trend[f"m{j}"] = member[:, j]
    return ChunkResult(
        comments=comments,
        sentences=sentence_table(sent.sentences, frame),
        counts=theme_counts(groups, member, usable, sent.compound),
        segment_theme_counts=seg_counts,
        segment_counts=segment_counts(frame, segment_cols),
        examples=_example_candidates(scores, texts, usable, groups, frame, cfg.example_count),
        trend_rows=trend,
        metrics=chunk.part.metrics,
        unmatched=unmatched,
        texts=(cleaned, usable, sent.compound) if cfg.per_segment else None,
    )


def _one_thread_if(on: bool, limits: Any) -> Any:
    """One BLAS thread when the chunk is one task of many (the cluster is the parallelism)."""
    from contextlib import nullcontext

    return limits(limits=1) if on else nullcontext()


def _example_candidates(
    scores: np.ndarray,
    texts: list[str],
    usable: np.ndarray,
    groups: np.ndarray,
    frame: pd.DataFrame,
    count: int,
) -> dict[str, Candidates]:
    """Each theme's best ``count`` distinct comments per eligibility, with their scores.

    They always include the whole survey's picks that fall in this chunk, so
    merging the chunks' candidates gives the one-chunk answer.
    """
    rows = frame["row"].to_numpy(dtype=np.int64)
    out: dict[str, Candidates] = {}
    for name, eligible in (
        ("all", usable),
        ("detractor", usable & (groups == "detractor")),
        ("promoter", usable & (groups == "promoter")),
    ):
        picks = pick_examples(scores, texts, eligible, count)
        out[name] = [
            [(float(scores[r, j]), int(rows[r]), texts[r]) for r in chosen]
            for j, chosen in enumerate(picks)
        ]
    return out


def assign_themes(
    model: Any, cleaned: list[str], idx: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Theme membership of the rows ``idx`` (the usable comments) as full-length arrays.

    Returns the membership matrix, the scores, each row's primary theme id
    ('' without usable text, 'none' when no theme fits) and its ';'-joined ids.
    """
    theme_ids = [t["theme_id"] for t in model.themes_]
    k = len(theme_ids)
    primary_u, members_u, scores_u = model.assign([cleaned[i] for i in idx])
    member = np.zeros((n_rows, k), dtype=bool)
    scores = np.zeros((n_rows, k), dtype=np.float32)
    scores[idx] = scores_u
    primary = np.full(n_rows, "", dtype=object)
    # index -1 (no theme) picks the trailing "none"
    primary[idx] = np.array([*theme_ids, "none"], dtype=object)[np.asarray(primary_u)]
    lens = np.fromiter(map(len, members_u), dtype=np.intp, count=len(members_u))
    cols = np.fromiter(itertools.chain.from_iterable(members_u), dtype=np.intp, count=lens.sum())
    member[np.repeat(idx, lens), cols] = True
    # One joined string per distinct membership, not per row.
    joined = {m: ";".join(theme_ids[j] for j in sorted(m)) for m in set(members_u)}
    theme_lists = np.full(n_rows, "", dtype=object)
    theme_lists[idx] = [joined[m] for m in members_u]
    return member, scores, primary, theme_lists


def comment_table(
    frame: pd.DataFrame,
    segment_cols: tuple[str, ...],
    reasons: list[str | None],
    compound: np.ndarray,
    primary: np.ndarray,
    theme_lists: np.ndarray,
) -> pd.DataFrame:
    """comments.csv rows of a chunk (:data:`~feedback_nlp.result.COMMENT_COLUMNS`)."""
    groups = frame["group"].to_numpy(dtype=object)
    flag_lists: list[list[str]] = [[] for _ in range(len(frame))]
    if "flags" in frame.columns:
        for i, f in enumerate(frame["flags"].fillna("").astype(str)):
            flag_lists[i].extend(x for x in f.split(";") if x)
    for i, reason in enumerate(reasons):
        if reason is not None:
            flag_lists[i].append("no_text")
    for i in np.flatnonzero(contradictions(groups, compound)).tolist():
        flag_lists[i].append("contradiction")
    columns: dict[str, Any] = {
        "respondent_id": frame["respondent_id"].astype(str),
        "row": frame["row"].astype(int),
        "group": groups,
        "score": frame["score"],
    }
    for col in segment_cols:
        columns[col] = frame[col].astype(str)
    dates = frame["date"] if "date" in frame.columns else pd.Series(pd.NaT, index=frame.index)
    columns["date"] = pd.to_datetime(dates).dt.strftime("%Y-%m-%d").fillna("")
    columns["sentiment"] = np.round(compound, 4)
    columns["sentiment_label"] = sentiment_label(compound)
    columns["primary_theme"] = primary
    columns["themes"] = theme_lists
    columns["flags"] = [";".join(dict.fromkeys(f)) for f in flag_lists]
    columns["text"] = frame["text"].fillna("").astype(str)
    out = pd.DataFrame(columns)
    ordered = [c for c in COMMENT_COLUMNS if c in out.columns]
    ordered[4:4] = list(segment_cols)
    return out[ordered]


def sentence_table(sentences: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """sentences.csv rows of a chunk: each sentence of each comment with its sentiment."""
    ids = frame["respondent_id"].astype(str).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "respondent_id": ids[sentences["index"].to_numpy(dtype=int)] if len(sentences) else [],
            "sentence_no": sentences["sentence_no"],
            "sentiment": sentences["sentiment"].round(4),
            "sentiment_label": sentiment_label(sentences["sentiment"].to_numpy(dtype=float)),
            "sentence": sentences["sentence"],
        }
    )
