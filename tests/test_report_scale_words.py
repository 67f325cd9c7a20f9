"""On another scale than NPS 0-10, no human-read output headlines a bare "NPS".

Headings, table columns, chart titles, tooltips and axes, the trend line, the
methods and the workbook's summary sheet say "NPS-style score" (the headline
puts the scale and its mapping beside it). Machine tables keep their names:
CSV columns and summary.json keys are the same on every scale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from feedback_nlp.cli import app

runner = CliRunner()

#: "NPS" as a word of its own: not "NPS-style", not the methods' formula symbol "NPS′".
BARE_NPS = re.compile(r"\bNPS\b(?!-style|′)")
STARS = ["--scale-min", "1", "--scale-max", "5", "--promoter-min", "5", "--detractor-max", "3"]


def _survey(path: Path, top: int, n: int = 240) -> Path:
    rng = np.random.default_rng(top)
    words = ["fit", "colour", "size", "price", "delivery", "fabric", "service", "length"]
    pd.DataFrame(
        {
            "id": range(1, n + 1),
            "rating": rng.integers(top - 4 if top == 10 else 1, top + 1, n),
            "comment": [f"the {words[i % 8]} was {'good' if i % 3 else 'poor'} number {i}"
                        for i in range(n)],
            "region": [("North", "South", "East")[i % 3] for i in range(n)],
            "date": [f"2026-0{1 + 2 * i // n}-1{i % 9}" for i in range(n)],
            "csat": [str(i % 5 + 1) for i in range(n)],
        }
    ).to_csv(path, index=False)  # fmt: skip
    return path


def _run(tmp_path: Path, top: int, *options: str) -> tuple[str, Path]:
    tmp_path.mkdir(exist_ok=True)
    path, out = _survey(tmp_path / "s.csv", top), tmp_path / "out"
    args = ["analyze", str(path), "--segment-col", "region", "--date-col", "date",
            "--metric-col", "csat", "--no-redact", "--representation", "tfidf", "--themes", "3",
            "--format", "md", "--format", "html", "--format", "json", "--format", "xlsx",
            "--format", "csv", "--out", str(out), *options]  # fmt: skip
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.stderr
    return result.stdout, out


def _html_text(out: Path) -> str:
    """The page without the run manifest (configuration as JSON, not prose)."""
    html = (out / "report.html").read_text(encoding="utf-8")
    return re.sub(r'<details id="manifest">.*?</details>', "", html, flags=re.S)


def _summary_sheet(out: Path) -> list[str]:
    ws = load_workbook(out / "report.xlsx", read_only=True)["summary"]
    return [str(r[0]) for r in ws.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("options", [(), tuple(STARS)], ids=["inferred", "chosen"])
def test_no_human_output_headlines_a_bare_nps_on_a_1_to_5_scale(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    stdout, out = _run(tmp_path, 5, *options)
    md, html, sheet = (out / "report.md").read_text(), _html_text(out), _summary_sheet(out)
    for name, text in (("terminal", stdout), ("report.md", md), ("report.html", html),
                       ("xlsx summary", "\n".join(sheet))):  # fmt: skip
        found = [text[max(0, m.start() - 40) : m.end() + 20] for m in BARE_NPS.finditer(text)]
        assert not found, (name, found)
    # ...and the words that replaced it are there, in each place the brief names.
    assert "NPS-style score by segment" in stdout
    assert "## NPS-style score by segment" in md and "## NPS-style score over time" in md
    assert "| segment | value | n | NPS-style score | 95% CI |" in md
    assert "| theme NPS-style score | NPS-style score impact |" in md
    assert "The scores are read on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor" in md
    assert '<h2 id="h-segments">NPS-style score by segment</h2>' in html
    assert '<h2 id="h-trends">NPS-style score over time</h2>' in html
    assert "NPS-style score by region with 95% intervals" in html
    assert "NPS-style score (points, −100 to +100)" in html
    assert "NPS-style score per period; band: 95% interval" in html
    assert '<button type="button">Theme NPS-style score</button>' in html
    assert any(s.startswith("NPS-style score 2026-02 (last period)") for s in sheet)


def test_machine_tables_keep_their_names_on_any_scale(tmp_path: Path) -> None:
    _, stars = _run(tmp_path / "a", 5, *STARS)
    _, nps = _run(tmp_path / "b", 10, "--scale-min", "0", "--scale-max", "10")
    for name in ("segments.csv", "themes.csv", "trends.csv", "metrics.csv"):
        columns = [pd.read_csv(d / name, nrows=0).columns.tolist() for d in (stars, nps)]
        assert columns[0] == columns[1], name
    assert "nps" in pd.read_csv(stars / "segments.csv", nrows=0).columns
    keys = [set(json.loads((d / "summary.json").read_text())) - {"scale"} for d in (stars, nps)]
    assert keys[0] == keys[1] and "nps" in keys[0]
    ws = load_workbook(stars / "report.xlsx", read_only=True)["segments"]
    assert "nps" in next(ws.iter_rows(max_row=1, values_only=True))


def test_the_nps_scale_keeps_the_word_nps(tmp_path: Path) -> None:
    stdout, out = _run(tmp_path, 10, "--scale-min", "0", "--scale-max", "10")
    md = (out / "report.md").read_text()
    assert "NPS-style" not in stdout + md + _html_text(out) + "\n".join(_summary_sheet(out))
    assert "## NPS by segment" in md and "| theme NPS | NPS impact |" in md
    assert "NPS by segment" in stdout
