"""Stage 1: read a survey (or a scores file plus a comments file) into a :class:`Survey`.

Every cell is read as a string, so nothing is coerced behind the user's back;
then the columns are chosen, the comments joined on the respondent id, the
scores parsed and classified. Every data row of the main input ends either in
``Survey.frame`` or in ``Survey.rejected`` with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import AnalysisConfig, DuplicatePolicy
from .errors import ColumnError, ConfigError, DataError, nearest
from .parse import (
    GROUP_WORDS,
    MISSING_VALUES,
    groups_from_scores,
    parse_dates,
    parse_group_labels,
    parse_scores,
)
from .read import SUPPORTED_EXTENSIONS, read_table
from .result import REJECTED_COLUMNS, Survey

# read_table and the parsers live in .read and .parse; they stay importable from
# here, the loader's public face.
__all__ = [
    "load_survey",
    "read_table",
    "parse_scores",
    "parse_group_labels",
    "parse_dates",
    "groups_from_scores",
    "SUPPORTED_EXTENSIONS",
    "RAW_COLUMNS",
]

#: Raw input values kept in ``Survey.rejected`` after :data:`REJECTED_COLUMNS`.
RAW_COLUMNS = ("raw_score", "raw_group", "raw_text")
#: Column names the frame uses itself; a segment column may not take one.
_CANONICAL = ("respondent_id", "row", "group", "score", "date", "flags", "text")
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


# ---------------------------------------------------------------- reading files


def _norm(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower())


def _matches(column: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return _norm(column).startswith(_norm(pattern[:-1]))
    if pattern.startswith("*"):
        return _norm(column).endswith(_norm(pattern[1:]))
    return _norm(column) == _norm(pattern)


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


def _list_columns(columns: Sequence[str], limit: int = 40) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns) - limit} more)" if len(columns) > limit else "")


def _column_error(name: str, columns: Sequence[str], where: str) -> ColumnError:
    guess = nearest(name, columns)
    hint = f" Did you mean {guess!r}?" if guess else ""
    return ColumnError(
        f"Column {name!r} not found in {where}.{hint} Available columns: {_list_columns(columns)}."
    )


def _choose_columns(
    cfg: AnalysisConfig,
    main: pd.DataFrame,
    source: str,
    comments: pd.DataFrame | None,
    csource: str | None,
    notes: list[str],
) -> dict[str, Any]:
    """Pick each role's column: the configured name (must exist) or a detected one."""
    mcols = [str(c) for c in main.columns]
    ccols = [str(c) for c in comments.columns] if comments is not None else []
    chosen: dict[str, Any] = {"detected": []}

    def given(role: str, name: str, cols: list[str], where: str) -> str:
        if name not in cols:
            raise _column_error(name, cols, where)
        chosen[role] = name
        return name

    def detect(role: str, frame: pd.DataFrame, accept: Callable[[pd.Series], bool]) -> None:
        used = {v for k, v in chosen.items() if k != "detected" and isinstance(v, str)}
        found = _detect(frame, role, used, accept)
        chosen[role] = found
        if found is not None:
            chosen["detected"].append(role)
            what, option = _ROLES[role]
            notes.append(
                f"Using column {found!r} for {what} (detected; pass {option} to choose another)."
            )

    if comments is not None and cfg.id_col is not None:
        given("id", cfg.id_col, mcols, source)
        given("id", cfg.id_col, ccols, str(csource))
    known = {**GROUP_WORDS, **dict(cfg.group_map)}
    if cfg.score_col:
        given("score", cfg.score_col, mcols, source)
    else:
        # A column named like a score but holding labels is the group column.
        detect("score", main, lambda s: not _holds_labels(s, known))
    if cfg.group_col:
        given("group", cfg.group_col, mcols, source)
    elif chosen["score"] is None:
        detect("group", main, lambda s: _holds_labels(s, known))
    else:
        chosen["group"] = None
    if chosen["score"] is None and chosen["group"] is None:
        raise ColumnError(
            f"No score column found in {source}: pass --score-col with the column holding "
            f"the {cfg.scale.minimum:g}-{cfg.scale.maximum:g} scores (or --group-col for "
            f"promoter/passive/detractor labels). Available columns: {_list_columns(mcols)}."
        )
    if chosen["score"] is not None and chosen["group"] is not None:
        notes.append(
            f"Both a score column ({chosen['score']!r}) and a group column "
            f"({chosen['group']!r}) are given; groups come from the scores."
        )
    if comments is None:
        if cfg.id_col:
            given("id", cfg.id_col, mcols, source)
        else:
            detect("id", main, lambda s: True)
    text_frame, text_cols, text_where = (
        (comments, ccols, str(csource)) if comments is not None else (main, mcols, source)
    )
    if cfg.text_col:
        given("text", cfg.text_col, text_cols, text_where)
    else:
        detect("text", text_frame, lambda s: True)
        if chosen["text"] is None:
            raise ColumnError(
                f"No text column found in {text_where}: pass --text-col with the column "
                f"holding the comments. Available columns: {_list_columns(text_cols)}."
            )
    both = f"{source} or {csource}" if comments is not None else source
    if cfg.date_col:
        given("date", cfg.date_col, mcols + [c for c in ccols if c not in mcols], both)
    else:
        detect("date", main, _looks_like_dates)
    segments = list(dict.fromkeys(cfg.segment_cols))
    for seg in segments:
        if seg not in mcols and seg not in ccols:
            raise _column_error(seg, mcols + [c for c in ccols if c not in mcols], both)
        if seg in _CANONICAL:
            raise ConfigError(
                f"Segment column {seg!r} has the name of a built-in result column "
                f"({', '.join(_CANONICAL)}); rename it in {source}."
            )
    chosen["segments"] = segments
    return chosen


