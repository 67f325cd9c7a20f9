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
* **1-5 or 1-7 with a few stray scores, inferred**: the same, but for at most
  :data:`MAX_STRAYS` scores, and at most :data:`STRAY_SHARE` of them, outside
  the small scale (a 10 or a 0 among 2,000 star ratings). Read on 0-10, one
  typed 10 would turn a star file into an NPS near -100; read on 1-5, it costs
  one row, which is rejected with its reason (``score out of range 1-5: 10``,
  in ``rejected.csv``) and named in the note. This is what an analyst does by
  hand: a handful of impossible values in a column whose every other answer
  is a star is a typo, not a different survey. Rejecting, not stopping, is
  the answer here because stopping would lead to the same place (the user
  passes the 1-5 options, and the stray rows are rejected) one run later.
* **stop** with a one-line message naming the scale options and a ready
  example, when the scores could be either: all of them 1-5 (or 1-7) with
  fewer than 20 answers, or without the top of the scale (1-4, 1-6); all of
  them 5 or less with a 0 and 20 answers or more (a 0/1 flag, a 0-5 scale:
  in a 0-10 survey, even its worst stage above, one answer in six is above
  5); fractional scores up to 7 (half stars, shares) or mostly fractional
  ones (averages); at least :data:`NEARLY_ALL` (90%) of the scores in 1-5
  (or 1-7) and more above it than the strays the rule above accepts (no
  0-10 survey is 90% ones to fives, that is nearly three times the worst
  stage above; nor are that many odd values typos): the message names
  example rows. A small, unhappy 0-10 survey without a 0 then needs
  ``--scale-min 0 --scale-max 10``: one more option, against a wrong NPS.
* **0-10 with a note** ("Check the scale") for fewer than 20 scores of 5 or
  less with a 0: only 0-10 of the common scales has a 0, and a pilot of a
  few unhappy answers is a real 0-10 survey more often than a 0-5 one.
* **0-10, unchanged** otherwise. A score above 7 rules out 1-5 and 1-7 (unless
  it is a stray, above); a 0 rules out every 1-N scale. Scores from 1 to 10
  without a 0 may be a 1-10 scale, but a real 0-10 survey may lack zeros too
  (a small or happy one), and 1-10 with the NPS cut points puts every score
  in the same group as 0-10 does: the NPS is the same either way, so nothing
  is inferred; with 20 answers or more a note says so.

A scale the user chose (any scale option given) is used as chosen, and the
scores are checked against it. A score outside it is rejected with its reason
(``score out of range 1-5: 9`` in ``rejected.csv``, counted in a note): a
typo or a code such as 99 for "don't know" costs its row, nothing else. The
run stops instead, with a one-line message naming the file, the column and
example rows, when the scores clearly are not on the chosen scale:

* **most of them outside it** (more than half, with :data:`MIN_ANSWERS`
  scores or more, at least one inside): the NPS would be that of a minority
  of the answers. This holds for the default 0-10 scale too (a 0-100 column).
* **more than a few outside it but within 0-10** (over :data:`MAX_STRAYS` and
  over :data:`STRAY_SHARE` of the scores): answers a wider common scale holds
  (the 6s and 7s of a 1-7 rating read as 1-5) are not typos, and rejecting
  them would keep only the unhappier answers. Both bounds must be passed, as
  the user's word outweighs a handful of odd values in a large file and a
  small file's share of one typo. Codes far outside (99, -1) never count here.
* **mostly fractional** (more than half, with :data:`MIN_ANSWERS` scores or
  more) when the cut points are whole numbers: averages or shares, not
  answers on the scale. A cut point with decimals (``--promoter-min 8.5``)
  says the scores are meant to be fractional and skips this check; the
  messages of the inference above suggest one for such columns, so no
  suggested option ever leads to this stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Scale
from .errors import DataError
from .parse import parse_scores

__all__ = [
    "MIN_ANSWERS",
    "MAX_STRAYS",
    "STRAY_SHARE",
    "NEARLY_ALL",
    "ScaleChoice",
    "choose_scale",
    "score_counts",
]

#: Scores needed before a 1-5 or 1-7 scale is inferred rather than asked for.
MIN_ANSWERS = 20
#: More than this share of fractional scores is not a column of 0-10 answers.
MAX_FRACTIONAL = 0.5
#: Scores outside a scale that may be typos: at most this many...
MAX_STRAYS = 5
#: ... and at most this share of the scores.
STRAY_SHARE = 0.01
#: This share of the scores in 1-5 (or 1-7) is no 0-10 survey, whatever the others are.
NEARLY_ALL = 0.9
#: Reads every score cell that is a number, whatever its range.
_ANY = Scale(-math.inf, math.inf, math.inf, -math.inf)
#: Example rows a message names.
_EXAMPLES = 3


