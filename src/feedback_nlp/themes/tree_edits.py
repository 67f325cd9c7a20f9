"""Codebook edits applied to a saved model without a re-fit: renames, excluded
terms, merges and moves.

A merge or a move changes which theme a part of the tree hangs under, not what
the parts are: every theme and sub-theme keeps the centroid the fit gave it,
so the edit needs no comment and no embedding (a fraction of a second where a
re-fit takes the whole fit). Splits and seed themes create themes no fit has
seen: they wait for ``feedback-nlp fit --codebook``.

- **Merging themes** ``[A, B, ...]`` (the first id stays): the merged theme's
  sub-themes are the children of every merged theme, a theme without
  sub-themes bringing its own comments as one sub-theme (labelled as that
  theme was), so the distinction a merge gives up at the top stays visible
  one level down. Its centroid is the size-weighted mean of theirs
  (re-normalised, as a re-fit's merge starts from), its size their sum, its
  keywords theirs in turn, and its label the codebook's label for ``A`` when
  the researcher changed it, else their labels joined by " / ".
- **Moving a sub-theme** under another theme: it takes the next free number
  there; a theme without sub-themes that receives one first gets a sub-theme
  for its own comments; both themes become the size-weighted mean of their
  sub-themes.
- **Merging sub-themes** of one theme: as themes, one level down.
- A theme left with a single sub-theme has none. Then renames (ids followed
  through the edits), then excluded terms are dropped from labels and keywords.

Only models that score by similarity to the centroids take these edits (MiniLM
models: embedded texts and the token path). A TF-IDF model assigns big surveys
with a classifier trained on its themes as fitted, so its merges and moves
wait for a re-fit too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, zip_longest
from typing import TYPE_CHECKING, Any

import numpy as np

from .codebook_file import Codebook, codebook_error
from .subtree import is_subtheme_id, next_free, split_id
from .vectors import merged_centroid

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = ["Applied", "apply_without_refit", "refit_reason"]

#: Between the labels of merged themes or sub-themes.
JOIN = " / "


@dataclass
class Applied:
    """What :func:`apply_without_refit` did: counts for the log line."""

    renamed: int = 0
    excluded: int = 0
    merged: int = 0
    moved: int = 0
    notes: list[str] = field(default_factory=list)


def refit_reason(model: ThemeModel, codebook: Codebook) -> str | None:
    """Why ``codebook`` cannot apply to ``model`` without a re-fit, or None when it can."""
    rules = (("splits", codebook.split), ("seed themes", codebook.seed_themes))
    made = [name for name, rule in rules if rule]
    if made:
        return " and ".join(made)
    if (codebook.merge or codebook.move) and getattr(model, "fast_", None) is not None:
        return "merges and moves of a TF-IDF model"
    return None


def _interleave(lists: Sequence[Sequence[str]], n: int) -> list[str]:
    """The first ``n`` distinct words of ``lists`` taken in turn."""
    return list(dict.fromkeys(w for w in chain(*zip_longest(*lists)) if w is not None))[:n]


def _centroid(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """The size-weighted unit mean of the rows' centroids."""
    return merged_centroid([r["centroid"] for r in rows], [r["size"] for r in rows])