# ---------------------------------------------------------------- building the survey


def _duplicates(
    ids: pd.Series, rows: np.ndarray, where: str, column: str, policy: DuplicatePolicy
) -> tuple[np.ndarray, str | None]:
    """Rows to drop as duplicate ids (empty ids never count), and their reason."""
    present = (ids != "").to_numpy()
    dup = ids.duplicated(keep=False).to_numpy() & present
    if not dup.any():
        return np.zeros(len(ids), dtype=bool), None
    if policy is DuplicatePolicy.error:
        table = pd.DataFrame({"id": ids.to_numpy()[dup], "row": rows[dup]})
        by_id = table.groupby("id", sort=False)["row"].apply(list)
        shown = "; ".join(
            f"{i!r} (rows {', '.join(str(r) for r in rs)})" for i, rs in by_id.head(5).items()
        )
        more = f"; and {len(by_id) - 5} more" if len(by_id) > 5 else ""
        raise DataError(
            f"{len(by_id)} duplicated id(s) in {where} (column {column!r}): {shown}{more}. "
            "Use --duplicates first|last to keep one row per id."
        )
    keep = policy.value
    return ids.duplicated(keep=keep).to_numpy() & present, f"duplicate id (kept {keep})"


def _rejected_table(
    rows: np.ndarray, ids: pd.Series, source: str, reasons: pd.Series, raw: dict[str, pd.Series]
) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "row": rows.astype(np.int64),
            "respondent_id": ids.to_numpy(dtype=object),
            "source": source,
            "reason": reasons.to_numpy(dtype=object),
        }
    )
    for col in RAW_COLUMNS:
        table[col] = raw[col].to_numpy(dtype=object) if col in raw else ""
    return table


