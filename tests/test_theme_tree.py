"""Issue 14: the two-level theme tree (themes split into sub-themes).

The split rule on vectors whose structure is known, then the tree as the
analysis writes it: nesting, counts adding up, q-values within each level,
``--subthemes`` honoured.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import DEMO_OPTS
from feedback_nlp.cli import app
from feedback_nlp.compare import add_q_values
from feedback_nlp.themes.clustering import split_theme
from feedback_nlp.themes.vectors import unit


def _blobs(n_blobs: int, per: int, spread: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in ``n_blobs`` groups around random directions (64 dimensions)."""
    rng = np.random.RandomState(seed)
    centres = unit(rng.randn(n_blobs, 64))
    labels = np.repeat(np.arange(n_blobs), per)
    return unit(centres[labels] + spread * rng.randn(len(labels), 64)), labels


@pytest.mark.parametrize("n_blobs", [3, 6])
def test_a_theme_made_of_separate_groups_splits_into_them(n_blobs: int) -> None:
    from sklearn.metrics import adjusted_rand_score

    x, truth = _blobs(n_blobs, per=60, spread=0.08, seed=n_blobs)
    subs = split_theme(x, np.ones(len(x)), seed=0)
    assert len(subs) == n_blobs
    assert adjusted_rand_score(truth, (x @ subs.T).argmax(1)) > 0.95


def test_a_theme_without_structure_does_not_split() -> None:
    # One Gaussian cloud: any cut is arbitrary, a second seed cuts elsewhere.
    rng = np.random.RandomState(1)
    x = unit(rng.randn(400, 64))
    assert split_theme(x, np.ones(len(x)), seed=0).shape == (0, 64)


def test_a_theme_too_small_to_split_has_no_subthemes() -> None:
    x, _ = _blobs(2, per=15, spread=0.05, seed=2)  # 30 comments: under three fine clusters
    assert len(split_theme(x, np.ones(len(x)), seed=0)) == 0


def test_a_fixed_count_is_honoured() -> None:
    x, _ = _blobs(5, per=40, spread=0.08, seed=3)
    assert len(split_theme(x, np.ones(len(x)), seed=0, n_sub=3)) == 3


def test_q_values_are_benjamini_hochberg_within_each_level() -> None:
    from scipy.stats import false_discovery_control

    t = pd.DataFrame(
        {
            "theme_id": ["T01", "T02", "T01.1", "T01.2", "T02.1"],
            "level": [1, 1, 2, 2, 2],
            "p_value": [0.01, 0.04, 0.001, 0.03, 0.5],
        }
    )
    (out,) = add_q_values([t], alpha=0.05)
    top, sub = out[out["level"] == 1], out[out["level"] == 2]
    assert np.allclose(top["q_value"], false_discovery_control([0.01, 0.04], method="bh"))
    assert np.allclose(sub["q_value"], false_discovery_control([0.001, 0.03, 0.5], method="bh"))
    assert out["theme_id"].tolist() == t["theme_id"].tolist()


@pytest.fixture(scope="module")
def tree_run(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tree")
    result = CliRunner().invoke(
        app,
        ["analyze", str(demo_csv), *DEMO_OPTS, "--representation", "tfidf", "--quiet",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_the_tree_nests_and_its_counts_add_up(tree_run: Path) -> None:
    themes = pd.read_csv(tree_run / "themes.csv", keep_default_na=False)
    comments = pd.read_csv(tree_run / "comments.csv", keep_default_na=False, dtype=str)
    top, sub = themes[themes["level"] == 1], themes[themes["level"] == 2]
    assert len(sub), "the demo survey's themes have sub-themes"
    assert (top["parent_id"] == "").all()
    assert set(sub["parent_id"]) <= set(top["theme_id"])
    assert all(s.startswith(p + ".") for s, p in zip(sub["theme_id"], sub["parent_id"]))
    # every comment of a theme that has sub-themes is in exactly one of them
    for parent, kids in sub.groupby("parent_id"):
        n_parent = int(top.loc[top["theme_id"] == parent, "n_comments"].iloc[0])
        assert kids["n_comments"].sum() == n_parent
    # a comment's primary sub-theme lies under its primary theme
    has = ~comments["primary_theme"].isin(["", "none"])
    owner = comments.loc[has, "primary_subtheme"].str.split(".").str[0]
    assert (owner == comments.loc[has, "primary_theme"]).all()
    listed = comments.loc[has, "subthemes"].str.split(";")
    themes_of = comments.loc[has, "themes"].str.split(";")
    for subs, tops in zip(listed, themes_of):
        assert {s.split(".")[0] for s in subs if s} <= set(tops)
    # labels are unique across the tree
    assert themes["label"].is_unique


def test_subthemes_zero_gives_a_flat_list(demo_csv: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["analyze", str(demo_csv), *DEMO_OPTS, "--representation", "tfidf", "--quiet",
         "--subthemes", "0", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    themes = pd.read_csv(tmp_path / "themes.csv", keep_default_na=False)
    comments = pd.read_csv(tmp_path / "comments.csv", keep_default_na=False, dtype=str)
    assert set(themes["level"]) == {1}
    # no sub-theme columns that would only repeat the themes or stay empty
    assert not {"primary_subtheme", "subthemes", "subtheme_labels"} & set(comments.columns)


def test_a_bad_subthemes_value_is_one_clear_error(demo_csv: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["analyze", str(demo_csv), *DEMO_OPTS, "--subthemes", "1", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "--subthemes must be 'auto', 0 or a number from 2 to 100" in result.stderr
