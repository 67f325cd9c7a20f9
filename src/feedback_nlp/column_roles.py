"""Which column could hold a role: by its name, or by its values when no name says it.

:func:`by_name` ranks the columns whose name says the role: a known name first
(``NPS_SCORE``, ``comment``...), then a name whose words hold the role's words
(``OverallRating``, ``ReviewBody``, ``Likelihood to recommend (0-10)``), each
only when a look at its values agrees. :func:`by_content` finds the score or
the comments among columns named like neither (``q7``, ``q8``) from their
values alone. Both return a :class:`Pick`: the column and why, or the columns
that tie, or the nearest ones to name in a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parse import MISSING_VALUES, parse_dates

__all__ = [
    "KNOWN_NAMES",
    "Pick",
    "by_content",
    "by_name",
    "looks_like_dates",
    "name_words",
    "present_values",
]

#: Known column names per role, in order of preference; '*' is a wildcard at one end.
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "score": ("nps_score", "nps", "score", "rating", "likelihood_to_recommend", "ltr",
              "recommend", "how likely*"),
    "group": ("nps_rating", "nps_group", "nps_category", "group", "category"),
    "text": ("text", "comment", "comments", "verbatim", "verbatims", "feedback", "response",
             "answer", "reason", "why", "open_text", "review_text", "review"),
    "id": ("respondent_id", "response_id", "id", "customer_id", "record_id"),
    "date": ("date", "response_date", "submitted_at", "created_at", "timestamp", "*_date"),
}  # fmt: skip
#: Words of a name that say its role, with their weight: the better of two names
#: holds more of them, and a word only NPS questions use outweighs 'rating'.
_ROLE_WORDS: dict[str, dict[str, int]] = {
    "score": {"nps": 2, "recommend": 2, "likelihood": 2, "likely": 2, "ltr": 2,
              "rating": 1, "score": 1},
    "text": dict.fromkeys(("comment", "review", "body", "text", "feedback", "verbatim",
                           "reason", "why", "response", "answer", "remark", "note"), 1),
    "id": {"id": 1, "uuid": 1, "guid": 1, "respondent": 2},
    "date": dict.fromkeys(("date", "datetime", "time", "timestamp", "submitted", "created",
                           "completed", "recorded"), 1),
}  # fmt: skip
#: Words that add weight only beside a role word: 'Response ID' is an id, 'Response' a comment.
_BESIDE: dict[str, dict[str, int]] = {
    "id": {"response": 1},
    "date": {"response": 1, "survey": 1},
}
#: Words that rule a name out: keys and counters hold small integers as scores do.
_NOT_WORDS: dict[str, frozenset[str]] = {
    "score": frozenset({"id", "uuid", "guid", "no", "num", "number", "count", "index", "idx",
                        "seq", "age", "year", "qty", "quantity"}),
    "text": frozenset({"id", "uuid", "guid"}),
}  # fmt: skip
#: A value read as a number (the score parser's spellings: ``9``, ``7,5``, ``9/10``).
_NUMBER = r"[+-]?\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:[.,]\d+)?)?"
_INTEGER = r"\d+(?:\.0+)?"
#: The score scales a column of integers is recognised on (all within 0-10).
_SCALE_RANGE = (0, 10)
#: Rows of the head a value check reads.
_SAMPLE = 500


@dataclass(frozen=True)
class Pick:
    """The column found for a role and why, or the columns that tie, or the nearest ones."""

    column: str | None = None
    why: str = ""
    tied: tuple[str, ...] = ()
    near: tuple[str, ...] = ()


def name_words(name: str) -> frozenset[str]:
    """The words of a column name: CamelCase and separators split, lower case, plural 's' dropped.

    >>> sorted(name_words("OverallRating"))
    ['overall', 'rating']
    >>> sorted(name_words("Likelihood to recommend (0-10)"))
    ['0', '10', 'likelihood', 'recommend', 'to']
    >>> sorted(name_words("NPSScore")), sorted(name_words("Q1_Comments"))
    (['nps', 'score'], ['1', 'comment', 'q'])
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    spaced = re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", spaced)
    words = re.split(r"[\W_]+", spaced.lower())
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                     for w in words if w)  # fmt: skip


