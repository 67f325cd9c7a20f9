"""The Excel workbook: one sheet per table, a pure function of the result to bytes.

Every sheet has a bold, frozen header row and column widths fitted to its
content (between 8 and 60 characters). Numbers are written as numbers, empty
and NaN values as empty cells, and every text as a text cell: a comment that
starts with ``=`` (or ``+``, ``-``, ``@``, tab, CR) is stored as a string, so
Excel shows it and never evaluates it as a formula. Characters XML cannot hold
are removed and texts are cut at Excel's 32,767-character cell limit. A sheet
holds at most :data:`MAX_ROWS` data rows (Excel's limit); the ``summary``
sheet notes every sheet that was cut, and the CSV files keep every row.

The ``themes`` sheet is themes.csv as a tree: each theme followed by its
sub-themes (``level`` 2), whose id and label are indented and whose rows form
an outline group under the theme (Excel's − / + beside the rows folds them).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..result import AnalysisResult
from .view import brand_masking_text, headline, trend_caveat, trend_flag_notes

__all__ = ["render_xlsx", "summary_rows", "MAX_ROWS"]

#: Excel's row limit (1,048,576) minus the header row.
MAX_ROWS = 1_048_575
MAX_CELL_CHARS = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEETS = (
    ("themes", "themes.csv"),
    ("segments", "segments.csv"),
    ("segment_themes", "segment_themes.csv"),
    ("segment_own_themes", "segment_own_themes.csv"),
    ("trends", "trends.csv"),
    ("metrics", "metrics.csv"),
    ("followup", "followup.csv"),
    ("comments", "comments.csv"),
    ("rejected", "rejected.csv"),
    ("terms", "terms.csv"),
)


def _value(v: Any) -> Any:
    """A cell value openpyxl writes natively: None, bool, int, float or str."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v) or None  # an empty text is an empty cell


def _text_cell(ws: Any, text: str, indent: int = 0) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    s = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(s) > MAX_CELL_CHARS:
        s = s[: MAX_CELL_CHARS - 1] + "…"
    if not s.startswith(_FORMULA_START) and not indent:
        return s
    cell = WriteOnlyCell(ws, value=s)
    cell.data_type = "s"  # a string cell, whatever it starts with: never a formula
    if indent:
        cell.alignment = Alignment(indent=indent)
    return cell


