"""VADER sentiment per comment and per sentence, and score/sentiment contradictions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from .parallel import map_chunks
from .textprep import split_sentences

__all__ = [
    "SentimentResult",
    "score_sentiment",
    "sentiment_label",
    "contradictions",
    "polarity_scorer",
    "review_scorer",
    "review_rules",
]

#: VADER's customary thresholds on the compound score.
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05
#: How many times a negative sentence counts in its comment's score (sentence-level reading).
NEGATIVE_WEIGHT = 2.0
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


def _analyzer_class() -> type:
    """VADER 3.3.2's analyser with the same scores and a quarter less work.

    Three of VADER's steps cost more than they need to, and are replaced by
    calls of VADER's own code on less input (the test suite checks the scores
    equal VADER's on thousands of comments, emojis and idioms included):

    - its first pass rebuilds every text a character at a time to replace
      emojis by their descriptions; a text with no emoji character skips it
      (the pass would leave it as it is), one with emojis gets the same
      pass written with a list;
    - the negation check and the idiom check each lower-case the whole
      comment for every word they look at, yet read at most three words
      either side of it: they get a window of that size, indices moved to
      match;
    - the "but" check looks each word's score up by value in the whole list
      (quadratic: 33 s for a 200,000-word comment): :func:`_but_check`
      gives the same list in linear time.
    """
    from vaderSentiment import vaderSentiment as vs

    base = vs.SentimentIntensityAnalyzer

    class Analyzer(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.emoji_chars = frozenset(self.emojis)

        @staticmethod
        def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
            # Reads words i-1 .. i-3 (only those at or after 0: i > start_i).
            lo = max(0, i - 3)
            return base._negation_check(valence, words[lo : i + 1], start_i, i - lo)

        @staticmethod
        def _but_check(words: list[str], sentiments: list[float]) -> list[float]:
            return _but_check(words, sentiments)

        @staticmethod
        def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
            # Called with i >= 3; reads words i-3 .. i+2, and whether i+1 and
            # i+2 exist, which the window keeps.
            return base._special_idioms_check(valence, words[i - 3 : i + 3], 3)

        def polarity_scores(self, text: str) -> dict[str, float]:
            if not self.emoji_chars.isdisjoint(text):
                text = self._describe_emojis(text)
            # VADER's polarity_scores from just after its emoji pass.
            text = text.strip()
            sentitext = vs.SentiText(text)
            sentiments: list[float] = []
            words = sentitext.words_and_emoticons
            for i, item in enumerate(words):
                if item.lower() in vs.BOOSTER_DICT or (
                    i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of"
                ):
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            sentiments = self._adjust(sentitext, sentiments)
            sentiments = self._but_check(words, sentiments)
            return cast(dict[str, float], self.score_valence(sentiments, text))

        def _describe_emojis(self, text: str) -> str:
            # VADER's first pass: each emoji replaced by its description.
            out, prev_space = [], True
            for ch in text:
                if ch in self.emojis:
                    out.append(("" if prev_space else " ") + self.emojis[ch])
                    prev_space = False
                else:
                    out.append(ch)
                    prev_space = ch == " "
            return "".join(out)

        @staticmethod
        def _adjust(sentitext: Any, sentiments: list[float]) -> list[float]:
            return sentiments  # VADER's own scores; the review scorer adds its rules here

    return Analyzer


def _but_check(words: Sequence[str], sentiments: list[float]) -> list[float]:
    """VADER 3.3.2's "but" check, in linear time, with the same result.

    VADER halves the scores before the first "but" and raises those after it
    by half, but finds each score's position with ``sentiments.index(value)``:
    the first position holding that value *now*, which for a repeated value
    can be an earlier word than the one read (a word that still holds it, or
    one whose 0 stayed 0). Here the positions of each current value are kept
    in a heap, so the same positions change.

    >>> _but_check(["good", "but", "bad", "bad"], [1.9, 0, -2.5, -2.5])
    [0.95, 0, -3.75, -3.75]
    """
    import heapq

    lower = [str(w).lower() for w in words]
    if "but" not in lower:
        return sentiments
    bi = lower.index("but")
    current = list(sentiments)
    # value -> positions that held it (stale ones are skipped when met)
    where: dict[float, list[int]] = {}
    # Positions from p on are not changed before step p: sentiments[p] is still current.
    for p, value in enumerate(sentiments):
        heap = where.setdefault(value, [])
        heapq.heappush(heap, p)
        while current[heap[0]] != value:
            heapq.heappop(heap)
        si = heap[0]
        if si == bi:
            continue
        current[si] = value * 0.5 if si < bi else value * 1.5
        heapq.heappush(where.setdefault(current[si], []), si)
    return current


#: The valence (VADER's -4..4 scale) of a word that "too" says is in excess.
EXCESS_VALENCE = -1.5
#: How a positive word reads inside an unmet expectation ("hoping to love it").
UNMET_FACTOR = -0.5
#: Words that look back at an expectation the text then says was not met.
_EXPECTATION = frozenset({"hoped", "hoping", "wished", "wanted", "expected", "expecting"})
_MODAL_PERFECT = frozenset({"would", "should", "could"})
#: Words after "too" that make it mean "also" ("I bought it in black too and...").
_ALSO_AFTER = frozenset(
    "a an and as at but for from i in it my of on or so the then this to we with".split()
)
_CLAUSE_END = (",", ".", ";", ":", "!", "?")
#: The words that start a rule: a text without one is left as VADER reads it.
_RULE_WORDS = _EXPECTATION | {"too", "have"}


def review_rules(raw: Sequence[str], words: Sequence[str], sentiments: list[float]) -> list[float]:
    """Two readings of complaint language VADER's lexicon cannot make, applied to
    its word valences before its "but" rule.

    ``raw`` are the text's white-space tokens, ``words`` the same tokens as VADER
    reads them (punctuation stripped), ``sentiments`` VADER's valence of each.

    - **Excess**: "too" before a word that is not positive makes that word a
      complaint ("too small", "too sweet", "too long a wait"), at
      :data:`EXCESS_VALENCE` or lower. Not after a negation ("not too bad"),
      not before a positive word ("too cute"), and not where "too" means
      "also" (at a clause end or before a function word).
    - **Unmet expectation**: after "hoped", "hoping", "wished", "wanted",
      "expected", "expecting" and "would / should / could have", the positive
      words of the rest of the clause (up to four words) were not had:
      "I was hoping to love this", "it should have been better". They read
      as :data:`UNMET_FACTOR` times their valence, and the expectation word
      itself (VADER: "hoping" +1.8) as nothing. Not after a negation ("never
      expected such a good meal" is a surprise, not a disappointment).

    >>> review_rules("it was too small".split(), "it was too small".split(), [0, 0, 0, 0])
    [0, 0, 0, -1.5]
    >>> review_rules("hoping to love it".split(), "hoping to love it".split(), [1.8, 0, 3.2, 0])
    [0.0, 0, -1.6, 0]
    """
    from vaderSentiment.vaderSentiment import NEGATE

    low = [w.lower() for w in words]
    n = len(low)
    out = list(sentiments)
    for i, w in enumerate(low):
        negated = i > 0 and (low[i - 1] in NEGATE or low[i - 1].endswith("n't"))
        if w == "too" and i + 1 < n and not raw[i].endswith(_CLAUSE_END):
            if not negated and low[i + 1] not in _ALSO_AFTER and out[i + 1] <= 0:
                out[i + 1] = min(out[i + 1], EXCESS_VALENCE)
        expects = w in _EXPECTATION or (w == "have" and i > 0 and low[i - 1] in _MODAL_PERFECT)
        if expects and not negated:
            if w in _EXPECTATION:
                out[i] = 0.0
            for j in range(i + 1, min(n, i + 5)):
                if raw[j - 1].endswith(_CLAUSE_END):
                    break
                if out[j] > 0:
                    out[j] = round(out[j] * UNMET_FACTOR, 4)
    return out


def polarity_scorer() -> Callable[[str], dict[str, float]]:
    """``polarity_scores`` of :func:`_analyzer_class` (VADER's scores), loaded once per process."""
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = _analyzer_class()()
    return cast(Callable[[str], dict[str, float]], _ANALYZER.polarity_scores)


_REVIEW: Any = None


def review_scorer() -> Callable[[str], dict[str, float]]:
    """VADER's scores with :func:`review_rules`: the scorer of comments and
    sentences (loaded once per process)."""
    global _REVIEW
    if _REVIEW is None:
        base = _analyzer_class()

        class Review(base):  # type: ignore[misc, valid-type]
            @staticmethod
            def _adjust(sentitext: Any, sentiments: list[float]) -> list[float]:
                words = sentitext.words_and_emoticons
                if _RULE_WORDS.isdisjoint(map(str.lower, words)):  # most texts
                    return sentiments
                return review_rules(sentitext.text.split(), words, sentiments)

        _REVIEW = Review()
    return cast(Callable[[str], dict[str, float]], _REVIEW.polarity_scores)


def _score_and_split(texts: list[str]) -> list[tuple[float, Sequence[str]]]:
    """VADER compound of each whole text, and the text's sentences: none (``()``)
    when the text is its one sentence, which is then the text itself.

    Splitting here rather than in the parent spreads it over the workers; the
    sentences are scored later, once each across all comments. Not sending a
    one-sentence text back spares the parent a second copy of most comments
    (~150 MB of strings and lists at 1M).
    """
    polarity = review_scorer()
    return [(polarity(text)["compound"], _sentences_of(text)) for text in texts]


def _sentences_of(text: str) -> Sequence[str]:
    parts = split_sentences(text)
    return () if len(parts) == 1 and parts[0] == text else parts


def _score_texts(texts: list[str]) -> list[float]:
    """VADER compound (with :func:`review_rules`) of each text."""
    polarity = review_scorer()
    return [polarity(text)["compound"] for text in texts]


def score_sentiment(
    texts: Sequence[str], usable: np.ndarray, workers: int = 1, reading: Any = None
) -> SentimentResult:
    """VADER compound for each usable comment (NaN otherwise) and for each sentence.

    ``texts`` should already have brand names masked: VADER reads some names as
    words ("united" scores +1.8).

    Parameters
    ----------
    texts : the comments.
    usable : bool array, True where the comment has usable text.
    workers : processes to spread the scoring over when there are many
        distinct texts (see :func:`~feedback_nlp.parallel.map_chunks`).
    reading : comments read sentence by sentence
        (:class:`feedback_nlp.opinion.SentenceReading`): a comment's score is the
        mean of its sentences', negative ones counting twice
        (:func:`_comment_scores`), and with a sentence sentiment model
        (``reading.model``) each sentence's score is its ``adjust`` of the
        VADER compound. None: VADER's compound of each whole comment.

    Returns
    -------
    SentimentResult
        ``sentences`` has one row per sentence of each usable comment, in
        comment order: a comment of one sentence is that sentence, scored as
        the whole comment.

    Notes
    -----
    VADER is pure Python and dominates the cost, so each distinct string is
    scored once: identical comments share a score, and so do identical
    sentences across comments (survey answers reuse stock phrases: "No
    complaints.", "Never again."), which halves the calls on typical data. A
    sentence identical to a whole comment reuses that comment's score. Workers
    return floats and sentences only for distinct texts; the per-row tables are
    then built with numpy.
    """
    n = len(texts)
    compound = np.full(n, np.nan)
    s_min = np.full(n, np.nan)
    s_max = np.full(n, np.nan)
    rows = np.flatnonzero(usable)
    if not len(rows):
        # Built from empty lists, as before, so the empty table keeps its dtypes.
        empty: dict[str, list[Any]] = {"index": [], "sentence_no": [], "sentence": []}
        return SentimentResult(compound, s_min, s_max, pd.DataFrame({**empty, "sentiment": []}))
    ids: dict[str, int] = {}
    code = np.fromiter(
        (ids.setdefault(texts[i], len(ids)) for i in rows.tolist()), dtype=np.int64, count=len(rows)
    )
    distinct = list(ids)
    split = map_chunks(_score_and_split, distinct, workers, step="scoring comments")
    whole = np.fromiter((w for w, _ in split), dtype=float, count=len(distinct))
    score_of = dict(zip(distinct, whole.tolist()))
    pending = list(
        dict.fromkeys(s for _, parts in split if len(parts) > 1 for s in parts if s not in score_of)
    )
    scored = map_chunks(_score_texts, pending, workers, step="scoring sentences")
    score_of.update(zip(pending, scored))

    flat_text, scores, counts, starts = _flatten(distinct, split, score_of)
    if reading is not None:
        if reading.model is not None:
            scores = reading.model.adjust(flat_text, scores)
        whole = _comment_scores(scores, starts)
    compound[rows] = whole[code]
    s_min[rows] = np.minimum.reduceat(scores, starts)[code]
    s_max[rows] = np.maximum.reduceat(scores, starts)[code]
    sentences = _sentence_rows(rows, counts[code], starts[code], flat_text, scores)
    return SentimentResult(compound, s_min, s_max, sentences)


def _comment_scores(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each comment's score from its sentences': their mean, negative sentences
    (``<= NEGATIVE_AT``) counting :data:`NEGATIVE_WEIGHT` times (readers weigh a
    complaint about twice a compliment: "bad is stronger than good",
    Baumeister et al. 2001; losses loom about twice as large as gains,
    Kahneman and Tversky 1979). Comment ``k``'s sentences start at
    ``starts[k]`` and run to the next start.

    >>> _comment_scores(np.array([0.6, -0.3, 0.4]), np.array([0, 2])).round(3).tolist()
    [0.0, 0.4]
    """
    s = np.asarray(scores, dtype=float)
    w = np.where(s <= NEGATIVE_AT, NEGATIVE_WEIGHT, 1.0)
    return cast(np.ndarray, np.add.reduceat(s * w, starts) / np.add.reduceat(w, starts))


def _flatten(
    distinct: list[str], split: list[tuple[float, Sequence[str]]], score_of: dict[str, float]
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The sentences of each distinct comment, flattened, with their scores.

    Returns the texts, scores, sentences per comment and each comment's first
    position; a comment of one sentence is that sentence, scored as the whole.
    """
    flat_text: list[str] = []
    flat_score: list[float] = []
    counts = np.empty(len(distinct), dtype=np.int64)
    for k, (text, (w, parts)) in enumerate(zip(distinct, split)):
        if len(parts) <= 1:
            flat_text.append(parts[0] if parts else text)
            flat_score.append(w)
            counts[k] = 1
        else:
            flat_text.extend(parts)
            flat_score.extend(score_of[s] for s in parts)
            counts[k] = len(parts)
    starts = np.zeros(len(distinct), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return flat_text, np.array(flat_score, dtype=float), counts, starts


def _sentence_rows(
    rows: np.ndarray,
    lengths: np.ndarray,
    row_starts: np.ndarray,
    flat_text: list[str],
    scores: np.ndarray,
) -> pd.DataFrame:
    """One row per sentence of each usable row (its comment's ``lengths`` sentences)."""
    # Each row repeats its comment's sentences: position j of the output is
    # sentence ``j - first[j]`` of the row's comment.
    total = int(lengths.sum())
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    sentence_no = np.arange(total, dtype=np.int64) - first
    take = np.repeat(row_starts, lengths) + sentence_no
    text_arr = np.empty(len(flat_text), dtype=object)
    text_arr[:] = flat_text
    return pd.DataFrame(
        {
            "index": np.repeat(rows.astype(np.int64), lengths),
            "sentence_no": sentence_no + 1,
            "sentence": text_arr[take],
            "sentiment": scores[take],
        }
    )


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
