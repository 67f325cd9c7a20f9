"""Candidate new themes: comments a saved model fits to no theme, clustered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .clean import clean_for_themes
from .labels import theme_labels
from .vectors import is_usable, unit

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = ["new_theme_candidates"]


def _vectors(model: ThemeModel, texts: list[str]) -> np.ndarray | None:
    """Unit vectors of ``texts`` to cluster (None: nothing but stop words)."""
    if model.rep_.name != "tfidf":
        return model.embed(texts)
    # Out-of-vocabulary topics vanish in the saved TF-IDF space: use one fitted on these.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
    try:
        x = vec.fit_transform(texts).toarray().astype(np.float32)
    except ValueError:  # only stop words
        return None
    return unit(x)


def _clusters(x: np.ndarray, k_max: int, seed: int) -> np.ndarray:
    """Seeded KMeans labels of ``x``, k in 2..k_max by cosine silhouette (all 0 if none)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    labels = np.zeros(len(x), dtype=np.int64)
    if k_max < 2:
        return labels
    probe = np.random.RandomState(seed).choice(len(x), min(2000, len(x)), replace=False)
    best_score = -np.inf
    for k in range(2, k_max + 1):
        lab = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
        if len(np.unique(lab[probe])) < 2:
            continue
        score = silhouette_score(x[probe], lab[probe], metric="cosine")
        if score > best_score + 1e-9:
            best_score, labels = score, lab
    return labels


def _examples(texts: Sequence[str], rows: np.ndarray, n: int = 3) -> list[str]:
    """The first ``n`` distinct texts of ``rows``."""
    out: list[str] = []
    for i in rows:
        if texts[i] not in out:
            out.append(texts[i])
        if len(out) == n:
            break
    return out


def new_theme_candidates(
    model: ThemeModel,
    texts: Sequence[str],
    primary: np.ndarray,
    scores: np.ndarray,
    min_size: int = 10,
    max_candidates: int = 6,
) -> list[dict[str, Any]]:
    """Cluster comments that fit no saved theme into candidate new themes.

    ``primary`` and ``scores`` are :meth:`ThemeModel.assign`'s outputs for
    ``texts``. Comments with no theme (or a best score below the saved none
    threshold) are clustered (seeded KMeans, k by cosine silhouette); clusters
    of at least ``min_size`` comments become candidates ``N01``, ``N02``...
    (largest first) with ``label``, ``keywords``, ``size`` and 3 ``examples``.
    An empty list when fewer than ``min_size`` comments fit no theme.
    """
    texts = list(texts)
    best = scores.max(axis=1) if scores.size else np.zeros(len(texts))
    cleaned = clean_for_themes(texts, model.brand_terms)
    usable = np.array([is_usable(t) for t in cleaned], dtype=bool)
    idx = np.flatnonzero(((np.asarray(primary) < 0) | (best < model.none_threshold_)) & usable)
    if len(idx) < max(min_size, 2):
        return []
    sub = [cleaned[i] for i in idx]
    x = _vectors(model, sub)
    if x is None:
        return []
    labels = _clusters(x, min(max_candidates, len(idx) // min_size), int(model.random_state))
    groups = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    groups = [g for g in groups if len(g) >= min_size]
    groups.sort(key=lambda g: (-len(g), int(g.min())))
    if not groups:
        return []
    ranked = []
    for g in groups:
        centre = unit(x[g].mean(0))
        ranked.append(g[np.argsort(-(x[g] @ centre), kind="stable")])
    names = theme_labels([[sub[i] for i in r[:150]] for r in ranked])
    return [
        {
            "theme_id": f"N{n:02d}",
            "label": label,
            "keywords": keywords,
            "size": len(r),
            "examples": _examples(texts, idx[r]),
        }
        for n, (r, (label, keywords)) in enumerate(zip(ranked, names, strict=True), start=1)
    ]
