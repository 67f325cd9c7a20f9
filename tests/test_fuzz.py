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
import sys, time
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
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over execve, so the child would
# report the (large) pytest process it was forked from
hwm = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
print(round(time.perf_counter() - start, 1), int(hwm) // 1024)
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


# ---------------------------------------------------------------- issue 13: no traceback,
# no silent row loss, terminal safety

_MARKUP = st.text(
    alphabet=st.sampled_from(list("[]/\\=@#:abc link bold red ")), min_size=0, max_size=30
) | st.sampled_from(["[/]", "[link=http://x.example]y[/link]", "x\\", "[bold]", "\\[/]"])


@FUZZ
@given(text=_MARKUP)
def test_any_user_text_prints_through_rich_as_itself(text: str) -> None:
    """cli._common.esc: no MarkupError, no style or link taken from the text."""
    from rich.console import Console

    from feedback_nlp.cli._common import esc

    TRIED["markup"] += 1
    console = Console(record=True, width=500, force_terminal=True, color_system="truecolor")
    console.print(f"Note: [bold]{esc(text)}[/] done", soft_wrap=True)
    assert console.export_text() == f"Note: {text} done\n"
    assert "\x1b]8;" not in console.export_text(styles=True)


@FUZZ
@given(
    values=st.lists(
        st.sampled_from([0, 0.0, -0.0, 1.9, -2.5, 0.95, 3.8, 1.5, -1.25, 2.25, -3.75]), max_size=40
    ),
    words=st.lists(st.sampled_from(["but", "BUT", "x", "good", "bad"]), max_size=40),
)
def test_linear_but_check_equals_vaders(values: list[float], words: list[str]) -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from feedback_nlp.sentiment import _analyzer_class

    TRIED["vader but"] += 1
    n = min(len(values), len(words))
    fast = _analyzer_class()._but_check(words[:n], list(values[:n]))
    slow = SentimentIntensityAnalyzer._but_check(words[:n], list(values[:n]))
    assert fast == slow and [type(v) for v in fast] == [type(v) for v in slow]


@FUZZ
@given(seed=st.integers(min_value=-(2**40), max_value=2**40))
def test_seed_is_accepted_exactly_in_numpy_range(seed: int) -> None:
    from feedback_nlp.errors import ConfigError

    TRIED["seed"] += 1
    try:
        AnalysisConfig(input=Path("s.csv"), seed=seed)
    except ConfigError as err:
        assert not 0 <= seed < 2**32 and "\n" not in str(err)
    else:
        assert 0 <= seed < 2**32


@pytest.mark.timeout(120)
@FUZZ
@given(
    n=st.integers(min_value=2, max_value=30),
    opened=st.sets(st.integers(min_value=0, max_value=29), max_size=3),
    closed=st.sets(st.integers(min_value=0, max_value=29), max_size=3),
)
def test_a_quote_left_open_never_loses_rows_silently(
    tmp_path_factory: pytest.TempPathFactory, n: int, opened: set[int], closed: set[int]
) -> None:
    """Rows read + rows named in a note = rows written, or a one-line error names a line."""
    TRIED["open quote"] += 1
    rows = [f"{i % 11},comment number {i}" for i in range(n)]
    for i in opened & set(range(n)):
        rows[i] = f'{i % 11},"comment opened {i}'
    for i in (closed - opened) & set(range(n)):
        rows[i] = f'{i % 11},"closed {i}" later'
    path = tmp_path_factory.mktemp("q") / "q.csv"
    path.write_text("score,comment\n" + "\n".join(rows) + "\n")
    try:
        frame, info = read_table(path)
    except FeedbackError as err:
        assert "never closed" in str(err) and "\n" not in str(err)
        return
    if len(frame) < n:
        assert any("shaped like rows of their own" in note for note in info["notes"]), info


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
        min_size=1,
        max_size=5,
    )
)
def test_json_lines_strings_come_back_whole(
    tmp_path_factory: pytest.TempPathFactory, comments: list[str]
) -> None:
    """Any string, U+2028, U+0085 and control characters included, is one cell."""
    TRIED["jsonl strings"] += 1
    path = tmp_path_factory.mktemp("j") / "s.jsonl"
    lines = [json.dumps({"score": 9, "comment": c}, ensure_ascii=False) for c in comments]
    path.write_text("\n".join(lines), encoding="utf-8")
    frame, _ = read_table(path)
    assert frame["comment"].tolist() == comments


