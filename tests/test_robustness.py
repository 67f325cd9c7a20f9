"""No traceback, no silent row loss, terminal safety (issue 13).

Tiny and score-only surveys get their NPS, segments, trends, metrics and
follow-up in every report format; a comment longer than spaCy's limit is
analysed; a file name that is not UTF-8, a seed out of range and rich markup
in user text give a report or one line, never a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from feedback_nlp.cli import app
from feedback_nlp.config import AnalysisConfig, Representation
from feedback_nlp.errors import ColumnError, ConfigError
from feedback_nlp.load import load_survey
from feedback_nlp.result import THEME_COLUMNS

runner = CliRunner()
FAST = ["--representation", "tfidf"]
ALL_FORMATS = [x for f in ("html", "md", "csv", "json", "xlsx") for x in ("--format", f)]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line(text: str) -> str:
    return " ".join(text.split())


def assert_every_format(out: Path, nps: float, note: str = "too little text for themes") -> None:
    """Each report file exists and reads back; the theme tables are empty with their columns."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["nps"]["score"] == pytest.approx(nps)
    assert summary["themes"] == []
    themes = pd.read_csv(out / "themes.csv")
    assert list(themes.columns) == list(THEME_COLUMNS) and themes.empty
    assert pd.read_csv(out / "segment_themes.csv").empty
    assert "No themes: the survey has too little usable text" in (out / "report.md").read_text()
    assert note in (out / "report.html").read_text(encoding="utf-8")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert len(book.sheetnames) > 1
    book.close()


# ---------------------------------------------------------------- tiny and score-only surveys


def test_three_answer_pilot_gets_nps_segments_trends_metrics_in_every_format(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pilot.csv"
    path.write_text(
        "score,comment,region,date,csat\n"
        "9,great,North,2026-01-03,5\n3,slow,South,2026-02-04,2\n7,ok,North,2026-02-05,4\n"
    )
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "analyze", str(path), "--segment-col", "region", "--metric-col", "csat",
        *FAST, *ALL_FORMATS, "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert (
        "Note: Only 3 distinct usable comments: too little text for themes (at least 4 are "
        "needed); NPS, segments, trends, metrics and follow-up are reported without themes."
    ) in one_line(stderr)
    assert "NPS +0.00" in stdout and "Follow-up" in stdout
    assert_every_format(out, 0.0)
    segments = pd.read_csv(out / "segments.csv")
    assert segments["value"].tolist() == ["North", "South"]
    assert pd.read_csv(out / "trends.csv")["period"].nunique() == 2
    assert pd.read_csv(out / "metrics.csv")["metric"].iloc[0] == "csat"
    followup = pd.read_csv(out / "followup.csv")
    assert sorted(followup["group"]) == ["detractor", "promoter"]


def test_score_only_export_is_analysed_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("score,region\n9,North\n3,South\n7,North\n10,South\n")
    out = tmp_path / "out"
    code, _, stderr = run(
        "analyze", str(path), "--segment-col", "region", *FAST, *ALL_FORMATS, "--out", str(out)
    )
    assert code == 0, stderr
    assert (
        "Note: No text column found in scores.csv: analysed the scores only, without themes "
        "(pass --text-col with the column holding the comments, if any; available columns: "
        "score, region)."
    ) in one_line(stderr)
    assert "Only 0 distinct" not in stderr  # one note says it
    comments = pd.read_csv(out / "comments.csv", keep_default_na=False)
    assert comments["row_flags"].tolist() == ["no_text"] * 4
    assert_every_format(out, 25.0, note="analysed the scores only, without themes")


def test_empty_comment_column_is_analysed_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("score,comment\n9,\n3,\n7,\n")
    out = tmp_path / "out"
    code, _, stderr = run("analyze", str(path), *FAST, *ALL_FORMATS, "--out", str(out))
    assert code == 0, stderr
    assert "Note: Only 0 distinct usable comments: too little text" in one_line(stderr)
    assert_every_format(out, 0.0)