class _Tree:
    """The themes and sub-themes being edited: plain rows with their centroids."""

    def __init__(self, model: ThemeModel, codebook: Codebook) -> None:
        self.source = codebook.source
        self.themes = [
            {**t, "centroid": c, "protos": list(p)}
            for t, c, p in zip(model.themes_, model.centroids_, model.prototypes(), strict=True)
        ]
        self.subs = [
            {**s, "centroid": c, "protos": list(p)}
            for s, c, p in zip(
                model.subtheme_rows(),
                model.subcentroids(),
                model.prototypes(subthemes=True),
                strict=True,
            )
        ]
        fitted = {str(t["theme_id"]): str(t["label"]) for t in model.themes_}
        fitted.update({str(s["theme_id"]): str(s["label"]) for s in model.subtheme_rows()})
        given = [(e.id, e.label) for e in codebook.themes]
        given += [(s.id, s.label) for e in codebook.themes for s in e.subthemes]
        unknown = sorted(i for i, _ in given if i not in fitted)
        if unknown:
            raise codebook_error(
                self.source, "themes", f"ids this model does not have: {', '.join(unknown)}."
            )
        #: labels the researcher changed, by id as the codebook names them
        self.renamed = {i: lab for i, lab in given if lab is not None and lab != fitted[i]}
        self.taken = {str(s["theme_id"]) for s in self.subs}
        self.taken |= set(model.match_reference(subthemes=True)[0])
        self.alias: dict[str, str] = {}  # sub-theme id in the codebook -> its id now
        self.gone: dict[str, str] = {}  # merged-away id -> the id it joined

    # -- lookups -------------------------------------------------------------

    def theme(self, tid: str, key: str) -> dict[str, Any]:
        for t in self.themes:
            if t["theme_id"] == tid:
                return t
        if tid in self.gone:
            problem = f"theme {tid} is merged into {self.gone[tid]} above."
        else:
            problem = f"valid ids: {', '.join(str(t['theme_id']) for t in self.themes)}."
        raise codebook_error(self.source, key, f"unknown theme id {tid!r}; {problem}")

    def children(self, tid: str) -> list[dict[str, Any]]:
        return [s for s in self.subs if s["parent_id"] == tid]

    def sub(self, sid: str, key: str) -> dict[str, Any]:
        now = self.alias.get(sid, sid)
        for s in self.subs:
            if s["theme_id"] == now:
                return s
        if now in self.gone:
            problem = f"sub-theme {now} is merged into {self.gone[now]} above."
        elif not self.children(split_id(now)[0]):
            problem = f"theme {split_id(now)[0]} has no sub-themes."
        else:
            valid = ", ".join(str(s["theme_id"]) for s in self.children(split_id(now)[0]))
            problem = f"valid ids under {split_id(now)[0]}: {valid}."
        raise codebook_error(self.source, key, f"unknown sub-theme id {sid!r}; {problem}")

    # -- edits ---------------------------------------------------------------

    def _fresh(self, parent: str) -> str:
        """The next free sub-theme id under ``parent``, taken."""
        new = next_free(parent, self.taken)
        self.taken.add(new)
        return new

    def _own(self, theme: dict[str, Any], parent: str, label: str) -> dict[str, Any]:
        """A sub-theme for the comments of ``theme`` (which has none), under ``parent``."""
        return {
            "theme_id": self._fresh(parent),
            "parent_id": parent,
            "label": label,
            "keywords": list(theme["keywords"]),
            "size": int(theme["size"]),
            "centroid": theme["centroid"],
            "protos": list(theme["protos"]),
        }

    def _combined(self, rows: Sequence[dict[str, Any]], first_id: str) -> dict[str, Any]:
        """Centroid, size, keywords and label of ``rows`` merged (see the module docstring)."""
        labels = [str(rows[0]["label"])]
        labels += [self.renamed.get(str(r["theme_id"]), str(r["label"])) for r in rows[1:]]
        label = self.renamed.get(first_id) or JOIN.join(labels)
        keywords = _interleave([r["keywords"] for r in rows], max(len(r["keywords"]) for r in rows))
        return {
            "centroid": _centroid(rows),
            "protos": [p for r in rows for p in r["protos"]],
            "size": sum(int(r["size"]) for r in rows),
            "keywords": keywords,
            "label": label,
        }

    def merge_themes(self, group: Sequence[str], key: str) -> None:
        rows = [self.theme(tid, key) for tid in group]
        first = str(rows[0]["theme_id"])
        for t in rows:
            tid = str(t["theme_id"])
            own = self.children(tid)
            if not own:  # its comments become one sub-theme, named as the theme was
                label = str(t["label"]) if tid == first else self.renamed.get(tid, str(t["label"]))
                own = [self._own(t, first, label)]
                self.subs += own
            elif tid != first:
                for s in own:
                    new = self._fresh(first)
                    self.alias[str(s["theme_id"])] = new
                    s["theme_id"] = new
            for s in own:
                s["parent_id"] = first
        rows[0].update(self._combined(rows, first))
        for t in rows[1:]:
            self.gone[str(t["theme_id"])] = first
        self.themes = [t for t in self.themes if t["theme_id"] not in self.gone]

    def move(self, sid: str, to: str, key: str) -> None:
        row = self.sub(sid, f"{key}.subtheme")
        target = self.theme(to, f"{key}.to")
        source = self.theme(str(row["parent_id"]), key)
        if source is target:
            raise codebook_error(self.source, key, f"sub-theme {sid!r} is already under {to}.")
        if not self.children(to):
            self.subs.append(self._own(target, to, str(target["label"])))
        new = self._fresh(to)
        self.alias[sid] = self.alias[str(row["theme_id"])] = new
        row.update(theme_id=new, parent_id=to)
        # the target now also holds the comments nearest the moved sub-theme; the
        # source is what its other sub-themes hold
        target["protos"] = [*target["protos"], *row["protos"]]
        for t in (source, target):
            kids = self.children(str(t["theme_id"]))
            t["size"] = sum(int(s["size"]) for s in kids)
            t["centroid"] = _centroid(kids)
        source["protos"] = [source["centroid"]]

    def merge_subthemes(self, group: Sequence[str], key: str) -> None:
        rows = [self.sub(sid, key) for sid in group]
        if len({r["parent_id"] for r in rows}) > 1:
            ids = ", ".join(str(r["theme_id"]) for r in rows)
            raise codebook_error(
                self.source,
                key,
                f"sub-themes {ids} are under different themes; merge sub-themes of one theme.",
            )
        rows[0].update(self._combined(rows, group[0]))
        for sid, r in zip(group[1:], rows[1:]):
            self.gone[str(r["theme_id"])] = str(rows[0]["theme_id"])
            self.alias[sid] = str(rows[0]["theme_id"])
        self.subs = [s for s in self.subs if s["theme_id"] not in self.gone]

    def settle(self, notes: list[str]) -> None:
        """A theme left with one sub-theme has none; sub-themes in theme order, then by number."""
        for t in self.themes:
            kids = self.children(str(t["theme_id"]))
            if len(kids) == 1:
                notes.append(
                    f"Codebook: theme {t['theme_id']} keeps a single sub-theme "
                    f"({kids[0]['theme_id']}), so it has none now."
                )
                self.gone[str(kids[0]["theme_id"])] = str(t["theme_id"])
                self.subs.remove(kids[0])
        order = {str(t["theme_id"]): g for g, t in enumerate(self.themes)}
        self.subs.sort(key=lambda s: (order[str(s["parent_id"])], split_id(str(s["theme_id"]))[1]))

    def renames(self, merged: set[str]) -> dict[str, str]:
        """The researcher's labels for the ids left (merged themes and sub-themes
        already carry theirs), followed through moves and merges."""
        out: dict[str, str] = {}
        for old, label in self.renamed.items():
            now = self.alias.get(old, old) if is_subtheme_id(old) else old
            if old in merged or now in self.gone:
                continue
            out[now] = label
        return out


