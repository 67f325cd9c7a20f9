"""The Dask engine checks the scale on every partition's scores, as the local one does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from _dask_cluster import local_client  # noqa: E402
from feedback_nlp.config import AnalysisConfig, Engine, Representation, Scale  # noqa: E402
from feedback_nlp.engines.dask_engine import HEAD_ROWS, analyze_dask  # noqa: E402
from feedback_nlp.errors import DataError  # noqa: E402
from feedback_nlp.load import load_survey  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with local_client(1, processes=False) as c:
        yield c


def _stars_file(tmp_path: Path, stray_row: int, stray: str = "10") -> Path:
    n = 2 * HEAD_ROWS
    scores = [str(v) for v in np.random.default_rng(0).integers(1, 6, n)]
    scores[stray_row - 1] = stray
    words = ["fit", "colour", "size", "price", "delivery", "fabric", "service", "length"]
    path = tmp_path / "s.csv"
    pd.DataFrame(
        {
            "id": range(1, n + 1),
            "rating": scores,
            "comment": [f"the {words[i % 8]} was {'good' if i % 3 else 'poor'}" for i in range(n)],
        }
    ).to_csv(path, index=False)
    return path


def test_a_stray_10_beyond_the_head_is_rejected_as_on_the_local_engine(
    tmp_path: Path, client
) -> None:
    path = _stars_file(tmp_path, 2 * HEAD_ROWS)  # the last row: beyond the Dask engine's head
    cfg = AnalysisConfig(input=path, redact=False, representation=Representation.tfidf, n_themes=2)
    local = load_survey(cfg)
    dask = analyze_dask(cfg.with_(engine=Engine.dask), client=client, blocksize=40_000)
    assert dask.summary.engine is not None and dask.summary.engine.partitions >= 3
    assert dask.summary.scale is not None and dask.summary.scale.inferred
    assert dask.summary.scale.scale == Scale(1, 5, 5, 3) == Scale(**{
        k: local.info["scale"][m] for k, m in (("minimum", "min"), ("maximum", "max"),
        ("promoter_min", "promoter_min"), ("detractor_max", "detractor_max"))
    })  # fmt: skip
    expected = [[2 * HEAD_ROWS, "score out of range 1-5: 10"]]
    assert dask.rejected[["row", "reason"]].values.tolist() == expected
    assert local.rejected[["row", "reason"]].values.tolist() == expected
    # The local engine names the row; the Dask one has the first rows at hand only.
    assert any(f"(row {2 * HEAD_ROWS} (10))" in n for n in local.notes)
    assert any("the other 1 (e.g. 10) is taken for a typo" in n for n in dask.notes)


def test_a_wrong_scale_option_stops_the_dask_engine_naming_rows(tmp_path: Path, client) -> None:
    path = _stars_file(tmp_path, 3, stray="9")
    cfg = AnalysisConfig(input=path, redact=False, scale=Scale(1, 4, 4, 2), engine=Engine.dask)
    with pytest.raises(DataError) as err:
        analyze_dask(cfg, client=client, blocksize=40_000)
    assert str(err.value).startswith(
        "Scores in column 'rating' of s.csv do not fit the chosen 1-4 scale: "
    )
    assert "(rows 1 (5), 3 (9), 10 (5))" in str(err.value)
