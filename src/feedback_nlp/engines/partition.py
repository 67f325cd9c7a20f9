"""Per-partition stages of the Dask engine: plain functions on plain pandas data.

Nothing here imports dask: each function takes one partition (a table of
strings, or what the previous stage made of it) plus small broadcast values,
and returns plain data the driver combines. The loader steps mirror
:func:`feedback_nlp.load.load_survey` and reuse its public helpers, so a row
is kept, rejected or flagged exactly as the local engine would; the analysis
steps reuse the pipeline's own helpers, so a comment gets the same sentiment,
themes and output row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..compare import ThemeCounts, pick_examples, theme_counts
from ..config import AnalysisConfig
from ..load import RAW_COLUMNS
from ..nps import segment_counts
from ..parse import MISSING_VALUES as _MISSING
from ..parse import groups_from_scores, parse_dates, parse_group_labels, parse_scores
from ..result import REJECTED_COLUMNS, Survey
from ..textprep import usable_mask

__all__ = [
    "LoadPlan",
    "LoadedPart",
    "AnalyzedPart",
    "as_strings",
    "date_heads",
    "load_part",
    "sample_part",
    "analyze_part",
]


@dataclass(frozen=True)
class LoadPlan:
    """What every partition needs to load its rows: chosen columns and global decisions."""

    cfg: AnalysisConfig
    source: str
    columns: dict[str, Any]
    #: Global data row numbers dropped as duplicate ids, and the reason written for them.
    drop_rows: frozenset[int] = frozenset()
    dup_reason: str | None = None
    #: Day-first date parsing, decided once over the distinct dates of every partition.
    dayfirst: bool = False


@dataclass
class LoadedPart:
    """One partition after loading: the survey rows it keeps and the rows it rejects."""

    frame: pd.DataFrame
    rejected: pd.DataFrame
    metrics: pd.DataFrame
    usable: np.ndarray
    reasons: list[str | None]
    redaction: dict[str, int] = field(default_factory=dict)
    dates: dict[str, int] = field(default_factory=dict)


@dataclass
class AnalyzedPart:
    """One partition after text analysis: its output rows and its additive counts."""

    comments: pd.DataFrame
    sentences: pd.DataFrame
    counts: ThemeCounts
    segment_theme_counts: dict[tuple[str, str], ThemeCounts]
    segment_counts: dict[str, pd.DataFrame]
    #: Per eligibility (all / detractor / promoter), per theme: (score, row, text) candidates.
    examples: dict[str, list[list[tuple[float, int, str]]]]
    #: date, group, usable and one bool column per theme, for the trend table.
    trend_rows: pd.DataFrame


def as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as ``str`` ('' when empty) and header names stripped, as ``read_table``."""
    out = frame.reset_index(drop=True)
    out.columns = [str(c).strip() for c in out.columns]
    return out.fillna("").astype(str).astype(object)


