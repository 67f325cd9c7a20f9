"""Hostile input: every file either loads with documented behaviour or raises FeedbackError.

Never another exception type, never a hang. Sizes are bounded and each case has a
time bound, so the whole file runs in well under a minute on one core. The number
of inputs hypothesis tried is printed at the end (pytest -s) from ``TRIED``.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from feedback_nlp.cli import app
from feedback_nlp.config import AnalysisConfig
from feedback_nlp.errors import FeedbackError
from feedback_nlp.load import load_survey, read_table

TRIED: Counter[str] = Counter()
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
EXTS = [".csv", ".tsv", ".jsonl", ".xlsx", ".parquet"]


def _load_or_feedback_error(path: Path, **options: object) -> object:
    """Load ``path``; a FeedbackError is an accepted outcome, anything else fails."""
    try:
        return load_survey(AnalysisConfig(input=path, **options))  # type: ignore[arg-type]
    except FeedbackError as err:
        assert "\n" not in str(err)
        return err


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print(f"\nhypothesis inputs tried: {dict(TRIED)} (total {sum(TRIED.values())})")


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.binary(max_size=4096), ext=st.sampled_from(EXTS))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, ext: str) -> None:
    TRIED["random bytes"] += 1
    path = tmp_path_factory.mktemp("b") / f"f{ext}"
    path.write_bytes(data)
    try:
        frame, info = read_table(path)
    except FeedbackError:
        return
    assert len(frame) == info["rows_read"] > 0
    _load_or_feedback_error(path)


_cell = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(['"', '""', "\x00", "\r", "\n", ",", ";", "\t", " 7 ", "9/10", "7,5", "=1+1"])


@pytest.mark.timeout(120)
@FUZZ
@given(
    rows=st.lists(st.lists(_cell, min_size=0, max_size=6), min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "mixed"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_ragged_quoted_mixed_encoding_csv(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], encoding: str, delimiter: str
) -> None:
    TRIED["csv text"] += 1
    text = "score" + delimiter + "comment\n" + "\n".join(delimiter.join(r) for r in rows)
    if encoding == "mixed":  # UTF-8 with a cp1252 stretch in the middle
        half = len(text) // 2
        data = text[:half].encode("utf-8") + text[half:].encode("cp1252", errors="replace")
    else:
        data = text.encode(encoding, errors="replace")
    path = tmp_path_factory.mktemp("c") / "s.csv"
    path.write_bytes(data)
    _load_or_feedback_error(path)


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=5),
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(),
                st.floats(),
                st.text(max_size=10),
                st.lists(st.integers(), max_size=2),
            ),
            max_size=4,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_json_lines_of_any_shape(tmp_path_factory: pytest.TempPathFactory, records) -> None:
    TRIED["jsonl"] += 1
    path = tmp_path_factory.mktemp("j") / "s.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    _load_or_feedback_error(path)


@pytest.mark.parametrize(
    "raw, expected",
    [(" 7 ", 7.0), ("9/10", 9.0), ("7,5", 7.5), ("8.0", 8.0), ("+9", 9.0)],
)
def test_score_spellings(tmp_path: Path, raw: str, expected: float) -> None:
    path = tmp_path / "s.csv"
    pd.DataFrame({"score": [raw, "10"], "comment": ["a", "b"]}).to_csv(path, index=False)
    survey = load_survey(AnalysisConfig(input=path))
    assert survey.frame["score"].tolist() == [expected, 10.0]


def test_semicolon_file_with_comma_decimals(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("score;comment\n7,5;ok\n9,0;good\n", encoding="utf-8")
    assert load_survey(AnalysisConfig(input=path)).frame["score"].tolist() == [7.5, 9.0]


@pytest.mark.parametrize(
    "text",
    [
        'score,comment\n9,"unclosed quote\n8,next\n',
        "score,comment\n9,a,b,c\n8\n",
        "score,comment\x00\n9,a\x00b\n",
        "\ufeffscore,comment\r\n9,a\r\n",
    ],
    ids=["unclosed-quote", "ragged", "nul", "bom-crlf"],
)
@pytest.mark.timeout(30)
def test_malformed_csv(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(text.encode("utf-8"))
    _load_or_feedback_error(path)


@pytest.mark.timeout(300)
def test_one_hundred_thousand_columns(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(100_000))
    path = tmp_path / "wide.csv"
    path.write_text(f"score,comment,{header}\n9,good,{','.join('x' * 100_000)}\n")
    start = time.perf_counter()
    out = _load_or_feedback_error(path)
    # A hang guard, not a speed test: ~25 s on a quiet 2-core machine.
    assert time.perf_counter() - start < 200
    assert not isinstance(out, FeedbackError), out
    wrong = _load_or_feedback_error(path, score_col="scor")
    assert isinstance(wrong, FeedbackError) and len(str(wrong)) < 2000


@pytest.mark.timeout(60)
def test_xlsx_with_formulas_and_several_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["score", "comment"])
    ws.append([9, '=HYPERLINK("http://x","y")'])
    ws.append(["=4+5", "formula score"])
    ws.append([7.5, "plain"])
    book.create_sheet("other").append(["nothing", "here"])
    path = tmp_path / "s.xlsx"
    book.save(path)
    survey = load_survey(AnalysisConfig(input=path))
    # formulas are never evaluated: no cached value means an empty cell
    assert survey.frame["score"].tolist() == [9.0, 7.5]
    assert survey.rejected["reason"].tolist() == ["missing score"]
    assert any("2 sheets" in n for n in survey.notes)


_BIG = """
import resource, sys, time
from pathlib import Path
from feedback_nlp.config import AnalysisConfig
from feedback_nlp.errors import FeedbackError
from feedback_nlp.load import load_survey
path = Path(sys.argv[1])
with path.open("w") as fh:
    fh.write("score,comment\\n9,short\\n8,\\"")
    chunk = "the router keeps dropping out every evening " * 1000
    for _ in range(50_000_000 // len(chunk)):
        fh.write(chunk)
    fh.write("\\"\\n")
start = time.perf_counter()
try:
    s = load_survey(AnalysisConfig(input=path))
    outcome = f"loaded {len(s.frame)} rows, longest comment {s.frame['text'].str.len().max()}"
except FeedbackError as err:
    outcome = f"FeedbackError: {err}"
print(outcome)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(round(time.perf_counter() - start, 1), rss)
"""


@pytest.mark.timeout(170)
def test_fifty_megabyte_comment_loads_in_bounded_time_and_memory(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", _BIG, str(tmp_path / "big.csv")],
                         capture_output=True, text=True, timeout=160)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    outcome, stats = out.stdout.strip().splitlines()[-2:]
    seconds, rss_mb = (float(x) for x in stats.split())
    print(f"\n50 MB comment: {outcome}; {seconds} s, peak RSS {rss_mb:.0f} MB")
    assert outcome.startswith(("loaded 2 rows", "FeedbackError"))
    assert seconds < 120 and rss_mb < 2000


@pytest.mark.timeout(120)
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(min_size=1, max_size=512), ext=st.sampled_from([".csv", ".xlsx", ".jsonl"]))
def test_cli_gives_one_line_and_exit_1(tmp_path_factory, data: bytes, ext: str) -> None:
    TRIED["cli"] += 1
    folder = tmp_path_factory.mktemp("cli")
    path = folder / f"f{ext}"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["analyze", str(path), "--representation", "tfidf",
                                      "--quiet", "--out", str(folder / "out")])  # fmt: skip
    assert result.exit_code in (0, 1), result.exception
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ")


def test_utf16_and_cp1252_are_decoded(tmp_path: Path) -> None:
    for enc, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("cp1252", b"")):
        path = tmp_path / f"{enc}.csv"
        path.write_bytes(bom + "score,comment\n9,café déjà vu\n".encode(enc))
        assert load_survey(AnalysisConfig(input=path)).frame["text"].tolist() == ["café déjà vu"]
