"""Theme quality on SemEval-14 restaurant sentences (gold aspect categories).

Usage: ``.venv/bin/python bench/quality.py [--data PATH] [--out FILE.md] [--quick]``

Fits :class:`feedback_nlp.themes.ThemeModel` on all sentences, scores the
primary theme ("none" = its own label) against the gold category on the
single-category sentences (NMI, ARI), and measures unassigned share, seed
stability (seeds 0-4) and speed. The embeddings are computed once and shared
by the runs through a caching wrapper, so fit times exclude embedding after
the first run (shown separately).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path("/work/shared/data/semeval14_restaurants.csv")
REFERENCE = [
    ("reference: MiniLM + KMeans k=5", "0.28", "0.26"),
    ("reference: MiniLM + KMeans k=8", "0.33", "0.24"),
    ("reference: BERTopic", "0.25", "0.05"),
    ("reference: TF-IDF + NMF", "0.08", "0.04"),
]


def run(data: Path, seeds: list[int], quick: bool) -> str:
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from feedback_nlp.themes import ThemeModel
    from feedback_nlp.themes import model as model_mod
    from feedback_nlp.themes.representation import make_representation

    df = pd.read_csv(data)
    texts = df["text"].astype(str).tolist()
    single = ~df["categories"].astype(str).str.contains(";")
    gold = df.loc[single, "categories"].to_numpy()
    cache: dict[str, np.ndarray] = {}
    embed_time: list[float] = []

    class Cached:
        def __init__(self, inner):
            self.inner, self.name = inner, inner.name

        def fit(self, t):
            self.inner.fit(t)
            return self

        def transform(self, t):
            key = self.inner.name + "\x00".join(t[:3]) + str(len(t))
            if key not in cache:
                start = time.perf_counter()
                cache[key] = self.inner.transform(t)
                embed_time.append(time.perf_counter() - start)
            return cache[key]

        @property
        def version(self):
            return self.inner.version

    model_mod.make_representation = lambda *a, **k: Cached(make_representation(*a, **k))

    rows, stab = [], []
    variants = [("auto", None), ("k=5", 5), ("k=8", 8)]
    for name, k in variants:
        prims, labels = [], []
        for seed in seeds if not (quick and name == "k=8") else seeds[:1]:
            start = time.perf_counter()
            m = ThemeModel(n_themes=k, random_state=seed).fit(texts)
            fit_s = time.perf_counter() - start
            primary, _, _ = m.assign(texts)
            p = primary[single.to_numpy()].astype(str)
            nmi = normalized_mutual_info_score(gold, p)
            ari = adjusted_rand_score(gold, p)
            rows.append(
                (
                    f"{name} seed {seed}",
                    m.n_themes_,
                    nmi,
                    ari,
                    float(np.mean(primary < 0)),
                    fit_s,
                    m.themes_,
                )
            )
            prims.append(primary)
            labels.append({t["label"] for t in m.themes_})
        pairs = list(itertools.combinations(range(len(prims)), 2))
        if pairs:
            mean_ari = np.mean([adjusted_rand_score(prims[i], prims[j]) for i, j in pairs])
            common = np.mean(
                [len(labels[i] & labels[j]) / max(len(labels[i]), 1) for i, j in pairs]
            )
            stab.append((name, mean_ari, common))

    out = [
        "# Theme quality: SemEval-14 restaurants",
        "",
        f"{len(texts)} sentences fitted, {int(single.sum())} single-category scored; "
        f"embedding {sum(embed_time):.1f}s once "
        f"({len(texts) / max(embed_time[0], 1e-9):.0f} docs/s).",
        "",
        "| run | themes | NMI | ARI | none % | fit s (excl. embed) |",
        "|---|---|---|---|---|---|",
    ]
    out += [f"| {r} | | {a} | {b} | | |" for r, a, b in REFERENCE]
    out += [
        f"| {r[0]} | {r[1]} | {r[2]:.3f} | {r[3]:.3f} | {100 * r[4]:.1f} | {r[5]:.1f} |"
        for r in rows
    ]
    for name, _ in variants:
        sel = [r for r in rows if r[0].startswith(name + " ")]
        out.append(
            f"| **{name} mean** | {np.mean([r[1] for r in sel]):.1f} | "
            f"{np.mean([r[2] for r in sel]):.3f} | {np.mean([r[3] for r in sel]):.3f} | "
            f"{100 * np.mean([r[4] for r in sel]):.1f} | {np.mean([r[5] for r in sel]):.1f} |"
        )
    out += [
        "",
        "## Seed stability",
        "",
        "| variant | mean pairwise ARI | share of identical labels |",
        "|---|---|---|",
    ]
    out += [f"| {n} | {a:.3f} | {c:.2f} |" for n, a, c in stab]
    for r in rows:
        if r[0] in ("auto seed 0", "k=5 seed 0"):
            out += [
                "",
                f"## Themes, {r[0]}",
                "",
                "| id | label | size | keywords |",
                "|---|---|---|---|",
            ]
            out += [
                f"| {t['theme_id']} | {t['label']} | {t['size']} | {', '.join(t['keywords'])} |"
                for t in r[6]
            ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="k=8 with seed 0 only")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"SKIP: data file {args.data} not found (pass --data PATH).")
        return 0
    report = run(args.data, list(range(args.seeds)), args.quick)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
