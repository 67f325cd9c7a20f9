"""Trends on a real time axis: year periods, partial and low-n periods, the chart's x axis.

The flags are checked on small frames written here; the reports on the
project's demo survey with its dates rewritten to a gappy, uneven history.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedback_nlp.config import AnalysisConfig, Period, Representation
from feedback_nlp.report.trend_charts import TrendPoint, nps_trend, theme_share_panels, time_ticks
from feedback_nlp.trends import compare_last_periods, period_end, period_labels, trend_table


def _table(dates: list[str], period: str, low_n: int = 30) -> pd.DataFrame:
    """The nps rows of the trend table of detractors answering on ``dates`` (no themes)."""
    d = pd.Series(pd.to_datetime(dates))
    groups = np.array(["detractor"] * len(d), dtype=object)
    t = trend_table(
        d, groups, np.zeros((len(d), 0), bool), np.ones(len(d), bool), [], {}, period, low_n
    )
    return t[t["kind"] == "nps"].reset_index(drop=True)


def _days(first: str, last: str, n: int) -> list[str]:
    """``n`` dates spread from ``first`` to ``last``, both included."""
    return [str(d.date()) for d in pd.date_range(first, last, periods=n)]


# ---------------------------------------------------------------- periods and flags


def test_year_labels_and_ends():
    d = pd.Series(pd.to_datetime(["2012-12-31", "2013-01-01", "2024-03-10", None]))
    labels, starts = period_labels(d, Period.year)
    assert labels.tolist()[:3] == ["2012", "2013", "2024"] and pd.isna(labels.iloc[3])
    assert starts.dt.strftime("%Y-%m-%d").tolist()[:3] == ["2012-01-01", "2013-01-01", "2024-01-01"]
    assert str(period_end(pd.Timestamp("2024-01-01"), "year").date()) == "2024-12-31"
    assert str(period_end(pd.Timestamp("2025-10-01"), "quarter").date()) == "2025-12-31"
    t = _table(["2013-05-01", "2016-02-03", "2016-12-31"], "year")
    assert t["period"].tolist() == ["2013", "2016"]
    assert t["period_start"].tolist() == ["2013-01-01", "2016-01-01"]
    assert t["period_end"].tolist() == ["2013-12-31", "2016-12-31"]
    assert t["n"].tolist() == [1, 2]


def test_low_n_and_partial_flags_on_a_small_frame():
    # January from the 15th (35 answers), February whole (5), March to the 10th (40)
    dates = (
        _days("2024-01-15", "2024-01-31", 35)
        + _days("2024-02-01", "2024-02-29", 5)
        + _days("2024-03-01", "2024-03-10", 40)
    )
    t = _table(dates, "month")
    assert t["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert t["period_end"].tolist() == ["2024-01-31", "2024-02-29", "2024-03-31"]
    assert t["partial"].tolist() == [True, False, True]
    assert t["low_n"].tolist() == [False, True, False]
    assert t["partial"].dtype == bool and t["low_n"].dtype == bool
    # the threshold is --low-n: 35 < 36
    assert _table(dates, "month", low_n=36)["low_n"].tolist() == [True, True, False]
    # the same answers by quarter: Q1 runs Jan 1 - Mar 31, the data Jan 15 - Mar 10
    assert _table(dates, "quarter")["partial"].tolist() == [True]


def test_data_spanning_whole_periods_is_not_partial():
    t = _table(_days("2024-01-01", "2024-02-29", 60), "month")
    assert t["period"].tolist() == ["2024-01", "2024-02"]
    assert t["partial"].tolist() == [False, False]
    # ISO weeks: Monday 2024-03-04 to Sunday 2024-03-17 is two whole weeks
    weeks = _table(_days("2024-03-04", "2024-03-17", 14), "week")
    assert weeks["period"].tolist() == ["2024-W10", "2024-W11"]
    assert weeks["partial"].tolist() == [False, False]
    # from the Tuesday: the first week is partial
    assert _table(_days("2024-03-05", "2024-03-17", 13), "week")["partial"].tolist() == [
        True,
        False,
    ]


def test_flags_are_on_every_row_of_the_period():
    d = pd.Series(pd.to_datetime(["2024-01-10"] * 3 + ["2024-02-01"] * 40))
    g = np.array(["detractor", "promoter", "passive"] + ["promoter"] * 40, dtype=object)
    member = np.ones((43, 1), bool)
    t = trend_table(d, g, member, np.ones(43, bool), ["T01"], {"T01": "price"}, "month")
    assert t[["period", "kind", "partial", "low_n"]].values.tolist() == [
        ["2024-01", "nps", True, True],
        ["2024-01", "theme", True, True],
        ["2024-02", "nps", True, False],
        ["2024-02", "theme", True, False],
    ]


def test_comparison_carries_the_flags():
    dates = _days("2024-02-01", "2024-02-29", 12) + _days("2024-03-01", "2024-03-10", 40)
    c = compare_last_periods(_table(dates, "month"))
    assert (c.previous.period, c.previous.partial, c.previous.low_n) == ("2024-02", False, True)
    assert (c.last.period, c.last.partial, c.last.low_n) == ("2024-03", True, False)
    assert c.to_dict()["last"]["partial"] is True and c.to_dict()["previous"]["low_n"] is True


# ---------------------------------------------------------------- the chart's time axis


def _point(start: str, end: str, label: str = "", **flags: bool) -> TrendPoint:
    """A period with NPS +10 (95% CI +2 to +18) from 100 respondents."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return TrendPoint(label or start[:7], 10.0, 2.0, 18.0, 100, first, last, **flags)