def _column(frame: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def ids_of(raw: pd.DataFrame, id_col: str) -> pd.Series:
    """Non-empty respondent ids of a partition (for the global duplicate check)."""
    ids = _column(raw, id_col).str.strip()
    return pd.Series(ids[ids != ""].to_numpy(dtype=object), dtype=object, name="id")


def id_rows(raw: pd.DataFrame, offset: int, id_col: str, wanted: frozenset[str]) -> pd.DataFrame:
    """The ``(id, row)`` pairs of the ids in ``wanted``, with global row numbers."""
    ids = _column(raw, id_col).str.strip()
    rows = np.arange(offset + 1, offset + len(raw) + 1, dtype=np.int64)
    hit = ids.isin(wanted).to_numpy()
    return pd.DataFrame({"id": ids.to_numpy(dtype=object)[hit], "row": rows[hit]})


def date_heads(raw: pd.DataFrame, date_col: str) -> set[str]:
    """The distinct first 10 characters of the present dates (what the day-first guess reads)."""
    text = _column(raw, date_col).str.strip()
    return set(text[~text.str.lower().isin(_MISSING)].str.slice(0, 10).unique())


def load_part(raw: pd.DataFrame, offset: int, plan: LoadPlan) -> LoadedPart:
    """Parse, validate and classify one partition whose first row is data row ``offset + 1``."""
    cfg, cols = plan.cfg, plan.columns
    raw = raw.reset_index(drop=True)
    n = len(raw)
    rows = np.arange(offset + 1, offset + n + 1, dtype=np.int64)
    ids = _column(raw, cols["id"]).str.strip() if cols["id"] else pd.Series(rows.astype(str))
    raw_cols = {
        "raw_score": _column(raw, cols["score"]),
        "raw_group": _column(raw, cols["group"]),
        "raw_text": _column(raw, cols["text"]),
    }
    if cols["score"] is not None:
        scores, reasons = parse_scores(raw_cols["raw_score"], cfg.scale)
        groups = groups_from_scores(scores, cfg.scale)
    else:
        groups, reasons = parse_group_labels(raw_cols["raw_group"], cfg.group_map)
        scores = pd.Series(np.nan, index=raw.index)
    if plan.drop_rows:
        reasons[np.isin(rows, list(plan.drop_rows))] = plan.dup_reason
    kept = reasons.isna().to_numpy()
    rejected = pd.DataFrame(
        {
            "row": rows[~kept],
            "respondent_id": ids[~kept].to_numpy(dtype=object),
            "source": plan.source,
            "reason": reasons[~kept].to_numpy(dtype=object),
        }
    )
    for col in RAW_COLUMNS:
        rejected[col] = raw_cols[col][~kept].to_numpy(dtype=object)
    rejected = rejected[list(REJECTED_COLUMNS) + list(RAW_COLUMNS)]

    frame = pd.DataFrame(
        {
            "respondent_id": ids[kept].to_numpy(dtype=object),
            "row": rows[kept],
            "group": groups[kept].to_numpy(dtype=object),
            "score": scores[kept].to_numpy(dtype=float),
        }
    )
    for seg in cols["segments"]:
        values = _column(raw, seg)[kept].str.strip()
        frame[seg] = values.where(values != "", "(missing)").to_numpy(dtype=object)
    date_stats: dict[str, int] = {}
    bad_date = np.zeros(int(kept.sum()), dtype=bool)
    if cols["date"] is not None:
        dates, bad, _ = parse_dates(
            _column(raw, cols["date"])[kept].reset_index(drop=True), plan.dayfirst
        )
        frame["date"] = dates.to_numpy()
        bad_date = bad.to_numpy()
        parsed = int(dates.notna().sum())
        date_stats = {"parsed": parsed, "missing": int(len(dates) - parsed - bad.sum()),
                      "bad": int(bad.sum())}  # fmt: skip
    else:
        frame["date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    frame["flags"] = np.where(bad_date, "bad_date", "").astype(object)
    frame["text"] = raw_cols["raw_text"][kept].to_numpy(dtype=object)
    metrics = pd.DataFrame(
        {c: _column(raw, c)[kept].to_numpy(dtype=object) for c in dict.fromkeys(cfg.metric_cols)},
        index=frame.index,
    )
    redaction: dict[str, int] = {}
    if cfg.redact:
        from ..redact import redact_texts

        texts = frame["text"].fillna("").astype(str).tolist()
        raw_text = rejected["raw_text"].fillna("").astype(str).tolist()
        redacted, redaction = redact_texts(texts + raw_text, names=cfg.redact_names)
        frame["text"] = pd.Series(redacted[: len(texts)], index=frame.index, dtype=object)
        rejected["raw_text"] = pd.Series(redacted[len(texts) :], index=rejected.index, dtype=object)
    usable, reasons_text = usable_mask(frame["text"].fillna("").astype(str).tolist())
    return LoadedPart(frame, rejected, metrics, usable, reasons_text, redaction, date_stats)


def sample_part(part: LoadedPart, positions: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Text and group of the usable comments at ``positions`` (0-based among this part's usable)."""
    idx = np.flatnonzero(part.usable)[positions]
    texts = part.frame["text"].fillna("").astype(str).to_numpy(dtype=object)
    return [str(t) for t in texts[idx]], part.frame["group"].to_numpy(dtype=object)[idx]


def analyze_part(
    part: LoadedPart, model: Any, brand: tuple[str, ...], cfg: AnalysisConfig
) -> AnalyzedPart:
    """Sentiment, theme assignment, output rows and additive counts of one loaded partition."""
    from threadpoolctl import threadpool_limits

    from ..pipeline import _assign, _comment_table, _sentence_table
    from ..redact import strip_placeholders
    from ..sentiment import score_sentiment
    from ..themes import clean_for_themes

    frame = part.frame
    n = len(frame)
    usable = part.usable
    groups = frame["group"].to_numpy(dtype=object)
    texts = frame["text"].fillna("").astype(str).tolist()
    idx = np.flatnonzero(usable)
    # One task per worker thread: the cluster is the parallelism, not BLAS.
    with threadpool_limits(limits=1):
        cleaned = clean_for_themes(strip_placeholders(texts), brand_terms=brand, cut_because=False)
        sent = score_sentiment(cleaned, usable, workers=1)
        member, scores, primary, theme_lists = _assign(model, cleaned, idx, n)
    stub = Survey(frame=frame, rejected=pd.DataFrame(), segment_cols=cfg.segment_cols)
    comments = _comment_table(frame, stub, usable, part.reasons, sent, primary, theme_lists)
    sentences = _sentence_table(sent.sentences, frame)
    counts = theme_counts(groups, member, usable, sent.compound)
    seg_counts: dict[tuple[str, str], ThemeCounts] = {}
    for col in cfg.segment_cols:
        values = frame[col].astype(str).to_numpy(dtype=object)
        for value in sorted(set(values)):
            mask = values == value
            seg_counts[(col, value)] = theme_counts(
                groups[mask], member[mask], usable[mask], sent.compound[mask]
            )
    rows = frame["row"].to_numpy(dtype=np.int64)
    examples: dict[str, list[list[tuple[float, int, str]]]] = {}
    for name, eligible in (
        ("all", usable),
        ("detractor", usable & (groups == "detractor")),
        ("promoter", usable & (groups == "promoter")),
    ):
        picks = pick_examples(scores, texts, eligible, cfg.example_count)
        examples[name] = [
            [(float(scores[r, j]), int(rows[r]), texts[r]) for r in chosen]
            for j, chosen in enumerate(picks)
        ]
    trend = pd.DataFrame({"date": frame["date"].to_numpy(), "group": groups, "usable": usable})
    for j in range(member.shape[1]):
        trend[f"m{j}"] = member[:, j]
    return AnalyzedPart(
        comments=comments,
        sentences=sentences,
        counts=counts,
        segment_theme_counts=seg_counts,
        segment_counts=segment_counts(frame, cfg.segment_cols),
        examples=examples,
        trend_rows=trend,
    )
