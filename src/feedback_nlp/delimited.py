"""Checks on delimited text once it is parsed: what a parser accepts but the user did not mean.

Two mistakes parse without an error and lose rows silently: a header written
with one delimiter and the rows with another (every row a single cell, then
"missing score" for each), and a quote opened and never closed where it
should be (the parser reads the following records into one comment until the
next quote). :func:`check_delimited` refuses the first and names the rows of
the second in a note.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator

import pandas as pd

from .errors import InputFileError

__all__ = ["DELIMITERS", "header_cells", "check_delimited", "quote_merges", "mixed_delimiter"]

#: The delimiters a survey file may use, in the order the sniffer prefers them.
DELIMITERS = ",;|\t"
#: Rows looked at to tell a file written with two delimiters.
_SAMPLE_ROWS = 1_000
#: Single-line records whose shape is taken as the shape of a row.
_SHAPE_ROWS = 2_000
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:/\d+)?")


def header_cells(text: str, delimiter: str) -> list[str]:
    """The header line's cells, however long the line (quotes as the parsers read them)."""
    head = text[: max(65_536, text.find("\n") + 1)]
    try:
        return next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def check_delimited(frame: pd.DataFrame, text: str, delimiter: str, name: str) -> list[str]:
    """Notes on a parsed delimited file; raises :class:`InputFileError` for mixed delimiters."""
    message = mixed_delimiter(frame, delimiter, name)
    if message:
        raise InputFileError(message)
    return quote_merges(text, delimiter, len(frame), name)


def mixed_delimiter(frame: pd.DataFrame, delimiter: str, name: str) -> str | None:
    """The message when most rows hold one cell split by another delimiter than the header's."""
    width = frame.shape[1]
    if width < 2 or not len(frame):
        return None
    head = frame.head(_SAMPLE_ROWS)
    first = head.iloc[:, 0].astype(str)
    rest_empty = (head.iloc[:, 1:].astype(str) == "").all(axis=1)
    for other in DELIMITERS:
        if other == delimiter:
            continue
        sep = re.escape(other)
        # A row of a survey has a number somewhere (a score, an id): a comment that
        # merely holds the other delimiter has none.
        number = first.str.contains(rf"(?:^|{sep})\s*[+-]?\d+(?:\.\d+)?\s*(?:{sep}|$)")
        split = rest_empty & (first.str.count(sep) == width - 1) & number
        if split.mean() >= 0.5:
            return (
                f"{name} mixes delimiters: its header is separated by {delimiter!r} but "
                f"{int(split.sum())} of the first {len(head)} rows by {other!r}. Save the file "
                "with one delimiter throughout."
            )
    return None


def _records(text: str, delimiter: str) -> Iterator[tuple[list[str], list[str]]]:
    """Each record with the physical lines it was read from (blank lines included)."""
    lines: list[str] = []

    def source() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            lines.append(line)
            yield line

    reader = csv.reader(source(), delimiter=delimiter)
    while True:
        try:
            record = next(reader)
        except (StopIteration, csv.Error):
            return
        yield record, lines[:]
        lines.clear()


def _shape(cells: list[str]) -> tuple[str, ...]:
    """Each cell as empty, number or text: what tells a row from a line of a comment."""
    return tuple(
        "e" if not c.strip() else "n" if _NUMBER.fullmatch(c.strip()) else "t" for c in cells
    )


def _line_shape(line: str, delimiter: str) -> tuple[str, ...] | None:
    try:
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        return None
    return _shape(cells)


def quote_merges(text: str, delimiter: str, n_rows: int, name: str) -> list[str]:
    """Notes naming each record that swallowed lines shaped like rows (an unbalanced quote).

    A comment may span lines inside quotes; a line inside it shaped like the
    file's rows (same number of cells, numbers where the rows have numbers)
    is almost always a record read into the comment because a quote was left
    open. Only files with more lines than rows are read again for this.
    """
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    blank = text.count("\n\n") + text.count("\n\r\n") + text.startswith(("\n", "\r\n"))
    if lines - blank <= n_rows + 1:  # every line is a row, the header or blank
        return []
    records = _records(text, delimiter)
    header = next(records, None)
    if header is None or len(header[0]) < 2:
        return []
    shapes: Counter[tuple[str, ...]] = Counter()
    spanning: list[tuple[int, int, list[str]]] = []
    line_no, row = 1 + len(header[1]), 0
    for record, raw in records:
        start, line_no = line_no, line_no + len(raw)
        if not record:  # a blank line: the parsers skip it
            continue
        row += 1
        if len(raw) > 1:
            spanning.append((row, start, raw))
        elif sum(shapes.values()) < _SHAPE_ROWS:
            shapes[_shape(record)] += 1
    if not spanning or not shapes:
        return []
    shape = shapes.most_common(1)[0][0]
    if len(shape) != len(header[0]) or "n" not in shape:
        return []
    notes = []
    for row, start, raw in spanning:
        rowlike = [k for k, line in enumerate(raw[1:], 1) if _line_shape(line, delimiter) == shape]
        if rowlike:
            end = start + len(raw) - 1
            notes.append(
                f"{name}: data row {row} (lines {start}-{end}) holds {len(rowlike)} "
                f"line{'s' if len(rowlike) > 1 else ''} shaped like rows of their own (first: "
                f"line {start + rowlike[0]}) inside a quoted cell: a quote left open? They are "
                "read as part of that row's cell; check the quoting."
            )
    if len(notes) > 5:
        notes = notes[:5] + [f"{name}: {len(notes) - 5} more rows like these."]
    return notes
