"""Reports at both levels of the theme tree (issue 14): the HTML drill-down (in headless
chromium too), the sub-themes under each top detractor theme in Markdown and on the
terminal, and the themes sheet of the workbook as a tree."""

from __future__ import annotations

import dataclasses
import html as html_lib
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from conftest import DEMO_OPTS
from feedback_nlp.report import html as html_module
from feedback_nlp.report.html import render_html
from feedback_nlp.report.markdown import render_markdown
from feedback_nlp.result import AnalysisResult
from test_report_html import EVIL_LABEL, SUBTHEMES, XSS, _chromium, _headless, _result

#: Report order of T01's sub-themes (diff_pp: +18, +9, +1, +0.5, -3).
T01_ORDER = ["T01.2", "T01.1", "T01.4", "T01.5", "T01.3"]


def _tree_result(**kwargs) -> AnalysisResult:
    """The HTML tests' result, each sub-theme with examples that name it."""
    result = _result(**kwargs)
    themes = tuple(
        dataclasses.replace(
            t,
            examples=dataclasses.replace(
                t.examples,
                detractor=(f"{t.theme_id} detractor example", XSS),
                promoter=(f"{t.theme_id} promoter example", "second promoter example"),
            ),
        )
        if t.level == 2
        else t
        for t in result.summary.themes
    )
    result.summary = dataclasses.replace(result.summary, themes=themes)
    return result


def _tbody(html: str, theme_id: str) -> str:
    """The theme table's row group of ``theme_id`` (its row and its sub-themes' rows)."""
    table = html[html.index('id="themes"') : html.index("</table>", html.index('id="themes"'))]
    groups = table.split("<tbody>")[1:]
    found = [g for g in groups if f'<td data-v="{theme_id}">' in g.split("</tr>")[0]]
    assert len(found) == 1, theme_id
    return found[0]


# ---------------------------------------------------------------- HTML, as text


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(_tree_result())


def test_table_rows_of_a_theme_with_sub_themes_start_hidden_in_report_order(html):
    body = _tbody(html, "T01")
    assert body.count('class="drill"') == 1
    assert re.search(
        r'<button type="button" class="drill" aria-expanded="false"[^>]* hidden>', body
    )
    subs = re.findall(r'<tr class="sub(?: sig)?" id="[^"]+" hidden><td data-v="([^"]+)"', body)
    assert subs == T01_ORDER
    assert body.count('<tr class="sub ex"') == len(T01_ORDER)
    assert "5 sub-themes" in body
    # every sub-theme row the button controls exists
    controls = re.search(r'aria-controls="([^"]+)"', body).group(1).split()
    assert len(controls) == 2 * len(T01_ORDER)
    assert all(f'id="{c}"' in body for c in controls)
    # the sub-theme rows have the theme rows' columns: 2 + 11 cells
    first = body.split('<tr class="sub sig"', 1)[1].split("</tr>")[0]
    assert first.count("<td") == 13 and "+18.0" in first and "0.002 ★" in first


def test_themes_without_sub_themes_have_no_expander(html):
    for tid in ("T02", "T04"):
        body = _tbody(html, tid)
        assert "drill" not in body and '<tr class="sub' not in body and "sub-theme" not in body
        assert f'<div class="row" data-theme="{tid}">' in html
        assert f'<details class="drill" data-theme="{tid}">' not in html
        assert f'<details class="subs" data-theme="{tid}">' not in html
    for tid in ("T01", "T03"):
        assert f'<details class="drill" data-theme="{tid}">' in html
        assert f'<details class="subs" data-theme="{tid}">' in html


def test_sub_theme_labels_and_examples_are_escaped(html):
    assert "<b>billing</b> &amp; refunds twice" not in html
    assert "&lt;b&gt;billing&lt;/b&gt; &amp; refunds twice" in html
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert len(re.findall(r"<script\b", html)) == 1


def test_examples_section_lists_each_theme_s_sub_themes_with_their_examples(html):
    section = html[html.index('id="theme-details"') : html.index('id="terms"')]
    t01 = section[section.index('<details class="subs" data-theme="T01">') :]
    t01 = t01[: t01.index("</details>")]
    assert re.findall(r"<h4>(?:★ )?(T01\.\d) · ", t01) == T01_ORDER
    for tid in T01_ORDER:
        assert f"<blockquote>{tid} detractor example</blockquote>" in t01
        assert f"<blockquote>{tid} promoter example</blockquote>" in t01
    assert "detractors 20.0% vs promoters 2.0% · diff +18.0 pp · q = 0.002" in t01


