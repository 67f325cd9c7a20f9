"""Applying a researcher's codebook to a fitted theme model.

Order: exclude terms, merge themes (size-weighted mean centroid, re-normalised;
the first id stays), split, seed themes, then one refresh of sizes, keywords,
labels, none threshold and fast classifier on the training comments (each
theme is split into sub-themes afresh; they keep the ids of the sub-themes
they match). Then the sub-theme edits: moves (a moved sub-theme takes the next
free number under its new theme; a theme without sub-themes that receives one
first gets a sub-theme for its own comments), merges of sub-themes of one theme
(the first id stays, the label is recomputed); a theme left with a single
sub-theme has none; the themes a move changed become the size-weighted mean of
their sub-themes, and the themes are refreshed once more, keeping this tree.
Then renames (themes and sub-themes), then excluded terms are dropped from
labels and keywords. Every change goes through :class:`ThemeModel`'s edit
methods, which return copies: the input model is left alone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .codebook_file import Codebook, SeedTheme, codebook_error
from .subtree import is_subtheme_id, next_free, split_id
from .vectors import merged_centroid

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
        cents, sizes = [self.cents[p] for p in pos], [self.sizes[p] for p in pos]
        self.cents[pos[0]] = merged_centroid(cents, sizes)
        self.sizes[pos[0]] = sum(sizes)
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


class _TreeDraft:
    """The sub-themes being edited (moved, merged): rows with their centroids."""

    def __init__(
        self,
        model: ThemeModel,
        before: ThemeModel,
        draft: _Draft,
    ) -> None:
        self.source, self.notes, self.draft = draft.source, draft.notes, draft
        self.theme_ids = [str(t["theme_id"]) for t in model.themes_]
        self.cents = {tid: c for tid, c in zip(self.theme_ids, model.centroids_, strict=True)}
        self.sizes = {str(t["theme_id"]): float(max(t["size"], 1)) for t in model.themes_}
        self.rows = [
            {**r, "centroid": c}
            for r, c in zip(model.subtheme_rows(), model.subcentroids(), strict=True)
        ]
        # ids a sub-theme had before these edits: one absent now is skipped, not an error
        self.known = {str(r["theme_id"]) for r in before.subtheme_rows()}
        self.known |= set(before.match_reference(subthemes=True)[0])
        self.taken = {str(r["theme_id"]) for r in self.rows}
        self.taken |= set(model.match_reference(subthemes=True)[0])
        self.alias: dict[str, str] = {}
        self.merged_away: set[str] = set()
        self.moved_between: set[str] = set()
        self.changed = False

    def children(self, tid: str) -> list[dict]:
        return [r for r in self.rows if r["parent_id"] == tid]

    def find(self, sid: str, key: str) -> dict | None:
        """The current sub-theme ``sid`` (followed through moves), None when it is
        gone with a note, or an error naming ``key`` and the valid ids."""
        sid = self.alias.get(sid, sid)
        for r in self.rows:
            if r["theme_id"] == sid:
                return r
        parent = split_id(sid)[0]
        if sid in self.merged_away:
            return None
        if (
            sid in self.known
            or sid in self.draft.skip_ids
            or parent in self.draft.skip_ids
            or (parent in self.draft.merged_away)
        ):
            self.notes.append(f"Codebook {key}: sub-theme {sid} is not in this fit; skipped.")
            return None
        if parent not in self.theme_ids:
            problem = f"no theme {parent}; valid theme ids: {', '.join(self.theme_ids)}."
        elif not self.children(parent):
            problem = f"theme {parent} has no sub-themes."
        else:
            valid = ", ".join(str(r["theme_id"]) for r in self.children(parent))
            problem = f"valid ids under {parent}: {valid}."
        raise codebook_error(self.source, key, f"unknown sub-theme id {sid!r}; {problem}")

    def move(self, sid: str, to: str, key: str) -> None:
        row = self.find(sid, f"{key}.subtheme")
        if row is None or not self.draft.check(to, f"{key}.to"):
            return
        source = str(row["parent_id"])
        if source == to:
            raise codebook_error(self.source, key, f"sub-theme {sid!r} is already under {to}.")
        if not self.children(to):  # the theme's own comments stay in a sub-theme of their own
            own = next_free(to, self.taken)
            self.taken.add(own)
            self.rows.append(
                {
                    "theme_id": own,
                    "parent_id": to,
                    "label": None,
                    "keywords": [],
                    "size": self.sizes[to],
                    "centroid": self.cents[to],
                }
            )
        new_id = next_free(to, self.taken)
        self.taken.add(new_id)
        self.alias[sid] = self.alias[str(row["theme_id"])] = new_id
        row.update(theme_id=new_id, parent_id=to)
        self.moved_between |= {source, to}
        self.changed = True

    def merge(self, group: Sequence[str], key: str) -> None:
        found = [self.find(g, key) for g in group]
        present: list[dict] = []
        for r in found:
            if r is not None and all(r is not p for p in present):
                present.append(r)
        if len(present) < 2:
            return
        parents = {r["parent_id"] for r in present}
        if len(parents) > 1:
            ids = ", ".join(str(r["theme_id"]) for r in present)
            raise codebook_error(
                self.source,
                key,
                f"sub-themes {ids} are under different themes; merge sub-themes of one theme.",
            )
        first = present[0]
        sizes = [float(max(r["size"], 1)) for r in present]
        first["centroid"] = merged_centroid([r["centroid"] for r in present], sizes)
        first.update(size=sum(sizes), label=None, keywords=[])
        for r in present[1:]:
            self.drop(r)
        self.changed = True

    def drop(self, row: dict) -> None:
        """Remove a sub-theme (merged into another, or the single one of its theme)."""
        self.merged_away.add(str(row["theme_id"]))
        self.rows = [r for r in self.rows if r is not row]

    def settle(self) -> list[np.ndarray]:
        """Themes a move changed become the size-weighted mean of their sub-themes;
        a theme left with one sub-theme has none. Returns the themes' centroids."""
        for tid in sorted(self.moved_between):
            kids = self.children(tid)
            cents, sizes = [r["centroid"] for r in kids], [r["size"] for r in kids]
            self.cents[tid] = merged_centroid(cents, sizes)
        for tid in self.theme_ids:
            kids = self.children(tid)
            if len(kids) == 1:
                self.notes.append(
                    f"Codebook: theme {tid} keeps a single sub-theme ({kids[0]['theme_id']}), "
                    "so it has none now."
                )
                self.drop(kids[0])
        return [self.cents[tid] for tid in self.theme_ids]


