"""Fitting the theme model: the one rule both engines and ``feedback-nlp fit`` follow.

Brand terms are the configured ones plus those detected in the comments the
model is fitted on; the comments are cleaned with them (brand masked,
placeholders already removed) and the model is fitted, or a saved one loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..config import AnalysisConfig

__all__ = ["new_model", "fit_themes", "merge_brand_terms", "sample_positions"]


def new_model(cfg: AnalysisConfig) -> Any:
    """An unfitted :class:`~feedback_nlp.themes.ThemeModel` with the config's parameters."""
    from ..themes import ThemeModel

    return ThemeModel(
        n_themes=cfg.n_themes,
        representation=cfg.representation.value,
        random_state=cfg.seed,
        n_threads=cfg.threads or os.cpu_count() or 1,
    )


def merge_brand_terms(given: Sequence[str], texts: Sequence[str], groups: Any) -> list[str]:
    """``given`` plus the brand terms detected in ``texts`` (case-insensitively new ones)."""
    from ..themes import detect_brand_terms

    brand = list(given)
    detected = detect_brand_terms(texts, groups)
    known = {b.lower() for b in brand}
    return brand + [t for t in detected if t.lower() not in known]


def fit_themes(
    cfg: AnalysisConfig, texts: Sequence[str], groups: np.ndarray
) -> tuple[Any, list[str], list[str]]:
    """The theme model, the brand terms and the cleaned ``texts``.

    ``texts`` are usable comments without placeholders (all of them, or a
    sample on big surveys) and ``groups`` their NPS groups. With
    ``cfg.model_path`` the saved model is loaded instead of fitted.
    """
    from ..themes import clean_for_themes

    brand = merge_brand_terms(cfg.brand_terms, texts, groups)
    cleaned = clean_for_themes(list(texts), brand_terms=tuple(brand), cut_because=False)
    if cfg.model_path is not None:
        from ..themes import load_model

        return load_model(cfg.model_path), brand, cleaned
    return new_model(cfg).fit(cleaned), brand, cleaned


def sample_positions(counts: Sequence[int], seed: int, max_rows: int | None) -> list[np.ndarray]:
    """Per chunk, the positions (among its usable comments) of the fit sample.

    Every usable comment in row order; above ``max_rows`` a seeded sample of
    that many.

    >>> [p.tolist() for p in sample_positions([2, 3], seed=0, max_rows=None)]
    [[0, 1], [0, 1, 2]]
    """
    total = int(sum(counts))
    chosen = np.arange(total)
    if max_rows is not None and total > max_rows:
        chosen = np.sort(np.random.default_rng(seed).choice(total, max_rows, replace=False))
    starts = np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))])
    return [chosen[(chosen >= a) & (chosen < b)] - a for a, b in zip(starts[:-1], starts[1:])]
