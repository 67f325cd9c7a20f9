"""Saved theme models: plain data only, verified on load, identical assignments."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from _model_folders import (
    MODEL_V1,
    MODEL_V2,
    TOPICS,
    edit_doc,
    make_texts,
    reseal,
    sha256,
    tree_model,
)
from feedback_nlp.errors import ModelError
from feedback_nlp.themes import ThemeModel, load_model, minilm_available, save_model
from feedback_nlp.themes.persist import FORMAT_VERSION, resolve_model_dir


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return make_texts()


@pytest.fixture(scope="module")
def model(texts: list[str]) -> ThemeModel:
    return ThemeModel(n_themes=4, representation="tfidf", n_clusters=10).fit(texts)


@pytest.fixture()
def saved(model: ThemeModel, tmp_path: Path) -> Path:
    return save_model(model, tmp_path / "models" / "weekly")


def _rehash(folder: Path, name: str) -> None:
    reseal(folder)


def test_round_trip_gives_identical_assignments(model, saved, texts):
    loaded = load_model(saved)
    new = texts[::3] + ["the wifi signal drops", "rude support agent", ""]
    p1, m1, s1 = model.assign(new)
    p2, m2, s2 = loaded.assign(new)
    assert np.array_equal(p1, p2) and m1 == m2
    np.testing.assert_allclose(s1, s2, atol=1e-6)
    assert [t["theme_id"] for t in loaded.themes_] == [t["theme_id"] for t in model.themes_]
    assert loaded.themes_ == model.themes_
    assert loaded.get_params() == model.get_params()


def test_round_trip_fast_path(model, saved, texts):
    loaded = load_model(saved)
    a, b = model.set_params(max_embed=5), loaded.set_params(max_embed=5)
    try:
        np.testing.assert_allclose(a.transform(texts), b.transform(texts), atol=1e-7)
    finally:
        model.set_params(max_embed=20000)


def test_layout_is_plain_data(saved):
    names = sorted(p.name for p in saved.iterdir())
    assert names == sorted(
        [
            "model.json",
            "checksums.sha256",
            "codebook.yaml",
            "centroids.npy",
            "mean.npy",
            "match_centroids.npy",
            "tfidf_idf.npy",
            "tfidf_components.npy",
            "fast_coef_cols.npy",
            "fast_coef_values.npy",
            "fast_intercept.npy",
            "fast_classes.npy",
            "subcentroids.npy",
            "subparent.npy",
            "submatch_centroids.npy",
        ]
    )
    doc = json.loads((saved / "model.json").read_text())
    assert doc["subthemes"] == [] and doc["submatch_ids"] == [] and doc["fast_sub"] is None
    assert np.load(saved / "subcentroids.npy").shape == (0, model_dim(saved))
    assert doc["format"] == "feedback-nlp-theme-model"
    assert doc["format_version"] == FORMAT_VERSION
    assert set(doc["files"]) == {n for n in names if n.endswith(".npy")}
    assert doc["representation"]["name"] == "tfidf"
    assert doc["params"]["representation"] == "tfidf"
    for name in doc["files"]:
        assert np.load(saved / name, allow_pickle=False).dtype.kind in "biuf"
    # checksums.sha256 is sha256sum's format and covers model.json and every array
    lines = (saved / "checksums.sha256").read_text(encoding="ascii").splitlines()
    assert lines == [f"{sha256(saved / n)}  {n}" for n in sorted(["model.json", *doc["files"]])]


def model_dim(folder: Path) -> int:
    return int(np.load(folder / "centroids.npy").shape[1])


def test_load_never_unpickles(saved, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "Unpickler", boom)
    load_model(saved)


class _Bomb:
    def __reduce__(self):
        return (Path.touch, (Path(self.target),))  # type: ignore[attr-defined]


def test_pickle_in_place_of_an_array_is_refused(saved, tmp_path):
    bomb = _Bomb()
    bomb.target = str(tmp_path / "pwned")  # type: ignore[attr-defined]
    (saved / "centroids.npy").write_bytes(pickle.dumps(bomb))
    _rehash(saved, "centroids.npy")  # even with a matching checksum
    with pytest.raises(ModelError, match=r"centroids\.npy is not a plain numeric \.npy array"):
        load_model(saved)
    assert not (tmp_path / "pwned").exists()


def test_object_array_is_refused(saved):
    np.save(saved / "mean.npy", np.array([object()], dtype=object), allow_pickle=True)
    _rehash(saved, "mean.npy")
    with pytest.raises(ModelError, match=r"mean\.npy holds \|O values, expected <f4"):
        load_model(saved)


def test_flipped_byte_names_the_file(saved):
    path = saved / "tfidf_components.npy"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(
        ModelError, match=r"tfidf_components\.npy has sha256 .* modified or truncated"
    ):
        load_model(saved)


def test_truncated_files(saved):
    path = saved / "centroids.npy"
    data = path.read_bytes()
    path.write_bytes(data[:40])
    with pytest.raises(ModelError, match=r"centroids\.npy is not a plain numeric \.npy array"):
        load_model(saved)
    path.write_bytes(data[:-8])  # header intact, data short
    with pytest.raises(ModelError, match=r"centroids\.npy is \d+ bytes but its header"):
        load_model(saved)
    path.write_bytes(data)
    meta = saved / "model.json"
    meta.write_text(meta.read_text()[:100])
    with pytest.raises(ModelError, match=r"model\.json has sha256 .* modified or truncated"):
        load_model(saved)
    reseal(saved)
    with pytest.raises(ModelError, match=r"model\.json is not valid JSON"):
        load_model(saved)


def test_missing_file(saved):
    (saved / "mean.npy").unlink()
    with pytest.raises(ModelError, match=r"mean\.npy is missing"):
        load_model(saved)


def test_format_version_mismatch_message(saved):
    meta = saved / "model.json"
    doc = json.loads(meta.read_text())
    doc["format_version"] = 5
    meta.write_text(json.dumps(doc))
    reseal(saved)
    with pytest.raises(ModelError) as err:
        load_model(saved)
    assert str(err.value) == (
        f"Model at {saved} has format version 5; this feedback-nlp reads versions 1, 2, 3, 4. "
        "Re-fit it with `feedback-nlp fit`."
    )


def test_inconsistent_shapes(saved):
    np.save(saved / "mean.npy", np.zeros(3, dtype=np.float32), allow_pickle=False)
    _rehash(saved, "mean.npy")
    with pytest.raises(ModelError, match="inconsistent shapes"):
        load_model(saved)


def test_path_escapes_refused(model, tmp_path):
    root = tmp_path / "models"
    with pytest.raises(ModelError, match=r"Model name '\.\./evil' contains '\.\.'"):
        save_model(model, Path("../evil"), models_root=root)
    with pytest.raises(ModelError, match=r"contains '\.\.'"):
        load_model(Path("models/../../evil"), models_root=root)
    with pytest.raises(ModelError, match="outside the models folder"):
        resolve_model_dir("elsewhere/x", root, for_save=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ModelError, match="a symlink escapes it"):
        save_model(model, "link", models_root=root)
    assert not any(outside.iterdir())


def test_bare_name_resolves_in_root_and_loads(model, tmp_path):
    root = tmp_path / "models"
    path = save_model(model, "weekly", models_root=root)
    assert path == root / "weekly"
    assert load_model("weekly", models_root=root).n_themes_ == model.n_themes_


def test_overwrite_needs_flag_and_is_atomic(model, saved):
    with pytest.raises(ModelError, match="already exists; pass --force"):
        save_model(model, saved)
    save_model(model, saved, overwrite=True)
    assert sorted(p.name for p in saved.parent.iterdir()) == ["weekly"]  # no temp folders left
    load_model(saved)


def test_refuses_to_replace_a_non_model_folder(model, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(ModelError, match="is not a saved model"):
        save_model(model, folder, overwrite=True)
    assert (folder / "notes.txt").exists()


@pytest.mark.skipif(not minilm_available(), reason="MiniLM model not installed")
def test_minilm_round_trip_and_version_check(tmp_path):
    texts = make_texts(8)
    m = ThemeModel(n_themes=4, representation="minilm", n_clusters=8).fit(texts)
    path = save_model(m, tmp_path / "mini")
    loaded = load_model(path)
    assert np.array_equal(m.assign(texts)[0], loaded.assign(texts)[0])
    meta = path / "model.json"
    doc = json.loads(meta.read_text())
    doc["representation"]["version"]["sha256"] = "0" * 64
    meta.write_text(json.dumps(doc))
    reseal(path)
    with pytest.raises(ModelError, match=r"fitted with embedding model .* sha256 000000000000…"):
        load_model(path)


def test_a_model_saved_before_the_state_refactor_still_loads():
    """tests/data/theme_model_v1 was saved by 9051bfd (a merge and a rename applied):
    it loads, keeps its match reference, and assigns as it did then."""
    loaded = load_model(MODEL_V1.resolve())
    assert [(t["theme_id"], t["label"]) for t in loaded.themes_] == [
        ("T01", "renamed"),
        ("T02", "support agent"),
        ("T03", "technician appointment"),
    ]
    assert loaded.match_reference()[0] == ["T01", "T02", "T03", "T04"]
    probe = make_texts(3, seed=11) + ["", "rude support agent"]
    primary, members, _ = loaded.assign(probe)
    assert primary.tolist() == [2, 2, -1, 2, 2, 2, 0, 0, 0, 1, 1, 1, -1, 1]
    assert [list(m) for m in members] == [[p] if p >= 0 else [] for p in primary.tolist()]
    fast = loaded.set_params(max_embed=1).assign(probe)[0]
    assert fast.shape == primary.shape


#: test_codebook and test_theme_estimator import these from here.
__all__ = ["TOPICS", "make_texts"]


def test_a_version_1_model_loads_with_a_warning_and_the_schema_still_applies(tmp_path, caplog):
    """Format version 1 (no checksums.sha256): loads when it passes every other check."""
    with caplog.at_level("WARNING", logger="feedback_nlp.themes.model_load"):
        load_model(MODEL_V1.resolve())
    assert "saved before models carried checksums.sha256 (format version 1)" in caplog.text
    folder = tmp_path / "v1"
    shutil.copytree(MODEL_V1, folder)
    edit_doc(
        folder, lambda d: d["representation"]["vectorizer"].update(input="filename"), seal=False
    )
    with pytest.raises(ModelError, match=r"vectorizer\.input: expected 'content', got 'filename'"):
        load_model(folder)


def test_a_resaved_version_1_model_gets_checksums(tmp_path):
    path = save_model(load_model(MODEL_V1.resolve()), tmp_path / "models" / "v2")
    assert json.loads((path / "model.json").read_text())["format_version"] == FORMAT_VERSION == 4
    assert (path / "checksums.sha256").is_file()
    load_model(path)


def test_a_version_2_model_loads_without_subthemes(tmp_path):
    """tests/data/theme_model_v2 was saved by 7b0765b, the last commit before the
    sub-theme tree: it loads as a model without sub-themes and assigns as it did then."""
    loaded = load_model(MODEL_V2.resolve())
    assert [t["theme_id"] for t in loaded.themes_] == ["T01", "T02", "T03", "T04"]
    assert loaded.subtheme_rows() == [] and loaded.subcentroids().shape == (0, model_dim(MODEL_V2))
    assert loaded.match_reference(subthemes=True)[0] == []
    probe = make_texts(3, seed=11) + ["", "rude support agent"]
    primary, _, _, sub_primary, sub_member, sub_scores = loaded.assign_tree(probe)
    # the primaries 7b0765b gave these texts (slow path, then fast path)
    assert primary.tolist() == [3, 3, 3, 2, 2, 2, 1, 1, -1, 0, 0, -1, -1, 0]
    assert sub_primary.tolist() == [-2 if p >= 0 else -1 for p in primary.tolist()]
    assert sub_member.shape == sub_scores.shape == (len(probe), 0)
    fast = loaded.set_params(max_embed=1).assign(probe)[0]
    assert fast.tolist() == [3, 3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0, -1, 0]
    # re-saved, it is a version 4 model with an empty tree (and its classifier)
    path = save_model(loaded.set_params(max_embed=4000), tmp_path / "models" / "v3")
    doc = json.loads((path / "model.json").read_text())
    assert doc["format_version"] == 4 and doc["subthemes"] == []
    assert doc["params"]["subthemes"] == "auto"
    assert load_model(path).assign(probe)[0].tolist() == primary.tolist()


@pytest.fixture(scope="module")
def tree() -> ThemeModel:
    return tree_model()


def test_the_tree_model_has_subthemes(tree):
    """The fixture the tree tests rely on: sub-themes under every theme, a fast path."""
    assert len(tree.subtheme_parents()) == 12 and tree.fast_sub_ is not None
    assert [s["theme_id"] for s in tree.subtheme_rows()][:3] == ["T01.1", "T01.2", "T01.3"]


def test_tree_round_trip_gives_identical_assign_tree(tree, tmp_path):
    path = save_model(tree, tmp_path / "models" / "tree")
    loaded = load_model(path)
    probe = make_texts(4, seed=3) + ["", "rude support agent", "wifi and the bill"]
    for a, b in zip(tree.assign_tree(probe), loaded.assign_tree(probe), strict=True):
        if isinstance(a, list):
            assert a == b
        else:
            np.testing.assert_array_equal(a, b)
    assert loaded.subtheme_rows() == tree.subtheme_rows()
    np.testing.assert_array_equal(loaded.subtheme_parents(), tree.subtheme_parents())
    assert loaded.match_reference(subthemes=True)[0] == tree.match_reference(subthemes=True)[0]
    assert loaded.get_params() == tree.get_params() and loaded.subthemes == 3
    # the fast path's sub-theme classifier too
    a, b = tree.set_params(max_embed=2), loaded.set_params(max_embed=2)
    try:
        for x, y in zip(a.assign_tree(probe), b.assign_tree(probe), strict=True):
            if isinstance(x, list):
                assert x == y
            else:
                np.testing.assert_allclose(x, y, atol=1e-6)
        assert (a.assign_tree(probe)[3] >= 0).sum() >= len(probe) // 2
    finally:
        tree.set_params(max_embed=4000)
    doc = json.loads((path / "model.json").read_text())
    assert doc["subthemes"][0] == {**tree.subtheme_rows()[0]}
    assert {"fast_sub_classes.npy", "subparent.npy"} <= set(doc["files"])
