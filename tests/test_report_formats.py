"""--format, the Excel workbook, the 80-column terminal summary, and the quickstart notebook."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import DEMO_OPTS
from feedback_nlp.config import AnalysisConfig, Representation
from feedback_nlp.report import parse_formats, write_report

ROOT = Path(__file__).resolve().parents[1]
EVIL = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture(scope="module")
def survey(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = pd.read_csv(demo_csv, dtype=str, keep_default_na=False)
    raw.loc[raw.index[0], "comment"] = EVIL
    raw.loc[raw.index[1], "comment"] = "+44 20 7946 0000 call me"
    raw["csat"] = [str(i % 5 + 1) for i in range(len(raw))]
    path = tmp_path_factory.mktemp("fmt") / "survey.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def result(survey: Path):
    from feedback_nlp.pipeline import analyze

    return analyze(
        AnalysisConfig(
            input=survey,
            score_col="score",
            text_col="comment",
            id_col="respondent_id",
            segment_cols=("region",),
            date_col="response_date",
            metric_cols=("csat",),
            representation=Representation.tfidf,
            redact=False,
        )
    )


def test_format_selects_the_files(result, tmp_path: Path):
    # Hidden: the marker naming the files the tool wrote (tests/test_output_folder.py).
    names = lambda d: sorted(p.name for p in d.iterdir() if not p.name.startswith("."))  # noqa: E731
    written = write_report(result, tmp_path / "a", ["json", "md"])
    assert sorted(written) == ["report.md", "summary.json"] == names(tmp_path / "a")
    write_report(result, tmp_path / "b", ["csv"])
    assert names(tmp_path / "b") == [
        "comments.csv",
        "followup.csv",
        "metrics.csv",
        "rejected.csv",
        "segment_themes.csv",
        "segments.csv",
        "sentences.csv",
        "terms.csv",
        "themes.csv",
        "trends.csv",
    ]
    write_report(result, tmp_path / "c")
    default = names(tmp_path / "c")
    assert "report.html" in default and "summary.json" in default and "report.xlsx" not in default
    assert [f.value for f in parse_formats(None)] == ["html", "md", "csv", "json"]
    from feedback_nlp.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown output format 'pdf': choose from html, md"):
        parse_formats(["pdf"])


def test_xlsx_sheets_types_and_no_formulas(result, tmp_path: Path):
    import openpyxl

    write_report(result, tmp_path / "x", ["xlsx"])
    wb = openpyxl.load_workbook(tmp_path / "x" / "report.xlsx")
    assert wb.sheetnames == [
        "summary",
        "themes",
        "segments",
        "segment_themes",
        "trends",
        "metrics",
        "followup",
        "comments",
        "rejected",
        "terms",
    ]
    for ws in wb:
        assert ws.freeze_panes == "A2", ws.title
        assert ws["A1"].font.bold and ws.column_dimensions["A"].width >= 8
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    comments = wb["comments"]
    header = [c.value for c in comments[1]]
    assert header == list(result.comments.columns)
    assert comments.max_row == len(result.comments) + 1
    texts = [r[header.index("text")].value for r in comments.iter_rows(min_row=2)]
    assert EVIL in texts and "+44 20 7946 0000 call me" in texts  # kept as text, not run
    first = [c.value for c in comments[2]]
    assert isinstance(first[header.index("score")], (int, float))
    assert isinstance(first[header.index("row")], int)
    segments = wb["segments"]
    seg_header = [c.value for c in segments[1]]
    row = [c.value for c in segments[2]]
    assert isinstance(row[seg_header.index("nps")], float) and isinstance(
        row[seg_header.index("n")], int
    )
    summary = {r[0].value: r[1].value for r in wb["summary"].iter_rows(min_row=2)}
    assert summary["NPS"] == result.summary.nps.score
    assert summary["respondents (n)"] == result.summary.nps.n
    trends = wb["trends"]
    assert trends.max_row == len(result.trends) + 1


def test_xlsx_caps_a_sheet_at_the_row_limit_with_a_note(result, monkeypatch, tmp_path: Path):
    import openpyxl

    from feedback_nlp.report import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    (tmp_path / "r.xlsx").write_bytes(xlsx.render_xlsx(result))
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb["comments"].max_row == 6
    notes = [
        r[1].value
        for r in wb["summary"].iter_rows(min_row=2)
        if str(r[0].value).startswith("note: sheet comments")
    ]
    assert notes == [
        f"first 5 of {len(result.comments):,} rows (Excel's limit); every row is in comments.csv"
    ]


def test_terminal_summary_fits_80_columns(survey: Path, tmp_path: Path, monkeypatch):
    from feedback_nlp.cli import _common, app

    monkeypatch.setattr(_common.console, "width", 80)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "analyze",
            str(survey),
            *DEMO_OPTS,
            "--period",
            "quarter",
            "--metric-col",
            "csat",
            "--representation",
            "tfidf",
            "--format",
            "xlsx",
            "--format",
            "json",
            "--out",
            str(out),
        ],
        env={"COLUMNS": "80"},
    )
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    long = [ln for ln in lines if len(ln) > 80 and str(tmp_path) not in ln]
    assert long == []
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "report.xlsx",
        "summary.json",
    ]
    text = " ".join(res.stdout.split())
    summary = json.loads((out / "summary.json").read_text())
    c = summary["trends"]["comparison"]
    assert summary["trends"]["periods"] == ["2026Q1", "2026Q2"]
    assert f"Over time (by quarter): NPS 2026Q2 {c['last']['nps']:+.1f} vs 2026Q1" in text
    assert re.search(r"csat: mean \d\.\d\d \(n=\d+\), with the score r=[+-]\d\.\d\d", text)
    assert "Follow-up: " in text  # no followup.csv was written, so none is named
    assert f"Report written to {out / 'report.xlsx'}" in text


def test_quickstart_notebook_runs(tmp_path: Path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # a "python3" kernel spec that runs this very interpreter (the venv's), ahead of any other
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (feedback-nlp venv)",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv(
        "JUPYTER_PATH", str(tmp_path) + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    )
    nb = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    text = "\n".join(
        o.get("text", "") + json.dumps(o.get("data", {}))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
    )
    assert re.search(r"NPS [+-]\d+\.\d\d \(95% CI [+-]\d+\.\d\d to [+-]\d+\.\d\d\), n=\d+", text)
    assert "<svg" in text and "report.html" in text
    assert not [
        o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]


def test_html_and_markdown_show_trends_metrics_and_followup(result):
    from feedback_nlp.report import render_markdown
    from feedback_nlp.report.html import render_html
    from feedback_nlp.report.html_sections import trend_headline

    c = result.summary.trends.comparison
    html = render_html(result)
    for section in ('id="trends"', 'id="metrics"', 'id="followup"'):
        assert section in html
    assert "NPS per period with 95% intervals" in html and "<polygon" in html
    assert "Top detractor themes per period" in html
    headline = trend_headline(c, 0.05)
    assert headline.startswith(f"NPS {c.last.period}: ")
    assert headline.replace("'", "&#39;") in html
    md = render_markdown(result)
    assert "## NPS over time (by month)" in md and "## Other metrics" in md
    assert f"| {c.last.period} | {c.last.n} |" in md
    assert "## Close the loop" in md
