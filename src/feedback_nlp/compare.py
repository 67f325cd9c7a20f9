"""The heart of the tool: which themes detractors raise more than promoters.

For every theme, within a set of respondents (everyone, or one segment value):

* ``share_<group>`` = comments of that group carrying the theme / comments of
  that group with usable text;
* ``diff_pp`` = 100 * (share_detractors - share_promoters);
* ``lift`` = share ratio detractors / promoters, each share smoothed by +0.5 / +1
  (Haldane) so a theme no promoter mentions still has a finite lift;
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
from typing import Any

import numpy as np
import pandas as pd

from .result import TERM_COLUMNS

__all__ = ["theme_table", "add_q_values", "pick_examples", "term_log_odds"]


def _p_value(a: int, n1: int, b: int, n2: int) -> float:
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


def theme_table(
    groups: np.ndarray,
    member: np.ndarray,
    usable: np.ndarray,
    sentiment: np.ndarray,
    theme_ids: Sequence[str],
) -> pd.DataFrame:
    """Comparison statistics of every theme within one set of respondents.

    Parameters
    ----------
    groups : array of 'detractor' / 'passive' / 'promoter', one per respondent.
    member : bool array (n_respondents, n_themes), True where the comment carries the theme.
    usable : bool array, True where the comment has usable text.
    sentiment : VADER compound per respondent (NaN without text).
    theme_ids : the column names of ``member``.

    Returns one row per theme, without q-values (see :func:`add_q_values`).
    """
    g = np.asarray(groups, dtype=object)
    m = np.asarray(member, dtype=bool)
    masks = {name: g == name for name in ("detractor", "passive", "promoter")}
    with_text = {name: int(np.count_nonzero(mask & usable)) for name, mask in masks.items()}
    hits = {name: m[mask].sum(axis=0).astype(int) for name, mask in masks.items()}
    n_theme = m.sum(axis=0).astype(int)
    totals = {name: int(np.count_nonzero(mask)) for name, mask in masks.items()}
    n_all = sum(totals.values())
    nps_all = 100.0 * (totals["promoter"] - totals["detractor"]) / n_all if n_all else np.nan
    theme_nps = _nps(hits["promoter"], hits["detractor"], n_theme)
    rest_n = n_all - n_theme
    rest_nps = _nps(totals["promoter"] - hits["promoter"], totals["detractor"] - hits["detractor"], rest_n)
    impact = np.where(rest_n > 0, nps_all - rest_nps, np.nan)

    def share(name: str) -> np.ndarray:
        return hits[name] / with_text[name] if with_text[name] else np.full(len(n_theme), np.nan)

    s_det, s_pas, s_pro = share("detractor"), share("passive"), share("promoter")
    n_d, n_p = with_text["detractor"], with_text["promoter"]
    lift = ((hits["detractor"] + 0.5) / (n_d + 1)) / ((hits["promoter"] + 0.5) / (n_p + 1))
    sent = np.nan_to_num(np.asarray(sentiment, dtype=float), nan=0.0)
    sent_sum = (m * sent[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_sent = np.where(n_theme > 0, sent_sum / np.maximum(n_theme, 1), np.nan)
    p_values = [
        _p_value(int(hits["detractor"][j]), n_d, int(hits["promoter"][j]), n_p)
        for j in range(len(theme_ids))
    ]
    return pd.DataFrame(
        {
            "theme_id": list(theme_ids),
            "n_comments": n_theme,
            "n_detractors": hits["detractor"],
            "n_passives": hits["passive"],
            "n_promoters": hits["promoter"],
            "share_detractors": s_det,
            "share_passives": s_pas,
            "share_promoters": s_pro,
            "diff_pp": 100.0 * (s_det - s_pro),
            "lift": lift,
            "p_value": p_values,
            "nps": theme_nps,
            "nps_impact": impact,
            "mean_sentiment": mean_sent,
        }
    )


def add_q_values(tables: Sequence[pd.DataFrame], alpha: float) -> list[pd.DataFrame]:
    """Benjamini-Hochberg q-values across all tables' p-values together."""
    from scipy.stats import false_discovery_control

    p = np.concatenate([t["p_value"].to_numpy(dtype=float) for t in tables]) if tables else []
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


def pick_examples(
    scores: np.ndarray,
    texts: Sequence[str],
    eligible: np.ndarray,
    count: int,
) -> list[list[int]]:
    """For each theme, the rows of its ``count`` most representative distinct comments.

    Representative = highest membership score among eligible rows; ties are
    broken by row order so the choice is deterministic.
    """
    chosen: list[list[int]] = []
    rows = np.flatnonzero(eligible)
    for j in range(scores.shape[1]):
        col = scores[rows, j]
        order = rows[np.lexsort((rows, -col))]
        picked: list[int] = []
        seen: set[str] = set()
        for r in order:
            if scores[r, j] <= 0:
                break
            key = texts[r].strip().lower()
            if key in seen:
                continue
            seen.add(key)
            picked.append(int(r))
            if len(picked) == count:
                break
        chosen.append(picked)
    return chosen


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
    delta = np.log((y_d + alpha_w) / (n_d + a0 - y_d - alpha_w)) - np.log(
        (y_p + alpha_w) / (n_p + a0 - y_p - alpha_w)
    )
    z = delta / np.sqrt(1.0 / (y_d + alpha_w) + 1.0 / (y_p + alpha_w))
    rows: list[dict[str, Any]] = []
    for side, order in (("detractor", np.lexsort((vocab, -z))), ("promoter", np.lexsort((vocab, z)))):
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
