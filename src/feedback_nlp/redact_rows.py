"""Redaction of loaded chunks: every cell that reaches an output, in three steps.

A chunk (:class:`feedback_nlp.load.LoadedPart`) holds the kept rows' comments
and the rejected rows' raw cells; both reach the outputs (comments.csv,
rejected.csv, the xlsx), so both pass the same redaction
(:mod:`feedback_nlp.redact`): the comments, and in rejected rows ``raw_text``,
``raw_score``, ``raw_group`` and the ``reason`` that quotes a bad cell.
:func:`redact_parts` runs the three steps over the chunks so that the answer
does not depend on how the rows were cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import reduce
from operator import add
from typing import Any

import pandas as pd

from .execution import Executor
from .rows import text_list

__all__ = ["redact_parts", "scan_part"]


#: Cells of a rejected row that echo input besides its comment: they reach
#: rejected.csv and the xlsx, so they are redacted too ("reason" quotes the bad cell).
_REJECTED_CELLS = ("raw_score", "raw_group", "reason")


def _part_texts(part: Any) -> list[str]:
    """The comments of a chunk, kept rows then rejected rows (both reach the outputs)."""
    return text_list(part.frame["text"]) + text_list(part.rejected["raw_text"])


def _cell_texts(part: Any) -> list[str]:
    """The other cells of the rejected rows that echo input, column after column."""
    return [v for c in _REJECTED_CELLS for v in text_list(part.rejected[c])]


def scan_part(part: Any, *, processes: int = 1) -> Any:
    """Redaction step 1 on a chunk (:func:`feedback_nlp.redact.scan_texts`).

    Two scans: the comments, whose word counts the name filter reads, and the
    rejected rows' other cells, redacted by the same rules without adding to
    those counts (so a rejected score cell never changes which comments' names
    are found).
    """
    from .redact import scan_texts

    return scan_texts(_part_texts(part), workers=processes), scan_texts(_cell_texts(part))


def _word_counts(scans: Any) -> Any:
    return scans[0].counts


def _names(scans: Any, *, words: Any, processes: int = 1) -> Any:
    from .redact import find_names

    return find_names(scans[0], words, workers=processes), find_names(scans[1], words)


def _tag_counts(hits: Any) -> Any:
    return hits[0].counts


def _redacted(
    part: Any, scans: Any, hits: Any = None, *, words: Any = None, tags: Any = None
) -> Any:
    from .redact import apply_spans, cell_names, merge_spans, name_spans

    n, r = len(part.frame), len(part.rejected)
    spans = [
        merge_spans(scan, name_spans(hits[i], words, tags) if hits is not None else {})
        for i, scan in enumerate(scans)
    ]
    if hits is not None:  # names typed into score and group cells, and quoted in the reason
        masked = scans[1].masked
        extra = cell_names(masked[: 2 * r]) + cell_names(masked[2 * r :], quoted=True)
        spans[1] = [_join(a, b) for a, b in zip(spans[1], extra)]
    comments, counts = apply_spans(_part_texts(part), spans[0])
    cells = _cell_texts(part)
    raw_cells, found = apply_spans(cells[: 2 * r], spans[1][: 2 * r])
    # The reason quotes the raw cell: its pieces are already counted there.
    reasons, _ = apply_spans(cells[2 * r :], spans[1][2 * r :])
    counts = {k: v + found[k] for k, v in counts.items()}
    texts = [comments, raw_cells + reasons]
    frame, rejected = part.frame.copy(), part.rejected.copy()
    frame["text"] = pd.Series(texts[0][:n], index=frame.index, dtype=object)
    rejected["raw_text"] = pd.Series(texts[0][n:], index=rejected.index, dtype=object)
    for k, col in enumerate(_REJECTED_CELLS):
        cells = pd.Series(texts[1][k * r : (k + 1) * r], index=rejected.index, dtype=object)
        # An empty cell stays as it was (None or ""), as in the unredacted table.
        rejected[col] = cells.where(rejected[col].notna(), rejected[col])
    return replace(part, frame=frame, rejected=rejected, redaction=counts)


def _join(found: list[Any], more: list[Any]) -> list[Any]:
    """``found`` plus the spans of ``more`` that overlap none of them, sorted."""
    return sorted(
        found + [m for m in more if all(m.end <= f.start or f.end <= m.start for f in found)]
    )


def redact_parts(ex: Executor, parts: Sequence[Any], names: bool) -> list[Any]:
    """Every chunk's comments and rejected cells with personal data replaced by placeholders.

    The name filter reads corpus-wide word counts, so the chunks are scanned,
    their counts summed, the recogniser run on each chunk's candidates, its tags
    summed, and only then each chunk's names decided: the result does not
    depend on how the rows are cut into chunks.
    """
    # Not "workers": dask.distributed.Client.map takes that keyword itself.
    scans = ex.map(scan_part, parts, processes=ex.workers)
    if not names:
        return ex.map(_redacted, parts, scans)
    words = ex.scatter(reduce(add, ex.gather(ex.map(_word_counts, scans))))
    hits = ex.map(_names, scans, words=words, processes=ex.workers)
    tags = ex.scatter(reduce(add, ex.gather(ex.map(_tag_counts, hits))))
    return ex.map(_redacted, parts, scans, hits, words=words, tags=tags)
