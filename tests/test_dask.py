"""The Dask engine gives the local engine's results on the same input and seed."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from typer.testing import CliRunner  # noqa: E402

from _dask_cluster import local_client  # noqa: E402
from feedback_nlp.cli import app  # noqa: E402
from feedback_nlp.config import (  # noqa: E402
    AnalysisConfig,
    DuplicatePolicy,
    Engine,
    Representation,
    SentenceLevel,
)
from feedback_nlp.demo import write_survey  # noqa: E402
from feedback_nlp.engines.dask_engine import analyze_dask  # noqa: E402
from feedback_nlp.errors import ConfigError, InputFileError  # noqa: E402
from feedback_nlp.pipeline import analyze  # noqa: E402
from feedback_nlp.plan import merge_examples  # noqa: E402
from golden_cases import available, config  # noqa: E402

SEGMENTS = ("region", "plan")


@pytest.fixture(scope="module")
def client():
    with local_client(2) as c:
        yield c


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 demo rows with an out-of-range score and a duplicate id across files."""
    folder = tmp_path_factory.mktemp("dask")
    path = write_survey(folder / "survey.csv", rows=600, seed=0)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[450, "respondent_id"] = frame.loc[10, "respondent_id"]  # in part 3, dup of part 1
    frame.loc[300, "score"] = "11"
    frame.to_csv(path, index=False)
    for i, start in enumerate((0, 200, 400)):
        frame.iloc[start : start + 200].to_csv(folder / f"part-{i}.csv", index=False)
    return path


def _config(path: Path) -> AnalysisConfig:
    return AnalysisConfig(
        input=path,
        segment_cols=SEGMENTS,
        representation=Representation.tfidf,
        n_themes=6,
        duplicates=DuplicatePolicy.first,
        seed=3,
    )


@pytest.fixture(scope="module")
def local(survey: Path):
    return analyze(_config(survey))


def _same(a: pd.DataFrame, b: pd.DataFrame, drop: tuple[str, ...] = ()) -> None:
    pd.testing.assert_frame_equal(
        a.drop(columns=list(drop)).reset_index(drop=True),
        b.drop(columns=list(drop)).reset_index(drop=True),
    )


def _assert_same_result(local, dask, rejected_drop: tuple[str, ...] = ()) -> None:
    ds, ls = dask.summary.to_dict(), local.summary.to_dict()
    assert ds["nps"] == ls["nps"]
    assert ds["rows"] == ls["rows"]
    assert ds["brand_terms"] == ls["brand_terms"]
    assert ds["themes"] == ls["themes"]
    _same(local.segments, dask.segments)
    _same(local.themes, dask.themes)
    _same(local.segment_themes, dask.segment_themes)
    _same(local.comments, dask.comments)
    _same(local.sentences, dask.sentences)
    _same(local.terms, dask.terms)
    _same(local.trends, dask.trends)
    _same(local.followup, dask.followup)
    _same(local.rejected, dask.rejected, rejected_drop)


def _without_engine(summary: dict) -> dict:
    """summary.json minus what names the engine and its input files."""
    out = copy.deepcopy(summary)
    out.pop("engine", None)
    out["manifest"]["config"].pop("engine")
    out["manifest"].pop("input")
    return out


@pytest.mark.parametrize(("case", "blocksize"), [("demo", 100_000), ("telecom", 60_000)])
def test_default_settings_give_the_local_result(
    case: str, blocksize: int, client, tmp_path: Path
) -> None:
    """Name redaction on, automatic representation: every table and the summary equal."""
    if not available(case):
        pytest.skip(f"data of case {case!r} not present")
    cfg = config(case, tmp_path)
    assert cfg.redact and cfg.redact_names
    local = analyze(cfg)
    dask = analyze_dask(cfg.with_(engine=Engine.dask), client=client, blocksize=blocksize)
    assert dask.summary.engine is not None and dask.summary.engine.partitions >= 3
    assert local.summary.redaction is not None and local.summary.redaction["NAME"] > 0
    _assert_same_result(local, dask)
    _same(local.segment_own_themes, dask.segment_own_themes)
    assert _without_engine(dask.summary.to_dict()) == _without_engine(local.summary.to_dict())
    assert dask.notes == local.notes


def test_comments_read_by_sentence_give_the_local_result(survey: Path, client) -> None:
    """--sentences on: themes fitted on sentences, the sentence sentiment model
    shipped to the workers; every table equal."""
    cfg = _config(survey).with_(sentences=SentenceLevel.on, representation=Representation.auto)
    local = analyze(cfg)
    assert any("sentence by sentence" in n for n in local.notes)
    assert (local.sentences["theme"] != "").any()
    dask = analyze_dask(cfg.with_(engine=Engine.dask), client=client, blocksize=25_000)
    assert dask.summary.engine is not None and dask.summary.engine.partitions >= 3
    _assert_same_result(local, dask)
    assert dask.notes == local.notes


