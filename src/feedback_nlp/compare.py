"""The heart of the tool: which themes detractors raise more than promoters.

For every theme, within a set of respondents (everyone, or one segment value):

* ``share_<group>`` = comments of that group carrying the theme / comments of
  that group with usable text;
* ``diff_pp`` = 100 * (share_detractors - share_promoters);
* ``lift`` = share ratio detractors / promoters, each share smoothed by +0.5 / +1
  (Haldane) so a theme no promoter mentions still has a finite lift; empty (NaN)
  when no detractor or promoter comment carries the theme, or the set has no
  detractor or no promoter comments: there is no ratio to report;
* ``p_value``: Fisher's exact test on the 2x2 table (theme yes/no x detractor /
  promoter) when an expected count is below 5, otherwise the pooled
  two-proportion z test;
* ``q_value``: Benjamini-Hochberg across every test of the run (overall and all
  segment values together);
* ``nps`` of the respondents whose comment carries the theme, and ``nps_impact``
  = NPS(all) - NPS(all without those respondents): negative when the theme drags
  the score down.

Term level: log-odds ratios with an informative Dirichlet prior (Monroe,
Colaresi & Quinn 2008), detractor vs promoter comments, as z-scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .result import TERM_COLUMNS

__all__ = [
    "example_score",
    "ThemeCounts",
    "theme_counts",
    "table_from_counts",
    "theme_table",
    "add_q_values",
    "pick_examples",
    "term_log_odds",
    "two_proportion_p",
    "themes_in_order",
    "top_detractor_themes",
]


def two_proportion_p(a: int, n1: int, b: int, n2: int) -> float:
    """Two-sided p-value for a/n1 vs b/n2: Fisher exact for small expected counts."""
    if n1 == 0 or n2 == 0:
        return float("nan")
    total = n1 + n2
    hits = a + b
    expected = min(hits * n1, hits * n2, (total - hits) * n1, (total - hits) * n2) / total
    if expected < 5:
        from scipy.stats import fisher_exact

        return float(fisher_exact([[a, n1 - a], [b, n2 - b]]).pvalue)
    pooled = hits / total
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (a / n1 - b / n2) / se
    return math.erfc(abs(z) / math.sqrt(2.0))


def _nps(pro: np.ndarray, det: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, 100.0 * (pro - det) / np.maximum(n, 1), np.nan)


@dataclass(frozen=True)
class ThemeCounts:
    """Sufficient statistics of the theme comparison for one set of respondents.

    Additive: the counts of two disjoint sets (e.g. two partitions of a file)
    add up to the counts of their union, which is how the Dask engine combines
    partitions. Sentiment is summed in units of 1e-4 (VADER's compound has four
    decimals) so the sum is exact whatever the order.
    """

    totals: np.ndarray  # (3,) respondents per group: detractor, passive, promoter
    with_text: np.ndarray  # (3,) respondents with usable text per group
    hits: np.ndarray  # (3, k) comments carrying each theme per group
    sentiment_e4: np.ndarray  # (k,) sum of compound * 1e4 over the theme's comments
    mention_e4: np.ndarray  # (k,) sum of mention sentiment * 1e4 over the theme's comments
    negative_mentions: np.ndarray  # (k,) the theme's comments whose mention is negative

    def __add__(self, other: ThemeCounts) -> ThemeCounts:
        return ThemeCounts(
            self.totals + other.totals,
            self.with_text + other.with_text,
            self.hits + other.hits,
            self.sentiment_e4 + other.sentiment_e4,
            self.mention_e4 + other.mention_e4,
            self.negative_mentions + other.negative_mentions,
        )


_GROUP_ORDER = ("detractor", "passive", "promoter")
#: A mention at or below this sentiment (1e-4 units) is negative: ``sentiment.NEGATIVE_AT``.
_NEGATIVE_E4 = -500


def theme_counts(
    groups: np.ndarray,
    member: np.ndarray,
    usable: np.ndarray,
    sentiment: np.ndarray,
    mention: np.ndarray | None = None,
) -> ThemeCounts:
    """Count what :func:`table_from_counts` needs, from one row per respondent.

    Parameters
    ----------
    groups : array of 'detractor' / 'passive' / 'promoter', one per respondent.
    member : bool array (n_respondents, n_themes), True where the comment carries the theme.
    usable : bool array, True where the comment has usable text.
    sentiment : the comment's sentiment per respondent (NaN without text).
    mention : ``(n_respondents, n_themes)``, the sentiment of each comment's
        mention of each theme (read where ``member``); None: the comment's own.
    """
    g = np.asarray(groups, dtype=object)
    m = np.asarray(member, dtype=bool)
    masks = [g == name for name in _GROUP_ORDER]
    sent = _e4(sentiment)
    if mention is None:
        mention_e4 = _weighted_column_sums(m, sent)
        negative = _weighted_column_sums(m, (sent <= _NEGATIVE_E4).astype(np.int64))
    else:
        ments = _e4(np.where(m, mention, 0.0))
        mention_e4 = ments.sum(axis=0, dtype=np.int64)
        negative = (m & (ments <= _NEGATIVE_E4)).sum(axis=0).astype(np.int64)
    return ThemeCounts(
        totals=np.array([np.count_nonzero(mask) for mask in masks], dtype=np.int64),
        with_text=np.array([np.count_nonzero(mask & usable) for mask in masks], dtype=np.int64),
        hits=np.vstack([m[mask].sum(axis=0) for mask in masks]).astype(np.int64)
        if m.shape[1]
        else np.zeros((3, 0), dtype=np.int64),
        sentiment_e4=_weighted_column_sums(m, sent),
        mention_e4=mention_e4,
        negative_mentions=negative,
    )


def _e4(values: np.ndarray) -> np.ndarray:
    """Sentiment in units of 1e-4, as int64 (NaN as 0): sums are exact in any order."""
    return np.rint(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0) * 1e4).astype(np.int64)


def _weighted_column_sums(m: np.ndarray, w: np.ndarray, step: int = 65_536) -> np.ndarray:
    """``(m * w[:, None]).sum(axis=0)`` in int64, ``step`` rows at a time: in one go
    the product is an (n, k) int64 array (1.4 GB for a million comments and 176
    themes and sub-themes).

    >>> _weighted_column_sums(np.array([[True, False], [True, True]]), np.array([3, 4]), step=1)
    array([7, 4])
    """
    out = np.zeros(m.shape[1], dtype=np.int64)
    for lo in range(0, len(m), step):
        out += (m[lo : lo + step] * w[lo : lo + step, None]).sum(axis=0, dtype=np.int64)
    return out


def table_from_counts(counts: ThemeCounts, theme_ids: Sequence[str]) -> pd.DataFrame:
    """Comparison statistics of every theme from its counts (no q-values yet)."""
    det, pas, pro = (counts.hits[i] for i in range(3))
    t_det, _, t_pro = (int(v) for v in counts.totals)
    n_d, n_pa, n_p = (int(v) for v in counts.with_text)
    n_theme = det + pas + pro
    n_all = int(counts.totals.sum())
    nps_all = 100.0 * (t_pro - t_det) / n_all if n_all else np.nan
    rest_n = n_all - n_theme
    impact = np.where(rest_n > 0, nps_all - _nps(t_pro - pro, t_det - det, rest_n), np.nan)

    def share(hits: np.ndarray, n: int) -> np.ndarray:
        return hits / n if n else np.full(len(hits), np.nan)

    s_det, s_pas, s_pro = share(det, n_d), share(pas, n_pa), share(pro, n_p)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_sent = np.where(
            n_theme > 0, counts.sentiment_e4 / 1e4 / np.maximum(n_theme, 1), np.nan
        )
        mean_mention = np.where(
            n_theme > 0, counts.mention_e4 / 1e4 / np.maximum(n_theme, 1), np.nan
        )
        negative_share = np.where(
            n_theme > 0, counts.negative_mentions / np.maximum(n_theme, 1), np.nan
        )
    return pd.DataFrame(
        {
            "theme_id": list(theme_ids),
            "n_comments": n_theme,
            "n_detractors": det,
            "n_passives": pas,
            "n_promoters": pro,
            "share_detractors": s_det,
            "share_passives": s_pas,
            "share_promoters": s_pro,
            "diff_pp": 100.0 * (s_det - s_pro),
            "lift": _lift(det, n_d, pro, n_p),
            "p_value": [two_proportion_p(int(a), n_d, int(b), n_p) for a, b in zip(det, pro)],
            "nps": _nps(pro, det, n_theme),
            "nps_impact": impact,
            "mean_sentiment": mean_sent,
            "mentions": n_theme,
            "share_negative_mentions": negative_share,
            "mean_mention_sentiment": mean_mention,
        }
    )


def _lift(det: np.ndarray, n_d: int, pro: np.ndarray, n_p: int) -> np.ndarray:
    """Haldane-smoothed share ratio detractors / promoters; NaN where it would be a
    ratio of nothing: no detractor or no promoter comment to divide by, or no
    detractor or promoter comment carrying the theme (the smoothing alone would
    give such a row a lift of ``(n_p + 1) / (n_d + 1)``).

    >>> _lift(np.array([4, 0, 0]), 9, np.array([1, 0, 3]), 19).round(2).tolist()
    [6.0, nan, 0.29]
    >>> _lift(np.array([4]), 9, np.array([1]), 0).tolist()
    [nan]
    """
    det = np.asarray(det, dtype=float)
    pro = np.asarray(pro, dtype=float)
    lift = ((det + 0.5) / (n_d + 1)) / ((pro + 0.5) / (n_p + 1))
    empty = (det + pro == 0) | (n_d == 0) | (n_p == 0)
    return np.where(empty, np.nan, lift)


def theme_table(
    groups: np.ndarray,
    member: np.ndarray,
    usable: np.ndarray,
    sentiment: np.ndarray,
    theme_ids: Sequence[str],
) -> pd.DataFrame:
    """Comparison statistics of every theme within one set of respondents.

    See :func:`theme_counts` for the parameters. Returns one row per theme,
    without q-values (see :func:`add_q_values`).
    """
    return table_from_counts(theme_counts(groups, member, usable, sentiment), theme_ids)


def add_q_values(tables: Sequence[pd.DataFrame], alpha: float) -> list[pd.DataFrame]:
    """Benjamini-Hochberg q-values across all tables' p-values together, within
    each ``level`` (themes, sub-themes) when the tables have one."""
    if tables and all("level" in t.columns for t in tables):
        levels = sorted({int(v) for t in tables for v in t["level"]})
        if len(levels) > 1:
            parts = {
                lv: add_q_values([t[t["level"] == lv] for t in tables], alpha) for lv in levels
            }
            return [
                pd.concat([parts[lv][i] for lv in levels]).loc[t.index]
                for i, t in enumerate(tables)
            ]
    from scipy.stats import false_discovery_control

    p: np.ndarray = (
        np.concatenate([t["p_value"].to_numpy(dtype=float) for t in tables])
        if tables
        else np.zeros(0)
    )
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = false_discovery_control(p[ok], method="bh")
    out = []
    start = 0
    for t in tables:
        t = t.copy()
        t["q_value"] = q[start : start + len(t)]
        t["significant"] = t["q_value"] < alpha
        start += len(t)
        out.append(t)
    return out


def _column(
    scores: Any, j: int, rows: np.ndarray, eligible: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The eligible rows of column ``j`` that may be picked, and their scores:
    every eligible row of a dense matrix, the stored entries of a sparse (CSC) one."""
    if hasattr(scores, "indptr"):
        a, b = scores.indptr[j], scores.indptr[j + 1]
        r, v = scores.indices[a:b], scores.data[a:b]
        keep = eligible[r]
        return r[keep].astype(np.int64), example_score(np.asarray(v[keep]))
    return rows, example_score(scores[rows, j])


