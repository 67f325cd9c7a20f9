"""How the theme model turns comment vectors into theme centroids.

Over-cluster with KMeans, merge the centroids down to k themes, pick k by
repeated runs (one-standard-error rule on the cosine silhouette of held-out
texts), keep the medoid run, then let k-means settle the borders. See
:mod:`feedback_nlp.themes.model` for the measurements behind each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..parallel import map_with_state
from .vectors import unit

__all__ = [
    "ClusterSettings",
    "merge_centroids",
    "choose_centroids",
    "refine",
    "split_theme",
    "silhouette_precomputed",
]


@dataclass(frozen=True)
class ClusterSettings:
    """The theme model's parameters the clustering reads."""

    n_clusters: int
    min_theme_share: float
    random_state: int
    n_runs: int
    n_threads: int


def merge_centroids(
    centroids: np.ndarray, weights: np.ndarray, k: int, min_share: float
) -> np.ndarray:
    """Merge unit ``centroids`` into ``k`` groups; return each centroid's group.

    Groups lighter than ``min_share`` of the total weight are absorbed into
    their most similar group first; then the two most similar groups (cosine
    of weighted mean directions) merge until ``k`` remain.
    """
    groups = [[i] for i in range(len(centroids))]
    sums = [centroids[i] * weights[i] for i in range(len(centroids))]
    mass = [float(w) for w in weights]
    total = float(np.sum(weights))
    while len(groups) > 1:
        cents = unit(np.vstack(sums))
        sim = cents @ cents.T
        np.fill_diagonal(sim, -np.inf)
        small = int(np.argmin(mass))
        if mass[small] < min_share * total:
            a, b = small, int(np.argmax(sim[small]))
        elif len(groups) > k:
            a, b = (int(v) for v in np.unravel_index(int(np.argmax(sim)), sim.shape))
        else:
            break
        a, b = min(a, b), max(a, b)
        groups[a] += groups[b]
        sums[a] = sums[a] + sums[b]
        mass[a] += mass[b]
        del groups[b], sums[b], mass[b]
    out = np.empty(len(centroids), dtype=np.int64)
    for g, members in enumerate(groups):
        out[members] = g
    return out


def _medoid(partitions: list[np.ndarray]) -> int:
    """Index of the partition with the highest mean ARI against the others."""
    from sklearn.metrics import adjusted_rand_score

    if len(partitions) < 2:
        return 0
    agree = [
        np.mean([adjusted_rand_score(p, q) for o, q in enumerate(partitions) if o != r])
        for r, p in enumerate(partitions)
    ]
    return int(np.argmax(agree))


#: KMeans restarts of each over-clustering run of the automatic choice of k.
AUTO_RESTARTS = 4
#: KMeans restarts of each over-clustering run at the chosen (or given) k, on
#: up to :data:`RESTART_TEXTS` texts; on more (the fast path clusters up to
#: twice ``max_embed`` texts), as many as fit in the same work, at least
#: :data:`AUTO_RESTARTS`: 10 restarts on 8,000 texts took 4.8 s of a 100k
#: survey's fit against 2.0 s on 4,000.
FIXED_RESTARTS = 10
RESTART_TEXTS = 4000


def over_cluster(
    x: np.ndarray, w: np.ndarray, seed: int, ks: range, settings: ClusterSettings
) -> dict[int, np.ndarray]:
    """One over-clustering run; its merged theme centroids for every k in ``ks``."""
    return _merged(*_fine(x, w, seed, ks, settings), ks, settings.min_theme_share)


def _fine(
    x: np.ndarray, w: np.ndarray, seed: int, ks: range, settings: ClusterSettings
) -> tuple[np.ndarray, np.ndarray]:
    """The KMeans over-clustering of one run for ``ks``: unit centroids, their weights."""
    from sklearn.cluster import KMeans

    m = int(min(max(settings.n_clusters, ks.stop - 1), len(x)))
    n_init = AUTO_RESTARTS
    if len(ks) == 1:
        n_init = int(
            np.clip(round(FIXED_RESTARTS * RESTART_TEXTS / len(x)), AUTO_RESTARTS, FIXED_RESTARTS)
        )
    km = KMeans(n_clusters=m, n_init=n_init, random_state=seed).fit(x, sample_weight=w)
    return unit(km.cluster_centers_), np.bincount(km.labels_, w, m)


