"""Other numeric answers (CSAT, CES...) next to NPS: means by group and segment, correlation.

A metric value is parsed as a number (``4``, `` 4.5 ``, ``4,5``); an empty or
missing-like cell (``""``, ``n/a``...) is *missing*, any other text is
*invalid*: both become NaN, are counted (``n_missing``, ``n_invalid``) and never
reject the row. Means and standard deviations (``ddof=1``) use the valid values.
Correlation with the score, over respondents with both a score and a valid
value: Pearson's r and Spearman's rho with their two-sided p-values
(``scipy.stats.pearsonr`` / ``spearmanr``), NaN with fewer than three pairs or a
constant column.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .config import GROUPS
from .parse import MISSING_VALUES as _MISSING
from .result import METRIC_COLUMNS

__all__ = ["parse_metric", "metric_table"]

_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def parse_metric(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse raw cells as numbers; return (values, missing mask, invalid mask).

    >>> v, miss, bad = parse_metric(pd.Series(["4", " 4,5 ", "", "good", "inf"]))
    >>> v.tolist()[:2], miss.tolist(), bad.tolist()
    ([4.0, 4.5], [False, False, True, False, False], [False, False, False, True, True])
    """
    text = raw.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING)
    text = text.where(~text.str.match(_DECIMAL_COMMA), text.str.replace(",", ".", regex=False))
    values = pd.to_numeric(text.where(~missing, ""), errors="coerce").astype(float)
    values = values.where(np.isfinite(values))
    invalid = values.isna() & ~missing
    return values, missing, invalid


def _corr(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    from scipy.stats import pearsonr, spearmanr

    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return (np.nan,) * 4
    pr = pearsonr(x, y)
    sr = spearmanr(x, y)
    return float(pr.statistic), float(pr.pvalue), float(sr.statistic), float(sr.pvalue)


def _row(metric: str, by: str, value: str, v: pd.Series) -> dict[str, Any]:
    valid = v.dropna()
    return {
        "metric": metric,
        "by": by,
        "value": value,
        "n": int(len(valid)),
        # Not "mean": that name would shadow DataFrame.mean (metrics.mean is the method).
        "metric_mean": float(valid.mean()) if len(valid) else np.nan,
        "sd": float(valid.std(ddof=1)) if len(valid) > 1 else np.nan,
    }


def metric_table(
    frame: pd.DataFrame, raw: pd.DataFrame, segment_cols: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Mean and n of each metric overall, by NPS group and by segment value.

    Parameters
    ----------
    frame : the survey frame (``group``, ``score`` and the segment columns).
    raw : one column of raw cells per metric, aligned with ``frame``
        (see :func:`feedback_nlp.load.load_rows`).
    segment_cols : the segment columns to break down by.

    Returns
    -------
    pandas.DataFrame
        :data:`METRIC_COLUMNS`; per metric the ``all`` row (with the missing and
        invalid counts and the correlations with the score), then the groups in
        the order detractor, passive, promoter, then each segment's values sorted.
    """
    rows: list[dict[str, Any]] = []
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    groups = frame["group"].astype(str).reset_index(drop=True)
    for metric in raw.columns:
        values, missing, invalid = parse_metric(raw[metric].reset_index(drop=True))
        r, rp, rho, rhop = _corr(values.to_numpy(dtype=float), score)
        rows.append(
            {
                **_row(metric, "all", "all", values),
                "n_missing": int(missing.sum()),
                "n_invalid": int(invalid.sum()),
                "pearson_r": r,
                "pearson_p": rp,
                "spearman_rho": rho,
                "spearman_p": rhop,
            }
        )
        for g in GROUPS:
            rows.append(_row(metric, "nps_group", g, values[groups == g]))
        for col in segment_cols:
            seg = frame[col].astype(str).reset_index(drop=True)
            for value in sorted(set(seg)):
                rows.append(_row(metric, col, value, values[seg == value]))
    table = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    for c in ("n_missing", "n_invalid"):
        table[c] = table[c].astype("Int64")
    return table
