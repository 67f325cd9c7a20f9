"""The command line: exit codes, exact one-line messages, outputs, determinism, joins."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
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
def analysed_run(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The report folder of a --quiet analysis of the demo survey, its stdout and stderr."""
    out = tmp_path_factory.mktemp("out")
    code, stdout, stderr = run("analyze", str(demo_csv), *DEMO_OPTS, *FAST, "--out", str(out))
    assert code == 0, stderr
    return out, stdout, stderr


@pytest.fixture(scope="module")
def analysed(analysed_run: tuple[Path, str, str]) -> Path:
    return analysed_run[0]


def test_quiet_prints_only_where_the_report_is(analysed_run: tuple[Path, str, str]):
    out, stdout, stderr = analysed_run
    assert (stdout, stderr) == (f"Report written to {out / 'report.html'}\n", "")


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
    no_text = comments[comments["row_flags"].str.contains("no_text")]
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
        "Error: No valid score in bad.csv: all 2 rows were rejected (first reason: row 1, "
        "column 'score': non-numeric score: 'abc'). Check --score-col and the scale options."
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


# ---------------------------------------------------------------- fit reads the scale as analyze


def _ratings(tmp_path: Path, n: int) -> Path:
    """A 1-5 star rating file of ``n`` answers with distinct comments."""
    words = ["delivery", "price", "size", "colour", "fabric", "service", "refund", "staff"]
    path = tmp_path / f"stars{n}.csv"
    pd.DataFrame(
        {
            "rating": [str(1 + i % 5) for i in range(n)],
            "comment": [
                f"the {words[i % 8]} was {'good' if i % 3 else 'poor'} and {words[i * 3 % 8]} {i}"
                for i in range(n)
            ],
        }
    ).to_csv(path, index=False)
    return path


STARS = "--scale-min 1 --scale-max 5 --promoter-min 5 --detractor-max 3"
STAR_LABEL = "NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)"


def _fit_stars(survey: Path, models: Path, *extra: str) -> tuple[int, list[str], dict]:
    """Fit (quiet) and return the exit code, the warning lines and the model's training facts."""
    args = ["fit", str(survey), "--score-col", "rating", "--text-col", "comment", *FAST]
    code, _, err = run(*args, "--save", str(models / "m"), *extra)
    doc = json.loads((models / "m" / "model.json").read_text()) if code == 0 else {}
    return code, [w for w in err.splitlines() if w.startswith("Warning:")], doc.get("training", {})


def test_fit_infers_a_1_to_5_rating_loudly_as_analyze_does(tmp_path: Path):
    survey = _ratings(tmp_path, 40)
    code, warnings, training = _fit_stars(survey, tmp_path / "models")
    assert code == 0
    assert warnings == [
        "Warning: Scale inferred: scores read on a 1-5 scale (5 promoter, 4 passive, "
        f"1-3 detractor), not 0-10; pass {STARS} to confirm the scale."
    ]  # even with --quiet
    assert (training["scale"], training["scale_inferred"]) == (STAR_LABEL, True)
    out = tmp_path / "report"
    code, _, err = run("analyze", str(survey), "--score-col", "rating", "--text-col", "comment",
                       *FAST, "--format", "json", "--out", str(out))  # fmt: skip
    assert code == 0, err
    scale = json.loads((out / "summary.json").read_text())["scale"]
    assert (scale["label"], scale["inferred"]) == (training["scale"], training["scale_inferred"])


def test_fit_takes_the_scale_options_and_then_does_not_warn(tmp_path: Path):
    survey = _ratings(tmp_path, 40)
    code, warnings, training = _fit_stars(survey, tmp_path / "models", *STARS.split())
    assert (code, warnings) == (0, [])
    assert (training["scale"], training["scale_inferred"]) == (STAR_LABEL, False)
    code, warnings, training = _fit_stars(
        survey, tmp_path / "models", "--scale-min", "0", "--scale-max", "10", "--force"
    )
    assert (code, warnings, training["scale"], training["scale_inferred"]) == (0, [], "NPS", False)