def _merged(
    cents: np.ndarray, mass: np.ndarray, ks: range, min_share: float
) -> dict[int, np.ndarray]:
    """Over-clustering centroids ``cents`` (weights ``mass``) merged down to each k in ``ks``."""
    out = {}
    for k in ks:
        groups = merge_centroids(cents, mass, k, min_share)
        out[k] = unit(
            np.vstack(
                [
                    (cents[groups == g] * mass[groups == g, None]).sum(0)
                    for g in range(int(groups.max()) + 1)
                ]
            )
        )
    return out


#: Share of the texts each run of the automatic choice of k clusters; the
#: silhouette of each k is measured on the rest, which that run never saw.
FIT_SHARE = 0.5

#: One over-clustering run: its seed, the rows it fits (None: all), the k it
#: merges down to, and whether it returns the merged centroids (else
#: :func:`_fine`'s centroids and weights, merged once k is known).
Job = tuple[int, np.ndarray | None, range, bool]


def _run_job(state: tuple[np.ndarray, np.ndarray, ClusterSettings], chunk: list[Job]) -> Any:
    """The run of a one-job ``chunk`` (:func:`~feedback_nlp.parallel.map_with_state`)."""
    x, w, settings = state
    ((seed, rows, ks, merge),) = chunk
    if rows is not None:
        x, w = x[rows], w[rows]
    fine = _fine(x, w, seed, ks, settings)
    return _merged(*fine, ks, settings.min_theme_share) if merge else fine


def _runs(x: np.ndarray, w: np.ndarray, jobs: list[Job], settings: ClusterSettings) -> list[Any]:
    """:func:`_run_job` for each of ``jobs``, one at a time in each of ``n_threads``
    processes (as one finishes, the next starts: list the longest first).

    Each run is single-threaded either way, so the result does not depend on
    the number of cores.
    """
    return map_with_state(_run_job, (x, w, settings), jobs, 1, settings.n_threads)


def choose_centroids(
    x: np.ndarray, w: np.ndarray, k_range: range, settings: ClusterSettings
) -> tuple[np.ndarray, dict[int, float] | None]:
    """Theme centroids for the unit vectors ``x`` (weights ``w``) and, when k was
    chosen from ``k_range``, the mean held-out silhouette of each k.

    A fixed k runs ``n_runs`` over-clusterings and keeps the medoid run (the
    one agreeing most with the others): one run's result moves with its seed
    (SemEval k=5 NMI 0.339-0.360 over seeds 0-4). An automatic k ends the same
    way, so it gives the themes ``--themes k`` gives with the same seed; as
    those runs over-cluster into ``n_clusters`` whatever k is chosen (when no
    k of ``k_range`` is above it), they run beside the runs that choose k,
    heaviest first, and are merged down once k is known: the same centroids,
    with no process left idle between the two sets of runs.
    """
    rng = np.random.RandomState(settings.random_state)
    probe = rng.choice(len(x), size=min(2000, len(x)), replace=False)
    seeds = [int(s) for s in rng.randint(0, 2**31 - 1, size=settings.n_runs)]
    k, scores, fine = k_range.start, None, None
    if len(k_range) > 1:
        n_fit = max(2, int(len(x) * FIT_SHARE))
        splits = [rng.permutation(len(x)) for _ in seeds]
        jobs: list[Job] = [
            (seed, np.sort(order[:n_fit]), k_range, True)
            for seed, order in zip(seeds, splits, strict=True)
        ]
        # the fixed k's over-clusterings, the same at every k up to n_clusters
        early = k_range.stop - 1 <= settings.n_clusters
        if early:
            top = range(k_range.stop - 1, k_range.stop)
            jobs = [(s, None, top, False) for s in seeds] + jobs
        done = _runs(x, w, jobs, settings)
        k, scores = _auto_k(x, done[-len(seeds) :], splits, n_fit, k_range)
        fine = done[: len(seeds)] if early else None
    at_k = range(k, k + 1)
    if fine is None:
        fixed = [run[k] for run in _runs(x, w, [(s, None, at_k, True) for s in seeds], settings)]
    else:
        fixed = [_merged(c, m, at_k, settings.min_theme_share)[k] for c, m in fine]
    parts = [(x[probe] @ c.T).argmax(1) for c in fixed]
    return fixed[_medoid(parts)], scores