def test_a_named_text_column_must_exist_and_a_comments_file_must_have_text(
    tmp_path: Path,
) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text("id,score\n1,9\n2,3\n")
    with pytest.raises(ColumnError, match=r"^Column 'comment' not found in scores.csv\."):
        load_survey(AnalysisConfig(input=scores, text_col="comment"))
    extra = tmp_path / "extra.csv"
    extra.write_text("id,channel\n1,web\n2,phone\n")
    with pytest.raises(ColumnError, match=r"^Could not choose the columns of extra.csv: comments "
                       r"\(pass --text-col with the column holding the comments; nearest: "
                       r"'channel'\)\. Available columns: id, channel\.$"):  # fmt: skip
        load_survey(AnalysisConfig(input=scores, comments=extra, id_col="id"))


def test_per_segment_themes_skip_values_with_too_little_text(tmp_path: Path) -> None:
    from feedback_nlp import analyze

    path = tmp_path / "s.csv"
    rows = [f"{9 if i % 2 else 3},the same words,A" for i in range(6)]
    rows += [f"{i % 11},comment {w} here,B" for i, w in enumerate("abcdefghij")]
    path.write_text("score,comment,seg\n" + "\n".join(rows) + "\n")
    cfg = AnalysisConfig(
        input=path, segment_cols=("seg",), per_segment=True, min_segment_comments=2,
        representation=Representation.tfidf,
    )  # fmt: skip
    result = analyze(cfg)  # A: one distinct comment; B: a one-word vocabulary
    assert result.segment_own_themes.empty
    assert len(result.segments) == 2 and len(result.comments) == 16


def test_comments_with_a_one_word_vocabulary_give_a_report_without_themes(
    tmp_path: Path,
) -> None:
    from feedback_nlp import analyze

    path = tmp_path / "s.csv"
    path.write_text(
        "score,comment\n" + "".join(f"{i},comment {c} here\n" for i, c in enumerate("abcde"))
    )
    result = analyze(AnalysisConfig(input=path, representation=Representation.tfidf))
    assert result.themes.empty and result.summary.nps.n == 5
    assert any(
        n.startswith("Only 5 distinct usable comments: too little text for themes (")
        for n in result.notes
    )


# ---------------------------------------------------------------- seed


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_seed_out_of_range_is_one_line_before_anything_runs(tmp_path: Path, seed: str) -> None:
    out = tmp_path / "out"
    survey = tmp_path / "s.csv"
    survey.write_text("score,comment\n9,great\n")
    for args in (
        ("analyze", str(survey), f"--seed={seed}", "--out", str(out)),
        ("demo", f"--seed={seed}", "--out", str(out)),
        ("fit", str(survey), f"--seed={seed}", "--save", str(out)),
    ):
        code, _, stderr = run(*args)
        assert (code, stderr.strip()) == (
            1,
            f"Error: --seed must be a whole number from 0 to 4294967295, got {seed}.",
        ), args
        assert not out.exists()
    with pytest.raises(ConfigError):
        AnalysisConfig(input=tmp_path / "x.csv", seed=True)  # type: ignore[arg-type]


def test_largest_seed_is_accepted(tmp_path: Path) -> None:
    from feedback_nlp import analyze

    path = tmp_path / "s.csv"
    words = ["slow router", "great staff", "billing error", "fast setup", "no signal", "fine"]
    path.write_text("score,comment\n" + "".join(f"{i % 11},{w}\n" for i, w in enumerate(words)))
    result = analyze(
        AnalysisConfig(input=path, seed=2**32 - 1, representation=Representation.tfidf)
    )
    assert len(result.comments) == 6 and len(result.themes) >= 2


# ---------------------------------------------------------------- terminal safety

MARKUP_COLUMN = "[/]seg"
LINK = "[link=http://evil.example]click[/link]"