def test_quiet_keeps_the_warnings(tmp_path: Path):
    survey, out = _ratings(tmp_path, 40), tmp_path / "report"
    code, stdout, stderr = run("analyze", str(survey), "--score-col", "rating", "--text-col",
                               "comment", *FAST, "--out", str(out))  # fmt: skip
    assert code == 0, stderr
    assert stdout == f"Report written to {out / 'report.html'}\n"
    assert stderr == (
        "Warning: NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor; "
        f"inferred from the scores): pass {STARS} to confirm the scale.\n"
    )
    code, stdout, stderr = run("fit", str(survey), "--score-col", "rating", "--text-col",
                               "comment", *FAST, "--themes", "2", "--subthemes", "0",
                               "--save", str(tmp_path / "m"))  # fmt: skip
    assert code == 0, stderr
    assert stdout == f"Saved 2 themes to {tmp_path / 'm'}\n"
    assert stderr == (
        "Warning: Scale inferred: scores read on a 1-5 scale (5 promoter, 4 passive, "
        f"1-3 detractor), not 0-10; pass {STARS} to confirm the scale.\n"
    )


def test_fit_stops_on_an_ambiguous_scale_with_analyzes_message(tmp_path: Path):
    survey = _ratings(tmp_path, 12)
    common = [str(survey), "--score-col", "rating", "--text-col", "comment", *FAST]
    fit = _error_line("fit", *common, "--save", str(tmp_path / "models" / "m"))
    analyze = _error_line("analyze", *common, "--out", str(tmp_path / "report"))
    assert fit == analyze
    assert fit == (
        1,
        "Error: Scores in column 'rating' of stars12.csv do not fit the default 0-10 NPS "
        "scale: all 12 are from 1 to 5, too few (under 20) to tell a 1-5 rating from a 0-10 "
        f"survey. For a 1-5 scale pass {STARS} (5 promoter, 4 passive, 1-3 detractor); to "
        "read them on 0-10 anyway pass --scale-min 0 --scale-max 10.",
    )
    assert not (tmp_path / "models").exists()
    assert _fit_stars(survey, tmp_path / "models", *STARS.split())[0] == 0


# ---------------------------------------------------------------- fit reads the input as analyze


def _two_files(tmp_path: Path) -> list[str]:
    """Labels and segments in one file (id 7 twice), the comments in another: fit's options."""
    words = ["delivery", "price", "size", "colour", "fabric", "service", "refund", "staff"]
    ids = list(range(1, 41))
    pd.DataFrame(
        {
            "id": [*ids, 7],
            "feeling": [("negative", "neutral", "positive")[i % 3] for i in range(40)] + ["x"],
            "region": ["North" if i % 2 else "South" for i in range(41)],
            "when": [f"2026-01-{1 + i % 28:02d}" for i in range(41)],
        }
    ).to_csv(tmp_path / "scores.csv", index=False)
    pd.DataFrame(
        {
            "id": ids,
            "comment": [f"the {words[i % 8]} was {'good' if i % 3 else 'poor'} and "
                        f"{words[i * 3 % 8]} {i}" for i in range(40)],
        }
    ).to_csv(tmp_path / "comments.csv", index=False)  # fmt: skip
    return [str(tmp_path / "scores.csv"), "--comments", str(tmp_path / "comments.csv"),
            "--id-col", "id", "--group-col", "feeling", "--text-col", "comment",
            "--segment-col", "region", "--date-col", "when", *FAST, "--themes", "2",
            "--subthemes", "0", "--models-root", str(tmp_path / "models")]  # fmt: skip


