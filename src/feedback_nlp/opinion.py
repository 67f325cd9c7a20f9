"""Sentence sentiment for reviews: VADER taught each survey's own language.

VADER scores the words of its lexicon. Reviews complain in words it does not
hold ("it runs small", "made me look wide", "had to send it back") and
praise in words it over-reads ("I love the colour, but..."): on 1,000 clothing
reviews 72% of the 1-2 star ones came out positive. Here the survey teaches
VADER its own language, with no label from anyone (distant supervision):

1. each sentence is scored by VADER with :func:`~feedback_nlp.sentiment.review_rules`;
2. the sentences it reads clearly (``|compound| >= 0.5``) label themselves,
   positive or negative; a logistic regression (classes balanced) on their
   MiniLM embeddings learns how this survey's customers write praise and
   complaint;
3. every sentence, those with no lexicon word included, gets the model's
   reading ``2p - 1`` in -1..1; its score is the mean of that and VADER's
   compound, so a word VADER knows still counts and a sentence it misses
   is no longer neutral.

A comment's score is then the mean of its sentences' scores, negative
sentences counting twice (:func:`feedback_nlp.sentiment.score_sentiment`).

Too few clear sentences of either polarity (below :data:`MIN_PER_CLASS`) or
no MiniLM model installed: no model, VADER with its rules alone. When the
theme model was just fitted on the sentences with MiniLM, the model learns in
its space from the sentences it embedded (:func:`fit_opinion_from_themes`)
and reads every sentence as it does: nothing is embedded twice. Otherwise
(a saved theme model, TF-IDF themes) it embeds the sentences itself
(:func:`fit_opinion_model`): above ``max_embed`` distinct sentences a seeded
sample, every sentence then read on the static token vectors distilled from
it (:mod:`~feedback_nlp.themes.tokenpath`), as the theme model's fast path does.

Measured in ``BENCHMARKS.md`` ("Sentiment and sentence themes", the whole
pipeline): clothing reviews, AUC for a rating of 4-5 0.778 (VADER) -> 0.869,
1-2 star reviews read positive 72% -> 23%; SemEval-2016 opinion polarity
79.6% -> 83.6%, 65.3% -> 74.0% on reviews holding both polarities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .themes.tokenpath import TokenPath, fit_token_path, token_counts
from .themes.vectors import unit

__all__ = [
    "CONFIDENT_AT",
    "MIN_PER_CLASS",
    "MAX_EMBED",
    "OpinionModel",
    "SentenceReading",
    "fit_opinion_from_themes",
    "theme_space",
    "fit_opinion_model",
]

#: A sentence VADER scores at least this far from 0 labels itself for the model.
CONFIDENT_AT = 0.5
#: Clear sentences of each polarity the model needs: fewer, and a 384-dimensional
#: model would learn the sample rather than the language.
MIN_PER_CLASS = 30
#: Distinct sentences embedded to learn from (the theme model's ``max_embed``).
MAX_EMBED = 4000


@dataclass
class OpinionModel:
    """A survey's sentence sentiment model (see the module notes).

    ``coef`` and ``intercept`` read a centred unit embedding (``mean`` is the
    centre); ``token_path`` is set when only a sample was embedded, and then
    reads every sentence. ``counts`` are the clear negative and positive
    sentences it learnt from. With ``themes`` (a fitted MiniLM
    :class:`~feedback_nlp.themes.ThemeModel`) the vectors are the theme model's
    own (:meth:`~feedback_nlp.themes.ThemeModel.vectors`): nothing is embedded twice.
    """

    rep: Any
    mean: np.ndarray
    coef: np.ndarray
    intercept: float
    counts: tuple[int, int]
    token_path: TokenPath | None = None
    #: The embedded sentences' vectors (rows of ``cache[1]`` by text); not for the token path.
    cache: tuple[dict[str, int], np.ndarray] | None = field(default=None, repr=False)
    themes: Any = field(default=None, repr=False)

    def vectors(self, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Centred unit vectors of ``sentences`` as the model reads them, and which
        sentences have one (with a theme model, those it finds usable)."""
        if self.themes is not None:
            vecs, has = self.themes.vectors(list(sentences))
            return vecs, np.asarray(has, dtype=bool)
        every = np.ones(len(sentences), dtype=bool)
        if self.token_path is not None:
            path = self.token_path
            return path.vectors_of(token_counts(self.rep, list(sentences)), self.mean), every
        out = np.zeros((len(sentences), len(self.mean)), dtype=np.float32)
        rows = self.cache[0] if self.cache is not None else {}
        hit = np.array([s in rows for s in sentences], dtype=bool)
        if hit.any():
            assert self.cache is not None
            out[hit] = self.cache[1][[rows[s] for s in np.asarray(sentences, dtype=object)[hit]]]
        if (~hit).any():
            missing = [s for s, h in zip(sentences, hit) if not h]
            out[~hit] = unit(self.rep.transform(missing) - self.mean)
        return out, every

    def adjust(self, sentences: Sequence[str], vader: np.ndarray) -> np.ndarray:
        """Each sentence's score: the mean of its VADER compound ``vader`` and the
        model's reading ``2p - 1`` (a repeated sentence is read once; one the
        model has no vector for keeps VADER's)."""
        from threadpoolctl import threadpool_limits

        vader = np.asarray(vader, dtype=float)
        if not len(sentences):
            return vader.copy()
        ids: dict[str, int] = {}
        code = np.fromiter(
            (ids.setdefault(s, len(ids)) for s in sentences), dtype=np.int64, count=len(sentences)
        )
        with threadpool_limits(1):
            vecs, has = self.vectors(list(ids))
            logit = vecs.astype(np.float64) @ self.coef + self.intercept
        reading = 2.0 / (1.0 + np.exp(-logit)) - 1.0
        return np.where(has[code], (vader + reading[code]) / 2.0, vader)


