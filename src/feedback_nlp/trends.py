"""NPS and detractor themes over time: per period, and the last period against the one before.

Rows are put into periods by their response date: ISO weeks (``2026-W03``,
Monday to Sunday, numbered by the ISO year), calendar months (``2026-01``),
quarters (``2026Q1``) or calendar years (``2026``). Only periods that have at
least one respondent appear; rows without a date are left out of the trends
only (they still count everywhere else) and are counted in the summary.

Per period: its first and last day, NPS with its 95% adjusted-Wald interval
(:func:`feedback_nlp.nps.nps_from_counts`), and per theme the share of the
period's detractor (promoter) comments with usable text that carry it. Two
flags say how far a period can be read:

* ``partial``: the answers start after the period's first day (the first
  period) or end before its last day (the last period), so the period is only
  partly covered by the survey. A period the dates span whole is not partial.
* ``low_n``: fewer respondents than ``low_n`` (``--low-n``, 30 by default, the
  same rule as the segments). Why 30: NPS is a difference of two shares, and
  its adjusted-Wald 95% half-width is ``1.96 * sqrt((p + d - (p - d)**2) / (n + 3))``;
  for a usual mix (40% promoters, 30% detractors) that is about ±28 points at
  n = 30 and ±34 at worst (half promoters, half detractors). Below 30 answers a
  period's interval is wider than ±30 points, more than nearly any real
  period-to-period movement, so its point moves by chance alone.

Last period against the one before (the latest two periods that have data):
the NPS change with the z-test p-value of :func:`feedback_nlp.nps.compare_nps`
(each period carrying its ``partial`` and ``low_n`` flags, so a report can say so),
and for every theme the change of its share among detractors, tested by
:func:`feedback_nlp.compare.two_proportion_p` (Fisher's exact test for small counts,
else the two-proportion z test), with Benjamini-Hochberg q-values across the
themes; a theme ``grew`` or ``shrank`` when its q-value is below ``alpha``,
else it is ``steady``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .compare import two_proportion_p
from .config import Period
from .nps import compare_nps, group_counts, nps_from_counts
from .result import TREND_COLUMNS
from .summary_types import PeriodNps, ThemeChange, TrendComparison

__all__ = ["period_labels", "period_end", "trend_table", "compare_last_periods"]


#: The pandas period frequency of each trend period (``W-SUN``: weeks Monday to Sunday).
_FREQ = {Period.week: "W-SUN", Period.month: "M", Period.quarter: "Q", Period.year: "Y"}


def period_labels(dates: pd.Series, period: Period | str) -> tuple[pd.Series, pd.Series]:
    """Label each date with its period; return (labels, period start dates), NaN/NaT when no date.

    >>> d = pd.Series(pd.to_datetime(["2026-01-14", "2026-03-31", None]))
    >>> period_labels(d, "month")[0].tolist()
    ['2026-01', '2026-03', nan]
    >>> period_labels(d, "week")[0].tolist()[:2], period_labels(d, "quarter")[0].tolist()[:2]
    (['2026-W03', '2026-W14'], ['2026Q1', '2026Q1'])
    >>> period_labels(d, "year")[0].tolist()[:2]
    ['2026', '2026']
    """
    period = Period(period)
    d = pd.to_datetime(dates).dt.normalize()
    present = d.notna()
    labels = pd.Series(np.nan, index=d.index, dtype=object)
    starts = pd.Series(pd.NaT, index=d.index, dtype="datetime64[ns]")
    if not present.any():
        return labels, starts
    dp = d[present]
    starts[present] = dp.dt.to_period(_FREQ[period]).dt.start_time.to_numpy()
    if period is Period.week:
        iso = dp.dt.isocalendar()
        labels[present] = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    elif period is Period.month:
        labels[present] = dp.dt.strftime("%Y-%m")
    elif period is Period.quarter:
        labels[present] = [f"{y}Q{q}" for y, q in zip(dp.dt.year, dp.dt.quarter, strict=True)]
    else:
        labels[present] = dp.dt.strftime("%Y")
    return labels, starts


def period_end(start: pd.Timestamp, period: Period | str) -> pd.Timestamp:
    """The last day of the period that begins on ``start``.

    >>> str(period_end(pd.Timestamp("2024-02-01"), "month").date())
    '2024-02-29'
    >>> str(period_end(pd.Timestamp("2024-03-04"), "week").date())
    '2024-03-10'
    """
    return pd.Period(start, freq=_FREQ[Period(period)]).end_time.normalize()


def trend_table(
    dates: pd.Series,
    groups: np.ndarray,
    member: np.ndarray,
    usable: np.ndarray,
    theme_ids: Sequence[str],
    labels: Mapping[str, str],
    period: Period | str = Period.month,
    low_n: int = 30,
) -> pd.DataFrame:
    """Per period: one ``nps`` row and one ``theme`` row per theme (:data:`TREND_COLUMNS`).

    Parameters
    ----------
    dates : pandas.Series of datetime64, NaT where a row has no date.
    groups : array of 'detractor' / 'passive' / 'promoter', one per row.
    member : bool array (n_rows, n_themes), True where the comment carries the theme.
    usable : bool array, True where the comment has usable text.
    theme_ids, labels : the themes' ids (columns of ``member``) and their labels.
    period : ``week``, ``month``, ``quarter`` or ``year``.
    low_n : periods with fewer respondents are flagged ``low_n`` (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Sorted by period start, then ``nps`` before the themes in id order.
    """
    g = np.asarray(groups, dtype=object)
    m = np.asarray(member, dtype=bool).reshape(len(g), len(theme_ids))
    ok = np.asarray(usable, dtype=bool)
    label_of, start_of = period_labels(pd.Series(dates).reset_index(drop=True), period)
    rows: list[dict[str, Any]] = []
    present = label_of.notna().to_numpy()
    order = (
        pd.DataFrame({"label": label_of[present], "start": start_of[present]})
        .drop_duplicates()
        .sort_values(["start", "label"])
    )
    lab = label_of.to_numpy(dtype=object)
    if present.any():
        day = pd.to_datetime(pd.Series(dates)).dt.normalize()
        first, last = day.min(), day.max()
    for label, start in order.itertuples(index=False):
        mask = present & (lab == label)
        begin = pd.Timestamp(start)
        end = period_end(begin, period)
        base = {
            "period": label,
            "period_start": begin.strftime("%Y-%m-%d"),
            "period_end": end.strftime("%Y-%m-%d"),
            "partial": bool(begin < first or end > last),
            "low_n": bool(np.count_nonzero(mask) < low_n),
        }
        rows += _period_rows(base, g[mask], m[mask], ok[mask], theme_ids, labels)
    table = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    for c in _COUNT_COLUMNS:
        table[c] = table[c].astype(np.int64)
    for c in ("partial", "low_n"):
        table[c] = table[c].astype(bool)
    return table


_COUNT_COLUMNS = (
    "n",
    "promoters",
    "passives",
    "detractors",
    "n_detractor_comments",
    "n_promoter_comments",
)


def _period_rows(
    base: dict[str, Any],
    gm: np.ndarray,
    mm: np.ndarray,
    ok: np.ndarray,
    theme_ids: Sequence[str],
    labels: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One period's ``nps`` row and its theme rows (``gm``, ``mm``, ``ok``: its respondents)."""
    pro, pas, det = group_counts(gm)
    stats = nps_from_counts(pro, pas, det)
    n_det = int(np.count_nonzero((gm == "detractor") & ok))
    n_pro = int(np.count_nonzero((gm == "promoter") & ok))
    comments = {"n_detractor_comments": n_det, "n_promoter_comments": n_pro}
    rows: list[dict[str, Any]] = [
        {**base, "kind": "nps", "theme_id": "", "label": "", **stats.to_dict(), **comments,
         "share_detractors": np.nan, "share_promoters": np.nan}
    ]  # fmt: skip
    for j, tid in enumerate(theme_ids):
        col = mm[:, j]
        t_pro, t_pas, t_det = group_counts(gm[col])
        rows.append(
            {
                **base,
                "kind": "theme",
                "theme_id": tid,
                "label": labels.get(tid, ""),
                "n": int(col.sum()),
                "promoters": t_pro,
                "passives": t_pas,
                "detractors": t_det,
                "nps": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                **comments,
                "share_detractors": t_det / n_det if n_det else np.nan,
                "share_promoters": t_pro / n_pro if n_pro else np.nan,
            }
        )
    return rows


def compare_last_periods(trends: pd.DataFrame, alpha: float = 0.05) -> TrendComparison | None:
    """The last period against the one before: NPS change and detractor-theme changes.

    Returns None when fewer than two periods have data. Otherwise ``last`` and
    ``previous`` (period, counts, NPS with its interval), ``nps_change``
    (points), ``p_value``, ``significant`` and ``themes``: one entry per theme
    with both detractor shares, ``change_pp``, ``p_value``, ``q_value`` and
    ``direction`` (``grew``, ``shrank`` or ``steady``), the largest absolute
    changes first.
    """
    nps_rows = trends[trends["kind"] == "nps"]
    if len(nps_rows) < 2:
        return None
    prev_row, last_row = nps_rows.iloc[-2], nps_rows.iloc[-1]

    def stats(r: pd.Series) -> Any:
        return nps_from_counts(int(r["promoters"]), int(r["passives"]), int(r["detractors"]))

    last, prev = stats(last_row), stats(prev_row)
    change, p = compare_nps(last, prev)
    themes = trends[trends["kind"] == "theme"]
    # themes only: sub-themes (ids "T01.2") have their rows in trends.csv, not a test here
    themes = themes[~themes["theme_id"].astype(str).str.contains(".", regex=False)]
    t_last = themes[themes["period"] == last_row["period"]].set_index("theme_id")
    t_prev = themes[themes["period"] == prev_row["period"]].set_index("theme_id")
    entries: list[dict[str, Any]] = []
    for tid in t_last.index:
        a, b = t_last.loc[tid], t_prev.loc[tid]
        n1, n2 = int(a["n_detractor_comments"]), int(b["n_detractor_comments"])
        s1 = float(a["share_detractors"]) if n1 else float("nan")
        s2 = float(b["share_detractors"]) if n2 else float("nan")
        entries.append(
            {
                "theme_id": str(tid),
                "label": str(a["label"]),
                "share_detractors_previous": s2,
                "share_detractors_last": s1,
                "detractors_previous": int(b["detractors"]),
                "detractors_last": int(a["detractors"]),
                "change_pp": 100.0 * (s1 - s2),
                "p_value": two_proportion_p(int(a["detractors"]), n1, int(b["detractors"]), n2),
            }
        )
    changes = _with_q(entries, alpha)
    changes.sort(
        key=lambda e: (
            -abs(e.change_pp) if e.change_pp == e.change_pp else 0.0,
            e.theme_id,
        )
    )
    return TrendComparison(
        last=_period_nps(last_row),
        previous=_period_nps(prev_row),
        nps_change=change,
        p_value=p,
        significant=bool(p < alpha) if p == p else False,
        themes=tuple(changes),
    )


def _period_nps(r: pd.Series) -> PeriodNps:
    return PeriodNps(
        period=str(r["period"]),
        partial=bool(r["partial"]),
        low_n=bool(r["low_n"]),
        n=int(r["n"]),
        promoters=int(r["promoters"]),
        passives=int(r["passives"]),
        detractors=int(r["detractors"]),
        nps=float(r["nps"]),
        ci_low=float(r["ci_low"]),
        ci_high=float(r["ci_high"]),
    )


def _with_q(entries: list[dict[str, Any]], alpha: float) -> list[ThemeChange]:
    """The entries with their Benjamini-Hochberg q-values, significance and direction."""
    from scipy.stats import false_discovery_control

    p = np.array([e["p_value"] for e in entries], dtype=float)
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = false_discovery_control(p[ok], method="bh")
    out = []
    for e, qv in zip(entries, q, strict=True):
        sig = bool(qv < alpha) if qv == qv else False
        direction = ("grew" if e["change_pp"] > 0 else "shrank") if sig else "steady"
        out.append(ThemeChange(**e, q_value=float(qv), significant=sig, direction=direction))
    return out