def test_fit_takes_the_input_options_of_analyze(tmp_path: Path):
    args = ["fit", *_two_files(tmp_path)]
    labels = ["--group-map", "negative=detractor,neutral=passive,positive=promoter"]
    assert _error_line(*args, *labels, "--save", "m") == (
        1,
        "Error: 1 duplicated id(s) in scores.csv (column 'id'): '7' (rows 7, 41). "
        "Use --duplicates first|last to keep one row per id.",
    )
    assert _error_line(*args, "--duplicates", "first", "--save", "m") == (
        1,
        "Error: No valid group label in scores.csv: all 41 rows were rejected (first reason: "
        "row 1, column 'feeling': unknown group label: 'negative' (expected promoter, passive, "
        "detractor or --group-map)). Check --group-col and the scale options.",
    )
    code, _, err = run(*args, *labels, "--duplicates", "first", "--threads", "1", "--save", "m")
    assert code == 0, err
    doc = json.loads((tmp_path / "models" / "m" / "model.json").read_text())
    assert (doc["training"]["rows"], doc["training"]["comments_used"]) == (40, 40)
    assert "scale" not in doc["training"]  # groups from labels: no score scale
    # The segment values are kept out of the theme labels; the threads are recorded.
    assert (doc["params"]["label_exclude"], doc["params"]["n_threads"]) == (["north", "south"], 1)
    assert _error_line(*args, *labels, "--date-col", "day", "--save", "m2") == (
        1,
        "Error: Column 'day' not found in scores.csv or comments.csv. "
        "Available columns: id, feeling, region, when, comment.",
    )


def test_fit_closing_lines_fit_80_columns(demo_csv: Path, tmp_path: Path):
    root = tmp_path / "models"
    args = ["fit", str(demo_csv), "--representation", "tfidf", "--themes", "5", "--subthemes",
            "0", "--models-root", str(root), "--save", "weekly"]  # fmt: skip
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    path = root / "weekly"
    lines = result.stdout.splitlines()
    assert len(lines) == 5 + 3 and all(ln.startswith("  T0") for ln in lines[:5])
    assert lines[5:] == [
        f"Saved 5 themes to {path}",
        f"Use it: feedback-nlp analyze DATA --model {path}",
        f"Edit {path / 'codebook.yaml'} to rename, merge, split or exclude themes.",
    ]
    # Whole lines, not wrapped; with a path like models/weekly each is within 80 columns.
    assert max(len(ln.replace(str(path), "models/weekly")) for ln in lines[5:]) <= 80


def test_fit_counts_themes_sub_themes_and_comments_in_words(capsys: pytest.CaptureFixture[str]):
    from feedback_nlp.cli.fit import print_saved_model

    one = [{"theme_id": "T01", "label": "price", "size": 1}]
    print_saved_model(one, Path("m"), [{"theme_id": "T01.1", "parent_id": "T01"}], quiet=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "  T01 price (1 comment, 1 sub-theme)",
        "Saved 1 theme and 1 sub-theme to m",
    ]
    two = [*one, {"theme_id": "T02", "label": "wifi", "size": 0}]
    subs = [{"theme_id": f"T02.{i}", "parent_id": "T02"} for i in (1, 2)]
    print_saved_model(two, Path("m"), subs, quiet=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "  T01 price (1 comment)",
        "  T02 wifi (0 comments, 2 sub-themes)",
        "Saved 2 themes and 2 sub-themes to m",
    ]
    print_saved_model(one, Path("m"), quiet=True)
    assert capsys.readouterr().out == "Saved 1 theme to m\n"


