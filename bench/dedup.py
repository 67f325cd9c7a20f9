"""What processing each distinct text once buys on real survey data.

    python bench/dedup.py      # Markdown table (make bench puts it in BENCHMARKS.md)

For each real data set in ``../shared/data`` (skipped when absent) and each
generated bench survey in ``bench/results`` (when present): rows with usable
text, distinct comments and sentences, the VADER calls of scoring every
comment and sentence against scoring each distinct one once, and the
sentiment time both ways on one core (best of three). No text of the data sets is printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "src"))

from feedback_nlp.redact import strip_placeholders  # noqa: E402
from feedback_nlp.sentiment import polarity_scorer, score_sentiment  # noqa: E402
from feedback_nlp.textprep import split_sentences, usable_mask  # noqa: E402
from feedback_nlp.themes import clean_for_themes  # noqa: E402

#: (name, path, text column, rows to read or None).
SETS = [
    ("telecom NPS verbatims (real)", DATA / "telecom_nps_verbatims.csv", "text", None),
    ("clothing reviews (real)", DATA / "clothing_reviews_1k.csv", "Review Text", None),
    ("generated survey, 10k", ROOT / "bench" / "results" / "survey_10000.csv", "comment", None),
    ("generated survey, 100k (first 20k rows)",
     ROOT / "bench" / "results" / "survey_100000.csv", "comment", 20_000),
]  # fmt: skip


def _every_row(texts: list[str]) -> tuple[int, float]:
    """VADER calls and seconds when every comment and every sentence is scored."""
    polarity = polarity_scorer()
    start = time.perf_counter()
    calls = 0
    for text in texts:
        polarity(text)
        parts = split_sentences(text)
        calls += 1
        if len(parts) > 1:
            for part in parts:
                polarity(part)
            calls += len(parts)
    return calls, time.perf_counter() - start


def measure(path: Path, column: str, nrows: int | None) -> dict[str, float]:
    raw = pd.read_csv(path, usecols=[column], dtype=str, keep_default_na=False, nrows=nrows)
    plain = strip_placeholders(raw[column].tolist())
    usable, _ = usable_mask(plain)
    texts = [t for t, u in zip(clean_for_themes(plain, cut_because=False), usable) if u]
    sentences = [s for t in texts for s in split_sentences(t)]
    # Best of three: this machine is shared and single runs vary by ~30%.
    calls_all, secs_all = min((_every_row(texts) for _ in range(3)), key=lambda r: r[1])
    secs_once = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        score_sentiment(texts, np.ones(len(texts), dtype=bool), workers=1)
        secs_once = min(secs_once, time.perf_counter() - start)
    distinct = set(texts)
    multi = {s for t in distinct for s in split_sentences(t)} if distinct else set()
    calls_once = len(distinct) + len(
        {s for t in distinct if len(split_sentences(t)) > 1 for s in split_sentences(t)} - distinct
    )
    return {
        "rows": len(texts),
        "distinct": len(distinct),
        "sentences": len(sentences),
        "distinct_sentences": len(multi),
        "calls_all": calls_all,
        "calls_once": calls_once,
        "secs_all": secs_all,
        "secs_once": secs_once,
    }


def main() -> int:
    lines = [
        "| data | comments with text | distinct comments | sentences | distinct sentences "
        "| VADER calls, every row → distinct once "
        "| sentiment s (1 core, best of 3), every row → once |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, path, column, nrows in SETS:
        if not path.is_file():
            continue
        m = measure(path, column, nrows)
        lines.append(
            f"| {name} | {m['rows']:,} | {m['distinct']:,} ({m['distinct'] / m['rows']:.0%}) "
            f"| {m['sentences']:,} | {m['distinct_sentences']:,} "
            f"({m['distinct_sentences'] / max(m['sentences'], 1):.0%}) "
            f"| {m['calls_all']:,} → {m['calls_once']:,} "
            f"({1 - m['calls_once'] / m['calls_all']:.0%} fewer) "
            f"| {m['secs_all']:.2f} → {m['secs_once']:.2f} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
