"""The researcher's codebook, stable theme ids across re-fits, and new-theme candidates.

``models/NAME/codebook.yaml`` is written with every saved model and edited by
a researcher: rename a theme (edit its label), merge ids, add a theme from
seed phrases, split a theme by seed phrases, exclude terms. A re-fit with
``--codebook`` and ``--previous`` then (1) fits afresh with the excluded terms
masked, (2) gives each new theme the id of the previous theme it matches
(Hungarian assignment on cosine), (3) replays the codebook on top.

Everything here operates on a fitted :class:`ThemeModel`'s public learned
attributes and returns a new model (a shallow copy); the input is left alone.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from .clean import clean_for_themes
from .labels import theme_labels
from .model import hashed_ngrams

if TYPE_CHECKING:
    from ..config import AnalysisConfig
    from .model import ThemeModel

__all__ = [
    "Codebook",
    "CodebookTheme",
    "SeedTheme",
    "SplitRule",
    "FitOutcome",
    "load_codebook",
    "parse_codebook",
    "dump_codebook",
    "codebook_from_model",
    "apply_codebook",
    "match_previous_ids",
    "new_theme_candidates",
    "fit_survey",
]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_KEYS = ("version", "themes", "merge", "seed_themes", "split", "exclude_terms")


@dataclass(frozen=True)
class CodebookTheme:
    """A theme's entry: its id and (editable) label; keywords are for reference."""

    id: str
    label: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeedTheme:
    """A theme defined by seed phrases (its centroid is their mean embedding)."""

    id: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class SplitRule:
    """Replace theme ``theme`` by sub-themes defined by seed phrases."""

    theme: str
    into: tuple[SeedTheme, ...]


@dataclass(frozen=True)
class Codebook:
    """A parsed codebook (see the module docstring and ``models/README.md``)."""

    themes: tuple[CodebookTheme, ...] = ()
    merge: tuple[tuple[str, ...], ...] = ()
    seed_themes: tuple[SeedTheme, ...] = ()
    split: tuple[SplitRule, ...] = ()
    exclude_terms: tuple[str, ...] = ()
    version: int = 1
    source: str = "codebook"

    def created_ids(self) -> set[str]:
        """Ids that seed themes and splits create."""
        return {s.id for s in self.seed_themes} | {s.id for r in self.split for s in r.into}


# -- parsing -----------------------------------------------------------------


def _err(source: str, key: str, problem: str) -> ModelError:
    return ModelError(f"Codebook {source}: {key}: {problem}")