@dataclass
class SentenceReading:
    """A survey read sentence by sentence: its sentence sentiment ``model`` (None:
    VADER with its rules alone) and the median sentences per comment."""

    model: OpinionModel | None
    median_sentences: float

    def note(self) -> str:
        """What the report says about it."""
        head = (
            f"Comments are read sentence by sentence (median {self.median_sentences:g} "
            "sentences per comment): each comment's sentiment is the mean of its sentences', "
            "negative ones counting twice"
        )
        if self.model is None:
            return head + "; sentence sentiment is VADER's (no model learnt from this survey)."
        neg, pos = self.model.counts
        return (
            f"{head}; sentence sentiment is VADER's averaged with a model learnt from the "
            f"{neg + pos:,} sentences VADER reads clearly ({neg:,} negative, {pos:,} positive)."
        )


def _learn(x: np.ndarray, vader: np.ndarray, min_per_class: int) -> dict[str, Any] | None:
    """The logistic regression (balanced classes, C=1) of the sentences VADER reads
    clearly (``|vader| >= CONFIDENT_AT``) on their vectors ``x``, as
    :class:`OpinionModel` fields; None with fewer than ``min_per_class`` of
    either polarity."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    v = np.asarray(vader, dtype=float)
    counts = _clear_counts(v)
    if min(counts) < min_per_class:
        return None
    clear = np.abs(v) >= CONFIDENT_AT
    with threadpool_limits(1):
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
        lr.fit(x[clear], v[clear] > 0)
    return {
        "coef": lr.coef_[0].astype(np.float64),
        "intercept": float(lr.intercept_[0]),
        "counts": counts,
    }


def _clear_counts(vader: np.ndarray) -> tuple[int, int]:
    """How many sentences VADER reads clearly negative and clearly positive."""
    v = np.asarray(vader, dtype=float)
    clear = np.abs(v) >= CONFIDENT_AT
    return int((v[clear] < 0).sum()), int((v[clear] > 0).sum())


def theme_space(model: Any) -> tuple[list[str], np.ndarray] | None:
    """The texts a theme model embedded while fitting and their vectors, when
    it is a fitted MiniLM model (a loaded one keeps none, a TF-IDF one's
    vectors are not embeddings); else None."""
    fitted = model.fitted_vectors() if hasattr(model, "fitted_vectors") else None
    minilm = getattr(getattr(model, "rep_", None), "name", "") == "minilm"
    return fitted if minilm else None


def fit_opinion_from_themes(
    model: Any, *, min_per_class: int = MIN_PER_CLASS
) -> OpinionModel | None:
    """The sentence sentiment model learnt in a fitted MiniLM theme model's own
    space: from the sentences it embedded while fitting (its vectors and their
    VADER compounds), reading every sentence through
    :meth:`~feedback_nlp.themes.ThemeModel.vectors`. None when the model is
    not such a model (TF-IDF, loaded from disk, no themes) or too few of its
    sentences read clearly.
    """
    from .sentiment import review_scorer

    fitted = theme_space(model)
    if fitted is None:
        return None
    texts, x = fitted
    score = review_scorer()
    learnt = _learn(x, np.array([score(t)["compound"] for t in texts]), min_per_class)
    if learnt is None:
        return None
    return OpinionModel(rep=model.rep_, mean=model.mean_, themes=model, **learnt)


def fit_opinion_model(
    sentences: Sequence[str],
    vader: np.ndarray,
    *,
    complete: bool = True,
    n_threads: int = 2,
) -> OpinionModel | None:
    """The sentence sentiment model learnt from ``sentences`` (distinct) and their
    VADER compounds ``vader``; None when MiniLM is not installed or too few
    sentences read clearly (:data:`MIN_PER_CLASS` of each polarity).

    ``complete=False`` says the survey holds more sentences than these (a
    sample): the model then reads every sentence on static token vectors
    distilled from these, instead of embedding it.
    """
    from threadpoolctl import threadpool_limits

    from .themes.representation import MiniLMEmbedder, minilm_available

    texts = list(sentences)
    # check the counts before embedding anything
    if min(_clear_counts(vader)) < MIN_PER_CLASS or not minilm_available():
        return None
    rep = MiniLMEmbedder(n_threads=n_threads).fit(texts)
    with threadpool_limits(1):
        if complete:
            raw = rep.transform(texts)
        else:
            raw, ids, table = rep.transform_tokens(texts)
        mean = raw.mean(axis=0).astype(np.float32)
        x = unit(raw - mean)
        path = None if complete else fit_token_path(ids, table, token_counts(rep, texts), x, mean)
    learnt = _learn(x, vader, MIN_PER_CLASS)
    assert learnt is not None  # the counts were checked above
    return OpinionModel(
        rep=rep,
        mean=mean,
        token_path=path,
        cache=({t: i for i, t in enumerate(texts)}, x) if complete else None,
        **learnt,
    )