def example_score(scores: Any) -> Any:
    """Scores as examples are ranked by: to 6 decimals, so that one text scored in
    two chunks (float32 sums in another order differ in the last bit) ties and
    the earlier row wins under any partitioning.

    >>> float(example_score(np.float32(0.70000005))) == float(example_score(np.float32(0.7)))
    True
    """
    return np.round(np.asarray(scores, dtype=np.float64), 6)


def pick_examples(
    scores: Any,
    texts: Sequence[str],
    eligible: np.ndarray,
    count: int,
) -> list[list[int]]:
    """For each theme, the rows of its ``count`` most representative distinct comments.

    Representative = highest membership score among eligible rows; ties are
    broken by row order so the choice is deterministic. ``scores`` is a dense
    ``(n, k)`` array or a sparse CSC matrix (only stored entries are candidates).
    Only the best ``16 * count`` scores (and any tied with the last of them) are
    sorted, unless duplicates exhaust them.
    """
    chosen: list[list[int]] = []
    all_rows = np.flatnonzero(eligible)
    top = 16 * max(count, 1)
    for j in range(scores.shape[1]):
        rows, col = _column(scores, j, all_rows, eligible)
        picked = _distinct_best(_best_first(rows, col, top), rows, col, texts, count)
        if len(picked) < count and len(rows) > top:  # duplicates used the shortlist up
            picked = _distinct_best(_best_first(rows, col, len(rows)), rows, col, texts, count)
        chosen.append(picked)
    return chosen


