"""Each segment value's own themes (``--per-segment``), as many as its comments hold.

The themes of a segment value are there to show what its detractors raise
more than its promoters. A theme too small to show such a difference is
noise, so the number of themes follows from the size a theme needs:

* :func:`min_theme_comments`: the fewest comments a theme needs so that a
  theme detractors mention :data:`DETECTABLE_LIFT` times as often as promoters
  (passives halfway) tests significant at ``alpha`` when its comments fall
  exactly as that ratio predicts, by the theme tables' own test
  (:func:`~feedback_nlp.compare.two_proportion_p`). It depends only on the
  value's detractor, passive and promoter comment counts: about 30-40
  comments for most NPS mixes, more when one group is rare.
* the value holds at most ``comments // min_theme`` such themes; below two it
  gets none, with the reason; otherwise the whole survey's automatic choice
  of k runs within that bound, and groups smaller than ``min_theme`` are
  merged into their neighbours as they are formed.

Nothing here is tuned to a data set: the lift of 2 ("twice as often") is the
smallest difference a product team usually acts on, and ``alpha`` is the
run's own significance level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..compare import add_q_values, theme_table, two_proportion_p
from ..config import AnalysisConfig
from ..result import SEGMENT_OWN_THEME_COLUMNS, SegmentFit
from .chunk import ChunkResult, assign_themes

__all__ = ["DETECTABLE_LIFT", "fit_notes", "min_theme_comments", "per_segment_themes"]

#: The detractor/promoter ratio a segment value's own theme must be large enough to show.
DETECTABLE_LIFT = 2.0


def min_theme_comments(
    with_text: Sequence[int], alpha: float, lift: float = DETECTABLE_LIFT
) -> int | None:
    """The fewest comments a theme needs to show a ``lift``-fold difference at ``alpha``.

    ``with_text`` counts the detractor, passive and promoter comments with
    usable text. A theme of ``m`` comments is split as ``lift`` predicts:
    each detractor ``lift`` times as likely to mention it as each promoter,
    each passive halfway; the answer is the smallest ``m`` whose detractor and
    promoter counts (rounded) give p < ``alpha``. None when no size does (no
    detractor or no promoter comments, or too few of one group).

    >>> min_theme_comments((32, 22, 54), 0.05), min_theme_comments((300, 200, 500), 0.05)
    (30, 34)
    >>> min_theme_comments((40, 10, 0), 0.05) is None
    True
    """
    n_d, n_pa, n_p = (int(v) for v in with_text)
    if n_d == 0 or n_p == 0:
        return None
    weight = lift * n_d + n_p + (lift + 1) / 2 * n_pa
    for m in range(2, n_d + n_pa + n_p + 1):
        det = math.floor(m * lift * n_d / weight + 0.5)
        pro = math.floor(m * n_p / weight + 0.5)
        if det > n_d:
            break
        if two_proportion_p(det, n_d, pro, n_p) < alpha:
            return m
    return None


def _group_counts(groups: np.ndarray) -> tuple[int, int, int]:
    return (
        int(np.count_nonzero(groups == "detractor")),
        int(np.count_nonzero(groups == "passive")),
        int(np.count_nonzero(groups == "promoter")),
    )


def _no_size_reason(counts: tuple[int, int, int]) -> str:
    n_d, _, n_p = counts
    if n_d == 0 or n_p == 0:
        missing = "detractor" if n_d == 0 else "promoter"
        return f"no {missing} comments, so no theme of it can show a detractor/promoter difference"
    return (
        f"too few detractor ({n_d}) or promoter ({n_p}) comments for any theme to show "
        "a detractor/promoter difference"
    )


def _bounded_model(cfg: AnalysisConfig, exclude: tuple[str, ...], n: int, m: int) -> Any:
    """A theme model whose k stays within ``n // m`` and whose themes are of ``m`` or more."""
    from .fitting import new_model

    model = new_model(cfg)
    k_max = n // m
    lo = cfg.n_themes or model.min_themes
    hi = cfg.n_themes or model.max_themes
    return model.set_params(
        subthemes=0,
        label_exclude=exclude,
        n_themes=None,
        min_themes=min(lo, k_max),
        max_themes=min(hi, k_max),
        min_theme_share=m / n,
    )


def _skip_reason(cfg: AnalysisConfig, n: int, counts: tuple[int, int, int], m: int | None) -> str:
    """Why a value of ``n`` usable comments gets no own themes before any fit ('' if none)."""
    if n < cfg.min_segment_comments:
        return f"fewer usable comments than min_segment_comments ({cfg.min_segment_comments})"
    if m is None:
        return _no_size_reason(counts)
    if n // m < 2:
        return (
            f"too few comments for two themes: a theme needs {m} for a "
            f"{DETECTABLE_LIFT:g}:1 detractor/promoter difference to reach p < {cfg.alpha:g}"
        )
    return ""


