"""Sub-theme ids across batches: a re-fit's sub-themes keep the ids of those they match.

After the themes take the previous model's ids (themes.matching), each theme's
sub-themes are paired with the previous model's sub-themes of the same theme id
(Hungarian assignment on cosine of the projected centroids, as themes are);
unmatched ones take the next free number under their theme id.
"""

from __future__ import annotations

import numpy as np
import pytest

from _model_folders import MODEL_V2, make_texts, tree_model
from feedback_nlp.themes import (
    ThemeModel,
    apply_codebook,
    clean_for_themes,
    load_model,
    match_previous_ids,
    save_model,
)
from feedback_nlp.themes.codebook import parse_codebook


@pytest.fixture(scope="module")
def first() -> ThemeModel:
    return tree_model()


def _ids(model: ThemeModel, texts: list[str]) -> tuple[list, list]:
    """Each text's primary theme id and sub-theme id (None without one)."""
    primary, _, _, sub, _, _ = model.assign_tree(texts)
    themes = [t["theme_id"] for t in model.themes_]
    subs = [s["theme_id"] for s in model.subtheme_rows()]
    return (
        [themes[p] if p >= 0 else None for p in primary],
        [subs[j] if j >= 0 else None for j in sub],
    )


def _agreement(a: ThemeModel, b: ThemeModel, texts: list[str]) -> tuple[float, int]:
    """Of the texts with the same theme id under both models (and a sub-theme under
    each), the share with the same sub-theme id, and how many there are."""
    (ta, sa), (tb, sb) = _ids(a, texts), _ids(b, texts)
    same = [i for i in range(len(texts)) if ta[i] and ta[i] == tb[i] and sa[i] and sb[i]]
    return float(np.mean([sa[i] == sb[i] for i in same])), len(same)


def test_scrambled_subtheme_ids_are_given_back(first):
    """A model whose sub-theme numbers were shuffled gets its previous ids back, exactly."""
    texts = make_texts()
    ids = [s["theme_id"] for s in first.subtheme_rows()]
    scrambled = [f"{i.split('.')[0]}.{7 + (n * 5) % 12}" for n, i in enumerate(ids)]
    themes = [t["theme_id"] for t in first.themes_]
    other = first.with_theme_ids(themes, range(len(themes)), scrambled)
    assert [s["theme_id"] for s in other.subtheme_rows()] != ids
    matched, notes, missing = match_previous_ids(other, first, texts)
    assert (notes, missing) == ([], [])
    assert [s["theme_id"] for s in matched.subtheme_rows()] == ids
    np.testing.assert_array_equal(matched.subcentroids(), first.subcentroids())
    assert matched.match_reference(subthemes=True)[0] == ids
    # the fast path's sub-theme classifier follows the renumbering
    fast = matched.set_params(max_embed=2).assign_tree(texts)[3]
    before = first.set_params(max_embed=2).assign_tree(texts)[3]
    first.set_params(max_embed=4000)
    assert fast.tolist() == before.tolist()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_refit_with_another_seed_keeps_most_subtheme_ids(first, seed):
    texts = make_texts()
    matched, notes, missing = match_previous_ids(tree_model(seed), first, texts)
    assert [t["theme_id"] for t in matched.themes_] == ["T01", "T02", "T03", "T04"]
    old = {s["theme_id"] for s in first.subtheme_rows()}
    kept = [s["theme_id"] for s in matched.subtheme_rows() if s["theme_id"] in old]
    assert len(kept) >= 11  # of 12
    assert [m for m in missing if m not in old] == []
    share, n = _agreement(first, matched, texts)
    assert share >= 0.75 and n >= 70
    # a new sub-theme's number is never one the previous model used under its theme
    for s in matched.subtheme_rows():
        assert s["theme_id"] in old or int(s["theme_id"].split(".")[1]) > 3


def test_two_halves_of_a_generated_survey_keep_most_subtheme_ids():
    """Two batches of one generated survey (1,000 comments each), fitted apart."""
    from feedback_nlp.demo import generate_survey

    comments = generate_survey(2000, seed=3)["comment"].dropna().tolist()
    texts = clean_for_themes([str(c) for c in comments if str(c).strip()], ("acme",))
    half = len(texts) // 2

    def fit(part: list[str]) -> ThemeModel:
        return ThemeModel(representation="tfidf", brand_terms=("acme",), n_threads=2).fit(part)

    previous, fresh = fit(texts[:half]), fit(texts[half:])
    matched, notes, _ = match_previous_ids(fresh, previous, texts[half:])
    share, n = _agreement(previous, matched, texts)
    assert n >= 200 and share >= 0.65
    # sub-theme numbers by size within each theme (no matching) agree far less
    by_size = fresh.with_theme_ids(
        [t["theme_id"] for t in _renamed(fresh, matched, texts)], range(fresh.n_themes_)
    )
    assert share >= _agreement(previous, by_size, texts)[0] + 0.15
    assert any(n.startswith("New sub-themes, no previous match: ") for n in notes)


def _renamed(fresh: ThemeModel, matched: ThemeModel, texts: list[str]) -> list[dict]:
    """``fresh``'s themes with the ids ``matched`` gave them (same texts, same theme)."""
    (t_fresh, _), (t_matched, _) = _ids(fresh, texts), _ids(matched, texts)
    given = {a: b for a, b in zip(t_fresh, t_matched, strict=True) if a is not None}
    return [{**t, "theme_id": given.get(t["theme_id"], t["theme_id"])} for t in fresh.themes_]


def test_a_merged_subtheme_is_recognised_and_merged_again_on_the_next_fit(first, tmp_path):
    """The saved model keeps the ids the codebook's edits started from (its sub-theme
    match reference), so replaying the codebook on the next batch merges the same two."""
    texts = make_texts()
    cb = parse_codebook("merge: [[T02.1, T02.2]]\nmove: [{subtheme: T01.3, to: T03}]", "cb")
    edited = apply_codebook(first, cb, texts)
    saved = load_model(save_model(edited, tmp_path / "models" / "weekly"))
    ref = saved.match_reference(subthemes=True)[0]
    assert {"T02.2", "T01.3"} <= set(ref) and "T03.4" not in ref
    assert {"T02.2", "T01.3"}.isdisjoint(s["theme_id"] for s in saved.subtheme_rows())
    matched, notes, missing = match_previous_ids(tree_model(3), saved, texts)
    assert "T02.2" in [s["theme_id"] for s in matched.subtheme_rows()]
    replayed = apply_codebook(matched, cb, texts, skip_ids=missing, notes=notes)
    rows = [s["theme_id"] for s in replayed.subtheme_rows()]
    assert [s["theme_id"] for s in saved.subtheme_rows()] == rows
    assert [s["label"] for s in replayed.subtheme_rows() if s["theme_id"] == "T03.4"] == [
        s["label"] for s in saved.subtheme_rows() if s["theme_id"] == "T03.4"
    ]


def test_a_previous_model_without_subthemes_numbers_them_from_one(first):
    """A version 2 model (no tree) as the previous one: themes keep their ids, sub-themes
    are numbered 1, 2... under each, and no sub-theme note is printed."""
    previous = load_model(MODEL_V2.resolve())
    matched, notes, missing = match_previous_ids(first, previous, make_texts())
    assert not any("sub-theme" in n for n in notes) and missing == []
    for t in matched.themes_:
        kids = [s["theme_id"] for s in matched.subtheme_rows() if s["parent_id"] == t["theme_id"]]
        assert kids == [f"{t['theme_id']}.{n}" for n in range(1, len(kids) + 1)]
