"""What every report shares: report.view selections, report.formatting, report.svg."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from feedback_nlp.report import formatting, svg, view
from feedback_nlp.summary_types import (
    Manifest,
    NpsStats,
    PeriodNps,
    RowCounts,
    Summary,
    ThemeChange,
    ThemeExamples,
    ThemeSummary,
    TrendComparison,
)


def _themes(diffs: list[float], ids: list[str] | None = None) -> pd.DataFrame:
    ids = ids or [f"T{i:02d}" for i in range(1, len(diffs) + 1)]
    return pd.DataFrame({"theme_id": ids, "label": ids, "diff_pp": diffs})


def test_themes_in_order_largest_first_missing_last_ties_by_id():
    t = _themes([2.0, math.nan, 9.0, 2.0, -4.0, math.nan], ["T5", "T4", "T1", "T2", "T3", "T0"])
    assert view.themes_in_order(t)["theme_id"].tolist() == ["T1", "T2", "T5", "T3", "T0", "T4"]


def test_themes_in_order_matches_the_sort_the_renderers_used_before():
    # Markdown and the terminal sorted with sort_values on (diff_pp desc, theme_id asc)
    t = _themes(
        [2.0, math.nan, 9.0, 2.0, -4.0, math.nan, 0.0], ["T5", "T4", "T1", "T2", "T3", "T0", "T9"]
    )
    old = t.sort_values(["diff_pp", "theme_id"], ascending=[False, True])
    assert view.themes_in_order(t)["theme_id"].tolist() == old["theme_id"].tolist()


def test_themes_in_order_keeps_columns_and_empty_frames():
    t = _themes([1.0, 3.0])
    assert list(view.themes_in_order(t).columns) == list(t.columns)
    empty = t.iloc[:0]
    assert view.themes_in_order(empty) is empty


def test_top_detractor_themes_only_positive_and_limited():
    t = _themes([5.0, -1.0, 0.0, math.nan, 7.0, 3.0, 1.0, 2.0, 4.0]).assign(significant=True)
    assert view.top_detractor_themes(t)["theme_id"].tolist() == ["T05", "T01", "T09", "T06", "T08"]
    assert view.top_detractor_themes(t, 2)["theme_id"].tolist() == ["T05", "T01"]
    assert len(view.top_detractor_themes(_themes([-1.0, 0.0]).assign(significant=True))) == 0
    assert len(view.top_detractor_themes(_themes([]).assign(significant=True))) == 0


def test_top_detractor_themes_only_significant():
    # a +0.2-point theme that is not significant is no "top detractor theme"
    t = _themes([9.0, 0.2, 4.0, 6.0]).assign(significant=[True, False, True, math.nan])
    assert view.top_detractor_themes(t)["theme_id"].tolist() == ["T01", "T03"]
    assert len(view.top_detractor_themes(t.assign(significant=False))) == 0
    assert len(view.top_detractor_themes(_themes([9.0]))) == 0  # no test: none significant
    assert view.no_significant_theme(0.05) == (
        "No theme is significantly more common among detractors (q < 0.05)."
    )


def _summary(themes: tuple[ThemeSummary, ...] = ()) -> Summary:
    return Summary(
        rows=RowCounts(read=103, analyzed=100, rejected=3, no_text=2, with_theme=90),
        nps=NpsStats(
            n=100, promoters=35, passives=25, detractors=40, nps=-4.5, ci_low=-8.0, ci_high=-1.0
        ),
        join=None,
        redaction=None,
        columns=None,
        segments=(),
        notes=(),
        manifest=Manifest({}, 0, {}, "", None, None),
        themes=themes,
    )


def _theme(tid: str) -> ThemeSummary:
    return ThemeSummary(
        tid, "label", ("kw",), 10, 5, 3, 2, 0.5, 0.3, 0.2, 30.0, 2.5, 0.01, 0.02, True,
        -30.0, -1.5, -0.2, ThemeExamples(),
    )  # fmt: skip


def _change(tid: str, direction: str) -> ThemeChange:
    return ThemeChange(tid, "label", 0.1, 0.2, 1, 2, 10.0, 0.01, 0.02, True, direction)


def test_headline_reads_the_summary():
    h = view.headline(_summary())
    assert (h.score, h.ci_low, h.ci_high, h.n) == (-4.5, -8.0, -1.0, 100)
    assert (h.detractors, h.passives, h.promoters) == (40, 25, 35)
    assert h.rows.rejected == 3


def test_theme_changes_limit_and_direction():
    period = PeriodNps(10, 5, 3, 2, 30.0, 0.0, 60.0, period="2026-01")
    changes = tuple(_change(f"T{i}", "grew" if i % 2 else "shrank") for i in range(15))
    c = TrendComparison(period, period, 0.0, 1.0, False, changes)
    assert len(view.theme_changes(c)) == view.MAX_THEME_CHANGES
    assert [e.theme_id for e in view.theme_changes(c, 2, "grew")] == ["T1", "T3"]
    empty = TrendComparison(period, period, 0.0, 1.0, False, ())
    assert view.theme_changes(None) == [] and view.theme_changes(empty) == []


def test_theme_summaries_by_string_id():
    t01 = _theme("T01")
    assert view.theme_summaries(_summary((t01,))) == {"T01": t01}
    assert view.theme_summaries(_summary()) == {}


@pytest.mark.parametrize(
    ("value", "typographic", "plain"),
    [
        (0.0004, "<0.001", "<0.001"),
        (0.04213, "0.042", "0.042"),
        (1.0, "1.000", "1.000"),
        (None, "–", "-"),
        (math.nan, "–", "-"),
        ("x", "–", "-"),
    ],
)
def test_p_values_in_both_styles(value, typographic, plain):
    assert formatting.fmt_p(value) == typographic
    assert formatting.plain_p(value) == plain


def test_plain_numbers_keep_infinity_and_hide_missing():
    assert formatting.plain_num(-0.004, "+.2f") == "-0.00"
    assert formatting.plain_num(math.inf, ".2f") == "inf"
    assert formatting.plain_num(None, ".2f") == "-"
    assert formatting.plain_num(pd.NA, ".2f") == "-"
    assert formatting.fmt_num(math.inf) == "–"
    assert formatting.fmt_interval(-0.04, 12.25) == "0.0 to +12.2"


def test_shorten():
    assert formatting.shorten("short", 10) == "short"
    assert formatting.shorten("one two three", 8) == "one two…"
    assert formatting.shorten("one two three", 9) == "one two…"
    assert formatting.shorten("one two three", 9, strip=False) == "one two …"
    assert len(formatting.shorten("x" * 600, 500)) == 500


def test_svg_primitives_escape_and_round():
    assert svg.coord(-0.04) == "0.0"
    t = svg.text(1.25, -0.01, "<b>&</b>")
    assert (
        t == '<text x="1.2" y="0.0" text-anchor="start" fill="#222">&lt;b&gt;&amp;&lt;/b&gt;</text>'
    )
    assert 'stroke-width="1"' in svg.line(0, 0, 1, 1, svg.GRID)
    assert 'stroke-width="2"' in svg.line(0, 0, 1, 1, svg.INK)
    doc = svg.figure(10, 5, 'a "b"', [svg.group("<tip>", svg.rect(0, 0, 1, 1, svg.LOW))])
    assert doc.startswith('<svg class="chart" viewBox="0 0 10.0 5.0"')
    assert 'aria-label="a &#34;b&#34;"' in doc and "<title>&lt;tip&gt;</title>" in doc
