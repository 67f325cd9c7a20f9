"""Choosing the column of each role (score, group, text, id, date, segments).

A configured name must exist (the error names the nearest column); a role
left open is detected from common names and a look at the values, and every
detection is reported in the notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .config import AnalysisConfig
from .errors import ColumnError, ConfigError, nearest
from .parse import GROUP_WORDS, MISSING_VALUES, parse_dates

__all__ = ["CANONICAL", "choose_columns", "column_error", "list_columns"]

#: Column names the frame uses itself; a segment column may not take one.
CANONICAL = ("respondent_id", "row", "group", "score", "date", "flags", "text")
#: Common column names per role, in order of preference; '*' is a wildcard at one end.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "score": ("nps_score", "nps", "score", "rating", "likelihood_to_recommend", "ltr",
              "recommend", "how likely*"),
    "group": ("nps_rating", "nps_group", "nps_category", "group", "category"),
    "text": ("text", "comment", "comments", "verbatim", "verbatims", "feedback", "response",
             "answer", "reason", "why", "open_text", "review_text", "review"),
    "id": ("respondent_id", "response_id", "id", "customer_id", "record_id"),
    "date": ("date", "response_date", "submitted_at", "created_at", "timestamp", "*_date"),
}  # fmt: skip
_ROLES = {
    "score": ("scores", "--score-col"),
    "group": ("NPS groups", "--group-col"),
    "text": ("comments", "--text-col"),
    "id": ("respondent ids", "--id-col"),
    "date": ("dates", "--date-col"),
}


def _norm(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower())


def _detect(
    frame: pd.DataFrame, role: str, exclude: set[str], accept: Callable[[pd.Series], bool]
) -> str | None:
    # Names normalised once: a file with 100k columns must not take minutes here.
    normed = [(c, _norm(str(c))) for c in frame.columns if c not in exclude]
    for pattern in _CANDIDATES[role]:
        want = _norm(pattern.strip("*"))
        for column, name in normed:
            if pattern.endswith("*"):
                hit = name.startswith(want)
            elif pattern.startswith("*"):
                hit = name.endswith(want)
            else:
                hit = name == want
            if hit and accept(frame[column]):
                return str(column)
    return None


def _sample(values: pd.Series, n: int = 500) -> pd.Series:
    text = values.astype(str).str.strip()
    return text[~text.str.lower().isin(MISSING_VALUES)].head(n)


def _holds_labels(values: pd.Series, known: Mapping[str, str]) -> bool:
    """True when most sampled values are group labels (promoter, passive, detractor...)."""
    sample = _sample(values)
    return not sample.empty and sample.str.lower().isin(known).mean() >= 0.5


def _looks_like_dates(values: pd.Series) -> bool:
    sample = _sample(values, 200)
    return sample.empty or (~parse_dates(sample)[1]).mean() >= 0.5


def list_columns(columns: Sequence[str], limit: int = 40) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns) - limit} more)" if len(columns) > limit else "")


def column_error(name: str, columns: Sequence[str], where: str) -> ColumnError:
    guess = nearest(name, columns)
    hint = f" Did you mean {guess!r}?" if guess else ""
    return ColumnError(
        f"Column {name!r} not found in {where}.{hint} Available columns: {list_columns(columns)}."
    )


class _Chooser:
    """The columns chosen so far, and the two ways of choosing one: given or detected."""

    def __init__(self, notes: list[str]) -> None:
        self.chosen: dict[str, Any] = {"detected": []}
        self.notes = notes

    def given(self, role: str, name: str, cols: list[str], where: str) -> None:
        if name not in cols:
            raise column_error(name, cols, where)
        self.chosen[role] = name

    def detect(self, role: str, frame: pd.DataFrame, accept: Callable[[pd.Series], bool]) -> None:
        used = {v for k, v in self.chosen.items() if k != "detected" and isinstance(v, str)}
        found = _detect(frame, role, used, accept)
        self.chosen[role] = found
        if found is not None:
            self.chosen["detected"].append(role)
            what, option = _ROLES[role]
            self.notes.append(
                f"Using column {found!r} for {what} (detected; pass {option} to choose another)."
            )


def choose_columns(
    cfg: AnalysisConfig,
    main: pd.DataFrame,
    source: str,
    comments: pd.DataFrame | None,
    csource: str | None,
    notes: list[str],
) -> dict[str, Any]:
    """Pick each role's column: the configured name (must exist) or a detected one.

    Returns role -> column name (None when absent), ``segments`` (a list) and
    ``detected`` (the roles that were detected).
    """
    mcols = [str(c) for c in main.columns]
    ccols = [str(c) for c in comments.columns] if comments is not None else []
    pick = _Chooser(notes)
    if comments is not None and cfg.id_col is not None:
        pick.given("id", cfg.id_col, mcols, source)
        pick.given("id", cfg.id_col, ccols, str(csource))
    _score_or_group(cfg, pick, main, mcols, source)
    if comments is None:
        if cfg.id_col:
            pick.given("id", cfg.id_col, mcols, source)
        else:
            pick.detect("id", main, lambda s: True)
    text_frame, text_cols, text_where = (
        (comments, ccols, str(csource)) if comments is not None else (main, mcols, source)
    )
    if cfg.text_col:
        pick.given("text", cfg.text_col, text_cols, text_where)
    else:
        pick.detect("text", text_frame, lambda s: True)
        if pick.chosen["text"] is None:
            if comments is not None:  # a comments file is there for its text
                raise ColumnError(
                    f"No text column found in {text_where}: pass --text-col with the column "
                    f"holding the comments. Available columns: {list_columns(text_cols)}."
                )
            # A score-only export is still a survey: its NPS, segments and trends.
            notes.append(
                f"No text column found in {text_where}: analysed the scores only, without "
                "themes (pass --text-col with the column holding the comments, if any; "
                f"available columns: {list_columns(text_cols)})."
            )
    both = f"{source} or {csource}" if comments is not None else source
    every = mcols + [c for c in ccols if c not in mcols]
    if cfg.date_col:
        pick.given("date", cfg.date_col, every, both)
    else:
        pick.detect("date", main, _looks_like_dates)
    segments = list(dict.fromkeys(cfg.segment_cols))
    for seg in segments:
        if seg not in every:
            raise column_error(seg, every, both)
        if seg in CANONICAL:
            raise ConfigError(
                f"Segment column {seg!r} has the name of a built-in result column "
                f"({', '.join(CANONICAL)}); rename it in {source}."
            )
    pick.chosen["segments"] = segments
    return pick.chosen


def _score_or_group(
    cfg: AnalysisConfig, pick: _Chooser, main: pd.DataFrame, mcols: list[str], source: str
) -> None:
    """The score column, else the group-label column; at least one of them."""
    known = {**GROUP_WORDS, **dict(cfg.group_map)}
    if cfg.score_col:
        pick.given("score", cfg.score_col, mcols, source)
    else:
        # A column named like a score but holding labels is the group column.
        pick.detect("score", main, lambda s: not _holds_labels(s, known))
    chosen = pick.chosen
    if cfg.group_col:
        pick.given("group", cfg.group_col, mcols, source)
    elif chosen["score"] is None:
        pick.detect("group", main, lambda s: _holds_labels(s, known))
    else:
        chosen["group"] = None
    if chosen["score"] is None and chosen["group"] is None:
        raise ColumnError(
            f"No score column found in {source}: pass --score-col with the column holding "
            f"the {cfg.scale.minimum:g}-{cfg.scale.maximum:g} scores (or --group-col for "
            f"promoter/passive/detractor labels). Available columns: {list_columns(mcols)}."
        )
    if chosen["score"] is not None and chosen["group"] is not None:
        pick.notes.append(
            f"Both a score column ({chosen['score']!r}) and a group column "
            f"({chosen['group']!r}) are given; groups come from the scores."
        )
