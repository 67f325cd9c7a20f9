"""The Dask engine on the inputs of tests/test_robustness.py: the local engine's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from feedback_nlp.config import AnalysisConfig, Engine, Representation  # noqa: E402
from feedback_nlp.engines.dask_engine import analyze_dask  # noqa: E402
from feedback_nlp.errors import InputFileError  # noqa: E402
from feedback_nlp.load import load_survey  # noqa: E402
from feedback_nlp.pipeline import analyze  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _both(path: Path, **options: object):
    cfg = AnalysisConfig(input=path, representation=Representation.tfidf, **options)  # type: ignore[arg-type]
    return analyze(cfg), cfg.with_(engine=Engine.dask)


def _write_parquet(path: Path) -> Path:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    columns = [["8", "2", "7", "10"], ["good", "bad", "ok", "quick"], ["a", "b", "a", "b"]]
    pq.write_table(pa.table([*columns, ["1", "2", "3", "4"]],
                            names=["score", "comment", "region", "score"]), path)  # fmt: skip
    return path


@pytest.mark.timeout(300)
def test_repeated_names_tiny_and_score_only_surveys_as_locally(client, tmp_path: Path) -> None:
    dup = tmp_path / "dup.csv"
    dup.write_text("score,comment,region,score\n9,great,a,1\n3,slow,b,2\n7,fine,a,3\n10,fast,b,4\n")
    scores = tmp_path / "scores.csv"
    scores.write_text("score,region\n9,a\n3,b\n7,a\n10,b\n")
    for path in (dup, _write_parquet(tmp_path / "dup.parquet"), scores):
        local, cfg = _both(path, segment_cols=("region",))
        dask = analyze_dask(cfg, client=client)
        assert dask.notes == local.notes, path.name
        assert dask.summary.nps == local.summary.nps
        assert dask.themes["n_comments"].tolist() == local.themes["n_comments"].tolist()
        assert dask.segments.equals(local.segments)
        named = any("has 2 columns named 'score'" in n for n in local.notes)
        assert named == path.name.startswith("dup"), local.notes


@pytest.mark.timeout(120)
def test_mixed_delimiters_refused_as_locally(client, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("score;comment\n9,great\n3,slow\n7,ok\n")
    with pytest.raises(InputFileError) as local:
        load_survey(AnalysisConfig(input=path))
    with pytest.raises(InputFileError) as dask:
        analyze_dask(AnalysisConfig(input=path, engine=Engine.dask), client=client)
    assert str(dask.value) == str(local.value)
    assert str(local.value).startswith("mixed.csv mixes delimiters")
