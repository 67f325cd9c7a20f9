"""The automatic choice of the theme count (clustering.choose_centroids)."""

from __future__ import annotations

import numpy as np
import pytest

from feedback_nlp.themes.clustering import ClusterSettings, choose_centroids
from feedback_nlp.themes.vectors import unit


def _planted(
    n_groups: int, per: int, spread: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around ``n_groups`` random directions in 64 dimensions, and their group."""
    rng = np.random.RandomState(seed)
    centres = unit(rng.normal(size=(n_groups, 64)))
    group = np.repeat(np.arange(n_groups), per)
    return unit(centres[group] + spread * rng.normal(size=(len(group), 64)) / 8), group


def _settings(seed: int = 0) -> ClusterSettings:
    return ClusterSettings(20, 0.03, seed, 5, 1)


@pytest.mark.parametrize("n_groups", [6, 9])
def test_auto_k_finds_the_planted_count(n_groups: int) -> None:
    x, group = _planted(n_groups, 60, spread=1.0)
    cents, scores = choose_centroids(x, np.ones(len(x)), range(5, 13), _settings())
    assert len(cents) == n_groups
    assert scores is not None and max(scores, key=scores.__getitem__) == n_groups
    found = (x @ cents.T).argmax(1)
    # every planted group lands in one theme of its own
    assert all(len(np.unique(found[group == g])) == 1 for g in range(n_groups))
    assert len(np.unique(found)) == n_groups


def test_auto_k_ends_as_the_same_fixed_k() -> None:
    """An automatic count gives the centroids that count asked for gives, same seed."""
    x, _ = _planted(7, 50, spread=2.5, seed=3)
    w = np.ones(len(x))
    auto, scores = choose_centroids(x, w, range(5, 11), _settings(4))
    fixed, none = choose_centroids(x, w, range(len(auto), len(auto) + 1), _settings(4))
    assert none is None and scores is not None
    np.testing.assert_array_equal(auto, fixed)


def test_held_out_silhouette_does_not_reward_fitting_noise() -> None:
    """Points with no structure at all: every extra theme only splits noise, so the
    held-out silhouette falls with each k and the smallest count is kept. (Measured
    on the points the runs were fitted on, it rose from 5 to 6 on these points.)"""
    rng = np.random.RandomState(1)
    x = unit(rng.normal(size=(400, 64)))
    cents, scores = choose_centroids(x, np.ones(len(x)), range(5, 13), _settings(2))
    assert scores is not None and len(cents) == 5
    assert all(scores[k] > scores[k + 1] for k in range(5, 12))


@pytest.mark.parametrize(("n", "restarts"), [(400, 10), (4000, 10), (8000, 5), (40_000, 4)])
def test_fixed_k_restarts_keep_the_work_of_ten_on_4000_texts(monkeypatch, n, restarts):
    import sklearn.cluster

    from feedback_nlp.themes import clustering

    asked: list[int] = []

    class Recorder(sklearn.cluster.KMeans):
        def fit(self, x, y=None, sample_weight=None):  # noqa: ANN001, ANN201
            asked.append(self.n_init)
            self.cluster_centers_ = x[: self.n_clusters]
            self.labels_ = np.arange(len(x)) % self.n_clusters
            return self

    monkeypatch.setattr(sklearn.cluster, "KMeans", Recorder)
    x, _ = _planted(5, n // 5, spread=1.0)
    clustering.over_cluster(x, np.ones(n), 0, range(5, 6), _settings())
    clustering.over_cluster(x, np.ones(n), 0, range(5, 9), _settings())
    assert asked == [restarts, clustering.AUTO_RESTARTS]