@dataclass(frozen=True)
class ScaleChoice:
    """The scale the scores are read on, whether it was inferred, and what to tell the user."""

    scale: Scale
    inferred: bool = False
    note: str | None = None


@dataclass(frozen=True)
class _Scores:
    """The distinct numeric score cells: text, value, count, and whether the scale holds it."""

    cells: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    inside: np.ndarray

    @property
    def n(self) -> int:
        return int(self.weights.sum())

    def count(self, mask: np.ndarray) -> int:
        return int(self.weights[mask].sum())

    def only(self, mask: np.ndarray) -> _Scores:
        return _Scores(self.cells[mask], self.values[mask], self.weights[mask], self.inside[mask])

    def odd(self, mask: np.ndarray) -> list[str]:
        """The cells of ``mask``, the most frequent first."""
        order = np.argsort(-self.weights[mask], kind="stable")
        return [str(c) for c in self.cells[mask][order]]


@dataclass(frozen=True)
class _Column:
    """Where the scores come from, and the cells of the first rows (to name example rows)."""

    column: str
    source: str
    cells: pd.Series | None = None

    def __str__(self) -> str:
        return f"column {self.column!r} of {self.source}"

    def examples(self, odd: list[str]) -> str:
        """'rows 12 (10), 80 (9)': the first rows holding one of the ``odd`` cells.

        Without such a row at hand (a partitioned engine reads the first rows
        only) the values are named instead.
        """
        if self.cells is not None and odd:
            text = self.cells.reset_index(drop=True).astype(str).str.strip()
            hits = np.flatnonzero(text.isin(set(odd)).to_numpy())[:_EXAMPLES]
            if len(hits):
                rows = ", ".join(f"{i + 1} ({text.iloc[i]})" for i in hits)
                return f"row{'s' if len(hits) > 1 else ''} {rows}"
        return "e.g. " + ", ".join(odd[:_EXAMPLES])


def score_counts(raw: pd.Series) -> pd.Series:
    """How often each distinct score cell (stripped) occurs: what :func:`choose_scale` reads.

    Counts of several chunks add up (``a.add(b, fill_value=0)``).
    """
    return raw.fillna("").astype(str).str.strip().value_counts()


def choose_scale(
    counts: pd.Series,
    scale: Scale,
    column: str,
    source: str,
    cells: pd.Series | None = None,
) -> ScaleChoice:
    """The scale to read the scores on, from the counts of their distinct cells.

    ``cells`` are the score column's cells of the first rows, in file order
    (every row, or as many as are at hand): messages name example rows from
    them. Raises :class:`DataError` when the scale was not chosen and the
    scores do not fit 0-10 without a doubt, or when they clearly are not on
    the chosen scale (see the module's rules).

    >>> counts = pd.Series({str(v): 10 for v in range(1, 6)})
    >>> choice = choose_scale(counts, Scale.default(), "Rating", "reviews.csv")
    >>> choice.scale.label(), choice.inferred
    ('NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)', True)
    """
    if not len(counts):
        return ScaleChoice(scale)
    scores = _scores(counts, scale)
    if scores.n == 0:
        return ScaleChoice(scale)
    at = _Column(column, source, cells)
    _check_range(scores, scale, at)
    if scale.given:
        _check_fractional(scores, scale, at)
        return ScaleChoice(scale)
    inside = scores.only(scores.inside)
    # No score inside 0-10: every row is rejected, and loading says so.
    return _infer(inside, scale, at) if inside.n else ScaleChoice(scale)


def _scores(counts: pd.Series, scale: Scale) -> _Scores:
    cells = pd.Series(counts.index.astype(str))
    inside, _ = parse_scores(cells, scale)
    anywhere, _ = parse_scores(cells, _ANY)
    values = inside.fillna(anywhere).to_numpy(dtype=float)
    ok = ~np.isnan(values)
    return _Scores(
        cells.to_numpy(dtype=object)[ok],
        values[ok],
        counts.to_numpy(dtype=np.int64)[ok],
        inside.notna().to_numpy()[ok],
    )


def _typos(k: int, n: int) -> bool:
    """Few enough odd scores to be typos: at most a handful, and at most 1 in 100."""
    return k <= MAX_STRAYS and k <= STRAY_SHARE * n


