"""Progress people can plan by: counts of work done inside a stage, through the
Python API's callback and on the terminal, without changing any result."""

from __future__ import annotations

import io
import re

import pytest

from feedback_nlp.execution import Timer, counts_wanted
from feedback_nlp.parallel import map_chunks, map_with_state
from feedback_nlp.progress import advance, reporting


def _double(items: list[int]) -> list[int]:
    return [2 * i for i in items]


def _sum_chunk(state: int, chunk: list[int]) -> int:
    return state + sum(chunk)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_counted_map_reports_each_chunk_and_returns_the_same_result(workers):
    seen: list[tuple[str, int, int]] = []
    items = list(range(1001))
    with reporting(lambda step, done, total: seen.append((step, done, total))):
        out = map_chunks(_double, items, workers, min_items=10, step="doubling")
    assert out == _double(items)
    dones = [d for _, d, _ in seen]
    assert len(seen) >= 4  # moves in steps, not only at the end
    assert dones == sorted(dones) and dones[-1] == 1001
    assert {(s, t) for s, _, t in seen} == {("doubling", 1001)}


def test_map_with_state_counts_items_not_chunks():
    seen: list[int] = []
    with reporting(lambda step, done, total: seen.append(total)):
        out = map_with_state(_sum_chunk, 100, list(range(250)), 10, 2, step="summing")
    assert out == [100 + sum(range(i, min(i + 10, 250))) for i in range(0, 250, 10)]
    assert set(seen) == {250}


def _nested_chunk(state: int, chunk: list[int]) -> int:
    # a map inside another map's chunk (in-process here: one worker)
    inner = map_with_state(_sum_chunk, 1000, chunk, 2, 1)
    return state + sum(inner)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_map_inside_another_leaves_the_outer_state_for_its_next_chunks(workers):
    out = map_with_state(_nested_chunk, 7, list(range(20)), 5, workers)
    assert out == [7 + sum(range(i, i + 5)) + 1000 * 3 for i in range(0, 20, 5)]


def test_nothing_is_reported_without_a_step_or_a_reporter():
    seen: list[int] = []
    with reporting(lambda step, done, total: seen.append(done)):
        map_chunks(_double, list(range(100)), 2, min_items=10)
    map_chunks(_double, list(range(100)), 2, min_items=10, step="unwatched")
    advance("unwatched", 1, 2)
    assert seen == []


def test_a_one_argument_callback_gets_stage_names_only():
    names: list[str] = []
    timer = Timer(names.append)
    with timer.stage("sentiment"):
        advance("scoring comments", 5, 10)
    assert names == ["sentiment"]
    assert not counts_wanted(names.append)
    assert counts_wanted(lambda stage, step=None, done=0, total=None: None)
    assert counts_wanted(lambda stage, **kw: None)


def test_a_counting_callback_gets_the_stage_and_its_steps():
    calls: list[tuple] = []

    def progress(stage, step=None, done=0, total=None):
        calls.append((stage, step, done, total))

    timer = Timer(progress)
    with timer.stage("read"):
        advance("reading names", 3, 9)
        with timer.stage("inner"):
            advance("x", 1, 1)
        advance("reading names", 9, 9)
    advance("outside any stage", 1, 1)
    assert calls == [
        ("read", None, 0, None),
        ("read", "reading names", 3, 9),
        ("inner", None, 0, None),
        ("inner", "x", 1, 1),
        ("read", "reading names", 9, 9),
    ]


def test_analyze_reports_counted_steps_that_end_at_their_totals(tmp_path):
    from feedback_nlp.config import AnalysisConfig
    from feedback_nlp.demo import write_survey
    from feedback_nlp.pipeline import analyze

    path = write_survey(tmp_path / "survey.csv", rows=600, seed=3)
    calls: list[tuple] = []
    stages: list[str] = []

    def progress(stage, step=None, done=0, total=None):
        if step is None:
            stages.append(stage)
        else:
            calls.append((stage, step, done, total))

    counted = analyze(AnalysisConfig(input=path, seed=3), progress=progress)
    plain = analyze(AnalysisConfig(input=path, seed=3))
    assert counted.comments.equals(plain.comments)
    steps = {(stage, step) for stage, step, _, _ in calls}
    assert ("sentiment", "scoring comments") in steps
    assert ("theme fit", "embedding") in steps or ("theme fit", "cleaning text") in steps
    for key in steps:
        dones = [d for s, st, d, _ in calls if (s, st) == key]
        totals = {t for s, st, _, t in calls if (s, st) == key}
        assert len(totals) == 1 and dones[-1] == totals.pop()
    assert {stage for stage, _, _, _ in calls} <= set(stages)


def _terminal(monkeypatch) -> io.StringIO:
    """What the CLI's progress bars write, captured from a 100-column terminal."""
    from rich.console import Console

    from feedback_nlp.cli import _common

    buf = io.StringIO()
    monkeypatch.setattr(_common, "err_console", Console(file=buf, force_terminal=True, width=100))
    return buf


def _plain(buf: io.StringIO) -> str:
    """The captured terminal text without its escape codes."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())


def test_the_terminal_shows_a_counted_step_with_its_count_and_time_left(monkeypatch):
    import time

    from feedback_nlp.cli import _common

    buf = _terminal(monkeypatch)
    with _common.progress_reporter(False) as update:
        assert update is not None
        update("sentiment")
        for i in range(1, 4):
            update("sentiment", step="scoring comments", done=i * 2500, total=10000)
            time.sleep(0.3)
        update("theme fit")
    plain = _plain(buf)
    assert re.search(r"scoring comments .* 5,000/10,000 +0:00:0\d left", plain)
    assert "✓ Sentiment" in plain


def test_a_step_that_runs_again_is_counted_afresh_not_shown_done(monkeypatch):
    from feedback_nlp.cli import _common

    buf = _terminal(monkeypatch)
    with _common.progress_reporter(False) as update:
        assert update is not None
        update("theme fit")
        update("theme fit", step="cleaning text", done=400, total=400)
        update("theme fit", step="cleaning text", done=100, total=400)
        update("theme fit", step="cleaning text", done=200, total=400)
    lines = _plain(buf).replace("\r", "\n").splitlines()
    again = [line for line in lines if "cleaning text" in line and "200/400" in line]
    assert again and not any("✓" in line for line in again)
