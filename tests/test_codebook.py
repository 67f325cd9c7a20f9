"""Codebook edits, stable ids across re-fits, new-theme candidates, and `feedback-nlp fit`."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from _model_folders import tree_model
from feedback_nlp.cli import app
from feedback_nlp.errors import ModelError
from feedback_nlp.themes import (
    ThemeModel,
    apply_codebook,
    codebook_from_model,
    dump_codebook,
    load_codebook,
    load_model,
    match_previous_ids,
    new_theme_candidates,
    save_model,
)
from feedback_nlp.themes.codebook import parse_codebook
from test_persist import TOPICS, make_texts

runner = CliRunner()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return make_texts(24)


@pytest.fixture(scope="module")
def model(texts: list[str]) -> ThemeModel:
    return ThemeModel(n_themes=4, representation="tfidf", n_clusters=10).fit(texts)


def _topic_ids(model: ThemeModel, texts: list[str], n_per: int) -> list[str]:
    primary = model.assign(texts)[0]
    ids = [t["theme_id"] for t in model.themes_]
    out = []
    for g in range(len(TOPICS)):
        block = [ids[p] for p in primary[g * n_per : (g + 1) * n_per] if p >= 0]
        out.append(Counter(block).most_common(1)[0][0])
    return out


def test_dump_and_parse_round_trip(model, tmp_path):
    cb = codebook_from_model(model)
    path = tmp_path / "codebook.yaml"
    path.write_text(dump_codebook(cb))
    back = load_codebook(path)
    assert [(t.id, t.label) for t in back.themes] == [
        (t["theme_id"], t["label"]) for t in model.themes_
    ]
    assert back.merge == () and back.seed_themes == () and back.exclude_terms == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes: [1, 2", "is not valid YAML"),
        ("merge: [[T01]]", "merge[0]: expected a list of at least two theme ids"),
        ("colour: red", "top level: unknown key 'colour'; valid keys: version, themes"),
        ("seed_themes: [{id: T20, label: x}]", "seed_themes[0].phrases: expected at least 1"),
        ("themes: {T01: {name: x}}", "themes.T01: unknown key 'name'; valid keys: label"),
        ("version: 2", "version: this feedback-nlp reads codebook version 1, got 2."),
    ],
)
def test_invalid_codebook_names_file_and_key(tmp_path, text, message):
    path = tmp_path / "codebook.yaml"
    path.write_text(text)
    with pytest.raises(ModelError) as err:
        load_codebook(path)
    assert str(err.value).startswith(f"Codebook {path}")
    assert message in str(err.value)


def test_unknown_id_lists_valid_ids(model, texts):
    cb = parse_codebook("merge: [[T01, T09]]", "cb.yaml")
    with pytest.raises(ModelError) as err:
        apply_codebook(model, cb, texts)
    assert str(err.value) == (
        "Codebook cb.yaml: merge[0]: unknown theme id 'T09'; valid ids: T01, T02, T03, T04."
    )


def test_rename_merge_seed_exclude(model, texts):
    cb = parse_codebook(
        """
themes: {T01: {label: "first theme renamed"}}
merge: [[T02, T03]]
seed_themes: [{id: T20, label: "direct debit", phrases: ["direct debit", "my direct debit"]}]
exclude_terms: [again]
"""
    )
    new = apply_codebook(model, cb, texts)
    ids = [t["theme_id"] for t in new.themes_]
    assert ids == ["T01", "T02", "T04", "T20"]
    assert new.themes_[0]["label"] == "first theme renamed"
    assert new.themes_[3]["label"] == "direct debit"
    sizes = {t["theme_id"]: t["size"] for t in model.themes_}
    assert new.centroids_.shape[0] == 4
    assert np.allclose(np.linalg.norm(new.centroids_, axis=1), 1.0, atol=1e-5)
    merged = new.themes_[1]["size"]
    assert merged >= max(sizes["T02"], sizes["T03"])
    primary = new.assign(["the direct debit was awful", "my direct debit again"])[0]
    assert [ids[p] for p in primary] == ["T20", "T20"]
    assert "again" in new.brand_terms
    for t in new.themes_:
        assert "again" not in t["label"] and "again" not in t["keywords"]
    assert [t["theme_id"] for t in model.themes_] == ["T01", "T02", "T03", "T04"]  # untouched


def test_split_by_seed_phrases(model, texts):
    bill = _topic_ids(model, texts, 24)[2]
    cb = parse_codebook(
        f"""
