"""Applying a researcher's codebook to a fitted theme model.

Order: exclude terms, merge (size-weighted mean centroid, re-normalised; the
first id stays), split, seed themes, then one refresh of sizes, keywords,
labels, none threshold and fast classifier on the training comments, then
renames, then excluded terms are dropped from labels and keywords. Every
change goes through :class:`ThemeModel`'s edit methods, which return copies:
the input model is left alone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .codebook_file import Codebook, SeedTheme, codebook_error
from .vectors import unit

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = ["apply_codebook"]


class _Draft:
    """The themes being edited: ids, centroids and sizes (merge weights), in order."""

    def __init__(
        self,
        model: ThemeModel,
        codebook: Codebook,
        skip_ids: Collection[str],
        notes: list[str],
        brand_terms: Sequence[str],
    ) -> None:
        self.model, self.source, self.skip_ids, self.notes = model, codebook.source, skip_ids, notes
        self.brand_terms = brand_terms
        self.ids = [str(t["theme_id"]) for t in model.themes_]
        self.cents = [np.asarray(c, dtype=np.float32) for c in model.centroids_]
        self.sizes = [float(max(t["size"], 1)) for t in model.themes_]
        self.fixed: dict[str, str] = {}
        self.merged_away: set[str] = set()
        self.changed = False

    def check(self, tid: str, key: str) -> bool:
        """Whether ``tid`` is a current theme; a skipped previous id is noted, others raise."""
        if tid in self.ids:
            return True
        if tid in self.skip_ids:
            self.notes.append(f"Codebook {key}: theme {tid} is not in this fit; skipped.")
            return False
        raise codebook_error(
            self.source, key, f"unknown theme id {tid!r}; valid ids: {', '.join(self.ids)}."
        )

    def merge(self, group: Sequence[str], key: str) -> None:
        present = [g for g in group if self.check(g, key)]
        if len(present) < 2:
            return
        pos = [self.ids.index(g) for g in present]
        total = sum(self.sizes[p] * self.cents[p] for p in pos)
        self.cents[pos[0]] = unit(np.asarray(total))
        self.sizes[pos[0]] = sum(self.sizes[p] for p in pos)
        for p in sorted(pos[1:], reverse=True):
            self.merged_away.add(self.ids[p])
            del self.ids[p], self.cents[p], self.sizes[p]
        self.changed = True

    def seed_centroid(self, seed: SeedTheme, key: str) -> np.ndarray:
        if seed.id in self.ids:
            raise codebook_error(
                self.source,
                key,
                f"theme id {seed.id!r} already exists; choose an id not in {', '.join(self.ids)}.",
            )
        try:
            centroid = self.model.seed_centroid(seed.phrases, self.brand_terms)
        except ValueError:
            raise codebook_error(
                self.source,
                key,
                f"none of the phrases of {seed.id!r} uses a word the model's vocabulary knows; "
                "use wording from the comments (or fit with the MiniLM representation).",
            ) from None
        self.fixed[seed.id] = seed.label
        return centroid

    def split(self, theme: str, into: Sequence[SeedTheme], key: str) -> None:
        if not self.check(theme, f"{key}.theme"):
            return
        p = self.ids.index(theme)
        subs = [self.seed_centroid(s, f"{key}.into[{j}]") for j, s in enumerate(into)]
        self.ids[p : p + 1] = [s.id for s in into]
        self.cents[p : p + 1] = subs
        self.sizes[p : p + 1] = [self.sizes[p] / len(subs)] * len(subs)
        self.changed = True

    def add(self, seed: SeedTheme, key: str) -> None:
        self.cents.append(self.seed_centroid(seed, key))
        self.ids.append(seed.id)
        self.sizes.append(1.0)
        self.changed = True


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
    notes = notes if notes is not None else []
    exclude = tuple(codebook.exclude_terms)
    brand = tuple(dict.fromkeys(tuple(model.brand_terms) + exclude))
    draft = _Draft(model, codebook, skip_ids, notes, brand)
    draft.changed = bool(exclude)
    for i, group in enumerate(codebook.merge):
        draft.merge(group, f"merge[{i}]")
    for i, rule in enumerate(codebook.split):
        draft.split(rule.theme, rule.into, f"split[{i}]")
    for i, seed in enumerate(codebook.seed_themes):
        draft.add(seed, f"seed_themes[{i}]")
    if draft.changed:
        new = model.with_themes(
            draft.ids, draft.cents, texts, fixed_labels=draft.fixed, brand_terms=brand
        )
    else:
        new = model.with_labels({}).set_params(brand_terms=brand)
    renames: dict[str, str] = {}
    for entry in codebook.themes:
        if entry.id in draft.merged_away:
            continue
        if entry.id not in draft.ids and entry.id in skip_ids:
            continue  # the previous model's theme did not come back; noted by the matcher
        if draft.check(entry.id, f"themes.{entry.id}"):
            renames[entry.id] = entry.label
    new = new.with_labels(renames)
    return new.without_terms(exclude) if exclude else new
