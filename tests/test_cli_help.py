"""--version, and --help as an analyst reads it in an 80-column terminal."""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

import feedback_nlp
from feedback_nlp.cli import app

runner = CliRunner()


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_prints_the_installed_version_and_exits_0(flag: str) -> None:
    result = runner.invoke(app, [flag])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"feedback-nlp {version('feedback-nlp')}\n",
        "",
    )
    assert version("feedback-nlp") == feedback_nlp.__version__


def _help80(*command: str) -> list[str]:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _params(command: str) -> list[Any]:
    group: Any = typer.main.get_command(app)
    return list(group.commands[command].params)


#: Each command's recipes: every line must show whole, on its own line.
EXAMPLES = {
    "": [
        "feedback-nlp demo",
        "feedback-nlp analyze survey.csv --segment-col region",
        "feedback-nlp analyze --help",
    ],
    "analyze": [
        "feedback-nlp analyze survey.csv --segment-col region --out report",
        "feedback-nlp analyze reviews.csv --score-col stars \\",
        "--scale-min 1 --scale-max 5 --promoter-min 5 --detractor-max 3",
        "feedback-nlp analyze survey.csv --group-col sentiment \\",
        '--group-map "negative=detractor,neutral=passive,positive=promoter"',
        "feedback-nlp analyze scores.csv --comments comments.csv \\",
        "--id-col respondent_id",
    ],
    "fit": [
        "feedback-nlp fit survey.csv --segment-col region --save weekly",
        "feedback-nlp analyze next.csv --segment-col region --model models/weekly",
        "feedback-nlp fit survey.csv --codebook models/weekly/codebook.yaml \\",
        "--previous weekly --save weekly --force",
        "feedback-nlp fit reviews.csv --save reviews \\",
        "--scale-min 1 --scale-max 5 --promoter-min 5 --detractor-max 3",
    ],
    "demo": [
        "feedback-nlp demo --out demo-report",
        "feedback-nlp demo --write-data survey.csv",
        "feedback-nlp analyze survey.csv --segment-col region --segment-col plan",
    ],
}


@pytest.mark.parametrize("command", list(EXAMPLES), ids=["group", *list(EXAMPLES)[1:]])
def test_help_fits_80_columns_with_every_example_whole(command: str) -> None:
    lines = _help80(*([command] if command else []))
    assert [ln for ln in lines if len(ln) > 80] == []
    text = "\n".join(lines)
    assert "…" not in text
    assert "<bool>" not in text and "<list[" not in text and "<str>" not in text
    inner = [ln.strip(" │") for ln in lines]
    missing = [e for e in EXAMPLES[command] if e not in inner]
    assert missing == []


@pytest.mark.parametrize("command", ["analyze", "fit", "demo"])
def test_help_lists_every_option_once(command: str) -> None:
    rows = [m[1] for ln in _help80(command) if (m := re.match(r"│ (?:\*  |   )?(--\S+)", ln))]
    options = [p.opts[0] for p in _params(command) if p.param_type_name == "option"]
    assert sorted(rows) == sorted([*options, "--help"])


@pytest.mark.parametrize(
    ("command", "panels"),
    [
        ("analyze", ["Arguments", "Options", "Input columns", "Scale", "Themes", "Output",
                     "Performance"]),
        ("fit", ["Arguments", "Options", "Model", "Input columns", "Scale", "Themes",
                 "Performance"]),
    ],
)  # fmt: skip
def test_help_groups_the_options_in_panels(command: str, panels: list[str]) -> None:
    titles = [ln.strip("╭─╮ ") for ln in _help80(command) if ln.startswith("╭─ ")]
    assert titles == panels


def test_option_values_are_named_by_what_to_type() -> None:
    lines = {ln.strip(" │").split("  ")[0]: ln for ln in _help80("analyze")}
    assert "--format                 FORMAT " in lines["--format"]
    assert "--score-col          COLUMN " in lines["--score-col"]
    assert "--period                 week|month|quarter|year " in lines["--period"]
    assert lines["--force"].split() == [
        "│", "--force", "Replace", "the", "report", "in", "│"
    ]  # fmt: skip


def test_score_col_help_covers_other_scales() -> None:
    score = next(p for p in _params("analyze") if p.name == "score_col")
    assert score.help == "Score column: 0-10, or another scale with the Scale options."
