"""--per-segment: each segment value's own themes, as many as its comments hold, in every report."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from feedback_nlp.config import AnalysisConfig, Representation
from feedback_nlp.plan.segment_themes import min_theme_comments
from feedback_nlp.result import SEGMENT_OWN_THEME_COLUMNS, AnalysisResult

TINY_REASON = (
    "too few comments for two themes: a theme needs 22 for a 2:1 detractor/promoter "
    "difference to reach p < 0.05"
)


def test_min_theme_comments_from_the_groups_and_alpha():
    # ~30-40 comments for common NPS mixes, whatever the segment's size
    assert min_theme_comments((32, 22, 54), 0.05) == 30
    assert min_theme_comments((36, 36, 36), 0.05) == 33
    assert min_theme_comments((300, 200, 500), 0.05) == 34
    assert min_theme_comments((3000, 2000, 5000), 0.05) == 37
    # a rare group needs bigger themes; a stricter alpha too
    assert min_theme_comments((10, 20, 78), 0.05) == 42
    assert min_theme_comments((300, 200, 500), 0.01) > 34
    # no promoters (or no detractors): no theme can show the difference
    assert min_theme_comments((40, 10, 0), 0.05) is None
    assert min_theme_comments((0, 10, 40), 0.05) is None
    assert min_theme_comments((2, 0, 2), 0.05) is None


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    from feedback_nlp.demo import generate_survey
    from feedback_nlp.pipeline import analyze

    frame = generate_survey(600, seed=7)
    frame["size"] = ["large"] * 390 + ["small"] * 170 + ["tiny"] * 40
    path = tmp_path_factory.mktemp("per_segment") / "survey.csv"
    frame.to_csv(path, index=False)
    cfg = AnalysisConfig(
        input=path, score_col="score", text_col="comment", id_col="respondent_id",
        segment_cols=("size",), per_segment=True, representation=Representation.tfidf,
        redact=False, n_subthemes=0,
    )  # fmt: skip
    return analyze(cfg)


def test_theme_count_follows_the_segment_size(result: AnalysisResult):
    fits = {f.value: f for f in result.segment_fits}
    assert [f.value for f in result.segment_fits] == ["large", "small", "tiny"]
    large, small, tiny = fits["large"], fits["small"], fits["tiny"]
    assert (large.comments, small.comments, tiny.comments) == (367, 162, 38)
    assert large.themes > small.themes >= 2
    for f in (large, small, tiny):
        assert f.max_themes == f.comments // f.min_theme
        assert f.themes <= f.max_themes
    # the tiny value has room for one theme of 22 comments: none, and the reason
    assert (tiny.min_theme, tiny.max_themes, tiny.themes) == (22, 1, 0)
    assert tiny.reason == TINY_REASON
    own = result.segment_own_themes
    assert list(own.columns) == list(SEGMENT_OWN_THEME_COLUMNS)
    counts = own.groupby("value")["theme_id"].count().to_dict()
    assert counts == {"large": large.themes, "small": small.themes}
    assert (own["level"] == 1).all() and (own["parent_id"] == "").all()
    assert (
        "--per-segment: 1 of 3 values of size got no own themes (the reports say why for each)."
        in (result.notes)
    )


def test_markdown_has_a_section_per_segment_column(result: AnalysisResult):
    from feedback_nlp.report.markdown import render_markdown

    md = render_markdown(result)
    section = md[md.index("## Each segment's own themes") :]
    assert section.index("### size") < section.index("#### large") < section.index("#### small")
    fits = {f.value: f for f in result.segment_fits}
    large = fits["large"]
    assert (
        f"367 usable comments, {large.themes} own themes (at most {large.max_themes}: "
        f"a theme needs {large.min_theme} comments here)."
    ) in section
    assert f"- **tiny**: 38 usable comments, no own themes: {TINY_REASON}." in section
    assert "#### tiny" not in section
    table = section[section.index("#### small") :].split("\n\n")[3].splitlines()
    assert (
        table[0] == "| theme | label | comments | detractors | promoters | diff (pp) | lift | q |"
    )
    assert len(table) == 2 + fits["small"].themes


def test_html_has_a_section_per_segment_column(result: AnalysisResult):
    from feedback_nlp.report.html import render_html

    page = render_html(result)
    assert '<li><a href="#segment-own">Own themes by segment</a></li>' in page
    section = page[page.index('<section id="segment-own"') :]
    section = section[: section.index("</section>")]
    assert "<h3>size</h3>" in section
    assert section.index("<h4>large</h4>") < section.index("<h4>small</h4>")
    reason = TINY_REASON.replace("<", "&lt;")
    assert (
        f"<li><strong>tiny</strong>: 38 usable comments, no own themes: {reason}.</li>" in section
    )
    assert section.count("<tbody>") == 2
    small = section[section.index("<h4>small</h4>") :]
    rows = small[small.index("<tbody>") : small.index("</tbody>")].count("<tr")
    assert rows == {f.value: f for f in result.segment_fits}["small"].themes


def test_terminal_lists_each_value_s_own_top_detractor_themes(result: AnalysisResult, monkeypatch):
    from feedback_nlp.cli import _common

    buf = io.StringIO()
    monkeypatch.setattr(_common, "console", Console(file=buf, width=200, highlight=False))
    _common._print_segment_themes(result)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "Own themes by size (--per-segment): top detractor themes, q < 0.05"
    fits = {f.value: f for f in result.segment_fits}
    assert lines[1].startswith(f"  large (367 comments, {fits['large'].themes} themes): ")
    assert lines[2].startswith(f"  small (162 comments, {fits['small'].themes} themes): ")
    assert lines[3] == f"  tiny (38 comments): no own themes, {TINY_REASON}"
    own = result.segment_own_themes
    top = own[(own["value"] == "large") & own["significant"] & (own["diff_pp"] > 0)]
    listed = lines[1].split(": ", 1)[1]
    if len(top):
        first = top.sort_values(["diff_pp", "theme_id"], ascending=[False, True]).iloc[0]
        assert listed.startswith(str(first["label"]))
    else:
        assert listed == "none significant"


def test_xlsx_has_the_own_themes_sheet(result: AnalysisResult):
    from openpyxl import load_workbook

    from feedback_nlp.report.xlsx import render_xlsx

    wb = load_workbook(io.BytesIO(render_xlsx(result)), read_only=True)
    assert "segment_own_themes" in wb.sheetnames
    rows = list(wb["segment_own_themes"].values)
    assert list(rows[0]) == list(SEGMENT_OWN_THEME_COLUMNS)
    assert len(rows) - 1 == len(result.segment_own_themes)


def _survey(tmp_path: Path, rows: list[tuple[int, str, str]]) -> Path:
    path = tmp_path / "s.csv"
    pd.DataFrame(rows, columns=["score", "comment", "seg"]).to_csv(path, index=False)
    return path


def test_values_without_own_themes_say_why(tmp_path: Path):
    from feedback_nlp.pipeline import analyze

    texts = ["slow internet every evening", "rude staff on the phone", "bills went up again"]
    rows = [(9 if i % 2 else 2, texts[i % 3], "Few texts") for i in range(120)]
    rows += [(i % 7, f"problem number {w} with the router", "Unhappy") for i, w in
             enumerate(f"w{j}" for j in range(60))]  # fmt: skip
    cfg = AnalysisConfig(
        input=_survey(tmp_path, rows), segment_cols=("seg",), per_segment=True,
        representation=Representation.tfidf, redact=False, brand_detection=False,
    )  # fmt: skip
    result = analyze(cfg)
    reasons = {f.value: (f.comments, f.themes, f.reason) for f in result.segment_fits}
    assert reasons == {
        "Few texts": (120, 0, "fewer than 4 distinct usable comments"),
        "Unhappy": (
            60, 0,
            "no promoter comments, so no theme of it can show a detractor/promoter difference",
        ),
    }  # fmt: skip
    assert result.segment_own_themes.empty
