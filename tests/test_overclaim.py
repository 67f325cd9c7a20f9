"""Nothing over-claimed: top lists hold only significant themes, no ratio of empty cells,
and report.md says '<' with Markdown's own escapes, never an HTML entity."""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
from rich.console import Console

from feedback_nlp.compare import ThemeCounts, table_from_counts
from feedback_nlp.report.html import render_html
from feedback_nlp.report.markdown import render_markdown
from feedback_nlp.result import AnalysisResult
from test_report_html import EVIL_LABEL, XSS, _result

NONE_SIGNIFICANT = "No theme is significantly more common among detractors (q < 0.05)."


def _counts(hits: list[list[int]], with_text: tuple[int, int, int]) -> ThemeCounts:
    k = len(hits[0])
    return ThemeCounts(
        totals=np.array(with_text, dtype=np.int64),
        with_text=np.array(with_text, dtype=np.int64),
        hits=np.array(hits, dtype=np.int64),
        sentiment_e4=np.zeros(k, dtype=np.int64),
        mention_e4=np.zeros(k, dtype=np.int64),
        negative_mentions=np.zeros(k, dtype=np.int64),
    )


def test_no_lift_on_a_theme_row_without_detractor_or_promoter_comments():
    # T1: 4 of 9 detractors, 1 of 19 promoters; T2: no comment at all; T3: passives only
    t = table_from_counts(
        _counts([[4, 0, 0], [0, 0, 2], [1, 0, 0]], (9, 5, 19)), ["T1", "T2", "T3"]
    )
    assert t["lift"].round(2).tolist()[0] == 6.0
    assert t["lift"].isna().tolist() == [False, True, True]
    assert t["n_comments"].tolist() == [5, 0, 2]
    # shares of a real denominator stay (0 of 9 detractors is 0%), the difference too
    assert t["share_detractors"].tolist()[1] == 0.0 and t["diff_pp"].tolist()[1] == 0.0
    assert math.isnan(t["nps"].tolist()[1]) and math.isnan(t["mean_sentiment"].tolist()[1])


def test_no_lift_or_share_without_a_group_to_divide_by():
    # no promoter comments in the set: no promoter share, no difference, no lift
    t = table_from_counts(_counts([[4], [1], [0]], (9, 5, 0)), ["T1"])
    assert t[["share_promoters", "diff_pp", "lift"]].isna().all(axis=None)
    assert t["share_detractors"].round(3).tolist() == [0.444]


def _no_lift_result() -> AnalysisResult:
    """The HTML tests' result with T04 carried by no detractor or promoter comment."""
    result = _result(subthemes={})
    themes = result.themes.copy()
    row = themes["theme_id"] == "T04"
    themes.loc[row, ["n_detractors", "n_promoters", "share_detractors", "share_promoters"]] = 0
    themes.loc[row, ["lift", "diff_pp"]] = [math.nan, 0.0]
    result.themes = themes
    return result


def test_reports_show_no_lift_for_an_empty_row():
    result = _no_lift_result()
    md = render_markdown(result)
    assert "| T04 | delivery | 0.0% | 0.0% | +0.0 | - | - |" in md
    page = render_html(result)
    body = page[page.index('<td data-v="T04">') :]
    cells = body[: body.index("</tr>")].split("<td ")[3:]
    assert cells[4] == 'class="num" data-v="">–</td>'  # lift: blank, sorted last


def _insignificant(result: AnalysisResult) -> AnalysisResult:
    themes = result.themes.assign(q_value=0.2, significant=False)
    summary = dataclasses.replace(
        result.summary,
        themes=tuple(
            dataclasses.replace(t, q_value=0.2, significant=False) for t in result.summary.themes
        ),
    )
    return dataclasses.replace(result, themes=themes, summary=summary)


def _terminal(result: AnalysisResult, monkeypatch) -> list[str]:
    from feedback_nlp.cli import _common

    buf = io.StringIO()
    monkeypatch.setattr(_common, "console", Console(file=buf, width=200, highlight=False))
    _common._print_top_themes(result)
    return buf.getvalue().splitlines()


def test_top_lists_say_so_when_no_theme_is_significant(monkeypatch):
    result = _insignificant(_result(subthemes={}))
    assert _terminal(result, monkeypatch) == [NONE_SIGNIFICANT]
    md = render_markdown(result)
    section = md[md.index("## What detractors raise more than promoters") :].splitlines()
    assert section[2:4] == [NONE_SIGNIFICANT, ""]
    assert "Top detractor themes" not in md
    assert "| T01 |" in md and "| T04 |" in md  # the full table still lists every theme
    page = render_html(result)
    headline = page[page.index('<section id="headline"') : page.index('<section id="segments"')]
    assert f'<p class="top">{NONE_SIGNIFICANT.replace("<", "&lt;")}</p>' in headline


def test_top_lists_hold_only_significant_themes(monkeypatch):
    # T01 +37 pp (q 0.001) is listed; T04 +8 pp (no q) and T03 +5 pp (q 0.3) are not
    result = _result(subthemes={})
    lines = _terminal(result, monkeypatch)
    assert [ln.split(":")[0] for ln in lines if ln.startswith("  T")] == [f"  T01 {EVIL_LABEL}"]
    md = render_markdown(result)
    assert "- **T01 \\<b>billing\\</b> & refunds**: 42.0% vs 5.0% (+37.0 pp, q=0.001)" in md
    assert not [ln for ln in md.splitlines() if ln.startswith(("- **T03", "- **T04"))]
    page = render_html(result)
    top = page[page.index('<ul class="top">') :]
    top = top[: top.index("</ul>")]
    assert top.count("<li>") == 1
    assert "<strong>T01 &lt;b&gt;billing&lt;/b&gt; &amp; refunds</strong>" in top


def _result_with_text() -> AnalysisResult:
    """The HTML tests' result; its examples hold markup, entities and a Markdown link."""
    result = _result(subthemes={})
    odd = ("fees &amp; charges <b>twice</b> > once", XSS, "[x](javascript:alert(1)) AT&T")
    themes = tuple(
        dataclasses.replace(t, examples=dataclasses.replace(t.examples, detractor=odd))
        for t in result.summary.themes
    )
    result.summary = dataclasses.replace(result.summary, themes=themes)
    return result


def test_markdown_has_no_html_entities():
    md = render_markdown(_result_with_text())
    for entity in ("&lt;", "&gt;", "&amp;"):
        assert entity not in md.replace("\\&amp;", "")  # the comment's own text, escaped
    assert "q=0.001" in md and "| <0.001 * |" in md  # T02's q of 0.0004
    assert "- *detractor*: fees \\&amp; charges \\<b>twice\\</b> > once" in md
    assert "**T01 \\<b>billing\\</b> & refunds**" in md


def test_markdown_renders_user_text_as_text():
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(render_markdown(_result_with_text()))
    assert "<b>" not in html and "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert "fees &amp;amp; charges &lt;b&gt;twice&lt;/b&gt; &gt; once" in html
    assert "<strong>T01 &lt;b&gt;billing&lt;/b&gt; &amp; refunds</strong>" in html
    assert "<td>&lt;0.001 *</td>" in html