def test_glob_of_csv_files_gives_the_local_result(local, survey: Path, client) -> None:
    cfg = _config(survey.parent / "part-*.csv").with_(engine=Engine.dask)
    result = analyze_dask(cfg, client=client)
    assert result.summary.to_dict()["engine"]["partitions"] == 3
    # the local source is the one file, the Dask one the glob: everything else is equal
    _assert_same_result(local, result, rejected_drop=("source",))
    assert result.rejected["row"].tolist() == local.rejected["row"].tolist()
    assert "duplicate id (kept first)" in set(result.rejected["reason"])


def test_one_csv_in_several_partitions_gives_the_local_result(local, survey: Path, client) -> None:
    result = analyze_dask(
        _config(survey).with_(engine=Engine.dask), client=client, blocksize=25_000
    )
    assert result.summary.to_dict()["engine"]["partitions"] >= 3
    _assert_same_result(local, result)
    assert result.notes == local.notes


def test_parquet_glob_gives_the_local_result(survey: Path, client, tmp_path: Path) -> None:
    frame = pd.read_csv(survey, dtype=str, keep_default_na=False).iloc[:300]
    frame.to_parquet(tmp_path / "all.parquet", index=False)
    for i, start in enumerate((0, 150)):
        frame.iloc[start : start + 150].to_parquet(tmp_path / f"p{i}.parquet", index=False)
    cfg = _config(tmp_path / "all.parquet").with_(redact=False)
    local = analyze(cfg)
    result = analyze_dask(cfg.with_(input=tmp_path / "p*.parquet"), client=client)
    _assert_same_result(local, result, rejected_drop=("source",))


def test_a_sample_fits_the_model_above_max_fit_rows(survey: Path, client) -> None:
    cfg = _config(survey).with_(engine=Engine.dask, redact=False)
    result = analyze_dask(cfg, client=client, blocksize=25_000, max_fit_rows=300)
    assert result.summary.to_dict()["engine"]["fit_rows"] == 300
    assert any("seeded sample of 300" in n for n in result.notes)
    assert len(result.comments) == result.summary.rows.analyzed


def test_above_max_fit_rows_the_local_engine_fits_the_same_sample(
    survey: Path, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines fit on the same seeded sample, so their tables stay equal."""
    import feedback_nlp.plan.fitting as fitting

    cfg = _config(survey).with_(redact=False)
    monkeypatch.setattr(fitting, "MAX_FIT_ROWS", 300)
    local = analyze(cfg)
    assert any("seeded sample of 300" in n for n in local.notes)
    result = analyze_dask(cfg.with_(engine=Engine.dask), client=client, blocksize=25_000)
    _assert_same_result(local, result)
    assert result.notes == local.notes


def test_merge_examples_keeps_the_best_distinct_comments() -> None:
    parts = [[(0.9, 5, "Slow"), (0.5, 7, "Late")], [(0.9, 2, "slow "), (0.7, 9, "Rude")]]
    assert merge_examples(parts, 2) == [(2, "slow "), (9, "Rude")]


def test_unsupported_inputs_fail_before_starting_a_cluster(survey: Path) -> None:
    with pytest.raises(ConfigError, match="--per-segment is not supported with --engine dask"):
        analyze_dask(_config(survey).with_(per_segment=True))
    with pytest.raises(InputFileError, match="No file matches"):
        analyze_dask(_config(survey.parent / "nothing-*.csv"))
    xlsx = survey.with_suffix(".xlsx")
    xlsx.write_bytes(b"PK")
    with pytest.raises(InputFileError, match=r"--engine dask reads \.csv, \.tsv, \.parquet"):
        analyze_dask(_config(xlsx))


def test_cli_engine_option(survey: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["analyze", str(survey), "--engine", "dask", "--comments", str(survey),
         "--id-col", "respondent_id", "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--comments is not supported with --engine dask yet" in result.output


def test_one_worker_cluster_runs_every_step(tmp_path: Path) -> None:
    """No step pins its tasks to a worker (Client.map's own ``workers`` keyword)."""
    path = tmp_path / "tiny.csv"
    path.write_text(
        "score,comment\n9,Great service from Sarah\n3,Slow broadband\n7,ok\n10,love it\n",
        encoding="utf-8",
    )
    cfg = AnalysisConfig(input=path, representation=Representation.tfidf, engine=Engine.dask)
    with local_client(1) as c:
        result = analyze_dask(cfg, client=c)
    local = analyze(cfg.with_(engine=Engine.local))
    assert len(result.comments) == 4
    _same(local.comments, result.comments)
