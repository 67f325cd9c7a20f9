"""Stable theme ids across re-fits: a new model's themes take the previous model's ids.

The two models' vector spaces differ (a re-fit TF-IDF has a new basis), so
each previous theme is projected into the new space as the mean new vector
of the comments the previous model assigns to it; new and projected
centroids are then paired by the Hungarian algorithm on cosine.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .vectors import distinct_usable, unit

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = ["match_previous_ids", "theme_number"]


def theme_number(tid: str) -> int:
    """The number of an id like ``T07`` (0 for any other id).

    >>> theme_number("T07"), theme_number("price")
    (7, 0)
    """
    m = re.match(r"^T(\d+)$", tid)
    return int(m.group(1)) if m else 0


def _projected(
    model: ThemeModel, previous: ThemeModel, texts: Sequence[str], max_texts: int
) -> np.ndarray:
    """Each previous match-reference theme as the unit mean new vector of its comments."""
    prev_ids, prev_cents = previous.match_reference()
    uniq, w = distinct_usable(texts, model.brand_terms)
    if len(uniq) > max_texts:
        pick = np.sort(np.random.RandomState(0).choice(len(uniq), max_texts, replace=False))
        uniq, w = uniq[pick], w[pick]
    x_new = model.embed(uniq)
    s_prev = previous.embed(uniq) @ prev_cents.T
    owner = np.where(s_prev.max(1) > previous.none_threshold_, s_prev.argmax(1), -1)
    proj = np.zeros((len(prev_ids), x_new.shape[1]), dtype=np.float32)
    for j in range(len(prev_ids)):
        members = owner == j
        if members.any():
            proj[j] = unit((x_new[members] * w[members, None]).sum(0))
    return proj


def match_previous_ids(
    model: ThemeModel,
    previous: ThemeModel,
    texts: Sequence[str],
    *,
    threshold: float = 0.5,
    reserved: Collection[str] = (),
    max_texts: int = 5000,
) -> tuple[ThemeModel, list[str], list[str]]:
    """Give a freshly fitted model's themes the ids of the previous model's themes.

    Each previous theme is projected into the new space as the mean new vector
    of the ``texts`` the previous model assigns to it. New and projected
    centroids are paired by the Hungarian algorithm on cosine; a pair at or
    above ``threshold`` keeps the previous id, other new themes get ids after
    the largest id used so far (including ``reserved``). Themes are ordered by id.

    Returns the renumbered model, notes for the user, and the previous ids
    that found no match.
    """
    from scipy.optimize import linear_sum_assignment

    prev_ids = previous.match_reference()[0]
    sim = model.centroids_ @ _projected(model, previous, texts, max_texts).T
    rows, cols = linear_sum_assignment(-sim)
    new_ids: list[str | None] = [None] * model.n_themes_
    for r, c in zip(rows, cols, strict=True):
        if sim[r, c] >= threshold:
            new_ids[r] = prev_ids[c]
    used = set(prev_ids) | {t["theme_id"] for t in previous.themes_} | set(reserved)
    top = max([theme_number(i) for i in used] + [0])
    notes = []
    for g, tid in enumerate(new_ids):
        if tid is None:
            top += 1
            new_ids[g] = f"T{top:02d}"
            notes.append(
                f"New theme {new_ids[g]} ({model.themes_[g]['label']}): no previous match."
            )
    final = [str(i) for i in new_ids]
    missing = [i for i in prev_ids if i not in final]
    prev_labels = {t["theme_id"]: t["label"] for t in previous.themes_}
    for tid in missing:
        notes.append(f"Previous theme {tid} ({prev_labels.get(tid, 'merged')}) has no match now.")
    order = sorted(range(len(final)), key=lambda g: (theme_number(final[g]), final[g]))
    return model.with_theme_ids(final, order), notes, missing
