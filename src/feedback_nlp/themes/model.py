"""The theme model: a scikit-learn estimator that finds themes in comments.

Method (each step was measured on SemEval-14 restaurants, see bench/quality.py):

1. Clean (mask brands, URLs...), drop unusable texts, de-duplicate; above
   ``max_embed`` distinct texts a seeded sample is embedded.
2. Embed, subtract the corpus mean vector and re-normalise. The mean
   direction (shared by every sentence, strongly tied to generic evaluative
   wording) otherwise dominates cosine similarity; centring alone lifted
   NMI/ARI at k=5 from 0.31/0.29 to ~0.35/0.35.
3. Over-cluster with KMeans (``n_clusters`` ~20, several inits, weighted by
   duplicate counts), then merge centroids (centroid linkage on cosine; any
   group under ``min_theme_share`` is absorbed into its nearest neighbour
   first), then re-assign each comment to the nearest merged centroid.
4. Auto k: the k in ``[min_themes, max_themes]`` with the best cosine
   silhouette (mean of ``n_runs`` over-clusterings, on a seeded sample of at
   most 2,000 comments), one-standard-error rule: the smallest k within one
   run-to-run standard error of the best k; the medoid run gives the themes.
   At least five themes: fewer rarely tells a product team anything (and
   on SemEval four merged two real aspects).
5. K-means at the chosen k, started from those themes, settles their borders
   (k=5 NMI over seeds 0-4: 0.336-0.351 before, 0.361-0.364 after).
6. Texts beyond the embedded sample get their theme from a linear classifier
   on hashed character 3-4-grams, trained on the sample's themes (fast path
   for 1M rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..parallel import map_chunks
from .clean import clean_for_themes
from .labels import theme_labels
from .representation import make_representation

__all__ = ["ThemeModel"]


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


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
        cents = _unit(np.vstack(sums))
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


#: Texts per chunk of the fast path (bounds the sparse matrix of one chunk).
_FAST_CHUNK = 50_000
#: The model whose fast path is running; read by the forked worker processes.
_FAST: Any = None


def _fast_scores(chunks: list[list[str]]) -> list[np.ndarray]:
    """Fast-path theme scores ``(len(chunk), n_themes_)`` of each chunk of texts."""
    model = _FAST
    out = []
    for chunk in chunks:
        s = np.zeros((len(chunk), model.n_themes_), dtype=np.float32)
        s[:, model.fast_.classes_] = model.fast_.predict_proba(hashed_ngrams(model.hasher_, chunk))
        out.append(s)
    return out


def hashed_ngrams(hasher: Any, texts: Sequence[str]) -> Any:
    """``hasher.transform(texts)`` for a character-within-word hasher, word by word.

    Its n-grams never cross a word border, so a text's counts are the sum of
    its words' counts: each distinct word is hashed once and a sparse product
    adds them up. Same matrix, bit for bit (integer counts, then the same
    normalisation), ~7x faster than sklearn's per-text Python analyzer.
    """
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
    from sklearn.preprocessing import normalize

    params = hasher.get_params()
    if (
        params["analyzer"] != "char_wb"
        or params["preprocessor"]
        or params["strip_accents"]
        or params["binary"]
        or params["input"] != "content"
    ):
        return hasher.transform(texts)
    lower = params["lowercase"]
    words = CountVectorizer(analyzer=str.split, lowercase=False)
    try:
        per_word = words.fit_transform([t.lower() if lower else t for t in texts])
    except ValueError:  # no words at all
        return hasher.transform(texts)
    counts = HashingVectorizer(**{**params, "norm": None}).transform(
        list(words.get_feature_names_out())
    )
    x = (per_word @ counts).tocsr().astype(params["dtype"], copy=False)
    x.sort_indices()
    return normalize(x, norm=params["norm"], copy=False) if params["norm"] else x


#: (model, vectors, weights, k range) of the over-clustering runs in progress;
#: read by the forked worker processes.
_RUNS: Any = None


def _merged_runs(seeds: list[int]) -> list[dict[int, np.ndarray]]:
    """:meth:`ThemeModel._merged` of :data:`_RUNS` for each seed."""
    model, x, w, ks = _RUNS
    return [model._merged(x, w, seed, ks) for seed in seeds]


def _distinct(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct texts (object array) and each text's index into them.

    Same result as ``np.unique(texts.astype(str), return_inverse=True)``, by
    hashing: no fixed-width string copy (1M comments of up to 300 characters
    would make a 1.2 GB one).
    """
    import pandas as pd

    codes, uniq = pd.factorize(texts, sort=True)
    return np.asarray(uniq, dtype=object), codes.astype(np.intp)


