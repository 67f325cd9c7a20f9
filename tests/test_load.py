"""Tests of stage 1, loading: formats, encodings, joins, columns, rejections, errors."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _load_fixtures import SURVEY, write_csv_text, write_table
from feedback_nlp import load, read
from feedback_nlp.config import AnalysisConfig, DuplicatePolicy, Scale, parse_group_map
from feedback_nlp.errors import ColumnError, ConfigError, DataError, InputFileError
from feedback_nlp.load import load_survey, parse_scores, read_table
from feedback_nlp.result import REJECTED_COLUMNS, Survey

TELECOM = Path(__file__).parents[1].parent / "shared/data/telecom_nps_verbatims.csv"


def survey(path: Path, **options: object) -> Survey:
    return load_survey(AnalysisConfig(input=path, **options))  # type: ignore[arg-type]


def csv_file(tmp_path: Path, text: str, name: str = "survey.csv", enc: str = "utf-8") -> Path:
    return write_csv_text(tmp_path / name, text, enc)


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("ext", ["tsv", "xlsx", "parquet", "jsonl", "ndjson"])
def test_every_format_gives_the_same_frame_as_csv(tmp_path: Path, ext: str) -> None:
    reference = survey(write_table(SURVEY, tmp_path / "s.csv"), segment_cols=("region",))
    other = survey(write_table(SURVEY, tmp_path / f"s.{ext}"), segment_cols=("region",))
    pd.testing.assert_frame_equal(reference.frame, other.frame)
    assert other.rejected["reason"].tolist() == ["non-numeric score: 'abc'"]
    assert other.info["input"]["format"] == ("jsonl" if ext == "ndjson" else ext)


def test_frame_has_canonical_columns_and_values(tmp_path: Path) -> None:
    s = survey(write_table(SURVEY, tmp_path / "s.csv"), segment_cols=("region",))
    f = s.frame
    assert list(f.columns) == [
        "respondent_id", "row", "group", "score", "region", "date", "flags", "text",
    ]  # fmt: skip
    assert f["respondent_id"].tolist() == ["r1", "r2", "r3", "r4", "r5", "r6"]
    assert f["row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert f["score"].tolist() == [10.0, 9.0, 8.0, 7.5, 6.0, 0.0]
    assert f["group"].tolist() == ["promoter"] * 2 + ["passive"] * 2 + ["detractor"] * 2
    assert f["region"].tolist() == ["North", "South", "(missing)", "North", "South", "North"]
    assert f["text"].tolist()[:4] == [
        "Great service, fast", 'Said "ok"', "Café was fine", "Line one\nline two",
    ]  # fmt: skip
    assert f["text"].iloc[4] == ""  # empty text is not a rejection
    assert f["date"].iloc[0] == pd.Timestamp("2018-01-13")  # 13/01 shows day first
    assert f["date"].iloc[2] == pd.Timestamp("2018-03-01")
    assert f["flags"].tolist() == ["", "", "", "", "bad_date", ""]
    assert s.info["date"] == {
        "column": "date", "dayfirst": True, "parsed": 4, "missing": 1, "bad": 1,
    }  # fmt: skip
    assert "1 values in column 'date' are not dates; they are left empty (flag bad_date)." in (
        s.notes
    )
    assert list(s.rejected.columns) == [*REJECTED_COLUMNS, "raw_score", "raw_group", "raw_text"]
    assert s.rejected.iloc[0].to_dict() == {
        "row": 7, "respondent_id": "r7", "source": "s.csv", "reason": "non-numeric score: 'abc'",
        "raw_score": "abc", "raw_group": "", "raw_text": "n/a",
    }  # fmt: skip


def test_input_info(tmp_path: Path) -> None:
    path = write_table(SURVEY, tmp_path / "s.csv")
    info = survey(path).info["input"]
    assert info == {
        "path": str(path),
        "format": "csv",
        "encoding": "utf-8",
        "delimiter": ",",
        "rows_read": 7,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def test_cp1252_is_read_and_announced(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "id,score,comment\n1,9,Café très bien\n2,3,naïve €5\n",
                    "input.csv", "cp1252")  # fmt: skip
    s = survey(path)
    assert s.frame["text"].tolist() == ["Café très bien", "naïve €5"]
    assert s.info["input"]["encoding"] == "cp1252"
    assert "input.csv is not UTF-8; read it as cp1252 (Windows-1252)." in s.notes


def test_utf8_bom_is_handled(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "id,score,comment\n1,9,Café\n", enc="utf-8-sig")
    table, info = read_table(path)
    assert list(table.columns) == ["id", "score", "comment"]
    assert info["encoding"] == "utf-8-sig"
    assert survey(path).frame["text"].tolist() == ["Café"]


def test_mostly_utf8_with_a_broken_byte_keeps_utf8(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("id,score,comment\n1,9,Café été\n2,3,bad \xff byte\n".encode("latin-1")
                     .replace(b"Caf\xe9 \xe9t\xe9", "Café été".encode()))  # fmt: skip
    s = survey(path)
    assert s.frame["text"].tolist() == ["Café été", "bad \ufffd byte"]
    assert "s.csv has 1 byte(s) that are not valid UTF-8; read it as UTF-8 with those " \
        "replaced by '\ufffd'." in s.notes  # fmt: skip


def test_semicolon_delimiter_and_decimal_comma(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'id;score;comment\n1;7,5;"Slow, but ok"\n2;9;Fine, thanks\n')
    s = survey(path)
    assert s.info["input"]["delimiter"] == ";"
    assert s.frame["score"].tolist() == [7.5, 9.0]
    assert s.frame["text"].tolist() == ["Slow, but ok", "Fine, thanks"]


@pytest.mark.parametrize("sep", [",", ";", "|", "\t"])
def test_delimiter_is_sniffed(tmp_path: Path, sep: str) -> None:
    rows = ["id", "score", "comment"], ["1", "9", "good"], ["2", "0", "bad"]
    path = csv_file(tmp_path, "\n".join(sep.join(r) for r in rows) + "\n")
    s = survey(path)
    assert s.info["input"]["delimiter"] == sep
    assert s.frame["text"].tolist() == ["good", "bad"]


def test_pyarrow_fast_path_matches_the_c_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        'id,score,comment\r\n1,9,"multi\nline, quoted"\r\n\r\n2,3,"say ""hi"""\r\n'
        "3,,\r\n4, 7 ,  spaced  \r\n"
    )
    path = csv_file(tmp_path, text)
    fast, _ = read_table(path)
    monkeypatch.setattr(read, "_read_csv_pyarrow", lambda *a: None)
    slow, _ = read_table(path)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["comment"].tolist() == ["multi\nline, quoted", 'say "hi"', "", "  spaced  "]


