import numpy as np
import pytest

from feedback_nlp.sentiment import contradictions, score_sentiment, sentiment_label
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
