"""Small vector and text helpers shared by the theme model and the codebook edits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .clean import clean_for_themes

__all__ = ["unit", "merged_centroid", "cosines", "distinct", "distinct_usable", "is_usable"]


def unit(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to unit length along its last axis, as float32 (zero rows stay zero).

    >>> unit(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.clip(norms, 1e-12, None)).astype(np.float32, copy=False)


def merged_centroid(centroids: Iterable[np.ndarray], sizes: Iterable[float]) -> np.ndarray:
    """The unit mean of ``centroids``, each weighted by its group's size (at least
    1): the centroid a merge of themes or sub-themes starts from.

    >>> c = merged_centroid([np.array([1.0, 0.0]), np.array([0.0, 1.0])], [3, 0])
    >>> [round(float(v), 4) for v in c]  # weights 3 and 1 (a size of 0 counts as 1)
    [0.9487, 0.3162]
    """
    return unit(np.asarray(sum(max(float(n), 1.0) * c for c, n in zip(centroids, sizes))))


def cosines(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """``x @ centroids.T`` (float32) that does not depend on how many rows ``x`` has.

    A float32 matrix product may round a row differently with another number of
    rows beside it (OpenBLAS takes other kernels for a few rows), so one text
    could score differently in a chunk of 3 and one of 3,000 (the local and the
    Dask engine chunk differently; a tie between two comments sharing their
    best sentence then breaks the other way). Computed in float64 and rounded
    to float32, the row's rounding no longer shows.

    >>> a = np.random.RandomState(0).randn(50, 8).astype(np.float32)
    >>> c = np.random.RandomState(1).randn(3, 8).astype(np.float32)
    >>> bool((cosines(a[:1], c) == cosines(a, c)[:1]).all())
    True
    """
    return (x.astype(np.float64) @ centroids.T.astype(np.float64)).astype(np.float32)


def is_usable(text: str) -> bool:
    """Whether a cleaned text can carry a theme (it has a letter)."""
    return any(c.isalpha() for c in text)


def distinct(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct texts (object array) and each text's index into them.

    Same result as ``np.unique(texts.astype(str), return_inverse=True)``, by
    hashing: no fixed-width string copy (1M comments of up to 300 characters
    would make a 1.2 GB one).
    """
    import pandas as pd

    codes, uniq = pd.factorize(texts, sort=True)
    return np.asarray(uniq, dtype=object), codes.astype(np.intp)


def distinct_usable(
    texts: Sequence[str], brand_terms: Iterable[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct usable cleaned texts (sorted) and how often each occurs (float)."""
    cleaned = clean_for_themes(list(texts), brand_terms)
    ok = [t for t in cleaned if is_usable(t)]
    if not ok:
        return np.array([], dtype=str), np.array([], dtype=float)
    uniq, counts = np.unique(np.asarray(ok, dtype=str), return_counts=True)
    return uniq, counts.astype(float)
