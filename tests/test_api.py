"""The Python API as pandas users write it: a DataFrame in, tables that do not trip pandas out."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from feedback_nlp import AnalysisConfig, Scale, analyze, write_report
from feedback_nlp.config import Period, Representation
from feedback_nlp.demo import generate_survey
from feedback_nlp.errors import ColumnError, ConfigError, DataError, InputFileError
from feedback_nlp.output import result_tables
from feedback_nlp.report import parse_formats

#: The options of both runs, in the CLI's names and by the columns' roles.
OPTIONS = dict(
    score="score",
    text="comment",
    id="respondent_id",
    segments="region",  # one string: one segment column
    date="response_date",
    metrics="csat",
    representation="tfidf",
    themes=5,
    threads=1,
)
PANDAS_NAMES = set(dir(pd.DataFrame))


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """A generated survey as a pandas user holds it: typed columns, an index of its own."""
    df = generate_survey(rows=300, seed=1)
    df["csat"] = [i % 5 + 1 for i in range(len(df))]
    df.loc[5, "score"] = 11  # out of range: rejected, row 6
    return df.set_index(pd.Index([f"resp-{i}" for i in range(len(df))][::-1]))


@pytest.fixture(scope="module")
def runs(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory):
    """The frame analysed as a DataFrame, and as a CSV written from it (the old spelling)."""
    path = tmp_path_factory.mktemp("api") / "survey.csv"
    frame.to_csv(path, index=False)
    from_frame = analyze(frame, **OPTIONS)
    from_csv = analyze(
        AnalysisConfig(
            input=path,
            score_col="score",
            text_col="comment",
            id_col="respondent_id",
            segment_cols=("region",),
            date_col="response_date",
            metric_cols=("csat",),
            representation=Representation.tfidf,
            n_themes=5,
            threads=1,
        )
    )
    return from_frame, from_csv


def test_a_dataframe_gives_the_tables_of_a_csv_of_it(runs) -> None:
    from_frame, from_csv = runs
    frames, csvs = result_tables(from_frame), result_tables(from_csv)
    assert list(frames) == list(csvs)
    for name in frames:
        a, b = frames[name], csvs[name]
        if name == "rejected.csv":  # the source names the input
            assert set(a["source"]) == {"the DataFrame"} and set(b["source"]) == {"survey.csv"}
            a, b = a.drop(columns="source"), b.drop(columns="source")
        pd.testing.assert_frame_equal(a, b, obj=name)
    assert from_frame.summary.manifest.input["format"] == "dataframe"
    assert from_frame.summary.manifest.config["input"] == "the DataFrame"
    assert from_frame.config.segment_cols == ("region",)


def test_rows_of_a_dataframe_count_its_positions_from_one(frame: pd.DataFrame, runs) -> None:
    from_frame, _ = runs
    rejected = from_frame.rejected.set_index("row")
    missing = frame["score"].isna().to_numpy().nonzero()[0] + 1
    assert rejected.index.tolist() == sorted([6, *missing])
    assert rejected.loc[6, ["respondent_id", "reason"]].tolist() == [
        frame["respondent_id"].iloc[5],
        "score out of range 0-10: 11",
    ]
    comments = from_frame.comments.set_index("respondent_id")
    assert comments.loc[frame["respondent_id"].iloc[200], "row"] == 201


def test_dataframe_errors_name_the_dataframe_row_and_column() -> None:
    df = pd.DataFrame(
        {"SeatType": ["A", "B", "A"], "NPS": [9, 3, 7], "why": ["ok", "bad", "meh"],
         "id": ["r1", "r2", "r1"]},
        index=[10, 20, 30],
    )  # fmt: skip
    with pytest.raises(ColumnError) as err:
        analyze(df, score="NPS", text="why", segments="SeatTyp")
    assert str(err.value) == (
        "Column 'SeatTyp' not found in the DataFrame. Did you mean 'SeatType'? "
        "Available columns: SeatType, NPS, why, id."
    )
    with pytest.raises(DataError) as err:
        analyze(df, score="NPS", text="why", id="id")
    assert str(err.value) == (
        "1 duplicated id(s) in the DataFrame (column 'id'): 'r1' (rows 1, 3). "
        "Use --duplicates first|last to keep one row per id."
    )
    bad = pd.DataFrame({"NPS": ["x", "12"], "why": ["a", "b"]}, index=[7, 3])
    with pytest.raises(DataError) as err:
        analyze(bad, score="NPS", text="why", redact=False)
    assert str(err.value) == (
        "No valid score in the DataFrame: all 2 rows were rejected (first reason: row 1, "
        "column 'NPS': non-numeric score: 'x'). Check --score-col and the scale options."
    )
    with pytest.raises(InputFileError, match=r"^The DataFrame has no rows\.$"):
        analyze(df.iloc[:0], score="NPS")


def test_one_string_is_a_list_of_one(runs) -> None:
    cfg = AnalysisConfig(
        input="s.csv", segment_cols="SeatType", metric_cols="csat", brand_terms="Acme"
    )
    assert (cfg.segment_cols, cfg.metric_cols, cfg.brand_terms) == (
        ("SeatType",),
        ("csat",),
        ("Acme",),
    )
    assert [f.value for f in parse_formats("xlsx")] == ["xlsx"]
    from_frame, _ = runs
    assert set(from_frame.segments["segment"]) == {"region"}
    assert set(from_frame.metrics["metric"]) == {"csat"}


def test_cli_names_and_roles_make_the_same_config() -> None:
    short = AnalysisConfig.from_options(
        "s.csv", score="NPS", text="why", id="rid", group="grp", date="when",
        segments=["a", "b"], metrics="csat", themes="8", subthemes=0, model="m",
        scale_min=1, scale_max=5, promoter_min=5, detractor_max=3, period="week",
        no_redact=True, no_brand_detection=True,
    )  # fmt: skip
    assert short == AnalysisConfig(
        input="s.csv", score_col="NPS", text_col="why", id_col="rid", group_col="grp",
        date_col="when", segment_cols=("a", "b"), metric_cols=("csat",), n_themes=8,
        n_subthemes=0, model_path=Path("m"), scale=Scale(1, 5, 5, 3), period=Period.week,
        redact=False, brand_detection=False,
    )  # fmt: skip
    assert short.with_(themes="auto", segment_col="c").n_themes is None
    assert short.with_(segment_col="c").segment_cols == ("c",)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"segment_cols": 3},
         "segment_cols must be a column name or a list of column names, got int."),
        ({"segment_cols": ["a", 2]},
         "segment_cols must be a column name or a list of column names, got a list holding "
         "int 2."),
        ({"metric_cols": {"csat": 1}},
         "metric_cols must be a column name or a list of column names, got dict."),
        ({"brand_terms": 5}, "brand_terms must be a term or a list of terms, got int."),
        ({"score_col": 1}, "score_col must be a column name (str) or None, got int."),
        ({"text_col": ["why"]}, "text_col must be a column name (str) or None, got list."),
        ({"n_themes": 2.5}, "n_themes must be a whole number or 'auto', got float 2.5."),
        ({"duplicates": 7}, "duplicates must be one of error, first, last (str), got int."),
        ({"scale_min": "1"}, "scale_min must be a number, got str '1'."),
        ({"scale": Scale(1, 5, 5, 3), "scale_max": 5},
         "Pass the scale as scale=Scale(...) or as scale_min, scale_max, promoter_min and "
         "detractor_max, not both."),
        ({"group_map": 3},
         "group_map must be 'LABEL=GROUP,...', a dict of labels to groups or a list of "
         "(label, group) pairs, got int."),
    ],
)  # fmt: skip
def test_a_wrong_type_is_a_type_error_naming_the_option(options, message) -> None:
    with pytest.raises(TypeError) as err:
        AnalysisConfig(input="s.csv", **options)
    assert str(err.value) == message


def test_analyze_refuses_what_it_cannot_read_with_one_clear_message() -> None:
    df = pd.DataFrame({"score": [9]})
    cases = [
        (lambda: analyze(3), "analyze() takes a pandas DataFrame, a file path or an "
         "AnalysisConfig, got int."),
        (lambda: analyze(df, scroe="score"),
         "analyze() got an unexpected keyword argument 'scroe'. Did you mean 'score'?"),
        (lambda: analyze(df, score="score", score_col="score"),
         "analyze() got both 'score' and 'score_col', two names of the same option: pass one "
         "of them."),
        (lambda: AnalysisConfig(input=[df]),
         "input must be a file path or a pandas DataFrame, got list."),
        (lambda: parse_formats(3),
         "formats must be a format name or a list of format names, got int."),
    ]  # fmt: skip
    for call, message in cases:
        with pytest.raises(TypeError) as err:
            call()
        assert str(err.value) == message
    with pytest.raises(ConfigError) as cerr:
        AnalysisConfig(input="s.csv", representation="bert")
    assert str(cerr.value) == "representation must be one of auto, minilm, tfidf; got 'bert'."


def test_no_written_column_shadows_a_dataframe_attribute(runs, tmp_path: Path) -> None:
    from_frame, _ = runs
    written = write_report(from_frame, tmp_path, ["csv", "xlsx", "json"])
    headers = {
        name: list(pd.read_csv(path, nrows=0).columns)
        for name, path in written.items()
        if name.endswith(".csv")
    }
    book = openpyxl.load_workbook(written["report.xlsx"], read_only=True)
    for sheet in book.worksheets:
        if sheet.title != "summary":  # label/value rows, not a table
            headers[sheet.title] = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert {"comments.csv", "metrics.csv", "trends.csv", "followup.csv", "comments"} <= set(headers)
    assert "row_flags" in headers["comments.csv"] and "flags" not in headers["comments.csv"]
    assert "metric_mean" in headers["metrics.csv"]
    shadowing = {name: set(cols) & PANDAS_NAMES for name, cols in headers.items()}
    assert {name: cols for name, cols in shadowing.items() if cols} == {}
    assert not set(from_frame.comments.columns) & PANDAS_NAMES
    flags = from_frame.comments.row_flags.value_counts()  # the column, not DataFrame.flags
    assert flags.equals(from_frame.comments["row_flags"].value_counts()) and flags["no_text"] > 0


def test_comment_labels_are_the_theme_tables_labels_of_the_ids(runs) -> None:
    from_frame, _ = runs
    comments, themes = from_frame.comments, from_frame.themes
    cols = list(comments.columns)
    assert cols.index("theme_labels") == cols.index("themes") + 1
    assert cols.index("subtheme_labels") == cols.index("subthemes") + 1
    label = dict(zip(themes["theme_id"], themes["label"], strict=True))
    for ids, labels in (("themes", "theme_labels"), ("subthemes", "subtheme_labels")):
        expected = [";".join(label[t] for t in v.split(";") if t) for v in comments[ids]]
        assert comments[labels].tolist() == expected
    assert comments["theme_labels"].str.len().gt(0).sum() > 100  # most comments carry one
    followup = from_frame.followup.set_index("respondent_id")["theme_labels"]
    same = comments.set_index("respondent_id")["theme_labels"].reindex(followup.index)
    assert followup.tolist() == same.tolist()


def test_no_date_column_without_dates(frame: pd.DataFrame) -> None:
    result = analyze(
        frame.drop(columns="response_date").head(120),
        score="score", text="comment", representation="tfidf", themes=3, subthemes=0,
        threads=1, redact_names=False,
    )  # fmt: skip
    assert "date" not in result.comments.columns and "date" not in result.followup.columns
    assert not {"primary_subtheme", "subthemes", "subtheme_labels"} & set(result.comments.columns)
    assert result.trends is None and result.metrics is None
    assert list(result.comments.columns) == [
        "respondent_id", "row", "group", "score", "sentiment", "sentiment_label",
        "primary_theme", "themes", "theme_labels", "row_flags", "text",
    ]  # fmt: skip


def test_the_dask_engine_takes_a_dataframe(frame: pd.DataFrame, runs) -> None:
    pytest.importorskip("distributed")
    from _dask_cluster import local_client
    from feedback_nlp.engines.dask_engine import analyze_dask

    from_frame, _ = runs
    cfg = from_frame.config.with_(engine="dask")
    with local_client(2) as client:
        dask = analyze_dask(cfg, client=client, blocksize=20_000)
    assert dask.summary.engine is not None and dask.summary.engine.partitions >= 3
    assert dask.config.input is frame and dask.summary.manifest.config["input"] == "the DataFrame"
    for name, table in result_tables(from_frame).items():
        pd.testing.assert_frame_equal(table, result_tables(dask)[name], obj=name)


# ---------------------------------------------------------------- fit


def test_fit_takes_a_dataframe_and_finds_the_themes_of_a_csv_of_it(
    frame: pd.DataFrame, runs, tmp_path: Path
) -> None:
    import hashlib
    import json

    from feedback_nlp.plan.fitting import fit_survey
    from feedback_nlp.themes import save_model

    from_frame, from_csv = runs
    outcome = fit_survey(from_frame.config)
    csv_outcome = fit_survey(from_csv.config)

    def themes(model) -> list[tuple[str, str, int]]:
        return [(t["theme_id"], t["label"], t["size"]) for t in model.themes_]

    assert len(themes(outcome.model)) == 5
    assert themes(outcome.model) == themes(csv_outcome.model)
    assert outcome.model.subtheme_rows() == csv_outcome.model.subtheme_rows()
    info, csv_info = outcome.training_info, csv_outcome.training_info
    path = from_csv.config.input
    assert (csv_info["input"], csv_info["input_sha256"]) == (
        "survey.csv",
        hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    # A frame has no bytes: its digest is that of its names and cells as read, the one
    # the analysis's manifest records.
    assert info["input"] == "the DataFrame" and "input_sha256" not in info
    assert info["dataframe_sha256"] == from_frame.summary.manifest.input["sha256"]
    assert len(info["dataframe_sha256"]) == 64
    assert {k: v for k, v in info.items() if k not in ("input", "dataframe_sha256")} == {
        k: v for k, v in csv_info.items() if k not in ("input", "input_sha256")
    }
    changed = frame.copy()
    changed.iloc[0, changed.columns.get_loc("comment")] = "Slow broadband all week"
    again = fit_survey(from_frame.config.with_(input=changed)).training_info
    assert again["dataframe_sha256"] != info["dataframe_sha256"]
    saved = save_model(outcome.model, "m", training_info=info, models_root=tmp_path)
    doc = json.loads((saved / "model.json").read_text())
    assert doc["training"]["dataframe_sha256"] == info["dataframe_sha256"]


def test_fit_names_the_dataframe_in_its_messages() -> None:
    from feedback_nlp.plan.fitting import fit_survey

    df = pd.DataFrame({"NPS": [9, 3, 7], "why": ["Great staff", "Slow wifi", ""]})
    with pytest.raises(DataError) as err:
        fit_survey(AnalysisConfig.from_options(df, score="NPS", text="why"))
    assert str(err.value) == (
        "Only 2 usable comments in the DataFrame: a theme model needs at least 4 "
        "(check --text-col)."
    )