def _distinct_best(
    order: np.ndarray, rows: np.ndarray, col: np.ndarray, texts: Sequence[str], count: int
) -> list[int]:
    """The first ``count`` rows of distinct text among ``rows[order]`` with a positive score."""
    picked: list[int] = []
    seen: set[str] = set()
    for pos in order.tolist():
        if col[pos] <= 0:
            break
        r = int(rows[pos])
        key = texts[r].strip().lower()
        if key in seen:
            continue
        seen.add(key)
        picked.append(r)
        if len(picked) == count:
            break
    return picked


def _best_first(rows: np.ndarray, col: np.ndarray, top: int) -> np.ndarray:
    """Positions in ``rows`` by score (highest first, ties by row): only the
    ``top`` best and those tied with the last of them."""
    if len(rows) <= top:
        return np.lexsort((rows, -col))
    cut = np.partition(col, len(col) - top)[len(col) - top]
    short = np.flatnonzero(col >= cut)
    return short[np.lexsort((rows[short], -col[short]))]


def term_log_odds(
    texts: Sequence[str],
    groups: np.ndarray,
    top: int = 20,
    prior: float = 500.0,
    max_docs: int = 200_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Words and two-word phrases most typical of detractors vs promoters.

    Log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008,
    eq. 22): the prior is the whole corpus' term frequencies scaled to
    ``prior`` pseudo-counts. Returns the ``top`` terms on each side, by z-score.
    Above ``max_docs`` comments the counts come from a seeded random sample of
    ``max_docs`` of them (the z-scores of frequent terms barely move; the
    counts in the table are then the sample's).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    g = np.asarray(groups, dtype=object)
    if len(texts) > max_docs:
        keep = np.sort(np.random.default_rng(seed).choice(len(texts), max_docs, replace=False))
        texts = [texts[i] for i in keep]
        g = g[keep]
    empty = pd.DataFrame(columns=list(TERM_COLUMNS))
    if len(texts) == 0 or not (g == "detractor").any() or not (g == "promoter").any():
        return empty
    vec = CountVectorizer(
        ngram_range=(1, 2),
        stop_words="english",
        min_df=min(3, max(1, len(texts) // 200)),
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_']+\b",
        lowercase=True,
        dtype=np.int64,
    )
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # no term survives the filters
        return empty
    vocab = vec.get_feature_names_out()
    y_d = np.asarray(x[g == "detractor"].sum(axis=0)).ravel().astype(float)
    y_p = np.asarray(x[g == "promoter"].sum(axis=0)).ravel().astype(float)
    y_all = np.asarray(x.sum(axis=0)).ravel().astype(float)
    alpha_w = y_all * (prior / y_all.sum())
    a0 = alpha_w.sum()
    n_d, n_p = y_d.sum(), y_p.sum()
    # One term alone (every comment "fine") has nothing to be set against: its odds
    # divide by zero. Such a term counts as no difference (z 0) and is left out.
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_d + alpha_w) / (n_d + a0 - y_d - alpha_w)) - np.log(
            (y_p + alpha_w) / (n_p + a0 - y_p - alpha_w)
        )
        z = delta / np.sqrt(1.0 / (y_d + alpha_w) + 1.0 / (y_p + alpha_w))
    z = np.where(np.isfinite(z), z, 0.0)
    rows: list[dict[str, Any]] = []
    for side, order in (
        ("detractor", np.lexsort((vocab, -z))),
        ("promoter", np.lexsort((vocab, z))),
    ):
        for idx in order[:top]:
            if (side == "detractor" and z[idx] <= 0) or (side == "promoter" and z[idx] >= 0):
                break
            rows.append(
                {
                    "term": str(vocab[idx]),
                    "side": side,
                    "z": float(z[idx]),
                    "n_detractors": int(y_d[idx]),
                    "n_promoters": int(y_p[idx]),
                }
            )
    return pd.DataFrame(rows, columns=list(TERM_COLUMNS))


def themes_in_order(themes: pd.DataFrame) -> pd.DataFrame:
    """Themes by ``diff_pp``, largest first (missing last), ties by id: the reports' order.

    >>> t = pd.DataFrame({"theme_id": ["T1", "T2", "T3", "T4"], "diff_pp": [1.0, None, 5.0, 1.0]})
    >>> themes_in_order(t)["theme_id"].tolist()
    ['T3', 'T1', 'T4', 'T2']

    Sub-themes (``level`` 2) are left out: see :func:`subthemes_in_order`.
    """
    if "level" in themes.columns:
        themes = themes[pd.to_numeric(themes["level"], errors="coerce").fillna(1) == 1]
    if not len(themes):
        return themes
    d = pd.to_numeric(themes["diff_pp"], errors="coerce").fillna(-math.inf)
    t = themes.assign(_d=d).sort_values(["_d", "theme_id"], ascending=[False, True], kind="stable")
    return t.drop(columns="_d")


def subthemes_in_order(themes: pd.DataFrame, parent_id: str) -> pd.DataFrame:
    """The sub-themes of ``parent_id``, in the reports' order (as :func:`themes_in_order`).

    >>> t = pd.DataFrame({"theme_id": ["T1", "T1.1", "T1.2"], "level": [1, 2, 2],
    ...                   "parent_id": ["", "T1", "T1"], "diff_pp": [3.0, 1.0, 2.0]})
    >>> subthemes_in_order(t, "T1")["theme_id"].tolist()
    ['T1.2', 'T1.1']
    """
    if "level" not in themes.columns or not len(themes):
        return themes.iloc[0:0]
    subs = themes[(themes["level"] == 2) & (themes["parent_id"] == parent_id)]
    return themes_in_order(subs.assign(level=1)).assign(level=2)


def top_detractor_themes(themes: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The ``limit`` themes detractors raise most over promoters (``diff_pp`` > 0), in order.

    The one rule for "top detractor themes": the reports list them and the
    trends follow them (``summary.trends.top_detractor_themes``).

    >>> t = pd.DataFrame({"theme_id": ["T1", "T2", "T3"], "diff_pp": [-2.0, 4.0, 9.0]})
    >>> top_detractor_themes(t, 5)["theme_id"].tolist()
    ['T3', 'T2']
    """
    ordered = themes_in_order(themes)
    if not len(ordered):
        return ordered
    return ordered[pd.to_numeric(ordered["diff_pp"], errors="coerce") > 0].head(limit)
