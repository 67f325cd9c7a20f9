"""Writing the machine-readable tables: deterministic bytes, atomic replacement.

The output folder itself (what may be replaced, the swap) is :mod:`feedback_nlp.output_folder`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import OutputError
from .parallel import map_chunks
from .result import AnalysisResult

__all__ = [
    "write_tables",
    "write_text",
    "write_bytes",
    "result_tables",
    "to_json",
    "csv_text",
    "write_csv",
]


def _default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return _finite(float(value))
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _clean(obj: Any) -> Any:
    """Replace NaN/inf floats by None everywhere (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float):
        return _finite(obj)
    if isinstance(obj, np.floating):
        return _finite(float(obj))
    return obj


def to_json(obj: Any) -> str:
    """Stable, pretty JSON (NaN and inf become null)."""
    return (
        json.dumps(_clean(obj), indent=2, ensure_ascii=False, default=_default, allow_nan=False)
        + "\n"
    )


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text: UTF-8, '\\n' line ends, floats to 6 significant digits.

    Text cells (and headers) that a spreadsheet would run as a formula, those
    starting with ``= + - @``, a tab or a carriage return, get a leading ``'``
    (OWASP "CSV injection"); numeric columns are left as numbers.

    >>> csv_text(pd.DataFrame({"t": ["=1+1", "ok"], "x": [-2.5, 1.0]}))
    "t,x\\n'=1+1,-2.5\\nok,1\\n"
    """
    safe = _neutralise_formulas(frame)
    return safe.to_csv(index=False, lineterminator="\n", float_format="%.6g")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        try:
            risky = values.str.match(r"[=+\-@\t\r]", na=False).to_numpy(dtype=bool)
            has_cr = values.str.contains("\r", regex=False, na=False).to_numpy(dtype=bool)
        except AttributeError:  # objects that are not strings: written with str(), not text
            continue
        if has_cr.any():
            # The csv module quotes only '\n' here, so a bare '\r' would break the row.
            out = out.copy() if out is frame else out
            values = values.where(~has_cr, values.str.replace("\r\n?", "\n", regex=True))
            out.iloc[:, i] = values
        if risky.any():
            out = out.copy() if out is frame else out
            out.iloc[:, i] = values.where(~risky, "'" + values.astype(str))
    if any(isinstance(c, str) and c.startswith(_FORMULA_START) for c in frame.columns):
        out = out.set_axis(
            [f"'{c}" if isinstance(c, str) and c.startswith(_FORMULA_START) else c
             for c in frame.columns],
            axis=1,
        )  # fmt: skip
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _public(path: str | Path, mode: int) -> None:
    """Give a temporary file or folder the permissions a plain open()/mkdir() would.

    mkstemp/mkdtemp create them private (0600/0700); a report is meant to be read
    by whoever may read its folder.
    """
    os.chmod(path, mode & ~_umask())


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, then rename."""
    return write_bytes(path, text.encode("utf-8"))


def result_tables(result: AnalysisResult) -> dict[str, pd.DataFrame]:
    """Every table of a result by its CSV file name, in a fixed order (absent tables left out)."""
    tables = {
        "comments.csv": result.comments,
        "themes.csv": result.themes,
        "segments.csv": result.segments,
        "segment_themes.csv": result.segment_themes,
        "terms.csv": result.terms,
        "rejected.csv": result.rejected,
    }
    if result.segment_own_themes is not None and result.config.per_segment:
        tables["segment_own_themes.csv"] = result.segment_own_themes
    if result.sentences is not None:
        tables["sentences.csv"] = result.sentences
    for name, frame in (
        ("trends.csv", result.trends),
        ("metrics.csv", result.metrics),
        ("followup.csv", result.followup),
    ):
        if frame is not None:
            tables[name] = frame
    return tables


def write_tables(
    result: AnalysisResult, out_dir: Path, *, tables: bool = True, summary: bool = True
) -> dict[str, Path]:
    """Write every CSV table (``tables``) and summary.json (``summary``) into ``out_dir``.

    Returns output name → path.
    """
    written: dict[str, Path] = {}
    if tables:
        for name, frame in result_tables(result).items():
            written[name] = write_csv(out_dir / name, frame)
    if summary:
        written["summary.json"] = write_text(
            out_dir / "summary.json", to_json(result.summary.to_dict())
        )
    return written


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then rename."""
    with _atomic(path) as fh:
        fh.write(data)
    return path


#: The table :func:`write_csv` is writing; its forked workers read it from here.
_TABLE: pd.DataFrame | None = None


def _csv_chunks(bounds: list[tuple[int, int]]) -> list[bytes]:
    """The CSV bytes of the rows ``[a, b)`` of :data:`_TABLE`, for each ``(a, b)``."""
    assert _TABLE is not None
    return [
        _neutralise_formulas(_TABLE.iloc[a:b])
        .to_csv(index=False, header=a == 0, lineterminator="\n", float_format="%.6g")
        .encode("utf-8")
        for a, b in bounds
    ]


def write_csv(path: Path, frame: pd.DataFrame, chunk_rows: int = 100_000) -> Path:
    """Write ``frame`` as :func:`csv_text` would, atomically, ``chunk_rows`` rows at a
    time: a million-row table never becomes one string in memory.

    Big tables are formatted over the cores (pandas' CSV writer is single-threaded
    Python), a few chunks at a time; the bytes are the same either way.
    """
    global _TABLE
    workers = os.cpu_count() or 1
    bounds = [
        (a, min(a + chunk_rows, len(frame))) for a in range(0, max(len(frame), 1), chunk_rows)
    ]
    with _atomic(path) as fh:
        _TABLE = frame
        try:
            for i in range(0, len(bounds), 2 * workers):
                for data in map_chunks(_csv_chunks, bounds[i : i + 2 * workers], workers, 2):
                    fh.write(data)
        finally:
            _TABLE = None
    return path


@contextmanager
def _atomic(path: Path) -> Iterator[Any]:
    """A binary file handle on a temporary file beside ``path``, renamed to ``path``
    when the block ends without error (and removed when it does not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            yield fh
        _public(tmp, 0o666)
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror or err}.") from err
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
