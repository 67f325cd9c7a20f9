"""VADER sentiment per comment and per sentence, and score/sentiment contradictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .parallel import map_chunks
from .textprep import split_sentences

__all__ = ["SentimentResult", "score_sentiment", "sentiment_label", "contradictions"]

#: VADER's customary thresholds on the compound score.
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05
#: A comment this strongly against its score's group is flagged as a contradiction.
CONTRADICTION_AT = 0.5


@dataclass
class SentimentResult:
    """Per-comment compound scores and a per-sentence table."""

    compound: np.ndarray
    sentence_min: np.ndarray
    sentence_max: np.ndarray
    sentences: (
        pd.DataFrame
    )  # columns: index (position of the comment), sentence_no, sentence, sentiment


def sentiment_label(compound: np.ndarray) -> np.ndarray:
    """'positive' (>= 0.05), 'negative' (<= -0.05) or 'neutral'; '' where NaN.

    >>> sentiment_label(np.array([0.6, 0.0, -0.3])).tolist()
    ['positive', 'neutral', 'negative']
    """
    c = np.asarray(compound, dtype=float)
    out = np.full(c.shape, "neutral", dtype=object)
    out[c >= POSITIVE_AT] = "positive"
    out[c <= NEGATIVE_AT] = "negative"
    out[np.isnan(c)] = ""
    return out


_ANALYZER: Any = None


def _score_texts(texts: list[str]) -> list[tuple[float, list[tuple[str, float]]]]:
    """VADER on each text and, when it has several, on each of its sentences."""
    global _ANALYZER
    if _ANALYZER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _ANALYZER = SentimentIntensityAnalyzer()
    polarity = _ANALYZER.polarity_scores
    out = []
    for text in texts:
        whole = polarity(text)["compound"]
        parts = split_sentences(text)
        if len(parts) <= 1:
            out.append((whole, [(parts[0] if parts else text, whole)]))
        else:
            out.append((whole, [(s, polarity(s)["compound"]) for s in parts]))
    return out


def score_sentiment(texts: Sequence[str], usable: np.ndarray, workers: int = 1) -> SentimentResult:
    """VADER compound for each usable comment (NaN otherwise) and for each sentence.

    Identical texts are scored once; with ``workers`` > 1 and many distinct
    comments the scoring is spread over processes. ``texts`` should already
    have brand names masked: VADER reads some names as words ("united" scores
    +1.8).
    """
    n = len(texts)
    compound = np.full(n, np.nan)
    s_min = np.full(n, np.nan)
    s_max = np.full(n, np.nan)
    rows = np.flatnonzero(usable).tolist()
    distinct = list(dict.fromkeys(texts[i] for i in rows))
    scored = dict(zip(distinct, map_chunks(_score_texts, distinct, workers)))
    rows_idx: list[int] = []
    rows_no: list[int] = []
    rows_text: list[str] = []
    rows_score: list[float] = []
    for i in rows:
        whole, parts = scored[texts[i]]
        compound[i] = whole
        values = [s for _, s in parts]
        s_min[i] = min(values)
        s_max[i] = max(values)
        for no, (sentence, score) in enumerate(parts, start=1):
            rows_idx.append(int(i))
            rows_no.append(no)
            rows_text.append(sentence)
            rows_score.append(score)
    sentences = pd.DataFrame(
        {"index": rows_idx, "sentence_no": rows_no, "sentence": rows_text, "sentiment": rows_score}
    )
    return SentimentResult(compound, s_min, s_max, sentences)


def contradictions(groups: np.ndarray, compound: np.ndarray) -> np.ndarray:
    """True where the text strongly contradicts the score: a detractor writing
    clearly positive text (compound >= 0.5) or a promoter clearly negative text
    (<= -0.5). Such rows are worth reading: sarcasm, misread scales, or a
    complaint about something the score does not reflect.
    """
    g = np.asarray(groups, dtype=object)
    c = np.nan_to_num(np.asarray(compound, dtype=float), nan=0.0)
    return ((g == "detractor") & (c >= CONTRADICTION_AT)) | (
        (g == "promoter") & (c <= -CONTRADICTION_AT)
    )