def test_markup_in_column_names_values_paths_and_options_is_printed_as_text(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "d[" / "]"  # the path reads .../d[/]
    folder.mkdir(parents=True)
    path = folder / "survey[bold].csv"
    path.write_text(
        f"score,comment,{MARKUP_COLUMN},[link=http://evil.example]csat\n"
        f"9,great service,[/]a,1\n3,slow [red]x,{LINK},2\n7,ok fine,[bold],3\n8,good,b,4\n"
    )
    out = folder / "out"
    code, stdout, stderr = run(
        "analyze", str(path), "--segment-col", MARKUP_COLUMN,
        "--metric-col", "[link=http://evil.example]csat", *FAST, "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    text = one_line(stdout)
    for literal in (
        "[/]a",
        "[bold]",
        "[link=http://evil.example]",
        "[link=http://evil.example]csat",
    ):
        assert literal in text
    assert f"Report written to {out / 'report.html'}" in text
    assert "\x1b]8;" not in stdout + stderr  # no terminal hyperlink

    # Errors quoting user input: a path, an option value, a column name.
    for args, message in (
        ((str(folder / "[/]missing.csv"),), f"Error: File not found: {folder / '[/]missing.csv'}"),
        ((str(path), "--text-col", LINK), f"Error: Column '{LINK}' not found in survey[bold].csv."),
        ((str(path), "--segment-col", "[/]"), "Error: Column '[/]' not found in survey[bold].csv."),
    ):
        code, _, stderr = run("analyze", *args, "--out", str(tmp_path / "o2"))
        assert code == 1 and len(stderr.strip().splitlines()) == 1, stderr
        assert one_line(stderr).startswith(message)


def test_esc_leaves_plain_text_alone_and_escapes_markup() -> None:
    from rich.console import Console

    from feedback_nlp.cli._common import esc

    assert esc("NPS by region") == "NPS by region"
    console = Console(record=True, width=200, force_terminal=True)
    for text in ("[/]", LINK, "trailing backslash \\", "[bold]x[/bold]", "a [b] c"):
        console.print(f"[bold]{esc(text)}[/]")
        assert console.export_text().strip() == text


def test_fit_prints_theme_labels_and_paths_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    from feedback_nlp.cli.fit import print_saved_model

    print_saved_model([{"theme_id": "[/]", "label": LINK, "size": 3}], Path("models/m[/]"))
    out = one_line(capsys.readouterr().out)
    assert f"[/] {LINK} (3 comments)" in out
    assert (
        "Saved 1 theme to models/m[/] Use it: feedback-nlp analyze DATA --model models/m[/] "
        "Edit models/m[/]/codebook.yaml"
    ) in out
    subs = [{"theme_id": "[/].1", "parent_id": "[/]"}, {"theme_id": "[/].2", "parent_id": "[/]"}]
    print_saved_model([{"theme_id": "[/]", "label": LINK, "size": 3}], Path("m"), subs)
    out = one_line(capsys.readouterr().out)
    assert "(3 comments, 2 sub-themes)" in out and "Saved 1 theme and 2 sub-themes to m Use" in out


# ---------------------------------------------------------------- file names


def test_file_name_that_is_not_utf8_gives_a_report(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.csv"
    try:
        with open(raw, "wb") as fh:
            fh.write(b"score,comment\n9,great\nx,bad score\n3,slow\n")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    name = os.fsdecode(raw)
    out_raw = os.fsencode(tmp_path) + b"/out\xff"
    code, stdout, stderr = run("analyze", name, *FAST, *ALL_FORMATS, "--out", os.fsdecode(out_raw))
    assert code == 0, stderr
    out = Path(os.fsdecode(out_raw))
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "caf\ufffd.csv" in summary
    rejected = pd.read_csv(out / "rejected.csv")
    assert rejected["source"].tolist() == ["caf\ufffd.csv"]
    assert "Report written to" in stdout and "out\ufffd" in stdout


def test_option_value_that_is_not_utf8_gives_a_report(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("score,comment\n9,great\n3,slow\n")
    out = tmp_path / "out"
    term = os.fsdecode(b"acme\xff")  # what argv gives for bytes that are not UTF-8
    code, _, stderr = run("analyze", str(path), "--brand-terms", term, *FAST, "--out", str(out))
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["manifest"]["config"]["brand_terms"] == ["acme\ufffd"]
    code, _, stderr = run("analyze", str(path), "--text-col", term, "--out", str(out / "2"))
    assert (code, one_line(stderr)) == (
        1,
        "Error: Column 'acme\ufffd' not found in s.csv. Did you mean 'comment'? Available "
        "columns: score, comment.",
    )


# ---------------------------------------------------------------- long comments


@pytest.mark.timeout(300)
def test_comment_over_spacy_limit_is_analysed_with_a_note(tmp_path: Path) -> None:
    from feedback_nlp import analyze

    words = "the router keeps dropping out every evening but Sarah said it would be fixed".split()
    big = " ".join(words[i % len(words)] for i in range(220_000))[:1_200_000]
    assert len(big) == 1_200_000
    rows = ["9,great service thanks", f'3,"{big}"', "7,ok but slow at times",
            "8,friendly staff", "2,billing errors every month", "10,love the speed"]  # fmt: skip
    path = tmp_path / "long.csv"
    path.write_text("score,comment\n" + "\n".join(rows) + "\n")
    result = analyze(AnalysisConfig(input=path, representation=Representation.tfidf))
    assert (
        "1 comment longer than 100,000 characters (row 2): person names in it are found by "
        "the fixed cues only (not spaCy's recogniser), and theme labels read its first "
        "100,000 characters; sentiment and themes read all of it."
    ) in result.notes
    long_row = result.comments.set_index("row").loc[2]
    assert len(long_row["text"]) >= 1_190_000  # placeholders may shorten it a little
    assert long_row["sentiment"] == long_row["sentiment"]  # scored (not NaN)


# ---------------------------------------------------------------- reading


def test_repeated_column_names_are_renamed_alike_in_every_format_with_a_note(
    tmp_path: Path,
) -> None:
    from feedback_nlp.read import read_table

    csv_path = tmp_path / "s.csv"
    csv_path.write_text("score,comment,score,comment \n9,great,1,a\n3,slow,2,b\n")
    frame, info = read_table(csv_path)
    assert list(frame.columns) == ["score", "comment", "score.1", "comment.1"]
    assert frame["score.1"].tolist() == ["1", "2"]
    assert info["notes"] == [
        "s.csv has 2 columns named 'score' (columns 1, 3); they are read as 'score', 'score.1'.",
        "s.csv has 2 columns named 'comment' (columns 2, 4); they are read as 'comment', "
        "'comment.1'.",
    ]
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in (["score", "comment", "score"], [9, "great", 1], [3, "slow", 2]):
        book.active.append(row)
    book.save(tmp_path / "s.xlsx")
    frame, info = read_table(tmp_path / "s.xlsx")
    assert list(frame.columns) == ["score", "comment", "score.1"]
    assert info["notes"][-1] == (
        "s.xlsx has 2 columns named 'score' (columns 1, 3); they are read as 'score', 'score.1'."
    )
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table(
        [["9", "3"], ["great", "slow"], ["1", "2"]], names=["score", "comment", "score"]
    )
    pq.write_table(table, tmp_path / "s.parquet")
    frame, info = read_table(tmp_path / "s.parquet")
    assert list(frame.columns) == ["score", "comment", "score.1"]
    assert frame["score.1"].tolist() == ["1", "2"] and len(info["notes"]) == 1
    survey = load_survey(AnalysisConfig(input=tmp_path / "s.xlsx"))
    assert survey.frame["score"].tolist() == [9.0, 3.0]


@pytest.mark.parametrize(
    ("text", "header", "rows", "other"),
    [
        ("score;comment\n9,great\n3,slow\n7,ok\n", ";", 3, ","),
        ("score,comment\n9;great\n3;slow\n7;ok\n", ",", 3, ";"),
        ("id;score;comment\n1,9,great\n2,3,slow\n", ";", 2, ","),
        ("score\tcomment\n9,great\n3,slow\n", "\t", 2, ","),
    ],
)
def test_mixed_delimiters_are_refused_with_a_message(
    tmp_path: Path, text: str, header: str, rows: int, other: str
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(text)
    code, _, stderr = run("analyze", str(path), "--out", str(tmp_path / "out"))
    assert (code, one_line(stderr)) == (
        1,
        f"Error: mixed.csv mixes delimiters: its header is separated by {header!r} but "
        f"{rows} of the first {rows} rows by {other!r}. Save the file with one delimiter "
        "throughout.",
    )


def test_a_comment_holding_the_other_delimiter_is_not_a_mixed_file(tmp_path: Path) -> None:
    from feedback_nlp.read import read_table

    path = tmp_path / "s.csv"
    path.write_text("comment;flag\nSlow, unreliable;\nGreat, fast;\n")
    assert read_table(path)[0].shape == (2, 2)


def _rows(n: int) -> list[str]:
    return [f"{i % 11},comment number {i}" for i in range(n)]


def test_quote_never_closed_names_its_line(tmp_path: Path) -> None:
    rows = _rows(60)
    rows[5] = '3,"the router keeps dropping'
    path = tmp_path / "q.csv"
    path.write_text("score,comment\n" + "\n".join(rows) + "\n")
    code, _, stderr = run("analyze", str(path), "--out", str(tmp_path / "out"))
    assert (code, one_line(stderr)) == (
        1,
        "Error: q.csv is malformed: a quote opened on line 7 is never closed. Check the "
        "quoting (a stray '\"' at the start of a cell).",
    )


def test_quote_left_open_until_a_later_quote_names_the_rows(tmp_path: Path) -> None:
    rows = _rows(60)
    rows[5] = '3,"the router keeps dropping'
    rows[19] = '8,"fine" they said'
    path = tmp_path / "q.csv"
    path.write_text("score,comment\n" + "\n".join(rows) + "\n")
    survey = load_survey(AnalysisConfig(input=path))
    assert len(survey.frame) == 46
    assert (
        "q.csv: data row 6 (lines 7-21) holds 14 lines shaped like rows of their own (first: "
        "line 8) inside a quoted cell: a quote left open? They are read as part of that row's "
        "cell; check the quoting."
    ) in survey.notes


def test_comments_over_several_lines_are_not_reported(tmp_path: Path) -> None:
    rows = _rows(20)
    rows[3] = '2,"Slow, unreliable.\nWould not recommend, sorry.\n\nCalled 3 times"'
    path = tmp_path / "s.csv"
    path.write_text("score,comment\n" + "\n".join(rows) + "\n")
    survey = load_survey(AnalysisConfig(input=path))
    assert len(survey.frame) == 20 and not any("quote" in n for n in survey.notes)
    assert survey.frame["text"][3].startswith("Slow, unreliable.\nWould")


def test_json_lines_with_line_separators_inside_strings(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    lines = [
        {"score": 9, "comment": "one\u2028two\u2029three\x85four"},
        {"score": 3, "comment": "slow"},
    ]
    path.write_text("\r\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    survey = load_survey(AnalysisConfig(input=path))
    assert survey.frame["text"].tolist() == ["one\u2028two\u2029three\x85four", "slow"]


def test_json_lines_lone_surrogates_are_replaced_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"score": 9, "comment": "bad \\ud800 one", "seg": "\\udc00x"}\n'
        '{"score": 3, "comment": "slow \\ud83d\\ude00", "seg": "b"}\n'
    )
    out = tmp_path / "out"
    code, _, stderr = run("analyze", str(path), "--segment-col", "seg", *FAST, *ALL_FORMATS,
                          "--out", str(out))  # fmt: skip
    assert code == 0, stderr
    assert (
        "Note: s.jsonl has 2 cells with a lone surrogate escape (such as \\ud800, not a "
        "character); read with U+FFFD in its place."
    ) in one_line(stderr)
    comments = pd.read_csv(out / "comments.csv")
    assert comments["text"].tolist() == ["bad \ufffd one", "slow \U0001f600"]
    assert comments["seg"].tolist() == ["\ufffdx", "b"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("comment", ["café déjà vu", "Медленный интернет каждый вечер"])
def test_utf16_without_byte_order_mark_is_read_with_a_note(
    tmp_path: Path, encoding: str, comment: str
) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(f"score,comment\n9,{comment}\n3,slow\n".encode(encoding))
    survey = load_survey(AnalysisConfig(input=path))
    assert survey.frame["text"].tolist() == [comment, "slow"]
    assert f"s.csv is UTF-16 without a byte-order mark; read it as {encoding.upper()}." in (
        survey.notes
    )


# ---------------------------------------------------------------- report.md


def test_report_md_shows_links_and_images_from_comments_as_text(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    payloads = [
        "slow router [click here](javascript:alert(1)) again",
        "slow router ![](http://beacon.example/p.png) again",
        "slow router [x](JaVaScRiPt:alert(1)) <javascript:alert(1)>",
        "slow router ![a][b] [b]: http://beacon.example/q.png",
    ]
    rows = [f"2,{p}" for p in payloads] + [f"{9 + i % 2},great fast staff {i}" for i in range(8)]
    path = tmp_path / "s.csv"
    path.write_text("score,comment\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    code, _, stderr = run("analyze", str(path), *FAST, "--format", "md", "--out", str(out))
    assert code == 0, stderr
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "javascript:alert(1)" in md.lower()  # the comments are shown...
    html = MarkdownIt().render(md).lower()
    assert "<img" not in html and "href=" not in html  # ...as text