class ThemeModel(TransformerMixin, BaseEstimator):
    """Find themes in free-text comments; score each comment's membership.

    Parameters
    ----------
    n_themes : int or None, default=None
        Number of themes; ``None`` chooses it in ``[min_themes, max_themes]``.
    representation : {"auto", "minilm", "tfidf"}, default="auto"
        Vectors used for clustering (``auto``: MiniLM if installed, else TF-IDF).
    random_state : int, default=0
        Seed; the same seed and input give identical outputs.
    min_themes, max_themes : int, default=5, 15
        Range searched when ``n_themes`` is None.
    max_embed : int, default=4000
        At most this many distinct texts (a seeded sample) are embedded; the rest
        are assigned by a fast classifier (hashed character 3-4-grams) trained
        on the sample's themes. MiniLM embeds ~150-350 texts/s on 2 cores, so this bounds the fit
        at ~15-30 s whatever the survey size; themes above ~1% of comments are
        well represented in a 4,000 sample.
    n_clusters : int, default=20
        KMeans over-clustering size before merging.
    min_theme_share : float, default=0.03
        Smallest theme, as a share of fitted comments.
    membership_threshold : float, default=0.8
        A comment belongs to every theme whose similarity is at least this
        fraction of its best theme's similarity. Calibrated on SemEval-14
        restaurants (gold multi-category sentences, bench/quality.py): the
        lowest threshold at which extra memberships are right at least half
        the time over all sentences (0.8: precision 0.51, recall 0.12 of
        the second categories; 0.7: 0.47 / 0.18; 0.9: 0.58 / 0.06).
    none_quantile : float, default=0.03
        Comments whose best similarity is below this quantile of the fitted
        comments' best similarities get no theme ("none").
    brand_terms : tuple of str, default=()
        Brand names masked before fitting (see :func:`clean_for_themes`).
    n_threads : int, default=2
        Threads for the embedding model.
    n_runs : int, default=5
        Over-clustering runs averaged by the automatic choice of k (see
        ``_cluster``); unused when ``n_themes`` is given.

    Examples
    --------
    >>> texts = ["slow wifi speed", "wifi keeps dropping", "rude staff on phone",
    ...          "staff were rude"] * 10
    >>> m = ThemeModel(n_themes=2, representation="tfidf", n_clusters=4).fit(texts)
    >>> m.n_themes_
    2
    """

    def __init__(
        self,
        n_themes: int | None = None,
        representation: str = "auto",
        random_state: int = 0,
        min_themes: int = 5,
        max_themes: int = 15,
        max_embed: int = 4000,
        n_clusters: int = 20,
        min_theme_share: float = 0.03,
        membership_threshold: float = 0.8,
        none_quantile: float = 0.03,
        brand_terms: tuple[str, ...] = (),
        n_threads: int = 2,
        n_runs: int = 5,
    ) -> None:
        self.n_themes = n_themes
        self.representation = representation
        self.random_state = random_state
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.max_embed = max_embed
        self.n_clusters = n_clusters
        self.min_theme_share = min_theme_share
        self.membership_threshold = membership_threshold
        self.none_quantile = none_quantile
        self.brand_terms = brand_terms
        self.n_threads = n_threads
        self.n_runs = n_runs

    # -- helpers -----------------------------------------------------------

    def _prepare(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        cleaned = clean_for_themes(list(texts), self.brand_terms)
        usable = np.array([any(c.isalpha() for c in t) for t in cleaned], dtype=bool)
        return cleaned, usable

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        return _unit(self.rep_.transform(list(texts)) - self.mean_)

    def _merged(self, x: np.ndarray, w: np.ndarray, seed: int, ks: range) -> dict[int, np.ndarray]:
        """One over-clustering run; its merged theme centroids for every k in ``ks``."""
        from sklearn.cluster import KMeans

        m = int(min(max(self.n_clusters, ks.stop - 1), len(x)))
        n_init = 10 if len(ks) == 1 else 4
        km = KMeans(n_clusters=m, n_init=n_init, random_state=seed).fit(x, sample_weight=w)
        cents = _unit(km.cluster_centers_)
        mass = np.bincount(km.labels_, w, m)
        out = {}
        for k in ks:
            groups = merge_centroids(cents, mass, k, self.min_theme_share)
            out[k] = _unit(
                np.vstack(
                    [
                        (cents[groups == g] * mass[groups == g, None]).sum(0)
                        for g in range(int(groups.max()) + 1)
                    ]
                )
            )
        return out

    def _runs(
        self, x: np.ndarray, w: np.ndarray, seeds: list[int], ks: range
    ) -> list[dict[int, np.ndarray]]:
        """:meth:`_merged` for each seed, the runs spread over ``n_threads`` processes.

        Each run is single-threaded either way, so the result does not depend on
        the number of cores.
        """
        global _RUNS
        _RUNS = (self, x, w, ks)
        try:
            return map_chunks(_merged_runs, seeds, self.n_threads, min_items=2)
        finally:
            _RUNS = None

    def _cluster(self, x: np.ndarray, w: np.ndarray, k_range: range) -> tuple[np.ndarray, int]:
        from sklearn.metrics import pairwise_distances, silhouette_score

        rng = np.random.RandomState(self.random_state)
        probe = rng.choice(len(x), size=min(2000, len(x)), replace=False)
        seeds = rng.randint(0, 2**31 - 1, size=self.n_runs)
        if len(k_range) == 1:
            # A fixed k also runs ``n_runs`` over-clusterings and keeps the medoid
            # run (the one agreeing most with the others): one run's result moves
            # with its seed (SemEval k=5 NMI 0.339-0.360 over seeds 0-4).
            fixed = [
                run[k_range.start] for run in self._runs(x, w, [int(s) for s in seeds], k_range)
            ]
            parts = [(x[probe] @ c.T).argmax(1) for c in fixed]
            cents = fixed[_medoid(parts)]
            return cents, len(cents)
        # Auto k, one-standard-error rule over repeated over-clusterings:
        # silhouette differences between neighbouring k (~0.003) are smaller
        # than the run-to-run spread of one k, so a single run's argmax is
        # mostly noise (it flipped between 5 and 8 with the seed on SemEval).
        # Average the cosine silhouette over ``n_runs`` runs, take the best k,
        # then the *smallest* k whose mean is within one standard error (of
        # the best k's mean across runs) of it; finally keep, at that k, the
        # run whose partition agrees most with the others (medoid run).
        runs = self._runs(x, w, [int(s) for s in seeds], k_range)
        ks = list(k_range)
        sil = np.full((len(runs), len(ks)), np.nan)
        labels: dict[tuple[int, int], np.ndarray] = {}
        # The probe's cosine distances once, not once per run and k.
        dist = pairwise_distances(x[probe], metric="cosine")
        np.fill_diagonal(dist, 0.0)
        for r, run in enumerate(runs):
            for j, k in enumerate(ks):
                lab = (x[probe] @ run[k].T).argmax(1)
                labels[r, j] = lab
                if len(np.unique(lab)) > 1:
                    sil[r, j] = silhouette_score(dist, lab, metric="precomputed")
        valid = ~np.isnan(sil).any(axis=0)
        if not valid.any():
            raise ValueError("Could not form at least two themes from these texts.")
        mean = np.where(valid, np.nanmean(sil, axis=0), -np.inf)
        best = int(np.argmax(mean))
        se = float(np.std(sil[:, best], ddof=1) / np.sqrt(len(runs))) if len(runs) > 1 else 0.0
        j = int(np.flatnonzero(mean >= mean[best] - se)[0])
        self.k_scores_ = {int(k): float(v) for k, v in zip(ks, mean, strict=True) if np.isfinite(v)}
        cents = runs[_medoid([labels[r, j] for r in range(len(runs))])][ks[j]]
        return cents, len(cents)

    def _refine(self, x: np.ndarray, w: np.ndarray, cents: np.ndarray) -> np.ndarray:
        """K-means at the chosen k, started from the merged centroids.

        Merging over-clusters gives the themes; a few Lloyd iterations from
        there settle their borders. The result then hardly depends on the seed
        (SemEval k=5 NMI 0.336-0.351 over seeds 0-4 without, 0.361-0.364 with).
        """
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=len(cents), init=cents, n_init=1, max_iter=50)
        return _unit(km.fit(x, sample_weight=w).cluster_centers_)

    # -- estimator API -----------------------------------------------------

    def fit(self, texts: Sequence[str], y: Any = None) -> ThemeModel:
        """Learn themes from ``texts``; returns self."""
        from threadpoolctl import threadpool_limits

        cleaned, usable = self._prepare(texts)
        uniq, inverse = _distinct(np.asarray(cleaned, dtype=object)[usable])
        counts = np.bincount(inverse, minlength=len(uniq))
        if len(uniq) < 4:
            raise ValueError(f"Need at least 4 distinct usable comments, got {len(uniq)}.")
        rng = np.random.RandomState(self.random_state)
        sample = np.arange(len(uniq))
        if len(uniq) > self.max_embed:
            sample = np.sort(rng.choice(len(uniq), size=self.max_embed, replace=False))
        if self.n_themes is not None:
            k_range = range(self.n_themes, self.n_themes + 1)
        else:
            hi = max(self.min_themes, min(self.max_themes, len(sample) // 5))
            k_range = range(self.min_themes, hi + 1)
        with threadpool_limits(1):
            rep = make_representation(self.representation, self.random_state, self.n_threads)
            self.rep_ = rep.fit([uniq[i] for i in sample])
            raw = self.rep_.transform([uniq[i] for i in sample])
            self.mean_ = raw.mean(axis=0).astype(np.float32)
            x = _unit(raw - self.mean_)
            cents = self._refine(
                x,
                counts[sample].astype(float),
                self._cluster(x, counts[sample].astype(float), k_range)[0],
            )
            sims = x @ cents.T
        best = sims.argmax(1)
        size = np.bincount(best, counts[sample], len(cents))
        first = np.array(
            [np.flatnonzero(best == g).min() if size[g] else len(x) for g in range(len(cents))]
        )
        order = [int(g) for g in np.lexsort((first, -size)) if size[g] > 0]
        self.centroids_ = cents[order]
        self.n_themes_ = len(order)
        self.representation_ = self.rep_.version
        best_sim = sims.max(1)
        self.none_threshold_ = float(
            np.quantile(np.repeat(best_sim, counts[sample]), self.none_quantile)
        )
        self._fit_fast(uniq[sample], (x @ self.centroids_.T).argmax(1), counts[sample])
        self._label(uniq[sample], x, counts[sample])
        # Keep the fitted texts' vectors for the next assign/transform only
        # (fit then assign on the same texts is the pipeline's pattern): it is
        # consumed and released by that call, never saved with the model.
        self._vector_cache: tuple[dict[str, int], np.ndarray] | None = (
            {str(t): i for i, t in enumerate(uniq[sample])},
            x,
        )
        return self

    def fit_assign(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
        """Fit on ``texts`` and return :meth:`assign` of the same texts, embedding once.

        Same result as ``fit(texts).assign(texts)``.
        """
        return self.fit(texts).assign(texts)

    def _fit_fast(self, texts: np.ndarray, labels: np.ndarray, w: np.ndarray) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.linear_model import SGDClassifier

        # Character 3-4-grams within words: on SemEval with 1,500 of 3,032
        # sentences embedded, they agree with the embedding's themes on 69-71%
        # of the rest against 66-70% for word 1-2-grams (NMI +0.01 to +0.03),
        # at half the speed (15k against 30k comments/s).
        self.hasher_ = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 4),
            n_features=2**18,
            alternate_sign=False,
            norm="l2",
        )
        clf = SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=30, tol=None, random_state=self.random_state
        )
        self.fast_ = clf.fit(hashed_ngrams(self.hasher_, list(texts)), labels, sample_weight=w)

    def _label(self, texts: np.ndarray, x: np.ndarray, w: np.ndarray, top: int = 150) -> None:
        sims = x @ self.centroids_.T
        primary = sims.argmax(1)
        per_theme = []
        for g in range(self.n_themes_):
            idx = np.flatnonzero(primary == g)
            idx = idx[np.lexsort((idx, -sims[idx, g]))][:top]
            per_theme.append([str(texts[i]) for i in idx])
        labels = theme_labels(per_theme, banned=self.brand_terms)
        sizes = np.bincount(primary, w, self.n_themes_).astype(int)
        self.themes_ = [
            {"theme_id": f"T{g + 1:02d}", "label": lab, "keywords": kw, "size": int(sizes[g])}
            for g, (lab, kw) in enumerate(labels)
        ]

    def _similarities(self, texts: Sequence[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        cleaned, usable = self._prepare(texts)
        sims = np.zeros((len(cleaned), self.n_themes_), dtype=np.float32)
        idx = np.flatnonzero(usable)
        if not len(idx):
            return sims
        uniq, inverse = _distinct(np.asarray(cleaned, dtype=object)[idx])
        cache = getattr(self, "_vector_cache", None)
        self._vector_cache = None
        with threadpool_limits(1):
            if len(uniq) <= self.max_embed:
                vecs = np.zeros((len(uniq), self.centroids_.shape[1]), dtype=np.float32)
                rows = cache[0] if cache is not None else {}
                hit = np.array([str(t) in rows for t in uniq], dtype=bool)
                if hit.any():
                    vecs[hit] = cache[1][[rows[str(t)] for t in uniq[hit]]]  # type: ignore[index]
                if (~hit).any():
                    vecs[~hit] = self._vectors(list(uniq[~hit]))
                s = vecs @ self.centroids_.T
            else:  # fast path: classifier probabilities, chunk-wise, over the cores
                global _FAST
                _FAST = self  # forked workers read the model from here, unpickled
                try:
                    chunks = [
                        list(uniq[i : i + _FAST_CHUNK]) for i in range(0, len(uniq), _FAST_CHUNK)
                    ]
                    parts = map_chunks(_fast_scores, chunks, self.n_threads, min_items=2)
                finally:
                    _FAST = None
                s = np.vstack(parts)
        sims[idx] = s[inverse]
        return sims

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Membership scores ``(n, n_themes_)`` in [0, 1] (cosine to each theme, clipped)."""
        check_is_fitted(self, "centroids_")
        return np.clip(self._similarities(texts), 0.0, 1.0).astype(np.float32)

    def assign(self, texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
        """Primary theme (-1 = none), all member themes (best first), and the
        scores of each text."""
        check_is_fitted(self, "centroids_")
        scores = self.transform(texts)
        primary, member = self.memberships(scores)
        # Members are the top of each row's score order: one argsort for all rows,
        # then one tuple per distinct membership pattern, not per row.
        order = np.argsort(-scores, axis=1, kind="stable")
        n_members = member.sum(axis=1)
        patterns: dict[tuple[int, ...], tuple[int, ...]] = {}
        members = []
        for row, n in zip(order.tolist(), n_members.tolist()):
            key = tuple(row[:n])
            members.append(patterns.setdefault(key, key))
        return primary, members, scores

    def memberships(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Primary theme (-1 = none) and the boolean ``(n, n_themes_)`` membership
        matrix for the scores of :meth:`transform`.

        A text belongs to its best theme when that score passes the none
        threshold, and to every theme scoring at least ``membership_threshold``
        times its best (and above the none threshold).
        """
        best = scores.max(axis=1) if scores.size else np.zeros(len(scores), dtype=np.float32)
        primary = np.where(best > max(self.none_threshold_, 0.0), scores.argmax(axis=1), -1).astype(
            np.int64
        )
        cut = np.maximum(self.membership_threshold * best, self.none_threshold_)
        member = (scores >= cut[:, None]) & (primary >= 0)[:, None]
        return primary, member
