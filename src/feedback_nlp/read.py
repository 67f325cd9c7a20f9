"""Reading survey files into tables of strings: format by extension, encoding
detection (UTF-8, UTF-8 with BOM, announced cp1252 fallback), delimiter sniffing.

Every cell comes back as ``str`` ('' when empty); nothing is coerced here.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from .config import display_path
from .delimited import DELIMITERS, check_delimited, header_cells
from .errors import InputFileError

__all__ = [
    "read_table",
    "read_parquet_bytes",
    "sniff_delimiter",
    "unique_names",
    "utf8_head_encoding",
    "SUPPORTED_EXTENSIONS",
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
    name = display_path(path.name)
    if not path.exists():
        raise InputFileError(f"File not found: {display_path(path)}")
    if path.is_dir():
        raise InputFileError(
            f"{display_path(path)} is a directory, not a file: pass the survey file itself."
        )
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
        "path": display_path(path),
        "format": fmt,
        "encoding": None,
        "delimiter": None,
        "rows_read": 0,
        "sha256": hashlib.sha256(data).hexdigest(),
        "notes": [],
    }
    if not data.strip():
        raise InputFileError(f"{name} has no data rows: the file is empty.")
    header: list[str] | None = None
    if fmt in ("csv", "tsv", "jsonl"):
        text, info["encoding"], note = _decode(data, name, fmt)
        if note:
            info["notes"].append(note)
        if fmt == "jsonl":
            frame, notes = _read_jsonl(text, name)
            info["notes"] += notes
        else:
            info["delimiter"] = delimiter = "\t" if fmt == "tsv" else sniff_delimiter(text)
            frame = _read_csv(text, delimiter, name)
            header = header_cells(text, delimiter)
            info["notes"] += check_delimited(frame, text, delimiter, name)
    elif fmt == "xlsx":
        frame, sheets = _read_xlsx(data, name)
        info["sheet"] = sheets[0]
        if len(sheets) > 1:
            info["notes"].append(
                f"{name} has {len(sheets)} sheets; read only the first one, {sheets[0]!r}."
            )
    else:
        frame = read_parquet_bytes(data, name)
        header = _parquet_names(data)
    if len(frame) == 0:
        raise InputFileError(f"{name} has no data rows, only a header line.")
    names = [str(c).strip() for c in frame.columns]
    if header is not None and len(header) == len(names) and len(set(header)) < len(header):
        # pandas renamed repeated names already ('a', 'a.1'): name them from the header itself.
        names = [h.strip() or n for h, n in zip(header, names, strict=True)]
    frame.columns, notes = unique_names(names, name)
    info["notes"] += notes
    info["rows_read"] = len(frame)
    return frame.reset_index(drop=True), info


def unique_names(names: list[str], name: str) -> tuple[list[str], list[str]]:
    """Column names made unique as pandas does for CSV ('a', 'a.1', ...), and a note per name.

    Every format gets the same names: an xlsx or Parquet header, or two CSV
    names equal once stripped ("comment" and "comment "), as a CSV header.

    >>> unique_names(["score", "comment", "score"], "s.xlsx")
    (['score', 'comment', 'score.1'], ["s.xlsx has 2 columns named 'score' (columns 1, 3); \
they are read as 'score', 'score.1'."])
    """
    out: list[str] = []
    counts: dict[str, int] = {}
    for col in names:
        count = counts.get(col, 0)
        while count > 0:  # pandas' rule: the first free 'name.k'
            counts[col] = count + 1
            col = f"{col}.{count}"
            count = counts.get(col, 0)
        out.append(col)
        counts[col] = count + 1
    notes = []
    for col, n in Counter(names).items():
        if n > 1:
            where = [i for i, c in enumerate(names) if c == col]
            notes.append(
                f"{name} has {n} columns named {col!r} (columns "
                f"{', '.join(str(i + 1) for i in where)}); they are read as "
                f"{', '.join(repr(out[i]) for i in where)}."
            )
    return out, notes


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the zero bytes are all at odd (even) positions.

    ASCII characters in UTF-16 have a zero high byte: in English text every
    other byte is zero, in Cyrillic or Greek text with ASCII digits and
    delimiters about a third of them; a binary file has zeros at both.
    """
    sample = data[: min(len(data), 8192) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.25 * len(zeros) and other.count(0) <= 0.01 * len(other):
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                return None
            control = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
            return encoding if "\n" in text and control <= 0.01 * len(text) else None
    return None


def utf8_head_encoding(head: bytes) -> str | None:
    """'utf-8-sig' or 'utf-8' when :func:`read_table` reads a file starting with ``head`` as UTF-8.

    None when it reads those bytes otherwise (UTF-16 with or without a
    byte-order mark, cp1252, latin-1) or refuses them as binary; a byte after
    ``head`` may still not be UTF-8. ``head``: the first 64 KB or more.

    >>> utf8_head_encoding("score,comment\\n9,café\\n".encode())
    'utf-8'
    >>> utf8_head_encoding("score,comment\\n9,café\\n".encode("utf-16-le")) is None
    True
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return None
    if b"\x00" in head[:8192]:
        return None
    encoding = "utf-8"
    if head.startswith(codecs.BOM_UTF8):
        head, encoding = head[len(codecs.BOM_UTF8) :], "utf-8-sig"
    try:
        # Not final: a character cut by the end of the head is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return encoding


def _decode(data: bytes, name: str, fmt: str) -> tuple[str, str, str | None]:
    """Decode text: UTF-8, UTF-8 with BOM, UTF-16 with BOM, else cp1252 (announced)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError:
            pass
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return (
                data.decode(utf16),
                utf16,
                f"{name} is UTF-16 without a byte-order mark; read it as {utf16.upper()}.",
            )
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


def sniff_delimiter(text: str) -> str:
    """csv.Sniffer on a sample, checked against the header line."""
    sample = text[:32_768]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    header = sample.split("\n", 1)[0]
    try:
        found: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found is None or found not in header:
        counts = {d: header.count(d) for d in DELIMITERS}
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
        match = re.search(r"EOF inside string starting at row (\d+)", message)
        if match:  # pandas counts lines from 0
            raise InputFileError(
                f"{name} is malformed: a quote opened on line {int(match.group(1)) + 1} is never "
                "closed. Check the quoting (a stray '\"' at the start of a cell)."
            ) from err
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


def _read_jsonl(text: str, name: str) -> tuple[pd.DataFrame, list[str]]:
    records: list[dict[str, Any]] = []
    # Lines end at "\n" only: JSON strings may hold U+2028, U+0085... which splitlines() splits.
    for line_no, line in enumerate(text.split("\n"), start=1):
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
    notes: list[str] = []
    if _SURROGATE_ESCAPE.search(text):
        columns, notes = _without_surrogates(columns, name)
    return pd.DataFrame(columns, columns=list(columns), dtype=str), notes


#: A JSON escape of a UTF-16 surrogate: alone (not in a pair) it is no character at all.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(
    columns: dict[str, list[str]], name: str
) -> tuple[dict[str, list[str]], list[str]]:
    """Lone surrogates (which no output can encode) as U+FFFD, with a note counting the cells."""
    out: dict[str, list[str]] = {}
    changed = 0
    for key, cells in columns.items():
        fixed = [_SURROGATE.sub("\ufffd", c) for c in cells]
        changed += sum(a != b for a, b in zip(cells, fixed, strict=True))
        out[_SURROGATE.sub("\ufffd", key)] = fixed
    note = (
        f"{name} has {changed} cell{'s' if changed != 1 else ''} with a lone surrogate escape "
        "(such as \\ud800, not a character); read with U+FFFD in its place."
    )
    return out, [note] if changed else []


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
            f"{name} is not a readable .xlsx workbook ({_why(err)}). "
            "Re-save it from Excel as .xlsx, or export it as CSV."
        ) from err
    try:
        sheets = list(book.sheetnames)
        rows = [
            [_xlsx_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
        ]
    except Exception as err:
        raise InputFileError(
            f"{name} could not be read ({_why(err)}). "
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


def _why(err: Exception) -> str:
    """An exception as one line for a message: its type and its text."""
    return f"{type(err).__name__}: {' '.join(str(err).split())}"


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "day") \
            else value.isoformat()  # fmt: skip
    return str(value)


def read_parquet_bytes(data: bytes, name: str) -> pd.DataFrame:
    """A Parquet file's bytes as a table of strings, converted as :func:`read_table` does."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        # ParquetFile, not read_table: the dataset reader refuses a repeated column name.
        table = pq.ParquetFile(io.BytesIO(data)).read()
    except Exception as err:
        raise InputFileError(f"{name} is not a readable Parquet file ({_why(err)}).") from err
    columns: list[pd.Series] = []
    for column in table.columns:
        try:
            strings = pc.cast(column, pa.string()).to_pandas()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = column.to_pandas()
            strings = values.astype(str).where(values.notna(), "")
        columns.append(strings.fillna("").astype(str))
    # Every column, even under a repeated name (made unique as a CSV header's).
    names, _ = unique_names([str(c) for c in table.column_names], name)
    return pd.DataFrame(dict(zip(names, columns, strict=True)), columns=names)


def _parquet_names(data: bytes) -> list[str]:
    """The column names a Parquet file declares (repeats included)."""
    import pyarrow.parquet as pq

    return [str(c) for c in pq.read_schema(io.BytesIO(data)).names]