def apply_without_refit(model: ThemeModel, codebook: Codebook) -> tuple[ThemeModel, Applied]:
    """A copy of the fitted ``model`` with ``codebook``'s renames, excluded terms,
    merges and moves applied (see the module docstring); the model is left alone.

    Raises :class:`~feedback_nlp.errors.ModelError` naming the codebook key for an
    id the model does not have, and ValueError when the codebook needs a re-fit
    (:func:`refit_reason`).
    """
    reason = refit_reason(model, codebook)
    if reason is not None:
        raise ValueError(f"the codebook's {reason} need a re-fit")
    done = Applied()
    tree = _Tree(model, codebook)
    theme_merges = [g for g in codebook.merge if not is_subtheme_id(g[0])]
    sub_merges = [g for g in codebook.merge if is_subtheme_id(g[0])]
    for i, group in enumerate(codebook.merge):
        if group in theme_merges:
            tree.merge_themes(group, f"merge[{i}]")
    for i, rule in enumerate(codebook.move):
        tree.move(rule.subtheme, rule.to, f"move[{i}]")
    for i, group in enumerate(codebook.merge):
        if group in sub_merges:
            tree.merge_subthemes(group, f"merge[{i}]")
    structural = bool(codebook.merge or codebook.move)
    if structural:
        tree.settle(done.notes)
    renames = tree.renames({g[0] for g in codebook.merge})
    new = model.with_tree(tree.themes, tree.subs) if structural else model
    if renames:
        new = new.with_labels(renames)
    exclude = [t for t in codebook.exclude_terms if t not in model.brand_terms]
    if exclude:
        new = new.without_terms(exclude).set_params(
            brand_terms=tuple(dict.fromkeys((*model.brand_terms, *exclude)))
        )
    done.renamed, done.excluded = len(renames), len(exclude)
    done.merged = sum(len(g) - 1 for g in codebook.merge)
    done.moved = len(codebook.move)
    return new, done
