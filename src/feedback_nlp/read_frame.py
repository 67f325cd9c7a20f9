"""Reading a pandas DataFrame given in place of a survey file (``analyze(df, ...)``).

The frame becomes the table of strings :func:`~feedback_nlp.read.read_table`
gives for a file: each cell as the text ``DataFrame.to_csv`` writes for it
(``9.0``, ``2026-01-02``, ``True``), '' where it is missing, and column names
as text, stripped and made unique as a CSV header's. A frame and a CSV written
from it with ``index=False`` are then analysed alike, row for row.

Rows are numbered from 1 in the frame's order: the index is not read (row 1
is ``df.iloc[0]``, whatever its label).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from .errors import InputFileError
from .read import unique_names

__all__ = ["read_frame"]


def read_frame(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``frame`` as a table of strings and its read info, as :func:`read_table` for a file.

    ``name`` is how messages call it ("the DataFrame"). ``info`` holds
    ``format`` ("dataframe"), ``name``, ``rows_read``, ``sha256`` of the
    column names and cells as read (the same frame gives the same digest),
    and ``notes``; ``path``, ``encoding`` and ``delimiter`` are None.

    >>> table, info = read_frame(pd.DataFrame({"score": [9.0, None], " why ": ["ok", "bad"]}), "df")
    >>> table.to_dict("list"), info["rows_read"]
    ({'score': ['9.0', ''], 'why': ['ok', 'bad']}, 2)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}.")
    if frame.shape[1] == 0:
        raise InputFileError(f"{_capital(name)} has no columns.")
    if len(frame) == 0:
        raise InputFileError(f"{_capital(name)} has no rows.")
    names, notes = unique_names([_label(c) for c in frame.columns], name)
    table = pd.DataFrame(
        {n: _strings(frame.iloc[:, i]) for i, n in enumerate(names)}, columns=names
    )
    digest = hashlib.sha256("\x1f".join(names).encode("utf-8", "surrogatepass"))
    digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    info: dict[str, Any] = {
        "path": None,
        "name": name,
        "format": "dataframe",
        "encoding": None,
        "delimiter": None,
        "rows_read": len(table),
        "sha256": digest.hexdigest(),
        "notes": notes,
    }
    return table, info


def _label(column: Any) -> str:
    """A column label as a CSV header cell: a tuple (MultiIndex) joined by '.'."""
    if isinstance(column, tuple):
        return ".".join(str(c) for c in column).strip()
    return str(column).strip()


def _strings(values: pd.Series) -> pd.Series:
    """Cells as the text ``to_csv`` writes ('' where missing), as plain Python strings."""
    text = values.astype(str).where(values.notna(), "")
    return pd.Series(text.to_numpy(dtype=object), dtype=object)


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]