def test_chart_strips_share_one_scale_and_open_on_a_click(html):
    chart = html[
        html.index('id="diffchart"') : html.index("</figure>", html.index('id="diffchart"'))
    ]
    # header, four themes, two sub-theme strips, axis: every strip an accessible image
    assert chart.count("<svg") == 1 + 4 + 2 + 1 == chart.count('role="img"')
    widths = set(re.findall(r'<svg class="chart wide strip[^"]*" viewBox="0 0 ([\d.]+) ', chart))
    assert widths == {"900.0"}
    t01 = chart[chart.index('<details class="drill" data-theme="T01">') :]
    t01 = t01[: t01.index("</details>")]
    assert (
        t01.index("<summary>") < t01.index("</summary>") < t01.index('class="chart wide strip sub"')
    )
    assert re.findall(r"(T01\.\d) · ", t01) == T01_ORDER
    assert 'class="when-closed"' in t01 and 'class="when-open"' in t01
    t02 = chart[chart.index('<div class="row" data-theme="T02">') :].split("</div>")[0]
    assert "when-closed" not in t02


def test_a_survey_without_sub_themes_shows_no_drill_down():
    page = render_html(_result(subthemes={}))
    for absent in (
        'class="drill"',
        '<tr class="sub',
        '<details class="subs"',
        'class="when-closed"',
        "Sub-themes</strong>",
        "opens a theme's sub-themes",
        "sub-themes with up to",
    ):
        assert absent not in page, absent  # fmt: skip
    assert page.count('<div class="row" data-theme="') == 4


def test_many_sub_themes_stay_bounded_and_say_how_many_are_shown():
    def page(per_theme: int) -> str:
        subs = {
            f"T{k:02d}": [
                (f"T{k:02d}.{j}", f"sub theme {k} {j}", 0.05, 0.03, 0.01 + j / 1000, 0.01, 5)
                for j in range(1, per_theme + 1)
            ]
            for k in range(1, 61)
        }
        return render_html(_result(n_themes=60, n_values=40, example_len=20_000, subthemes=subs))

    small, large = page(30), page(100)
    shown = html_module.MAX_SUBTHEMES_TOTAL // 60
    assert small.count('<tr class="sub ex"') == large.count('<tr class="sub ex"') == 60 * shown
    assert f"Showing {shown} of 100 sub-themes" in large
    # more sub-themes in the survey do not make the page grow, only the counts it quotes
    assert abs(len(large) - len(small)) < 60 * 200
    assert len(large.encode("utf-8")) < 3_000_000


# ---------------------------------------------------------------- HTML, in a browser

DRILL_PROBE = """<script>
(function () {
  var d = document.body.dataset;
  /* checkVisibility: false under display: none and in a closed <details> too */
  function shown(el) { return !!el && el.checkVisibility(); }
  function visibleRows() {
    return Array.prototype.filter.call(document.querySelectorAll("#themes tbody tr"), shown)
      .filter(function (r) { return !r.classList.contains("ex"); })
      .map(function (r) { return r.cells[0].getAttribute("data-v"); }).join(",");
  }
  function examples() {
    return Array.prototype.filter.call(document.querySelectorAll("#themes tr.sub.ex"), shown)
      .map(function (r) { return r.querySelectorAll("blockquote")[0].textContent + "|" +
                                 r.querySelectorAll("blockquote")[1].textContent; }).join(";");
  }
  var buttons = document.querySelectorAll("#themes button.drill");
  d.buttons = Array.prototype.map.call(buttons, function (b) {
    return b.closest("tr").cells[0].getAttribute("data-v") + (shown(b) ? "" : ":hidden");
  }).join(",");
  d.before = visibleRows();
  var t01 = document.querySelector('#themes td[data-v="T01"] button.drill');
  t01.click();
  d.expanded = t01.getAttribute("aria-expanded");
  d.open = visibleRows();
  d.examples = examples();
  document.querySelectorAll("#themes thead th button")[5].click();  /* sort by diff, ascending */
  d.sorted = visibleRows();
  t01.click();
  d.closed = visibleRows() + "|" + t01.getAttribute("aria-expanded");
  /* the chart: a theme's <details> opens its sub-theme strip */
  var det = document.querySelector('#diffchart details[data-theme="T01"]');
  var strip = det.querySelector("svg.sub");
  function marker(c) { return shown(det.querySelector("summary ." + c)) ? c : ""; }
  d.chartBefore = [det.open, shown(strip), marker("when-closed"), marker("when-open")].join(",");
  det.querySelector("summary").click();
  d.chartAfter = [det.open, shown(strip) && strip.getBoundingClientRect().height > 50,
                  marker("when-closed"), marker("when-open")].join(",");
  d.chartT02 = document.querySelector('#diffchart [data-theme="T02"]').tagName +
               (document.querySelector('#diffchart [data-theme="T02"] summary') ? ",summary" : "");
  var sub = document.querySelector('#theme-details details.subs[data-theme="T01"]');
  var para = sub.querySelector(".subtheme");
  d.detailsBefore = String(shown(para));
  sub.querySelector("summary").click();
  d.detailsAfter = String(shown(para)) + "," + para.querySelector("h4").textContent;
})();
</script>"""


