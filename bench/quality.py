"""Theme quality on SemEval-14 restaurant sentences (gold aspect categories).

Usage: ``.venv/bin/python bench/quality.py [--data PATH] [--out FILE.md] [--quick]``

Also (issue 14, the two-level tree): BANKING77's 77 intents against the
sub-themes (``--subthemes auto``, nothing told) with the label check, and the
fast path's loss on the restaurants proxy (``max_embed=1500``: half the
sentences embedded, the rest assigned by the hashed n-gram classifier).

Fits :class:`feedback_nlp.themes.ThemeModel` on all sentences, scores the
primary theme ("none" = its own label) against the gold category on the
single-category sentences (NMI, ARI) for auto k and k=5 over seeds 0-4,
and measures unassigned share, seed stability, speed, multi-theme membership
precision/recall, and auto k / labels on the telecom and demo surveys.
The embeddings are computed once and shared
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

        def __getattr__(self, name):  # the rest (vocab_size, token_ids...) is the model's
            if name.startswith("__"):
                raise AttributeError(name)
            return getattr(self.inner, name)

        @property
        def version(self):
            return self.inner.version

    class CachedTokens(Cached):
        def transform_tokens(self, t):  # MiniLM: the token path's table too
            key = "tokens\x00" + self.inner.name + "\x00".join(t[:3]) + str(len(t))
            if key not in cache:
                start = time.perf_counter()
                cache[key] = self.inner.transform_tokens(t)
                embed_time.append(time.perf_counter() - start)
            return cache[key]

    def cached(*a, **k):
        inner = make_representation(*a, **k)
        return (CachedTokens if hasattr(inner, "transform_tokens") else Cached)(inner)

    model_mod.make_representation = cached

    rows, stab, models = [], [], {}
    variants = [("auto", None), ("k=5", 5)] + ([] if quick else [("k=8", 8)])
    for name, k in variants:
        prims, labels = [], []
        for seed in seeds:
            start = time.perf_counter()
            m = ThemeModel(n_themes=k, random_state=seed)
            primary, members, scores = m.fit_assign(texts)
            fit_s = time.perf_counter() - start
            models[name, seed] = (m, members, scores, primary)
            p = primary[single.to_numpy()].astype(str)
            nmi = normalized_mutual_info_score(gold, p)
            ari = adjusted_rand_score(gold, p)
            rows.append(
                (name, seed, m.n_themes_, nmi, ari, float(np.mean(primary < 0)), fit_s, m.themes_)
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

    docs_s = len(set(texts)) / max(embed_time[0], 1e-9) if embed_time else float("nan")
    out = [
        "# Theme quality: SemEval-14 restaurants",
        "",
        f"{len(texts)} sentences fitted, {int(single.sum())} single-category scored; "
        f"embedding {embed_time[0] if embed_time else 0:.1f}s once "
        f"({docs_s:.0f} docs/s, MiniLM int8, 2 threads, shared machine); "
        "fit times exclude embedding after the first run.",
        "",
        "| run | themes | NMI | ARI | none % | fit+assign s |",
        "|---|---|---|---|---|---|",
    ]
    out += [f"| {r} | | {a} | {b} | | |" for r, a, b in REFERENCE]
    out += [
        f"| {r[0]} seed {r[1]} | {r[2]} | {r[3]:.3f} | {r[4]:.3f} | {100 * r[5]:.1f} | {r[6]:.1f} |"
        for r in rows
    ]
    for name, _ in variants:
        sel = [r for r in rows if r[0] == name]
        out.append(
            f"| **{name} mean** | {np.mean([r[2] for r in sel]):.1f} | "
            f"{np.mean([r[3] for r in sel]):.3f} | {np.mean([r[4] for r in sel]):.3f} | "
            f"{100 * np.mean([r[5] for r in sel]):.1f} | {np.mean([r[6] for r in sel]):.1f} |"
        )
        out.append(
            f"| **{name} min** | {min(r[2] for r in sel)} | {min(r[3] for r in sel):.3f} | "
            f"{min(r[4] for r in sel):.3f} | {100 * max(r[5] for r in sel):.1f} (max) | |"
        )
    out += [
        "",
        "## Seed stability",
        "",
        "| variant | mean pairwise ARI | share of identical labels |",
        "|---|---|---|",
    ]
    out += [f"| {n} | {a:.3f} | {c:.2f} |" for n, a, c in stab]
    out += membership_table(df, models[("k=5", seeds[0])])
    for r in rows:
        if (r[0], r[1]) in (("auto", seeds[0]), ("k=5", seeds[0])):
            out += ["", f"## Themes, {r[0]} seed {r[1]}", ""] + theme_rows(r[7])
    out += fast_path_proxy(ThemeModel, texts, single.to_numpy(), gold, seeds)
    out += banking_tree(ThemeModel, seeds)
    out += other_surveys(ThemeModel)
    return "\n".join(out) + "\n"


#: Words of an intent name that say nothing about the complaint.
_INTENT_STOP = frozenset("a an the of to for by not is my in on or and".split())


def _stems(text: str) -> set[str]:
    """Crude stems of the content words of ``text`` (first five letters):
    "arrival" and "arrived" meet, "card" and "cards" too."""
    import re

    words = re.findall(r"[a-z]+", text.lower().replace("_", " "))
    return {w[:5] for w in words if w not in _INTENT_STOP and len(w) > 2}


def banking_tree(theme_model, seeds: list[int]) -> list[str]:  # noqa: ANN001
    """BANKING77 (77 intents): theme and sub-theme NMI/ARI and the label check."""
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    path = Path("/work/shared/data/banking77_test.csv")
    if not path.is_file():
        return ["", "## BANKING77: skipped (file not found)"]
    df = pd.read_csv(path)
    texts = df["text"].astype(str).tolist()
    gold = df["category"].astype(str).to_numpy()
    out = [
        "",
        "## BANKING77 (77 intents), two-level tree, nothing told",
        "",
        "Sub-theme level: each message's primary sub-theme (its theme when the theme "
        'has none; "none" one cluster). Label check: share of messages whose '
        "sub-theme label shares a content word (5-letter stem) with the name of "
        "the sub-theme's majority intent. Anchors: MiniLM + KMeans told k=77 "
        "0.790 / 0.504; k=20 0.642 / 0.231.",
        "",
        "| seed | themes | sub-themes | top NMI | top ARI | sub NMI | sub ARI | none % "
        "| label check | fit+assign s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        m = theme_model(random_state=seed)
        m.fit(texts)
        primary, _, _, sub, _, _ = m.assign_tree(texts)
        secs = time.perf_counter() - start
        sub_ids = [t["theme_id"] for t in m.subtheme_rows()]
        node = np.array(
            [
                sub_ids[s] if s >= 0 else (m.themes_[p]["theme_id"] if p >= 0 else "none")
                for p, s in zip(primary, sub)
            ]
        )
        labels = {t["theme_id"]: t["label"] for t in m.themes_ + m.subtheme_rows()}
        majority = pd.Series(gold).groupby(node).agg(lambda g: g.value_counts().index[0])
        ok = np.array([n != "none" and bool(_stems(labels[n]) & _stems(majority[n])) for n in node])
        r = (
            seed,
            m.n_themes_,
            len(sub_ids),
            normalized_mutual_info_score(gold, primary),
            adjusted_rand_score(gold, primary),
            normalized_mutual_info_score(gold, node),
            adjusted_rand_score(gold, node),
            float(np.mean(node == "none")),
            float(ok.mean()),
            secs,
        )
        rows.append(r)
        out.append(
            f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.3f} | {r[6]:.3f} "
            f"| {100 * r[7]:.1f} | {r[8]:.3f} | {r[9]:.1f} |"
        )
    a = np.array([r[1:] for r in rows], dtype=float).mean(0)
    out.append(
        f"| **mean** | {a[0]:.1f} | {a[1]:.1f} | {a[2]:.3f} | {a[3]:.3f} | **{a[4]:.3f}** "
        f"| **{a[5]:.3f}** | {100 * a[6]:.1f} | **{a[7]:.3f}** | {a[8]:.1f} |"
    )
    return out


def fast_path_proxy(theme_model, texts, single, gold, seeds) -> list[str]:  # noqa: ANN001
    """Restaurants themes with half the sentences embedded (``max_embed=1500``)
    against all embedded, same seeds."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    out = [
        "",
        "## Fast path proxy (restaurants, max_embed=1500 of 3,032 sentences)",
        "",
        "| seed | NMI embedded | NMI fast path | ARI embedded | ARI fast path |",
        "|---|---|---|---|---|",
    ]
    diffs = []
    for seed in seeds:
        res = []
        for cap in (4000, 1500):
            m = theme_model(random_state=seed, max_embed=cap)
            primary, _, _ = m.fit(texts).assign(texts)
            p = primary[single].astype(str)
            res.append((normalized_mutual_info_score(gold, p), adjusted_rand_score(gold, p)))
        diffs.append(res[0][0] - res[1][0])
        out.append(
            f"| {seed} | {res[0][0]:.3f} | {res[1][0]:.3f} | {res[0][1]:.3f} | {res[1][1]:.3f} |"
        )
    out.append(f"| **mean loss** | | **{np.mean(diffs):.3f}** | | |")
    return out