def _yearly(*years: int, **flags: bool) -> list[TrendPoint]:
    return [_point(f"{y}-01-01", f"{y}-12-31", str(y), **flags) for y in years]


def _cx(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]


def test_a_gap_in_time_is_a_gap_on_the_x_axis():
    svg = nps_trend(_yearly(2013, 2014, 2017), "NPS over time")
    x = _cx(svg)
    assert len(x) == 3
    # positions proportional to the days between the periods' first days
    days = [(date(y, 1, 1) - date(2013, 1, 1)).days for y in (2013, 2014, 2017)]
    assert (x[2] - x[0]) / (x[1] - x[0]) == pytest.approx(days[2] / days[1], rel=1e-3)
    # the line joins 2013 and 2014 only; 2017 stands alone with its interval as a whisker
    (path,) = re.findall(r'<path d="([^"]+)" fill="none"', svg)
    (y,) = set(re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg))
    assert path == f"M{x[0]:.1f} {y} L{x[1]:.1f} {y}"
    assert svg.count("<polygon") == 1 and 'stroke-opacity="0.3"' in svg
    assert "gap: periods without answers" in svg
    # without a gap: evenly spaced, one line, no gap note
    even = nps_trend(_yearly(2013, 2014, 2015), "NPS over time")
    x = _cx(even)
    assert x[1] - x[0] == pytest.approx(x[2] - x[1], abs=0.3)
    assert "gap:" not in even


def test_low_n_and_partial_periods_are_marked_with_a_legend():
    pts = [
        *_yearly(2020),
        *_yearly(2021, low_n=True),
        _point("2022-01-01", "2022-12-31", "2022", partial=True),
    ]
    svg = nps_trend(pts, "NPS over time", min_n=25)
    circles = re.findall(r"<circle [^>]*/>", svg)
    assert len(circles) == 2
    assert 'fill="#0072b2"' in circles[0] and 'fill="#fff"' in circles[1]  # hollow: low n
    assert len(re.findall(r'<path d="M[\d. ]+L[\d. ]+L[\d. ]+L[\d. ]+Z"', svg)) == 1  # diamond
    assert 'stroke-dasharray="5 4"' in svg  # 2021 to the partial 2022
    assert "2021: NPS +10.0 (95% CI +2.0 to +18.0), n = 100, low n" in svg
    assert "2022: NPS +10.0 (95% CI +2.0 to +18.0), n = 100, partial period</title>" in svg
    assert (
        "NPS per period; band: 95% interval; hollow: fewer than 25 respondents; "
        "diamond, dashed line: partial period</text>"
    ) in svg
    plain = nps_trend(_yearly(2020, 2021), "NPS over time")
    assert "hollow" not in plain and "dashed" not in plain and "stroke-dasharray" not in plain