def _mostly_fractional(k: int, n: int) -> bool:
    return k > MAX_FRACTIONAL * n and n >= MIN_ANSWERS


def _scale_name(scale: Scale) -> str:
    if not scale.given:
        return "the default 0-10 NPS scale"
    return f"the chosen {scale.minimum:g}-{scale.maximum:g} scale"


def _check_range(s: _Scores, scale: Scale, at: _Column) -> None:
    """Stop when most scores are outside the scale, or more than typos within 0-10 are."""
    outside = ~s.inside
    n, k = s.n, s.count(outside)
    near = outside & (s.values >= 0) & (s.values <= 10)
    k_near = s.count(near)
    most = n >= MIN_ANSWERS and 2 * k > n and k < n
    if not most and (k_near <= MAX_STRAYS or k_near <= STRAY_SHARE * n):
        return
    if most:
        finding = f"{k} of {n} are outside it ({at.examples(s.odd(outside))})"
    else:
        finding = (
            f"{k_near} of {n} are outside it but within 0-10 ({at.examples(s.odd(near))}), "
            f"more than typos (over {MAX_STRAYS} and over {STRAY_SHARE:.0%} of the scores)"
        )
    lo, hi = float(s.values.min()), float(s.values.max())
    if 0 <= lo and hi <= 10:
        bottom = 0 if lo < 1 else 1
        fits = Scale.for_range(bottom, _top(hi, bottom))
        if _mostly_fractional(s.count(s.values != np.round(s.values)), n):
            fits = _with_decimals(fits)  # whole cut points would stop these scores next
        advice = (
            f"If they are on a {bottom}-{fits.maximum:g} scale pass {fits.options()} "
            f"({fits.mapping()}); if not, fix or remove those rows."
        )
    else:
        advice = (
            "Pass the options of the scale they are on (--scale-min, --scale-max, "
            "--promoter-min, --detractor-max), or check --score-col."
        )
    raise DataError(f"Scores in {at} do not fit {_scale_name(scale)}: {finding}. {advice}")


def _check_fractional(s: _Scores, scale: Scale, at: _Column) -> None:
    """Stop when most scores are fractional on a scale whose cut points are whole numbers."""
    if not (float(scale.promoter_min).is_integer() and float(scale.detractor_max).is_integer()):
        return
    fractional = s.values != np.round(s.values)
    k = s.count(fractional)
    if not _mostly_fractional(k, s.n):
        return
    raise DataError(
        f"Scores in {at} do not fit {_scale_name(scale)}: {k} of {s.n} are fractional "
        f"({at.examples(s.odd(fractional))}), not answers on it (averages or shares?). "
        "Check --score-col; to group fractional scores pass a cut point with decimals "
        f"(e.g. --promoter-min {scale.promoter_min - 0.5:g})."
    )


def _infer(s: _Scores, scale: Scale, at: _Column) -> ScaleChoice:
    """The module's rules on the scores the default 0-10 scale holds."""
    values, weights, n = s.values, s.weights, s.n
    lo, hi = float(values.min()), float(values.max())
    zero = bool((values == 0).any())
    fractional = values != np.round(values)
    n_frac = s.count(fractional)
    bottom = 0 if lo < 1 else 1
    top = _top(hi, bottom)
    if n_frac and (hi <= 7 or _mostly_fractional(n_frac, n)):
        example = float(values[fractional][np.argmax(weights[fractional])])
        finding = f"{n_frac} of {n} are fractional (e.g. {example:g})"
        fits = Scale.for_range(bottom, top)
        raise _misfit(at, finding, fits, fractional=_mostly_fractional(n_frac, n))
    strays = _with_strays(s, at)
    if strays is not None:
        return strays
    if hi > 7 or (zero and hi > 5):
        return ScaleChoice(scale, note=_one_to_ten_note(at, n, lo, hi))
    fits = Scale.for_range(bottom, top)
    finding = f"all {n} are from {lo:g} to {hi:g}"
    if not zero and hi == top:
        if n >= MIN_ANSWERS:
            return ScaleChoice(fits, inferred=True, note=_inferred_note(at, n, fits))
        finding += (
            f", too few (under {MIN_ANSWERS}) to tell a {bottom}-{top} rating from a 0-10 survey"
        )
    elif zero and n < MIN_ANSWERS:
        return ScaleChoice(scale, note=_low_note(at, n, hi, fits))
    raise _misfit(at, finding, fits)


