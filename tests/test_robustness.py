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
    assert comments["flags"].tolist() == ["no_text"] * 4
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
    with pytest.raises(ColumnError, match=r"^No text column found in extra.csv: pass --text-col"):
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
        "1 comment longer than 100,000 characters (row 2): name redaction by spaCy's "
        "recogniser and theme labels read only the first 100,000; sentiment, themes and the "
        "other redaction read all of it."
    ) in result.notes
    long_row = result.comments.set_index("row").loc[2]
    assert len(long_row["text"]) >= 1_190_000  # placeholders may shorten it a little
    assert long_row["sentiment"] == long_row["sentiment"]  # scored (not NaN)
