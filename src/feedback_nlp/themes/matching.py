"""Stable theme ids across re-fits: a new model's themes take the previous model's ids.

The two models' vector spaces differ (a re-fit TF-IDF has a new basis), so
each previous theme is projected into the new space as the mean new vector
of the comments the previous model assigns to it; new and projected
centroids are then paired by the Hungarian algorithm on cosine. Sub-themes
follow the same rule one level down: each previous sub-theme is projected
from the comments it is the best child of its theme for, and a theme's new
sub-themes are paired with the previous sub-themes of the same theme id.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .subtree import best_children, matched_ids, split_id
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


def _both_embedded(
    model: ThemeModel, previous: ThemeModel, uniq: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``model.embed(uniq)`` and ``previous.embed(uniq)``, embedding once when both
    use the same sentence encoder (they then differ only in the mean taken off)."""
    if _same_encoder(model, previous):
        raw = model.rep_.transform(list(uniq))
        return unit(raw - model.mean_), unit(raw - previous.mean_)
    return model.embed(uniq), previous.embed(uniq)


def _same_encoder(model: ThemeModel, previous: ThemeModel) -> bool:
    """Both models embed with the same fixed encoder (MiniLM, same weights); a
    TF-IDF representation is fitted per model, so its vectors are not shared."""
    from .representation import MiniLMEmbedder

    return (
        isinstance(model.rep_, MiniLMEmbedder)
        and isinstance(previous.rep_, MiniLMEmbedder)
        and model.rep_.version == previous.rep_.version
    )


def _projected(
    model: ThemeModel, previous: ThemeModel, texts: Sequence[str], max_texts: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each previous match-reference theme, and sub-theme, as the unit mean new
    vector of its comments (a sub-theme's: those it is the best child of their
    theme for); a row without comments is zero.

    The comments are those of ``texts`` the new model embedded while fitting
    when it did (the vectors are reused), else a seeded sample of ``max_texts``."""
    prev_ids, prev_cents = previous.match_reference()
    sub_ids, sub_cents = previous.match_reference(subthemes=True)
    uniq, w = distinct_usable(texts, model.brand_terms)
    fitted = model.fitted_encodings() if _same_encoder(model, previous) else None
    rows = fitted[0] if fitted is not None else {}
    known = np.array([str(t) in rows for t in uniq], dtype=bool)
    if fitted is not None and known.any():  # the texts the fit embedded, not again
        uniq, w = uniq[known], w[known]
        raw = fitted[1][[rows[str(t)] for t in uniq]]
        x_new, x_prev = unit(raw - model.mean_), unit(raw - previous.mean_)
    else:
        if len(uniq) > max_texts:
            pick = np.sort(np.random.RandomState(0).choice(len(uniq), max_texts, replace=False))
            uniq, w = uniq[pick], w[pick]
        x_new, x_prev = _both_embedded(model, previous, uniq)
    s_prev = x_prev @ prev_cents.T
    owner = np.where(s_prev.max(1) > previous.none_threshold_, s_prev.argmax(1), -1)
    position = {tid: g for g, tid in enumerate(prev_ids)}
    parents = np.array([position.get(split_id(s)[0], -3) for s in sub_ids], dtype=np.int64)
    best = best_children(parents, owner, x_prev @ np.asarray(sub_cents).T)

    def means(groups: np.ndarray, n: int) -> np.ndarray:
        proj = np.zeros((n, x_new.shape[1]), dtype=np.float32)
        for j in range(n):
            members = groups == j
            if members.any():
                proj[j] = unit((x_new[members] * w[members, None]).sum(0))
        return proj

    return means(owner, len(prev_ids)), means(best, len(sub_ids))


def match_previous_ids(
    model: ThemeModel,
    previous: ThemeModel,
    texts: Sequence[str],
    *,
    threshold: float = 0.5,
    reserved: Collection[str] = (),
    max_texts: int = 5000,
) -> tuple[ThemeModel, list[str], list[str]]:
    """Give a freshly fitted model's themes and sub-themes the ids of the previous model's.

    Each previous theme is projected into the new space as the mean new vector
    of the ``texts`` the previous model assigns to it. New and projected
    centroids are paired by the Hungarian algorithm on cosine; a pair at or
    above ``threshold`` keeps the previous id, other new themes get ids after
    the largest id used so far (including ``reserved``). Themes are ordered by id.
    Then, within each theme id, its new sub-themes are paired with the previous
    sub-themes of that theme id the same way (each projected from the comments
    it is the best child of its theme for); unmatched ones take the next
    number under their theme id (see :mod:`~feedback_nlp.themes.subtree`).

    Returns the renumbered model, notes for the user, and the previous ids
    (themes and sub-themes) that found no match.
    """
    from scipy.optimize import linear_sum_assignment

    prev_ids = previous.match_reference()[0]
    prev_sub_ids = previous.match_reference(subthemes=True)[0]
    proj, sub_proj = _projected(model, previous, texts, max_texts)
    sim = model.centroids_ @ proj.T
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
    sub_parents = [final[g] for g in model.subtheme_parents()]
    sub_ids, fresh = matched_ids(
        sub_parents,
        model.subcentroids(),
        prev_sub_ids,
        sub_proj,
        taken=[s["theme_id"] for s in previous.subtheme_rows()],
        threshold=threshold,
    )
    notes += _subtheme_notes(model, previous, final, sub_ids, fresh, prev_sub_ids)
    # every previous sub-theme id absent now (its codebook entries are skipped, not errors)
    prev_rows = [str(s["theme_id"]) for s in previous.subtheme_rows()]
    missing += [s for s in dict.fromkeys([*prev_sub_ids, *prev_rows]) if s not in sub_ids]
    order = sorted(range(len(final)), key=lambda g: (theme_number(final[g]), final[g]))
    return model.with_theme_ids(final, order, sub_ids), notes, missing


def _subtheme_notes(
    model: ThemeModel,
    previous: ThemeModel,
    final: Sequence[str],
    sub_ids: Sequence[str],
    fresh: Sequence[int],
    prev_sub_ids: Sequence[str],
) -> list[str]:
    """One note listing the new sub-themes of themes that kept their id and had
    sub-themes, one listing the previous sub-themes of those themes that did not
    come back."""
    kept = set(final) & set(previous.match_reference()[0])
    split_before = {split_id(s)[0] for s in prev_sub_ids} & kept
    rows = model.subtheme_rows()
    new = [
        f"{sub_ids[j]} ({rows[j]['label']})"
        for j in fresh
        if split_id(sub_ids[j])[0] in split_before
    ]
    labels = {s["theme_id"]: s["label"] for s in previous.subtheme_rows()}
    gone = [
        f"{s} ({labels.get(s, 'merged or moved')})"
        for s in prev_sub_ids
        if s not in sub_ids and split_id(s)[0] in kept
    ]
    notes = []
    if new:
        notes.append(f"New sub-themes, no previous match: {', '.join(new)}.")
    if gone:
        notes.append(f"Previous sub-themes with no match now: {', '.join(gone)}.")
    return notes
