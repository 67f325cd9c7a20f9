"""Parsing raw survey values: scores (``9``, `` 9 ``, ``9/10``, ``7,5``), group
labels, dates (day-first detected); each returns values and per-row reasons.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .config import Scale

__all__ = [
    "GROUP_WORDS",
    "MISSING_VALUES",
    "parse_scores",
    "groups_from_scores",
    "parse_group_labels",
    "parse_dates",
    "guess_dayfirst",
]

#: Cells that mean "no value" (compared lower-cased and stripped).
MISSING_VALUES = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})
#: Group labels understood without --group-map.
GROUP_WORDS = {f"{g}{s}": g for g in ("promoter", "passive", "detractor") for s in ("", "s")}
_FRACTION = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)$")
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}")


def parse_scores(raw: pd.Series, scale: Scale) -> tuple[pd.Series, pd.Series]:
    """Parse score strings; return (scores as float, rejection reason or None per row).

    Accepts surrounding spaces, a decimal comma and ``n/max`` fractions.

    >>> s, why = parse_scores(pd.Series([" 9/10", "7,5", "11", "abc", ""]), Scale())
    >>> s.tolist()[:2], why.tolist()[2:]
    ([9.0, 7.5], ['score out of range 0-10: 11', "non-numeric score: 'abc'", 'missing score'])
    """
    text = raw.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(MISSING_VALUES).to_numpy()
    cleaned = text.copy()
    other_scale = np.zeros(len(text), dtype=bool)
    slash = text.str.contains("/", regex=False).to_numpy()
    if slash.any():
        parts = text[slash].str.extract(_FRACTION)
        denominator = pd.to_numeric(parts[1].str.replace(",", ".", regex=False), errors="coerce")
        cleaned[slash] = parts[0].where(parts[0].notna(), text[slash])
        other_scale[slash] = (parts[0].notna() & (denominator != scale.maximum)).to_numpy()
    comma = cleaned.str.contains(",", regex=False).to_numpy()
    if comma.any():
        cleaned[comma] = cleaned[comma].str.replace(",", ".", regex=False)
    cleaned[missing] = ""
    scores = pd.to_numeric(cleaned, errors="coerce").astype(float)
    values = scores.to_numpy()
    with np.errstate(invalid="ignore"):
        out = ~np.isnan(values) & ((values < scale.minimum) | (values > scale.maximum))
    non_numeric = np.isnan(values) & ~missing
    out &= ~other_scale
    bounds = f"{scale.minimum:g}-{scale.maximum:g}"
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason[missing] = "missing score"
    reason[non_numeric] = [f"non-numeric score: {v!r}" for v in text[non_numeric]]
    reason[other_scale] = [
        f"score on another scale: {v!r} (expected out of {scale.maximum:g})"
        for v in text[other_scale]
    ]
    reason[out] = [f"score out of range {bounds}: {v}" for v in text[out]]
    scores[reason.notna().to_numpy()] = np.nan
    return scores, reason


def groups_from_scores(scores: pd.Series, scale: Scale) -> pd.Series:
    """Vectorised :meth:`Scale.group` ('' where the score is NaN)."""
    values = scores.to_numpy(dtype=float)
    group = np.select(
        [values >= scale.promoter_min, values <= scale.detractor_max, ~np.isnan(values)],
        ["promoter", "detractor", "passive"],
        "",
    )
    return pd.Series(group, index=scores.index, dtype=object)


def parse_group_labels(
    raw: pd.Series, group_map: Sequence[tuple[str, str]] = ()
) -> tuple[pd.Series, pd.Series]:
    """Map labels to groups (any case, singular or plural, or ``group_map``).

    Return (group or '' per row, rejection reason or None per row).

    >>> g, why = parse_group_labels(pd.Series(["Promoters", "neg", "x"]), [("neg", "detractor")])
    >>> g.tolist(), why.tolist()[2]
    (['promoter', 'detractor', ''], "unknown group label: 'x' (expected promoter, passive, \
detractor or --group-map)")
    """
    text = raw.fillna("").astype(str).str.strip()
    mapping = {**GROUP_WORDS, **dict(group_map)}
    lowered = text.str.lower()
    group = lowered.map(mapping).astype(object)
    unknown = group.isna().to_numpy().copy()
    missing = unknown & lowered.isin(MISSING_VALUES).to_numpy()
    unknown &= ~missing
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason[missing] = "missing group label"
    reason[unknown] = [
        f"unknown group label: {v!r} (expected promoter, passive, detractor or --group-map)"
        for v in text[unknown]
    ]
    return group.where(group.notna(), "").astype(object), reason


def parse_dates(raw: pd.Series, dayfirst: bool | None = None) -> tuple[pd.Series, pd.Series, bool]:
    """Parse date strings; return (datetime64[ns] with NaT, bad mask, dayfirst used).

    ``dayfirst`` (None: guessed) is chosen when a value like 13/01/2018 shows the
    day comes first; the Dask engine decides it once for all partitions.
    Timezone-aware values are converted to UTC and made naive.
    """
    text = raw.fillna("").astype(str).str.strip()
    present = ~text.str.lower().isin(MISSING_VALUES)
    if dayfirst is None:
        dayfirst = guess_dayfirst(text[present])
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if present.any():
        values = text[present]
        with warnings.catch_warnings():
            # pandas warns when it falls back to per-value parsing; that is expected here.
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(values, dayfirst=dayfirst, errors="coerce", utc=True)
            failed = parsed.isna()
            if failed.any():
                parsed[failed] = pd.to_datetime(
                    values[failed], dayfirst=dayfirst, errors="coerce", utc=True, format="mixed"
                )
        parsed = parsed.dt.tz_localize(None)
        in_bounds = parsed.dt.year.between(1678, 2261)
        out[present] = parsed.where(in_bounds).astype("datetime64[ns]")
    bad = present & out.isna()
    return out, bad, dayfirst


def guess_dayfirst(values: pd.Series) -> bool:
    heads = pd.Series(values.str.slice(0, 10).unique(), dtype=str)
    parts = heads.str.extract(_DAY_MONTH)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    return bool((first > 12).sum() > (second > 12).sum())