def _tree_order(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """themes.csv's rows with each theme's sub-themes right under it, and each row's level.

    Themes keep their order, and so do the sub-themes of a theme; a sub-theme whose
    theme is missing goes last.
    """
    if not {"theme_id", "level", "parent_id"} <= set(frame.columns):
        return frame, [1] * len(frame)
    levels = pd.to_numeric(frame["level"], errors="coerce").fillna(1).astype(int).tolist()
    ids = frame["theme_id"].astype(str).tolist()
    parents = frame["parent_id"].fillna("").astype(str).tolist()
    subs: dict[str, list[int]] = {}
    for i, (level, parent) in enumerate(zip(levels, parents, strict=True)):
        if level == 2:
            subs.setdefault(parent, []).append(i)
    order: list[int] = []
    for i, level in enumerate(levels):
        if level != 2:
            order += [i, *subs.pop(ids[i], [])]
    order += sorted(i for rest in subs.values() for i in rest)
    return frame.iloc[order], [levels[i] for i in order]


def _widths(headers: list[str], rows: list[list[Any]]) -> list[float]:
    widths = []
    for j, h in enumerate(headers):
        longest = max([len(str(h))] + [len(str(r[j])) for r in rows[:500] if r[j] is not None])
        widths.append(float(min(60, max(8, longest + 2))))
    return widths


def _write_sheet(
    wb: Any,
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    levels: list[int] | None = None,
) -> None:
    """One sheet; ``levels`` (one per row) indents and groups the rows of level 2."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = list(rows)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    indented = {headers.index(h) for h in ("theme_id", "label") if h in headers}
    if levels and 2 in levels:
        ws.sheet_properties.outlinePr.summaryBelow = False  # a theme heads its group
        for r, level in enumerate(levels, start=2):
            if level == 2:
                ws.row_dimensions[r].outline_level = 1
    for j, w in enumerate(_widths(headers, rows), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.data_type = "s"
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for i, row in enumerate(rows):
        indent = 2 if levels and levels[i] == 2 else 0
        ws.append(
            [
                _text_cell(ws, v, indent if j in indented else 0) if isinstance(v, str) else v
                for j, v in enumerate(row)
            ]
        )


def summary_rows(result: AnalysisResult) -> list[list[Any]]:
    """The key figures as (figure, value) rows."""
    s = result.summary
    h = headline(s)
    rows = h.rows
    label = f"{h.label} {h.scale}" if h.scale else h.label
    out: list[list[Any]] = [
        [label, h.score],
        [f"{h.label} 95% CI low", h.ci_low],
        [f"{h.label} 95% CI high", h.ci_high],
        ["respondents (n)", h.n],
        ["promoters", h.promoters],
        ["passives", h.passives],
        ["detractors", h.detractors],
        ["rows read", rows.read],
        ["rows analysed", rows.analyzed],
        ["rows rejected", rows.rejected],
        ["rows without usable text", rows.no_text],
        ["rows with a theme", rows.with_theme],
    ]
    trends = s.trends
    if trends:
        out += [
            ["trend period", trends.period],
            ["rows without a date (not in trends)", trends.rows_without_date],
        ]
        c = trends.comparison
        if c:
            out += [
                [f"{h.label} {c.last.period} (last period)", c.last.nps],
                [f"{h.label} {c.previous.period} (previous period)", c.previous.nps],
                [f"{h.label} change vs previous period", c.nps_change],
                [f"{h.label} change p-value", c.p_value],
            ]
        caveat = trend_caveat(trends)
        if caveat:
            out.append(["trend caution", caveat])
        out += [["trend periods flagged", note] for note in trend_flag_notes(trends)]
    for m in s.metrics or ():
        out += [
            [f"{m.metric}: mean", m.mean],
            [f"{m.metric}: n", m.n],
            [f"{m.metric}: Pearson r with score", m.pearson_r],
            [f"{m.metric}: Spearman rho with score", m.spearman_rho],
        ]
    f = s.followup
    if f:
        out += [["detractors to contact", f.detractors], ["promoters to thank", f.promoters]]
    out += [
        [f"masked as a brand name: {t.term}", f"{t.source}; {t.comments} of {t.of} comments"]
        for t in result.masked_terms
    ]
    out.append(
        ["brand masking", brand_masking_text(result.masked_terms, result.config.brand_detection)]
    )
    return [[k, _value(v)] for k, v in out]


def render_xlsx(result: AnalysisResult) -> bytes:
    """Render the workbook (``report.xlsx``) as bytes; see the module docstring.

    Examples
    --------
    >>> Path("report.xlsx").write_bytes(render_xlsx(result))  # doctest: +SKIP
    """
    from openpyxl import Workbook

    from ..output import result_tables

    tables = result_tables(result)
    wb = Workbook(write_only=True)
    summary = summary_rows(result)
    body: list[tuple[str, list[str], list[list[Any]], list[int] | None]] = []
    for title, name in _SHEETS:
        frame = tables.get(name)
        if frame is None:
            continue
        levels = None
        if title == "themes":
            frame, levels = _tree_order(frame)
        if len(frame) > MAX_ROWS:
            summary.append(
                [
                    f"note: sheet {title}",
                    f"first {MAX_ROWS:,} of {len(frame):,} rows (Excel's "
                    f"limit); every row is in {name}",
                ]
            )
            frame = frame.iloc[:MAX_ROWS]
            levels = levels[:MAX_ROWS] if levels else None
        records = [[_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        body.append((title, [str(c) for c in frame.columns], records, levels))
    _write_sheet(wb, "summary", ["figure", "value"], summary)
    for title, headers, records, levels in body:
        _write_sheet(wb, title, headers, records, levels)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