def _edit_tree(
    model: ThemeModel, before: ThemeModel, codebook: Codebook, texts: Sequence[str], draft: _Draft
) -> tuple[ThemeModel, _TreeDraft]:
    """Moves, then merges of sub-themes (see the module docstring)."""
    tree = _TreeDraft(model, before, draft)
    for i, rule in enumerate(codebook.move):
        tree.move(rule.subtheme, rule.to, f"move[{i}]")
    for i, group in enumerate(codebook.merge):
        if is_subtheme_id(group[0]):
            tree.merge(group, f"merge[{i}]")
    if not tree.changed:
        return model, tree
    cents = tree.settle()
    rows = [{**r, "size": int(r["size"])} for r in tree.rows]
    new = model.with_themes(tree.theme_ids, cents, texts, fixed_labels=draft.fixed, tree=rows)
    return new, tree


def apply_codebook(
    model: ThemeModel,
    codebook: Codebook,
    texts: Sequence[str],
    *,
    skip_ids: Collection[str] = (),
    notes: list[str] | None = None,
) -> ThemeModel:
    """Return a copy of a fitted ``model`` with ``codebook`` applied.

    Order: exclude terms, merge themes (size-weighted mean centroid,
    re-normalised; the first id stays), split, seed themes (phrases embedded,
    centred with ``mean_``, normalised; centroid = their mean), then sizes,
    keywords, labels, none threshold, fast classifier and sub-themes are
    recomputed on ``texts`` (the training comments); then sub-themes are
    moved and merged (see the module docstring), and themes and sub-themes
    are renamed from ``codebook.themes``. Ids in ``skip_ids`` (previous themes
    and sub-themes absent from this fit) are skipped with a note instead of raising.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "centroids_")
    notes = notes if notes is not None else []
    exclude = tuple(codebook.exclude_terms)
    brand = tuple(dict.fromkeys(tuple(model.brand_terms) + exclude))
    draft = _Draft(model, codebook, skip_ids, notes, brand)
    draft.changed = bool(exclude)
    for i, group in enumerate(codebook.merge):
        if not is_subtheme_id(group[0]):
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
    new, tree = _edit_tree(new, model, codebook, texts, draft)
    renames: dict[str, str] = {}
    sub_ids = {str(s["theme_id"]) for s in new.subtheme_rows()}
    for entry in codebook.themes:
        if entry.id in draft.merged_away:
            continue
        if entry.id not in draft.ids and entry.id in skip_ids:
            continue  # the previous model's theme did not come back; noted by the matcher
        if draft.check(entry.id, f"themes.{entry.id}") and entry.label is not None:
            renames[entry.id] = entry.label
        for sub in entry.subthemes:
            sid = tree.alias.get(sub.id, sub.id)
            if sid in sub_ids:
                if sub.label is not None:
                    renames[sid] = sub.label
            elif sid not in tree.merged_away:
                tree.find(sid, f"themes.{entry.id}.subthemes.{sub.id}")  # notes or raises
    new = new.with_labels(renames)
    return new.without_terms(exclude) if exclude else new