def _fit_value(
    cfg: AnalysisConfig, texts: list[str], exclude: tuple[str, ...], m: int
) -> tuple[Any, str]:
    """The value's fitted theme model, or None and why it has no themes."""
    from .fitting import MIN_THEME_COMMENTS, too_few_for_themes

    model = _bounded_model(cfg, exclude, len(texts), m)
    if too_few_for_themes(texts, model) is not None:
        return None, f"fewer than {MIN_THEME_COMMENTS} distinct usable comments"
    try:
        model.fit(texts)
    except ValueError as err:  # e.g. a vocabulary of one word: no vectors to cluster
        return None, f"its comments form no two themes ({' '.join(str(err).split()).rstrip('.')})"
    if len(model.themes_) < 2:
        return None, f"its comments form no two themes of {m} or more comments"
    return model, ""


def per_segment_themes(
    cfg: AnalysisConfig, segment_cols: tuple[str, ...], parts: Sequence[ChunkResult]
) -> tuple[pd.DataFrame, tuple[SegmentFit, ...]]:
    """Each segment value's own themes, and per value how they were fitted or why not.

    Their q-values are Benjamini-Hochberg within this table; the overall and
    segment tables keep theirs, so switching ``--per-segment`` on changes no
    other output.
    """
    from .fitting import label_exclusions

    comments = pd.concat([p.comments for p in parts], ignore_index=True)
    cleaned = [t for p in parts if p.texts for t in p.texts[0]]
    usable = np.concatenate([p.texts[1] for p in parts if p.texts])
    compound = np.concatenate([p.texts[2] for p in parts if p.texts])
    groups = comments["group"].to_numpy(dtype=object)
    tables = []
    fits: list[SegmentFit] = []
    exclude = label_exclusions(comments[list(segment_cols)].to_numpy().ravel())
    for col in segment_cols:
        values = comments[col].astype(str).to_numpy(dtype=object)
        for value in sorted(set(values)):
            mask = values == value
            rows = np.flatnonzero(mask & usable)
            n = len(rows)
            counts = _group_counts(groups[rows])
            m = min_theme_comments(counts, cfg.alpha)
            k_max = n // m if m else 0
            reason = _skip_reason(cfg, n, counts, m)
            model = None
            if not reason and m is not None:
                model, reason = _fit_value(cfg, [cleaned[i] for i in rows], exclude, m)
            if model is None:
                fits.append(SegmentFit(col, value, n, m, k_max, 0, reason))
                continue
            sub = np.flatnonzero(mask)
            local_idx = np.flatnonzero(usable[sub])
            found = assign_themes(model, [cleaned[i] for i in sub], local_idx, len(sub))
            ids = [t["theme_id"] for t in model.themes_]
            member = found.member[:, : len(ids)]
            t = theme_table(groups[sub], member, usable[sub], compound[sub], ids)
            t.insert(1, "label", [th["label"] for th in model.themes_])
            t.insert(2, "keywords", [", ".join(th["keywords"]) for th in model.themes_])
            t["level"], t["parent_id"] = 1, ""  # own themes have no sub-themes
            t.insert(0, "value", value)
            t.insert(0, "segment", col)
            tables.append(t)
            fits.append(SegmentFit(col, value, n, m, k_max, len(ids)))
    if not tables:
        return pd.DataFrame(columns=list(SEGMENT_OWN_THEME_COLUMNS)), tuple(fits)
    (table,) = add_q_values([pd.concat(tables, ignore_index=True)], cfg.alpha)
    return table[list(SEGMENT_OWN_THEME_COLUMNS)], tuple(fits)


def fit_notes(fits: Sequence[SegmentFit]) -> list[str]:
    """One note per segment column some of whose values got no own themes.

    >>> fit_notes([SegmentFit("plan", "Basic", 300, 33, 9, 6),
    ...            SegmentFit("plan", "Trial", 20, 18, 1, 0, "too few comments")])
    ['--per-segment: 1 of 2 values of plan got no own themes (the reports say why for each).']
    """
    out = []
    for col in dict.fromkeys(f.segment for f in fits):
        mine = [f for f in fits if f.segment == col]
        none = sum(1 for f in mine if not f.themes)
        if none:
            out.append(
                f"--per-segment: {none} of {len(mine)} values of {col} got no own themes "
                "(the reports say why for each)."
            )
    return out
