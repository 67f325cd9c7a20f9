"""VADER sentiment per comment and per sentence, and score/sentiment contradictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    sentences: pd.DataFrame  # columns: index (position of the comment), sentence_no, sentence, sentiment


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


def score_sentiment(texts: Sequence[str], usable: np.ndarray) -> SentimentResult:
    """VADER compound for each usable comment (NaN otherwise) and for each sentence.

    Identical texts are scored once. ``texts`` should already have brand
    names masked: VADER reads some names as words ("united" scores +1.8).
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    n = len(texts)
    compound = np.full(n, np.nan)
    s_min = np.full(n, np.nan)
    s_max = np.full(n, np.nan)
    cache: dict[str, tuple[float, list[tuple[str, float]]]] = {}
    rows_idx: list[int] = []
    rows_no: list[int] = []
    rows_text: list[str] = []
    rows_score: list[float] = []
    for i in np.flatnonzero(usable):
        text = texts[i]
        hit = cache.get(text)
        if hit is None:
            whole = analyzer.polarity_scores(text)["compound"]
            parts = split_sentences(text)
            if len(parts) == 1:
                scored = [(parts[0], whole)]
            else:
                scored = [(p, analyzer.polarity_scores(p)["compound"]) for p in parts]
            hit = (whole, scored)
            cache[text] = hit
        whole, scored = hit
        compound[i] = whole
        values = [s for _, s in scored]
        s_min[i] = min(values)
        s_max[i] = max(values)
        for no, (sentence, score) in enumerate(scored, start=1):
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