def test_ticks_stay_few_and_calendar_aligned():
    weeks = pd.date_range("2013-01-07", periods=600, freq="7D")
    pts = [_point(str(d.date()), str((d + pd.Timedelta(days=6)).date())) for d in weeks]
    ticks = time_ticks(pts, 10)
    assert [label for _, label in ticks] == [str(y) for y in range(2014, 2025, 2)]
    svg = nps_trend(pts, "NPS over time")
    # one tick mark (5 px under the plot) and one label per tick
    assert svg.count('y1="248.0" ') - svg.count('y1="248.0" x2="880.0"') == len(ticks)
    for _, label in ticks:
        assert f'text-anchor="middle" fill="#555">{label}</text>' in svg
    # monthly data: month ticks, never weekly ones in between
    firsts = [pd.Timestamp(f"2024-0{m}-01") for m in range(1, 6)]
    months = [_point(str(d.date()), str(period_end(d, "month").date())) for d in firsts]
    assert [label for _, label in time_ticks(months, 10)] == [f"2024-0{m}" for m in range(1, 6)]
    # one period: no ticks, the period's own name under its point
    assert time_ticks(months[:1], 10) == []
    assert '<text x="468.0" y="266.0" text-anchor="middle" fill="#555">2024-01</text>' in nps_trend(
        months[:1], "t"
    )


def test_theme_panels_share_the_time_axis_and_break_at_gaps():
    from feedback_nlp.report.trend_charts import ThemeSeries

    pts = _yearly(2013, 2014, 2017)
    svg = theme_share_panels(
        pts, [ThemeSeries("T01", "price", (0.1, 0.2, 0.3), (0.0, 0.1, 0.1))], "themes"
    )
    x = sorted(set(_cx(svg)))
    assert (x[2] - x[0]) / (x[1] - x[0]) == pytest.approx(1461 / 365, rel=1e-3)
    paths = re.findall(r'<path d="([^"]+)"', svg)
    assert [p.count("M") for p in paths] == [2, 2]  # 2013-2014, then 2017 alone


# ---------------------------------------------------------------- reports


@pytest.fixture(scope="module")
def gappy(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo survey answered over 2021 (whole), 2024 (20 answers) and 2025 to March 10."""
    from feedback_nlp.pipeline import analyze

    raw = pd.read_csv(demo_csv, dtype=str, keep_default_na=False)
    n = len(raw)
    raw["response_date"] = (
        _days("2021-01-01", "2021-12-31", 300)
        + _days("2024-02-01", "2024-11-30", 20)
        + _days("2025-01-01", "2025-03-10", n - 320)
    )
    path = tmp_path_factory.mktemp("gappy") / "survey.csv"
    raw.to_csv(path, index=False)
    cfg = AnalysisConfig(
        input=path,
        score_col="score",
        text_col="comment",
        id_col="respondent_id",
        date_col="response_date",
        period=Period.year,
        representation=Representation.tfidf,
    )
    return analyze(cfg)


def test_year_trends_flag_the_partial_and_the_low_n_year(gappy):
    nps = gappy.trends[gappy.trends["kind"] == "nps"]
    assert nps[["period", "partial", "low_n"]].values.tolist() == [
        ["2021", False, False],
        ["2024", False, True],
        ["2025", True, False],
    ]
    t = gappy.summary.trends
    assert (t.first_date, t.last_date) == ("2021-01-01", "2025-03-10")
    assert t.partial_periods == ("2025",) and t.low_n_periods == ("2024",)
    assert t.to_dict()["low_n_threshold"] == 30


CAVEAT = (
    "Read the change with caution: 2024 has only 20 respondents (fewer than 30); "
    "2025 is a partial year (answers up to 2025-03-10)."
)
NOTES = [
    "Partial periods (answers run from 2021-01-01 to 2025-03-10): 2025.",
    "Periods with fewer than 30 respondents (low n): 2024.",
]


def test_markdown_and_html_say_partial_and_low_n(gappy):
    from feedback_nlp.report import render_markdown
    from feedback_nlp.report.html import render_html

    md = render_markdown(gappy)
    assert CAVEAT in md and all(note in md for note in NOTES)
    n25 = int(gappy.trends.query("kind == 'nps' and period == '2025'")["n"].iloc[0])
    assert "| 2024 | 20 (low n) |" in md and f"| 2025 (partial) | {n25} |" in md
    html = render_html(gappy)
    assert CAVEAT in html and all(note in html for note in NOTES)
    assert '2025 <span class="badge">partial</span>' in html
    assert '2024 <span class="badge">low n</span>' in html


def test_terminal_says_partial_and_low_n(gappy, monkeypatch):
    from rich.console import Console

    from feedback_nlp.cli import _common

    out = io.StringIO()
    monkeypatch.setattr(_common, "console", Console(file=out, width=200, color_system=None))
    _common._print_trends(gappy.summary.trends)
    lines = [ln.strip() for ln in out.getvalue().splitlines()]
    assert lines[0].startswith("Over time (by year): NPS 2025 ")
    assert lines[2:4] == [CAVEAT, *NOTES[:1]] and lines[4] == NOTES[1]
