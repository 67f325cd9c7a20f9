"""Stage 1: read a survey (or a scores file plus a comments file) into a :class:`Survey`.

Every cell is read as a string, so nothing is coerced behind the user's back;
then the columns are chosen, the comments joined on the respondent id, the
scores parsed and classified. Every data row of the main input ends either in
``Survey.frame`` or in ``Survey.rejected`` with its reason.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import AnalysisConfig, DuplicatePolicy, Scale
from .errors import ColumnError, ConfigError, DataError, InputFileError, nearest
from .result import REJECTED_COLUMNS, Survey

__all__ = [
    "load_survey",
    "read_table",
    "parse_scores",
    "parse_group_labels",
    "SUPPORTED_EXTENSIONS",
    "RAW_COLUMNS",
]

#: File extension (lower-cased) -> format name.
SUPPORTED_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
#: Raw input values kept in ``Survey.rejected`` after :data:`REJECTED_COLUMNS`.
RAW_COLUMNS = ("raw_score", "raw_group", "raw_text")
#: Column names the frame uses itself; a segment column may not take one.
_CANONICAL = ("respondent_id", "row", "group", "score", "date", "flags", "text")
_DELIMITERS = ",;|\t"
_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})
_GROUP_WORDS = {f"{g}{s}": g for g in ("promoter", "passive", "detractor") for s in ("", "s")}
_FRACTION = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)$")
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}")
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


def read_table(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a survey file as a table of strings ('' for empty cells).

    The format follows the extension (:data:`SUPPORTED_EXTENSIONS`). ``info``
    holds ``path``, ``format``, ``encoding``, ``delimiter`` (None where they do
    not apply), ``rows_read``, ``sha256`` of the file bytes, ``sheet`` for
    .xlsx, and ``notes``: messages for the user (encoding fallback, extra sheets).

    Raises :class:`InputFileError` for a missing, empty, binary, unsupported
    or malformed file.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputFileError(f"File not found: {path}")
    if path.is_dir():
        raise InputFileError(f"{path} is a directory, not a file: pass the survey file itself.")
    fmt = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        kind = f"type {path.suffix!r}" if path.suffix else "type (no extension)"
        raise InputFileError(
            f"Unsupported file {kind} for {name}: use one of "
            f"{', '.join(SUPPORTED_EXTENSIONS)} (save or rename it accordingly)."
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputFileError(f"Cannot read {name}: {err.strerror or err}.") from err
    info: dict[str, Any] = {
        "path": str(path),
        "format": fmt,
        "encoding": None,
        "delimiter": None,
        "rows_read": 0,
        "sha256": hashlib.sha256(data).hexdigest(),
        "notes": [],
    }
    if not data.strip():
        raise InputFileError(f"{name} has no data rows: the file is empty.")
    if fmt in ("csv", "tsv", "jsonl"):
        text, info["encoding"], note = _decode(data, name, fmt)
        if note:
            info["notes"].append(note)
        if fmt == "jsonl":
            frame = _read_jsonl(text, name)
        else:
            info["delimiter"] = "\t" if fmt == "tsv" else _sniff_delimiter(text)
            frame = _read_csv(text, info["delimiter"], name)
    elif fmt == "xlsx":
        frame, sheets = _read_xlsx(data, name)
        info["sheet"] = sheets[0]
        if len(sheets) > 1:
            info["notes"].append(
                f"{name} has {len(sheets)} sheets; read only the first one, {sheets[0]!r}."
            )
    else:
        frame = _read_parquet(data, name)
    if len(frame) == 0:
        raise InputFileError(f"{name} has no data rows, only a header line.")
    frame.columns = [str(c).strip() for c in frame.columns]
    info["rows_read"] = len(frame)
    return frame.reset_index(drop=True), info


def _decode(data: bytes, name: str, fmt: str) -> tuple[str, str, str | None]:
    """Decode text: UTF-8, UTF-8 with BOM, UTF-16 with BOM, else cp1252 (announced)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        hint = " (it looks like a zip or .xlsx file)" if data.startswith(b"PK\x03\x04") else ""
        label = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSON Lines"}[fmt]
        raise InputFileError(f"{name} looks like a binary file, not {label} text{hint}.")
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    try:
        return data.decode("utf-8"), encoding, None
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    n_bad = replaced.count("\ufffd")
    n_multibyte = sum(1 for ch in replaced if ord(ch) > 127) - n_bad
    if n_multibyte > n_bad:
        # Mostly valid UTF-8 with a few broken bytes: reading it all as cp1252
        # would garble every correct accented character instead of a few.
        return (
            replaced,
            encoding,
            (
                f"{name} has {n_bad} byte(s) that are not valid UTF-8; read it as UTF-8 "
                "with those replaced by '\ufffd'."
            ),
        )
    try:
        return (
            data.decode("cp1252"),
            "cp1252",
            (f"{name} is not UTF-8; read it as cp1252 (Windows-1252)."),
        )
    except UnicodeDecodeError:
        return (
            data.decode("latin-1"),
            "latin-1",
            (
                f"{name} is neither UTF-8 nor cp1252; read it as latin-1 (ISO-8859-1): "
                "check accented characters, or re-save the file as UTF-8."
            ),
        )