def _with_strays(s: _Scores, at: _Column) -> ScaleChoice | None:
    """1-5 or 1-7 with a few stray scores (inferred), or nearly so (stop); None otherwise."""
    n, hi = s.n, float(s.values.max())
    for top in (5, 7):
        small = (s.values >= 1) & (s.values <= top)
        k = n - s.count(small)
        if k == 0:
            return None
        fits, inside = Scale.for_range(1, top), n - k
        odd = at.examples(s.odd(~small))
        if bool((s.values == top).any()) and inside >= MIN_ANSWERS and _typos(k, n):
            return ScaleChoice(fits, inferred=True, note=_stray_note(at, n, k, fits, odd))
        if inside >= NEARLY_ALL * n and hi > top:
            finding = (
                f"{inside} of {n} are from 1 to {top}, the other {k} "
                f"{'is' if k == 1 else 'are'} not ({odd}): "
                "too many to be typos, too few for a 0-10 survey"
            )
            if k > MAX_STRAYS and k > STRAY_SHARE * n:  # a chosen 1-top scale would stop too
                raise DataError(
                    f"Scores in {at} do not fit the default 0-10 NPS scale: {finding}. "
                    f"If they are on a 1-{top} scale fix or remove those rows and pass "
                    f"{fits.options()} ({fits.mapping()}); to read them on 0-10 pass "
                    "--scale-min 0 --scale-max 10."
                )
            raise _misfit(at, finding, fits)
    return None


def _top(hi: float, bottom: int) -> int:
    """The smallest common scale top at or above the largest score (0-1 is a yes/no flag)."""
    return next(t for t in ((1, 5, 7, 10) if bottom == 0 else (5, 7, 10)) if hi <= t)


def _misfit(at: _Column, finding: str, fits: Scale, *, fractional: bool = False) -> DataError:
    """Stop, with the options of the scale the scores fit and those that keep 0-10.

    For mostly fractional scores the options carry a promoter cut point with
    decimals: with whole ones a chosen scale would stop them too.
    """
    keep = "--scale-min 0 --scale-max 10"
    other = "" if fits.is_nps else f"For a {fits.minimum:g}-{fits.maximum:g} scale pass "
    if fractional:
        fits = _with_decimals(fits)
        keep = _with_decimals(Scale()).options()
    if other:
        other += f"{fits.options()} ({fits.mapping()}); "
    keeping = f"to read them on 0-10 anyway pass {keep}."
    return DataError(
        f"Scores in {at} do not fit the default 0-10 NPS scale: {finding}. "
        f"{other}{keeping if other else keeping.capitalize()}"
    )


def _with_decimals(scale: Scale) -> Scale:
    """``scale`` with its promoter cut point half a point lower: a cut point with decimals."""
    return Scale(scale.minimum, scale.maximum, scale.promoter_min - 0.5, scale.detractor_max)


def _inferred_note(at: _Column, n: int, fits: Scale) -> str:
    lo, hi = f"{fits.minimum:g}", f"{fits.maximum:g}"
    return (
        f"Scale inferred: scores in {at} are read on a {lo}-{hi} scale "
        f"({fits.mapping()}), not 0-10: all {n} are whole numbers from {lo} to {hi}, "
        f"with no 0. Pass {fits.options()} to confirm, or other scale options."
    )


def _stray_note(at: _Column, n: int, k: int, fits: Scale, odd: str) -> str:
    hi = f"{fits.maximum:g}"
    return (
        f"Scale inferred: scores in {at} are read on a 1-{hi} scale ({fits.mapping()}), "
        f"not 0-10: {n - k} of {n} are from 1 to {hi}; the other {k} ({odd}) "
        f"{'is taken for a typo' if k == 1 else 'are taken for typos'} and rejected "
        f"(score out of range 1-{hi}, in rejected.csv). Pass "
        f"{fits.options()} to confirm, or other scale options."
    )


def _low_note(at: _Column, n: int, hi: float, fits: Scale) -> str:
    return (
        f"Check the scale: all {n} scores in {at} are from 0 to {hi:g}. They are read on "
        f"0-10 (a 0 rules out a 1-5 or 1-7 rating); on a 0-{fits.maximum:g} scale pass "
        f"{fits.options()}."
    )


def _one_to_ten_note(at: _Column, n: int, lo: float, hi: float) -> str | None:
    if lo < 1 or hi != 10 or n < MIN_ANSWERS:
        return None
    return (
        f"No score in {at} is 0 ({n} scores from {lo:g} to 10): read on 0-10. "
        "On a 1-10 scale the groups, and so the NPS, are the same (9-10 promoter, "
        "1-6 detractor); pass --scale-min 1 to label it 1-10."
    )