def _id(value: Any, source: str, key: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _err(
            source, key, f"{value!r} is not a theme id (like T01: a letter, then letters/digits)."
        )
    return value


def _strings(value: Any, source: str, key: str, *, min_len: int = 0) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(source, key, "expected a list of non-empty strings.")
    if len(value) < min_len:
        raise _err(source, key, f"expected at least {min_len} entries, got {len(value)}.")
    return tuple(v.strip() for v in value)


def _mapping(value: Any, source: str, key: str, allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _err(source, key, f"expected a mapping with keys {', '.join(allowed)}.")
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise _err(source, key, f"unknown key {unknown[0]!r}; valid keys: {', '.join(allowed)}.")
    return value


def _seed(value: Any, source: str, key: str) -> SeedTheme:
    m = _mapping(value, source, key, ("id", "label", "phrases"))
    label = m.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _err(source, f"{key}.label", "expected a non-empty string.")
    return SeedTheme(
        _id(m.get("id"), source, f"{key}.id"),
        label.strip(),
        _strings(m.get("phrases"), source, f"{key}.phrases", min_len=1),
    )


def _list(value: Any, source: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _err(source, key, "expected a list.")
    return value


def parse_codebook(text: str, source: str = "codebook") -> Codebook:
    """Parse codebook YAML; a bad structure raises ModelError naming ``source`` and the key.

    >>> cb = parse_codebook("version: 1\\nthemes: {T01: {label: speed}}\\nmerge: [[T01, T02]]")
    >>> cb.themes[0].label, cb.merge
    ('speed', (('T01', 'T02'),))
    """
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ModelError(f"Codebook {source} is not valid YAML: {err}".replace("\n", " ")) from None
    data = {} if data is None else data
    data = _mapping(data, source, "top level", _KEYS)
    version = data.get("version", 1)
    if version != 1:
        raise _err(
            source, "version", f"this feedback-nlp reads codebook version 1, got {version!r}."
        )
    raw_themes = data.get("themes") or {}
    if not isinstance(raw_themes, dict):
        raise _err(source, "themes", "expected a mapping of theme id to {label: ...}.")
    themes = []
    for tid, entry in raw_themes.items():
        key = f"themes.{tid}"
        _id(tid, source, key)
        if isinstance(entry, str):
            entry = {"label": entry}
        m = _mapping(entry, source, key, ("label", "keywords", "size"))
        label = m.get("label")
        if not isinstance(label, str) or not label.strip():
            raise _err(source, f"{key}.label", "expected a non-empty string.")
        keywords = _strings(m.get("keywords"), source, f"{key}.keywords")
        themes.append(CodebookTheme(tid, label.strip(), keywords))
    merge: list[tuple[str, ...]] = []
    seen: dict[str, str] = {}
    for i, group in enumerate(_list(data.get("merge"), source, "merge")):
        key = f"merge[{i}]"
        if not isinstance(group, list) or len(group) < 2:
            raise _err(source, key, "expected a list of at least two theme ids, e.g. [T03, T07].")
        ids = tuple(_id(g, source, key) for g in group)
        for g in ids:
            if g in seen:
                raise _err(source, key, f"theme id {g!r} is already merged in {seen[g]}.")
            seen[g] = key
        merge.append(ids)
    seeds = tuple(
        _seed(s, source, f"seed_themes[{i}]")
        for i, s in enumerate(_list(data.get("seed_themes"), source, "seed_themes"))
    )
    split = []
    for i, rule in enumerate(_list(data.get("split"), source, "split")):
        key = f"split[{i}]"
        m = _mapping(rule, source, key, ("theme", "into"))
        into = _list(m.get("into"), source, f"{key}.into")
        if len(into) < 2:
            raise _err(source, f"{key}.into", "expected at least two sub-themes.")
        split.append(
            SplitRule(
                _id(m.get("theme"), source, f"{key}.theme"),
                tuple(_seed(s, source, f"{key}.into[{j}]") for j, s in enumerate(into)),
            )
        )
    created: list[str] = [s.id for s in seeds] + [s.id for r in split for s in r.into]
    for cid in created:
        if created.count(cid) > 1:
            raise _err(source, "seed_themes/split", f"theme id {cid!r} is created twice.")
    exclude = _strings(data.get("exclude_terms"), source, "exclude_terms")
    return Codebook(tuple(themes), tuple(merge), seeds, tuple(split), exclude, 1, source)


def load_codebook(path: Path | str) -> Codebook:
    """Read and validate a codebook YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"Cannot read codebook {path}: {err}") from None
    return parse_codebook(text, str(path))


# -- writing -----------------------------------------------------------------


def _q(value: Any) -> str:
    # JSON is valid YAML flow syntax and quotes every string safely.
    return json.dumps(value, ensure_ascii=False)


def _seed_yaml(s: SeedTheme) -> str:
    return f"{{id: {_q(s.id)}, label: {_q(s.label)}, phrases: {_q(list(s.phrases))}}}"


def dump_codebook(cb: Codebook) -> str:
    """Render a codebook as commented YAML that :func:`parse_codebook` reads back."""
    lines = [
        "# feedback-nlp codebook. Edit, then re-fit (ids stay stable):",
        "#   feedback-nlp fit DATA --codebook models/NAME/codebook.yaml "
        "--previous models/NAME --save models/NAME --force",
        "version: 1",
        "# Edit a label to rename a theme. Keywords and size are for reference only.",
        "themes:" if cb.themes else "themes: {}",
    ]
    for t in cb.themes:
        lines.append(f"  {t.id}: {{label: {_q(t.label)}, keywords: {_q(list(t.keywords))}}}")
    lines.append("# Groups of ids merged into the first id, e.g.  - [T03, T07]")
    lines.append("merge:" if cb.merge else "merge: []")
    lines += [f"  - {_q(list(g))}" for g in cb.merge]
    lines.append(
        '# New themes from seed phrases, e.g.  - {id: T20, label: "price increase", '
        'phrases: ["price went up", "bill increased"]}'
    )
    lines.append("seed_themes:" if cb.seed_themes else "seed_themes: []")
    lines += [f"  - {_seed_yaml(s)}" for s in cb.seed_themes]
    lines.append(
        "# Split a theme by seed phrases, e.g.  - {theme: T02, into: "
        '[{id: T21, label: "...", phrases: ["..."]}, {id: T22, ...}]}'
    )
    lines.append("split:" if cb.split else "split: []")
    for r in cb.split:
        lines.append(f"  - theme: {_q(r.theme)}")
        lines.append("    into:")
        lines += [f"      - {_seed_yaml(s)}" for s in r.into]
    lines.append("# Terms masked before fitting and never shown in labels or keywords.")
    lines.append(f"exclude_terms: {_q(list(cb.exclude_terms))}")
    return "\n".join(lines) + "\n"


def codebook_from_model(model: ThemeModel, base: Codebook | None = None) -> Codebook:
    """The codebook to save with ``model``: its current themes plus ``base``'s rules.

    Themes created by ``base``'s seeds and splits are left out of ``themes``
    (their labels live in their own entries), so each label is edited in one place.
    """
    base = base or Codebook()
    created = base.created_ids()
    themes = tuple(
        CodebookTheme(str(t["theme_id"]), str(t["label"]), tuple(t["keywords"]))
        for t in _themes(model)
        if t["theme_id"] not in created
    )
    return Codebook(themes, base.merge, base.seed_themes, base.split, base.exclude_terms)


# -- vectors and refresh (operating on the fitted model's attributes) --------


def _themes(model: ThemeModel) -> list[dict[str, Any]]:
    themes: list[dict[str, Any]] = model.themes_
    return themes


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.clip(norms, 1e-12, None)).astype(np.float32)


def _embed(model: ThemeModel, texts: Sequence[str] | np.ndarray) -> np.ndarray:
    return _unit(model.rep_.transform(list(texts)) - model.mean_)


def _distinct_usable(model: ThemeModel, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    cleaned = clean_for_themes(list(texts), model.brand_terms)
    ok = [t for t in cleaned if any(c.isalpha() for c in t)]
    if not ok:
        return np.array([], dtype=str), np.array([], dtype=float)
    uniq, counts = np.unique(np.asarray(ok, dtype=str), return_counts=True)
    return uniq, counts.astype(float)


def _drop_terms(text: str, terms: Collection[str]) -> str:
    for term in terms:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s+,", ",", text).strip(" ,;")


def _refresh(model: ThemeModel, texts: Sequence[str], fixed_labels: Mapping[str, str]) -> None:
    """Recompute sizes, labels, none threshold and the fast classifier after an edit."""
    from sklearn.base import clone

    uniq, w = _distinct_usable(model, texts)
    if not len(uniq):
        return
    x = _embed(model, uniq)
    sims = x @ model.centroids_.T
    primary = sims.argmax(1)
    best = sims.max(1)
    model.none_threshold_ = float(np.quantile(np.repeat(best, w.astype(int)), model.none_quantile))
    per_theme = []
    for g in range(model.n_themes_):
        idx = np.flatnonzero(primary == g)
        idx = idx[np.lexsort((idx, -sims[idx, g]))][:150]
        per_theme.append([str(uniq[i]) for i in idx])
    labels = theme_labels(per_theme)
    sizes = np.bincount(primary, w, model.n_themes_).astype(int)
    model.themes_ = [
        {
            "theme_id": t["theme_id"],
            "label": fixed_labels.get(t["theme_id"], lab),
            "keywords": kw,
            "size": int(sizes[g]),
        }
        for g, (t, (lab, kw)) in enumerate(zip(_themes(model), labels, strict=True))
    ]
    if getattr(model, "fast_", None) is not None and len(np.unique(primary)) >= 2:
        model.fast_ = clone(model.fast_).fit(
            hashed_ngrams(model.hasher_, list(uniq)), primary, sample_weight=w
        )


def _theme_number(tid: str) -> int:
    m = re.match(r"^T(\d+)$", tid)
    return int(m.group(1)) if m else 0


# -- applying a codebook -----------------------------------------------------


def apply_codebook(
    model: ThemeModel,
    codebook: Codebook,
    texts: Sequence[str],
    *,
    skip_ids: Collection[str] = (),
    notes: list[str] | None = None,
) -> ThemeModel:
    """Return a copy of a fitted ``model`` with ``codebook`` applied.

    Order: exclude terms, merge (size-weighted mean centroid, re-normalised;
    the first id stays), split, seed themes (phrases embedded, centred with
    ``mean_``, normalised; centroid = their mean), then sizes, keywords,
    labels, none threshold and fast classifier are recomputed on ``texts``
    (the training comments), and labels are renamed from ``codebook.themes``.
    Ids in ``skip_ids`` (previous themes absent from this fit) are skipped
    with a note instead of raising.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "centroids_")
    src = codebook.source
    notes = notes if notes is not None else []
    new = copy.copy(model)
    new.match_ids_ = list(getattr(model, "match_ids_", [t["theme_id"] for t in _themes(model)]))
    new.match_centroids_ = np.asarray(getattr(model, "match_centroids_", model.centroids_))
    exclude = tuple(codebook.exclude_terms)
    new.brand_terms = tuple(dict.fromkeys(tuple(model.brand_terms) + exclude))
    ids = [str(t["theme_id"]) for t in _themes(model)]
    cents = [np.asarray(c, dtype=np.float32) for c in model.centroids_]
    sizes = [float(max(t["size"], 1)) for t in _themes(model)]
    fixed: dict[str, str] = {}
    changed = bool(exclude)

    def check(tid: str, key: str) -> bool:
        if tid in ids:
            return True
        if tid in skip_ids:
            notes.append(f"Codebook {key}: theme {tid} is not in this fit; skipped.")
            return False
        raise _err(src, key, f"unknown theme id {tid!r}; valid ids: {', '.join(ids)}.")

    merged_away: set[str] = set()
    for i, group in enumerate(codebook.merge):
        present = [g for g in group if check(g, f"merge[{i}]")]
        if len(present) < 2:
            continue
        pos = [ids.index(g) for g in present]
        total = sum(sizes[p] * cents[p] for p in pos)
        cents[pos[0]] = _unit(np.asarray(total))
        sizes[pos[0]] = sum(sizes[p] for p in pos)
        for p in sorted(pos[1:], reverse=True):
            merged_away.add(ids[p])
            del ids[p], cents[p], sizes[p]
        changed = True

    def seed_centroid(seed: SeedTheme, key: str) -> np.ndarray:
        if seed.id in ids:
            raise _err(
                src,
                key,
                f"theme id {seed.id!r} already exists; choose an id not in {', '.join(ids)}.",
            )
        cleaned = clean_for_themes(list(seed.phrases), new.brand_terms)
        raw = np.asarray(new.rep_.transform(cleaned))
        if not np.any(np.linalg.norm(raw, axis=1) > 1e-6):
            raise _err(
                src,
                key,
                f"none of the phrases of {seed.id!r} uses a word the model's vocabulary knows; "
                "use wording from the comments (or fit with the MiniLM representation).",
            )
        fixed[seed.id] = seed.label
        return _unit(_unit(raw - new.mean_).mean(axis=0))

    for i, rule in enumerate(codebook.split):
        if not check(rule.theme, f"split[{i}].theme"):
            continue
        p = ids.index(rule.theme)
        subs = [seed_centroid(s, f"split[{i}].into[{j}]") for j, s in enumerate(rule.into)]
        ids[p : p + 1] = [s.id for s in rule.into]
        cents[p : p + 1] = subs
        sizes[p : p + 1] = [sizes[p] / len(subs)] * len(subs)
        changed = True
    for i, seed in enumerate(codebook.seed_themes):
        cents.append(seed_centroid(seed, f"seed_themes[{i}]"))
        ids.append(seed.id)
        sizes.append(1.0)
        changed = True

    if changed:
        old = {t["theme_id"]: t for t in _themes(model)}
        new.centroids_ = np.vstack(cents).astype(np.float32)
        new.n_themes_ = len(ids)
        new.themes_ = [
            {
                "theme_id": tid,
                "label": old.get(tid, {}).get("label", ""),
                "keywords": list(old.get(tid, {}).get("keywords", [])),
                "size": 0,
            }
            for tid in ids
        ]
        _refresh(new, texts, fixed)
    else:
        new.themes_ = [dict(t) for t in _themes(model)]
    for entry in codebook.themes:
        if entry.id in merged_away:
            continue
        if entry.id not in ids and entry.id in skip_ids:
            continue  # the previous model's theme did not come back; noted by the matcher
        if check(entry.id, f"themes.{entry.id}"):
            _themes(new)[ids.index(entry.id)]["label"] = entry.label
    if exclude:
        for t in _themes(new):
            t["keywords"] = [k for k in t["keywords"] if _drop_terms(k, exclude) == k]
            label = _drop_terms(t["label"], exclude)
            t["label"] = label or ", ".join(t["keywords"][:2]) or "misc"
    return new


# -- stable ids across re-fits ------------------------------------------------


def match_previous_ids(
    model: ThemeModel,
    previous: ThemeModel,
    texts: Sequence[str],
    *,
    threshold: float = 0.5,
    reserved: Collection[str] = (),
    max_texts: int = 5000,
) -> tuple[ThemeModel, list[str], list[str]]:
    """Give a freshly fitted model's themes the ids of the previous model's themes.

    The two models' vector spaces differ (a re-fit TF-IDF has a new basis), so
    each previous theme is projected into the new space as the mean new vector
    of the ``texts`` the previous model assigns to it. New and projected
    centroids are paired by the Hungarian algorithm on cosine; a pair at or
    above ``threshold`` keeps the previous id, other new themes get ids after
    the largest id used so far (including ``reserved``). Themes are ordered by id.

    Returns the renumbered model, notes for the user, and the previous ids
    that found no match.
    """
    from scipy.optimize import linear_sum_assignment

    prev_ids = list(getattr(previous, "match_ids_", [t["theme_id"] for t in _themes(previous)]))
    prev_cents = np.asarray(getattr(previous, "match_centroids_", previous.centroids_))
    uniq, w = _distinct_usable(model, texts)
    if len(uniq) > max_texts:
        pick = np.sort(np.random.RandomState(0).choice(len(uniq), max_texts, replace=False))
        uniq, w = uniq[pick], w[pick]
    x_new = _embed(model, uniq)
    s_prev = _embed(previous, uniq) @ prev_cents.T
    owner = np.where(s_prev.max(1) > previous.none_threshold_, s_prev.argmax(1), -1)
    proj = np.zeros((len(prev_ids), x_new.shape[1]), dtype=np.float32)
    for j in range(len(prev_ids)):
        members = owner == j
        if members.any():
            proj[j] = _unit((x_new[members] * w[members, None]).sum(0))
    sim = model.centroids_ @ proj.T
    rows, cols = linear_sum_assignment(-sim)
    new_ids: list[str | None] = [None] * model.n_themes_
    for r, c in zip(rows, cols, strict=True):
        if sim[r, c] >= threshold:
            new_ids[r] = prev_ids[c]
    used = set(prev_ids) | {t["theme_id"] for t in _themes(previous)} | set(reserved)
    top = max([_theme_number(i) for i in used] + [0])
    notes = []
    for g, tid in enumerate(new_ids):
        if tid is None:
            top += 1
            new_ids[g] = f"T{top:02d}"
            notes.append(
                f"New theme {new_ids[g]} ({_themes(model)[g]['label']}): no previous match."
            )
    final = [str(i) for i in new_ids]
    missing = [i for i in prev_ids if i not in final]
    prev_labels = {t["theme_id"]: t["label"] for t in _themes(previous)}
    for tid in missing:
        notes.append(f"Previous theme {tid} ({prev_labels.get(tid, 'merged')}) has no match now.")
    order = sorted(range(len(final)), key=lambda g: (_theme_number(final[g]), final[g]))
    out = copy.copy(model)
    out.centroids_ = np.asarray(model.centroids_)[order]
    out.themes_ = [{**_themes(model)[g], "theme_id": final[g]} for g in order]
    out.match_ids_ = [final[g] for g in order]
    out.match_centroids_ = out.centroids_
    if getattr(model, "fast_", None) is not None:
        inv = np.empty(len(order), dtype=np.int64)
        inv[order] = np.arange(len(order))
        fast = copy.copy(model.fast_)
        fast.classes_ = inv[np.asarray(model.fast_.classes_, dtype=np.int64)]
        out.fast_ = fast
    return out, notes, missing


# -- new theme candidates -----------------------------------------------------


def new_theme_candidates(
    model: ThemeModel,
    texts: Sequence[str],
    primary: np.ndarray,
    scores: np.ndarray,
    min_size: int = 10,
    max_candidates: int = 6,
) -> list[dict[str, Any]]:
    """Cluster comments that fit no saved theme into candidate new themes.

    ``primary`` and ``scores`` are :meth:`ThemeModel.assign`'s outputs for
    ``texts``. Comments with no theme (or a best score below the saved none
    threshold) are clustered (seeded KMeans, k by cosine silhouette); clusters
    of at least ``min_size`` comments become candidates ``N01``, ``N02``...
    (largest first) with ``label``, ``keywords``, ``size`` and 3 ``examples``.
    An empty list when fewer than ``min_size`` comments fit no theme.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    texts = list(texts)
    best = scores.max(axis=1) if scores.size else np.zeros(len(texts))
    cleaned = clean_for_themes(texts, model.brand_terms)
    usable = np.array([any(c.isalpha() for c in t) for t in cleaned], dtype=bool)
    idx = np.flatnonzero(((np.asarray(primary) < 0) | (best < model.none_threshold_)) & usable)
    if len(idx) < max(min_size, 2):
        return []
    sub = [cleaned[i] for i in idx]
    if model.rep_.name == "tfidf":
        # Out-of-vocabulary topics vanish in the saved TF-IDF space: use one fitted on these.
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
        try:
            x = vec.fit_transform(sub).toarray().astype(np.float32)
        except ValueError:  # only stop words
            return []
        x = _unit(x)
    else:
        x = _embed(model, sub)
    seed = int(model.random_state)
    k_max = min(max_candidates, len(idx) // min_size)
    labels = np.zeros(len(idx), dtype=np.int64)
    if k_max >= 2:
        probe = np.random.RandomState(seed).choice(len(x), min(2000, len(x)), replace=False)
        best_score = -np.inf
        for k in range(2, k_max + 1):
            lab = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
            if len(np.unique(lab[probe])) < 2:
                continue
            score = silhouette_score(x[probe], lab[probe], metric="cosine")
            if score > best_score + 1e-9:
                best_score, labels = score, lab
    groups = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    groups = [g for g in groups if len(g) >= min_size]
    groups.sort(key=lambda g: (-len(g), int(g.min())))
    if not groups:
        return []
    ranked = []
    for g in groups:
        centre = _unit(x[g].mean(0))
        ranked.append(g[np.argsort(-(x[g] @ centre), kind="stable")])
    names = theme_labels([[sub[i] for i in r[:150]] for r in ranked])
    out = []
    for n, (r, (label, keywords)) in enumerate(zip(ranked, names, strict=True), start=1):
        examples: list[str] = []
        for i in r:
            text = texts[idx[i]]
            if text not in examples:
                examples.append(text)
            if len(examples) == 3:
                break
        out.append(
            {
                "theme_id": f"N{n:02d}",
                "label": label,
                "keywords": keywords,
                "size": len(r),
                "examples": examples,
            }
        )
    return out


# -- the fit workflow ---------------------------------------------------------


@dataclass(frozen=True)
class FitOutcome:
    """A fitted (codebook-applied) model, the codebook to save, notes, training facts."""

    model: Any
    codebook: Codebook | None
    notes: list[str] = field(default_factory=list)
    training_info: dict[str, Any] = field(default_factory=dict)


def fit_survey(
    cfg: AnalysisConfig,
    *,
    codebook: Codebook | None = None,
    previous: ThemeModel | None = None,
) -> FitOutcome:
    """Read the survey ``cfg`` describes and fit a theme model on its usable comments.

    Brand terms (given, detected, and the codebook's ``exclude_terms``) are
    masked before fitting. With ``previous``, themes keep the previous ids
    they match; with ``codebook``, its edits are applied on top.
    """
    from ..load import load_survey
    from ..textprep import usable_mask
    from .clean import detect_brand_terms
    from .model import ThemeModel
    from .persist import file_sha256

    survey = load_survey(cfg)
    frame = survey.frame
    texts = frame["text"].fillna("").astype(str).tolist()
    usable, _ = usable_mask(texts)
    idx = np.flatnonzero(usable)
    groups = frame["group"].to_numpy(dtype=object)
    brand = list(cfg.brand_terms)
    brand += detect_brand_terms([texts[i] for i in idx], [str(g) for g in groups[idx]])
    brand += list(codebook.exclude_terms) if codebook else []
    brand_terms = tuple(dict.fromkeys(b.lower() for b in brand))
    cleaned = clean_for_themes([texts[i] for i in idx], brand_terms=brand_terms)
    if len(idx) < 4:
        from ..errors import DataError

        raise DataError(
            f"Only {len(idx)} usable comments in {Path(cfg.input).name}: a theme model needs "
            "at least 4 (check --text-col)."
        )
    model = ThemeModel(
        n_themes=cfg.n_themes,
        representation=cfg.representation.value,
        random_state=cfg.seed,
        brand_terms=brand_terms,
    )
    try:
        model.fit(cleaned)
    except ValueError as err:
        from ..errors import DataError

        raise DataError(f"Cannot fit themes on {Path(cfg.input).name}: {err}") from None
    notes: list[str] = []
    missing: list[str] = []
    if previous is not None:
        reserved = codebook.created_ids() if codebook else set()
        model, match_notes, missing = match_previous_ids(
            model, previous, cleaned, reserved=reserved
        )
        notes += match_notes
    if codebook is not None:
        model = apply_codebook(model, codebook, cleaned, skip_ids=missing, notes=notes)
    info = {
        "input": Path(cfg.input).name,
        "input_sha256": file_sha256(Path(cfg.input)),
        "rows": int(len(frame)),
        "comments_used": int(len(idx)),
        "brand_terms": list(brand_terms),
        "codebook": codebook.source if codebook else None,
        "previous_ids": list(getattr(previous, "match_ids_", [])) if previous else None,
    }
    return FitOutcome(model, codebook, notes, info)