def _auto_k(
    x: np.ndarray,
    runs: list[dict[int, np.ndarray]],
    splits: list[np.ndarray],
    n_fit: int,
    k_range: range,
) -> tuple[int, dict[int, float]]:
    """Auto k: one-standard-error rule on the held-out silhouette of repeated runs.

    Each run over-clusters a random :data:`FIT_SHARE` of the texts and merges
    the result down to every k; its silhouette for k is that of the other
    texts (at most 2,000), each given its nearest theme. Measured on the
    texts a run was fitted on, the silhouette rewards a larger k for fitting
    the sample's own noise: a 1,500-sentence half of SemEval-14 picked k = 15
    where all 3,032 sentences gave 7 (fast path NMI loss 0.08), and
    SemEval-2016 sentences picked 9-13 (NMI 0.299; on the gold sentences k = 7
    gives 0.355, k = 13 0.310). Held out (bench/quality.py and
    bench/sentiment.py, seeds 0-4): SemEval-14 picks 5-8 (NMI 0.356, was
    0.362), SemEval-2016 sentences 5-10 (0.318), the demo survey's 11 planted
    themes 13 (was 14) and BANKING77 10-14; on 400 points with no structure
    the held-out silhouette falls with every k (tests/test_auto_k.py).

    Silhouette differences between neighbouring k (~0.003) are smaller than
    the spread between runs, so one run's argmax is mostly noise: average
    over the runs, take the best k, then the *smallest* k whose mean is
    within one standard error (of the best k's mean across runs; each run
    draws its own split, so the error holds the sample's noise too).
    """
    from sklearn.metrics import pairwise_distances

    ks = list(k_range)
    sil = np.full((len(runs), len(ks)), np.nan)
    for r, (run, order) in enumerate(zip(runs, splits, strict=True)):
        held = np.sort(order[n_fit:][:2000])
        dist = pairwise_distances(x[held], metric="cosine")
        np.fill_diagonal(dist, 0.0)
        for j, k in enumerate(ks):
            lab = (x[held] @ run[k].T).argmax(1)
            if len(np.unique(lab)) > 1:
                sil[r, j] = silhouette_precomputed(dist, lab)
    valid = ~np.isnan(sil).any(axis=0)
    if not valid.any():
        raise ValueError("Could not form at least two themes from these texts.")
    mean = np.where(valid, np.nanmean(sil, axis=0), -np.inf)
    best = int(np.argmax(mean))
    se = float(np.std(sil[:, best], ddof=1) / np.sqrt(len(runs))) if len(runs) > 1 else 0.0
    j = int(np.flatnonzero(mean >= mean[best] - se)[0])
    scores = {int(k): float(v) for k, v in zip(ks, mean, strict=True) if np.isfinite(v)}
    return ks[j], scores


def refine(x: np.ndarray, w: np.ndarray, cents: np.ndarray) -> np.ndarray:
    """K-means at the chosen k, started from the merged centroids.

    Merging over-clusters gives the themes; a few Lloyd iterations from
    there settle their borders. The result then hardly depends on the seed
    (SemEval k=5 NMI 0.336-0.351 over seeds 0-4 without, 0.361-0.364 with).
    """
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=len(cents), init=cents, n_init=1, max_iter=50)
    return unit(km.fit(x, sample_weight=w).cluster_centers_)


#: Comments per fine cluster when a theme is over-clustered before its tree is
#: cut: finer than the smallest sub-theme worth reporting (~30 comments, about
#: the least a detractor-vs-promoter test can call), so such a sub-theme spans
#: at least two fine clusters and is not cut in half by one. BANKING77 (40
#: messages per intent), seeds 0-4: sub-theme NMI 0.784 at 15 against 0.778
#: at 20 and 0.788 at 10 (190 sub-themes for 77 intents).
SUB_OVERCLUSTER = 15
#: A cut is kept only when a second over-clustering (another seed) cut into as
#: many groups agrees with it at least this much (adjusted Rand index): sub-themes
#: a re-run would not find again are noise, not structure.
SUB_STABILITY = 0.5


