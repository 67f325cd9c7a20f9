"""The fast path of MiniLM models: static token vectors distilled from the embedded sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from _model_folders import make_texts, reseal
from feedback_nlp.errors import ModelError
from feedback_nlp.themes import ThemeModel, load_model, minilm_available, save_model
from feedback_nlp.themes.representation import MiniLMEmbedder
from feedback_nlp.themes.tokenpath import token_counts

pytestmark = pytest.mark.skipif(not minilm_available(), reason="MiniLM model not installed")

TEXTS = [
    "The app crashed twice, can't log in!",
    "late   parcel\tagain",
    "Café crème was cold (très froid)",
    "",
    "wifi-router keeps rebooting... 3 times/day",
    "emoji 🙂 and ünïcödé",
]


def test_token_counts_are_the_tokenizers_counts():
    rep = MiniLMEmbedder()
    counts = token_counts(rep, TEXTS).toarray()
    rep._load()
    for row, text in zip(counts, TEXTS, strict=True):
        expected = np.bincount(rep._tokenizer.encode(text).ids, minlength=rep.vocab_size)
        # untruncated: texts here are far below the 256-piece limit
        assert np.array_equal(row, expected), text


def test_table_means_are_the_contextual_vectors_of_each_piece():
    rep = MiniLMEmbedder()
    emb, ids, vecs = rep.transform_tokens(["card declined", "card arrived"])
    assert np.array_equal(emb, rep.transform(["card declined", "card arrived"]))
    card = rep.token_ids(["card"])[0]
    assert len(card) == 1 and card[0] in ids
    # "card" occurs once in each text: its row is the mean of its two contextual vectors
    _, ids1, v1 = rep.transform_tokens(["card declined"])
    _, ids2, v2 = rep.transform_tokens(["card arrived"])
    alone = [v[int(np.flatnonzero(i == card[0])[0])] for i, v in ((ids1, v1), (ids2, v2))]
    assert not np.allclose(alone[0], alone[1], atol=1e-3)  # in context, not static
    row = int(np.flatnonzero(ids == card[0])[0])
    np.testing.assert_allclose(vecs[row], (alone[0] + alone[1]) / 2, atol=1e-5)


@pytest.fixture(scope="module")
def fitted() -> tuple[ThemeModel, list[str]]:
    texts = make_texts(n_per=30)
    return ThemeModel(n_themes=4, random_state=0).fit(texts), texts


def test_fast_path_scores_are_similarities_close_to_the_embedding(fitted):
    model, texts = fitted
    assert model.token_path_ is not None and model.fast_ is None  # no classifier
    embedded = model.transform(texts)
    fast = model.set_params(max_embed=1).transform(texts)
    model.set_params(max_embed=4000)
    assert fast.shape == embedded.shape and fast.min() >= 0.0 and fast.max() <= 1.0
    # the same scale as the embedding's (a classifier's probabilities are not)
    assert abs(float(fast.max(1).mean()) - float(embedded.max(1).mean())) < 0.15
    agree = np.mean(fast.argmax(1) == embedded.argmax(1))
    assert agree >= 0.8, agree


def test_saved_token_path_gives_identical_fast_assignments(fitted, tmp_path: Path):
    model, texts = fitted
    folder = save_model(model, tmp_path / "m")
    loaded = load_model(folder)
    probe = texts[::4] + ["the engineer never came", ""]
    a = model.set_params(max_embed=1).assign_tree(probe)
    b = loaded.set_params(max_embed=1).assign_tree(probe)
    model.set_params(max_embed=4000)
    for x, y in zip(a, b, strict=True):
        if isinstance(x, list):
            assert x == y
        else:
            np.testing.assert_allclose(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("token_map.npy", np.zeros((3, 3), np.float32), "inconsistent shapes"),
        ("token_ids.npy", np.array([5, 5, 7], np.int64), "inconsistent shapes"),
        ("token_bias.npy", np.full(384, np.nan, np.float32), "NaN or infinite"),
    ],
)
def test_tampered_token_arrays_are_refused(fitted, tmp_path: Path, name, value, message):
    model, _ = fitted
    folder = save_model(model, tmp_path / "m")
    if name == "token_ids.npy":  # keep the vectors' row count in step with the ids
        ids = np.load(folder / name)
        value = np.r_[ids[:-2], ids[-3], ids[-3]].astype(np.int64)
    np.save(folder / name, value, allow_pickle=False)
    reseal(folder)
    with pytest.raises(ModelError, match=message):
        load_model(folder)


def test_themes_are_clustered_on_the_sample_and_as_many_static_vectors(monkeypatch):
    """Above ``max_embed`` the themes are clustered on the embedded sample plus as
    many other texts again (seeded), by their token-path vectors; at most
    ``max_embed`` texts, on the embedded texts only."""
    import feedback_nlp.themes.model as model_module

    seen: list[np.ndarray] = []
    real = model_module.choose_centroids

    def spy(x, w, k_range, settings):  # noqa: ANN001, ANN202
        seen.append(x.copy())
        return real(x, w, k_range, settings)

    monkeypatch.setattr(model_module, "choose_centroids", spy)
    texts = make_texts(n_per=40)
    distinct = sorted(set(texts))
    model = ThemeModel(n_themes=4, random_state=0, max_embed=50, subthemes=0).fit(texts)
    x = seen[-1]
    fitted, own = model.fitted_vectors()
    assert len(fitted) == 50 and x.shape == (100, own.shape[1])
    np.testing.assert_allclose(x[:50], own, atol=1e-6)
    # the other 50: static vectors of texts the fit did not embed
    static = model.token_path_.vectors_of(token_counts(model.rep_, distinct), model.mean_)
    rest = [i for i, t in enumerate(distinct) if t not in set(fitted)]
    best = (x[50:] @ static[rest].T).max(1)
    assert best.min() > 1 - 1e-5
    again = ThemeModel(n_themes=4, random_state=0, max_embed=50, subthemes=0).fit(texts)
    np.testing.assert_array_equal(seen[-1], x)
    np.testing.assert_array_equal(again.centroids_, model.centroids_)
    ThemeModel(n_themes=4, random_state=0, max_embed=len(distinct), subthemes=0).fit(texts)
    assert len(seen[-1]) == len(distinct)