def present_values(values: pd.Series, n: int = _SAMPLE) -> pd.Series:
    """The first ``n`` present values, as stripped strings (missing markers left out)."""
    # The first rows usually hold them: the whole column is converted only when not.
    for part in (values.head(4 * n), values):
        text = part.fillna("").astype(str).str.strip()
        text = text[~text.str.lower().isin(MISSING_VALUES)]
        if len(text) >= n or len(part) == len(values):
            break
    return text.head(n)


def looks_like_dates(values: pd.Series) -> bool:
    """True when at least half the sampled values are dates (or none is present)."""
    sample = present_values(values, 200)
    return sample.empty or (~parse_dates(sample)[1]).mean() >= 0.5


def _share(sample: pd.Series, pattern: str) -> float:
    return float(sample.str.fullmatch(pattern).mean()) if len(sample) else 0.0


def _fits(role: str, values: pd.Series) -> bool:
    """The values agree with a name that holds the role's words."""
    sample = present_values(values)
    if sample.empty:
        return False
    if role == "score":
        return _share(sample, _NUMBER) >= 0.5
    if role == "id":  # an item id (product, store) repeats; a respondent's does not
        return sample.nunique() >= 0.9 * len(sample)
    return _share(sample, _NUMBER) < 0.5 and (role == "date") == looks_like_dates(sample)


def _may_hold(name: str, words: Collection[str]) -> bool:
    """A quick look before splitting a name: does any of ``words`` occur in it at all?"""
    low = name.lower()
    return any(w in low for w in words)


def _weight(role: str, name: str) -> int:
    """How strongly a name says ``role``: the weights of its role words (0: not at all)."""
    role_words = _ROLE_WORDS.get(role, {})
    if not _may_hold(name, role_words):  # most names of a wide file: no need to split them
        return 0
    words = name_words(name)
    main = sum(w for word, w in role_words.items() if word in words)
    if not main or words & _NOT_WORDS.get(role, frozenset()):
        return 0
    return main + sum(w for word, w in _BESIDE.get(role, {}).items() if word in words)


def _known(role: str, names: list[tuple[str, str]]) -> Iterable[str]:
    """The columns with a known name of ``role``, in its order of preference."""
    for pattern in KNOWN_NAMES[role]:
        want = _norm(pattern.strip("*"))
        for column, name in names:
            if pattern.endswith("*"):
                hit = name.startswith(want)
            elif pattern.startswith("*"):
                hit = name.endswith(want)
            else:
                hit = name == want
            if hit:
                yield column


def _norm(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower())


def by_name(
    role: str,
    frame: pd.DataFrame,
    used: Collection[str],
    accept: Callable[[pd.Series], bool],
    reserved: Collection[str] = (),
) -> Pick:
    """The column whose name says ``role`` and whose values ``accept`` (and fit the role).

    A known name wins in its order of preference; else the names holding the
    most role words (weighted) whose values fit; two such names that fit
    equally are returned as ``tied`` (comments: unless one is clearly longer).
    ``used`` columns are skipped, ``reserved`` ones (segments, metrics) too
    when matching words.
    """
    # Names normalised once: a file with 100k columns must not take minutes here.
    free = [str(c) for c in frame.columns if c not in used]
    near: list[str] = []
    for column in _known(role, [(c, _norm(c)) for c in free]):
        if accept(frame[column]):
            return Pick(column, "by name")
        near.append(column)
    weights = {c: _weight(role, c) for c in free if c not in reserved}
    for level in sorted({w for w in weights.values() if w}, reverse=True):
        named = [c for c, w in weights.items() if w == level and c not in near]
        fits = [c for c in named if accept(frame[c]) and _fits(role, frame[c])]
        near += [c for c in named if c not in fits]
        if role == "text" and len(fits) > 1:
            fits = _longest(frame, fits)
        if len(fits) == 1:
            return Pick(fits[0], "by name")
        if fits:
            return Pick(tied=tuple(fits), near=tuple(near))
    return Pick(near=tuple(near))


def by_content(role: str, frame: pd.DataFrame, used: Collection[str]) -> Pick:
    """The score or comments column found from the values of columns with no telling name.

    The score: the one column whose values are integers within 0-10 (0-10,
    1-5, 1-7... scales), at least three distinct ones, repeated (an id is
    not). The comments: the free text (mostly distinct values with spaces, not
    numbers or dates) with the clearly longest median length.
    """
    blocked = _NOT_WORDS[role]
    named = [c for c in frame.columns if _may_hold(c, blocked) and name_words(c) & blocked]
    columns = [c for c in frame.columns if c not in used and c not in named]
    profiles = _profiles(frame, columns)
    return _score_by_content(profiles) if role == "score" else _text_by_content(frame, profiles)