def _sniff_delimiter(text: str) -> str:
    """csv.Sniffer on a sample, checked against the header line."""
    sample = text[:32_768]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    header = sample.split("\n", 1)[0]
    try:
        found: str | None = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found is None or found not in header:
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        found = best if counts[best] else ","
    return found


def _read_csv(text: str, delimiter: str, name: str) -> pd.DataFrame:
    """Parse delimited text; pyarrow when it can, pandas' C parser otherwise.

    The fast path only accepts a result that the C parser would give as well
    (unique header, every row complete); anything else goes to the C parser,
    whose behaviour and error messages are the reference.
    """
    data = text.encode("utf-8")
    fast = _read_csv_pyarrow(text, data, delimiter)
    if fast is not None:
        return fast
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.BytesIO(data),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                index_col=False,
                encoding="utf-8",
            ).fillna("")
    except pd.errors.EmptyDataError as err:
        raise InputFileError(f"{name} has no data rows: the file is empty.") from err
    except pd.errors.ParserWarning as err:
        raise InputFileError(
            f"{name} is malformed: the first data row has more fields than the header "
            f"(delimiter {delimiter!r}). Check the delimiter and quoting."
        ) from err
    except (pd.errors.ParserError, ValueError, UnicodeError) as err:
        message = " ".join(str(err).split())
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if match:
            expected, line, saw = match.groups()
            raise InputFileError(
                f"{name} is malformed at line {line}: {saw} fields where the header has "
                f"{expected} (delimiter {delimiter!r}). Check the delimiter and quoting."
            ) from err
        message = message.replace("Error tokenizing data. C error: ", "")
        raise InputFileError(
            f"{name} could not be parsed as delimited text (delimiter {delimiter!r}): {message}."
        ) from err


def _read_csv_pyarrow(text: str, data: bytes, delimiter: str) -> pd.DataFrame | None:
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        # The whole first line, however long (a 100k-column header is still a header).
        header = next(
            csv.reader(io.StringIO(text[: max(65_536, text.find("\n") + 1)]), delimiter=delimiter)
        )
        # pyarrow accepts a quote left open at the end of the file; pandas does not.
        if len(set(header)) != len(header) or not all(header) or text.count('"') % 2:
            return None
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except Exception:  # any doubt: the reference parser decides
        return None
    if table.column_names != header or not all(t == pa.string() for t in table.schema.types):
        return None
    return table.to_pandas()


