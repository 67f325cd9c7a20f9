"""Small vector and text helpers shared by the theme model and the codebook edits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .clean import clean_for_themes

__all__ = ["unit", "distinct", "distinct_usable", "is_usable"]


def unit(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to unit length along its last axis, as float32 (zero rows stay zero).

    >>> unit(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.clip(norms, 1e-12, None)).astype(np.float32, copy=False)


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