def test_short_rows_are_padded_by_the_reference_parser(tmp_path: Path) -> None:
    table, _ = read_table(csv_file(tmp_path, "id,score,comment\n1,9\n2,3,ok\n"))
    assert table.to_dict("list") == {"id": ["1", "2"], "score": ["9", "3"], "comment": ["", "ok"]}


def test_xlsx_several_sheets_and_formulas(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Answers"
    sheet.append(["id", "score", "comment", "calc"])
    sheet.append([1, 9, "good", "=1+1"])
    sheet.append([2, 3.0, "bad", "=A3*10"])
    book.create_sheet("Notes").append(["ignored"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    table, info = read_table(path)
    # openpyxl stores no cached value for a formula; it is read as empty, never evaluated.
    assert table.to_dict("list") == {
        "id": ["1", "2"], "score": ["9", "3"], "comment": ["good", "bad"], "calc": ["", ""],
    }  # fmt: skip
    assert info["sheet"] == "Answers"
    assert info["notes"] == ["book.xlsx has 2 sheets; read only the first one, 'Answers'."]


# ---------------------------------------------------------------- joining a comments file


def split_pair(tmp_path: Path, frame: pd.DataFrame) -> tuple[Path, Path]:
    scores = write_table(frame[["id", "score", "region", "date"]], tmp_path / "scores.csv")
    comments = write_table(frame[["id", "comment"]], tmp_path / "comments.csv")
    return scores, comments


def test_join_equals_merged_file(tmp_path: Path) -> None:
    merged = survey(write_table(SURVEY, tmp_path / "merged.csv"), segment_cols=("region",))
    scores, comments = split_pair(tmp_path, SURVEY)
    split = survey(scores, comments=comments, id_col="id", segment_cols=("region",))
    pd.testing.assert_frame_equal(merged.frame, split.frame)
    pd.testing.assert_frame_equal(merged.rejected.drop(columns="source"),
                                  split.rejected.drop(columns="source"))  # fmt: skip
    assert split.info["join"] == {
        "scores_rows": 7, "comments_rows": 7, "matched": 7,
        "unmatched_scores": 0, "unmatched_comments": 0,
    }  # fmt: skip
    assert split.info["comments_input"]["rows_read"] == 7


def test_join_counts_unmatched_ids(tmp_path: Path) -> None:
    scores = csv_file(tmp_path, "id,score\n1,9\n2,3\n3,7\n", "scores.csv")
    comments = csv_file(
        tmp_path, "id,comment\n3,third\n1,first\n9,orphan\n,no id\n", "comments.csv"
    )
    s = survey(scores, comments=comments, id_col="id")
    assert s.frame["text"].tolist() == ["first", "", "third"]
    assert s.frame["flags"].tolist() == ["", "no_comment", ""]
    assert s.info["join"] == {
        "scores_rows": 3, "comments_rows": 4, "matched": 2,
        "unmatched_scores": 1, "unmatched_comments": 2,
    }  # fmt: skip
    assert s.rejected[["row", "respondent_id", "source", "reason", "raw_text"]].to_dict(
        "records"
    ) == [
        {"row": 3, "respondent_id": "9", "source": "comments.csv",
         "reason": "unmatched id (comment without score row)", "raw_text": "orphan"},
        {"row": 4, "respondent_id": "", "source": "comments.csv",
         "reason": "unmatched id (comment without score row)", "raw_text": "no id"},
    ]  # fmt: skip
    assert (
        "1 of 3 score rows in scores.csv have no comment in comments.csv; "
        "they are kept with empty text (flag no_comment)."
    ) in s.notes


def test_comments_file_needs_id_col(tmp_path: Path) -> None:
    scores, comments = split_pair(tmp_path, SURVEY)
    with pytest.raises(ConfigError, match=r"^A separate comments file needs --id-col"):
        survey(scores, comments=comments)


def test_id_col_missing_in_comments_file(tmp_path: Path) -> None:
    scores = csv_file(tmp_path, "id,score\n1,9\n", "scores.csv")
    comments = csv_file(tmp_path, "ID_,comment\n1,x\n", "comments.csv")
    with pytest.raises(ColumnError) as err:
        survey(scores, comments=comments, id_col="id")
    assert str(err.value) == (
        "Column 'id' not found in comments.csv. Did you mean 'ID_'? "
        "Available columns: ID_, comment."
    )


# ---------------------------------------------------------------- duplicate ids


DUPS = "id,score,comment\n" + "".join(
    f"{i},{s},{c}\n"
    for i, s, c in [
        ("a", 9, "a1"), ("b", 3, "b1"), ("a", 5, "a2"), ("c", 8, "c1"), ("a", 10, "a3"),
        ("d", 1, "d1"), ("e", 1, "e1"), ("f", 1, "f1"), ("g", 1, "g1"), ("d", 2, "d2"),
        ("e", 2, "e2"), ("f", 2, "f2"), ("g", 2, "g2"), ("c", 7, "c2"), ("h", 7, "h"),
        ("h", 8, "h2"),
    ]
)  # fmt: skip


def test_duplicate_ids_error_message(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        survey(csv_file(tmp_path, DUPS))
    assert str(err.value) == (
        "7 duplicated id(s) in survey.csv (column 'id'): 'a' (rows 1, 3, 5); "
        "'c' (rows 4, 14); 'd' (rows 6, 10); 'e' (rows 7, 11); 'f' (rows 8, 12); "
        "and 2 more. Use --duplicates first|last to keep one row per id."
    )


@pytest.mark.parametrize(
    ("policy", "kept_a", "dropped_rows"),
    [
        (DuplicatePolicy.first, 9.0, [3, 5, 10, 11, 12, 13, 14, 16]),
        (DuplicatePolicy.last, 10.0, [1, 3, 4, 6, 7, 8, 9, 15]),
    ],
)
def test_duplicate_policies(
    tmp_path: Path, policy: DuplicatePolicy, kept_a: float, dropped_rows: list[int]
) -> None:
    s = survey(csv_file(tmp_path, DUPS), duplicates=policy)
    assert s.frame["respondent_id"].is_unique and len(s.frame) == 8
    assert s.frame.set_index("respondent_id").loc["a", "score"] == kept_a
    assert s.rejected["row"].tolist() == dropped_rows
    assert set(s.rejected["reason"]) == {f"duplicate id (kept {policy.value})"}


def test_duplicates_in_comments_file(tmp_path: Path) -> None:
    scores = csv_file(tmp_path, "id,score\n1,9\n2,3\n", "scores.csv")
    comments = csv_file(tmp_path, "id,comment\n1,one\n2,two\n1,uno\n", "comments.csv")
    with pytest.raises(DataError, match=r"^1 duplicated id\(s\) in comments.csv \(column 'id'\): "
                       r"'1' \(rows 1, 3\)\. Use --duplicates first\|last"):  # fmt: skip
        survey(scores, comments=comments, id_col="id")
    s = survey(scores, comments=comments, id_col="id", duplicates=DuplicatePolicy.last)
    assert s.frame["text"].tolist() == ["uno", "two"]
    assert s.rejected[["row", "source", "reason"]].to_dict("records") == [
        {"row": 1, "source": "comments.csv", "reason": "duplicate id (kept last)"}
    ]


# ---------------------------------------------------------------- columns


def test_column_detection_and_notes(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "Respondent ID,NPS_SCORE,Open Text,Submitted At,Region\n7,9,good,2018-01-02,N\n",
    )
    s = survey(path)
    assert s.info["columns"] == {
        "score": "NPS_SCORE", "group": None, "text": "Open Text", "id": "Respondent ID",
        "date": "Submitted At", "segments": [], "detected": ["score", "id", "text", "date"],
    }  # fmt: skip
    assert s.notes == [
        "Using column 'NPS_SCORE' for scores (detected by name; pass --score-col to choose "
        "another).",
        "Using column 'Respondent ID' for respondent ids (detected by name; pass --id-col to "
        "choose another).",
        "Using column 'Open Text' for comments (detected by name; pass --text-col to choose "
        "another).",
        "Using column 'Submitted At' for dates (detected by name; pass --date-col to choose "
        "another).",
    ]
    assert s.frame["respondent_id"].tolist() == ["7"]


def test_how_likely_question_and_category_detection(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "How likely are you to recommend us?,Category,Why\n9,Billing,x\n2,Network,y\n",
    )
    s = survey(path)
    assert s.info["columns"]["score"] == "How likely are you to recommend us?"
    assert s.info["columns"]["group"] is None  # 'Category' holds no group labels
    assert s.info["columns"]["text"] == "Why"
    assert s.frame["respondent_id"].tolist() == ["1", "2"]  # no id column: row numbers


def test_explicit_columns_are_not_announced(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,b,c\n1,9,x\n")
    s = survey(path, id_col="a", score_col="b", text_col="c")
    assert s.notes == []
    assert s.info["columns"]["detected"] == []


def test_missing_column_message_with_nearest(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "id,score,comment\n1,9,x\n")
    with pytest.raises(ColumnError) as err:
        survey(path, score_col="scor")
    assert str(err.value) == (
        "Column 'scor' not found in survey.csv. Did you mean 'score'? "
        "Available columns: id, score, comment."
    )
    with pytest.raises(ColumnError) as err:
        survey(path, segment_cols=("zzz",))
    assert str(err.value) == (
        "Column 'zzz' not found in survey.csv. Available columns: id, score, comment."
    )


def test_no_score_column(tmp_path: Path) -> None:
    with pytest.raises(ColumnError) as err:
        survey(csv_file(tmp_path, "id,comment\n1,x\n"))
    assert str(err.value) == (
        "Could not choose the columns of survey.csv: score (pass --score-col with the column "
        "holding the 0-10 scores, or --group-col for promoter/passive/detractor labels; no "
        "column looks like one). Available columns: id, comment."
    )


def test_no_text_column_reads_the_scores_only(tmp_path: Path) -> None:
    s = survey(csv_file(tmp_path, "id,score\n1,9\n"))
    assert s.frame["text"].tolist() == [""] and s.info["columns"]["text"] is None
    assert (
        "No text column found in survey.csv: analysed the scores only, without themes (pass "
        "--text-col with the column holding the comments, if any; available columns: id, score)."
    ) in s.notes
    with pytest.raises(ColumnError, match=r"^Column 'comment' not found in survey.csv"):
        survey(csv_file(tmp_path, "id,score\n1,9\n"), text_col="comment")


def test_segment_with_a_builtin_name_is_refused(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "id,score,comment,group\n1,9,x,A\n")
    with pytest.raises(ConfigError, match=r"^Segment column 'group' has the name"):
        survey(path, score_col="score", segment_cols=("group",))


# ---------------------------------------------------------------- scores and groups


@pytest.mark.parametrize(
    ("raw", "reason", "score"),
    [
        ("", "missing score", None),
        ("  ", "missing score", None),
        ("N/A", "missing score", None),
        ("abc", "non-numeric score: 'abc'", None),
        ("9 of 10", "non-numeric score: '9 of 10'", None),
        ("11", "score out of range 0-10: 11", None),
        ("-1", "score out of range 0-10: -1", None),
        ("4/5", "score on another scale: '4/5' (expected out of 10)", None),
        ("9/10", None, 9.0),
        ("7 ", None, 7.0),
        ("7,5", None, 7.5),
        ("10.0", None, 10.0),
        ("0", None, 0.0),
    ],
)
def test_score_parsing(raw: str, reason: str | None, score: float | None) -> None:
    scores, reasons = parse_scores(pd.Series([raw]), Scale())
    assert (None if pd.isna(reasons.iloc[0]) else reasons.iloc[0]) == reason
    if score is None:
        assert np.isnan(scores.iloc[0])
    else:
        assert scores.iloc[0] == score


def test_each_rejection_reason_reaches_the_rejected_table(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'id,score,comment\n1,,a\n2,abc,b\n3,11,c\n4,"9/10",d\n')
    s = survey(path)
    assert s.rejected["reason"].tolist() == [
        "missing score", "non-numeric score: 'abc'", "score out of range 0-10: 11",
    ]  # fmt: skip
    assert s.rejected["raw_score"].tolist() == ["", "abc", "11"]
    assert s.frame["score"].tolist() == [9.0]
    assert s.info["rejected_reasons"] == {
        "missing score": 1, "non-numeric score": 1, "score out of range 0-10": 1,
    }  # fmt: skip
    assert (
        "Rejected 3 of 4 rows of survey.csv: missing score (1), non-numeric score (1), "
        "score out of range 0-10 (1)." in s.notes
    )


def test_five_star_scale(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "id,rating,review\n1,5,a\n2,4,b\n3,3,c\n4,1,d\n5,0,e\n6,6,f\n")
    s = survey(path, scale=Scale(1, 5, promoter_min=5, detractor_max=3))
    assert s.frame["group"].tolist() == ["promoter", "passive", "detractor", "detractor"]
    assert s.rejected["reason"].tolist() == [
        "score out of range 1-5: 0", "score out of range 1-5: 6",
    ]  # fmt: skip


def test_groups_agree_with_scale_group() -> None:
    scale = Scale()
    values = pd.Series(np.arange(0, 10.5, 0.5))
    assert load.groups_from_scores(values, scale).tolist() == [scale.group(v) for v in values]


def test_group_labels_and_group_map(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "id,nps_group,comment\n1,Promoters,a\n2,passive,b\n3,DETRACTOR,c\n4,Neg,d\n5,meh,e\n6,,f\n",
    )
    s = survey(path, group_map=parse_group_map("neg=detractor"))
    assert s.frame["group"].tolist() == ["promoter", "passive", "detractor", "detractor"]
    assert s.frame["score"].isna().all()
    assert s.rejected["reason"].tolist() == [
        "unknown group label: 'meh' (expected promoter, passive, detractor or --group-map)",
        "missing group label",
    ]
    assert s.rejected["raw_group"].tolist() == ["meh", ""]
    assert s.info["columns"]["group"] == "nps_group"


def test_score_wins_over_group(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "id,score,group,comment\n1,9,Detractor,a\n")
    s = survey(path, group_col="group")
    assert s.frame["group"].tolist() == ["promoter"]
    assert (
        "Both a score column ('score') and a group column ('group') are given; "
        "groups come from the scores." in s.notes
    )


def test_no_valid_score(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        survey(csv_file(tmp_path, "id,score,comment\n1,x,a\n2,12,b\n"))
    assert str(err.value) == (
        "No valid score in survey.csv: all 2 rows were rejected (first reason: row 1, "
        "column 'score': non-numeric score: 'x'). Check --score-col and the scale options."
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="0123456789 ,./-+eabN\"'", max_size=6), min_size=1, max_size=15))
def test_every_row_is_accounted_for(scores: list[str]) -> None:
    frame = pd.DataFrame(
        {"id": [str(i) for i in range(len(scores))], "score": scores, "comment": "x"}
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(frame, Path(tmp) / "s.csv")
        try:
            # The 0-10 scale chosen: a few low scores alone would ask for the scale
            # (tests/test_scales.py).
            s = survey(path, scale=Scale(0, 10))
        except DataError as err:  # every score was invalid
            assert str(err).startswith(f"No valid score in s.csv: all {len(scores)} rows")
            return
    assert len(s.frame) + len(s.rejected) == len(scores) == s.info["input"]["rows_read"]
    assert sorted([*s.frame["row"], *s.rejected["row"]]) == list(range(1, len(scores) + 1))
    assert s.frame["score"].between(0, 10).all()
    assert s.rejected["reason"].str.len().gt(0).all()


# ---------------------------------------------------------------- bad files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as err:
        read_table(tmp_path / "x.csv")
    assert str(err.value) == f"File not found: {tmp_path / 'x.csv'}"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"is a directory, not a file"):
        read_table(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "x.csv has no data rows: the file is empty."),
        (b"\n\n  \n", "x.csv has no data rows: the file is empty."),
        (b"id,score,comment\n", "x.csv has no data rows, only a header line."),
        (b"id,score\x00\x01\x02", "x.csv looks like a binary file, not CSV text."),
        (b"PK\x03\x04\x00\x00", "x.csv looks like a binary file, not CSV text "
                                "(it looks like a zip or .xlsx file)."),  # fmt: skip
        (b"id,score\n1,2\n3,4,5\n", "x.csv is malformed at line 3: 3 fields where the header "
                                    "has 2 (delimiter ','). Check the delimiter and quoting."),
        (b'id,score\n1,"2\n', "x.csv is malformed: a quote opened on line 2 is never closed. "
                              "Check the quoting (a stray '\"' at the start of a cell)."),
    ],
)  # fmt: skip
def test_bad_csv_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        read_table(path)
    assert str(err.value) == message


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "x.xls"
    path.write_bytes(b"whatever")
    with pytest.raises(InputFileError) as err:
        read_table(path)
    assert str(err.value) == (
        "Unsupported file type '.xls' for x.xls: use one of .csv, .tsv, .xlsx, .parquet, "
        ".jsonl, .ndjson (save or rename it accordingly)."
    )


def test_bad_jsonl_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1, "score": 9}\n\n{"id": 2, score: 3}\n')
    with pytest.raises(InputFileError) as err:
        read_table(path)
    assert str(err.value) == (
        "x.jsonl is malformed: invalid JSON on line 3 (Expecting property name enclosed "
        "in double quotes)."
    )


@pytest.mark.parametrize("ext", ["xlsx", "parquet"])
def test_corrupt_binary_formats(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"x.{ext}"
    path.write_bytes(b"this is not a real file at all")
    with pytest.raises(InputFileError, match=rf"^x\.{ext} is not a readable"):
        read_table(path)


# ---------------------------------------------------------------- real data


@pytest.mark.skipif(not TELECOM.exists(), reason="shared real data not present")
def test_telecom_survey() -> None:
    s = survey(TELECOM, score_col="NPS_SCORE", text_col="text")
    assert len(s.frame) == 2353
    assert len(s.rejected) == 32
    assert set(s.rejected["reason"]) == {"missing score"}
    assert s.frame["group"].value_counts().to_dict() == {
        "promoter": 690, "passive": 392, "detractor": 1271,
    }  # fmt: skip
    assert s.info["date"]["dayfirst"] is True and s.info["date"]["bad"] == 0


def test_score_named_column_holding_labels_is_the_group_column(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "NPS,Feedback\nPromoter,a\nDetractor,b\n")
    with pytest.raises(ColumnError, match=r"^Could not choose the columns of survey.csv: score "
                       r"\(pass --score-col .*; nearest: 'NPS'\)\. Available"):  # fmt: skip
        survey(path)
    s = survey(path, group_col="NPS")
    assert s.frame["group"].tolist() == ["promoter", "detractor"]
    detected = survey(csv_file(tmp_path, "NPS_Category,Feedback\nPromoter,a\n", "t.csv"))
    assert detected.info["columns"]["group"] == "NPS_Category"
    assert detected.notes[0] == (
        "Using column 'NPS_Category' for NPS groups (detected by name; pass --group-col to "
        "choose another)."
    )
