"""List every [NAME] span found in real reviews and generated comments, for a hand check.

    python bench/name_precision.py [--out bench/results/name_spans.tsv]

Real text: the shared data sets (../shared/data: telecom NPS comments, clothing
reviews, SemEval-2016 restaurant reviews, BANKING77 messages), read by path
and never copied into the project. Generated text: the demo survey's comments
(``feedback_nlp.demo``, seed 3, 5,000 rows). Each line of the output is one
span: source, row, the span, and 50 characters of context either side, with
an empty ``person`` column to fill in by hand (y: a person; n: anything else).
Prints the number of spans per source.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "src"))


def sources() -> dict[str, list[str]]:
    import pandas as pd

    from feedback_nlp.demo import generate_survey

    out: dict[str, list[str]] = {}
    if SHARED.is_dir():
        out["telecom"] = pd.read_csv(SHARED / "telecom_nps_verbatims.csv")["text"].tolist()
        out["clothing"] = pd.read_csv(SHARED / "clothing_reviews_1k.csv")["Review Text"].tolist()
        semeval = pd.read_csv(SHARED / "semeval16_restaurant_reviews.csv")
        out["semeval16"] = semeval.groupby("review_id", sort=False)["text"].apply(" ".join).tolist()
        out["banking77"] = pd.read_csv(SHARED / "banking77_test.csv")["text"].tolist()
    out["demo (generated)"] = generate_survey(rows=5000, seed=3)["comment"].tolist()
    return {k: ["" if not isinstance(t, str) else t for t in v] for k, v in out.items()}


def main() -> None:
    from feedback_nlp.redact import find_pii

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "name_spans.tsv")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(["source", "row", "span", "context", "person"])
        for name, texts in sources().items():
            n = 0
            for row, (text, spans) in enumerate(zip(texts, find_pii(texts)), start=1):
                for s in spans:
                    if s.kind != "NAME":
                        continue
                    n += 1
                    before = text[max(0, s.start - 50) : s.start]
                    after = text[s.end : s.end + 50]
                    context = f"{before}<<{text[s.start : s.end]}>>{after}".replace("\n", " ")
                    writer.writerow([name, row, text[s.start : s.end], context, ""])
            print(f"{name}: {len(texts)} texts, {n} [NAME] spans")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
