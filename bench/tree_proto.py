"""Prototype: a data-driven two-level theme tree (issue 14), as a benchmark only.

Usage: ``.venv/bin/python bench/tree_proto.py [--seeds 5] [--out FILE.md] [--only NAME]``

Question: can a two-level tree built from the project's own MiniLM
embeddings (the vectors ``ThemeModel`` clusters: cleaned, distinct texts,
corpus mean subtracted, re-normalised) meet issue 14's targets with both cuts
chosen automatically?

* BANKING77 test (77 intents), sub-theme level: NMI >= 0.78, ARI >= 0.40
  (anchor: KMeans told k=77, 0.79 / 0.50).
* SemEval-14 restaurants (5 categories, single-category sentences), top
  level: NMI >= 0.34, ARI >= 0.30.

Sub level (each method returns one flat partition; nothing is told a class
count):

* ``fine+avg/sil``: KMeans over-clusters into m = ceil(n / 20) fine clusters
  (a fine cluster averages 20 comments), an average-linkage tree on the
  cosine distances of the fine centroids, cut where the cosine silhouette of
  the comments (seeded probe of <= 2,000) is best over every k in [2, m].
* ``fine+ward/sil``: the same with a Ward tree on the fine centroids.
* ``fine+ward/gap``: Ward tree, cut at the largest relative jump of merge
  heights among k in [ceil(sqrt(m)), m - 1].
* ``fine+avg/stab``: three over-clusterings (seeds), average-linkage trees;
  the k in [ceil(sqrt(m)), m] whose cuts agree most (mean pairwise ARI).
* ``fine/10+...``: m = ceil(n / 10), to see whether the criterion or the
  over-clustering size decides the count.
* ``hdbscan``: sklearn HDBSCAN on PCA-50 of the vectors, min_cluster_size =
  max(5, ceil(n / 200)) (a sub-theme is at least 0.5% of comments); noise
  points join the nearest cluster when their cosine to its centroid is at
  least the 5th percentile of members' (the rest stay unassigned).
  ``hdbscan-leaf``: leaf cluster selection, min_samples=5 (finer).

Every KMeans-based sub level is then settled by Lloyd iterations from its
groups' centroids (as ``ThemeModel``'s ``refine``).

Top level (:func:`top_level`, four rules, see there): sub-theme centroids
grouped into k_top themes, k_top = round(sqrt(n_sub)) (``sqrt``), best
silhouette (``sil``), or the largest jump of a Ward tree's merge heights for
k >= 3 (``gap``: Ward groups, ``gapm``: the project's ``merge_centroids``
groups); then ``refine`` at the top, and each comment's sub-theme is the
nearest child of its own top theme (a strict tree).

Embeddings are cached in /tmp/tree_proto_cache (never in the repository);
BLAS is limited to one thread per process.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path("/work/shared/data")
CACHE = Path("/tmp/tree_proto_cache")


# -- data and vectors ----------------------------------------------------------


def load_sets() -> dict[str, dict]:
    """Each data set: its texts, gold labels (or None) and brand terms."""
    import pandas as pd

    from feedback_nlp.demo import generate_survey

    sets: dict[str, dict] = {}
    p = DATA / "banking77_test.csv"
    if p.is_file():
        df = pd.read_csv(p)
        sets["banking77"] = {
            "texts": df["text"].astype(str).tolist(),
            "gold": df["category"].astype(str).to_numpy(),
            "brand": (),
        }
    p = DATA / "semeval14_restaurants.csv"
    if p.is_file():
        df = pd.read_csv(p)
        single = ~df["categories"].astype(str).str.contains(";")
        gold = np.where(single, df["categories"].astype(str), "")
        sets["restaurants"] = {
            "texts": df["text"].astype(str).tolist(),
            "gold": gold.astype(object),
            "brand": (),
        }
    p = DATA / "telecom_nps_verbatims.csv"
    if p.is_file():
        df = pd.read_csv(p)
        sets["telecom"] = {
            "texts": df["text"].fillna("").astype(str).tolist(),
            "gold": None,
            "brand": (),
        }
    demo = generate_survey(rows=3000, seed=0)
    sets["demo"] = {
        "texts": demo["comment"].fillna("").astype(str).tolist(),
        "gold": None,
        "brand": ("Acme",),
    }
    return sets


def vectors(texts: list[str], brand: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, weights, row -> distinct index or -1): the vectors ThemeModel clusters."""
    from feedback_nlp.themes.clean import clean_for_themes
    from feedback_nlp.themes.representation import make_representation
    from feedback_nlp.themes.vectors import distinct, is_usable, unit

    cleaned = clean_for_themes(list(texts), brand)
    usable = np.array([is_usable(t) for t in cleaned], dtype=bool)
    uniq, inverse = distinct(np.asarray(cleaned, dtype=object)[usable])
    counts = np.bincount(inverse, minlength=len(uniq)).astype(float)
    row = np.full(len(texts), -1, dtype=np.intp)
    row[usable] = inverse
    key = hashlib.sha256("\x00".join(map(str, uniq)).encode()).hexdigest()[:16]
    path = CACHE / f"minilm_{key}.npy"
    if path.is_file():
        raw = np.load(path)
    else:
        rep = make_representation("auto", 0, 2)
        rep.fit(list(uniq))
        raw = rep.transform(list(uniq))
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, raw)
    x = unit(raw - raw.mean(axis=0))
    return x, counts, row


