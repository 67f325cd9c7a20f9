"""The fit's shortcuts give what the slow, obvious computation gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback_nlp.themes.clustering import silhouette_precomputed
from feedback_nlp.themes.fastpath import fit_classifier, hashed_ngrams, make_classifier, make_hasher


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(4, 120),
    k=st.integers(2, 12),
    seed=st.integers(0, 2**31 - 1),
)
def test_silhouette_matches_sklearn(n: int, k: int, seed: int) -> None:
    from sklearn.metrics import pairwise_distances, silhouette_score

    rng = np.random.RandomState(seed)
    x = rng.randn(n, 6)
    dist = pairwise_distances(x, metric="cosine")
    np.fill_diagonal(dist, 0.0)
    # sparse label values and groups of one comment included
    labels = rng.randint(0, k, n) * 3 + 7
    if not 1 < len(np.unique(labels)) < n:
        return
    expected = silhouette_score(dist, labels, metric="precomputed")
    assert silhouette_precomputed(dist, labels) == pytest.approx(expected, abs=1e-12)


TEXTS = [
    "the app keeps crashing at login",
    "login page crashes every time",
    "delivery was late again",
    "parcel arrived two days late",
    "great support team, very helpful",
    "support agent solved it quickly",
    "billing charged me twice",
    "double charge on my bill",
]


@pytest.mark.parametrize("sparse", [False, True])
def test_classifier_on_used_columns_has_the_full_fit_weights(sparse: bool) -> None:
    x = hashed_ngrams(make_hasher(), TEXTS)
    labels = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    w = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 2.0])
    full = make_classifier(5).fit(x, labels, sample_weight=w)
    used = fit_classifier(x, labels, w, 5, sparse=sparse)
    coef = used.coef_.toarray() if sparse else used.coef_
    assert coef.shape == full.coef_.shape
    assert np.array_equal(coef, full.coef_)
    assert np.array_equal(used.intercept_, full.intercept_)
    assert np.array_equal(used.predict_proba(x), full.predict_proba(x))
