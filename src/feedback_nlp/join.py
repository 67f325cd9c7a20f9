"""Joining a separate comments file to the scores on the respondent id."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .config import AnalysisConfig
from .rows import column_values, duplicate_rows, rejected_table

__all__ = ["join_comments"]


def join_comments(
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
    cdrop, cdup_reason = duplicate_rows(cids, crows, csource, cols["id"], cfg.duplicates)
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
    ctext = column_values(comments, cols["text"])
    for mask, reason in ((cdrop, cdup_reason), (orphan, None)):
        if mask.any():
            why = reason or "unmatched id (comment without score row)"
            rejected_parts.append(
                rejected_table(
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