split:
  - theme: {bill}
    into:
      - {{id: T21, label: price, phrases: ["price increase", "monthly bill price"]}}
      - {{id: T22, label: debit, phrases: ["direct debit", "billing charge"]}}
"""
    )
    new = apply_codebook(model, cb, texts)
    ids = [t["theme_id"] for t in new.themes_]
    assert bill not in ids and {"T21", "T22"} <= set(ids)
    primary = new.assign(["price increase again", "direct debit failed"])[0]
    assert [ids[p] for p in primary] == ["T21", "T22"]


def test_refit_with_previous_keeps_ids(model, texts):
    other = make_texts(24, seed=7)
    refit = ThemeModel(n_themes=4, representation="tfidf", n_clusters=10, random_state=5).fit(other)
    matched, notes, missing = match_previous_ids(refit, model, other)
    assert missing == [] and notes == []
    assert _topic_ids(matched, texts, 24) == _topic_ids(model, texts, 24)
    # the fast path (hashed classifier) follows the renumbering
    fast_a = matched.set_params(max_embed=3).assign(other)[0]
    fast_b = refit.set_params(max_embed=3).assign(other)[0]
    ids_a = [t["theme_id"] for t in matched.themes_]
    ids_b = [t["theme_id"] for t in refit.themes_]
    old_new = zip(_topic_ids(refit, texts, 24), _topic_ids(matched, texts, 24), strict=True)
    mapping = dict(old_new)
    assert [ids_a[p] for p in fast_a] == [mapping[ids_b[p]] for p in fast_b]
    matched.set_params(max_embed=20000)


def test_new_theme_candidates(model, texts):
    parking = [
        f"{a} {b}"
        for a in (
            "no parking near",
            "car park full at",
            "could not park at",
            "parking fees at",
            "parking spaces by",
        )
        for b in ("the shop", "the store", "your office", "the depot", "the centre")
    ]
    batch = texts[:20] + parking
    primary, _, scores = model.assign(batch)
    found = new_theme_candidates(model, batch, primary, scores, min_size=5)
    assert found and found[0]["theme_id"] == "N01"
    assert "park" in found[0]["label"] or any("park" in k for k in found[0]["keywords"])
    about_parking = [c for c in found if all(e in parking for e in c["examples"])]
    assert sum(c["size"] for c in about_parking) >= 20
    assert all(len(c["examples"]) == 3 for c in found)
    primary, _, scores = model.assign(texts[:20])
    assert new_theme_candidates(model, texts[:20], primary, scores, min_size=5) == []


# -- CLI ------------------------------------------------------------------------

FIT = [
    "--score-col",
    "score",
    "--text-col",
    "comment",
    "--representation",
    "tfidf",
    "--themes",
    "5",
    "--quiet",
]


def test_cli_fit_refit_and_errors(demo_csv: Path, tmp_path: Path):
    root = tmp_path / "models"
    args = ["fit", str(demo_csv), *FIT, "--models-root", str(root)]
    result = runner.invoke(app, [*args, "--save", "weekly"])
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert re.search(
        rf"Saved 5 themes(?: and \d+ sub-themes)? to {re.escape(str(root / 'weekly'))}", out
    )
    assert (root / "weekly" / "codebook.yaml").exists()
    first = load_model(root / "weekly")

    again = runner.invoke(app, [*args, "--save", "weekly"])
    assert again.exit_code == 1
    assert " ".join(again.stderr.split()) == (
        f"Error: Model folder {root / 'weekly'} already exists; pass --force to replace it."
    )
    evil = runner.invoke(app, [*args, "--save", "../evil"])
    assert evil.exit_code == 1
    assert "Model name '../evil' contains '..'" in " ".join(evil.stderr.split())

    cb_path = root / "weekly" / "codebook.yaml"
    # T01 is listed first: its label is the first one in the file (one line, or a block
    # above its sub-themes)
    cb_text = cb_path.read_text().replace(
        f'label: "{first.themes_[0]["label"]}"', 'label: "renamed by researcher"', 1
    )
    cb_path.write_text(cb_text.replace("merge: []", "merge:\n  - [T04, T05]"))
    refit = runner.invoke(
        app,
        [
            *args,
            "--codebook",
            str(cb_path),
            "--previous",
            str(root / "weekly"),
            "--save",
            "weekly",
            "--force",
        ],
    )
    assert refit.exit_code == 0, refit.stderr
    second = load_model(root / "weekly")
    assert [t["theme_id"] for t in second.themes_] == ["T01", "T02", "T03", "T04"]
    assert second.themes_[0]["label"] == "renamed by researcher"
    saved_cb = load_codebook(cb_path)
    assert saved_cb.merge == (("T04", "T05"),)
    assert second.match_ids_ == ["T01", "T02", "T03", "T04", "T05"]


# -- the sub-theme tree ---------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> ThemeModel:
    """Four themes of three sub-themes each (T01.1-T04.3), see _model_folders.tree_model."""
    return tree_model()


def _rows(model: ThemeModel) -> dict[str, dict]:
    return {s["theme_id"]: s for s in model.subtheme_rows()}


def _centroid(model: ThemeModel, sid: str) -> np.ndarray:
    ids = [s["theme_id"] for s in model.subtheme_rows()]
    return model.subcentroids()[ids.index(sid)]


def test_the_codebook_lists_subthemes_under_their_theme_and_reads_back(tree, tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(dump_codebook(codebook_from_model(tree)))
    text = path.read_text()
    assert "    subthemes:\n      T01.1: {label: " in text
    back = load_codebook(path)
    assert [(t.id, t.label, t.size) for t in back.themes] == [
        (t["theme_id"], t["label"], t["size"]) for t in tree.themes_
    ]
    listed = [(s.id, s.label, list(s.keywords), s.size) for t in back.themes for s in t.subthemes]
    assert listed == [
        (s["theme_id"], s["label"], s["keywords"], s["size"]) for s in tree.subtheme_rows()
    ]
    assert all(s.id.startswith(t.id + ".") for t in back.themes for s in t.subthemes)
    assert back.move == ()


def test_rename_merge_and_move_subthemes(tree, texts, tmp_path):
    before = _rows(tree)
    cb = parse_codebook(
        """
