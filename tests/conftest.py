"""Shared fixtures: project-generated surveys, and the real data sets when present."""

from __future__ import annotations

from pathlib import Path

import pytest

#: analyze options for a survey written by feedback_nlp.demo.
DEMO_OPTS = [
    "--score-col",
    "score",
    "--text-col",
    "comment",
    "--id-col",
    "respondent_id",
    "--segment-col",
    "region",
    "--segment-col",
    "plan",
    "--date-col",
    "response_date",
]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 600-row synthetic survey written by the project's own generator."""
    from feedback_nlp.demo import write_survey

    return write_survey(tmp_path_factory.mktemp("demo") / "survey.csv", rows=600, seed=3)


def shared_file(name: str) -> Path:
    """Path of a real data set beside the checkout; skips the test when absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path
