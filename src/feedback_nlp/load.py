"""Stage 1: read a survey (or a scores file plus a comments file) into a :class:`Survey`.

One loader in three steps, shared by both engines:

1. :func:`plan_load` makes the global decisions every chunk of rows follows:
   the column of each role, the rows dropped as duplicate ids, day-first dates.
2. :func:`load_rows` parses, validates and classifies one chunk of rows
   (metric cells included): the rows it keeps and the rows it rejects.
3. :func:`summarise_load` turns the chunks' answers into ``Survey.info``, the
   notes and the rejected table.

Personal data is then replaced by placeholders (:func:`redact_parts` in
:mod:`feedback_nlp.redact_rows`: the three steps of :mod:`feedback_nlp.redact`
over the chunks, comments and rejected rows' raw cells alike). Every cell is read
as a string, so nothing is coerced behind the user's back, and every data row
of the main input ends either in ``Survey.frame`` or in ``Survey.rejected``
with its reason. :func:`load_survey` is the whole loader on one chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .columns import CANONICAL, choose_columns
from .config import AnalysisConfig, input_name
from .errors import ColumnError, ConfigError, DataError, nearest
from .execution import Executor, LocalExecutor
from .join import join_comments
from .parse import (
    MISSING_VALUES,
    groups_from_scores,
    guess_dayfirst,
    parse_dates,
    parse_group_labels,
    parse_scores,
)
from .read import SUPPORTED_EXTENSIONS, read_table
from .read_frame import read_frame
from .redact_rows import redact_parts
from .result import Survey
from .rows import RAW_COLUMNS, column_values, duplicate_rows, rejected_table
from .scales import choose_scale
from .scales import score_counts as count_scores

# read_table and the parsers live in .read and .parse; they stay importable from
# here, the loader's public face.
__all__ = [
    "LoadPlan",
    "LoadedPart",
    "plan_load",
    "load_rows",
    "summarise_load",
    "redact_parts",
    "load_survey",
    "read_input",
    "read_table",
    "parse_scores",
    "parse_group_labels",
    "parse_dates",
    "groups_from_scores",
    "SUPPORTED_EXTENSIONS",
    "RAW_COLUMNS",
]


@dataclass(frozen=True)
class LoadPlan:
    """What every chunk needs to load its rows: the chosen columns and global decisions."""

    cfg: AnalysisConfig
    source: str
    columns: dict[str, Any]
    #: Data row numbers (1-based) dropped as duplicate ids, and the reason written for them.
    drop_rows: frozenset[int] = frozenset()
    dup_reason: str | None = None
    #: Day-first date parsing, decided once over the distinct dates of every row.
    dayfirst: bool = False
    #: The score scale was inferred from the scores (``cfg.scale`` is the one inferred).
    scale_inferred: bool = False


@dataclass
class LoadedPart:
    """One chunk after loading: the survey rows it keeps and the rows it rejects."""

    frame: pd.DataFrame
    rejected: pd.DataFrame
    #: Raw cells of the metric columns (one column each, as text), aligned with ``frame``.
    metrics: pd.DataFrame
    #: Dates parsed, missing and bad (empty without a date column).
    dates: dict[str, int] = field(default_factory=dict)
    #: Pieces of personal data replaced per type (empty until redacted).
    redaction: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- 1. plan


def plan_load(
    cfg: AnalysisConfig,
    head: pd.DataFrame,
    source: str,
    notes: list[str],
    *,
    duplicated_ids: Callable[[str], tuple[pd.Series, np.ndarray]],
    date_heads: Callable[[str], set[str]],
    comments: pd.DataFrame | None = None,
    csource: str | None = None,
    score_counts: Callable[[str], pd.Series] | None = None,
) -> LoadPlan:
    """Columns, score scale, duplicate ids and date order: the decisions every chunk follows.

    ``head`` holds the first rows of the main input (enough to choose the
    columns). ``duplicated_ids(column)`` returns the ids (stripped) and data row
    numbers of at least every row whose id occurs more than once;
    ``date_heads(column)`` the distinct first 10 characters of the present
    dates; ``score_counts(column)`` how often each distinct score cell occurs in
    every row (:func:`feedback_nlp.scales.score_counts`; None: in ``head``); a
    message about the scores names example rows from ``head``.
    Column and scale notes are appended to ``notes``; the plan's ``cfg`` holds
    the scale the scores are read on (:func:`feedback_nlp.scales.choose_scale`).
    """
    cols = choose_columns(cfg, head, source, comments, csource, notes)
    _check_metric_columns(cfg, head, source, comments, cols)
    inferred = False
    if cols["score"] is not None:
        column = str(cols["score"])
        cells = column_values(head, column)
        counts = score_counts(column) if score_counts else count_scores(cells)
        choice = choose_scale(counts, cfg.scale, column, source, cells)
        cfg, inferred = cfg.with_(scale=choice.scale), choice.inferred
        notes.extend([choice.note] if choice.note else [])
    drop: frozenset[int] = frozenset()
    reason = None
    if cols["id"]:
        ids, rows = duplicated_ids(cols["id"])
        mask, reason = duplicate_rows(ids, rows, source, str(cols["id"]), cfg.duplicates)
        drop = frozenset(int(r) for r in rows[mask])
    dayfirst = False
    if cols["date"]:
        dayfirst = guess_dayfirst(pd.Series(sorted(date_heads(cols["date"])), dtype=str))
    return LoadPlan(cfg, source, cols, drop, reason, dayfirst, inferred)


def _check_metric_columns(
    cfg: AnalysisConfig,
    head: pd.DataFrame,
    source: str,
    comments: pd.DataFrame | None,
    cols: dict[str, Any],
) -> None:
    # A metric may not take the name of one of the frame's own columns.
    clash = [c for c in cfg.metric_cols if c in CANONICAL or c in cols["segments"]]
    if clash:
        raise ConfigError(
            f"Metric column {clash[0]!r} is also used as a built-in or segment column; "
            "pass it only once."
        )
    main = [str(c) for c in head.columns]
    other = [str(c) for c in comments.columns] if comments is not None else []
    every = main + [c for c in other if c not in main]
    for metric in cfg.metric_cols:
        if metric not in every:
            near = nearest(metric, every)
            hint = f" Did you mean {near!r}?" if near else ""
            raise ColumnError(
                f"Column {metric!r} (--metric-col) not found in {source}.{hint} "
                f"Available columns: {', '.join(every)}."
            )


def date_heads(values: pd.Series) -> set[str]:
    """The distinct first 10 characters of the present dates (what the day-first guess reads)."""
    text = values.fillna("").astype(str).str.strip()
    return set(text[~text.str.lower().isin(MISSING_VALUES)].str.slice(0, 10).unique())


# ---------------------------------------------------------------- 2. rows


def load_rows(
    raw: pd.DataFrame,
    offset: int,
    plan: LoadPlan,
    extra: Mapping[str, pd.Series] | None = None,
    no_comment: np.ndarray | None = None,
) -> LoadedPart:
    """Parse, validate and classify one chunk whose first row is data row ``offset + 1``.

    ``extra`` holds columns that come from elsewhere than ``raw`` (a joined
    comments file: text, dates, segments, metrics), aligned with ``raw``;
    ``no_comment`` marks the rows the comments file had no comment for.
    """
    cfg, cols = plan.cfg, plan.columns
    raw = raw.reset_index(drop=True)
    extra = dict(extra or {})

    def cells(name: str | None) -> pd.Series:
        if name is not None and name in extra:
            return extra[name].reset_index(drop=True).fillna("").astype(str)
        return column_values(raw, name)

    n = len(raw)
    rows = np.arange(offset + 1, offset + n + 1, dtype=np.int64)
    ids = cells(cols["id"]).str.strip() if cols["id"] else pd.Series(rows.astype(str))
    raw_cols = {"raw_score": cells(cols["score"]), "raw_group": cells(cols["group"]),
                "raw_text": cells(cols["text"])}  # fmt: skip
    if cols["score"] is not None:
        scores, reasons = parse_scores(raw_cols["raw_score"], cfg.scale)
        groups = groups_from_scores(scores, cfg.scale)
    else:
        groups, reasons = parse_group_labels(raw_cols["raw_group"], cfg.group_map)
        scores = pd.Series(np.nan, index=raw.index)
    if plan.drop_rows:
        reasons[np.isin(rows, list(plan.drop_rows))] = plan.dup_reason
    kept = reasons.isna().to_numpy()
    rejected = rejected_table(
        rows[~kept], ids[~kept], plan.source, reasons[~kept],
        {k: v[~kept] for k, v in raw_cols.items()},
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "respondent_id": ids[kept].to_numpy(dtype=object),
            "row": rows[kept],
            "group": groups[kept].to_numpy(dtype=object),
            "score": scores[kept].to_numpy(dtype=float),
        }
    )
    for seg in cols["segments"]:
        values = cells(seg)[kept].str.strip()
        frame[seg] = values.where(values != "", "(missing)").to_numpy(dtype=object)
    date_stats: dict[str, int] = {}
    bad_date = np.zeros(int(kept.sum()), dtype=bool)
    if cols["date"] is not None:
        dates, bad, _ = parse_dates(cells(cols["date"])[kept].reset_index(drop=True), plan.dayfirst)
        frame["date"] = dates.to_numpy()
        bad_date = bad.to_numpy()
        parsed = int(dates.notna().sum())
        date_stats = {"parsed": parsed, "missing": int(len(dates) - parsed - bad.sum()),
                      "bad": int(bad.sum())}  # fmt: skip
    else:
        frame["date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    missing_comment = no_comment[kept] if no_comment is not None else np.zeros_like(bad_date)
    flags = pd.Series("", index=frame.index, dtype=object)
    for flag, mask in (("no_comment", missing_comment), ("bad_date", bad_date)):
        flags[mask] = np.where(flags[mask] == "", flag, flags[mask] + ";" + flag)
    frame["flags"] = flags.astype(str)
    frame["text"] = raw_cols["raw_text"][kept].to_numpy(dtype=object)
    metrics = pd.DataFrame(
        {c: cells(c)[kept].to_numpy(dtype=object) for c in dict.fromkeys(cfg.metric_cols)},
        index=frame.index,
    )
    return LoadedPart(frame, rejected, metrics, date_stats)


def part_stats(part: LoadedPart) -> dict[str, Any]:
    """The small answers :func:`summarise_load` needs from a loaded chunk."""
    return {"kept": len(part.frame), "rejected": part.rejected, "dates": part.dates,
            "redaction": part.redaction, "metrics": part.metrics}  # fmt: skip


# ---------------------------------------------------------------- 3. summarise


def summarise_load(
    plan: LoadPlan,
    stats: Sequence[Mapping[str, Any]],
    info: dict[str, Any],
    notes: list[str],
    extra_rejected: Sequence[pd.DataFrame] = (),
) -> pd.DataFrame:
    """Fill ``info`` and ``notes`` from the chunks' :func:`part_stats`; return the rejected table.

    ``info`` already holds what reading found (``input``, and ``join`` with a
    comments file); ``extra_rejected`` are the comments file's own rejections.
    Raises :class:`DataError` when no row is kept.
    """
    cols, source = plan.columns, plan.source
    info["columns"] = {k: cols[k] for k in ("score", "group", "text", "id", "date", "segments")}
    info["columns"]["detected"] = cols["detected"]
    if cols["score"] is not None:
        scale = plan.cfg.scale
        info["scale"] = {"min": scale.minimum, "max": scale.maximum,
                         "promoter_min": scale.promoter_min, "detractor_max": scale.detractor_max,
                         "inferred": plan.scale_inferred}  # fmt: skip
    # Empty parts left out: their object columns would turn the others' str dtype to object.
    parts = [s["rejected"] for s in stats]
    nonempty = [p for p in [*parts, *extra_rejected] if len(p)] or parts[:1]
    rejected = pd.concat(nonempty, ignore_index=True)
    n = sum(s["kept"] for s in stats) + sum(len(p) for p in parts)
    kept = sum(s["kept"] for s in stats)
    if kept == 0:
        first = rejected["reason"].iloc[0]
        if plan.cfg.redact:  # the reason quotes the cell: personal data stays out of the message
            from .redact import redact_line

            first = redact_line(str(first))
        what, option = ("score", "--score-col") if cols["score"] else ("group label", "--group-col")
        where = f"row {rejected['row'].iloc[0]}, column {cols['score'] or cols['group']!r}"
        raise DataError(
            f"No valid {what} in {source}: all {n} rows were rejected (first reason: {where}: "
            f"{first}). Check {option} and the scale options."
        )
    if cols["date"] is not None:
        d = {k: sum(s["dates"][k] for s in stats) for k in ("parsed", "missing", "bad")}
        info["date"] = {"column": cols["date"], "dayfirst": plan.dayfirst, **d}
        if d["bad"]:
            notes.append(
                f"{d['bad']} values in column {cols['date']!r} are not dates; "
                "they are left empty (flag bad_date)."
            )
    kinds = rejected["reason"].str.split(":", n=1).str[0].str.replace(r" \(.*", "", regex=True)
    info["rows"] = {"read": n, "kept": kept, "rejected": n - kept}
    info["rejected_reasons"] = {
        str(k): int(v) for k, v in kinds.value_counts().sort_index().items()
    }
    if n - kept:
        listed = kinds[rejected["source"] == source].value_counts().items()
        notes.append(
            f"Rejected {n - kept} of {n} rows of {source}: "
            f"{', '.join(f'{k} ({v})' for k, v in listed)}."
        )
    return rejected


def note_redaction(
    stats: Sequence[Mapping[str, Any]], info: dict[str, Any], notes: list[str]
) -> None:
    """Record the redaction counts of every chunk in ``info`` and say what was replaced."""
    from .redact import PII_TYPES

    counts = {k: sum(s["redaction"].get(k, 0) for s in stats) for k in PII_TYPES}
    info["redaction"] = counts
    found = ", ".join(f"{v} {k.lower()}" for k, v in counts.items() if v)
    if found:
        notes.append(
            f"Personal data in comments replaced by placeholders like [EMAIL]: {found} "
            "(pass --no-redact to keep it)."
        )


# ---------------------------------------------------------------- one chunk


def read_input(
    value: str | Path | pd.DataFrame, *, comments: bool = False
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A survey file (:func:`read_table`) or a DataFrame (:func:`read_frame`) as strings."""
    if isinstance(value, pd.DataFrame):
        return read_frame(value, input_name(value, comments=comments))
    return read_table(Path(value))


