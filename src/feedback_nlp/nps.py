"""Net Promoter Score arithmetic: classification, the adjusted-Wald interval, segment tests.

Formulas (documented in the README's Methods section):

* NPS = 100 * (P - D) / n, with P promoters, D detractors, n scored respondents.
* 95% interval, adjusted Wald (Rocks 2016): add 0.75 detractors, 1.5 passives
  and 0.75 promoters, so n' = n + 3, p'P = (P + 0.75) / n', p'D = (D + 0.75) / n';
  NPS' = p'P - p'D, var = (p'P + p'D) - NPS'^2, interval = 100 * (NPS' ± 1.96 *
  sqrt(var / n')), clipped to [-100, 100].
* Segment value against the rest: z = (NPS1 - NPS2) / sqrt(var1/n1' + var2/n2')
  with the adjusted variances above, two-sided normal p-value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .config import GROUPS, Scale
from .result import SEGMENT_COLUMNS
from .summary_types import NpsStats

__all__ = [
    "NpsStats",
    "classify",
    "group_counts",
    "nps_from_counts",
    "nps_stats",
    "compare_nps",
    "segment_table",
    "segment_counts",
    "segment_table_from_counts",
]

Z95 = 1.959963984540054


def classify(scores: np.ndarray | pd.Series, scale: Scale) -> np.ndarray:
    """Map scores to 'promoter' / 'passive' / 'detractor' with the scale's cut points.

    >>> classify(np.array([10, 8, 0]), Scale()).tolist()
    ['promoter', 'passive', 'detractor']
    """
    s = np.asarray(scores, dtype=float)
    out = np.full(s.shape, "passive", dtype=object)
    out[s >= scale.promoter_min] = "promoter"
    out[s <= scale.detractor_max] = "detractor"
    return out


def _adjusted(promoters: int, detractors: int, n: int) -> tuple[float, float, float]:
    """Adjusted-Wald (NPS', variance, n') for counts."""
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    diff = p - d
    return diff, (p + d) - diff * diff, n_adj


def nps_from_counts(promoters: int, passives: int, detractors: int) -> NpsStats:
    """NPS and its interval from group counts.

    >>> s = nps_from_counts(690, 392, 1271)
    >>> s.n, s.nps
    (2353, -24.69)
    """
    n = promoters + passives + detractors
    score = 100.0 * (promoters - detractors) / n if n else float("nan")
    diff, var, n_adj = _adjusted(promoters, detractors, n)
    half = Z95 * math.sqrt(max(var, 0.0) / n_adj)
    lo = max(-100.0, 100.0 * (diff - half))
    hi = min(100.0, 100.0 * (diff + half))
    return NpsStats(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        nps=round(score, 2),
        ci_low=round(lo, 2),
        ci_high=round(hi, 2),
    )


def group_counts(groups: np.ndarray | pd.Series) -> tuple[int, int, int]:
    """(promoters, passives, detractors) in an array of group labels."""
    g = np.asarray(groups, dtype=object)
    return (
        int(np.count_nonzero(g == "promoter")),
        int(np.count_nonzero(g == "passive")),
        int(np.count_nonzero(g == "detractor")),
    )


def nps_stats(groups: np.ndarray | pd.Series) -> NpsStats:
    """NPS of an array of group labels ('promoter', 'passive', 'detractor')."""
    return nps_from_counts(*group_counts(groups))


def compare_nps(a: NpsStats, b: NpsStats) -> tuple[float, float]:
    """Difference a - b in NPS points and the two-sided z-test p-value."""
    if a.n == 0 or b.n == 0:
        return float("nan"), float("nan")
    da, va, na = _adjusted(a.promoters, a.detractors, a.n)
    db, vb, nb = _adjusted(b.promoters, b.detractors, b.n)
    se = math.sqrt(va / na + vb / nb)
    z = (da - db) / se if se > 0 else 0.0
    p = math.erfc(abs(z) / math.sqrt(2.0))
    return round(a.nps - b.nps, 2), p


def segment_counts(frame: pd.DataFrame, segment_cols: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Per segment column, a value × group table of respondent counts (additive)."""
    return {
        col: pd.crosstab(frame[col].astype(str), frame["group"]).reindex(
            columns=list(GROUPS), fill_value=0
        )
        for col in segment_cols
    }


def segment_table(frame: pd.DataFrame, segment_cols: tuple[str, ...], low_n: int) -> pd.DataFrame:
    """One row per value of every segment column: counts, NPS, interval, test vs the rest.

    Values are sorted by segment column order, then by value (as text).
    """
    return segment_table_from_counts(segment_counts(frame, segment_cols), low_n)


def segment_table_from_counts(counts: dict[str, pd.DataFrame], low_n: int) -> pd.DataFrame:
    """:func:`segment_table` from :func:`segment_counts` (possibly summed over partitions)."""
    rows: list[dict[str, Any]] = []
    for col, table in counts.items():
        table = table.reindex(columns=list(GROUPS), fill_value=0)
        total = table.sum(axis=0).to_numpy()
        for value in sorted(table.index):
            det, pas, pro = (int(table.at[value, g]) for g in GROUPS)  # type: ignore[arg-type]
            stats = nps_from_counts(pro, pas, det)
            rest_det, rest_pas, rest_pro = (int(v) for v in total - np.array([det, pas, pro]))
            rest = nps_from_counts(rest_pro, rest_pas, rest_det)
            diff, p = compare_nps(stats, rest)
            rows.append(
                {
                    "segment": col,
                    "value": value,
                    **stats.to_dict(),
                    "low_n": stats.n < low_n,
                    "diff_vs_rest": diff,
                    "p_vs_rest": p,
                }
            )
    return pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
