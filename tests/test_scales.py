"""A score column that does not fit the scale never gives a silently wrong NPS.

Generated 1-5, 1-7, 1-10, 0-10, 0/1 and fractional columns, small 0-10 surveys
without zeros, the real data sets (skipped when absent), and the headline of
every renderer on a non-NPS scale.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import SHARED_DATA, shared_file
from feedback_nlp.cli import app
from feedback_nlp.config import AnalysisConfig, Scale
from feedback_nlp.errors import DataError
from feedback_nlp.load import load_survey
from feedback_nlp.report.view import headline
from feedback_nlp.scales import (
    MIN_ANSWERS,
    NEARLY_ALL,
    choose_scale,
    score_counts,
)
from feedback_nlp.summary_types import ScaleSummary

runner = CliRunner()

STARS = "--scale-min 1 --scale-max 5 --promoter-min 5 --detractor-max 3"
KEEP = "to read them on 0-10 anyway pass --scale-min 0 --scale-max 10."


def _counts(values: list[float] | np.ndarray) -> pd.Series:
    return score_counts(pd.Series([f"{v:g}" for v in values]))


def _choose(values: list[float] | np.ndarray, scale: Scale | None = None):
    return choose_scale(_counts(values), scale or Scale.default(), "rating", "s.csv")


def _survey_file(
    tmp_path: Path, scores: list[str], name: str = "s.csv", dated: bool = False
) -> Path:
    # Distinct comments, so that a full analysis has text to find themes in.
    words = ["fit", "colour", "size", "price", "delivery", "fabric", "service", "length"]
    comments = [f"the {words[i % 8]} was {'good' if i % 3 else 'poor'} number {i}" for i in
                range(len(scores))]  # fmt: skip
    path = tmp_path / name
    frame = pd.DataFrame({"id": range(1, len(scores) + 1), "rating": scores, "comment": comments})
    if dated:  # two months, for a trend headline
        frame["date"] = [f"2026-0{1 + 2 * i // len(scores)}-1{i % 9}" for i in range(len(scores))]
    frame.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (5, "NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)"),
        (7, "NPS-style score on a 1-7 scale (7 promoter, 5-6 passive, 1-4 detractor)"),
    ],
)
def test_a_generated_1_to_n_rating_is_inferred_with_rescaled_cut_points(
    top: int, expected: str
) -> None:
    values = np.random.default_rng(top).integers(1, top + 1, 200)
    choice = _choose(values)
    assert (choice.scale.label(), choice.inferred) == (expected, True)
    assert choice.note is not None and choice.note.startswith(
        f"Scale inferred: scores in column 'rating' of s.csv are read on a 1-{top} scale"
    )


def test_a_generated_0_to_10_survey_is_read_as_it_always_was() -> None:
    values = np.random.default_rng(0).integers(0, 11, 500)
    choice = _choose(values)
    assert (choice.scale, choice.inferred, choice.note) == (Scale(), False, None)


@pytest.mark.parametrize(
    "scores",
    [[9, 10, 8], [3, 7, 8, 10], [10], [8], [2, 5, 9], [6, 7, 8, 9, 10] * 3, [0, 6, 7]],
)
def test_small_0_to_10_surveys_without_zeros_stay_on_0_to_10(scores: list[int]) -> None:
    # A pilot with a few answers often has no 0; a score of 8 or more (or a 0)
    # rules out 1-5 and 1-7, so nothing is asked and nothing inferred.
    choice = _choose(scores)
    assert (choice.scale, choice.inferred, choice.note) == (Scale(), False, None)


@pytest.mark.parametrize("scores", [[0], [0, 2, 5], [0, 0, 1, 3] * 4 + [5, 2, 1]])
def test_a_small_unhappy_0_to_10_survey_with_a_zero_is_read_on_0_to_10_with_a_note(
    scores: list[int],
) -> None:
    choice = _choose(scores)
    assert (choice.scale, choice.inferred) == (Scale(), False)
    assert choice.note == (
        f"Check the scale: all {len(scores)} scores in column 'rating' of s.csv are from 0 to "
        f"{max(scores)}. They are read on 0-10 (a 0 rules out a 1-5 or 1-7 rating); on a "
        f"0-{5 if max(scores) > 1 else 1} scale pass --scale-min 0 "
        f"--scale-max {5 if max(scores) > 1 else 1} --promoter-min {5 if max(scores) > 1 else 1} "
        f"--detractor-max {3 if max(scores) > 1 else 0}."
    )


def test_1_to_10_scores_are_read_on_0_to_10_with_a_note_since_the_groups_agree() -> None:
    values = np.random.default_rng(1).integers(1, 11, 300)
    choice = _choose(values)
    assert (choice.scale, choice.inferred) == (Scale(), False)
    assert choice.note == (
        "No score in column 'rating' of s.csv is 0 (300 scores from 1 to 10): read on 0-10. "
        "On a 1-10 scale the groups, and so the NPS, are the same (9-10 promoter, "
        "1-6 detractor); pass --scale-min 1 to label it 1-10."
    )
    one_to_ten = Scale.from_options(1)
    assert [one_to_ten.group(v) for v in range(1, 11)] == [Scale().group(v) for v in range(1, 11)]


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (
            [1, 2, 3, 4, 5] * 2 + [5, 4],
            "all 12 are from 1 to 5, too few (under 20) to tell a 1-5 rating from a 0-10 "
            f"survey. For a 1-5 scale pass {STARS} (5 promoter, 4 passive, 1-3 detractor); " + KEEP,
        ),
        (
            [0, 1, 2, 3, 4, 5] * 5,
            "all 30 are from 0 to 5. For a 0-5 scale pass --scale-min 0 --scale-max 5 "
            "--promoter-min 5 --detractor-max 3 (5 promoter, 4 passive, 0-3 detractor); " + KEEP,
        ),
        (
            [1, 2, 3, 4, 5, 6, 7] * 2,
            "all 14 are from 1 to 7, too few (under 20) to tell a 1-7 rating from a 0-10 "
            "survey. For a 1-7 scale pass --scale-min 1 --scale-max 7 --promoter-min 7 "
            "--detractor-max 4 (7 promoter, 5-6 passive, 1-4 detractor); " + KEEP,
        ),
        (
            [1, 2, 3, 4, 5, 6] * 5,
            "all 30 are from 1 to 6. For a 1-7 scale pass --scale-min 1 --scale-max 7 "
            "--promoter-min 7 --detractor-max 4 (7 promoter, 5-6 passive, 1-4 detractor); " + KEEP,
        ),
        (
            [1.5, 2.5, 4, 5] * 3,
            "6 of 12 are fractional (e.g. 1.5). For a 1-5 scale pass "
            f"{STARS} (5 promoter, 4 passive, 1-3 detractor); " + KEEP,
        ),
        (
            [7.5, 8.25, 9.5] * 10,
            # Mostly fractional: the options carry a cut point with decimals, as a chosen
            # scale with whole ones stops such a column too.
            "30 of 30 are fractional (e.g. 7.5). For a 1-10 scale pass --scale-min 1 "
            "--scale-max 10 --promoter-min 8.5 --detractor-max 6 (8.5-10 promoter, above 6 and "
            "below 8.5 passive, 1-6 detractor); to read them on 0-10 anyway pass --scale-min 0 "
            "--scale-max 10 --promoter-min 8.5 --detractor-max 6.",
        ),
        (
            [0.8, 0.25, 1, 0] * 10,
            "20 of 40 are fractional (e.g. 0.8). For a 0-1 scale pass --scale-min 0 "
            "--scale-max 1 --promoter-min 1 --detractor-max 0 (1 promoter, 0 detractor); " + KEEP,
        ),
    ],
)
def test_scores_that_could_be_either_scale_stop_with_the_options_to_pass(
    scores: list[float], message: str
) -> None:
    with pytest.raises(DataError) as err:
        _choose(scores)
    assert str(err.value) == (
        "Scores in column 'rating' of s.csv do not fit the default 0-10 NPS scale: " + message
    )


def test_a_few_typed_halves_in_a_0_to_10_survey_are_kept() -> None:
    # "7,5" is a spelling the parser accepts on purpose; a handful does not make
    # the column fractional.
    values = [*np.random.default_rng(2).integers(0, 11, 40), 7.5, 8.5]
    assert _choose(values).scale == Scale()


def test_a_scale_the_user_chose_is_used_as_chosen() -> None:
    stars = [1, 2, 3, 4, 5] * 10
    kept = Scale.from_options(0, 10)
    assert kept.given and kept == Scale()
    assert _choose(stars, kept).scale is kept
    assert not _choose(stars, kept).inferred
    assert not Scale.from_options().given
    assert not AnalysisConfig(input=Path("x.csv")).scale.given


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=80))
def test_a_1_to_5_column_is_never_read_on_0_to_10(stars: list[int]) -> None:
    """Done-when of issue 13: never an NPS on the wrong scale for a 1-5 star file."""
    try:
        choice = _choose(stars)
    except DataError as err:
        assert f"For a 1-5 scale pass {STARS}" in str(err)
        return
    assert choice.inferred
    assert (choice.scale.minimum, choice.scale.maximum) == (1, 5)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=80).filter(
        lambda v: (
            (max(v) >= 8 or (0 in v and max(v) > 5))
            # 90% or more in 1-5 (or 1-7) with a higher score is asked for: see below
            and all(sum(1 <= x <= top for x in v) < NEARLY_ALL * len(v) for top in (5, 7))
        )
    )
)
def test_a_0_to_10_column_with_a_high_score_or_a_zero_is_never_changed(scores: list[int]) -> None:
    assert _choose(scores).scale == Scale()


def test_inference_needs_min_answers() -> None:
    stars = [1, 2, 3, 4, 5] * (MIN_ANSWERS // 5)
    assert _choose(stars).inferred
    with pytest.raises(DataError, match="too few"):
        _choose(stars[1:])


# ---------------------------------------------------------------- loading


def test_loading_reads_an_inferred_scale_and_records_it(tmp_path: Path) -> None:
    scores = [str(v) for v in np.random.default_rng(5).integers(1, 6, 60)]
    survey = load_survey(AnalysisConfig(input=_survey_file(tmp_path, scores), redact=False))
    expected = pd.Series(scores).astype(int).map(Scale(1, 5, 5, 3).group)
    assert survey.frame["group"].tolist() == expected.tolist()
    assert survey.info["scale"] == {
        "min": 1.0, "max": 5.0, "promoter_min": 5.0, "detractor_max": 3.0, "inferred": True,
    }  # fmt: skip
    assert any(n.startswith("Scale inferred: scores in column 'rating'") for n in survey.notes)


def test_the_scale_is_decided_on_every_row_not_the_first_ones(tmp_path: Path) -> None:
    # Sorted by score: the first rows alone would look like a 1-5 rating.
    scores = [str(v) for v in sorted(np.random.default_rng(6).integers(1, 11, 200))]
    survey = load_survey(AnalysisConfig(input=_survey_file(tmp_path, scores), redact=False))
    assert survey.info["scale"]["max"] == 10.0 and not survey.info["scale"]["inferred"]


def test_plan_load_uses_the_counts_of_every_partition(tmp_path: Path) -> None:
    from feedback_nlp.load import plan_load

    head = pd.read_csv(_survey_file(tmp_path, ["1", "2", "3"]), dtype=str)
    everything = score_counts(pd.Series(["1", "2", "3", "4", "5"] * 10))
    notes: list[str] = []
    plan = plan_load(
        AnalysisConfig(input=tmp_path / "s.csv", redact=False), head, "s.csv", notes,
        duplicated_ids=lambda c: (pd.Series([], dtype=object), np.zeros(0, dtype=np.int64)),
        date_heads=lambda c: set(), score_counts=lambda c: everything,
    )  # fmt: skip
    assert (plan.cfg.scale, plan.scale_inferred) == (Scale(1, 5, 5, 3), True)


# ---------------------------------------------------------------- real data


def test_clothing_ratings_with_defaults_are_never_an_nps_on_0_to_10() -> None:
    path = shared_file("clothing_reviews_1k.csv")
    survey = load_survey(AnalysisConfig(input=path, redact=False))
    assert survey.info["columns"]["score"] == "Rating"
    assert survey.info["scale"] == {
        "min": 1.0, "max": 5.0, "promoter_min": 5.0, "detractor_max": 3.0, "inferred": True,
    }  # fmt: skip
    raw = pd.read_csv(path, dtype=str)["Rating"].astype(int)
    assert survey.frame["group"].value_counts().to_dict() == {
        "promoter": int((raw == 5).sum()),
        "passive": int((raw == 4).sum()),
        "detractor": int((raw <= 3).sum()),
    }


def test_clothing_recommend_flag_as_score_stops_with_a_0_to_1_example() -> None:
    path = shared_file("clothing_reviews_1k.csv")
    with pytest.raises(DataError) as err:
        load_survey(AnalysisConfig(input=path, score_col="Recommended IND", redact=False))
    assert str(err.value).startswith(
        "Scores in column 'Recommended IND' of clothing_reviews_1k.csv do not fit the default "
        "0-10 NPS scale: all 1000 are from 0 to 1. For a 0-1 scale pass --scale-min 0 "
        "--scale-max 1 --promoter-min 1 --detractor-max 0"
    )


def test_telecom_with_defaults_is_read_on_0_to_10_without_a_scale_note() -> None:
    path = shared_file("telecom_nps_verbatims.csv")
    survey = load_survey(AnalysisConfig(input=path, redact=False))
    assert survey.info["scale"]["inferred"] is False
    assert (survey.info["scale"]["min"], survey.info["scale"]["max"]) == (0.0, 10.0)
    assert not [n for n in survey.notes if "scale" in n.lower() or "is 0" in n]


@pytest.mark.parametrize(
    "name",
    ["semeval14_restaurants.csv", "semeval16_restaurant_reviews.csv", "banking77_test.csv"],
)
def test_data_sets_without_a_score_column_are_not_given_one(name: str) -> None:
    path = shared_file(name)
    frame = pd.read_csv(path, dtype=str)
    assert not {"score", "rating", "nps", "nps_score"} & {c.lower() for c in frame.columns}
    with pytest.raises(Exception, match=f"^Could not choose the columns of {name}: score "):
        load_survey(AnalysisConfig(input=path, redact=False))


def test_every_shared_data_file_is_checked() -> None:
    if not SHARED_DATA.exists():
        pytest.skip(f"{SHARED_DATA} not present")
    assert {p.name for p in SHARED_DATA.glob("*.csv")} == {
        "telecom_nps_verbatims.csv", "clothing_reviews_1k.csv", "semeval14_restaurants.csv",
        "semeval16_restaurant_reviews.csv", "banking77_test.csv",
    }  # fmt: skip


# ---------------------------------------------------------------- headlines


def test_headline_names_the_scale_beside_a_non_nps_score() -> None:
    from feedback_nlp.summary_types import Manifest, NpsStats, RowCounts, Summary

    base = Summary(
        RowCounts(3, 3, 0, 0, 0), NpsStats(3, 1, 1, 1, 0.0, -50.0, 50.0), None, None, None,
        (), (), Manifest({}, 0, {}, "", None, None), (),
    )  # fmt: skip
    nps = base.__class__(**{**base.__dict__, "scale": ScaleSummary(0, 10, 9, 6)})
    stars = base.__class__(**{**base.__dict__, "scale": ScaleSummary(1, 5, 5, 3)})
    assert (headline(nps).label, headline(nps).scale) == ("NPS", None)
    assert (headline(stars).label, headline(stars).scale) == (
        "NPS-style score",
        "on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)",
    )
    assert "scale" not in nps.to_dict()
    assert stars.to_dict()["scale"] == {
        "min": 1, "max": 5, "promoter_min": 5, "detractor_max": 3, "inferred": False,
        "label": "NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)",
    }  # fmt: skip


def test_cli_stops_on_a_small_star_file_with_one_line(tmp_path: Path) -> None:
    path = _survey_file(tmp_path, [str(v) for v in [1, 2, 3, 4, 5] * 2 + [5, 4]])
    result = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Scores in column 'rating' of s.csv do not fit the default 0-10 NPS scale: "
        "all 12 are from 1 to 5, too few (under 20) to tell a 1-5 rating from a 0-10 survey. "
        f"For a 1-5 scale pass {STARS} (5 promoter, 4 passive, 1-3 detractor); " + KEEP + "\n"
    )
    assert not (tmp_path / "out").exists()


def test_cli_inferred_scale_is_loud_in_terminal_summary_and_every_report(tmp_path: Path) -> None:
    scores = [str(v) for v in np.random.default_rng(7).integers(1, 6, 40)]
    path, out = _survey_file(tmp_path, scores, dated=True), tmp_path / "out"
    args = ["analyze", str(path), "--no-redact", "--representation", "tfidf", "--themes", "2",
            "--format", "md", "--format", "html", "--format", "json", "--format", "xlsx",
            "--out", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    scale = "on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor; inferred from the scores)"
    assert f"Warning: NPS-style score {scale}: pass {STARS} to confirm the scale." in " ".join(
        result.stderr.split()
    )
    assert " ".join(result.stdout.split()).startswith("NPS-style score ")
    assert scale in " ".join(result.stdout.split())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scale"]["inferred"] is True
    assert (summary["scale"]["min"], summary["scale"]["max"]) == (1, 5)
    assert summary["manifest"]["config"]["scale"]["max"] == 10  # what was asked for
    md = (out / "report.md").read_text()
    assert f"**NPS-style score {summary['nps']['score']:+.2f}** {scale} (95% CI" in md
    assert "**NPS " not in md
    assert "**NPS-style score 2026-02: " in md  # the trend headline too
    assert "Over time (by month): NPS-style score 2026-02 " in result.stdout
    html = (out / "report.html").read_text()
    assert '<small class="trend">NPS-style score 2026-02: ' in html
    assert '<div class="big">NPS-style score ' in html
    assert f'<small class="scale">{scale}</small>' in html
    ws = load_workbook(out / "report.xlsx", read_only=True)["summary"]
    first = [tuple(r) for r in ws.iter_rows(min_row=2, max_row=2, values_only=True)][0]
    assert first[0] == f"NPS-style score {scale}"