def _read_jsonl(text: str, name: str) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputFileError(
                f"{name} is malformed: invalid JSON on line {line_no} ({err.msg})."
            ) from err
        if not isinstance(record, dict):
            raise InputFileError(
                f"{name} is malformed: line {line_no} is not a JSON object; "
                "JSON Lines needs one {...} object per line."
            )
        records.append(record)
    keys = list(dict.fromkeys(k for r in records for k in r))
    if not records:
        raise InputFileError(f"{name} has no data rows: the file is empty.")
    columns = {k: [_json_cell(r.get(k)) for r in records] for k in keys}
    return pd.DataFrame(columns, columns=keys, dtype=str)


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _read_xlsx(data: bytes, name: str) -> tuple[pd.DataFrame, list[str]]:
    """First sheet of a workbook; formulas come as the values Excel cached, never evaluated."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:
        raise InputFileError(
            f"{name} is not a readable .xlsx workbook ({type(err).__name__}: {err}). "
            "Re-save it from Excel as .xlsx, or export it as CSV."
        ) from err
    try:
        sheets = list(book.sheetnames)
        rows = [
            [_xlsx_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
        ]
    except Exception as err:
        raise InputFileError(
            f"{name} could not be read ({type(err).__name__}: {err}). "
            "Re-save it from Excel as .xlsx, or export it as CSV."
        ) from err
    finally:
        book.close()
    rows = [r for r in rows if any(r)]  # blank rows are skipped, as in CSV
    if not rows:
        raise InputFileError(f"{name} has no data rows: its first sheet is empty.")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    used = [i for i in range(width) if any(r[i] for r in rows)]
    header = [rows[0][i] or f"Unnamed: {i}" for i in used]
    body = [[r[i] for i in used] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str), sheets


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "day") \
            else value.isoformat()  # fmt: skip
    return str(value)


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as err:
        raise InputFileError(
            f"{name} is not a readable Parquet file ({type(err).__name__}: {err})."
        ) from err
    columns: dict[str, pd.Series] = {}
    for col_name, column in zip(table.column_names, table.columns, strict=True):
        try:
            strings = pc.cast(column, pa.string()).to_pandas()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = column.to_pandas()
            strings = values.astype(str).where(values.notna(), "")
        columns[str(col_name)] = strings.fillna("").astype(str)
    return pd.DataFrame(columns)


# ---------------------------------------------------------------- parsing values


def parse_scores(raw: pd.Series, scale: Scale) -> tuple[pd.Series, pd.Series]:
    """Parse score strings; return (scores as float, rejection reason or None per row).

    Accepts surrounding spaces, a decimal comma and ``n/max`` fractions.

    >>> s, why = parse_scores(pd.Series([" 9/10", "7,5", "11", "abc", ""]), Scale())
    >>> s.tolist()[:2], why.tolist()[2:]
    ([9.0, 7.5], ['score out of range 0-10: 11', "non-numeric score: 'abc'", 'missing score'])
    """
    text = raw.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING).to_numpy()
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
    mapping = {**_GROUP_WORDS, **dict(group_map)}
    lowered = text.str.lower()
    group = lowered.map(mapping).astype(object)
    unknown = group.isna().to_numpy().copy()
    missing = unknown & lowered.isin(_MISSING).to_numpy()
    unknown &= ~missing
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason[missing] = "missing group label"
    reason[unknown] = [
        f"unknown group label: {v!r} (expected promoter, passive, detractor or --group-map)"
        for v in text[unknown]
    ]
    return group.where(group.notna(), "").astype(object), reason


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, bool]:
    """Parse date strings; return (datetime64[ns] with NaT, bad mask, dayfirst used).

    ``dayfirst`` is chosen when a value like 13/01/2018 shows the day comes first.
    Timezone-aware values are converted to UTC and made naive.
    """
    text = raw.fillna("").astype(str).str.strip()
    present = ~text.str.lower().isin(_MISSING)
    dayfirst = _guess_dayfirst(text[present])
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


def _guess_dayfirst(values: pd.Series) -> bool:
    heads = pd.Series(values.str.slice(0, 10).unique(), dtype=str)
    parts = heads.str.extract(_DAY_MONTH)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    return bool((first > 12).sum() > (second > 12).sum())


# ---------------------------------------------------------------- choosing columns


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
    return text[~text.str.lower().isin(_MISSING)].head(n)


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
    known = {**_GROUP_WORDS, **dict(cfg.group_map)}
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