def theme_rows(themes: list[dict]) -> list[str]:
    out = ["| id | label | size | keywords |", "|---|---|---|---|"]
    return out + [
        f"| {t['theme_id']} | {t['label']} | {t['size']} | {', '.join(t['keywords'])} |"
        for t in themes
    ]


def membership_table(df, fitted) -> list[str]:  # noqa: ANN001
    """Precision/recall of extra (non-primary) memberships on multi-category sentences.

    Each theme is mapped to the gold category most of its single-category
    sentences carry; an extra membership is right when its category is one
    of the sentence's gold categories other than the primary theme's.
    """
    model, _, scores, primary = fitted
    cats = df["categories"].astype(str).str.split(";").tolist()
    single = np.array([len(c) == 1 for c in cats])
    theme_cat = {}
    for g in range(model.n_themes_):
        sel = [c[0] for c, p, s in zip(cats, primary, single, strict=True) if s and p == g]
        theme_cat[g] = max(set(sel), key=sel.count) if sel else None
    mapped = {c for c in theme_cat.values() if c}
    out = [
        "",
        "## Multi-theme membership calibration (k=5, seed 0)",
        "",
        f"{int((~single).sum())} sentences with 2+ gold categories; extra membership = "
        "score >= threshold x best score. *all*: over every sentence (an extra "
        "membership of a single-category sentence is wrong).",
        "",
        "| threshold | extras / comment (all) | precision (all) | precision (multi) "
        "| recall (multi) |",
        "|---|---|---|---|---|",
    ]
    for thr in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        stats = {True: [0, 0, 0], False: [0, 0, 0]}  # by "single": tp, predicted, gold
        for i in range(len(cats)):
            p = primary[i]
            if p < 0:
                continue
            best = scores[i].max()
            extra = {theme_cat[j] for j in np.flatnonzero(scores[i] >= thr * best) if j != p} - {
                theme_cat[p],
                None,
            }
            want = (set(cats[i]) & mapped) - {theme_cat[p]}
            st = stats[bool(single[i])]
            st[0] += len(extra & want)
            st[1] += len(extra)
            st[2] += len(want)
        tp, n_pred = stats[True][0] + stats[False][0], stats[True][1] + stats[False][1]
        m = stats[False]
        out.append(
            f"| {thr} | {n_pred / len(cats):.2f} | {tp / max(1, n_pred):.2f} | "
            f"{m[0] / max(1, m[1]):.2f} | {m[0] / max(1, m[2]):.2f} |"
        )
    return out


