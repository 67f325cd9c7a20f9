"""The sub-theme tree's ids and edits, shared by re-fits and codebook edits.

A sub-theme's id is its theme's id, a dot and a number (``T03.2``). The
number is kept across re-fits and codebook edits: a new sub-theme of a theme
takes the previous sub-theme of the same theme id it matches (Hungarian
assignment on centroid cosine, as themes are matched: see
:mod:`~feedback_nlp.themes.matching`), and an unmatched one the next number
after the largest that theme id ever used, so a number is never given to
another sub-theme. :func:`settle_tree` turns an edited tree (merged or moved
sub-themes) into the model's state without splitting the themes afresh.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from .model_schema import SUB_ID
from .vectors import unit

__all__ = [
    "SUB_CENTRAL",
    "split_id",
    "is_subtheme_id",
    "next_free",
    "matched_ids",
    "best_children",
    "central_texts",
    "settle_tree",
]

#: Most central comments of a sub-theme its label is mined from.
SUB_CENTRAL = 40


def split_id(sid: str) -> tuple[str, int]:
    """A sub-theme id's theme id and number; ValueError for anything else.

    >>> split_id("T03.12")
    ('T03', 12)
    """
    m = SUB_ID.fullmatch(sid)
    if m is None:
        raise ValueError(f"{sid!r} is not a sub-theme id (like T03.2)")
    return m.group(1), int(m.group(2))


def is_subtheme_id(value: Any) -> bool:
    """Whether ``value`` is a sub-theme id (``T03.2``), not a theme id.

    >>> is_subtheme_id("T03.2"), is_subtheme_id("T03")
    (True, False)
    """
    return isinstance(value, str) and SUB_ID.fullmatch(value) is not None


def next_free(parent: str, taken: Collection[str]) -> str:
    """The id after the largest number ``taken`` holds under ``parent``.

    >>> next_free("T03", ["T03.1", "T03.4", "T05.9"])
    'T03.5'
    """
    used = [split_id(s)[1] for s in taken if is_subtheme_id(s) and split_id(s)[0] == parent]
    return f"{parent}.{max(used, default=0) + 1}"


def matched_ids(
    parents: Sequence[str],
    cents: np.ndarray,
    ref_ids: Sequence[str],
    ref_cents: np.ndarray,
    taken: Collection[str] = (),
    threshold: float = 0.5,
) -> tuple[list[str], list[int]]:
    """Ids for sub-themes (theme ids ``parents``, unit centroids ``cents``).

    Within each theme id, the sub-themes and the reference sub-themes of the
    same theme id (``ref_ids``, centroids ``ref_cents`` in the same space; a
    zero row never matches) are paired by the Hungarian algorithm on cosine;
    a pair at or above ``threshold`` keeps the reference id. The others take
    the next number under their theme id after every id in ``ref_ids``,
    ``taken`` and those already given, in order. Returns the ids and the
    positions of the sub-themes that took a new number.
    """
    from scipy.optimize import linear_sum_assignment

    out: list[str | None] = [None] * len(parents)
    ref_parent = [split_id(r)[0] for r in ref_ids]
    for pid in dict.fromkeys(parents):
        rows = [j for j, p in enumerate(parents) if p == pid]
        cols = [i for i, p in enumerate(ref_parent) if p == pid]
        if not cols:
            continue
        sim = np.asarray(cents)[rows] @ np.asarray(ref_cents)[cols].T
        for r, c in zip(*linear_sum_assignment(-sim), strict=True):
            if sim[r, c] >= threshold:
                out[rows[r]] = ref_ids[cols[c]]
    used = set(taken) | set(ref_ids) | {s for s in out if s is not None}
    fresh = []
    for j, sid in enumerate(out):
        if sid is None:
            out[j] = next_free(parents[j], used)
            used.add(str(out[j]))
            fresh.append(j)
    return [str(s) for s in out], fresh


def best_children(parents: np.ndarray, primary: np.ndarray, sub_scores: np.ndarray) -> np.ndarray:
    """Each row's best sub-theme among the children of its theme ``primary``:
    -1 when the row has no theme, -2 when its theme has no sub-themes.

    >>> best_children(np.array([0, 0, 1]), np.array([0, 1, 2, -1]),
    ...               np.array([[.1, .9, .5]] * 4)).tolist()
    [1, 2, -2, -1]
    """
    out = np.where(primary >= 0, -2, -1).astype(np.int64)
    if not len(parents):
        return out
    masked = np.where(parents[None, :] == primary[:, None], sub_scores, -np.inf)
    best = masked.argmax(1)
    found = np.isfinite(masked[np.arange(len(masked)), best]) & (primary >= 0)
    out[found] = best[found]
    return out


def central_texts(
    texts: np.ndarray,
    sims: np.ndarray,
    best: np.ndarray,
    top: int,
    prefer: np.ndarray | None = None,
) -> list[list[str]]:
    """For each column ``j`` of ``sims``, the ``top`` texts most similar to it among
    those whose ``best`` is ``j`` (ties by position): the comments a theme's or
    sub-theme's label is mined from. With ``prefer`` (a boolean per text), the
    preferred texts come first (already parsed ones, say), then the others.

    >>> central_texts(np.array(["a", "b", "c"]), np.array([[.9, 0], [.5, 0], [0, .7]]),
    ...               np.array([0, 0, 1]), top=1)
    [['a'], ['c']]
    >>> central_texts(np.array(["a", "b", "c"]), np.array([[.9, 0], [.5, 0], [0, .7]]),
    ...               np.array([0, 0, 1]), top=1, prefer=np.array([False, True, False]))
    [['b'], ['c']]
    """
    first = np.zeros(len(texts), dtype=bool) if prefer is None else np.asarray(prefer, bool)
    out = []
    for j in range(sims.shape[1]):
        idx = np.flatnonzero(best == j)
        idx = idx[np.lexsort((idx, -sims[idx, j], ~first[idx]))][:top]
        out.append([str(texts[i]) for i in idx])
    return out


def settle_tree(
    rows: Sequence[Mapping[str, Any]],
    themes: Sequence[Mapping[str, Any]],
    centroids: np.ndarray,
    texts: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    *,
    hasher: Any,
    seed: int,
    banned: Sequence[str],
    exclude: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]], Any]:
    """The model state of an edited tree, on the distinct training comments
    ``texts`` (unit vectors ``x``, counts ``w``) of themes ``themes``
    (``centroids``).

    ``rows`` are sub-themes: ``theme_id``, ``parent_id`` (an id of
    ``themes``), ``label`` (None: labelled against its siblings),
    ``keywords`` and a unit ``centroid``. Returns the sub-theme centroids and
    parents (grouped by theme in the themes' order, by number within one),
    the sub-theme rows with their sizes on ``texts``, and the fast path's
    sub-theme classifier (None without ``hasher`` or two sub-themes with comments).
    New labels use neither ``banned`` words nor the segment values ``exclude``.
    """
    from .labels import theme_labels

    position = {str(t["theme_id"]): g for g, t in enumerate(themes)}
    rows = sorted(
        rows, key=lambda r: (position[str(r["parent_id"])], split_id(str(r["theme_id"]))[1])
    )
    d = centroids.shape[1]
    cents = (
        unit(np.vstack([np.asarray(r["centroid"], dtype=np.float32) for r in rows]))
        if rows
        else np.zeros((0, d), np.float32)
    )
    parent = np.array([position[str(r["parent_id"])] for r in rows], dtype=np.int64)
    best = np.full(len(texts), -1, dtype=np.int64)
    sims = np.zeros((len(texts), len(rows)), dtype=np.float32)
    if len(texts) and len(rows):
        sims = x @ cents.T
        best = best_children(parent, (x @ centroids.T).argmax(1), sims)
    has = best >= 0
    sizes = np.bincount(best[has], w[has], len(rows)).astype(int)
    labels: list[str | None] = [r.get("label") for r in rows]
    unlabelled = sorted({int(parent[j]) for j, lab in enumerate(labels) if lab is None})
    every = central_texts(texts, sims, best, top=SUB_CENTRAL) if unlabelled else []
    for g in unlabelled:
        kids = np.flatnonzero(parent == g)
        central = [every[j] for j in kids]
        taken = [str(t["label"]) for t in themes] + [lab for lab in labels if lab is not None]
        fresh = theme_labels(
            central,
            banned=banned,
            taken=taken,
            kin=[{str(themes[g]["label"])}] * len(kids),
            tree=True,
            exclude=exclude,
        )
        for j, (lab, kw) in zip(kids, fresh, strict=True):
            if labels[j] is None:
                labels[j] = lab
                rows[j] = {**rows[j], "keywords": kw}
    out = [
        {
            "theme_id": str(r["theme_id"]),
            "parent_id": str(r["parent_id"]),
            "label": str(labels[j]),
            "keywords": [str(k) for k in r.get("keywords", [])],
            "size": int(sizes[j]),
        }
        for j, r in enumerate(rows)
    ]
    fast_sub = None
    if hasher is not None and len(np.unique(best[has])) >= 2:
        from .fastpath import fit_fast_sub, hashed_ngrams

        fast_sub = fit_fast_sub(
            hashed_ngrams(hasher, list(texts)), np.where(has, best, -1), parent, w, seed
        )
    return cents, parent, out, fast_sub