themes:
  T03: {label: "phone support", subthemes: {T03.2: {label: "agents on the phone"}}}
merge: [[T02.1, T02.3]]
move: [{subtheme: T01.3, to: T04}]
""",
        "cb.yaml",
    )
    new = apply_codebook(tree, cb, make_texts())
    rows = _rows(new)
    # renamed
    assert rows["T03.2"]["label"] == "agents on the phone"
    # merged into the first id: its centroid is the size-weighted mean of the two
    assert "T02.3" not in rows and rows["T02.1"]["parent_id"] == "T02"
    sizes = [before[i]["size"] for i in ("T02.1", "T02.3")]
    mean = sizes[0] * _centroid(tree, "T02.1") + sizes[1] * _centroid(tree, "T02.3")
    np.testing.assert_allclose(_centroid(new, "T02.1"), mean / np.linalg.norm(mean), atol=1e-5)
    # moved: the next free number under its new theme, same centroid and label
    assert "T01.3" not in rows
    assert (
        rows["T04.4"]["parent_id"] == "T04" and rows["T04.4"]["label"] == before["T01.3"]["label"]
    )
    np.testing.assert_allclose(_centroid(new, "T04.4"), _centroid(tree, "T01.3"), atol=1e-6)
    # the other ids stay, grouped by theme in order; parents follow
    assert list(rows) == [
        "T01.1", "T01.2", "T02.1", "T02.2", "T03.1", "T03.2", "T03.3",
        "T04.1", "T04.2", "T04.3", "T04.4",
    ]  # fmt: skip
    assert [new.themes_[p]["theme_id"] for p in new.subtheme_parents()] == [
        s["parent_id"] for s in new.subtheme_rows()
    ]
    for sid in ("T01.1", "T03.1", "T04.2"):
        np.testing.assert_allclose(_centroid(new, sid), _centroid(tree, sid), atol=1e-6)
    assert new.fast_sub_ is not None and max(new.fast_sub_.classes_) < len(rows)
    # the input model is left alone
    assert _rows(tree) == before
    # the edited tree (ids no longer 1..n) is saved and loaded as it is
    loaded = load_model(save_model(new, tmp_path / "models" / "edited"))
    assert loaded.subtheme_rows() == new.subtheme_rows()
    probe = make_texts(3, seed=9)
    assert loaded.assign_tree(probe)[3].tolist() == new.assign_tree(probe)[3].tolist()
    # the codebook saved with it lists the sub-themes where they are now, with the rules
    again = codebook_from_model(new, cb)
    assert [s.id for s in again.themes[3].subthemes] == ["T04.1", "T04.2", "T04.3", "T04.4"]
    assert again.move == cb.move and again.merge == cb.merge
    assert parse_codebook(dump_codebook(again)) == dataclasses.replace(again, source="codebook")


def test_a_move_and_a_merge_bring_subthemes_of_two_themes_together(tree):
    cb = parse_codebook("move: [{subtheme: T01.3, to: T02}]\nmerge: [[T02.1, T01.3]]", "cb.yaml")
    rows = _rows(apply_codebook(tree, cb, make_texts()))
    assert [s for s in rows if s.startswith(("T01", "T02"))] == [
        "T01.1",
        "T01.2",
        "T02.1",
        "T02.2",
        "T02.3",
    ]


def test_a_theme_left_with_one_subtheme_has_none_and_a_move_into_it_keeps_its_own_comments(tree):
    notes: list[str] = []
    merged = apply_codebook(
        tree, parse_codebook("merge: [[T04.1, T04.2, T04.3]]", "cb.yaml"), make_texts(), notes=notes
    )
    assert notes == ["Codebook: theme T04 keeps a single sub-theme (T04.1), so it has none now."]
    assert [s for s in _rows(merged) if s.startswith("T04")] == []
    moved = apply_codebook(
        merged, parse_codebook("move: [{subtheme: T01.3, to: T04}]", "cb.yaml"), make_texts()
    )
    rows = _rows(moved)
    # T04.1-3 are still its match reference, so the numbers go on from 4
    assert [s for s in rows if s.startswith("T04")] == ["T04.4", "T04.5"]
    np.testing.assert_allclose(_centroid(moved, "T04.4"), merged.centroids_[3], atol=1e-6)
    assert rows["T04.5"]["label"] == _rows(tree)["T01.3"]["label"]
    labels = [t["label"] for t in moved.themes_] + [s["label"] for s in moved.subtheme_rows()]
    assert len(set(labels)) == len(labels)  # its own sub-theme is labelled apart


def test_theme_edits_split_the_themes_afresh_and_keep_the_subtheme_ids(tree):
    """A codebook's theme-level edit (here only an excluded term) refreshes every theme
    and splits it again: the sub-themes keep the ids of those they match."""
    new = apply_codebook(tree, parse_codebook("exclude_terms: [fix]", "cb.yaml"), make_texts())
    assert list(_rows(new)) == list(_rows(tree))
    sims = [float(_centroid(new, s) @ _centroid(tree, s)) for s in _rows(tree)]
    assert min(sims) > 0.9
    assert new.match_reference(subthemes=True)[0] == list(_rows(tree))
    merged = apply_codebook(tree, parse_codebook("merge: [[T01, T02]]", "cb.yaml"), make_texts())
    ids = list(_rows(merged))
    assert not any(s.startswith("T02.") for s in ids)
    assert len([s for s in ids if s.startswith("T01.")]) >= 2
    # numbers under T01 are never those of another sub-theme: matched ones keep theirs
    for sid in ids:
        if sid in _rows(tree):
            assert float(_centroid(merged, sid) @ _centroid(tree, sid)) >= 0.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "merge: [[T01.1, T02.1]]",
            "merge[0]: sub-themes 'T01.1' and 'T02.1' are under different themes: merge "
            "sub-themes of one theme (move one first, with move:).",
        ),
        (
            "merge: [[T01.1, T02]]",
            "merge[0]: 'T01.1' is a sub-theme and 'T02' a theme: merge themes with themes, "
            "sub-themes with sub-themes of one theme.",
        ),
        ("move: [{subtheme: T01.1, to: T01}]", "move[0]: sub-theme 'T01.1' is already under T01."),
        (
            "move: [{subtheme: T01, to: T02}]",
            "move[0].subtheme: 'T01' is not a sub-theme id (like T03.2: its theme's id, a dot, "
            "a number).",
        ),
        (
            "move: [{subtheme: T01.1, to: T02}, {subtheme: T01.1, to: T03}]",
            "move[1]: sub-theme 'T01.1' is already moved in move[0].",
        ),
        (
            "move: [{subtheme: T01.1, to: T02, label: x}]",
            "move[0]: unknown key 'label'; valid keys: subtheme, to.",
        ),
        (
            "themes: {T01: {label: x, subthemes: {T02.1: {label: y}}}}",
            "themes.T01.subthemes.T02.1: sub-theme 'T02.1' is not under T01 (ids are <theme "
            "id>.<number>); to move a sub-theme to another theme use  move: [{subtheme: T02.1, "
            "to: T01}].",
        ),
        (
            "themes: {T01: {label: x, subthemes: {T01.x: y}}}",
            "themes.T01.subthemes.T01.x: 'T01.x' is not a sub-theme id (like T03.2: its "
            "theme's id, a dot, a number).",
        ),
        (
            "themes: {T01: {label: x, subthemes: {T01.1: {label: ''}}}}",
            "themes.T01.subthemes.T01.1.label: expected a non-empty string.",
        ),
        (
            "themes: {T01: {label: x, subthemes: [T01.1]}}",
            "themes.T01.subthemes: expected a mapping of sub-theme id (T01.1...) to {label: ...}.",
        ),
    ],
)
def test_invalid_subtheme_edits_name_the_file_and_the_subtheme(tmp_path, text, message):
    path = tmp_path / "codebook.yaml"
    path.write_text(text)
    with pytest.raises(ModelError) as err:
        load_codebook(path)
    assert str(err.value) == f"Codebook {path}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "merge: [[T01.1, T01.9]]",
            "merge[0]: unknown sub-theme id 'T01.9'; valid ids under T01: T01.1, T01.2, T01.3.",
        ),
        (
            "merge: [[T09.1, T09.2]]",
            "merge[0]: unknown sub-theme id 'T09.1'; no theme T09; valid theme ids: T01, T02, "
            "T03, T04.",
        ),
        (
            "move: [{subtheme: T01.1, to: T09}]",
            "move[0].to: unknown theme id 'T09'; valid ids: T01, T02, T03, T04.",
        ),
        (
            "move: [{subtheme: T01.7, to: T02}]",
            "move[0].subtheme: unknown sub-theme id 'T01.7'; valid ids under T01: T01.1, T01.2, "
            "T01.3.",
        ),
        (
            "themes: {T02: {label: x, subthemes: {T02.8: {label: y}}}}",
            "themes.T02.subthemes.T02.8: unknown sub-theme id 'T02.8'; valid ids under T02: "
            "T02.1, T02.2, T02.3.",
        ),
    ],
)
def test_subtheme_edits_of_unknown_ids_name_the_codebook_and_the_id(tree, text, message):
    with pytest.raises(ModelError) as err:
        apply_codebook(tree, parse_codebook(text, "cb.yaml"), make_texts())
    assert str(err.value) == f"Codebook cb.yaml: {message}"


def test_subtheme_edits_of_ids_gone_from_this_fit_are_skipped_with_a_note(tree):
    """Ids the matcher reports missing (previous sub-themes that did not come back)."""
    notes: list[str] = []
    cb = parse_codebook(
        "merge: [[T01.1, T01.5]]\nthemes: {T01: {label: x, subthemes: {T01.6: {label: y}}}}",
        "cb.yaml",
    )
    new = apply_codebook(tree, cb, make_texts(), skip_ids=["T01.5", "T01.6"], notes=notes)
    assert notes == [
        "Codebook merge[0]: sub-theme T01.5 is not in this fit; skipped.",
        "Codebook themes.T01.subthemes.T01.6: sub-theme T01.6 is not in this fit; skipped.",
    ]
    assert list(_rows(new)) == list(_rows(tree)) and new.themes_[0]["label"] == "x"


def test_cli_refit_with_subtheme_edits_and_their_replay(demo_csv: Path, tmp_path: Path):
    """fit, edit the sub-themes in codebook.yaml, re-fit with --codebook --previous, then
    re-fit again with the codebook that was saved: the same tree both times."""
    root = tmp_path / "models"
    args = ["fit", str(demo_csv), *FIT, "--subthemes", "3", "--models-root", str(root)]
    assert runner.invoke(app, [*args, "--save", "weekly"]).exit_code == 0
    first = load_model(root / "weekly")
    rows = {s["theme_id"]: s for s in first.subtheme_rows()}
    assert {"T01.3", "T02.1", "T02.2", "T03.1"} <= set(rows)
    cb_path = root / "weekly" / "codebook.yaml"
    text = cb_path.read_text()
    text = text.replace(
        f'T03.1: {{label: "{rows["T03.1"]["label"]}"', 'T03.1: {label: "renamed sub-theme"'
    )
    text = text.replace("merge: []", "merge:\n  - [T02.1, T02.2]")
    text = text.replace("move: []", "move:\n  - {subtheme: T01.3, to: T03}")
    cb_path.write_text(text)
    refit = [*args, "--codebook", str(cb_path), "--previous", str(root / "weekly")]
    result = runner.invoke(app, [*refit, "--save", "weekly", "--force"])
    assert result.exit_code == 0, result.stderr
    second = load_model(root / "weekly")
    after = {s["theme_id"]: s for s in second.subtheme_rows()}
    assert after["T03.1"]["label"] == "renamed sub-theme"
    assert "T02.2" not in after and "T02.1" in after and "T01.3" not in after
    moved = [s for s in after.values() if s["label"] == rows["T01.3"]["label"]]
    assert [s["parent_id"] for s in moved] == ["T03"]
    saved_cb = load_codebook(cb_path)
    assert saved_cb.move[0].subtheme == "T01.3" and saved_cb.merge == (("T02.1", "T02.2"),)
    assert [s.id for t in saved_cb.themes for s in t.subthemes] == list(after)
    # the next batch (here the same file) replays the saved codebook: the same tree
    result = runner.invoke(app, [*refit, "--save", "next"])
    assert result.exit_code == 0, result.stderr
    third = load_model(root / "next")
    assert [(s["theme_id"], s["label"]) for s in third.subtheme_rows()] == [
        (s["theme_id"], s["label"]) for s in second.subtheme_rows()
    ]


def test_cli_fit_with_a_bad_subtheme_edit_exits_1_with_one_line(demo_csv: Path, tmp_path: Path):
    root = tmp_path / "models"
    cb_path = tmp_path / "codebook.yaml"
    cb_path.write_text("merge:\n  - [T01.1, T02]\n")
    result = runner.invoke(
        app,
        ["fit", str(demo_csv), *FIT, "--codebook", str(cb_path), "--models-root", str(root)]
        + ["--save", "weekly"],
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: Codebook {cb_path}: merge[0]: 'T01.1' is a sub-theme and 'T02' a theme: merge "
        "themes with themes, sub-themes with sub-themes of one theme."
    ]
    assert not (root / "weekly").exists()


def test_renames_and_exclusions_in_a_saved_codebook_apply_without_a_refit(
    model, texts, tmp_path, caplog
):
    """Editing a saved model's codebook.yaml: renames and excluded terms take effect
    when the model is loaded; a merge waits for a re-fit, with a warning saying so."""
    import dataclasses as dc

    folder = save_model(model, tmp_path / "m")
    book = load_codebook(folder / "codebook.yaml")
    first = book.themes[0]
    word = model.themes_[1]["keywords"][0]
    edited = dc.replace(
        book,
        themes=(dc.replace(first, label="renamed by hand"), *book.themes[1:]),
        exclude_terms=(*book.exclude_terms, word),
    )
    (folder / "codebook.yaml").write_text(dump_codebook(edited))
    loaded = load_model(folder)
    assert loaded.themes_[0]["label"] == "renamed by hand"
    assert all(word not in t["keywords"] and word not in t["label"] for t in loaded.themes_)
    assert word in loaded.brand_terms
    # The themes themselves are the saved ones: same assignment of the training texts.
    np.testing.assert_array_equal(loaded.centroids_, model.centroids_)
    for now, before in zip(loaded.themes_[1:], model.themes_[1:], strict=True):
        if word not in before["label"]:
            assert now["label"] == before["label"]

    merged = dc.replace(edited, merge=(("T01", "T02"),))
    (folder / "codebook.yaml").write_text(dump_codebook(merged))
    with caplog.at_level("WARNING"):
        kept = load_model(folder)
    assert kept.themes_ == model.themes_
    assert "apply only after `feedback-nlp fit" in caplog.text

    (folder / "codebook.yaml").write_text("themes: [unclosed\n")
    caplog.clear()
    with caplog.at_level("WARNING"):
        unread = load_model(folder)
    assert unread.themes_ == model.themes_
    assert "cannot be read, so it is not applied" in caplog.text
