"""The command line: exit codes, exact one-line messages, outputs, determinism, joins."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import DEMO_OPTS
from feedback_nlp.cli import app

runner = CliRunner()
FAST = ["--representation", "tfidf", "--quiet"]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help():
    code, out, _ = run("--help")
    assert code == 0
    for name in ("analyze", "demo", "fit"):
        assert name in out
        sub_code, sub_out, _ = run(name, "--help")
        assert sub_code == 0 and len(sub_out.strip()) > 100


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys, feedback_nlp.cli; "
        "heavy = [m for m in ('sklearn', 'spacy', 'vaderSentiment', 'onnxruntime', 'pandas') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def analysed(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    code, stdout, stderr = run("analyze", str(demo_csv), *DEMO_OPTS, *FAST, "--out", str(out))
    assert code == 0, stderr
    assert f"Report written to {out / 'report.html'}" in " ".join(stdout.split())
    return out


def test_analyze_writes_every_output_and_accounts_for_every_row(analysed: Path, demo_csv: Path):
    for name in (
        "comments.csv",
        "themes.csv",
        "segments.csv",
        "segment_themes.csv",
        "terms.csv",
        "rejected.csv",
        "sentences.csv",
        "summary.json",
        "report.md",
        "report.html",
    ):
        assert (analysed / name).stat().st_size > 0, name
    summary = json.loads((analysed / "summary.json").read_text())
    raw = pd.read_csv(demo_csv, dtype=str, keep_default_na=False)
    comments = pd.read_csv(analysed / "comments.csv", dtype=str, keep_default_na=False)
    rejected = pd.read_csv(analysed / "rejected.csv", dtype=str, keep_default_na=False)
    assert summary["rows"]["read"] == len(raw) == len(comments) + len(rejected)
    assert sorted(
        comments["respondent_id"].tolist() + rejected["respondent_id"].tolist()
    ) == sorted(raw["respondent_id"])
    assert set(rejected["reason"]) == {"missing score"}
    assert (raw["score"] == "").sum() == len(rejected)
    # no-text rows count toward NPS, are flagged and get no theme
    no_text = comments[comments["flags"].str.contains("no_text")]
    assert len(no_text) == summary["rows"]["no_text"] > 0
    assert (no_text["primary_theme"] == "").all()
    scored = pd.to_numeric(comments["score"])
    assert summary["nps"]["n"] == len(comments)
    expected = 100 * ((scored >= 9).sum() - (scored <= 6).sum()) / len(scored)
    assert summary["nps"]["score"] == round(expected, 2)


def test_same_input_and_seed_give_identical_bytes(demo_csv: Path, analysed: Path, tmp_path: Path):
    code, _, err = run("analyze", str(demo_csv), *DEMO_OPTS, *FAST, "--out", str(tmp_path))
    assert code == 0, err
    for path in sorted(analysed.glob("*.csv")) + [analysed / "summary.json"]:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_scores_and_comments_files_joined_by_id_match_the_merged_file(
    demo_csv: Path, analysed: Path, tmp_path: Path
):
    raw = pd.read_csv(demo_csv, dtype=str, keep_default_na=False)
    scores = raw.drop(columns=["comment"])
    comments = raw[["respondent_id", "comment"]]
    # shuffle the comments and add two comments whose ids have no score row
    extra = pd.DataFrame({"respondent_id": ["X1", "X2"], "comment": ["orphan one", "orphan two"]})
    comments = pd.concat([comments.iloc[::-1], extra], ignore_index=True)
    scores.to_csv(tmp_path / "scores.csv", index=False)
    comments.to_csv(tmp_path / "comments.csv", index=False)
    out = tmp_path / "out"
    code, _, err = run(
        "analyze",
        str(tmp_path / "scores.csv"),
        "--comments",
        str(tmp_path / "comments.csv"),
        *DEMO_OPTS,
        *FAST,
        "--out",
        str(out),
    )
    assert code == 0, err
    joined = json.loads((out / "summary.json").read_text())
    merged = json.loads((analysed / "summary.json").read_text())
    assert joined["nps"] == merged["nps"]
    assert joined["join"]["unmatched_comments"] == 2
    assert joined["join"]["unmatched_scores"] == 0
    assert joined["rows"]["rejected"] == merged["rows"]["rejected"] + 2
    for name in ("themes.csv", "segments.csv", "segment_themes.csv", "terms.csv"):
        assert (out / name).read_bytes() == (analysed / name).read_bytes(), name
    a = pd.read_csv(out / "comments.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(analysed / "comments.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(a, b)


def _error_line(*args: str) -> tuple[int, str]:
    code, _, err = run(*args)
    return code, " ".join(err.split())


def test_bad_inputs_give_one_line_and_exit_1(tmp_path: Path):
    missing = tmp_path / "nope.csv"
    assert _error_line("analyze", str(missing)) == (1, f"Error: File not found: {missing}")

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert _error_line("analyze", str(empty)) == (
        1,
        "Error: empty.csv has no data rows: the file is empty.",
    )

    header = tmp_path / "header.csv"
    header.write_text("score,comment\n")
    assert _error_line("analyze", str(header)) == (
        1,
        "Error: header.csv has no data rows, only a header line.",
    )

    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 200)
    assert _error_line("analyze", str(binary))[1].startswith(
        "Error: blob.csv looks like a binary file, not CSV text"
    )

    survey = tmp_path / "survey.csv"
    survey.write_text("id,score,comment\n1,9,great\n2,3,slow\n")
    assert _error_line("analyze", str(survey), "--score-col", "scor") == (
        1,
        "Error: Column 'scor' not found in survey.csv. Did you mean 'score'? "
        "Available columns: id, score, comment.",
    )

    # Without a text column the scores are analysed (tests/test_robustness.py); a text
    # column that is named but missing is still an error.
    no_text = tmp_path / "notext.csv"
    no_text.write_text("id,score\n1,9\n2,3\n")
    code, line = _error_line("analyze", str(no_text), "--text-col", "comment")
    assert code == 1 and line == (
        "Error: Column 'comment' not found in notext.csv. Did you mean 'score'? "
        "Available columns: id, score."
    )

    bad_scores = tmp_path / "bad.csv"
    bad_scores.write_text("score,comment\nabc,slow\n11,fine\n")
    code, line = _error_line("analyze", str(bad_scores))
    assert code == 1 and line == (
        "Error: No valid score in bad.csv: all 2 rows were rejected (first reason: non-numeric "
        "score: 'abc'). Check --score-col and the scale options."
    )

    assert _error_line("analyze", str(survey), "--themes", "many") == (
        1,
        "Error: --themes must be 'auto' or a number from 2 to 100, got 'many'.",
    )


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "feedback_nlp", "--help"], capture_output=True, text=True, check=True
    )
    assert "analyze" in out.stdout and "demo" in out.stdout
