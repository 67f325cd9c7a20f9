"""Writing the machine-readable tables: deterministic bytes, atomic replacement."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import OutputError
from .result import AnalysisResult

__all__ = ["write_tables", "write_text", "write_bytes", "result_tables", "to_json", "csv_text"]


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
    return json.dumps(_clean(obj), indent=2, ensure_ascii=False, default=_default, allow_nan=False) + "\n"


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text: UTF-8, '\\n' line ends, floats to 6 significant digits."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror or err}.") from err
    return path


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
    for name, frame in (("trends.csv", result.trends), ("metrics.csv", result.metrics),
                        ("followup.csv", result.followup)):
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
            written[name] = write_text(out_dir / name, csv_text(frame))
    if summary:
        written["summary.json"] = write_text(out_dir / "summary.json", to_json(result.summary))
    return written


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, like :func:`write_text`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror or err}.") from err
    return path
