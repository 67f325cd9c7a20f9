"""Checks against the real public data sets beside the checkout; skipped when absent."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import shared_file
from feedback_nlp.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def telecom_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = shared_file("telecom_nps_verbatims.csv")
    out = tmp_path_factory.mktemp("telecom")
    result = runner.invoke(
        app,
        [
            "analyze",
            str(data),
            "--score-col",
            "NPS_SCORE",
            "--text-col",
            "text",
            "--segment-col",
            "SURVEY_SUB_TYPE",
            "--date-col",
            "CUSTOMER_RESPONSE_DATE",
            "--representation",
            "tfidf",
            "--quiet",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    return out


def test_telecom_nps_matches_the_hand_computation(telecom_out: Path):
    summary = json.loads((telecom_out / "summary.json").read_text())
    nps = summary["nps"]
    assert (nps["score"], nps["n"]) == (-24.69, 2353)
    assert (nps["promoters"], nps["passives"], nps["detractors"]) == (690, 392, 1271)
    assert summary["rows"]["read"] == 2385
    assert summary["rows"]["analyzed"] + summary["rows"]["rejected"] == 2385


def test_telecom_stage_nps_and_rejections(telecom_out: Path):
    seg = pd.read_csv(telecom_out / "segments.csv").set_index("value")
    expected = {
        "Order": (-9.98, 962),
        "First Payment": (-29.29, 1130),
        "Equipment Received": (-56.71, 231),
        "Service in Use": (-76.67, 30),
    }
    for stage, (nps, n) in expected.items():
        assert (round(seg.at[stage, "nps"], 2), int(seg.at[stage, "n"])) == (nps, n), stage
    rejected = pd.read_csv(telecom_out / "rejected.csv")
    assert len(rejected) == 32
    assert set(rejected["reason"]) == {"missing score"}
