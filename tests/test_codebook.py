"""Codebook edits, stable ids across re-fits, new-theme candidates, and `feedback-nlp fit`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

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
    assert f"Saved 5 themes to {root / 'weekly'}" in " ".join(result.stdout.split())
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
    cb_text = cb_path.read_text().replace(
        f'T01: {{label: "{first.themes_[0]["label"]}"', 'T01: {label: "renamed by researcher"'
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
