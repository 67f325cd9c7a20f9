"""Tests of choosing the columns: names in any form, content checks, one message for every miss."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.column_roles import name_words
from feedback_nlp.columns import choose_columns
from feedback_nlp.config import AnalysisConfig, Scale
from feedback_nlp.demo import generate_survey
from feedback_nlp.errors import ColumnError, ConfigError
from feedback_nlp.load import load_survey

SCORE_HOW = (
    "pass --score-col with the column holding the 0-10 scores, or --group-col for "
    "promoter/passive/detractor labels"
)
TEXT_HOW = "pass --text-col with the column holding the comments"


def choose(frame: pd.DataFrame, **options: object) -> tuple[dict[str, object], list[str]]:
    """The columns chosen for ``frame`` (all str cells, as the loader reads them) and the notes."""
    notes: list[str] = []
    cfg = AnalysisConfig(input=Path("s.csv"), **options)  # type: ignore[arg-type]
    chosen = choose_columns(cfg, frame.astype(str), "s.csv", None, None, notes)
    return chosen, notes


def airline_reviews(rows: int = 60) -> pd.DataFrame:
    """A generated survey laid out as an airline review export (CamelCase names, no id)."""
    survey = generate_survey(rows, seed=3)
    return pd.DataFrame(
        {
            "OverallRating": survey["score"].astype(str),
            "ReviewHeader": survey["comment"].str.split().str[:3].str.join(" "),
            "ReviewBody": survey["comment"],
            "SeatType": survey["plan"],
            "TypeOfTraveller": survey["region"],
            "DateFlown": survey["response_date"],
        }
    )


def test_airline_export_names_are_all_detected_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    airline_reviews().to_csv(path, index=False)
    s = load_survey(AnalysisConfig(input=path, redact=False))
    assert s.info["columns"] == {
        "score": "OverallRating", "group": None, "text": "ReviewBody", "id": None,
        "date": "DateFlown", "segments": [], "detected": ["score", "text", "date"],
    }  # fmt: skip
    assert s.notes == [
        "Using column 'OverallRating' for scores (detected by name; pass --score-col to "
        "choose another).",
        "Using column 'ReviewBody' for comments (detected by name; pass --text-col to "
        "choose another).",
        "Using column 'DateFlown' for dates (detected by name; pass --date-col to choose another).",
    ]
    assert len(s.frame) == 60


@pytest.mark.parametrize(
    "score",
    ["OverallRating", "Overall Rating", "overall_rating", "NPS Score", "Q1_NPS",
     "recommend_score", "Likelihood to recommend (0-10)"],
)  # fmt: skip
@pytest.mark.parametrize(
    "text", ["ReviewBody", "review_body", "Review Text", "CustomerComment", "Q2 Comments"]
)
def test_score_and_comment_names_in_any_form(score: str, text: str) -> None:
    frame = pd.DataFrame(
        {"Channel": ["Web", "App", "Web"], score: ["9", "3", "7"],
         text: ["Fast and friendly", "Too slow to answer", "Fine overall"]}
    )  # fmt: skip
    chosen, _ = choose(frame)
    assert (chosen["score"], chosen["text"], chosen["id"]) == (score, text, None)


def test_name_words_split_camel_case_separators_and_plurals() -> None:
    assert name_words("TypeOfTraveller") == {"type", "of", "traveller"}
    assert name_words("CUSTOMER_RESPONSE_DATE") == {"customer", "response", "date"}
    assert name_words("Q1_NPS") == {"q", "1", "nps"}
    assert name_words("Remarks / Comments") == {"remark", "comment"}


def test_more_role_words_win_and_a_known_name_wins_over_words() -> None:
    frame = pd.DataFrame(
        {"Service Rating": ["4", "2", "5"], "NPS Score": ["9", "3", "7"],
         "Comment Type": ["Praise", "Complaint", "Praise"],
         "Review Text": ["Fast and friendly", "Too slow to answer", "Fine overall"]}
    )  # fmt: skip
    chosen, _ = choose(frame)
    assert (chosen["score"], chosen["text"]) == ("NPS Score", "Review Text")
    known = frame.rename(columns={"Service Rating": "rating", "NPS Score": "NPS likelihood"})
    chosen, _ = choose(known)
    assert chosen["score"] == "rating"  # a known name comes before any word match


def test_stars_and_comments_under_meaningless_names_are_detected_by_content(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame(
        {
            "q1": ["1", "2", "3", "4", "5", "6"],  # a row counter: every value distinct
            "q2": ["0", "1", "1", "0", "1", "1"],  # a yes/no flag: two values
            "line_no": ["1", "2", "3", "1", "2", "3"],  # named as a counter
            "q7": ["5", "4", "1", "2", "5", "3"],
            "q8": [
                "Friendly crew and an easy boarding",
                "Seats fine, food cold",
                "Lost my bag and nobody called back",
                "Late again, no apology",
                "Great value for the price",
                "OK but the app kept crashing",
            ],
            "q9": ["Web", "Phone", "Web", "Web", "Phone", "Web"],
            "q10": ["Short haul", "Long haul", "Short haul", "Short haul", "Long haul", "Short"],
        }
    )
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    s = load_survey(AnalysisConfig(input=path, redact=False, scale=Scale(1, 5, 5, 3)))
    assert (s.info["columns"]["score"], s.info["columns"]["text"]) == ("q7", "q8")
    assert s.notes[:2] == [
        "Using column 'q7' for scores (detected by content: integers 1-5; pass --score-col to "
        "choose another).",
        "Using column 'q8' for comments (detected by content: the longest free text, median "
        "26.5 characters; pass --text-col to choose another).",
    ]
    assert s.frame["group"].tolist()[:3] == ["promoter", "passive", "detractor"]


def test_every_role_that_cannot_be_chosen_is_in_one_message() -> None:
    frame = pd.DataFrame(
        {"Rating Value": ["High", "Low", "High"], "Stars": ["***", "*", "**"],
         "Channel": ["Web", "Phone", "Web"], "Customer": ["AB12", "CD34", "EF56"]}
    )  # fmt: skip
    with pytest.raises(ColumnError) as err:
        choose(frame)
    assert str(err.value) == (
        f"Could not choose the columns of s.csv: score ({SCORE_HOW}; nearest: 'Rating Value') "
        f"and comments ({TEXT_HOW}; nearest: 'Customer', 'Channel', 'Stars'). "
        "Available columns: Rating Value, Stars, Channel, Customer."
    )


def test_two_columns_that_fit_equally_are_reported_not_guessed() -> None:
    comments = ["Friendly crew", "Seats fine, food cold", "Lost my bag", "Late again"]
    frame = pd.DataFrame({"q7": ["5", "4", "1", "5"], "q9": ["2", "2", "3", "1"],
                          "q8": comments})  # fmt: skip
    with pytest.raises(ColumnError) as err:
        choose(frame)
    assert str(err.value) == (
        f"Could not choose the columns of s.csv: score ({SCORE_HOW}; equally likely: 'q7', "
        "'q9'). Available columns: q7, q9, q8."
    )
    two = pd.DataFrame({"NPS": ["9", "3", "7", "10"], "Positive Comment": comments,
                        "Negative Comment": comments[::-1]})  # fmt: skip
    with pytest.raises(ColumnError) as err:
        choose(two)
    assert str(err.value) == (
        f"Could not choose the columns of s.csv: comments ({TEXT_HOW}; equally likely: "
        "'Positive Comment', 'Negative Comment'). Available columns: NPS, Positive Comment, "
        "Negative Comment."
    )
    chosen, _ = choose(two, text_col="Positive Comment")
    assert chosen["text"] == "Positive Comment"


def test_ids_need_an_id_name_and_distinct_values() -> None:
    comments = ["Friendly crew", "Seats fine, food cold", "Lost my bag", "Late again"]
    frame = pd.DataFrame(
        {"Product ID": ["p1", "p2", "p1", "p1"], "Account ID": ["c1", "c2", "c3", "c4"],
         "Order ID": ["o1", "o2", "o3", "o4"], "score": ["9", "3", "7", "10"],
         "comment": comments}
    )  # fmt: skip
    chosen, notes = choose(frame)
    assert chosen["id"] is None
    assert notes[1] == (
        "Columns 'Account ID', 'Order ID' could each hold the respondent ids: none is used "
        "(pass --id-col to choose one)."
    )
    chosen, notes = choose(frame.rename(columns={"Account ID": "Respondent Code ID"}))
    assert chosen["id"] == "Respondent Code ID"  # 'respondent' outweighs a bare 'id'
    chosen, _ = choose(frame.drop(columns=["Account ID", "Order ID"]))
    assert chosen["id"] is None  # a product id repeats: not a respondent's


def test_segment_columns_are_not_taken_by_content() -> None:
    frame = pd.DataFrame({"q7": ["5", "4", "1", "5"], "q9": ["2", "2", "3", "1"],
                          "q8": ["Friendly crew", "Seats fine, food cold", "Lost my bag",
                                 "Late again"]})  # fmt: skip
    chosen, notes = choose(frame, segment_cols=("q9",))
    assert chosen["score"] == "q7" and chosen["segments"] == ["q9"]
    assert notes[0] == (
        "Using column 'q7' for scores (detected by content: integers 1-5; pass --score-col to "
        "choose another)."
    )


RESERVED_LIST = (
    "respondent_id, row, group, score, date, flags, text, sentiment, sentiment_label, "
    "primary_theme, themes, theme_labels, primary_subtheme, subthemes, subtheme_labels, "
    "row_flags, priority, theme_impact, action"
)


@pytest.mark.parametrize(
    "name", ["themes", "theme_labels", "subthemes", "sentiment", "row_flags", "group", "action"]
)
def test_a_segment_named_like_an_output_column_is_refused(name: str) -> None:
    frame = pd.DataFrame({"score": ["9", "3"], "comment": ["Great", "Slow"], name: ["N", "S"]})
    with pytest.raises(ConfigError) as err:
        choose(frame, segment_cols=(name,))
    assert str(err.value) == (
        f"Segment column {name!r} has the name of a column feedback-nlp adds itself "
        f"({RESERVED_LIST}); rename it in s.csv and pass the new name to --segment-col."
    )


def test_the_refusal_names_the_file_or_the_dataframe_holding_the_segment() -> None:
    from feedback_nlp import analyze

    main = pd.DataFrame({"id": ["1", "2"], "score": ["9", "3"]})
    comments = pd.DataFrame({"id": ["1", "2"], "comment": ["Great", "Slow"], "themes": ["a", "b"]})
    cfg = AnalysisConfig(input=Path("s.csv"), id_col="id", segment_cols=("themes",))
    with pytest.raises(ConfigError, match=r"; rename it in c\.csv and pass the new name to "):
        choose_columns(cfg, main, "s.csv", comments, "c.csv", [])
    frame = pd.DataFrame({"NPS": [9, 3, 7, 10], "why": ["Great", "Slow", "Fine", "Good"],
                          "theme_labels": ["N", "S", "N", "S"]})  # fmt: skip
    with pytest.raises(ConfigError) as err:
        analyze(frame, score="NPS", text="why", segments="theme_labels")
    assert str(err.value).endswith(
        f"({RESERVED_LIST}); rename it in the DataFrame and pass the new name to --segment-col."
    )
