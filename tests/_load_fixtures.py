"""Small survey tables written in every supported format, for tests/test_load.py."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

#: A survey generated for the tests: ids, scores in several spellings, comments
#: with commas, quotes, a line break and accents, a segment and dates.
SURVEY = pd.DataFrame(
    {
        "id": ["r1", "r2", "r3", "r4", "r5", "r6", "r7"],
        "score": ["10", "9", "8", "7,5", "6", " 0 ", "abc"],
        "comment": [
            "Great service, fast",
            'Said "ok"',
            "Café was fine",
            "Line one\nline two",
            "",
            "Slow; very slow",
            "n/a",
        ],
        "region": ["North", "South", "", "North", "South", "North", "South"],
        "date": [
            "13/01/2018",
            "14/02/2018",
            "01/03/2018",
            "",
            "not a date",
            "02/03/2018",
            "05/03/2018",
        ],
    }
)


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` (all str columns) to ``path`` in the format its extension names."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix in (".jsonl", ".ndjson"):
        lines = [json.dumps(rec, ensure_ascii=False) for rec in frame.to_dict("records")]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append([None if v == "" else v for v in record])
        book.save(path)
    else:
        raise ValueError(suffix)
    return path


def write_csv_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write CSV text byte for byte (no newline translation)."""
    path.write_bytes(text.encode(encoding))
    return path
