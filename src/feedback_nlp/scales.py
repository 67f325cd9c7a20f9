"""Does the score column fit the scale? Infer a common scale only when the scores leave no doubt.

With no scale chosen, the scores are read on the NPS 0-10 scale. A 1-5 star
file read that way is all detractors and passives (NPS near -100), with no
error: the check below stops that. It reads the score column once (every
row, both engines) and decides:

* **1-5 or 1-7, inferred**: every score a whole number from 1 to 5 (or 1 to
  7), the top of the scale reached, and at least :data:`MIN_ANSWERS` scores.
  A real 0-10 survey puts few answers in 1-5 or 1-7 alone, because 0 and the
  8-10 answers are its most common ones: in the telecom NPS survey of
  2,353 answers, 18% are 1-5 and 27% are 1-7 (in its worst stage, 26% and
  33%). Even if 70% of a 0-10 survey's answers were there, 20 of them all
  falling there would happen by chance in fewer than 1 in 1,000 surveys.
  The cut points are the NPS's carried to the range (:meth:`Scale.for_range`):
  1-5 gives 5 promoter, 4 passive, 1-3 detractor.
* **stop** with a one-line message naming the scale options and a ready
  example, when the scores could be either: all of them 1-5 (or 1-7) with
  fewer than 20 answers, or without the top of the scale (1-4, 1-6); all of
  them 5 or less with a 0 and 20 answers or more (a 0/1 flag, a 0-5 scale:
  in a 0-10 survey, even its worst stage above, one answer in six is above
  5); fractional scores up to 7 (half stars, shares) or mostly fractional
  ones (averages). A small, unhappy 0-10 survey without a 0 then needs
  ``--scale-min 0 --scale-max 10``: one more option, against a wrong NPS.
* **0-10 with a note** ("Check the scale") for fewer than 20 scores of 5 or
  less with a 0: only 0-10 of the common scales has a 0, and a pilot of a
  few unhappy answers is a real 0-10 survey more often than a 0-5 one.
* **0-10, unchanged** otherwise. A score above 7 rules out 1-5 and 1-7; a 0
  rules out every 1-N scale. Scores from 1 to 10 without a 0 may be a 1-10
  scale, but a real 0-10 survey may lack zeros too (a small or happy one),
  and 1-10 with the NPS cut points puts every score in the same group as
  0-10 does: the NPS is the same either way, so nothing is inferred; with
  20 answers or more a note says so.

A scale the user chose (any option given) is used as chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Scale
from .errors import DataError
from .parse import parse_scores

__all__ = ["MIN_ANSWERS", "ScaleChoice", "choose_scale", "score_counts"]

#: Scores needed before a 1-5 or 1-7 scale is inferred rather than asked for.
MIN_ANSWERS = 20
#: More than this share of fractional scores is not a column of 0-10 answers.
MAX_FRACTIONAL = 0.5


@dataclass(frozen=True)
class ScaleChoice:
    """The scale the scores are read on, whether it was inferred, and what to tell the user."""

    scale: Scale
    inferred: bool = False
    note: str | None = None


def score_counts(raw: pd.Series) -> pd.Series:
    """How often each distinct score cell (stripped) occurs: what :func:`choose_scale` reads.

    Counts of several chunks add up (``a.add(b, fill_value=0)``).
    """
    return raw.fillna("").astype(str).str.strip().value_counts()


def choose_scale(counts: pd.Series, scale: Scale, column: str, source: str) -> ScaleChoice:
    """The scale to read the scores on, from the counts of their distinct cells.

    Raises :class:`DataError` when the scale was not chosen and the scores do
    not fit 0-10 without a doubt (see the module's rules).

    >>> counts = pd.Series({str(v): 10 for v in range(1, 6)})
    >>> choice = choose_scale(counts, Scale.default(), "Rating", "reviews.csv")
    >>> choice.scale.label(), choice.inferred
    ('NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)', True)
    """
    if scale.given or not len(counts):
        return ScaleChoice(scale)
    parsed, _ = parse_scores(pd.Series(counts.index.astype(str)), scale)
    values = parsed.to_numpy(dtype=float)
    weights = counts.to_numpy(dtype=np.int64)
    ok = ~np.isnan(values)
    values, weights = values[ok], weights[ok]
    n = int(weights.sum())
    if n == 0:
        return ScaleChoice(scale)
    where = f"column {column!r} of {source}"
    lo, hi = float(values.min()), float(values.max())
    zero = bool((values == 0).any())
    fractional = values != np.round(values)
    n_frac = int(weights[fractional].sum())
    bottom = 0 if lo < 1 else 1
    top = _top(hi, bottom)
    if n_frac and (hi <= 7 or n_frac > MAX_FRACTIONAL * n and n >= MIN_ANSWERS):
        example = float(values[fractional][np.argmax(weights[fractional])])
        finding = f"{n_frac} of {n} are fractional (e.g. {example:g})"
        raise _misfit(where, finding, Scale.for_range(bottom, top))
    if hi > 7 or (zero and hi > 5):
        return ScaleChoice(scale, note=_one_to_ten_note(where, n, lo, hi))
    fits = Scale.for_range(bottom, top)
    finding = f"all {n} are from {lo:g} to {hi:g}"
    if not zero and hi == top:
        if n >= MIN_ANSWERS:
            return ScaleChoice(fits, inferred=True, note=_inferred_note(where, n, fits))
        finding += (
            f", too few (under {MIN_ANSWERS}) to tell a {bottom}-{top} rating from a 0-10 survey"
        )
    elif zero and n < MIN_ANSWERS:
        return ScaleChoice(scale, note=_low_note(where, n, hi, fits))
    raise _misfit(where, finding, fits)


def _top(hi: float, bottom: int) -> int:
    """The smallest common scale top at or above the largest score (0-1 is a yes/no flag)."""
    return next(t for t in ((1, 5, 7, 10) if bottom == 0 else (5, 7, 10)) if hi <= t)


def _misfit(where: str, finding: str, fits: Scale) -> DataError:
    keep = "to read them on 0-10 anyway pass --scale-min 0 --scale-max 10."
    other = (
        ""
        if fits.is_nps
        else f"For a {fits.minimum:g}-{fits.maximum:g} scale pass {fits.options()} "
        f"({fits.mapping()}); "
    )
    return DataError(
        f"Scores in {where} do not fit the default 0-10 NPS scale: {finding}. "
        f"{other}{keep if other else keep.capitalize()}"
    )


def _inferred_note(where: str, n: int, fits: Scale) -> str:
    lo, hi = f"{fits.minimum:g}", f"{fits.maximum:g}"
    return (
        f"Scale inferred: scores in {where} are read on a {lo}-{hi} scale "
        f"({fits.mapping()}), not 0-10: all {n} are whole numbers from {lo} to {hi}, "
        f"with no 0. Pass {fits.options()} to confirm, or other scale options."
    )


def _low_note(where: str, n: int, hi: float, fits: Scale) -> str:
    return (
        f"Check the scale: all {n} scores in {where} are from 0 to {hi:g}. They are read on "
        f"0-10 (a 0 rules out a 1-5 or 1-7 rating); on a 0-{fits.maximum:g} scale pass "
        f"{fits.options()}."
    )


def _one_to_ten_note(where: str, n: int, lo: float, hi: float) -> str | None:
    if lo < 1 or hi != 10 or n < MIN_ANSWERS:
        return None
    return (
        f"No score in {where} is 0 ({n} scores from {lo:g} to 10): read on 0-10. "
        "On a 1-10 scale the groups, and so the NPS, are the same (9-10 promoter, "
        "1-6 detractor); pass --scale-min 1 to label it 1-10."
    )
