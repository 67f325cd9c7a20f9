"""Choosing the column of each role (score, group, text, id, date, segments).

A configured name must exist (the error names the nearest column); a role
left open is detected by name or, for the score and the comments, by content
(:mod:`feedback_nlp.column_roles`), and every detection is reported in the
notes with why. The roles that cannot be chosen are named in one error, each
with the option that chooses it and the nearest columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .column_roles import Pick, by_content, by_name, looks_like_dates, present_values
from .config import AnalysisConfig
from .errors import ColumnError, ConfigError, nearest
from .parse import GROUP_WORDS
from .result import COMMENT_COLUMNS, FOLLOWUP_COLUMNS

__all__ = ["CANONICAL", "RESERVED", "choose_columns", "column_error", "list_columns"]

#: Column names the frame uses itself.
CANONICAL = ("respondent_id", "row", "group", "score", "date", "flags", "text")
#: Names no segment column may have: the frame's and those of the tables that carry the
#: segment columns beside their own (comments.csv, followup.csv). Renaming a clashing
#: segment on output would leave the user's own name nowhere in the report.
RESERVED = tuple(dict.fromkeys(CANONICAL + COMMENT_COLUMNS + FOLLOWUP_COLUMNS))
_ROLES = {
    "score": ("scores", "--score-col"),
    "group": ("NPS groups", "--group-col"),
    "text": ("comments", "--text-col"),
    "id": ("respondent ids", "--id-col"),
    "date": ("dates", "--date-col"),
}


def _holds_labels(values: pd.Series, known: Mapping[str, str]) -> bool:
    """True when most sampled values are group labels (promoter, passive, detractor...)."""
    sample = present_values(values)
    return not sample.empty and sample.str.lower().isin(known).mean() >= 0.5


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
    """The columns chosen so far, the two ways of choosing one (given or detected), what failed."""

    def __init__(self, cfg: AnalysisConfig, notes: list[str]) -> None:
        self.chosen: dict[str, Any] = {"detected": []}
        self.notes = notes
        #: Columns that name matching and content checks leave alone: chosen by the user.
        self.reserved = {*cfg.segment_cols, *cfg.metric_cols}
        #: The detections that found no single column: role -> (file, pick).
        self.missed: dict[str, tuple[str, Pick]] = {}

    def given(self, role: str, name: str, cols: list[str], where: str) -> None:
        if name not in cols:
            raise column_error(name, cols, where)
        self.chosen[role] = name

    def detect(
        self,
        role: str,
        frame: pd.DataFrame,
        where: str,
        accept: Callable[[pd.Series], bool] | None = None,
    ) -> None:
        """Detect ``role`` by name, or by content when ``accept`` is None (score, comments)."""
        used = {v for k, v in self.chosen.items() if k != "detected" and isinstance(v, str)}
        if accept is None:
            pick = by_content(role, frame, used | self.reserved)
        else:
            pick = by_name(role, frame, used, accept, self.reserved)
        self.chosen[role] = pick.column
        what, option = _ROLES[role]
        if pick.column is not None:
            self.missed.pop(role, None)
            self.chosen["detected"].append(role)
            self.notes.append(
                f"Using column {pick.column!r} for {what} (detected {pick.why}; pass {option} "
                "to choose another)."
            )
        elif pick.tied or not (role in self.missed and self.missed[role][1].near):
            # A tie, or a first miss: a name that came near is kept over content's guess.
            self.missed[role] = (where, pick)

    def tied(self, role: str) -> bool:
        return role in self.missed and bool(self.missed[role][1].tied)

    def note_tie(self, role: str) -> None:
        """An optional role (ids, dates) two columns fit equally: say so, use neither."""
        if self.tied(role):
            what, option = _ROLES[role]
            names = ", ".join(repr(c) for c in self.missed[role][1].tied)
            self.notes.append(
                f"Columns {names} could each hold the {what}: none is used (pass {option} "
                "to choose one)."
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
    ``detected`` (the roles that were detected). Raises one :class:`ColumnError`
    naming every role that could not be chosen: no score (nor group) column, or
    no comments column when a comments file needs one or the score is missing
    too, or two columns that fit a role equally.
    """
    mcols = [str(c) for c in main.columns]
    ccols = [str(c) for c in comments.columns] if comments is not None else []
    main = main.set_axis(mcols, axis=1)  # names compared and reported as text
    comments = comments.set_axis(ccols, axis=1) if comments is not None else None
    pick = _Chooser(cfg, notes)
    if comments is not None and cfg.id_col is not None:
        pick.given("id", cfg.id_col, mcols, source)
        pick.given("id", cfg.id_col, ccols, str(csource))
    _score_or_group(cfg, pick, main, source)
    if comments is None:
        if cfg.id_col:
            pick.given("id", cfg.id_col, mcols, source)
        else:
            pick.detect("id", main, source, lambda s: True)
            pick.note_tie("id")
    text_frame, text_cols, text_where = (
        (comments, ccols, str(csource)) if comments is not None else (main, mcols, source)
    )
    if cfg.text_col:
        pick.given("text", cfg.text_col, text_cols, text_where)
    else:
        pick.detect("text", text_frame, text_where, lambda s: True)
        if pick.chosen["text"] is None and not pick.tied("text"):
            pick.detect("text", text_frame, text_where)
    unchosen = [r for r in ("score", "text") if pick.chosen.get(r) is None and r in pick.missed]
    if pick.chosen["group"] is not None and not pick.tied("score"):
        unchosen = [r for r in unchosen if r != "score"]  # the groups come from their labels
    if "score" in unchosen or pick.tied("text") or (unchosen and comments is not None):
        lists = {source: mcols, str(csource): ccols}
        raise _could_not_choose(cfg, pick, unchosen, lists)
    if "text" in unchosen:  # a score-only export is still a survey: its NPS, segments and trends
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
        pick.detect("date", main, source, looks_like_dates)
        pick.note_tie("date")
    segments = list(dict.fromkeys(cfg.segment_cols))
    for seg in segments:
        if seg not in every:
            raise column_error(seg, every, both)
        if seg in RESERVED:
            where = source if seg in mcols else csource
            raise ConfigError(
                f"Segment column {seg!r} has the name of a column feedback-nlp adds itself "
                f"({', '.join(RESERVED)}); rename it in {where} and pass the new name to "
                "--segment-col."
            )
    pick.chosen["segments"] = segments
    return pick.chosen