@pytest.mark.timeout(60)
@FUZZ
@given(st.lists(st.text(alphabet=st.characters(), max_size=8), min_size=1, max_size=4))
def test_json_lines_lone_surrogate_escapes_become_replacement_characters(
    tmp_path_factory: pytest.TempPathFactory, comments: list[str]
) -> None:
    """'\\ud800' is valid JSON but no character: U+FFFD and a note, never an encoding error."""
    import re

    TRIED["jsonl surrogates"] += 1
    path = tmp_path_factory.mktemp("j") / "s.jsonl"
    lines = [json.dumps({"score": 9, "comment": c}) for c in comments]  # \\u escapes
    path.write_text("\n".join(lines), encoding="ascii")
    frame, info = read_table(path)
    decoded = [json.loads(json.dumps(c)) for c in comments]  # escaped pairs join
    expected = [re.sub("[\ud800-\udfff]", "\ufffd", c) for c in decoded]
    assert frame["comment"].tolist() == expected
    assert any("lone surrogate" in n for n in info["notes"]) == (expected != decoded)
    "\n".join(frame["comment"]).encode("utf-8")  # every cell can be written out


@pytest.mark.timeout(120)
@FUZZ
@given(
    names=st.lists(
        st.sampled_from(["score", "comment", "score ", " comment", "id", ""]),
        min_size=1,
        max_size=6,
    ),  # fmt: skip
    ext=st.sampled_from([".csv", ".xlsx"]),
)
def test_repeated_header_names_are_unique_after_reading(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], ext: str
) -> None:
    TRIED["header names"] += 1
    path = tmp_path_factory.mktemp("h") / f"s{ext}"
    body = [[str(9 - i) if "score" in n else f"x{i}" for n in names] for i in range(2)]
    if ext == ".csv":
        path.write_text("\n".join(",".join(r) for r in [names, *body]) + "\n")
    else:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        for r in [names, *body]:
            book.active.append(r)
        book.save(path)
    try:
        frame, _ = read_table(path)
    except FeedbackError:
        return
    assert len(set(frame.columns)) == frame.shape[1]
    _load_or_feedback_error(path)


_TINY_TEXT = st.sampled_from(["", " ", "ok", "great", "slow router", "[NAME]", "?", "10", "n/a"])


@pytest.mark.timeout(300)
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    rows=st.lists(st.tuples(st.integers(0, 10), _TINY_TEXT), min_size=1, max_size=6),
    with_text=st.booleans(),
)
def test_tiny_surveys_are_analysed(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, str]], with_text: bool
) -> None:
    """Any survey of a few rows, with or without a text column: a result, never a traceback."""
    from feedback_nlp import analyze
    from feedback_nlp.config import Representation

    TRIED["tiny survey"] += 1
    path = tmp_path_factory.mktemp("t") / "s.csv"
    scores = [s for s, _ in rows]
    scores[0] = 10  # scores that fit the 0-10 scale unambiguously (else refused, see scales)
    frame = pd.DataFrame({"score": scores, "segment": ["ab"[i % 2] for i in range(len(rows))]})
    if with_text:
        frame["comment"] = [t for _, t in rows]
    frame.to_csv(path, index=False)
    try:
        result = analyze(AnalysisConfig(input=path, segment_cols=("segment",),
                                        representation=Representation.tfidf))  # fmt: skip
    except FeedbackError as err:  # e.g. scores that fit no scale unambiguously
        assert "\n" not in str(err) and "themes" not in str(err)
        return
    assert result.summary.nps.n == len(rows)
    assert len(result.comments) == len(rows)
