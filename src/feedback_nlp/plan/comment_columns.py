"""The comment table as the result shows it: theme labels beside the ids, no empty extras.

Each chunk writes theme ids (``T01;T05``); once the themes are known the
table gets ``theme_labels`` (and ``subtheme_labels``) beside them, the labels
in the ids' order joined by the same ``;``, so nobody has to split, explode
and join to read a comment's themes. Columns the analysis was not asked for
are left out instead of written empty: ``date`` without a date column, the
sub-theme columns with ``subthemes=0`` and no sub-theme in the themes table.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["finish_comments", "label_lists", "SEPARATOR"]

#: Joins the ids of a comment's themes, and their labels.
SEPARATOR = ";"


def label_lists(ids: pd.Series, labels: dict[str, str]) -> pd.Series:
    """Each ``;``-joined list of theme ids as the list of their labels, in the same order.

    An id missing from ``labels`` stands for itself; the labels of a list are
    looked up once per distinct list (a million comments carry a few hundred).

    >>> label_lists(pd.Series(["T01;T02", "", "T02"]), {"T01": "price", "T02": "wifi"}).tolist()
    ['price;wifi', '', 'wifi']
    """
    text = ids.fillna("").astype(str)
    joined = {
        value: SEPARATOR.join(labels.get(t, t) for t in value.split(SEPARATOR) if t)
        for value in text.unique()
    }
    return pd.Series(text.map(joined).to_numpy(dtype=object), index=ids.index, dtype=object)


def finish_comments(
    comments: pd.DataFrame, themes: pd.DataFrame, *, dated: bool, subthemes: bool
) -> pd.DataFrame:
    """``comments`` with label columns after ``themes`` and ``subthemes``, unasked columns out.

    ``themes`` is the theme table (``theme_id``, ``label``, both levels);
    ``dated``: the survey has a date column; ``subthemes``: sub-themes were
    asked for or found (else ``primary_subtheme`` and ``subthemes`` are dropped).
    """
    labels = dict(zip(themes["theme_id"].astype(str), themes["label"].astype(str), strict=True))
    out = comments.copy()
    if not dated:
        out = out.drop(columns=["date"], errors="ignore")
    if not subthemes:
        out = out.drop(columns=["primary_subtheme", "subthemes"], errors="ignore")
    for ids, named in (("themes", "theme_labels"), ("subthemes", "subtheme_labels")):
        if ids in out.columns:
            out.insert(out.columns.get_loc(ids) + 1, named, label_lists(out[ids], labels))
    return out
