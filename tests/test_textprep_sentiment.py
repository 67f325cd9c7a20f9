import numpy as np
import pandas as pd
import pytest

from conftest import shared_file
from feedback_nlp.demo import generate_survey
from feedback_nlp.sentiment import (
    contradictions,
    polarity_scorer,
    review_scorer,
    score_sentiment,
    sentiment_label,
)
from feedback_nlp.textprep import no_text_reason, split_sentences


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("0", "no letters"),
        ("10", "no letters"),
        ("?", "no letters"),
        (".", "no letters"),
        ("n/a", "non-answer"),
        ("N/A.", "non-answer"),
        ("Nothing", "non-answer"),
        ("no comment", "non-answer"),
        ("\ufffd", "broken encoding"),
        ("Ã©", "broken encoding"),
        ("Ok", None),
        ("Engineer never turned up", None),
    ],
)
def test_no_text_reasons(text, reason):
    assert no_text_reason(text) == reason


def test_sentences_split_on_end_punctuation_and_lines():
    assert split_sentences("Bad speed!! Support was kind.\nWill leave") == [
        "Bad speed!!",
        "Support was kind.",
        "Will leave",
    ]
    assert split_sentences("price 3.5 per month is ok") == ["price 3.5 per month is ok"]


def test_sentiment_per_comment_and_sentence():
    texts = ["The staff were great. The speed is terrible!", "n/a", "I love it"]
    usable = np.array([True, False, True])
    r = score_sentiment(texts, usable)
    assert np.isnan(r.compound[1])
    assert r.compound[2] > 0.5
    assert r.sentence_min[0] < -0.4 < 0.4 < r.sentence_max[0]
    assert r.sentences["index"].tolist() == [0, 0, 2]
    assert sentiment_label(r.compound).tolist() == [
        sentiment_label(np.array([r.compound[0]]))[0],
        "",
        "positive",
    ]


def test_contradictions_flag_only_strong_mismatch():
    groups = np.array(["detractor", "detractor", "promoter", "promoter", "passive"], dtype=object)
    compound = np.array([0.8, 0.2, -0.7, 0.9, -0.9])
    assert contradictions(groups, compound).tolist() == [True, False, True, False, False]


def test_parallel_scoring_equals_serial(monkeypatch):
    import feedback_nlp.parallel as parallel
    import feedback_nlp.sentiment as sentiment

    texts = [f"Comment {i}. The speed is {'great' if i % 2 else 'awful'}!" for i in range(60)]
    usable = np.ones(60, dtype=bool)
    serial = sentiment.score_sentiment(texts, usable, workers=1)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
    parallel = sentiment.score_sentiment(texts, usable, workers=2)
    assert np.array_equal(serial.compound, parallel.compound)
    assert serial.sentences.equals(parallel.sentences)


def _reference_sentiment(texts, usable):
    """The plain algorithm: every comment and every sentence of it scored by VADER
    with the review rules."""
    polarity = review_scorer()
    n = len(texts)
    compound, s_min, s_max = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    rows = []
    for i in np.flatnonzero(usable).tolist():
        whole = polarity(texts[i])["compound"]
        parts = split_sentences(texts[i])
        if len(parts) <= 1:
            scored = [(parts[0] if parts else texts[i], whole)]
        else:
            scored = [(s, polarity(s)["compound"]) for s in parts]
        compound[i] = whole
        s_min[i] = min(s for _, s in scored)
        s_max[i] = max(s for _, s in scored)
        rows += [(i, no, s, v) for no, (s, v) in enumerate(scored, start=1)]
    return compound, s_min, s_max, rows


@pytest.mark.parametrize("workers", [1, 2])
def test_shared_sentence_scores_equal_scoring_each_sentence(monkeypatch, workers):
    # Sentences repeat across comments and equal whole comments, comments repeat,
    # and one usable comment is only whitespace: scoring each distinct string
    # once must give exactly what scoring every sentence of every comment gives.
    import feedback_nlp.parallel as parallel

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    texts = [
        "No complaints. Fast and reliable!",
        "No complaints.",
        "",
        "Terrible support. No complaints about speed though.\nWould NOT recommend",
        "No complaints. Fast and reliable!",
        "  Great value  ",
        "   ",
        "Fast and reliable! But the price went up. No complaints.",
        "Too slow. I was hoping for better. Too slow.",
    ]
    usable = np.array([t != "" for t in texts])
    r = score_sentiment(texts, usable, workers=workers)
    compound, s_min, s_max, rows = _reference_sentiment(texts, usable)
    assert np.array_equal(r.compound, compound, equal_nan=True)
    assert np.array_equal(r.sentence_min, s_min, equal_nan=True)
    assert np.array_equal(r.sentence_max, s_max, equal_nan=True)
    assert list(r.sentences.itertuples(index=False, name=None)) == rows
    assert r.sentences["index"].dtype == np.int64
    assert r.sentences["sentence_no"].dtype == np.int64


def test_no_usable_text_gives_empty_sentence_table():
    r = score_sentiment(["n/a", ""], np.array([False, False]))
    assert np.isnan(r.compound).all()
    assert r.sentences.empty
    assert list(r.sentences.columns) == ["index", "sentence_no", "sentence", "sentiment"]


# Texts that reach every branch the faster analyser changes or skips: emojis
# (and one next to a word), no emoji at all, negations one to three words
# before a scored word, "never so"/"without doubt", idioms before and after,
# "kind of", "but", "least", "no", ALL CAPS, short texts where the windows are
# cut by the start or the end, and whitespace around the text.
_VADER_CASES = [
    "",
    "   ",
    "good",
    "not good",
    "isn't very good",
    "never so good",
    "never this bad at all",
    "without doubt good",
    "it was without doubt the best",
    "I don't think it is really that good",
    "the food was the bomb, yeah right",
    "it didn't cut the mustard, a kiss of death",
    "we live hand to mouth but the staff are lovely",
    "kind of good",
    "It is kind of sort of bad",
    "at least it works; least helpful staff ever",
    "no problems at all, no",
    "no good or bad",
    "The engineer was GREAT but the router is TERRIBLE!!!",
    "Love it 😍😍",
    "service was fine👍 but slow 😠",
    "  Terrible support. Never again!  ",
    "Why??? Why is the bill so high???",
    "meh :( not the worst :)",
]


def _vader_reference():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer().polarity_scores


def test_faster_vader_equals_vader_on_every_branch():
    fast, slow = polarity_scorer(), _vader_reference()
    for text in _VADER_CASES:
        assert fast(text) == slow(text), text


def test_faster_vader_equals_vader_on_generated_comments_and_their_sentences():
    comments = generate_survey(3000, seed=11)["comment"].dropna().astype(str).unique()
    texts = list(comments) + [s for c in comments[:500] for s in split_sentences(c)]
    fast, slow = polarity_scorer(), _vader_reference()
    differ = [t for t in texts if fast(t) != slow(t)]
    assert len(texts) > 3000
    assert differ == []


@pytest.mark.parametrize(
    "name,column",
    [
        ("clothing_reviews_1k.csv", "Review Text"),
        ("telecom_nps_verbatims.csv", "text"),
        ("semeval14_restaurants.csv", "text"),
    ],
)
def test_faster_vader_equals_vader_on_real_answers(name, column):
    texts = pd.read_csv(shared_file(name), dtype=str)[column].dropna().tolist()
    fast, slow = polarity_scorer(), _vader_reference()
    differ = [i for i, t in enumerate(texts) if fast(t) != slow(t)]
    assert len(texts) > 500
    assert differ == []
