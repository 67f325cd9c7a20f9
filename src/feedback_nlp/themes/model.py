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
4. Auto k: each of ``n_runs`` over-clusterings is fitted on a random half of
   the comments and scored on the other half (cosine silhouette of at most
   2,000 held-out comments), so that a larger k gains nothing from fitting the
   sample's own noise; one-standard-error rule: the smallest k within one
   standard error (over the runs and their splits) of the best k. The themes
   are then those ``n_themes=k`` gives with the same seed (medoid of
   ``n_runs`` over-clusterings of all the comments).
   At least five themes: fewer rarely tells a product team anything (and
   on SemEval four merged two real aspects).
5. K-means at the chosen k, started from those themes, settles their borders
   (k=5 NMI over seeds 0-4: 0.336-0.351 before, 0.361-0.364 after).
6. Texts beyond the embedded sample get their theme from static vectors (the
   token path, :mod:`~feedback_nlp.themes.tokenpath`; TF-IDF models: a linear
   classifier on hashed character 3-4-grams, trained on the sample's themes),
   and steps 3-5 cluster the sample together with as many of those texts
   again, by their static vectors (:meth:`ThemeModel._cluster_vectors`).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..parallel import map_with_state
from .clean import clean_for_themes, drop_terms
from .clustering import ClusterSettings, choose_centroids, merge_centroids, refine, split_theme
from .fastpath import fast_scores, fit_classifier, fit_fast, hashed_ngrams
from .labels import parse_comments, theme_labels
from .representation import make_representation
from .subtree import SUB_CENTRAL, best_children, central_texts
from .tokenpath import TokenPath, fit_token_path, token_counts
from .vectors import cosines, distinct, distinct_usable, is_usable, unit

__all__ = ["ThemeModel", "merge_centroids", "hashed_ngrams"]

#: Distinct texts the token path scores at a time (their vectors: ~40 MB); fixed,
#: so that results never depend on the number of cores.
_TOKEN_CHUNK = 25_000


def _token_chunk(state: tuple[ThemeModel, np.ndarray], chunk: list[str]) -> tuple[np.ndarray, Any]:
    model, subs = state
    return model._token_chunk(chunk, subs)


def _dense(m: Any) -> np.ndarray:
    """A float32 array of ``m``, dense or sparse."""
    return (m.toarray() if hasattr(m, "toarray") else np.asarray(m)).astype(np.float32)


def _best_of(
    vecs: np.ndarray, cents: np.ndarray, protos: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray:
    """Cosines of ``vecs`` to ``cents``, or with ``protos`` (vectors, owner index)
    to the best of each centroid's prototypes."""
    if protos is None:
        return cosines(vecs, cents)
    vectors, owner = protos
    s = cosines(vecs, vectors)
    out = np.empty((len(vecs), len(cents)), dtype=np.float32)
    for g in range(len(cents)):
        out[:, g] = s[:, owner == g].max(axis=1)
    return out


def _merged_protos(rows: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``protos`` of edited rows as (vectors, owner index), None when each row
    has one (its centroid: nothing was merged)."""
    owner = [g for g, r in enumerate(rows) for _ in r["protos"]]
    if len(owner) == len(rows) and all(np.array_equal(r["protos"][0], r["centroid"]) for r in rows):
        return None
    vectors = np.vstack([p for r in rows for p in r["protos"]]).astype(np.float32)
    return vectors, np.asarray(owner, np.int64)


def _english(texts: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Which ``texts`` the themes are fitted on, and how many were left out per language.

    Texts surely in another language (:func:`~feedback_nlp.themes.language.not_english`)
    are left out when English ones are the majority (and at least 4): embedded
    by an English model they make a theme of their language. A survey mostly
    in another language is fitted as it is.
    """
    from .language import not_english

    langs = not_english([str(t) for t in texts])
    english = np.array([lang is None for lang in langs], dtype=bool)
    if english.sum() < max(4, len(english) / 2):
        return np.ones(len(english), dtype=bool), {}
    return english, dict(sorted(Counter(lang for lang in langs if lang is not None).items()))


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
        :func:`~feedback_nlp.themes.clustering.choose_centroids`); unused when
        ``n_themes`` is given.
    subthemes : "auto", int, default="auto"
        Sub-themes per theme: ``"auto"`` splits each theme where its own
        comments show structure (:func:`~feedback_nlp.themes.clustering.split_theme`),
        an int N >= 2 splits every theme large enough into N, 0 gives none.
    label_exclude : tuple of str, default=()
        Segment values, never used as a label (see
        :class:`~feedback_nlp.themes.labels.ValueNames`).

    Examples
    --------
    >>> texts = ["slow wifi speed", "wifi keeps dropping", "rude staff on phone",
    ...          "staff were rude"] * 10
    >>> m = ThemeModel(n_themes=2, representation="tfidf", n_clusters=4).fit(texts)
    >>> m.n_themes_
    2
    """

    #: Set only by edits without a re-fit (:meth:`with_tree`): the vectors each
    #: theme / sub-theme is scored against and their owner's index.
    protos_: tuple[np.ndarray, np.ndarray] | None
    subprotos_: tuple[np.ndarray, np.ndarray] | None

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
        subthemes: int | str = "auto",
        label_exclude: tuple[str, ...] = (),
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
        self.subthemes = subthemes
        self.label_exclude = label_exclude

    # -- fitting -----------------------------------------------------------

    def _prepare(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        cleaned = clean_for_themes(list(texts), self.brand_terms)
        usable = np.array([is_usable(t) for t in cleaned], dtype=bool)
        return cleaned, usable

    def _k_range(self, n_sample: int) -> range:
        if self.n_themes is not None:
            return range(self.n_themes, self.n_themes + 1)
        hi = max(self.min_themes, min(self.max_themes, n_sample // 5))
        return range(self.min_themes, hi + 1)

    def fit(self, texts: Sequence[str], y: Any = None) -> ThemeModel:
        """Learn themes from ``texts``; returns self."""
        from threadpoolctl import threadpool_limits

        cleaned, usable = self._prepare(texts)
        uniq, inverse = distinct(np.asarray(cleaned, dtype=object)[usable])
        counts = np.bincount(inverse, minlength=len(uniq))
        if len(uniq) < 4:
            raise ValueError(f"Need at least 4 distinct usable comments, got {len(uniq)}.")
        sample, self.not_english_ = self._fit_sample(uniq)
        settings = ClusterSettings(
            self.n_clusters, self.min_theme_share, self.random_state, self.n_runs, self.n_threads
        )
        with threadpool_limits(1):
            rep = make_representation(self.representation, self.random_state, self.n_threads)
            self.rep_ = rep.fit([uniq[i] for i in sample])
            tokens = None
            if hasattr(self.rep_, "transform_tokens"):  # MiniLM: the token path's table too
                raw, *tokens = self.rep_.transform_tokens([uniq[i] for i in sample])
            else:
                raw = self.rep_.transform([uniq[i] for i in sample])
            self.mean_ = raw.mean(axis=0).astype(np.float32)
            x = unit(raw - self.mean_)
            self.token_path_: TokenPath | None = None
            if tokens is not None:
                self.token_path_ = fit_token_path(
                    tokens[0], tokens[1], token_counts(self.rep_, list(uniq[sample])), x, self.mean_
                )
            xc, wc, left_out = self._cluster_vectors(uniq, counts, sample, x)
            for lang, n in left_out.items():
                self.not_english_[lang] = self.not_english_.get(lang, 0) + n
            cents, k_scores = choose_centroids(xc, wc, self._k_range(len(sample)), settings)
            cents = refine(xc, wc, cents)
            sims = x @ cents.T
        if k_scores is not None:
            self.k_scores_ = k_scores
        else:
            self.__dict__.pop("k_scores_", None)  # from an earlier fit
        best = sims.argmax(1)
        size = np.bincount(best, counts[sample], len(cents))
        first = np.array(
            [np.flatnonzero(best == g).min() if size[g] else len(x) for g in range(len(cents))]
        )
        order = [int(g) for g in np.lexsort((first, -size)) if size[g] > 0]
        self.centroids_ = cents[order]
        self.n_themes_ = len(order)
        self.representation_ = self.rep_.version
        self.none_threshold_ = float(
            np.quantile(np.repeat(sims.max(1), counts[sample]), self.none_quantile)
        )
        self.hasher_, self.fast_ = None, None
        if tokens is None:
            primary = (x @ self.centroids_.T).argmax(1)
            self.hasher_, self.fast_ = fit_fast(
                uniq[sample], primary, counts[sample], self.random_state
            )
        with threadpool_limits(1):
            self._fit_tree(uniq[sample], x, counts[sample])
        self.match_ids_ = [t["theme_id"] for t in self.themes_]
        self.match_centroids_ = self.centroids_
        # The fitted texts' vectors, so that assigning them (fit then assign on
        # the same texts is the pipeline's pattern) does not embed them again.
        # Read, never changed, by transform; never saved with the model. The
        # encoder's own (uncentred) vectors too: matching ids against a previous
        # model centres them on its mean instead of embedding the texts again.
        self._vector_cache: tuple[dict[str, int], np.ndarray, np.ndarray] | None = (
            {str(t): i for i, t in enumerate(uniq[sample])},
            x,
            raw,
        )
        return self

    def fitted_encodings(self) -> tuple[dict[str, int], np.ndarray] | None:
        """The texts this model embedded while fitting (cleaned: their rows) and the
        encoder's vectors of them before centring; None for a loaded model."""
        cache = getattr(self, "_vector_cache", None)
        return None if cache is None else (cache[0], cache[2])

    def _cluster_vectors(
        self, uniq: np.ndarray, counts: np.ndarray, sample: np.ndarray, x: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """The vectors (and weights) the themes are clustered on: the embedded
        sample's ``x``, and on the token path as many other texts again (a
        seeded sample of them; all when fewer), by their static vectors; and
        how many of those other texts each language other than English had
        (left out, as :meth:`_fit_sample` leaves them out).

        Theme centroids found on a sample move with the sample: on the
        restaurants proxy (half of 3,032 sentences embedded) seed 0's sample
        gave NMI 0.25-0.32 at every k, against 0.35 with all texts embedded.
        A static vector costs a sparse product where an embedding costs a
        transformer pass, so clustering twice the texts costs little (a 100k
        survey's fit: +0.3 s, with :data:`~.clustering.RESTART_TEXTS`). Proxy
        loss (bench/quality.py, seeds 0-4): 0.033 before, 0.019 now, of which
        seed 0 still loses 0.045.
        """
        w = counts[sample].astype(float)
        path = getattr(self, "token_path_", None)
        if path is None or len(uniq) <= len(sample):
            return x, w, {}
        # not the embedded sample, nor the texts left out of it
        rest = np.setdiff1d(np.arange(len(uniq)), self._embed_sample(len(uniq)))
        if len(rest) > len(sample):
            rng = np.random.RandomState(self.random_state + 1)
            rest = np.sort(rng.choice(rest, size=len(sample), replace=False))
        english, left_out = _english(uniq[rest])
        rest = rest[english]
        extra = path.vectors_of(token_counts(self.rep_, list(uniq[rest])), self.mean_)
        xc = np.vstack([x, extra.astype(x.dtype)])
        return xc, np.concatenate([w, counts[rest].astype(float)]), left_out

    def _fit_sample(self, uniq: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
        """The distinct texts ``uniq`` a fit embeds (their positions): the
        :meth:`_embed_sample`, less those not in English (see :func:`_english`),
        and how many of them each other language had."""
        sample = self._embed_sample(len(uniq))
        english, left_out = _english(uniq[sample])
        return sample[english], left_out

    def _embed_sample(self, n: int) -> np.ndarray:
        """Which of ``n`` sorted distinct texts are embedded to fit: all up to
        ``max_embed``, else a sample seeded by ``random_state`` (the same one for
        the same texts, so an edit re-reads the vectors the fit made)."""
        if n <= self.max_embed:
            return np.arange(n)
        rng = np.random.RandomState(self.random_state)
        return np.sort(rng.choice(n, size=self.max_embed, replace=False))

    def fit_assign(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
        """Fit on ``texts`` and return :meth:`assign` of the same texts, embedding once.

        Same result as ``fit(texts).assign(texts)``.
        """
        return self.fit(texts).assign(texts)

    def _label(
        self,
        central: list[list[str]],
        sizes: np.ndarray,
        parses: dict[str, Any],
        fixed: Mapping[str, str] | None = None,
    ) -> None:
        """Label the themes from their ``central`` comments and record their
        ``sizes`` (``fixed``: labels kept by theme id; ``None``: fresh ids)."""
        labels = theme_labels(
            central, banned=self.brand_terms, parses=parses, exclude=self.label_exclude
        )
        ids = [f"T{g + 1:02d}" for g in range(self.n_themes_)]
        if fixed is not None:
            ids = [t["theme_id"] for t in self.themes_]
        self.themes_: list[dict[str, Any]] = [
            {
                "theme_id": tid,
                "label": (fixed or {}).get(tid, lab),
                "keywords": kw,
                "size": int(sizes[g]),
            }
            for g, (tid, (lab, kw)) in enumerate(zip(ids, labels, strict=True))
        ]

    # -- the second level ---------------------------------------------------

    def _sub_count(self) -> int | None:
        """Sub-themes per theme asked for: None = automatic."""
        if self.subthemes in ("auto", None):
            return None
        return int(self.subthemes)

    def _fit_tree(
        self,
        texts: np.ndarray,
        x: np.ndarray,
        w: np.ndarray,
        fixed: Mapping[str, str] | None = None,
    ) -> None:
        """Split each theme into its sub-themes (see :func:`split_theme`), label the
        themes (``fixed``: labels kept by theme id; ``None``: fresh ids) and the
        sub-themes against their siblings, and train the fast path's sub-theme
        classifier. Each text is parsed once for both levels' labels."""
        n_sub = self._sub_count()
        sims = x @ self.centroids_.T
        primary = sims.argmax(1)
        cents: list[np.ndarray] = []
        parent: list[int] = []
        if n_sub != 0:
            for g in range(self.n_themes_):
                idx = np.flatnonzero(primary == g)
                sub = split_theme(x[idx], w[idx], self.random_state + g, n_sub)
                if len(sub) < 2:
                    continue
                # children by size, largest first
                size = np.bincount((x[idx] @ sub.T).argmax(1), w[idx], len(sub))
                order = np.lexsort((np.arange(len(sub)), -size))
                cents.extend(sub[order])
                parent.extend([g] * len(sub))
        d = self.centroids_.shape[1]
        self.subcentroids_ = (
            np.vstack(cents).astype(np.float32) if cents else np.zeros((0, d), np.float32)
        )
        self.subparent_ = np.asarray(parent, dtype=np.int64)
        sub_sims = x @ self.subcentroids_.T
        best = best_children(self.subparent_, primary, sub_sims)
        has = best >= 0
        # The comments labels are mined from: each theme's 150 most central ones,
        # and each sub-theme's, those first (fewer texts to parse); all parsed
        # in one round over the cores, each once.
        central = central_texts(texts, sims, primary, 150)
        parsed = np.isin(texts, [t for c in central for t in c])
        sub_central = central_texts(texts, sub_sims, best, SUB_CENTRAL, parsed)
        parses: dict[str, Any] = {}
        parse_comments([t for c in central + sub_central for t in c], self.brand_terms, parses)
        self._label(central, np.bincount(primary, w, self.n_themes_).astype(int), parses, fixed)
        sub_sizes = np.bincount(best[has], w[has], len(self.subparent_)).astype(int)
        self._label_subthemes(sub_central, sub_sizes, parses)
        self.fast_sub_ = None
        if getattr(self, "hasher_", None) is not None and len(np.unique(best[has])) >= 2:
            from .fastpath import fit_fast_sub

            self.fast_sub_ = fit_fast_sub(
                hashed_ngrams(self.hasher_, list(texts)),
                np.where(has, best, -1),
                self.subparent_,
                w,
                self.random_state,
            )

    def _primary_in_tree(
        self, primary: np.ndarray, member: np.ndarray, sims: np.ndarray, sub_sims: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Primary theme and sub-theme: the best child of any member theme (see
        :meth:`assign_tree`)."""
        parents = self.subtheme_parents()
        if not len(parents):
            return primary, np.where(primary >= 0, -2, -1).astype(np.int64)
        lone = np.setdiff1d(np.arange(self.n_themes_), parents)
        cand = np.hstack(
            [
                np.where(member[:, parents], sub_sims, np.float32(-np.inf)),
                np.where(member[:, lone], sims[:, lone], np.float32(-np.inf)),
            ]
        )
        j = cand.argmax(1)
        is_sub = j < len(parents)
        theme = np.where(
            is_sub,
            parents[np.minimum(j, len(parents) - 1)],
            np.r_[lone, 0][np.clip(j - len(parents), 0, len(lone))],
        )
        has = primary >= 0
        return (
            np.where(has, theme, -1).astype(np.int64),
            np.where(has, np.where(is_sub, j, -2), -1).astype(np.int64),
        )

    def _label_subthemes(
        self, central: list[list[str]], sizes: np.ndarray, parses: dict[str, Any] | None
    ) -> None:
        """Ids, labels (distinct across the tree; a sub-theme's may extend its
        theme's) and sizes of the sub-themes, from their ``central`` comments."""
        # One call over every sub-theme: a word is distinctive against the whole
        # tree, not only against the siblings (within a theme about top-ups,
        # "help" or "fail" look distinctive; across the tree they do not).
        theme_label = [str(t["label"]) for t in self.themes_]
        labels = (
            theme_labels(
                central,
                banned=self.brand_terms,
                taken=theme_label,
                parses=parses,
                kin=[{theme_label[g]} for g in self.subparent_],
                sizes=sizes.tolist(),
                tree=True,
                exclude=self.label_exclude,
            )
            if central
            else []
        )
        self.subthemes_: list[dict[str, Any]] = []
        for g, theme in enumerate(self.themes_):
            kids = [int(j) for j in np.flatnonzero(self.subparent_ == g)]
            # no word of its own: say where it sits ("other billing"), numbered
            # only when the theme has more than one such sub-theme
            plain = [j for j in kids if labels[j][0].startswith("misc ")]
            for n, j in enumerate(kids):
                lab, kw = labels[j]
                if j in plain:
                    lab = f"other {theme['label']}"
                    if len(plain) > 1:
                        lab += f" ({plain.index(j) + 1})"
                self.subthemes_.append(
                    {
                        "theme_id": f"{theme['theme_id']}.{n + 1}",
                        "parent_id": theme["theme_id"],
                        "label": lab,
                        "keywords": kw,
                        "size": int(sizes[j]),
                    }
                )

    # -- scoring -----------------------------------------------------------

    def embed(self, texts: Sequence[str] | np.ndarray) -> np.ndarray:
        """The model's unit vectors of (already cleaned) ``texts``: embedded,
        centred on the fitted corpus mean, re-normalised."""
        check_is_fitted(self, "mean_")
        return unit(self.rep_.transform(list(texts)) - self.mean_)

    def vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The model's unit vectors of ``texts`` as it scores them, and which texts
        have one (usable once cleaned as the model cleans them; the others are 0).

        Up to ``max_embed`` distinct texts: the fitted texts' own vectors, the rest
        embedded; above it, the token path's static vectors (MiniLM models; a
        TF-IDF model embeds them all). The sentence sentiment model of long
        comments reads these (:mod:`feedback_nlp.opinion`).
        """
        from threadpoolctl import threadpool_limits

        check_is_fitted(self, "mean_")
        usable, idx, uniq, inverse = self._usable_distinct(texts)
        out = np.zeros((len(texts), self.centroids_.shape[1]), dtype=np.float32)
        if not len(uniq):
            return out, usable
        path = getattr(self, "token_path_", None)
        with threadpool_limits(1):
            if len(uniq) > self.max_embed and path is not None:
                vecs = path.vectors_of(token_counts(self.rep_, list(uniq)), self.mean_)
            else:
                vecs = self._cached_vectors(uniq)
        out[idx] = vecs[inverse]
        return out, usable

    def fitted_vectors(self) -> tuple[list[str], np.ndarray] | None:
        """The texts this model embedded while fitting (cleaned) and their vectors;
        None for a loaded model (they are never saved)."""
        cache = getattr(self, "_vector_cache", None)
        return None if cache is None else (list(cache[0]), cache[1])

    def _cached_vectors(self, uniq: np.ndarray) -> np.ndarray:
        """:meth:`embed` of ``uniq``, reusing the vectors of the texts fitted on."""
        vecs = np.zeros((len(uniq), self.centroids_.shape[1]), dtype=np.float32)
        cache = getattr(self, "_vector_cache", None)
        rows = cache[0] if cache is not None else {}
        hit = np.array([str(t) in rows for t in uniq], dtype=bool)
        if hit.any():
            vecs[hit] = cache[1][[rows[str(t)] for t in uniq[hit]]]  # type: ignore[index]
        if (~hit).any():
            vecs[~hit] = self.embed(list(uniq[~hit]))
        return vecs

    def _similarities(self, texts: Sequence[str]) -> np.ndarray:
        return self._tree_similarities(texts, subthemes=False)[0]

    def _tree_similarities(
        self, texts: Sequence[str], subthemes: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores of ``texts`` for each theme and (with ``subthemes``) each sub-theme."""
        idx, inverse, s, s_sub = self._distinct_scores(texts, subthemes)
        sims = np.zeros((len(texts), self.n_themes_), dtype=np.float32)
        sub_sims = np.zeros((len(texts), s_sub.shape[1]), dtype=np.float32)
        sims[idx] = s[inverse]
        sub_sims[idx] = _dense(s_sub[inverse])
        return sims, sub_sims

    def _usable_distinct(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Which ``texts`` are usable once cleaned, their positions, their distinct
        cleaned texts and each usable text's index into those."""
        cleaned, usable = self._prepare(texts)
        idx = np.flatnonzero(usable)
        uniq, inverse = distinct(np.asarray(cleaned, dtype=object)[idx])
        return usable, idx, uniq, inverse

    def _distinct_scores(
        self, texts: Sequence[str], subthemes: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        """The usable rows of ``texts``, each one's distinct text, and the distinct
        texts' theme and sub-theme scores (similarities, or probabilities on the
        fast path, where the sub-theme scores are a sparse CSR matrix)."""
        from threadpoolctl import threadpool_limits

        _, idx, uniq, inverse = self._usable_distinct(texts)
        subs = self.subcentroids() if subthemes else np.zeros((0, 1), np.float32)
        s = np.zeros((len(uniq), self.n_themes_), dtype=np.float32)
        s_sub = np.zeros((len(uniq), len(subs)), dtype=np.float32)
        if not len(uniq):
            return idx, inverse, s, s_sub
        with threadpool_limits(1):
            if len(uniq) <= self.max_embed:
                vecs = self._cached_vectors(uniq)
                s = self._theme_cosines(vecs)
                if len(subs):
                    s_sub = self._sub_cosines(vecs)
            elif getattr(self, "token_path_", None) is not None:  # fast path: static tokens
                s, s_sub = self._token_scores(uniq, subs)
            else:  # fast path: classifier probabilities, chunk-wise, over the cores
                s, fast_sub = fast_scores(self, uniq, subthemes=bool(len(subs)))
                if fast_sub is not None:
                    s_sub = fast_sub
        return idx, inverse, s.astype(np.float32), s_sub

    def _theme_cosines(self, vecs: np.ndarray) -> np.ndarray:
        """Cosines of unit ``vecs`` to each theme: to its centroid, or for a theme
        merged without a re-fit (:meth:`with_tree`) the best of the centroids it
        was merged from, so that it holds the comments each of them held."""
        return _best_of(vecs, self.centroids_, getattr(self, "protos_", None))

    def _sub_cosines(self, vecs: np.ndarray, kids: Any = slice(None)) -> np.ndarray:
        """:meth:`_theme_cosines` one level down, for the sub-themes ``kids``."""
        subs = self.subcentroids()[kids]
        protos = getattr(self, "subprotos_", None)
        if protos is None:
            return cosines(vecs, subs)
        index = np.arange(len(self.subcentroids()))[kids]
        keep = np.isin(protos[1], index)
        owner = np.searchsorted(index, protos[1][keep])
        return _best_of(vecs, subs, (protos[0][keep], owner))

    def prototypes(self, subthemes: bool = False) -> list[np.ndarray]:
        """Each theme's (with ``subthemes``: sub-theme's) unit vectors a text is
        scored against, ``(k, d)``: its centroid, or those it was merged from."""
        cents = self.subcentroids() if subthemes else self.centroids_
        protos = getattr(self, "subprotos_" if subthemes else "protos_", None)
        if protos is None:
            return [c[None, :] for c in cents]
        return [protos[0][protos[1] == g] for g in range(len(cents))]

    def _token_scores(self, uniq: np.ndarray, subs: np.ndarray) -> tuple[np.ndarray, Any]:
        """Similarities of ``uniq`` to the themes and (sparse CSR) to the children of
        the themes each text may belong to, on the token path's vectors (see
        :mod:`~feedback_nlp.themes.tokenpath`): chunk-wise, over the cores."""
        import scipy.sparse as sp

        parts = map_with_state(
            _token_chunk, (self, subs), uniq, _TOKEN_CHUNK, self.n_threads, "assigning themes"
        )
        return np.vstack([p[0] for p in parts]), sp.vstack([p[1] for p in parts], format="csr")

    def _token_chunk(self, texts: list[str], subs: np.ndarray) -> tuple[np.ndarray, Any]:
        """:meth:`_token_scores` of one chunk of texts (in a worker)."""
        import scipy.sparse as sp

        path = self.token_path_
        assert path is not None  # the caller's branch
        parents = self.subtheme_parents()
        vecs = path.vectors_of(token_counts(self.rep_, texts), self.mean_)
        s = self._theme_cosines(vecs)
        sub = np.zeros((len(texts), len(subs)), dtype=np.float32)
        if len(subs):
            best = np.clip(s, 0.0, 1.0)
            near = best >= self.membership_threshold * best.max(axis=1, keepdims=True)
            for g in np.unique(parents):
                kids = np.flatnonzero(parents == g)
                rows = np.flatnonzero(near[:, g])
                sub[np.ix_(rows, kids)] = self._sub_cosines(vecs[rows], kids)
        return s, sp.csr_matrix(sub)

    def subcentroids(self) -> np.ndarray:
        """The sub-themes' unit centroids ``(n_subthemes, d)`` (none for a model
        fitted or saved before sub-themes)."""
        check_is_fitted(self, "centroids_")
        sub = getattr(self, "subcentroids_", None)
        return np.zeros((0, self.centroids_.shape[1]), np.float32) if sub is None else sub

    def subtheme_parents(self) -> np.ndarray:
        """Each sub-theme's theme (index into ``themes_``)."""
        parent = getattr(self, "subparent_", None)
        return np.zeros(0, np.int64) if parent is None else parent

    def subtheme_rows(self) -> list[dict[str, Any]]:
        """The sub-themes: id (``T03.1``), parent_id, label, keywords, size."""
        return list(getattr(self, "subthemes_", []))

    def assign_tree(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`assign` and the second level: each text's primary sub-theme (-1:
        no theme, -2: its theme has no sub-themes), its ``(n, n_subthemes)``
        membership (the best child of each theme it belongs to) and sub-theme
        scores (clipped to [0, 1]; 0 where the text is not a member).

        The primary sub-theme is the best of the children of all the text's
        themes (a theme without sub-themes competing with its own score), and
        the primary theme is its parent: on BANKING77 this gains 0.01-0.015
        NMI at the sub-theme level over the best child of the best theme, and
        SemEval's themes do not move (NMI 0.368 against 0.363).
        """
        primary, members, scores, sub_primary, sub = self.assign_tree_sparse(texts)
        dense = sub.toarray().astype(np.float32)
        return primary, members, scores, sub_primary, dense > 0, dense

    def assign_tree_sparse(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray, np.ndarray, Any]:
        """:meth:`assign_tree` with the sub-theme memberships as one sparse
        ``(n, n_subthemes)`` CSR matrix of scores (an entry per membership; a
        score of 0 is stored as the smallest positive float32).

        Everything is computed once per distinct text; on a million comments the
        dense sub-theme columns of :meth:`assign_tree` would take gigabytes.
        """
        import scipy.sparse as sp

        check_is_fitted(self, "centroids_")
        n = len(texts)
        idx, inverse, all_sims, all_sub = self._distinct_scores(texts)
        parents = self.subtheme_parents()
        # sub-themes are stored grouped by theme: one column block per theme
        starts = [int(a) for a in np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])]
        blocks = list(zip(starts[: len(parents)], [*starts[1:], len(parents)]))
        u_scores = np.clip(all_sims, 0.0, 1.0).astype(np.float32)
        u_primary = np.full(len(all_sims), -1, dtype=np.int64)
        u_sub_primary = np.full(len(all_sims), -1, dtype=np.int64)
        u_members: list[tuple[int, ...]] = []
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        step = 50_000  # distinct texts at a time: the dense sub-theme block stays ~30 MB
        for lo in range(0, len(all_sims), step):
            sims = all_sims[lo : lo + step]
            sub_sims = _dense(all_sub[lo : lo + step])
            primary, member = self.memberships(u_scores[lo : lo + step])
            u_members += self._member_lists(u_scores[lo : lo + step], member)
            primary, sub_primary = self._primary_in_tree(primary, member, sims, sub_sims)
            u_primary[lo : lo + step], u_sub_primary[lo : lo + step] = primary, sub_primary
            for a, b in blocks:
                r = np.flatnonzero(member[:, parents[a]])
                c = a + sub_sims[r, a:b].argmax(1)
                rows.append(lo + r)
                cols.append(c)
                vals.append(sub_sims[r, c])
        ur = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        uc = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        uv = np.concatenate(vals) if vals else np.zeros(0, np.float32)
        uv = np.maximum(np.clip(uv, 0.0, 1.0), np.finfo(np.float32).tiny)
        per_distinct = sp.csr_matrix(
            (uv.astype(np.float32), (ur, uc)), shape=(len(all_sims), len(parents))
        )
        pick = sp.csr_matrix(
            (np.ones(len(idx), np.float32), (idx, inverse)), shape=(n, len(all_sims))
        )
        sub = (pick @ per_distinct).tocsr()
        primary = np.full(n, -1, dtype=np.int64)
        sub_primary = np.full(n, -1, dtype=np.int64)
        scores = np.zeros((n, self.n_themes_), dtype=np.float32)
        primary[idx] = u_primary[inverse]
        sub_primary[idx] = u_sub_primary[inverse]
        scores[idx] = u_scores[inverse]
        members: list[tuple[int, ...]] = [()] * n
        for r, u in zip(idx.tolist(), inverse.tolist()):
            members[r] = u_members[u]
        return primary, members, scores, sub_primary, sub

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Membership scores ``(n, n_themes_)`` in [0, 1] (cosine to each theme, clipped)."""
        check_is_fitted(self, "centroids_")
        return np.clip(self._similarities(texts), 0.0, 1.0).astype(np.float32)

    def assign(self, texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
        """Primary theme (-1 = none), all member themes (best first), and the
        scores of each text (the first three values of :meth:`assign_tree`)."""
        check_is_fitted(self, "centroids_")
        if len(self.subtheme_parents()):
            # the primary theme is the parent of the primary sub-theme (see assign_tree)
            return self.assign_tree(texts)[:3]
        scores = self.transform(texts)
        primary, member = self.memberships(scores)
        return primary, self._member_lists(scores, member), scores

    @staticmethod
    def _member_lists(scores: np.ndarray, member: np.ndarray) -> list[tuple[int, ...]]:
        """Each row's member themes, best first."""
        # Members are the top of each row's score order: one argsort for all rows,
        # then one tuple per distinct membership pattern, not per row.
        order = np.argsort(-scores, axis=1, kind="stable")
        n_members = member.sum(axis=1)
        patterns: dict[tuple[int, ...], tuple[int, ...]] = {}
        members = []
        for row, n in zip(order.tolist(), n_members.tolist()):
            key = tuple(row[:n])
            members.append(patterns.setdefault(key, key))
        return members

    def memberships(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Primary theme (-1 = none) and the boolean ``(n, n_themes_)`` membership
        matrix for the scores of :meth:`transform`.

        A text belongs to its best theme when that score passes the none
        threshold, and to every theme scoring at least ``membership_threshold``
        times its best (and above the none threshold).
        """
        check_is_fitted(self, "none_threshold_")
        best = scores.max(axis=1) if scores.size else np.zeros(len(scores), dtype=np.float32)
        primary = np.where(best > max(self.none_threshold_, 0.0), scores.argmax(axis=1), -1).astype(
            np.int64
        )
        cut = np.maximum(self.membership_threshold * best, self.none_threshold_)
        member = (scores >= cut[:, None]) & (primary >= 0)[:, None]
        return primary, member

    # -- edits (each returns an edited copy; the model itself is left alone) --

    def match_reference(self, subthemes: bool = False) -> tuple[list[str], np.ndarray]:
        """Theme ids and centroids (with ``subthemes``, sub-theme ids and
        centroids) a later re-fit's themes are matched against.

        Those the ids were last given to (by :meth:`with_theme_ids` or when
        fitting); codebook edits keep them, so a merged-away or moved id can
        still be recognised in the next fit.
        """
        check_is_fitted(self, "centroids_")
        if subthemes:
            ids = getattr(self, "submatch_ids_", None)
            cents = getattr(self, "submatch_centroids_", None)
            if ids is None or cents is None:
                return [s["theme_id"] for s in self.subtheme_rows()], self.subcentroids()
            return list(ids), np.asarray(cents)
        ids = getattr(self, "match_ids_", None)
        cents = getattr(self, "match_centroids_", None)
        if ids is None or cents is None:
            return [t["theme_id"] for t in self.themes_], np.asarray(self.centroids_)
        return list(ids), np.asarray(cents)

    def _edited(self) -> ThemeModel:
        """A shallow copy to edit, keeping this model's match reference."""
        new = copy.copy(self)
        new.match_ids_, new.match_centroids_ = self.match_reference()
        return new

    def seed_centroid(
        self, phrases: Sequence[str], brand_terms: Sequence[str] | None = None
    ) -> np.ndarray:
        """A theme centroid from seed phrases: the unit mean of their vectors.

        ``brand_terms`` (default: the model's) are masked in the phrases first.
        Raises ValueError when no phrase has a word the representation knows.
        """
        check_is_fitted(self, "centroids_")
        terms = self.brand_terms if brand_terms is None else brand_terms
        raw = np.asarray(self.rep_.transform(clean_for_themes(list(phrases), terms)))
        if not np.any(np.linalg.norm(raw, axis=1) > 1e-6):
            raise ValueError("none of the phrases uses a word the model's vocabulary knows")
        return unit(unit(raw - self.mean_).mean(axis=0))

    def with_themes(
        self,
        theme_ids: Sequence[str],
        centroids: Sequence[np.ndarray],
        texts: Sequence[str],
        *,
        fixed_labels: Mapping[str, str] | None = None,
        brand_terms: Sequence[str] | None = None,
        tree: Sequence[Mapping[str, Any]] | None = None,
    ) -> ThemeModel:
        """A copy whose themes are ``theme_ids`` with unit ``centroids`` (merged,
        split or seeded by the caller), refreshed on ``texts``: sizes, keywords,
        labels (``fixed_labels`` by id win), none threshold and fast classifier.

        ``brand_terms`` replaces the model's (masked in ``texts`` and later
        input). Ids the model already has keep their label until the refresh.
        Each theme is split into sub-themes afresh, which keep the ids of this
        model's sub-themes of the same theme id they match; with ``tree``
        (sub-themes: ``theme_id``, ``parent_id``, ``label`` or None, ``keywords``,
        ``centroid``: see :func:`~feedback_nlp.themes.subtree.settle_tree`) the
        sub-themes are those instead.
        """
        from .subtree import matched_ids, settle_tree

        check_is_fitted(self, "centroids_")
        new = self._edited()
        new.submatch_ids_, new.submatch_centroids_ = self.match_reference(subthemes=True)
        if brand_terms is not None:
            new.set_params(brand_terms=tuple(brand_terms))
        old = {t["theme_id"]: t for t in self.themes_}
        new.centroids_ = np.vstack(centroids).astype(np.float32)
        new.n_themes_ = len(theme_ids)
        new.themes_ = [
            {
                "theme_id": tid,
                "label": old.get(tid, {}).get("label", ""),
                "keywords": list(old.get(tid, {}).get("keywords", [])),
                "size": 0,
            }
            for tid in theme_ids
        ]
        # this model's tree belongs to its themes: none until the refresh splits them
        d = new.centroids_.shape[1]
        new.subcentroids_, new.subparent_ = np.zeros((0, d), np.float32), np.zeros(0, np.int64)
        new.subthemes_, new.fast_sub_ = [], None
        new.protos_, new.subprotos_ = None, None
        if tree is not None:
            new.subthemes = 0  # the refresh leaves the tree to be settled below
        new._refresh(texts, fixed_labels or {})
        new.subthemes = self.subthemes
        if tree is None:
            kept = [s["theme_id"] for s in self.subtheme_rows()]
            ids, _ = matched_ids(
                [s["parent_id"] for s in new.subtheme_rows()],
                new.subcentroids(),
                kept,
                self.subcentroids(),
                taken=new.submatch_ids_,
            )
            new._reorder_tree(range(new.n_themes_), ids)
        else:
            uniq, w = distinct_usable(texts, new.brand_terms)
            x = new._cached_vectors(uniq) if len(uniq) else np.zeros((0, new.centroids_.shape[1]))
            state = settle_tree(
                tree,
                new.themes_,
                new.centroids_,
                uniq,
                x,
                w,
                hasher=getattr(new, "hasher_", None),
                seed=new.random_state,
                banned=new.brand_terms,
                exclude=new.label_exclude,
            )
            new.subcentroids_, new.subparent_, new.subthemes_, new.fast_sub_ = state
        return new

    def _refresh(self, texts: Sequence[str], fixed_labels: Mapping[str, str]) -> None:
        """Recompute sizes, labels, none threshold and the fast classifier (on a fresh copy)
        from the texts a fit of ``texts`` embeds (:meth:`_fit_sample`), as the fit
        computes them: their vectors are the fit's own when this model was fitted
        on them, so an edit embeds nothing again."""
        uniq, w = distinct_usable(texts, self.brand_terms)
        if not len(uniq):
            return
        pick, _ = self._fit_sample(uniq)
        uniq, w = uniq[pick], w[pick]
        x = self._cached_vectors(uniq)
        sims = x @ self.centroids_.T
        primary = sims.argmax(1)
        best = sims.max(1)
        self.none_threshold_ = float(
            np.quantile(np.repeat(best, w.astype(int)), self.none_quantile)
        )
        if getattr(self, "fast_", None) is not None and len(np.unique(primary)) >= 2:
            self.fast_ = fit_classifier(
                hashed_ngrams(self.hasher_, list(uniq)), primary, w, self.random_state
            )
        # edited themes are split afresh
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            self._fit_tree(uniq, x, w, fixed=dict(fixed_labels))

    def with_tree(
        self, themes: Sequence[Mapping[str, Any]], subthemes: Sequence[Mapping[str, Any]]
    ) -> ThemeModel:
        """A copy whose themes and sub-themes are ``themes`` and ``subthemes`` as
        given, nothing recomputed: rows of ``theme_id``, ``label``, ``keywords``,
        ``size`` and ``centroid`` (unit), sub-themes also ``parent_id`` (grouped by
        theme, in ``themes``' order). For edits that only regroup what was fitted
        (:mod:`~feedback_nlp.themes.tree_edits`), which leave models that score with
        hashed n-gram classifiers (trained on the fitted themes) to a re-fit."""
        check_is_fitted(self, "centroids_")
        new = self._edited()
        new.submatch_ids_, new.submatch_centroids_ = self.match_reference(subthemes=True)
        d = self.centroids_.shape[1]
        keys = ("theme_id", "label", "keywords", "size")
        new.themes_ = [{k: t[k] for k in keys} for t in themes]
        new.centroids_ = np.vstack([t["centroid"] for t in themes]).astype(np.float32)
        new.n_themes_ = len(themes)
        index = {str(t["theme_id"]): g for g, t in enumerate(themes)}
        sub_keys = ("theme_id", "parent_id", "label", "keywords", "size")
        new.subthemes_ = [{k: s[k] for k in sub_keys} for s in subthemes]
        new.subparent_ = np.array([index[str(s["parent_id"])] for s in subthemes], np.int64)
        new.subcentroids_ = (
            np.vstack([s["centroid"] for s in subthemes]).astype(np.float32)
            if subthemes
            else np.zeros((0, d), np.float32)
        )
        new.fast_sub_ = None
        new.protos_, new.subprotos_ = _merged_protos(themes), _merged_protos(subthemes)
        return new

    def with_labels(self, labels: Mapping[str, str]) -> ThemeModel:
        """A copy with themes and sub-themes renamed (``labels``: id -> new label)."""
        check_is_fitted(self, "centroids_")
        ids = [t["theme_id"] for t in self.themes_]
        sub_ids = [s["theme_id"] for s in self.subtheme_rows()]
        unknown = [tid for tid in labels if tid not in ids and tid not in sub_ids]
        if unknown:
            valid = ", ".join(ids + sub_ids)
            raise ValueError(f"unknown theme id {unknown[0]!r}; valid ids: {valid}.")
        new = self._edited()
        new.themes_ = [{**t, "label": labels.get(t["theme_id"], t["label"])} for t in self.themes_]
        if sub_ids:
            new.subthemes_ = [
                {**s, "label": labels.get(s["theme_id"], s["label"])} for s in self.subtheme_rows()
            ]
        return new

    def without_terms(self, terms: Sequence[str]) -> ThemeModel:
        """A copy whose labels and keywords never show ``terms`` (a label left
        empty becomes its first two keywords, or "misc")."""
        check_is_fitted(self, "centroids_")
        new = self._edited()

        def clean(row: Mapping[str, Any]) -> dict[str, Any]:
            keywords = [k for k in row["keywords"] if drop_terms(k, terms) == k]
            label = drop_terms(row["label"], terms) or ", ".join(keywords[:2]) or "misc"
            return {**row, "label": label, "keywords": keywords}

        new.themes_ = [clean(t) for t in self.themes_]
        if self.subtheme_rows():
            new.subthemes_ = [clean(s) for s in self.subtheme_rows()]
        return new

    def with_theme_ids(
        self,
        theme_ids: Sequence[str],
        order: Sequence[int],
        sub_ids: Sequence[str] | None = None,
    ) -> ThemeModel:
        """A copy with new ids (``theme_ids[g]`` for theme ``g``) and themes in
        ``order``; these ids and centroids become its match reference.

        Sub-themes follow their themes: ``sub_ids[j]`` is sub-theme ``j``'s new
        id (by default its number under its theme's new id).
        """
        check_is_fitted(self, "centroids_")
        new = copy.copy(self)
        new.centroids_ = np.asarray(self.centroids_)[list(order)]
        new.themes_ = [{**self.themes_[g], "theme_id": theme_ids[g]} for g in order]
        new.match_ids_ = [theme_ids[g] for g in order]
        new.match_centroids_ = new.centroids_
        new._reorder_tree(list(order), sub_ids)
        protos = getattr(self, "protos_", None)
        if protos is not None:
            inverse = np.empty(len(order), dtype=np.int64)
            inverse[list(order)] = np.arange(len(order))
            new.protos_ = (protos[0], inverse[protos[1]])
        if len(new.subtheme_parents()):
            new.submatch_ids_ = [s["theme_id"] for s in new.subtheme_rows()]
            new.submatch_centroids_ = new.subcentroids()
        old_fast = getattr(self, "fast_", None)
        if old_fast is not None:
            inv = np.empty(len(order), dtype=np.int64)
            inv[list(order)] = np.arange(len(order))
            fast = copy.copy(old_fast)
            fast.classes_ = inv[np.asarray(old_fast.classes_, dtype=np.int64)]
            new.fast_ = fast
        return new

    def _reorder_tree(self, order: Sequence[int], sub_ids: Sequence[str] | None = None) -> None:
        """Follow a new theme order (``order[i]``: old index of new theme i): the
        sub-themes' parents, ids and order (by theme, then by number).

        A sub-theme keeps its number under its theme's id (``T03.2`` becomes
        ``T01.2`` when T03 becomes T01), or takes ``sub_ids[j]`` (sub-theme
        ``j``'s id, ``<theme id>.<n>``).
        """
        from .subtree import split_id

        parents = self.subtheme_parents()
        if not len(parents):
            return
        new_index = np.empty(len(order), dtype=np.int64)
        new_index[list(order)] = np.arange(len(order))
        moved = new_index[parents]
        old_rows = self.subtheme_rows()
        if sub_ids is None:
            sub_ids = [
                f"{self.themes_[int(moved[j])]['theme_id']}.{split_id(r['theme_id'])[1]}"
                for j, r in enumerate(old_rows)
            ]
        numbers = np.array([split_id(i)[1] for i in sub_ids], dtype=np.int64)
        keep = np.lexsort((np.arange(len(moved)), numbers, moved))
        self.subparent_ = moved[keep]
        self.subcentroids_ = self.subcentroids()[keep]
        self.subthemes_ = [
            {
                **old_rows[j],
                "theme_id": sub_ids[j],
                "parent_id": self.themes_[int(moved[j])]["theme_id"],
            }
            for j in keep
        ]
        subprotos = getattr(self, "subprotos_", None)
        if subprotos is not None:
            position = np.empty(len(keep), dtype=np.int64)
            position[keep] = np.arange(len(keep))
            self.subprotos_ = (subprotos[0], position[subprotos[1]])
        fast_sub = getattr(self, "fast_sub_", None)
        if fast_sub is not None:
            inv = np.empty(len(keep), dtype=np.int64)
            inv[keep] = np.arange(len(keep))
            fast = copy.copy(fast_sub)
            fast.classes_ = inv[np.asarray(fast_sub.classes_, dtype=np.int64)]
            self.fast_sub_ = fast

    @classmethod
    def from_learned(
        cls,
        params: Mapping[str, Any],
        *,
        rep: Any,
        mean: np.ndarray,
        centroids: np.ndarray,
        themes: Sequence[Mapping[str, Any]],
        none_threshold: float,
        representation_info: Mapping[str, Any],
        match_ids: Sequence[str],
        match_centroids: np.ndarray,
        k_scores: Mapping[int, float] | None = None,
        fast: Any = None,
        hasher: Any = None,
        subthemes: Sequence[Mapping[str, Any]] | None = None,
        subcentroids: np.ndarray | None = None,
        subparent: np.ndarray | None = None,
        fast_sub: Any = None,
        submatch_ids: Sequence[str] | None = None,
        submatch_centroids: np.ndarray | None = None,
        token_path: TokenPath | None = None,
    ) -> ThemeModel:
        """A fitted model from its parameters and learned state (a saved model's).

        Without ``subcentroids`` (a model saved before sub-themes) it has none.
        The caller checks the shapes (see :func:`~feedback_nlp.themes.load_model`).
        """
        model = cls(**params)
        model.rep_ = rep
        model.mean_ = mean
        model.centroids_ = centroids
        model.n_themes_ = len(centroids)
        model.none_threshold_ = float(none_threshold)
        model.representation_ = dict(representation_info)
        model.themes_ = [
            {
                "theme_id": str(t["theme_id"]),
                "label": str(t["label"]),
                "keywords": [str(w) for w in t.get("keywords", [])],
                "size": int(t.get("size", 0)),
            }
            for t in themes
        ]
        if k_scores:
            model.k_scores_ = dict(k_scores)
        model.match_ids_ = [str(i) for i in match_ids]
        model.match_centroids_ = match_centroids
        model.fast_, model.hasher_ = fast, hasher
        model.token_path_ = token_path
        if subcentroids is not None:
            model.subcentroids_ = subcentroids
            model.subparent_ = np.asarray(subparent, dtype=np.int64)
            model.subthemes_ = [
                {
                    "theme_id": str(s["theme_id"]),
                    "parent_id": str(s["parent_id"]),
                    "label": str(s["label"]),
                    "keywords": [str(w) for w in s.get("keywords", [])],
                    "size": int(s.get("size", 0)),
                }
                for s in subthemes or []
            ]
            model.fast_sub_ = fast_sub
            model.submatch_ids_ = [str(i) for i in submatch_ids or []]
            model.submatch_centroids_ = (
                subcentroids[:0] if submatch_centroids is None else submatch_centroids
            )
        return model