def _fine_tree(x: np.ndarray, w: np.ndarray, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fine KMeans labels of ``x`` into ``m`` clusters and a Ward tree on their centroids."""
    from scipy.cluster.hierarchy import linkage
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=min(m, len(x)), n_init=2, random_state=seed)
    fine = km.fit(x, sample_weight=w).labels_
    return fine, linkage(unit(km.cluster_centers_).astype(np.float64), method="ward")


def _cut(tree: np.ndarray, fine: np.ndarray, k: int) -> np.ndarray:
    """Each comment's group when the tree over its fine clusters is cut into ``k``."""
    from scipy.cluster.hierarchy import fcluster

    return (fcluster(tree, t=k, criterion="maxclust") - 1)[fine]


def silhouette_precomputed(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of ``labels`` on the distance matrix ``dist`` (zero diagonal),
    as :func:`sklearn.metrics.silhouette_score` with ``metric="precomputed"``.

    One matrix product gives every comment's summed distance to each group;
    sklearn sums them row by row in Python (``bincount`` per comment), which on
    the ~300 cuts of a 100k survey's split took ~1 s against ~0.05 s. The two
    agree to rounding.

    >>> d = np.array([[0, 1, 4, 5], [1, 0, 4, 4], [4, 4, 0, 1], [5, 4, 1, 0]], float)
    >>> round(silhouette_precomputed(d, np.array([0, 0, 1, 1])), 4)
    0.7639
    """
    _, lab = np.unique(labels, return_inverse=True)
    rows = np.arange(len(lab))
    onehot = np.zeros((len(lab), lab.max() + 1))
    onehot[rows, lab] = 1.0
    sums = dist @ onehot
    size = onehot.sum(axis=0)
    own = size[lab]
    intra = sums[rows, lab] / np.maximum(own - 1, 1)
    mean_to = sums / size
    mean_to[rows, lab] = np.inf
    inter = mean_to.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sil = (inter - intra) / np.maximum(intra, inter)
    sil[own == 1] = 0.0  # a comment alone in its group scores 0
    return float(np.mean(np.nan_to_num(sil)))


def split_theme(x: np.ndarray, w: np.ndarray, seed: int, n_sub: int | None = None) -> np.ndarray:
    """Sub-theme centroids of one theme's unit vectors ``x`` (weights ``w``).

    Over-cluster the theme's comments into ``ceil(n / SUB_OVERCLUSTER)`` fine
    clusters, build a Ward tree on their centroids and cut it where the
    cosine silhouette of the theme's comments is best (or into ``n_sub``
    groups). A second over-clustering with another seed is cut the same way;
    the cut is lowered until the two agree (ARI >= :data:`SUB_STABILITY`).
    Then k-means settles the borders, as :func:`refine` does for themes.
    Returns an empty ``(0, d)`` array when the theme does not split: fewer
    than three fine clusters, no cut with a positive silhouette, or none a
    re-run finds again.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, pairwise_distances

    empty = np.zeros((0, x.shape[1]), dtype=np.float32)
    m = int(np.ceil(len(x) / SUB_OVERCLUSTER))
    if n_sub is not None:
        m = max(m, n_sub)
    if m < 3 or len(x) < 4 or (n_sub is not None and n_sub < 2):
        return empty
    fine, tree = _fine_tree(x, w, m, seed)
    n_fine = len(tree) + 1
    if n_sub is not None:
        k = min(n_sub, n_fine)
    else:
        rng = np.random.RandomState(seed)
        probe = np.sort(rng.choice(len(x), size=min(2000, len(x)), replace=False))
        dist = pairwise_distances(x[probe], metric="cosine")
        np.fill_diagonal(dist, 0.0)
        best, k = 0.0, 0
        for kk in range(2, n_fine + 1):
            lab = _cut(tree, fine, kk)[probe]
            if 1 < len(np.unique(lab)) < len(lab):
                s = silhouette_precomputed(dist, lab)
                if s > best:
                    best, k = s, kk
        again, tree2 = _fine_tree(x, w, m, seed + 7919)
        n2 = len(tree2) + 1
        while k >= 2 and (
            k > n2
            or adjusted_rand_score(_cut(tree, fine, k), _cut(tree2, again, k)) < SUB_STABILITY
        ):
            k -= 1
        if k < 2:
            return empty
    groups = _cut(tree, fine, k)
    start = unit(
        np.vstack([(x[groups == g] * w[groups == g, None]).sum(0) for g in np.unique(groups)])
    )
    settled = KMeans(n_clusters=len(start), init=start, n_init=1, max_iter=50)
    sub = unit(settled.fit(x, sample_weight=w).cluster_centers_)
    used = np.unique((x @ sub.T).argmax(1))
    return sub[used].astype(np.float32) if len(used) >= 2 else empty
