"""The Dask engine on the inputs of tests/test_robustness.py: the local engine's answer."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from _dask_cluster import local_client  # noqa: E402
from feedback_nlp.cli import app  # noqa: E402
from feedback_nlp.config import AnalysisConfig, Engine, Representation  # noqa: E402
from feedback_nlp.engines.dask_engine import analyze_dask  # noqa: E402
from feedback_nlp.errors import FeedbackError, InputFileError  # noqa: E402
from feedback_nlp.load import load_survey  # noqa: E402
from feedback_nlp.pipeline import analyze  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with local_client(2) as c:
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


# ---------------------------------------------------------------- quotes and encodings

BAD_ROW = "eleven,not a score"
NOTE_OPEN = (
    "q.csv: data row 6 (lines 7-21) holds 14 lines shaped like rows of their own (first: line "
    "8) inside a quoted cell: a quote left open? They are read as part of that row's cell; check "
    "the quoting."
)


#: A comment over 80 lines: more than half of the file it is in.
LONG = "\n".join(f"line {k} of a long complaint" for k in range(80))


def _rows(n: int, word: str = "comment") -> list[str]:
    return [f"{i % 11},{word} number {i}" for i in range(n)]


def _csv(rows: list[str]) -> str:
    return "score,comment\n" + "\n".join([*rows, BAD_ROW]) + "\n"


def _quote_left_open() -> bytes:
    rows = _rows(60)
    rows[5] = '3,"the router keeps dropping'
    rows[19] = '8,"fine" they said'
    return _csv(rows).encode()


def _quote_never_closed() -> bytes:
    rows = _rows(60)
    rows[5] = '3,"the router keeps dropping'
    return _csv(rows).encode()


def _comments_over_several_lines() -> bytes:
    """Short comments over a few lines, and one over 80 lines: a block is cut inside it."""
    rows = _rows(60)
    for i in range(2, 60, 7):
        rows[i] = f'{i % 11},"Slow, unreliable.\nWould not recommend, sorry.\n\nCalled {i} times"'
    rows[10] = f'1,"{LONG}"'
    return _csv(rows).encode()


def _utf8_with_surrogates_after_the_head() -> bytes:
    """Mostly UTF-8 (accents throughout), three bytes encoding a lone surrogate beyond 64 KB."""
    data = _csv(_rows(4_000, "café")).encode()
    assert len(data) > 70_000
    return data.replace(b"number 3990", b"number \xed\xa0\x80 3990")


class Case(NamedTuple):
    """An input file, and what the local engine answers on it."""

    file: str
    make: Callable[[], bytes]
    #: the note the local engine gives (None: no note on quotes), or its refusal
    says: str | None
    #: a comment as read, and the data rows read (None when refused)
    comment: str | None = None
    rows: int | None = None


CASES = {
    "quote left open": Case("q.csv", _quote_left_open, NOTE_OPEN, "comment number 4", 47),
    "quote never closed": Case(
        "q.csv", _quote_never_closed, "q.csv is malformed: a quote opened on line 7 is never "
        "closed. Check the quoting (a stray '\"' at the start of a cell).",
    ),
    "comments over several lines": Case("s.csv", _comments_over_several_lines, None, LONG, 61),
    "utf-16-le without bom": Case(
        "s.csv", lambda: _csv(_rows(40, "café déjà vu")).encode("utf-16-le"),
        "s.csv is UTF-16 without a byte-order mark; read it as UTF-16-LE.",
        "café déjà vu number 0", 41,
    ),
    "utf-16-be without bom": Case(
        "s.csv", lambda: _csv(_rows(40, "Медленный интернет")).encode("utf-16-be"),
        "s.csv is UTF-16 without a byte-order mark; read it as UTF-16-BE.",
        "Медленный интернет number 1", 41,
    ),
    "lone surrogate bytes": Case(
        "s.csv", _utf8_with_surrogates_after_the_head,
        "s.csv has 3 byte(s) that are not valid UTF-8; read it as UTF-8 with those replaced "
        "by '\ufffd'.",
        "café number \ufffd\ufffd\ufffd 3990", 4_001,
    ),
    "cp1252": Case(
        "s.csv", lambda: _csv(_rows(40, "café")).encode("cp1252"),
        "s.csv is not UTF-8; read it as cp1252 (Windows-1252).", "café number 0", 41,
    ),
}  # fmt: skip


def _outcome(run: Callable[[], Any]) -> tuple[tuple[Any, ...], Any]:
    """What a user is told and given: the message when refused, else notes, rows and tables."""
    try:
        result = run()
    except FeedbackError as err:
        return ("refused", str(err)), None
    rejected = result.rejected.to_dict("records")
    rows = result.summary.to_dict()["rows"]
    return ("analysed", result.notes, rows, rejected, result.comments["text"].tolist()), result


@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", list(CASES))
def test_quotes_and_encodings_in_several_partitions_as_locally(
    client, tmp_path: Path, case: str
) -> None:
    file, make, says, comment, rows = CASES[case]
    data = make()
    path = tmp_path / file
    path.write_bytes(data)
    cfg = AnalysisConfig(input=path, representation=Representation.tfidf)
    local, _ = _outcome(lambda: analyze(cfg))
    blocks = len(data) // 4 + 1  # four blocks: cut inside a quoted cell where there is one
    dask, result = _outcome(
        lambda: analyze_dask(cfg.with_(engine=Engine.dask), client=client, blocksize=blocks)
    )
    assert dask == local
    if comment is None:
        assert local == ("refused", says)
        return
    assert local[0] == "analysed", local
    notes, counts, rejected, comments = local[1:]
    assert says in notes if says else not any("quote" in n for n in notes)
    assert comment in comments and counts["read"] == rows
    assert [r["reason"] for r in rejected] == ["non-numeric score: 'eleven'"]
    assert result.summary.to_dict()["engine"]["partitions"] >= 2


def _cli(path: Path, out: Path, *extra: str) -> tuple[int, list[str], dict[str, Any] | None]:
    """Exit code, the Note and Error lines printed, summary.json (None when refused)."""
    result = CliRunner().invoke(
        app, ["analyze", str(path), "--representation", "tfidf", "--out", str(out), *extra]
    )
    said = [line for line in result.stderr.splitlines() if line.startswith(("Note:", "Error:"))]
    summary = out / "summary.json"
    return result.exit_code, said, json.loads(summary.read_text()) if summary.exists() else None


@pytest.mark.timeout(300)
def test_cli_exit_codes_messages_and_files_as_locally(client, tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.csv"  # a file name that is not UTF-8
    try:
        with open(raw, "wb") as fh:
            fh.write(_csv(_rows(30, "déjà vu")).encode("utf-16-le"))
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    (tmp_path / "open.csv").write_bytes(_quote_left_open().replace(b"q.csv", b"open.csv"))
    (tmp_path / "never.csv").write_bytes(_quote_never_closed())
    dask = ["--engine", "dask", "--scheduler", client.scheduler.address]
    seen = {}
    for path in (Path(os.fsdecode(raw)), tmp_path / "open.csv", tmp_path / "never.csv"):
        key = path.stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        local = _cli(path, tmp_path / f"{key}-local")
        other = _cli(path, tmp_path / f"{key}-dask", *dask)
        assert other[:2] == local[:2], key
        if local[2] is not None:
            assert other[2] is not None
            assert other[2]["notes"] == local[2]["notes"] and other[2]["rows"] == local[2]["rows"]
            for table in ("rejected.csv", "comments.csv"):
                pd.testing.assert_frame_equal(
                    pd.read_csv(tmp_path / f"{key}-dask" / table),
                    pd.read_csv(tmp_path / f"{key}-local" / table),
                )
        seen[key] = local
    assert seen["caf\ufffd"][0] == 0
    note = "Note: caf\ufffd.csv is UTF-16 without a byte-order mark; read it as UTF-16-LE."
    assert note in seen["caf\ufffd"][1]
    rejected = pd.read_csv(tmp_path / "caf\ufffd-dask" / "rejected.csv")
    assert rejected["source"].tolist() == ["caf\ufffd.csv"]
    assert seen["open"][0] == 0 and any("open.csv: data row 6" in s for s in seen["open"][1])
    assert seen["never"][0] == 1
    assert seen["never"][1] == [
        "Error: never.csv is malformed: a quote opened on line 7 is never closed. Check the "
        "quoting (a stray '\"' at the start of a cell)."
    ]
