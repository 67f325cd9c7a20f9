"""Row-level helpers the loader and the comments join share: cells, duplicates, rejections."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import DuplicatePolicy
from .errors import DataError
from .result import REJECTED_COLUMNS

__all__ = ["RAW_COLUMNS", "column_values", "duplicate_rows", "rejected_table", "text_list"]

#: Raw input values kept in ``Survey.rejected`` after :data:`REJECTED_COLUMNS`.
RAW_COLUMNS = ("raw_score", "raw_group", "raw_text")


def column_values(frame: pd.DataFrame, name: str | None) -> pd.Series:
    """Column ``name`` as strings ('' when empty); all '' when no column was chosen."""
    if name is None:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def text_list(values: pd.Series) -> list[str]:
    """The cells as a list of str ('' when empty), as ``values.fillna("").astype(str)``
    would give them, but a cell that is already a str is kept as it is.

    pandas' ``astype(str)`` builds an Arrow string column, and ``tolist()`` then
    makes new Python strings from it: a column of 1M comments read three times
    that way held three copies of every comment (~110 MB each).

    >>> import numpy as np
    >>> text_list(pd.Series(["a", None, np.nan, 3, 1.5], dtype=object))
    ['a', '', '', '3', '1.5']
    """
    return [
        v if type(v) is str else ("" if pd.isna(v) else str(v))
        for v in values.to_numpy(dtype=object)
    ]


def duplicate_rows(
    ids: pd.Series, rows: np.ndarray, where: str, column: str, policy: DuplicatePolicy
) -> tuple[np.ndarray, str | None]:
    """Rows to drop as duplicate ids (empty ids never count), and their reason.

    ``ids`` may hold only the rows whose id occurs more than once (what a
    partitioned engine gathers): the answer is the same.
    """
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


def rejected_table(
    rows: np.ndarray, ids: pd.Series, source: str, reasons: pd.Series, raw: dict[str, pd.Series]
) -> pd.DataFrame:
    """Rejected rows with :data:`REJECTED_COLUMNS` and the raw cells of :data:`RAW_COLUMNS`."""
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
    return table[list(REJECTED_COLUMNS) + list(RAW_COLUMNS)]