def test_the_codebook_refit_does_not_warn_that_the_codebook_waits_for_a_refit(
    demo_csv: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    from feedback_nlp.themes.codebook import dump_codebook, load_codebook

    root = tmp_path / "models"
    args = ["fit", str(demo_csv), *FAST, "--themes", "5", "--subthemes", "0",
            "--models-root", str(root)]  # fmt: skip
    assert run(*args, "--save", "weekly")[0] == 0
    book_path = root / "weekly" / "codebook.yaml"
    book = load_codebook(book_path)
    book_path.write_text(dump_codebook(dataclasses.replace(book, merge=(("T01", "T02"),))))
    waits = (
        "was edited after the model was saved; its merges and moves of a TF-IDF model apply "
        "only after `feedback-nlp fit DATA --codebook"
    )
    with caplog.at_level("WARNING"):
        code, _, err = run(*args, "--previous", "weekly", "--save", "other")
    assert code == 0, err
    assert waits in caplog.text  # a re-fit without the codebook: the edits wait
    caplog.clear()
    with caplog.at_level("WARNING"):
        code, stdout, err = run(*args, "--codebook", str(book_path), "--previous", "weekly",
                                "--save", "weekly", "--force")  # fmt: skip
    assert code == 0, err
    assert caplog.text == ""
    assert stdout == f"Saved 4 themes to {root / 'weekly'}\n"  # T02 merged into T01


# ---------------------------------------------------------------- demo --write-data


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_data_never_replaces_a_file_without_force(tmp_path: Path):
    data = tmp_path / "survey.csv"
    data.write_bytes(b"my own data\r\n\x00\xff")
    os.chmod(data, 0o640)
    assert _error_line("demo", "--rows", "50", "--write-data", str(data)) == (
        1,
        f"Error: File {data} already exists; pass --force to replace it.",
    )
    assert data.read_bytes() == b"my own data\r\n\x00\xff"
    assert stat.S_IMODE(data.stat().st_mode) == 0o640 and _listing(tmp_path) == ["survey.csv"]


@pytest.mark.parametrize("name", ["survey.csv", "survey.parquet"])
def test_write_data_with_force_replaces_the_file_in_one_rename_keeping_its_mode(
    tmp_path: Path, name: str
):
    data = tmp_path / name
    data.write_bytes(b"old")
    os.chmod(data, 0o640)
    inode = data.stat().st_ino
    code, out, err = run("demo", "--rows", "50", "--write-data", str(data), "--force")
    assert code == 0, err
    assert " ".join(out.split()) == f"Demo survey (50 rows, seed 0) written to {data}"
    frame = pd.read_csv(data) if name.endswith(".csv") else pd.read_parquet(data)
    assert len(frame) == 50 and list(frame.columns)[:2] == ["respondent_id", "score"]
    assert stat.S_IMODE(data.stat().st_mode) == 0o640
    assert data.stat().st_ino != inode  # a new file renamed over the old one
    assert _listing(tmp_path) == [name]


def test_write_data_creates_a_new_file_with_the_usual_mode(tmp_path: Path):
    data = tmp_path / "new" / "survey.jsonl"
    old = os.umask(0o027)
    try:
        code, _, err = run("demo", "--rows", "50", "--write-data", str(data))
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(data.stat().st_mode) == 0o640
    assert len(data.read_text(encoding="utf-8").splitlines()) == 50
    assert _listing(data.parent) == ["survey.jsonl"]


def test_write_data_writes_through_a_link(tmp_path: Path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert _error_line("demo", "--rows", "50", "--write-data", str(link))[0] == 1
    assert target.read_text() == "old\n"
    code, _, err = run("demo", "--rows", "50", "--write-data", str(link), "--force")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(pd.read_csv(target)) == 50 and _listing(tmp_path) == ["link.csv", "real.csv"]


def test_write_data_errors_name_the_users_file_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for name, ext in (("survey.foo", "'.foo'"), ("survey", "''")):
        path = tmp_path / name
        assert _error_line("demo", "--rows", "50", "--write-data", str(path)) == (
            1,
            f"Error: Cannot write {path}: unknown extension {ext}. "
            "Available: .csv, .tsv, .parquet, .xlsx, .jsonl.",
        )
    assert _error_line("demo", "--write-data", str(tmp_path)) == (
        1,
        f"Error: {tmp_path} is a folder: give a file name.",
    )
    assert _listing(tmp_path) == []

    import feedback_nlp.demo
    from feedback_nlp.errors import OutputError

    def half_written(path, **kwargs):
        Path(path).write_text("respondent_id,score\nR1,")
        raise OutputError(f"Cannot write {path}: No space left on device.")

    data = tmp_path / "survey.csv"
    data.write_text("old\n")
    monkeypatch.setattr(feedback_nlp.demo, "write_survey", half_written)
    assert _error_line("demo", "--write-data", str(data), "--force") == (
        1,
        f"Error: Cannot write {data}: No space left on device.",
    )
    assert data.read_text() == "old\n" and _listing(tmp_path) == ["survey.csv"]
