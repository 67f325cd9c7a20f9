"""Merges and moves edited into a saved MiniLM model's codebook.yaml apply when the
model is loaded, without a re-fit (feedback_nlp.themes.tree_edits)."""

from __future__ import annotations

import dataclasses as dc
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _model_folders import make_texts
from feedback_nlp.themes import (
    ThemeModel,
    dump_codebook,
    load_codebook,
    load_model,
    minilm_available,
    save_model,
)
from feedback_nlp.themes.codebook_file import Codebook, MoveRule, SeedTheme, SplitRule

pytestmark = pytest.mark.skipif(not minilm_available(), reason="MiniLM model not installed")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return make_texts(20)


@pytest.fixture(scope="module")
def tree(texts: list[str]) -> ThemeModel:
    return ThemeModel(n_themes=4, representation="minilm", n_clusters=8, subthemes=3).fit(texts)


@pytest.fixture(scope="module")
def flat(texts: list[str]) -> ThemeModel:
    return ThemeModel(n_themes=4, representation="minilm", n_clusters=8, subthemes=0).fit(texts)


def _edited(model: ThemeModel, folder: Path, **edits) -> Path:
    """Save ``model`` to ``folder`` and write its codebook back with ``edits``."""
    path = save_model(model, folder)
    book = load_codebook(path / "codebook.yaml")
    (path / "codebook.yaml").write_text(dump_codebook(dc.replace(book, **edits)))
    return path


def _renamed(book: Codebook, labels: dict[str, str]) -> Codebook:
    themes = []
    for t in book.themes:
        subs = tuple(dc.replace(s, label=labels.get(s.id, s.label)) for s in t.subthemes)
        themes.append(dc.replace(t, label=labels.get(t.id, t.label), subthemes=subs))
    return dc.replace(book, themes=tuple(themes))


def _labels(model: ThemeModel, texts: list[str]) -> tuple[list[str], list[str]]:
    """Each text's primary theme and sub-theme, as labels ("none", "-" for no sub-theme)."""
    primary, _, _, sub, _, _ = model.assign_tree(texts)
    themes = [str(t["label"]) for t in model.themes_]
    subs = [str(s["label"]) for s in model.subtheme_rows()]
    return (
        [themes[p] if p >= 0 else "none" for p in primary],
        [subs[j] if j >= 0 else "-" for j in sub],
    )


def _rows(model: ThemeModel) -> dict[str, tuple[dict, np.ndarray]]:
    """Sub-theme id -> (its row, its centroid)."""
    pairs = zip(model.subtheme_rows(), model.subcentroids(), strict=True)
    return {str(s["theme_id"]): (s, c) for s, c in pairs}


def test_a_theme_merge_applies_at_load_and_keeps_every_comment_where_it_was(
    tree, texts, tmp_path, caplog
):
    folder = _edited(tree, tmp_path / "m", merge=(("T01", "T02"),))
    with caplog.at_level(logging.INFO, logger="feedback_nlp"):
        merged = load_model(folder)
    assert "1 themes or sub-themes merged" in caplog.text
    before = {str(t["theme_id"]): t for t in tree.themes_}
    a, b = before["T01"], before["T02"]
    assert [t["theme_id"] for t in merged.themes_] == ["T01", "T03", "T04"]
    assert merged.themes_[0]["label"] == f"{a['label']} / {b['label']}"
    assert merged.themes_[0]["size"] == a["size"] + b["size"]
    # T02's sub-themes follow under T01 with the next numbers, centroids unchanged
    old, new = _rows(tree), _rows(merged)
    pairs = {f"T01.{n}": f"T01.{n}" for n in (1, 2, 3)}
    pairs |= {f"T01.{n + 3}": f"T02.{n}" for n in (1, 2, 3)}
    pairs |= {f"T0{g}.{n}": f"T0{g}.{n}" for g in (3, 4) for n in (1, 2, 3)}
    assert set(new) == set(pairs)
    for now, was in pairs.items():
        assert new[now][0]["label"] == old[was][0]["label"]
        np.testing.assert_array_equal(new[now][1], old[was][1])
    # the merged theme holds what both held; every sub-theme keeps its comments
    themes_before, subs_before = _labels(tree, texts)
    themes_after, subs_after = _labels(merged, texts)
    joined = merged.themes_[0]["label"]
    assert themes_after == [joined if t in (a["label"], b["label"]) else t for t in themes_before]
    assert subs_after == subs_before
    # the match reference is the fitted one: the next re-fit still knows T02
    assert merged.match_reference()[0] == ["T01", "T02", "T03", "T04"]


def test_themes_without_subthemes_become_the_subthemes_of_their_merge(flat, texts, tmp_path):
    path = save_model(flat, tmp_path / "m")
    book = load_codebook(path / "codebook.yaml")
    book = _renamed(dc.replace(book, merge=(("T02", "T04"),)), {"T04": "renamed before merging"})
    (path / "codebook.yaml").write_text(dump_codebook(book))
    merged = load_model(path)
    label = {str(t["theme_id"]): str(t["label"]) for t in flat.themes_}
    assert merged.themes_[1]["label"] == f"{label['T02']} / renamed before merging"
    assert [(s["theme_id"], s["parent_id"], s["label"]) for s in merged.subtheme_rows()] == [
        ("T02.1", "T02", label["T02"]),
        ("T02.2", "T02", "renamed before merging"),
    ]
    np.testing.assert_array_equal(merged.subcentroids(), flat.centroids_[[1, 3]])
    themes_before, _ = _labels(flat, texts)
    _, subs_after = _labels(merged, texts)
    expected = {label["T02"]: label["T02"], label["T04"]: "renamed before merging"}
    assert subs_after == [expected.get(t, "-") if t != "none" else "-" for t in themes_before]

    # a label the researcher gives the first theme names the merged one
    book = _renamed(book, {"T02": "delivery problems"})
    (path / "codebook.yaml").write_text(dump_codebook(book))
    again = load_model(path)
    assert again.themes_[1]["label"] == "delivery problems"
    assert again.subtheme_rows()[0]["label"] == label["T02"]