def load_survey(cfg: AnalysisConfig, ex: Executor | None = None) -> Survey:
    """Load, join, classify and redact the survey that ``cfg`` describes, as one chunk.

    Returns a :class:`Survey` whose ``frame`` has the canonical columns
    (``respondent_id``, ``row``, ``group``, ``score``, the segment columns,
    ``date``, ``flags``, ``text``) and whose ``rejected`` lists every dropped
    row with its reason. ``flags`` is a ';'-joined list of ``no_comment``
    (no row in the comments file) and ``bad_date`` (unparseable date).

    ``cfg.input`` (and ``cfg.comments``) may be a DataFrame: its rows are
    numbered from 1 in order, whatever its index (:mod:`feedback_nlp.read_frame`).

    Raises :class:`ConfigError`, :class:`InputFileError`, :class:`ColumnError`
    or :class:`DataError` with a one-line message naming the file (or "the
    DataFrame").
    """
    ex = ex or LocalExecutor()
    if cfg.comments is not None and not cfg.id_col:
        raise ConfigError(
            "A separate comments file needs --id-col: the respondent id column present "
            "in both files, used to join them."
        )
    main, main_info = read_input(cfg.input)
    notes: list[str] = main_info.pop("notes")
    info: dict[str, Any] = {"input": main_info}
    source = input_name(cfg.input)
    comments: pd.DataFrame | None = None
    csource: str | None = None
    if cfg.comments is not None:
        comments, comments_info = read_input(cfg.comments, comments=True)
        notes.extend(comments_info.pop("notes"))
        info["comments_input"] = comments_info
        csource = input_name(cfg.comments, comments=True)
    rows = np.arange(1, len(main) + 1, dtype=np.int64)

    def ids_of(column: str) -> tuple[pd.Series, np.ndarray]:
        return column_values(main, column).str.strip(), rows

    def dates_of(column: str) -> set[str]:
        frame = main if column in main.columns or comments is None else comments
        return date_heads(column_values(frame, column))

    plan = plan_load(
        cfg, main, source, notes, duplicated_ids=ids_of, date_heads=dates_of,
        comments=comments, csource=csource,
    )  # fmt: skip
    extra: dict[str, pd.Series] = {}
    no_comment = None
    comment_rejected: list[pd.DataFrame] = []
    if comments is not None:
        cols = plan.columns
        ids = column_values(main, cols["id"]).str.strip()
        drop = np.isin(rows, list(plan.drop_rows))
        pulled = [c for c in [cols["date"], *cols["segments"], *cfg.metric_cols]
                  if c and c not in main.columns]  # fmt: skip
        text, extra, no_comment, info["join"] = join_comments(
            comments, ids, drop, cols, list(dict.fromkeys(pulled)), cfg, source, str(csource),
            comment_rejected, notes,
        )  # fmt: skip
        extra[cols["text"]] = text
    (part,) = ex.map(load_rows, [main], [0], plan=plan, extra=extra, no_comment=no_comment)
    stats = [part_stats(part)]
    rejected = summarise_load(plan, stats, info, notes, comment_rejected)
    if cfg.redact:
        # The comments file's rejections carry raw text too: redact them with the rest.
        whole = LoadedPart(part.frame, rejected, part.metrics, part.dates)
        (whole,) = redact_parts(ex, [whole], cfg.redact_names)
        part, rejected = replace(part, frame=whole.frame, redaction=whole.redaction), whole.rejected
        note_redaction([part_stats(part)], info, notes)
    return Survey(
        frame=part.frame,
        rejected=rejected,
        segment_cols=tuple(plan.columns["segments"]),
        info=info,
        notes=notes,
        metrics=part.metrics if cfg.metric_cols else None,
    )