def _column(frame: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def _join_comments(
    comments: pd.DataFrame,
    ids: pd.Series,
    drop: np.ndarray,
    cols: dict[str, Any],
    pulled: list[str],
    cfg: AnalysisConfig,
    source: str,
    csource: str,
    rejected_parts: list[pd.DataFrame],
    notes: list[str],
) -> tuple[pd.Series, dict[str, pd.Series], np.ndarray, dict[str, int]]:
    """Bring each main row its comment (and ``pulled`` columns) from the comments file.

    Returns the text, the pulled columns, the rows without a comment and the join
    counts; comment rows that match no score row are appended to ``rejected_parts``.
    """
    cids = comments[cols["id"]].fillna("").astype(str).str.strip()
    crows = np.arange(1, len(comments) + 1, dtype=np.int64)
    cdrop, cdup_reason = _duplicates(cids, crows, csource, cols["id"], cfg.duplicates)
    usable = ~cdrop & (cids != "").to_numpy()
    lookup = (
        comments.loc[usable, list(dict.fromkeys([cols["text"], *pulled]))].fillna("").astype(str)
    )
    lookup.index = pd.Index(cids[usable].to_numpy())
    joined = lookup.reindex(ids.to_numpy()).fillna("")
    text = pd.Series(joined[cols["text"]].to_numpy(), dtype=object)
    extra = {c: pd.Series(joined[c].to_numpy(), dtype=object) for c in pulled}
    has_comment = ids.isin(lookup.index).to_numpy() & (ids != "").to_numpy()
    no_comment = ~has_comment
    main_ids = set(ids[~drop & (ids != "").to_numpy()])
    orphan = ~cdrop & ~cids.isin(main_ids).to_numpy()
    ctext = _column(comments, cols["text"])
    for mask, reason in ((cdrop, cdup_reason), (orphan, None)):
        if mask.any():
            why = reason or "unmatched id (comment without score row)"
            rejected_parts.append(
                _rejected_table(
                    crows[mask], cids[mask], csource, pd.Series(why, index=range(mask.sum())),
                    {"raw_text": ctext[mask]},
                )
            )  # fmt: skip
    join: dict[str, int] = {
        "scores_rows": len(ids),
        "comments_rows": len(comments),
        "matched": int((has_comment & ~drop).sum()),
        "unmatched_scores": int((no_comment & ~drop).sum()),
        "unmatched_comments": int(orphan.sum()),
    }
    if join["unmatched_scores"]:
        notes.append(
            f"{join['unmatched_scores']} of {len(ids)} score rows in {source} have no "
            f"comment in {csource}; they are kept with empty text (flag no_comment)."
        )
    if orphan.any():
        notes.append(
            f"{int(orphan.sum())} comments in {csource} have no score row in {source}; "
            "they are listed as rejected (unmatched id)."
        )
    return text, extra, no_comment, join


def _redact(
    frame: pd.DataFrame,
    rejected: pd.DataFrame,
    info: dict[str, Any],
    notes: list[str],
    names: bool = True,
) -> None:
    """Replace personal data in the comments (kept and rejected) by placeholders, in place."""
    from .redact import redact_texts

    texts = frame["text"].fillna("").astype(str).tolist()
    raw = rejected["raw_text"].fillna("").astype(str).tolist()
    redacted, counts = redact_texts(texts + raw, names=names)
    frame["text"] = pd.Series(redacted[: len(texts)], index=frame.index, dtype=object)
    rejected["raw_text"] = pd.Series(redacted[len(texts) :], index=rejected.index, dtype=object)
    info["redaction"] = counts
    found = ", ".join(f"{v} {k.lower()}" for k, v in counts.items() if v)
    if found:
        notes.append(
            f"Personal data in comments replaced by placeholders like [EMAIL]: {found} "
            "(pass --no-redact to keep it)."
        )


def load_survey(cfg: AnalysisConfig) -> Survey:
    """Load, join and classify the survey that ``cfg`` describes.

    Returns a :class:`Survey` whose ``frame`` has the canonical columns
    (``respondent_id``, ``row``, ``group``, ``score``, the segment columns,
    ``date``, ``flags``, ``text``) and whose ``rejected`` lists every dropped
    row with its reason. ``flags`` is a ';'-joined list of ``no_comment``
    (no row in the comments file) and ``bad_date`` (unparseable date).

    Raises :class:`ConfigError`, :class:`InputFileError`, :class:`ColumnError`
    or :class:`DataError` with a one-line message naming the file.
    """
    if cfg.comments is not None and not cfg.id_col:
        raise ConfigError(
            "A separate comments file needs --id-col: the respondent id column present "
            "in both files, used to join them."
        )
    main, main_info = read_table(cfg.input)
    notes: list[str] = main_info.pop("notes")
    info: dict[str, Any] = {"input": main_info}
    source = Path(cfg.input).name
    comments: pd.DataFrame | None = None
    csource: str | None = None
    if cfg.comments is not None:
        comments, comments_info = read_table(cfg.comments)
        notes.extend(comments_info.pop("notes"))
        info["comments_input"] = comments_info
        csource = Path(cfg.comments).name
    cols = _choose_columns(cfg, main, source, comments, csource, notes)
    info["columns"] = {k: cols[k] for k in ("score", "group", "text", "id", "date", "segments")}
    info["columns"]["detected"] = cols["detected"]

    n = len(main)
    rows = np.arange(1, n + 1, dtype=np.int64)
    ids = _column(main, cols["id"]).str.strip() if cols["id"] else pd.Series(rows.astype(str))
    drop, dup_reason = _duplicates(ids, rows, source, str(cols["id"]), cfg.duplicates)
    raw: dict[str, pd.Series] = {
        "raw_score": _column(main, cols["score"]),
        "raw_group": _column(main, cols["group"]),
    }
    pulled = [c for c in [cols["date"], *cols["segments"]] if c and c not in main.columns]
    rejected_parts: list[pd.DataFrame] = []
    if comments is not None:
        text, extra, no_comment, info["join"] = _join_comments(
            comments, ids, drop, cols, pulled, cfg, source, str(csource), rejected_parts, notes
        )
        raw["raw_text"] = text
    else:
        raw["raw_text"] = _column(main, cols["text"])
        extra = {}
        no_comment = np.zeros(n, dtype=bool)

    if cols["score"] is not None:
        scores, reasons = parse_scores(raw["raw_score"], cfg.scale)
        groups = groups_from_scores(scores, cfg.scale)
    else:
        groups, reasons = parse_group_labels(raw["raw_group"], cfg.group_map)
        scores = pd.Series(np.nan, index=main.index)
    if dup_reason is not None:
        reasons[drop] = dup_reason
    kept = reasons.isna().to_numpy()
    if not kept.any():
        first = reasons.iloc[0]
        what, option = ("score", "--score-col") if cols["score"] else ("group label", "--group-col")
        raise DataError(
            f"No valid {what} in {source}: all {n} rows were rejected (first reason: {first}). "
            f"Check {option} and the scale options."
        )
    main_raw = {k: v[~kept] for k, v in raw.items()}
    rejected_parts.insert(
        0, _rejected_table(rows[~kept], ids[~kept], source, reasons[~kept], main_raw)
    )

    frame = pd.DataFrame(
        {
            "respondent_id": ids[kept].to_numpy(dtype=object),
            "row": rows[kept],
            "group": groups[kept].to_numpy(dtype=object),
            "score": scores[kept].to_numpy(dtype=float),
        }
    )
    for seg in cols["segments"]:
        values = (extra[seg] if seg in extra else _column(main, seg))[kept].str.strip()
        frame[seg] = values.where(values != "", "(missing)").to_numpy(dtype=object)
    bad_date = np.zeros(int(kept.sum()), dtype=bool)
    if cols["date"] is not None:
        date_raw = extra[cols["date"]] if cols["date"] in extra else _column(main, cols["date"])
        dates, bad, dayfirst = parse_dates(date_raw[kept].reset_index(drop=True))
        frame["date"] = dates.to_numpy()
        bad_date = bad.to_numpy()
        info["date"] = {
            "column": cols["date"],
            "dayfirst": dayfirst,
            "parsed": int(dates.notna().sum()),
            "missing": int(len(dates) - dates.notna().sum() - bad.sum()),
            "bad": int(bad.sum()),
        }
        if bad.any():
            notes.append(
                f"{int(bad.sum())} values in column {cols['date']!r} are not dates; "
                "they are left empty (flag bad_date)."
            )
    else:
        frame["date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    flags = pd.Series("", index=frame.index, dtype=object)
    for flag, mask in (("no_comment", no_comment[kept]), ("bad_date", bad_date)):
        flags[mask] = np.where(flags[mask] == "", flag, flags[mask] + ";" + flag)
    frame["flags"] = flags.astype(str)
    frame["text"] = raw["raw_text"][kept].to_numpy(dtype=object)

    rejected = pd.concat(rejected_parts, ignore_index=True)
    rejected = rejected[list(REJECTED_COLUMNS) + list(RAW_COLUMNS)]
    kinds = rejected["reason"].str.split(":", n=1).str[0].str.replace(r" \(.*", "", regex=True)
    info["rows"] = {"read": n, "kept": int(kept.sum()), "rejected": int((~kept).sum())}
    info["rejected_reasons"] = {
        str(k): int(v) for k, v in kinds.value_counts().sort_index().items()
    }
    if (~kept).any():
        summary = ", ".join(
            f"{k} ({v})" for k, v in kinds[rejected["source"] == source].value_counts().items()
        )
        notes.append(f"Rejected {int((~kept).sum())} of {n} rows of {source}: {summary}.")
    if cfg.redact:
        _redact(frame, rejected, info, notes, names=cfg.redact_names)
    return Survey(
        frame=frame,
        rejected=rejected,
        segment_cols=tuple(cols["segments"]),
        info=info,
        notes=notes,
    )
