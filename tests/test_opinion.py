"""Sentence-level reading of long comments: the review rules on VADER, the
sentiment model learnt from a survey's own sentences, and how comments are
scored from their sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedback_nlp.config import AnalysisConfig, SentenceLevel
from feedback_nlp.demo import generate_survey
from feedback_nlp.sentiment import (
    EXCESS_VALENCE,
    NEGATIVE_WEIGHT,
    polarity_scorer,
    review_rules,
    review_scorer,
    score_sentiment,
)
from feedback_nlp.textprep import split_sentences

_TRIGGERS = re.compile(r"\b(too|hoped|hoping|wished|wanted|expected|expecting|have)\b", re.I)


def _compound(scorer, text: str) -> float:
    return scorer(text)["compound"]


# -- the review rules -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["It is too small", "The sleeves were way too long.", "Prices too high for what you get"],
)
def test_too_before_a_word_that_is_not_positive_reads_as_a_complaint(text):
    assert _compound(polarity_scorer(), text) >= 0
    assert _compound(review_scorer(), text) < -0.3


@pytest.mark.parametrize(
    "text",
    [
        "Not too bad at all",  # negated excess
        "I bought it in black too and love it",  # "too" meaning "also"
        "Love it too.",  # at the clause end
        "It is too cute",  # a positive word stays positive
        "Our family never expected such a great evening",  # a negated expectation
        "Exactly what I wanted. Great value",  # expectation ends with its clause
    ],
)
def test_the_rules_leave_what_they_do_not_cover_as_vader_reads_it(text):
    assert _compound(review_scorer(), text) == _compound(polarity_scorer(), text)


@pytest.mark.parametrize(
    "text",
    ["I was hoping to love this dress", "It should have been better", "I wanted to like it"],
)
def test_an_unmet_expectation_turns_its_positive_words(text):
    assert _compound(polarity_scorer(), text) > 0.2
    assert _compound(review_scorer(), text) < -0.1


def test_excess_sets_the_word_valence_and_keeps_a_stronger_one():
    words = "too small and too awful".split()
    assert review_rules(words, words, [0, 0, 0, 0, -2.5]) == [0, EXCESS_VALENCE, 0, 0, -2.5]


def test_review_scorer_differs_from_vader_only_where_a_rule_word_is():
    comments = generate_survey(2000, seed=5)["comment"].dropna().astype(str).unique()
    texts = list(comments) + [s for c in comments for s in split_sentences(c)]
    fast, plain = review_scorer(), polarity_scorer()
    differ = [t for t in texts if fast(t) != plain(t)]
    assert differ, "the generator writes 'too ...' complaints: some scores must change"
    assert all(_TRIGGERS.search(t) for t in differ)


# -- comments scored from their sentences ----------------------------------------


class _Reading:
    """A sentence reading with a given model (None: VADER's sentence scores)."""

    def __init__(self, model=None):
        self.model = model


class _Shift:
    """A model that reads every sentence ``by`` lower than VADER does."""

    def __init__(self, by: float):
        self.by, self.seen = by, []

    def adjust(self, sentences, vader):
        self.seen.append(list(sentences))
        return np.asarray(vader, dtype=float) - self.by


def test_a_comment_read_by_sentence_is_their_mean_with_negatives_counting_twice():
    texts = ["Great staff. Awful speed. It works.", "Lovely people"]
    r = score_sentiment(texts, np.array([True, True]), reading=_Reading())
    s = r.sentences[r.sentences["index"] == 0]["sentiment"].to_numpy()
    assert s[1] < -0.05 < 0.05 < s[0]
    w = np.where(s <= -0.05, NEGATIVE_WEIGHT, 1.0)
    assert r.compound[0] == pytest.approx((s * w).sum() / w.sum())
    whole = score_sentiment(texts, np.array([True, True]))
    assert r.compound[0] != whole.compound[0]
    assert r.compound[1] == whole.compound[1]  # one sentence: its own score


def test_the_model_adjusts_every_sentence_and_the_comment_follows():
    texts = ["Great staff. Awful speed.", "Lovely people", "Great staff. Awful speed."]
    usable = np.ones(3, dtype=bool)
    plain = score_sentiment(texts, usable, reading=_Reading())
    model = _Shift(0.5)
    shifted = score_sentiment(texts, usable, reading=_Reading(model))
    assert np.allclose(shifted.sentences["sentiment"], plain.sentences["sentiment"] - 0.5)
    s = shifted.sentences[shifted.sentences["index"] == 0]["sentiment"].to_numpy()
    w = np.where(s <= -0.05, NEGATIVE_WEIGHT, 1.0)
    assert shifted.compound[0] == pytest.approx((s * w).sum() / w.sum())
    assert shifted.compound[2] == shifted.compound[0]
    # a repeated comment's sentences are read once
    assert sorted(model.seen[0]) == sorted(["Great staff.", "Awful speed.", "Lovely people"])


# -- the model learnt from the survey ----------------------------------------------

_NEG = [
    "Terrible fit, it runs {n} sizes small",
    "Awful sizing, the {item} runs small",
    "So disappointed, the {item} runs tiny",
    "Horrible cut, the {item} is {n} sizes smaller than the chart",
]
_POS = [
    "I love the soft {item}, great quality",
    "Beautiful {item}, wonderful colour",
    "Great {item}, really happy with it",
    "Lovely {item}, excellent fabric",
]
_ITEMS = ["dress", "top", "skirt", "coat", "jacket", "sweater", "blouse", "shirt"]
_NS = ["two", "three", "four"]


def _sentences(templates):
    return [t.format(item=i, n=n) for t in templates for i in _ITEMS for n in _NS]


def _fit(sentences, **kw):
    from feedback_nlp.opinion import fit_opinion_model

    score = review_scorer()
    texts = list(dict.fromkeys(sentences))
    vader = np.array([score(t)["compound"] for t in texts])
    return fit_opinion_model(texts, vader, **kw)


@pytest.fixture(scope="module")
def learnt():
    pytest.importorskip("onnxruntime")
    from feedback_nlp.themes.representation import minilm_available

    if not minilm_available():
        pytest.skip("MiniLM not installed")
    return _fit(_sentences(_NEG) + _sentences(_POS))


def test_the_model_reads_a_complaint_vader_has_no_word_for(learnt):
    text = "The coat runs two sizes small"
    assert _compound(review_scorer(), text) == 0.0
    assert learnt is not None
    neg, pos = learnt.counts
    assert neg >= 30 and pos >= 30
    score = learnt.adjust([text, "Beautiful jacket, I love it"], np.zeros(2))
    assert score[0] < -0.1 < 0.1 < score[1]


def test_too_few_clear_sentences_learn_no_model():
    few = _sentences(_NEG)[:20] + _sentences(_POS)
    assert _fit(few) is None


def test_a_sampled_fit_reads_every_sentence_on_static_vectors(learnt):
    sampled = _fit(_sentences(_NEG) + _sentences(_POS), complete=False)
    assert sampled is not None and sampled.token_path is not None and sampled.cache is None
    again = _fit(_sentences(_NEG) + _sentences(_POS), complete=False)
    texts = ["The coat runs two sizes small", "Beautiful jacket, I love it"]
    a, b = sampled.adjust(texts, np.zeros(2)), again.adjust(texts, np.zeros(2))
    assert np.array_equal(a, b)
    assert a[0] < 0 < a[1]
    assert learnt.token_path is None and learnt.cache is not None


# -- when a survey is read by sentence ----------------------------------------------


def _long_reviews(rows: int, seed: int) -> pd.DataFrame:
    """Generated answers of three comments each, of one NPS group."""
    survey = generate_survey(rows * 3, seed=seed).dropna(subset=["comment", "score"])
    survey = survey[pd.to_numeric(survey["score"], errors="coerce").notna()].copy()
    survey["score"] = pd.to_numeric(survey["score"]).astype(int)
    survey["bucket"] = np.where(survey["score"] >= 9, 2, np.where(survey["score"] >= 7, 1, 0))
    parts = []
    for _, g in survey.groupby("bucket"):
        g = g.iloc[: len(g) // 3 * 3]
        joined = g["comment"].to_numpy().reshape(-1, 3)
        parts.append(
            pd.DataFrame(
                {"score": g["score"].to_numpy()[::3], "comment": [" ".join(j) for j in joined]}
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "respondent_id", np.arange(1, len(out) + 1))
    return out


@pytest.mark.parametrize(
    "mode,long,read",
    [
        (SentenceLevel.auto, False, False),
        (SentenceLevel.auto, True, True),
        (SentenceLevel.off, True, False),
        (SentenceLevel.on, False, True),
    ],
)
def test_auto_reads_by_sentence_from_a_median_of_three(tmp_path, mode, long, read):
    from feedback_nlp.plan.fitting import read_sentences, sentence_median

    texts = (
        _long_reviews(200, 0)["comment"].tolist()
        if long
        else generate_survey(400, seed=0)["comment"].dropna().tolist()
    )
    median = np.median([len(split_sentences(t)) for t in set(texts)])
    assert (median >= 3) == long
    cfg = AnalysisConfig(input=tmp_path, sentences=mode)
    found = sentence_median(cfg, texts)
    assert (found is not None) == read
    reading = read_sentences(cfg, texts, found)
    assert (reading is not None) == read
    if reading is not None:
        assert reading.median_sentences == found == median


def test_analyze_reads_long_reviews_by_sentence_and_says_so(tmp_path: Path):
    from typer.testing import CliRunner

    from feedback_nlp.cli import app

    csv = tmp_path / "reviews.csv"
    _long_reviews(300, 1).to_csv(csv, index=False)
    opts = ["--score-col", "score", "--text-col", "comment", "--id-col", "respondent_id"]
    runs = {}
    for mode in ("auto", "off"):
        out = tmp_path / mode
        res = CliRunner().invoke(
            app, ["analyze", str(csv), *opts, "--sentences", mode, "--out", str(out), "--quiet"]
        )
        assert res.exit_code == 0, res.output
        runs[mode] = out
    notes = json.loads((runs["auto"] / "summary.json").read_text())["notes"]
    assert any("read sentence by sentence" in n for n in notes)
    off_notes = json.loads((runs["off"] / "summary.json").read_text())["notes"]
    assert not any("sentence by sentence" in n for n in off_notes)
    # each comment's sentiment is its sentences' (negatives counting twice)
    comments = pd.read_csv(runs["auto"] / "comments.csv").set_index("respondent_id")
    sentences = pd.read_csv(runs["auto"] / "sentences.csv")
    for rid, g in list(sentences.groupby("respondent_id"))[:50]:
        s = g["sentiment"].to_numpy()
        w = np.where(s <= -0.05, NEGATIVE_WEIGHT, 1.0)
        assert comments.loc[rid, "sentiment"] == pytest.approx((s * w).sum() / w.sum(), abs=1e-4)
    bad = CliRunner().invoke(app, ["analyze", str(csv), *opts, "--sentences", "maybe"])
    assert bad.exit_code == 2 and "maybe" in bad.output


# -- themes read sentence by sentence ------------------------------------------------


class _KeywordThemes:
    """Two themes found by a word: 'slow' (T01) and 'rude' (T02); a sentence's
    score is 0.9, or 0.5 when the word is hedged by 'bit'."""

    themes_ = [{"theme_id": "T01", "label": "slow"}, {"theme_id": "T02", "label": "rude"}]

    def assign(self, texts):
        scores = np.zeros((len(texts), 2), dtype=np.float32)
        for i, t in enumerate(texts):
            for j, word in enumerate(("slow", "rude")):
                if word in t.lower():
                    scores[i, j] = 0.5 if "bit" in t.lower() else 0.9
        members = [tuple(int(j) for j in np.flatnonzero(row)) for row in scores]
        primary = np.where(scores.max(axis=1) > 0, scores.argmax(axis=1), -1)
        return primary, members, scores


def test_a_comment_carries_its_sentences_themes_and_the_most_common_is_primary():
    from feedback_nlp.plan.chunk import assign_sentence_themes

    cleaned = [
        "Slow again. Still slow. Staff rude.",  # two slow sentences beat one rude
        "A bit slow. Staff rude.",  # one each: the higher score (rude 0.9) wins
        "Fine overall. Nothing else.",  # no sentence fits: none
        "",  # not usable
        "Rude and slow.",  # one sentence, two themes
    ]
    idx = np.array([0, 1, 2, 4])
    found, by_sentence = assign_sentence_themes(_KeywordThemes(), cleaned, idx, len(cleaned))
    assert found.primary.tolist() == ["T01", "T02", "none", "", "T01"]
    assert found.theme_lists.tolist() == ["T01;T02", "T01;T02", "", "", "T01;T02"]
    assert found.scores[1].tolist() == pytest.approx([0.5, 0.9])
    assert found.member[:, :2].tolist() == [
        [True, True],
        [True, True],
        [False, False],
        [False, False],
        [True, True],
    ]
    assert by_sentence.owner.tolist() == [0, 0, 0, 1, 1, 2, 2, 4]
    assert by_sentence.found.primary.tolist() == [
        "T01",
        "T01",
        "T02",
        "T01",
        "T02",
        "none",
        "none",
        "T01",
    ]


def test_sentence_table_carries_each_sentence_theme_only_when_read_by_sentence(tmp_path):
    from feedback_nlp.pipeline import analyze

    csv = tmp_path / "reviews.csv"
    _long_reviews(200, 2).to_csv(csv, index=False)
    cfg = AnalysisConfig(
        input=csv, score_col="score", text_col="comment", id_col="respondent_id",
        sentences=SentenceLevel.on, redact=False,  # examples compared with the file's text
    )  # fmt: skip
    by_sentence = analyze(cfg)
    s, c = by_sentence.sentences, by_sentence.comments.set_index("respondent_id")
    assert (s["theme"] != "").all()
    for rid, g in s.groupby("respondent_id"):
        own = {t for t in g["theme"] if t != "none"}
        listed = set(filter(None, str(c.loc[rid, "themes"]).split(";")))
        assert own <= listed  # every sentence's primary theme is one of the comment's
        assert (c.loc[rid, "primary_theme"] in own) or (not own and listed == set())
    # examples quote the sentence carrying the theme, as the customer wrote it
    comments_raw = {str(c).strip() for c in pd.read_csv(csv)["comment"]}
    written = {t for c in comments_raw for t in split_sentences(c)}
    shown = [e for ex in by_sentence.themes["examples"] for e in str(ex).split(" | ") if e]
    assert shown and all(e in written for e in shown)
    # a detractor's example is not positive, a promoter's not negative
    score = dict(zip(s["sentence"], s["sentiment"]))
    said = by_sentence.summary.themes
    det = [score[e] for t in said for e in t.examples.detractor if e in score]
    pro = [score[e] for t in said for e in t.examples.promoter if e in score]
    assert det and pro and max(det) < 0.05 and min(pro) > -0.05
    # each sentence example opens onto its whole review, in summary.json and the HTML
    from feedback_nlp.report.html import render_html

    pairs = [
        (e, r) for t in said for e, r in zip(t.examples.detractor, t.examples.detractor_reviews)
    ]
    assert pairs and all(r and e in r and r.strip() in comments_raw for e, r in pairs)
    assert render_html(by_sentence).count('<details class="review">') >= len(said)
    whole = analyze(cfg.with_(sentences=SentenceLevel.off))
    assert all(not r for t in whole.summary.themes for r in t.examples.detractor_reviews)
    assert '<details class="review">' not in render_html(whole)
    assert (whole.sentences["theme"] == "").all() and (whole.sentences["subtheme"] == "").all()
    comments = {c.strip() for c in pd.read_csv(csv)["comment"].astype(str)}
    assert all(e in comments for ex in whole.themes["examples"] for e in str(ex).split(" | ") if e)


# -- sentiment per theme mention -----------------------------------------------------


def test_each_theme_mention_takes_the_sentiment_of_its_own_sentences():
    from types import SimpleNamespace

    from feedback_nlp.compare import table_from_counts, theme_counts
    from feedback_nlp.plan.chunk import assign_sentence_themes, mention_sentiment

    cleaned = [
        "The staff were rude. Delivery was slow but fine.",  # rude -0.6; slow +0.3
        "Slow. Slow again.",  # slow -0.4, -0.2
        "Rude. Slow.",  # rude neutral -> the comment's -0.5; slow +0.8
    ]
    idx = np.arange(3)
    found, by_sentence = assign_sentence_themes(_KeywordThemes(), cleaned, idx, 3)
    scores = np.array([-0.6, 0.3, -0.4, -0.2, 0.0, 0.8])
    sent = SimpleNamespace(
        sentences=pd.DataFrame({"sentiment": scores}), compound=np.array([-0.3, -0.3, -0.5])
    )
    mention = mention_sentiment(by_sentence, sent, 3)
    np.testing.assert_allclose(mention[:, :2], [[0.3, -0.6], [-0.3, 0.0], [0.8, -0.5]])
    groups = np.array(["detractor", "promoter", "detractor"], dtype=object)
    usable = np.ones(3, dtype=bool)
    counts = theme_counts(groups, found.member, usable, sent.compound, mention)
    table = table_from_counts(counts, ["T01", "T02"])
    slow, rude = table.iloc[0], table.iloc[1]
    assert slow["mentions"] == 3 and rude["mentions"] == 2
    assert slow["share_negative_mentions"] == pytest.approx(1 / 3)
    assert rude["share_negative_mentions"] == 1.0
    assert slow["mean_mention_sentiment"] == pytest.approx((0.3 - 0.3 + 0.8) / 3)
    # the comment's own sentiment is another figure: every mention of both themes is -0.3..-0.5
    assert slow["mean_sentiment"] == pytest.approx((-0.3 - 0.3 - 0.5) / 3)
    # additive: two halves sum to the whole
    halves = [theme_counts(groups[s], found.member[s], usable[s], sent.compound[s], mention[s])
              for s in (slice(0, 1), slice(1, 3))]  # fmt: skip
    whole = halves[0] + halves[1]
    assert np.array_equal(whole.mention_e4, counts.mention_e4)
    assert np.array_equal(whole.negative_mentions, counts.negative_mentions)


def test_read_whole_a_mention_is_the_comment():
    from feedback_nlp.compare import table_from_counts, theme_counts

    member = np.array([[True, False], [True, True], [False, True]])
    compound = np.array([-0.4, 0.6, -0.05])
    groups = np.array(["detractor", "promoter", "passive"], dtype=object)
    table = table_from_counts(
        theme_counts(groups, member, np.ones(3, dtype=bool), compound), ["T01", "T02"]
    )
    assert table["mean_mention_sentiment"].tolist() == pytest.approx(table["mean_sentiment"])
    assert table["share_negative_mentions"].tolist() == pytest.approx([0.5, 0.5])


def test_negative_mention_threshold_is_the_sentiment_label_threshold():
    from feedback_nlp.compare import _NEGATIVE_E4
    from feedback_nlp.sentiment import NEGATIVE_AT

    assert _NEGATIVE_E4 == round(NEGATIVE_AT * 1e4)


def test_fit_saves_a_model_of_sentences_that_analyze_then_reads_by_sentence(tmp_path: Path):
    from typer.testing import CliRunner

    from feedback_nlp.cli import app
    from feedback_nlp.themes import load_model

    csv = tmp_path / "reviews.csv"
    _long_reviews(200, 3).to_csv(csv, index=False)
    opts = ["--score-col", "score", "--text-col", "comment", "--id-col", "respondent_id"]
    runner = CliRunner()
    models = {}
    for mode in ("auto", "off"):
        save = tmp_path / "models" / mode
        res = runner.invoke(app, ["fit", str(csv), *opts, "--sentences", mode, "--save", str(save)])
        assert res.exit_code == 0, res.output
        models[mode] = json.loads((save / "model.json").read_text())["training"]
    assert (models["auto"]["unit"], models["off"]["unit"]) == ("sentence", "comment")
    # fitted on sentences, its themes' sizes count sentences: more than the comments
    sizes = sum(t["size"] for t in load_model(tmp_path / "models" / "auto").themes_)
    assert sizes > models["auto"]["comments_used"]
    out = tmp_path / "report"
    model = str(tmp_path / "models" / "auto")
    res = runner.invoke(
        app, ["analyze", str(csv), *opts, "--model", model, "--out", str(out), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    sentences = pd.read_csv(out / "sentences.csv", keep_default_na=False)
    assert (sentences["theme"] != "").all()


def test_the_model_learns_in_the_theme_models_space_without_embedding_again(learnt, monkeypatch):
    from feedback_nlp.opinion import fit_opinion_from_themes, theme_space
    from feedback_nlp.themes import ThemeModel
    from feedback_nlp.themes.representation import MiniLMEmbedder

    corpus = _sentences(_NEG) + _sentences(_POS)
    themes = ThemeModel(random_state=0).fit(corpus)
    assert theme_space(ThemeModel(representation="tfidf", random_state=0).fit(corpus)) is None

    def no_embedding(self, texts):  # every sentence scored below was fitted on
        raise AssertionError("embedded again")

    monkeypatch.setattr(MiniLMEmbedder, "transform", no_embedding)
    model = fit_opinion_from_themes(themes)
    assert model is not None and model.themes is themes
    assert model.counts == learnt.counts  # the same clear sentences
    texts = ["Awful sizing, the coat runs small", "Beautiful jacket, wonderful colour", "123"]
    vader = np.array([-0.5, 0.8, 0.0])
    score = model.adjust(texts, vader)
    assert score[0] < vader[0] and score[1] > 0 and score[2] == 0.0  # "123": no vector, VADER's
    assert fit_opinion_from_themes(themes, min_per_class=10_000) is None


def test_theme_model_vectors_above_max_embed_are_its_token_path_vectors():
    from feedback_nlp.themes import ThemeModel
    from feedback_nlp.themes.representation import minilm_available
    from feedback_nlp.themes.tokenpath import token_counts
    from feedback_nlp.themes.vectors import unit

    if not minilm_available():
        pytest.skip("MiniLM not installed")
    corpus = _sentences(_NEG) + _sentences(_POS)
    themes = ThemeModel(random_state=0, max_embed=60).fit(corpus)
    assert themes.token_path_ is not None
    distinct = list(dict.fromkeys(corpus))
    n = len(distinct)
    assert n > 60
    vecs, usable = themes.vectors([*distinct, "!!!"])
    assert usable.tolist() == [True] * n + [False]
    cleaned = themes._prepare(distinct)[0]
    want = themes.token_path_.vectors_of(token_counts(themes.rep_, cleaned), themes.mean_)
    np.testing.assert_allclose(vecs[:n], want, atol=1e-6)
    assert not vecs[n].any()
    # up to max_embed distinct texts: the fitted ones' own vectors
    fitted, x = themes.fitted_vectors()
    few, _ = themes.vectors(fitted[:10])
    np.testing.assert_allclose(few, unit(x[:10]), atol=1e-6)