def _score_or_group(cfg: AnalysisConfig, pick: _Chooser, main: pd.DataFrame, source: str) -> None:
    """The score column, else the group-label column: names first, then the scores' values."""
    known = {**GROUP_WORDS, **dict(cfg.group_map)}
    mcols = [str(c) for c in main.columns]
    if cfg.score_col:
        pick.given("score", cfg.score_col, mcols, source)
    else:
        # A column named like a score but holding labels is the group column.
        pick.detect("score", main, source, lambda s: not _holds_labels(s, known))
    chosen = pick.chosen
    if cfg.group_col:
        pick.given("group", cfg.group_col, mcols, source)
    elif chosen["score"] is None and not pick.tied("score"):
        pick.detect("group", main, source, lambda s: _holds_labels(s, known))
        if chosen["group"] is None:
            pick.missed.pop("group", None)
            pick.detect("score", main, source)
    else:
        chosen["group"] = None
    if chosen["score"] is not None and chosen["group"] is not None:
        pick.notes.append(
            f"Both a score column ({chosen['score']!r}) and a group column "
            f"({chosen['group']!r}) are given; groups come from the scores."
        )


def _could_not_choose(
    cfg: AnalysisConfig, pick: _Chooser, roles: Sequence[str], columns: dict[str, list[str]]
) -> ColumnError:
    """One error for every role left unchosen: the option to pass and the nearest columns."""
    scale = cfg.scale
    how = {
        "score": f"pass --score-col with the column holding the {scale.minimum:g}-"
        f"{scale.maximum:g} scores, or --group-col for promoter/passive/detractor labels",
        "text": "pass --text-col with the column holding the comments",
    }
    wheres = list(dict.fromkeys(pick.missed[r][0] for r in roles))
    items = []
    for role in roles:
        where, found = pick.missed[role]
        if found.tied:
            hint = "equally likely: " + ", ".join(repr(c) for c in found.tied)
        elif found.near:
            hint = "nearest: " + ", ".join(repr(c) for c in list(dict.fromkeys(found.near))[:3])
        else:
            hint = "no column looks like one"
        place = f" in {where}" if len(wheres) > 1 else ""
        items.append(f"{role if role == 'score' else 'comments'}{place} ({how[role]}; {hint})")
    if len(wheres) == 1:
        available = f"Available columns: {list_columns(columns[wheres[0]])}."
    else:
        available = (
            "Available columns: "
            + "; ".join(f"{w}: {list_columns(columns[w])}" for w in wheres)
            + "."
        )
    return ColumnError(
        f"Could not choose the columns of {' and '.join(wheres)}: {' and '.join(items)}. "
        f"{available}"
    )
