"""The README's "Getting started" as a user runs it: its commands and code on generated data.

Each step's commands and Python are taken from the README itself and run in a
fresh folder; the lines the README shows (the columns chosen and why, the
headline, the counts, the segment table, where the report is) must be the
lines the run prints. Only the themes are not compared: the runs here use
TF-IDF with two themes to stay fast, which changes the themes and nothing
before or after them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedback_nlp.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
#: Added to every `analyze` of the README: the themes change, nothing printed around them.
FAST = ["--representation", "tfidf", "--themes", "2", "--subthemes", "0"]
runner = CliRunner()


def getting_started() -> list[tuple[str, str]]:
    """The fenced blocks of the README's "Getting started", as (language, body), in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Getting started\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, flags=re.S | re.M)


BLOCKS = getting_started()


def block(lang: str, containing: str) -> str:
    (body,) = [b for kind, b in BLOCKS if kind == lang and containing in b]
    return body


def output_after(containing: str) -> list[str]:
    """The README's output block that follows the block holding ``containing``."""
    at = next(i for i, (_, b) in enumerate(BLOCKS) if containing in b)
    kind, body = BLOCKS[at + 1]
    assert kind == "text"
    return body.splitlines()


def commands(body: str) -> list[list[str]]:
    """Each `feedback-nlp ...` command of a shell block, continuation lines joined."""
    lines = body.replace("\\\n", " ").splitlines()
    found = [shlex.split(line) for line in lines if line.strip()]
    assert all(words[0] == "feedback-nlp" for words in found)
    return [words[1:] for words in found]


def run(args: list[str]) -> list[str]:
    """What a terminal of 80 columns shows: the notes (stderr) came before the summary."""
    extra = FAST if args[0] == "analyze" else []
    result = runner.invoke(app, [*args, *extra], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    return [line.rstrip() for line in (result.stderr + result.stdout).splitlines()]


def assert_shown(readme: list[str], printed: list[str]) -> None:
    """The README's lines up to the themes begin the run's output, those after its last
    '...' end it; '...' stands only for lines left out."""
    head = readme[: next(i for i, ln in enumerate(readme) if ln.startswith("Top detractor"))]
    tail = readme[len(readme) - readme[::-1].index("...") :]
    assert printed[: len(head)] == head
    assert printed[len(printed) - len(tail) :] == tail


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh folder as the current one, holding what step 2 writes and prints."""
    path = tmp_path_factory.mktemp("getting-started")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path)
        yield path


@pytest.fixture(scope="module")
def step2(folder: Path) -> list[str]:
    printed: list[str] = []
    for args in commands(block("sh", "feedback-nlp demo --write-data")):
        printed += run(args)
    return printed


def test_the_readme_shows_four_steps_with_their_output() -> None:
    assert [kind for kind, _ in BLOCKS] == ["sh", "text", "python", "sh", "text", "python", "text"]
    assert "--scale-min 1 --scale-max 5" in block("sh", "reviews.csv")
    assert "make demo" in README.read_text(encoding="utf-8").split("## Getting started")[1][:400]


def test_step_2_a_0_to_10_file_prints_what_the_readme_shows(step2: list[str]) -> None:
    shown = output_after("feedback-nlp demo --write-data")
    assert_shown(shown, step2)
    # What the README's reader is told to look for, exactly.
    assert step2[:2] == [
        "Demo survey (2000 rows, seed 0) written to survey.csv",
        "Note: Using column 'score' for scores (detected by name; pass --score-col to choose "
        "another).",
    ]
    assert "NPS -5.60 (95% CI -9.45 to -1.72), n=1966:" in step2
    assert step2[-1] == "Report written to report/report.html"
    assert Path("report", "report.html").is_file()


def test_step_3_stars_are_detected_and_read_on_their_scale(step2: list[str]) -> None:
    exec(block("python", "reviews.csv"), {})  # the README's pandas lines write reviews.csv
    (args,) = commands(block("sh", "reviews.csv"))
    printed = run(args)
    assert_shown(output_after("reviews.csv --scale-min"), printed)
    assert printed[0] == (
        "Note: Using column 'Stars' for scores (detected by content: integers 1-5; pass "
        "--score-col to choose another)."
    )
    headline = printed.index("700 promoters, 456 passives, 810 detractors")
    assert printed[headline - 2 : headline] == [
        "NPS-style score -5.60 on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor) (95%",
        "CI -9.45 to -1.72), n=1966:",
    ]
    assert not [line for line in printed if line.startswith("Warning")]  # the scale was given


def test_step_4_the_python_lines_print_what_the_readme_shows(
    step2: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import feedback_nlp.pipeline

    analyze = feedback_nlp.pipeline.analyze
    monkeypatch.setattr(
        feedback_nlp.pipeline,
        "analyze",
        lambda data, **options: analyze(
            data, representation="tfidf", themes=2, subthemes=0, **options
        ),
    )
    capsys.readouterr()
    exec(block("python", "from feedback_nlp import analyze"), {})
    assert capsys.readouterr().out.splitlines() == output_after("print(result.summary.nps)")
    assert Path("report-py", "report.html").is_file()