# -- building blocks -----------------------------------------------------------


def probe_of(n: int, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    return np.sort(rng.choice(n, size=min(2000, n), replace=False))


def fine_kmeans(x: np.ndarray, w: np.ndarray, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fine labels and unit centroids of one KMeans over-clustering into ``m``."""
    from sklearn.cluster import KMeans

    from feedback_nlp.themes.vectors import unit

    km = KMeans(n_clusters=m, n_init=2, random_state=seed).fit(x, sample_weight=w)
    return km.labels_, unit(km.cluster_centers_)


def refine_labels(
    x: np.ndarray, w: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations from the groups' centroids (as ThemeModel's ``refine``)."""
    from sklearn.cluster import KMeans

    from feedback_nlp.themes.vectors import unit

    groups = np.unique(labels)
    cents = unit(np.vstack([(x[labels == g] * w[labels == g, None]).sum(0) for g in groups]))
    km = KMeans(n_clusters=len(cents), init=cents, n_init=1, max_iter=50).fit(x, sample_weight=w)
    c = unit(km.cluster_centers_)
    return (x @ c.T).argmax(1), c


def cut(z: np.ndarray, k: int) -> np.ndarray:
    """Leaf -> group (0-based) of the linkage ``z`` cut into ``k`` groups."""
    from scipy.cluster.hierarchy import fcluster

    return fcluster(z, t=k, criterion="maxclust") - 1


def silhouettes(dist: np.ndarray, fine_probe: np.ndarray, z: np.ndarray, ks: list[int]) -> dict:
    """Cosine silhouette of the probe comments for each cut of the tree ``z``."""
    from sklearn.metrics import silhouette_score

    out = {}
    for k in ks:
        lab = cut(z, k)[fine_probe]
        if 1 < len(np.unique(lab)) < len(lab):
            out[k] = float(silhouette_score(dist, lab, metric="precomputed"))
    return out


def gap_cut(z: np.ndarray, lo: int, hi: int) -> int:
    """The k in [lo, hi] where the merge heights jump most (height k-1 / height k)."""
    h = z[:, 2]
    n = len(h) + 1
    best, best_k = -np.inf, lo
    for k in range(max(lo, 2), min(hi, n - 1) + 1):
        # merging k groups into k-1 costs h[n-k]; k+1 into k cost h[n-k-1]
        ratio = h[n - k] / max(h[n - k - 1], 1e-9)
        if ratio > best:
            best, best_k = ratio, k
    return best_k


def top_level(
    x: np.ndarray, w: np.ndarray, sub: np.ndarray, dist: np.ndarray, probe: np.ndarray, rule: str
) -> tuple[np.ndarray, np.ndarray]:
    """Group sub-themes into top themes; return (top, nested sub) labels.

    The sub-theme centroids are merged with the project's ``merge_centroids``
    (centroid linkage on cosine, groups under 3% absorbed first) into k_top
    groups: ``rule`` "sqrt": k_top = round(sqrt(n_sub)) (equal fan-out at
    both levels); "sil": best cosine silhouette of the comments over k in
    [2, ceil(2 sqrt(n_sub))]; "gap": a Ward tree on the sub-theme centroids
    cut at its largest relative jump of merge heights among k in
    [3, ceil(2 sqrt(n_sub))] (k=2 always has the largest jump), the groups
    that Ward cut; "gapm": the same k, groups by ``merge_centroids``. Then Lloyd
    iterations settle the top borders (as ``refine``), and each comment takes
    the nearest sub-theme among the children of its own top theme, so the
    tree is strict.
    """
    from sklearn.metrics import silhouette_score

    from feedback_nlp.themes.clustering import merge_centroids, refine
    from feedback_nlp.themes.vectors import unit

    groups = np.unique(sub[sub >= 0])
    cents = unit(np.vstack([(x[sub == g] * w[sub == g, None]).sum(0) for g in groups]))
    mass = np.array([w[sub == g].sum() for g in groups])
    n_sub = len(groups)
    parent = None
    if rule == "sqrt":
        k = max(2, round(math.sqrt(n_sub)))
    elif rule in ("gap", "gapm"):
        from scipy.cluster.hierarchy import linkage

        z = linkage(cents.astype(float), method="ward")
        k = gap_cut(z, 3, math.ceil(2 * math.sqrt(n_sub)))
        if rule == "gap":
            parent = cut(z, k)
    else:
        best = -np.inf
        k = 2
        for kk in range(2, min(n_sub - 1, math.ceil(2 * math.sqrt(n_sub))) + 1):
            tops = merge_centroids(cents, mass, kk, 0.03)
            tc = unit(
                np.vstack(
                    [
                        (cents[tops == g] * mass[tops == g, None]).sum(0)
                        for g in range(int(tops.max()) + 1)
                    ]
                )
            )
            lp = (x[probe] @ tc.T).argmax(1)
            if len(np.unique(lp)) < 2:
                continue
            s_ = silhouette_score(dist, lp, metric="precomputed")
            if s_ > best:
                best, k = s_, kk
    if parent is None:
        parent = merge_centroids(cents, mass, k, 0.03)
    n_top = int(parent.max()) + 1
    tc = unit(
        np.vstack([(cents[parent == g] * mass[parent == g, None]).sum(0) for g in range(n_top)])
    )
    tc = refine(x, w, tc)
    top = (x @ tc.T).argmax(1)
    sims = x @ cents.T
    sims[parent[None, :] != top[:, None]] = -np.inf
    nested = sims.argmax(1)
    none = sub < 0
    return np.where(none, -1, top), np.where(none, -1, nested)


# -- methods: each returns the sub-level labels of the distinct texts (-1 = none)


def m_fine_avg_sil(x, w, seed, dist, probe, div=20):  # noqa: ANN001, ANN201
    from scipy.cluster.hierarchy import linkage

    m = math.ceil(len(x) / div)
    fine, cents = fine_kmeans(x, w, m, seed)
    z = linkage(cents.astype(float), method="average", metric="cosine")
    sil = silhouettes(dist, fine[probe], z, list(range(2, m + 1)))
    k = max(sil, key=sil.get)
    return refine_labels(x, w, cut(z, k)[fine])[0]


def m_fine_ward_gap(x, w, seed, dist, probe):  # noqa: ANN001, ANN201
    from scipy.cluster.hierarchy import linkage

    m = math.ceil(len(x) / 20)
    fine, cents = fine_kmeans(x, w, m, seed)
    z = linkage(cents.astype(float), method="ward")
    k = gap_cut(z, math.ceil(math.sqrt(m)), m - 1)
    return refine_labels(x, w, cut(z, k)[fine])[0]


def m_fine_ward_sil(x, w, seed, dist, probe, div=20):  # noqa: ANN001, ANN201
    from scipy.cluster.hierarchy import linkage

    m = math.ceil(len(x) / div)
    fine, cents = fine_kmeans(x, w, m, seed)
    z = linkage(cents.astype(float), method="ward")
    sil = silhouettes(dist, fine[probe], z, list(range(2, m + 1)))
    k = max(sil, key=sil.get)
    return refine_labels(x, w, cut(z, k)[fine])[0]


def m_fine_avg_stab(x, w, seed, dist, probe, div=20):  # noqa: ANN001, ANN201
    from scipy.cluster.hierarchy import linkage
    from sklearn.metrics import adjusted_rand_score

    m = math.ceil(len(x) / div)
    runs = []
    for r in range(3):
        fine, cents = fine_kmeans(x, w, m, seed + 1000 * r)
        runs.append((fine, linkage(cents.astype(float), method="average", metric="cosine")))
    ks = list(range(math.ceil(math.sqrt(m)), m + 1))
    stab = {}
    for k in ks:
        labs = [cut(z, k)[f[probe]] for f, z in runs]
        stab[k] = np.mean(
            [adjusted_rand_score(labs[i], labs[j]) for i in range(3) for j in range(i + 1, 3)]
        )
    k = max(stab, key=stab.get)
    fine, z = runs[0]
    return refine_labels(x, w, cut(z, k)[fine])[0]


def m_hdbscan(x, w, seed, dist, probe, leaf=False):  # noqa: ANN001, ANN201
    from sklearn.cluster import HDBSCAN
    from sklearn.decomposition import PCA

    from feedback_nlp.themes.vectors import unit

    p = PCA(n_components=50, svd_solver="full").fit_transform(x)
    mcs = max(5, math.ceil(len(x) / 200))
    lab = (
        HDBSCAN(
            min_cluster_size=mcs,
            min_samples=5 if leaf else None,
            cluster_selection_method="leaf" if leaf else "eom",
            copy=True,
        )
        .fit(p)
        .labels_
    )
    groups = np.unique(lab[lab >= 0])
    if len(groups) == 0:
        return lab
    cents = unit(np.vstack([x[lab == g].mean(0) for g in groups]))
    sims = x @ cents.T
    near = sims.argmax(1)
    own = sims[lab >= 0, np.searchsorted(groups, lab[lab >= 0])]
    floor = np.quantile(own, 0.05)
    out = np.where(lab >= 0, lab, np.where(sims.max(1) >= floor, groups[near], -1))
    return out


RULES = ("sqrt", "sil", "gap", "gapm")

METHODS = {
    "fine+avg/sil": m_fine_avg_sil,
    "fine+ward/sil": m_fine_ward_sil,
    "fine+ward/gap": m_fine_ward_gap,
    "fine+avg/stab": m_fine_avg_stab,
    "fine/10+ward/sil": lambda *a: m_fine_ward_sil(*a, div=10),
    "fine/10+avg/stab": lambda *a: m_fine_avg_stab(*a, div=10),
    "hdbscan": m_hdbscan,
    "hdbscan-leaf": lambda *a: m_hdbscan(*a, leaf=True),
}


# -- scoring and report ---------------------------------------------------------


def purity(gold: np.ndarray, lab: np.ndarray) -> float:
    """Share of comments whose cluster's majority gold label is theirs."""
    import pandas as pd

    ct = pd.crosstab(lab, gold)
    return float(ct.max(axis=1).sum() / ct.to_numpy().sum())


def evaluate(s: dict, name: str, seed: int, cache: dict) -> dict:
    from sklearn.metrics import adjusted_rand_score as ari
    from sklearn.metrics import normalized_mutual_info_score as nmi
    from sklearn.metrics import pairwise_distances

    x, w, row = s["x"], s["w"], s["row"]
    probe = probe_of(len(x), seed)
    dist = pairwise_distances(x[probe], metric="cosine")
    np.fill_diagonal(dist, 0.0)
    t0 = time.perf_counter()
    if name.startswith("hdbscan") and name in cache:  # deterministic: same for every seed
        sub = cache[name]
    else:
        sub = METHODS[name](x, w, seed, dist, probe)
        cache[name] = sub
    tree = {r: top_level(x, w, sub, dist, probe, r) for r in RULES}
    tops = {r: t for r, (t, _) in tree.items()}
    nested = {r: n for r, (_, n) in tree.items()}
    secs = time.perf_counter() - t0

    def rows(lab: np.ndarray) -> np.ndarray:
        return np.where(row >= 0, lab[np.clip(row, 0, None)], -1)

    res = {
        "n_sub": len(np.unique(sub[sub >= 0])),
        "n_top": {r: len(np.unique(t[t >= 0])) for r, t in tops.items()},
        "none": float(np.mean(rows(sub) < 0)),
        "secs": secs,
    }
    gold = s["gold"]
    if gold is not None:
        has = gold != ""
        g, sub_r = gold[has], rows(sub)[has]
        res["sub"] = (nmi(g, sub_r), ari(g, sub_r), purity(g, sub_r))
        res["nested"] = {
            r: (nmi(g, rows(n)[has]), ari(g, rows(n)[has]), purity(g, rows(n)[has]))
            for r, n in nested.items()
        }
        res["top"] = {r: (nmi(g, rows(t)[has]), ari(g, rows(t)[has])) for r, t in tops.items()}
    return res


def table(set_name: str, results: dict) -> list[str]:
    """One Markdown table: a row per method and seed, then each method's mean."""
    out = [
        f"### {set_name}",
        "",
        "Counts: sub-themes, then top themes by rule sqrt / sil / gap / gapm. *flat sub*: the "
        "sub level before the tree; *nested sub*: each comment's sub-theme within its "
        "own top theme (gapm rule). NMI / ARI against the gold labels.",
        "",
        "| method | seed | sub | top sqrt/sil/gap/gapm | flat sub NMI / ARI / purity "
        "| nested sub NMI / ARI | top sqrt NMI / ARI | top sil NMI / ARI | top gap NMI / ARI "
        "| top gapm NMI / ARI | none % | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def fmt(r: dict, label: str, seed: str) -> str:
        tops = "/".join(f"{r['n_top'][k]:.3g}" for k in RULES)
        if "sub" in r:
            sub = " / ".join(f"{v:.3f}" for v in r["sub"])
            nest = f"{r['nested']['gapm'][0]:.3f} / {r['nested']['gapm'][1]:.3f}"
            top = " | ".join(f"{r['top'][k][0]:.3f} / {r['top'][k][1]:.3f}" for k in RULES)
        else:
            sub, nest, top = "–", "–", " | ".join("–" for _ in RULES)
        return (
            f"| {label} | {seed} | {r['n_sub']:.4g} | {tops} | {sub} | {nest} | {top} | "
            f"{100 * r['none']:.1f} | {r['secs']:.1f} |"
        )

    for method, per_seed in results.items():
        for seed, r in per_seed.items():
            out.append(fmt(r, method, str(seed)))
        rs = list(per_seed.values())
        mean = {
            "n_sub": np.mean([r["n_sub"] for r in rs]),
            "n_top": {k: np.mean([r["n_top"][k] for r in rs]) for k in RULES},
            "none": np.mean([r["none"] for r in rs]),
            "secs": np.mean([r["secs"] for r in rs]),
        }
        if "sub" in rs[0]:
            mean["sub"] = tuple(np.mean([r["sub"][i] for r in rs]) for i in range(3))
            for part in ("top", "nested"):
                mean[part] = {
                    k: tuple(np.mean([r[part][k][i] for r in rs]) for i in range(2)) for k in RULES
                }
        out.append(fmt(mean, f"**{method} mean**", ""))
    return out + [""]


# -- main ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--embed-only", action="store_true")
    parser.add_argument("--only", nargs="*", help=f"methods to run, of: {', '.join(METHODS)}")
    parser.add_argument("--sets", nargs="*", help="data sets to run (default all)")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    report = [
        "## Two-level theme tree prototype (bench/tree_proto.py)",
        "",
        f"MiniLM int8 vectors as ThemeModel clusters them; seeds 0-{args.seeds - 1}; "
        "BLAS 1 thread. Targets (issue 14): BANKING77 sub level NMI >= 0.78, "
        "ARI >= 0.40 (KMeans told k=77: 0.79 / 0.50); restaurants top level "
        "NMI >= 0.34, ARI >= 0.30. Telecom and demo have no gold: counts only. "
        "KMeans methods assign every comment (none 0%); s = wall seconds per "
        "fit of both levels, embeddings cached.",
        "",
    ]
    with threadpool_limits(1):
        sets = load_sets()
        if args.sets:
            sets = {k: v for k, v in sets.items() if k in args.sets}
        for name, s in sets.items():
            t0 = time.perf_counter()
            s["x"], s["w"], s["row"] = vectors(s["texts"], s["brand"])
            print(f"{name}: {len(s['x'])} vectors in {time.perf_counter() - t0:.1f}s", flush=True)
        if args.embed_only:
            return 0
        # fine/10+avg/stab (slowest, ~25 s a seed) runs only when asked for.
        methods = args.only or [m for m in METHODS if m != "fine/10+avg/stab"]
        for set_name, s in sets.items():
            results: dict = {}
            for method in methods:
                cache: dict = {}
                results[method] = {}
                for seed in range(args.seeds):
                    r = evaluate(s, method, seed, cache)
                    results[method][seed] = r
                    print(
                        f"  {set_name} {method} seed {seed}: sub {r['n_sub']} "
                        f"top {r['n_top']} sub={r.get('sub')} top={r.get('top')} "
                        f"{r['secs']:.1f}s",
                        flush=True,
                    )
            report += table(f"{set_name} ({len(s['texts'])} rows, {len(s['x'])} distinct)", results)
    text = "\n".join(report) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