def _dom(browser: str, tmp_path: Path, page: Path) -> str:
    return subprocess.run(
        [*_headless(browser, tmp_path), "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=25,
        check=True,
    ).stdout


def _data(dom: str, name: str) -> str:
    m = re.search(rf'data-{name}="([^"]*)"', dom)
    assert m, name
    return html_lib.unescape(m.group(1))


def test_browser_expands_a_theme_into_its_sub_themes_and_their_examples(tmp_path, html):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # The page as written: its own script (allowed by hash) reveals the expanders.
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom = _dom(browser, tmp_path, page)
    assert 'data-ready="1"' in dom and 'data-xss="0"' in dom
    buttons = re.findall(r'<button type="button" class="drill"[^>]*>', dom)
    assert len(buttons) == 2 and not [b for b in buttons if "hidden" in b]
    # The same page with a probe that clicks (the policy relaxed to let the probe run).
    probed = tmp_path / "probed.html"
    text = re.sub(r"script-src '[^']*'", "script-src 'unsafe-inline'", html)
    probed.write_text(text.replace("</body>", DRILL_PROBE + "</body>"), encoding="utf-8")
    dom = _dom(browser, tmp_path, probed)
    assert 'data-xss="0"' in dom
    assert _data(dom, "buttons") == "T01,T03"  # T02 and T04 have no sub-themes: no expander
    assert _data(dom, "before") == "T01,T04,T03,T02"
    assert _data(dom, "expanded") == "true"
    assert _data(dom, "open") == ",".join(["T01", *T01_ORDER, "T04", "T03", "T02"])
    assert _data(dom, "examples") == ";".join(
        f"{tid} detractor example|{tid} promoter example" for tid in T01_ORDER
    )
    # sorting moves a theme with its sub-themes, which keep their order
    assert _data(dom, "sorted") == ",".join(["T02", "T03", "T04", "T01", *T01_ORDER])
    assert _data(dom, "closed") == "T02,T03,T04,T01|false"
    assert _data(dom, "chart-before") == "false,false,when-closed,"
    assert _data(dom, "chart-after") == "true,true,,when-open"
    assert _data(dom, "chart-t02") == "DIV"
    assert _data(dom, "details-before") == "false"
    assert _data(dom, "details-after") == "true,★ T01.2 · <b>billing</b> & refunds twice"


# ---------------------------------------------------------------- Markdown and terminal

#: The top detractor themes of the built result with their top detractor sub-themes,
#: significant ones only (q < 0.05): T01 and, of its five sub-themes, T01.2 and T01.1 (T01.4
#: and T01.5 have q >= 0.05, T01.3 diff < 0); T04 (no q) and T03 (q 0.3) are not listed.
TOP_LIST = [
    "- **T01 \\<b>billing\\</b> & refunds**: 42.0% vs 5.0% (+37.0 pp, q=0.001)",
    "  - T01.2 \\<b>billing\\</b> & refunds twice: 20.0% vs 2.0% (+18.0 pp, q=0.002)",
    "  - T01.1 late refund: 10.0% vs 1.0% (+9.0 pp, q=0.010)",
]


def test_markdown_lists_top_sub_themes_under_each_top_detractor_theme():
    md = render_markdown(_tree_result())
    section = md[md.index("## What detractors raise more than promoters") :]
    lines = section.splitlines()
    assert lines[2] == (
        "Top detractor themes (q < 0.05) and under each the sub-themes detractors raise most; "
        "share of detractor vs promoter comments:"
    )
    start = lines.index(TOP_LIST[0])
    assert lines[start : start + len(TOP_LIST)] == TOP_LIST
    assert lines[start + len(TOP_LIST)] == ""
    assert "Sub-themes: 6 in `themes.csv`" in section
    # the theme table stays one row per theme, and lists the themes the top list leaves out
    assert "| T01.2 |" not in md and "| T01 |" in md
    assert "| T04 | delivery |" in md and "| T03 | app crashes |" in md


def test_markdown_without_sub_themes_has_no_sub_theme_list():
    md = render_markdown(_result(subthemes={}))
    assert "Top detractor themes (q < 0.05); share of detractor vs promoter comments:" in md
    assert "and under each" not in md and "Sub-themes:" not in md
    assert not re.search(r"T\d+\.\d", md)


def _terminal(result: AnalysisResult, monkeypatch) -> list[str]:
    from feedback_nlp.cli import _common

    buf = io.StringIO()
    monkeypatch.setattr(_common, "console", Console(file=buf, width=100, highlight=False))
    _common.print_summary(result, {})
    return buf.getvalue().splitlines()


def test_terminal_lists_top_sub_themes_under_each_top_detractor_theme(monkeypatch):
    lines = _terminal(_tree_result(), monkeypatch)
    start = lines.index("Top detractor themes (share of detractor vs promoter comments)")
    block = [ln for ln in lines[start + 1 :] if not ln.startswith('     "')]
    assert block[:3] == [
        "  T01 <b>billing</b> & refunds: 42% vs 5% (+37.0 pp, q=0.001)",
        "     - T01.2 <b>billing</b> & refunds twice: 20.0% vs 2.0% (+18.0 pp, q=0.002)",
        "     - T01.1 late refund: 10.0% vs 1.0% (+9.0 pp, q=0.010)",
    ]
    assert not [ln for ln in block[3:] if re.match(r" +(- )?T\d", ln)]  # T04, T03: q >= 0.05
    no_subs = _terminal(_result(subthemes={}), monkeypatch)
    assert not [ln for ln in no_subs if ln.startswith("     - ")]


def _expected_tree(themes: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """From themes.csv: the top 5 significant detractor themes, each with its top 3
    significant detractor sub-themes."""
    sig = themes["significant"].astype(str) == "True"
    top = themes[(themes["level"] == 1) & (themes["diff_pp"] > 0) & sig]
    top = top.sort_values(["diff_pp", "theme_id"], ascending=[False, True]).head(5)
    out = []
    for tid in top["theme_id"]:
        subs = themes[(themes["parent_id"] == tid) & (themes["diff_pp"] > 0) & sig]
        subs = subs.sort_values(["diff_pp", "theme_id"], ascending=[False, True]).head(3)
        out.append((tid, subs["theme_id"].tolist()))
    return out


def _listed(lines: list[str], theme: re.Pattern[str], sub: re.Pattern[str]):
    out: list[tuple[str, list[str]]] = []
    for ln in lines:
        if m := theme.match(ln):
            out.append((m.group(1), []))
        elif (m := sub.match(ln)) and out:
            out[-1][1].append(m.group(1))
    return out


def test_cli_and_markdown_follow_themes_csv_on_a_generated_survey(demo_csv: Path, tmp_path):
    from feedback_nlp.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        ["analyze", str(demo_csv), *DEMO_OPTS, "--representation", "tfidf", "--no-redact",
         "--format", "md", "--format", "csv", "--out", str(out)],
        terminal_width=120,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    themes = pd.read_csv(out / "themes.csv", keep_default_na=False)
    themes["diff_pp"] = pd.to_numeric(themes["diff_pp"], errors="coerce")
    expected = _expected_tree(themes)
    assert any(subs for _, subs in expected), "the survey should give a top theme sub-themes"
    lines = res.stdout.splitlines()
    start = lines.index("Top detractor themes (share of detractor vs promoter comments)")
    terminal = _listed(
        lines[start + 1 :], re.compile(r"  (T\d+) "), re.compile(r"     - (T\d+\.\d+) ")
    )
    assert terminal == expected
    md = (out / "report.md").read_text(encoding="utf-8").splitlines()
    markdown = _listed(md, re.compile(r"- \*\*(T\d+) "), re.compile(r"  - (T\d+\.\d+) "))
    assert markdown == expected
    for tid, subs in expected:
        for sid in subs:
            assert themes.loc[themes["theme_id"] == sid, "parent_id"].item() == tid


# ---------------------------------------------------------------- xlsx


def test_xlsx_themes_sheet_is_a_tree(tmp_path):
    import openpyxl

    from feedback_nlp.report.xlsx import render_xlsx

    result = _tree_result()
    (tmp_path / "r.xlsx").write_bytes(render_xlsx(result))
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["themes"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["theme_id", "level", "parent_id"]
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert ids == ["T01", "T01.1", "T01.2", "T01.3", "T01.4", "T01.5", "T02", "T03", "T03.1",
                   "T04"]  # fmt: skip
    for r, tid in enumerate(ids, start=2):
        sub = "." in tid
        assert ws.row_dimensions[r].outline_level == (1 if sub else 0), tid
        assert ws.cell(r, 1).alignment.indent == (2 if sub else 0), tid
        assert ws.cell(r, header.index("label") + 1).alignment.indent == (2 if sub else 0)
        assert ws.cell(r, 2).value == (2 if sub else 1)
        assert (ws.cell(r, 3).value or "") == (tid.split(".")[0] if sub else "")
    assert ws.sheet_properties.outlinePr.summaryBelow is False
    assert len(ids) == len(result.themes) == 4 + sum(len(s) for s in SUBTHEMES.values())
    assert EVIL_LABEL + " twice" in [ws.cell(r, 4).value for r in range(2, ws.max_row + 1)]