def other_surveys(theme_model) -> list[str]:  # noqa: ANN001
    """Auto-k, fit time and top labels on the telecom survey and the demo survey."""
    import pandas as pd
    from sklearn.metrics import normalized_mutual_info_score

    from feedback_nlp.demo import generate_survey

    out: list[str] = []
    tel_path = Path("/work/shared/data/telecom_nps_verbatims.csv")
    if tel_path.is_file():
        tel = pd.read_csv(tel_path)["text"].fillna("").astype(str).tolist()
        start = time.perf_counter()
        m = theme_model(random_state=0)
        primary, _, _ = m.fit_assign(tel)
        secs = time.perf_counter() - start
        out += [
            "",
            f"## Telecom NPS survey: auto k = {m.n_themes_}, "
            f"none {100 * np.mean(primary < 0):.1f}%, "
            f"fit+assign {secs:.1f}s (incl. embedding, {len(tel)} rows)",
            "",
        ] + theme_rows(m.themes_)
    demo = generate_survey(3000, seed=0, with_truth=True)
    texts = demo["comment"].fillna("").astype(str).tolist()
    truth = demo["planted_themes"].fillna("").astype(str).str.split(";").str[0].to_numpy()
    m = theme_model(random_state=0, brand_terms=("Acme",))
    primary, _, _ = m.fit_assign(texts)
    has = truth != ""
    nmi = normalized_mutual_info_score(truth[has], primary[has])
    out += [
        "",
        f"## Demo survey (11 planted themes): auto k = {m.n_themes_}, "
        f"NMI vs planted primary theme {nmi:.3f}, none {100 * np.mean(primary < 0):.1f}%",
        "",
    ] + theme_rows(m.themes_)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="auto and k=5 only (no k=8)")
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