def _profiles(frame: pd.DataFrame, columns: list[str], n: int = _SAMPLE) -> pd.DataFrame:
    """Per column, what the content checks read from its first ``n`` present values.

    One pass over all the columns' cells at once: a file of 100k columns is
    checked in seconds, not a pandas call per column.
    """
    head = frame[columns].head(4 * n)
    long = _present_long(head, n)
    counts = long["column"].value_counts()
    short = [c for c in columns if counts.get(c, 0) < n]
    if len(frame) > len(head) and short:  # too few in the first rows: read the whole columns
        long = pd.concat([long[~long["column"].isin(short)], _present_long(frame[short], n)])
    text = long["value"]
    integer = text.str.fullmatch(_INTEGER)
    cells = pd.DataFrame(
        {"column": long["column"], "value": text, "numeric": text.str.fullmatch(_NUMBER),
         "integer": integer, "int": pd.to_numeric(text.where(integer), errors="coerce"),
         "spaced": text.str.contains(" ", regex=False), "length": text.str.len()}
    )  # fmt: skip
    out = cells.groupby("column", sort=False).agg(
        n=("value", "size"), distinct=("value", "nunique"), numeric=("numeric", "mean"),
        integer=("integer", "mean"), low=("int", "min"), high=("int", "max"),
        whole=("int", "count"), int_distinct=("int", "nunique"), spaced=("spaced", "mean"),
        length=("length", "median"),
    )  # fmt: skip
    return out.reindex([c for c in columns if c in out.index])


def _present_long(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` present values of each column, stripped, as (column, value) rows."""
    cells = frame.to_numpy(dtype=object)
    names = np.tile(np.asarray(frame.columns, dtype=object), len(frame))
    text = pd.Series(cells.ravel()).fillna("").astype(str).str.strip()
    long = pd.DataFrame({"column": names, "value": text})
    long = long[~text.str.lower().isin(MISSING_VALUES).to_numpy()]
    return long[long.groupby("column", sort=False).cumcount() < n]


def _score_by_content(profiles: pd.DataFrame) -> Pick:
    numeric = profiles[profiles["numeric"] >= 0.5]
    fit = numeric[
        (numeric["integer"] >= 0.95)
        & (numeric["low"] >= _SCALE_RANGE[0])
        & (numeric["high"] <= _SCALE_RANGE[1])
        & (numeric["int_distinct"] >= 3)
        & (numeric["int_distinct"] < numeric["whole"])
    ]
    if len(fit) == 1:
        low, high = fit["low"].iloc[0], fit["high"].iloc[0]
        return Pick(str(fit.index[0]), f"by content: integers {low:g}-{high:g}")
    if len(fit):
        return Pick(tied=tuple(fit.index))
    return Pick(near=tuple(numeric.index[:3]))


def _text_by_content(frame: pd.DataFrame, profiles: pd.DataFrame) -> Pick:
    words = profiles[profiles["numeric"] < 0.5]
    shaped = (words["distinct"] >= 0.5 * words["n"]) & (words["spaced"] >= 0.5)
    free = [c for c in words.index[shaped] if not looks_like_dates(frame[c])]
    if free:
        best = _longest(frame, free)
        if len(best) > 1:
            return Pick(tied=tuple(best))
        median = words.loc[best[0], "length"]
        return Pick(best[0], f"by content: the longest free text, median {median:g} characters")
    # The longest texts, but not dates nor a column named as a score, an id or a date.
    near: list[str] = []
    for column in words.sort_values("length", ascending=False, kind="stable").index:
        if len(near) == 3:
            break
        named = any(_weight(r, column) for r in ("score", "id", "date"))
        if not named and not looks_like_dates(frame[column]):
            near.append(column)
    return Pick(near=tuple(near))


def _longest(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """The column whose median length is at least twice every other's, else those near the top.

    Twice: a title or a category beside the comments is several times shorter,
    while two open questions of one survey are answered at similar lengths.
    """
    median = {c: float(present_values(frame[c]).str.len().median()) for c in columns}
    top = max(median.values())
    return [c for c in columns if 2 * median[c] > top]
