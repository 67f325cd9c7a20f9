"""Close the loop: who to contact first, detractors before promoters.

Priority order (``priority`` 1 is first):

1. **Detractors**, every one of them, with or without usable text (they can
   still be called): lowest score first; then the most negative sentiment
   (comments without usable text have no sentiment and come after those with
   one); then the largest ``theme_impact``, the summed ``|nps_impact|`` of the
   themes the comment carries (how much those themes move the overall NPS);
   then respondent id (as text), so the order is deterministic.
   Action: ``contact: detractor``.
2. **Promoters**: highest score first; then the most positive sentiment (no
   sentiment last); then the largest ``theme_impact``; then respondent id.
   Action: ``thank / ask for referral: promoter``.

Passives are left out: the list is for the two actions that pay back most,
recovering detractors and activating promoters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .result import FOLLOWUP_COLUMNS

__all__ = ["followup_table", "ACTIONS"]

#: The action written for each group on the list.
ACTIONS = {"detractor": "contact: detractor", "promoter": "thank / ask for referral: promoter"}


def followup_table(
    comments: pd.DataFrame, themes: pd.DataFrame, segment_cols: Sequence[str] = ()
) -> pd.DataFrame:
    """Detractors then promoters, in contact order (see the module docstring).

    Parameters
    ----------
    comments : the comment table (:data:`~feedback_nlp.result.COMMENT_COLUMNS`).
    themes : the theme table (``theme_id``, ``label``, ``nps_impact``).
    segment_cols : segment columns of ``comments`` to carry over, after ``score``.

    Returns
    -------
    pandas.DataFrame
        :data:`~feedback_nlp.result.FOLLOWUP_COLUMNS` with the segment columns.
    """
    labels = dict(zip(themes["theme_id"].astype(str), themes["label"].astype(str), strict=True))
    impact = dict(
        zip(
            themes["theme_id"].astype(str),
            pd.to_numeric(themes["nps_impact"], errors="coerce").abs().fillna(0.0),
            strict=True,
        )
    )
    columns = ["priority", "respondent_id", "group", "score", *segment_cols, *FOLLOWUP_COLUMNS[4:]]
    # No empty date column without a date column (the comment table has none then).
    columns = [c for c in columns if c != "date" or "date" in comments.columns]
    parts = []
    for group, ascending in (("detractor", True), ("promoter", False)):
        sub = comments[comments["group"] == group].copy()
        ids = sub["themes"].fillna("").astype(str).str.split(";")
        sub["theme_labels"] = [";".join(labels.get(t, t) for t in ts if t) for ts in ids]
        sub["theme_impact"] = [round(sum(impact.get(t, 0.0) for t in ts if t), 4) for ts in ids]
        sign = 1.0 if ascending else -1.0
        score_key = sign * pd.to_numeric(sub["score"], errors="coerce")
        sent = pd.to_numeric(sub["sentiment"], errors="coerce")
        # The sort keys in a frame of their own: added to ``sub``, they could take the
        # name of a segment column.
        keys = pd.DataFrame(
            {
                "score": score_key.fillna(np.inf).to_numpy(),
                "sentiment": (sign * sent).fillna(np.inf).to_numpy(),
                "impact": -sub["theme_impact"].to_numpy(dtype=float),
                "id": sub["respondent_id"].astype(str).to_numpy(dtype=object),
            }
        )
        order = keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()
        sub = sub.iloc[order]
        sub["action"] = ACTIONS[group]
        parts.append(sub)
    out = pd.concat(parts, ignore_index=True)
    out["priority"] = np.arange(1, len(out) + 1, dtype=np.int64)
    return out[columns].reset_index(drop=True)
