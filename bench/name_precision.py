"""Precision of ``[NAME]``: the spans that are people, out of all spans, on real and generated text.

    python bench/name_precision.py                 # the table (paste into BENCHMARKS.md)
    python bench/name_precision.py --list FILE     # every real span with its context, to label
    python bench/name_precision.py --sample FILE   # 90 generated spans of each set, to check

Real text: the shared data sets (../shared/data: telecom NPS comments, clothing
reviews, SemEval-2016 restaurant reviews, BANKING77 messages), read by path
and never copied into the project. Each of their spans was checked by hand;
the labels are in ``bench/name_labels.tsv`` as (source, row, start, end,
person) without the text. A span with no label (the rules changed since) is
counted apart as "unlabelled" and listed by ``--list`` to be checked.

Generated text is labelled by construction: the demo survey's comments
(``feedback_nlp.demo``, seed 3, 5,000 rows; a span is right when it is one of
the generator's staff names) and comments with planted values
(``bench/pii_faker.py``, seed 2027, names from ``names-dataset`` when the bench
extra is installed, else Faker's; a span is right when it overlaps a planted
name).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
LABELS = ROOT / "bench" / "name_labels.tsv"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def real_sources() -> dict[str, list[str]]:
    import pandas as pd

    if not SHARED.is_dir():
        return {}
    semeval = pd.read_csv(SHARED / "semeval16_restaurant_reviews.csv")
    out = {
        "telecom": pd.read_csv(SHARED / "telecom_nps_verbatims.csv")["text"].tolist(),
        "clothing": pd.read_csv(SHARED / "clothing_reviews_1k.csv")["Review Text"].tolist(),
        "semeval16": semeval.groupby("review_id", sort=False)["text"].apply(" ".join).tolist(),
        "banking77": pd.read_csv(SHARED / "banking77_test.csv")["text"].tolist(),
    }
    return {k: ["" if not isinstance(t, str) else t for t in v] for k, v in out.items()}


def _labels() -> dict[tuple[str, int, int, int], str]:
    if not LABELS.is_file():
        return {}
    with LABELS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {(r["source"], int(r["row"]), int(r["start"]), int(r["end"])): r["person"] for r in rows}


def _names(texts: list[str]) -> list[list[tuple[int, int]]]:
    from feedback_nlp.redact import find_pii

    return [[(s.start, s.end) for s in spans if s.kind == "NAME"] for spans in find_pii(texts)]


def _count(
    texts: list[str], right: Callable[[int, int, int], bool]
) -> tuple[int, int]:  # fmt: skip
    """(spans, right spans) over ``texts``; ``right(row, start, end)`` labels one."""
    spans = _names(texts)
    n = sum(len(s) for s in spans)
    return n, sum(right(row, a, b) for row, found in enumerate(spans) for a, b in found)


def generated_sample(n: int, path: Path) -> None:
    """``n`` random spans of each generated set (seed 5), with context, for a hand check."""
    import random

    from feedback_nlp.demo import generate_survey
    from feedback_nlp.redact import find_pii
    from pii_faker import generate
    from pii_names import CountryNames

    rng = random.Random(5)
    demo = generate_survey(rows=5000, seed=3)["comment"].fillna("").tolist()
    planted = [r["text"] for r in generate(3000, seed=2027, people=CountryNames(2027))]
    lines = []
    for name, texts in (("demo", demo), ("planted", planted)):
        spans = [(i, s) for i, sp in enumerate(find_pii(texts)) for s in sp if s.kind == "NAME"]
        for i, s in rng.sample(spans, n):
            t, a, b = texts[i], s.start, s.end
            context = f"{t[max(0, a - 45) : a]}<<{t[a:b]}>>{t[b : b + 35]}"
            lines.append(f"{name}\t{i}\t{context}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written: {path}")


def generated() -> dict[str, tuple[int, int]]:
    from feedback_nlp._demo_phrases import SLOTS
    from feedback_nlp.demo import generate_survey
    from pii_faker import generate

    out = {}
    demo = generate_survey(rows=5000, seed=3)["comment"].fillna("").tolist()
    staff = set(SLOTS["name"])
    out["demo survey (generated)"] = _count(demo, lambda r, a, b: demo[r][a:b] in staff)
    try:
        from pii_names import CountryNames

        people, source = CountryNames(2027), "names-dataset"
    except ImportError:
        people, source = None, "Faker"
    rows = generate(3000, seed=2027, people=people)
    texts = [r["text"] for r in rows]
    planted = [[(s, e) for s, e, k in r["spans"] if k == "NAME"] for r in rows]
    out[f"planted comments, {source} names (generated)"] = _count(
        texts, lambda r, a, b: any(a < e and s < b for s, e in planted[r])
    )
    return out


def real() -> tuple[dict[str, tuple[int, int, int]], list[list[str]]]:
    """Per source (spans, people, unlabelled), and the unlabelled spans to check."""
    labels = _labels()
    out, todo = {}, []
    for name, texts in real_sources().items():
        n = people = unlabelled = 0
        for row, (text, found) in enumerate(zip(texts, _names(texts)), start=1):
            for a, b in found:
                n += 1
                label = labels.get((name, row, a, b), "")
                people += label == "y"
                if label not in ("y", "n"):
                    unlabelled += 1
                context = f"{text[max(0, a - 60) : a]}<<{text[a:b]}>>{text[b : b + 60]}"
                todo.append([name, str(row), str(a), str(b), label, context.replace("\n", " ")])
        out[name] = (n, people, unlabelled)
    return out, todo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", type=Path, help="write every real span with context here")
    parser.add_argument(
        "--sample", type=Path, help="write 90 random generated spans of each set here, to check"
    )
    args = parser.parse_args()
    if args.sample:
        generated_sample(90, args.sample)
        return
    per_source, todo = real()
    if args.list:
        with args.list.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter="\t")
            writer.writerow(["source", "row", "start", "end", "person", "context"])
            writer.writerows(todo)
        print(f"written: {args.list}")
    print("| text | [NAME] spans | people | precision | unlabelled |")
    print("|---|---:|---:|---:|---:|")
    total = [0, 0]
    for name, (n, people, unlabelled) in per_source.items():
        prec = f"{people / n:.3f}" if n else "-"
        print(f"| {name} (real, hand-checked) | {n} | {people} | {prec} | {unlabelled} |")
        total[0] += n
        total[1] += people
    if total[0]:
        print(f"| **all real text** | {total[0]} | {total[1]} | {total[1] / total[0]:.3f} | |")
    for name, (n, right) in generated().items():
        print(f"| {name} | {n} | {right} | {right / n:.3f} | |")
        total[0] += n
        total[1] += right
    print(f"| **all** | {total[0]} | {total[1]} | {total[1] / total[0]:.3f} | |")


if __name__ == "__main__":
    main()
