"""Brand masking is shown in every human-read output, and can be switched off.

The demo generator writes the brand "Acme" into ~5% of every group's comments,
so it is detected and masked; each report names it with its source and how
many comments hold it, summary.json keeps its ``brand_terms`` as before, and
``--no-brand-detection`` leaves it in the text the themes are built from.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import DEMO_OPTS
from feedback_nlp.cli import app
from feedback_nlp.config import AnalysisConfig
from feedback_nlp.plan.summary import masked_terms, term_comment_counts
from feedback_nlp.result import MaskedTerm

runner = CliRunner()
FAST = ["--representation", "tfidf", "--no-redact-names"]
ALL_FORMATS = ["--format", "md", "--format", "html", "--format", "json", "--format", "csv",
               "--format", "xlsx"]  # fmt: skip


def _analyze(survey: Path, out: Path, *options: str) -> tuple[str, str]:
    args = ["analyze", str(survey), *DEMO_OPTS, *FAST, *ALL_FORMATS, "--out", str(out), *options]
    result = runner.invoke(app, args, terminal_width=300)
    assert result.exit_code == 0, result.stderr
    return result.stdout, result.stderr


def _acme_comments(out: Path) -> tuple[int, int]:
    """Comments with usable text that name Acme, counted independently from comments.csv."""
    comments = pd.read_csv(out / "comments.csv", dtype=str, keep_default_na=False)
    usable = comments[~comments["row_flags"].str.contains("no_text")]["text"]
    return int(usable.str.contains(r"(?i)(?<!\w)acme(?!\w)").sum()), len(usable)


@pytest.fixture(scope="module")
def detected(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("brand") / "out"
    stdout, _ = _analyze(demo_csv, out)
    return stdout, out


@pytest.fixture(scope="module")
def undetected(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("nobrand") / "out"
    stdout, _ = _analyze(demo_csv, out, "--no-brand-detection")
    return stdout, out


def _keywords_and_terms(out: Path) -> set[str]:
    themes = pd.read_csv(out / "themes.csv", dtype=str, keep_default_na=False)
    words = {w for k in themes["keywords"] for w in k.split(", ")}
    terms = pd.read_csv(out / "terms.csv", dtype=str, keep_default_na=False)
    return words | {w for t in terms["term"] for w in t.split()}


def test_every_human_output_names_the_masked_brand_with_its_source_and_share(
    detected: tuple[str, Path],
) -> None:
    stdout, out = detected
    n, of = _acme_comments(out)
    assert 0.02 < n / of < 0.10  # the generator's ~5%
    share = f"{n / of:.0%}"
    line = f"Masked as brand names before theme discovery: acme (detected, {share} of comments)."
    assert line in stdout.splitlines()
    phrase = f"acme (detected; in {n} of {of} comments with text, {share})"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"**Brand names.** Masked as brand names before theme discovery: {phrase}." in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        f"<strong>Brand names</strong>: Masked as brand names before theme discovery: {phrase}."
        in html
    )
    assert "<tr><td>acme</td><td>detected</td>" in html
    # The manifest's config lists the names given ([] here) and, beside them, those masked.
    assert re.search(
        r"&#34;brand_terms&#34;: \[\],\s+&#34;brand_terms_masked&#34;: \[\s+&#34;acme&#34;\s+\]",
        html,
    )
    ws = load_workbook(out / "report.xlsx", read_only=True)["summary"]
    rows = {str(r[0]): r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["masked as a brand name: acme"] == f"detected; {n} of {of} comments"
    assert rows["brand masking"] == f"Masked as brand names before theme discovery: {phrase}."
    # summary.json keeps its brand_terms, and nothing about detection when it is on.
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["brand_terms"] == ["acme"]
    assert "masked_terms" not in summary
    assert "brand_detection" not in summary["manifest"]["config"]
    assert "acme" not in _keywords_and_terms(out)


def test_no_brand_detection_leaves_the_brand_in_the_themes_words(
    undetected: tuple[str, Path],
) -> None:
    stdout, out = undetected
    assert "Masked as brand names" not in stdout
    assert "acme" in _keywords_and_terms(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["brand_terms"] == []
    assert summary["manifest"]["config"]["brand_detection"] is False
    md = (out / "report.md").read_text(encoding="utf-8")
    assert (
        "**Brand names.** No brand names were masked before theme discovery (none given; "
        "brand detection was off)."
    ) in md


def test_given_terms_are_kept_without_detection_and_shown_as_given(
    demo_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # Markup in a given term is printed as text, never read by rich.
    stdout, _ = _analyze(demo_csv, out, "--no-brand-detection", "--brand-terms", "Acme,[bold]Zed")
    n, of = _acme_comments(out)
    assert (
        f"Masked as brand names before theme discovery: Acme (given, {n / of:.0%} of comments), "
        "[bold]Zed (given, 0% of comments). Brand detection was off."
    ) in stdout.splitlines()
    assert "acme" not in _keywords_and_terms(out)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<tr><td>[bold]Zed</td><td>given</td><td class="num">0</td>' in html
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["brand_terms"] == ["Acme", "[bold]Zed"]


def test_quiet_prints_no_masking_line(demo_csv: Path, tmp_path: Path) -> None:
    args = ["analyze", str(demo_csv), *DEMO_OPTS, *FAST, "--format", "json", "--quiet",
            "--out", str(tmp_path / "out")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "Masked as brand names" not in result.stdout
    assert "Report written to" in result.stdout


def test_fit_takes_no_brand_detection(demo_csv: Path, tmp_path: Path) -> None:
    brands = {}
    for name, options in (("on", []), ("off", ["--no-brand-detection"])):
        args = ["fit", str(demo_csv), "--save", name, "--models-root", str(tmp_path),
                "--score-col", "score", "--text-col", "comment", "--representation", "tfidf",
                "--themes", "4", "--quiet", *options]  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        doc = json.loads((tmp_path / name / "model.json").read_text(encoding="utf-8"))
        brands[name] = doc["params"]["brand_terms"]
    assert "acme" in brands["on"] and "acme" not in brands["off"]


# ---------------------------------------------------------------- the library pieces


def test_term_counts_match_what_the_cleaning_masks() -> None:
    texts = ["Acme's line", "ACME!", "acmeish", "my [NAME] and acme broadband", "no"]
    assert term_comment_counts(texts, ["acme", "Acme Broadband", "name"]) == [3, 1, 0]


def test_masked_terms_sources(tmp_path: Path) -> None:
    class Saved:
        brand_terms = ("acme", "zapco")

    cfg = AnalysisConfig(input=tmp_path / "s.csv", brand_terms=("Acme", "acme "))
    texts = ["Acme slow", "zapco fine", "ok"]
    got = masked_terms(cfg, ["Acme", "acme ", "sky"], Saved(), texts)
    assert got == (MaskedTerm("Acme", "given", 1, 3), MaskedTerm("sky", "detected", 0, 3))
    with_model = masked_terms(replace(cfg, model_path=tmp_path), ["Acme"], Saved(), texts)
    assert with_model[-1] == MaskedTerm("zapco", "saved model", 1, 3)


def test_config_records_brand_detection_only_when_off(tmp_path: Path) -> None:
    cfg = AnalysisConfig(input=tmp_path / "s.csv")
    assert "brand_detection" not in cfg.to_dict()
    assert cfg.with_(brand_detection=False).to_dict()["brand_detection"] is False


# ---------------------------------------------------------------- tiny surveys on other scales


@pytest.mark.parametrize(
    "options",
    [(), ("--scale-min", "1", "--scale-max", "5", "--promoter-min", "5", "--detractor-max", "3")],
    ids=["inferred", "chosen"],
)
def test_tiny_survey_note_names_the_score_as_the_reports_do(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "stars.csv"
    pd.DataFrame(
        {
            "rating": np.tile([1, 2, 3, 4, 5], 12)[rng.permutation(60)],
            "comment": ["great", "slow", "ok"] * 20,
        }
    ).to_csv(path, index=False)
    out = tmp_path / "out"
    args = ["analyze", str(path), "--representation", "tfidf", "--format", "json",
            "--out", str(out), *options]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    note = (
        "Only 3 distinct usable comments: too little text for themes (at least 4 are needed); "
        "NPS-style score, segments, trends, metrics and follow-up are reported without themes."
    )
    assert f"Note: {note}" in " ".join(result.stderr.split())
    assert note in json.loads((out / "summary.json").read_text(encoding="utf-8"))["notes"]