def test_a_moved_subtheme_takes_its_comments_to_its_new_theme(tree, texts, tmp_path):
    path = _edited(tree, tmp_path / "m", move=(MoveRule("T03.1", "T04"),))
    moved = load_model(path)
    rows = {str(s["theme_id"]): s for s in moved.subtheme_rows()}
    was = {str(s["theme_id"]): s for s in tree.subtheme_rows()}
    assert "T03.1" not in rows and rows["T04.4"]["label"] == was["T03.1"]["label"]
    assert rows["T04.4"]["parent_id"] == "T04"
    sizes = {str(t["theme_id"]): t["size"] for t in moved.themes_}
    assert sizes["T03"] == was["T03.2"]["size"] + was["T03.3"]["size"]
    assert sizes["T04"] == sum(was[f"T04.{n}"]["size"] for n in (1, 2, 3)) + was["T03.1"]["size"]
    themes_before, subs_before = _labels(tree, texts)
    themes_after, subs_after = _labels(moved, texts)
    t04 = next(str(t["label"]) for t in moved.themes_ if t["theme_id"] == "T04")
    mover = [i for i, s in enumerate(subs_before) if s == was["T03.1"]["label"]]
    assert len(mover) >= 5
    assert [themes_after[i] for i in mover] == [t04] * len(mover)
    assert [subs_after[i] for i in mover] == [was["T03.1"]["label"]] * len(mover)
    others = [i for i in range(len(texts)) if i not in mover]
    assert [subs_after[i] for i in others] == [subs_before[i] for i in others]


def test_merged_subthemes_join_their_labels_and_a_lone_one_is_dropped(tree, tmp_path, caplog):
    merges = (("T02.1", "T02.3"), ("T01.1", "T01.2", "T01.3"))
    path = _edited(tree, tmp_path / "m", merge=merges)
    with caplog.at_level(logging.INFO, logger="feedback_nlp"):
        edited = load_model(path)
    was = {str(s["theme_id"]): s for s in tree.subtheme_rows()}
    rows = {str(s["theme_id"]): s for s in edited.subtheme_rows()}
    assert rows["T02.1"]["label"] == f"{was['T02.1']['label']} / {was['T02.3']['label']}"
    assert rows["T02.1"]["size"] == was["T02.1"]["size"] + was["T02.3"]["size"]
    assert not [s for s in rows if s.startswith("T01.")] and "T02.3" not in rows
    assert "Codebook: theme T01 keeps a single sub-theme (T01.1), so it has none now." in (
        caplog.text
    )


def test_an_unknown_id_is_named_and_nothing_is_applied(tree, tmp_path, caplog):
    path = _edited(tree, tmp_path / "m", merge=(("T01", "T09"),))
    with caplog.at_level(logging.WARNING):
        kept = load_model(path)
    assert kept.themes_ == tree.themes_
    assert "merge[0]: unknown theme id 'T09'; valid ids: T01, T02, T03, T04." in caplog.text


def test_splits_wait_for_a_refit_and_nothing_else_is_applied(tree, tmp_path, caplog):
    seeds = (SeedTheme("T08", "bills", ("monthly bill",)), SeedTheme("T09", "prices", ("price",)))
    path = _edited(tree, tmp_path / "m", merge=(("T01", "T02"),), split=(SplitRule("T03", seeds),))
    with caplog.at_level(logging.WARNING):
        kept = load_model(path)
    assert kept.themes_ == tree.themes_
    assert "its splits apply only after `feedback-nlp fit DATA --codebook" in caplog.text


def test_a_model_edited_at_load_is_not_saved_as_if_fitted(tree, tmp_path):
    merged = load_model(_edited(tree, tmp_path / "m", merge=(("T01", "T02"),)))
    with pytest.raises(ValueError, match="merges or moves applied without a re-fit"):
        save_model(merged, tmp_path / "again")


def test_the_analysis_reports_the_merged_tree(tree, texts, tmp_path):
    from feedback_nlp import analyze

    path = _edited(tree, tmp_path / "m", merge=(("T01", "T02"),))
    survey = pd.DataFrame({"score": [i % 11 for i in range(len(texts))], "why": texts})
    result = analyze(survey, score="score", text="why", segments=[], model_path=path)
    themes = result.themes
    top = themes[themes["level"] == 1]
    assert top["theme_id"].tolist() == ["T01", "T03", "T04"]
    label = {str(t["theme_id"]): str(t["label"]) for t in tree.themes_}
    assert top["label"].iloc[0] == f"{label['T01']} / {label['T02']}"
    under = themes[themes["parent_id"] == "T01"]
    assert under["theme_id"].tolist() == [f"T01.{n}" for n in range(1, 7)]
    assert "T02" not in set(result.comments["primary_theme"])
