"""The HTML report: sections, escaping, determinism, offline-ness, size, and a real browser."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.config import AnalysisConfig
from feedback_nlp.report import charts
from feedback_nlp.report import html as html_module
from feedback_nlp.report.html import render_html
from feedback_nlp.result import (
    COMMENT_COLUMNS,
    REJECTED_COLUMNS,
    SEGMENT_COLUMNS,
    SEGMENT_THEME_COLUMNS,
    TERM_COLUMNS,
    THEME_COLUMNS,
    AnalysisResult,
)
from feedback_nlp.summary_types import (
    Manifest,
    NpsStats,
    RowCounts,
    Summary,
    ThemeExamples,
    ThemeSummary,
)

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
EVIL_LABEL = "<b>billing</b> & refunds"
SECTION_IDS = (
    "headline",
    "segments",
    "theme-chart",
    "theme-table",
    "heatmap",
    "theme-details",
    "terms",
    "notes",
    "methods",
    "manifest",
)


def _theme(tid, label, det, pas, pro, q, n, nps=-10.0, impact=-1.0, sent=0.1, parent=""):
    diff = 100 * (det - pro)
    return {
        "theme_id": tid,
        "level": 2 if parent else 1,
        "parent_id": parent,
        "label": label,
        "keywords": f"{label.split()[0]}, kw {tid}",
        "n_comments": n,
        "n_detractors": round(det * 40),
        "n_passives": round(pas * 20),
        "n_promoters": round(pro * 40),
        "share_detractors": det,
        "share_passives": pas,
        "share_promoters": pro,
        "diff_pp": diff,
        "lift": (det + 0.01) / (pro + 0.01),
        "p_value": q / 2 if q == q else math.nan,
        "q_value": q,
        "significant": bool(q < 0.05),
        "nps": nps,
        "nps_impact": impact,
        "mean_sentiment": sent,
        "mentions": n,
        "share_negative_mentions": 0.5 if sent != sent else max(0.0, -sent),
        "mean_mention_sentiment": sent,
        "examples": "",
    }


#: Sub-themes of the default result: (id, label, detractor, passive, promoter share, q, n).
#: T01 and T03 have sub-themes (listed out of report order), T02 and T04 none.
SUBTHEMES = {
    "T01": [
        ("T01.1", "late refund", 0.10, 0.05, 0.01, 0.01, 20),
        ("T01.2", EVIL_LABEL + " twice", 0.20, 0.08, 0.02, 0.002, 30),
        ("T01.3", "refund was quick", 0.01, 0.02, 0.04, 0.2, 8),
        ("T01.4", "billing portal", 0.05, 0.04, 0.04, 0.8, 9),
        ("T01.5", "paper bills", 0.02, 0.01, 0.015, 0.9, 4),
    ],
    "T03": [("T03.1", "crash on login", 0.08, 0.05, 0.05, 0.5, 11)],
}


def subtheme_rows(subthemes: dict[str, list[tuple]]) -> list[dict]:
    return [
        _theme(tid, label, det, pas, pro, q, n, parent=parent)
        for parent, subs in subthemes.items()
        for tid, label, det, pas, pro, q, n in subs
    ]


def _result(
    n_themes: int = 4,
    n_values: int = 3,
    example_len: int = 0,
    subthemes: dict[str, list[tuple]] | None = None,
) -> AnalysisResult:
    base = [
        _theme("T01", EVIL_LABEL, 0.42, 0.20, 0.05, 0.001, 60, -45.0, -6.2, -0.4),
        _theme(
            "T02",
            "friendly helpful staff in store and on the phone line every time",
            0.08,
            0.20,
            0.45,
            0.0004,
            70,
            52.0,
            4.1,
            0.6,
        ),
        _theme("T03", "app crashes", 0.15, 0.10, 0.10, 0.30, 20, math.nan, math.nan, -0.1),
        _theme("T04", "delivery", 0.20, 0.15, 0.12, math.nan, 25),
    ]
    rows = list(base)
    for k in range(len(base), n_themes):
        rows.append(
            _theme(
                f"T{k + 1:02d}",
                f"generated theme number {k + 1}",
                0.1 + 0.003 * k,
                0.1,
                0.1,
                0.5,
                10,
            )
        )
    rows = rows[:n_themes] + subtheme_rows(SUBTHEMES if subthemes is None else subthemes)
    themes = pd.DataFrame(rows, columns=list(THEME_COLUMNS))

    seg_rows, st_rows = [], []
    segs = {"region <x>": [f"R{i}" for i in range(n_values)], "plan": ["basic", XSS]}
    for col, values in segs.items():
        for i, value in enumerate(values):
            n = 5 if i == 1 else 40 + i
            seg_rows.append(
                {
                    "segment": col,
                    "value": value,
                    "n": n,
                    "promoters": n // 3,
                    "passives": n // 3,
                    "detractors": n - 2 * (n // 3),
                    "nps": -5.0 + 3 * i,
                    "ci_low": -30.0 + 3 * i,
                    "ci_high": 20.0 + 3 * i,
                    "low_n": n < 30,
                    "diff_vs_rest": 2.0 * i - 1,
                    "p_vs_rest": 0.2,
                }
            )
            for t in rows:
                st_rows.append(
                    {
                        **{k: t[k] for k in SEGMENT_THEME_COLUMNS if k in t},
                        "segment": col,
                        "value": value,
                        "diff_pp": t["diff_pp"] + 4 * i - 6,
                    }
                )
    segments = pd.DataFrame(seg_rows, columns=list(SEGMENT_COLUMNS))
    segment_themes = pd.DataFrame(st_rows, columns=list(SEGMENT_THEME_COLUMNS))
    terms = pd.DataFrame(
        [
            ("refund", "detractor", 5.2, 30, 2),
            ("<i>waited</i>", "detractor", 3.1, 12, 1),
            ("friendly", "promoter", -4.8, 1, 25),
            ("easy", "promoter", -2.2, 3, 14),
        ],
        columns=list(TERM_COLUMNS),
    )
    pad = "x" * example_len
    summary_themes = tuple(
        ThemeSummary(
            **{k: t[k] for k in THEME_COLUMNS if k not in ("keywords", "examples")},
            keywords=(t["label"].split()[0], "kw & <kw>"),
            examples=ThemeExamples(
                all=("a",),
                detractor=(XSS + pad, f"slow refund {t['theme_id']}" + pad) * 5,
                promoter=("great service " + pad,) * 10,
            ),
        )
        for t in rows
    )
    cfg = AnalysisConfig(input=Path("survey <&> 2024.csv"), segment_cols=tuple(segs))
    summary = Summary(
        rows=RowCounts(read=102, analyzed=100, rejected=2, no_text=7, with_theme=80),
        nps=NpsStats(
            n=100, promoters=30, passives=28, detractors=42, nps=-12.0, ci_low=-27.5, ci_high=4.1
        ),
        join=None,
        redaction=None,
        columns=None,
        segments=(),
        notes=("Column <score> had 2 values outside 0-10 & were rejected.",),
        manifest=Manifest(
            config=cfg.to_dict(),
            seed=0,
            versions={"feedback-nlp": "0.1.0", "numpy": "2.0"},
            spacy_pipeline="",
            theme_model=None,
            input={"path": "survey <&> 2024.csv", "sha256": "ab" * 32},
        ),
        themes=summary_themes,
    )
    comments = pd.DataFrame(columns=list(COMMENT_COLUMNS))
    return AnalysisResult(
        config=cfg,
        comments=comments,
        rejected=pd.DataFrame(columns=list(REJECTED_COLUMNS)),
        themes=themes,
        segments=segments,
        segment_themes=segment_themes,
        terms=terms,
        summary=summary,
        notes=[],
    )


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(_result())


def test_sections_present(html):
    for sid in SECTION_IDS:
        assert f'id="{sid}"' in html, sid
    assert (
        html.count('<svg class="chart') >= 1 + 2 + 1 + 2 + 2
    )  # bar, segments, themes, heat, terms
    assert html.count('role="img"') == html.count("<svg")
    assert "NPS −12.0" in html and "−27.5 to +4.1" in html
    assert "percentage points" in html and "NPS (points" in html
    assert "★" in html and "(low n)" in html


def test_user_strings_are_escaped(html):
    assert "<script>window.__xss" not in html
    assert "<img src=x" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "<b>billing</b>" not in html and "&lt;b&gt;billing&lt;/b&gt; &amp; refunds" in html
    assert "<i>waited</i>" not in html
    assert "survey &lt;&amp;&gt; 2024.csv" in html and "region &lt;x&gt;" in html
    assert "Column &lt;score&gt;" in html
    # only our own script element
    assert len(re.findall(r"<script\b", html)) == 1


def test_deterministic():
    assert render_html(_result()) == render_html(_result())


def test_offline_and_safe_by_policy(html):
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_size_bound_for_a_large_survey():
    big = _result(n_themes=60, n_values=400, example_len=20_000)
    big.comments = pd.DataFrame({"text": [XSS] * 100_000})
    out = render_html(big)
    assert len(out.encode("utf-8")) < 1_000_000
    per_sub = 2 * (html_module.MAX_SUB_EXAMPLES + html_module.MAX_TABLE_SUB_EXAMPLES)
    n_subs = sum(len(subs) for subs in SUBTHEMES.values())
    assert out.count("<blockquote>") == 60 * 6 + n_subs * per_sub
    assert "largest of 400 values" in out


def test_wrap_label_and_heat_colour():
    assert all(len(line) <= 20 for line in charts.wrap_label("a " * 50 + "b" * 40, 20))
    assert len(charts.wrap_label("word " * 40, 10, 2)) == 2
    assert charts.heat_colour(0, 10)[0] == "#f7f7f7"
    assert charts.heat_colour(10, 10)[0] == charts.DETRACTOR
    assert charts.heat_colour(-50, 10)[0] == charts.PROMOTER


SORT_PROBE = """<script>
(function () {
  var heads = document.querySelectorAll("#themes thead th button");
  function order() {
    return Array.prototype.map.call(document.querySelectorAll("#themes tbody tr.theme-row"),
      function (r) { return r.cells[0].getAttribute("data-v"); }).join(",");
  }
  heads[5].click(); document.body.dataset.byDiff = order();
  heads[5].click(); document.body.dataset.byDiffDesc = order();
  heads[7].click(); document.body.dataset.byQ = order();
})();
</script>"""


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _headless(browser: str, tmp_path: Path) -> list[str]:
    """Debian chromium, headless, offline, with a throw-away profile."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]


def test_browser_renders_charts_and_runs_no_injected_code(tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(render_html(_result()), encoding="utf-8")
    base = _headless(browser, tmp_path)
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=25,
        check=True,
    ).stdout
    assert 'data-ready="1"' in dom
    assert 'data-xss="0"' in dom
    assert dom.count('role="img"') >= 6 and "<svg" in dom
    assert "&lt;script&gt;window.__xss=1" in dom
    # Without the script hash in the policy, escaping alone must stop the payload; the
    # appended script clicks the theme table headers to check the sorting.
    relaxed = tmp_path / "relaxed.html"
    html = re.sub(r"script-src '[^']*'", "script-src 'unsafe-inline'", page.read_text("utf-8"))
    relaxed.write_text(html.replace("</body>", SORT_PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [*base, "--dump-dom", relaxed.as_uri()],
        capture_output=True,
        text=True,
        timeout=25,
        check=True,
    ).stdout
    assert 'data-xss="0"' in dom
    assert 'data-by-diff="T02,T03,T04,T01"' in dom
    assert 'data-by-diff-desc="T01,T04,T03,T02"' in dom
    assert 'data-by-q="T02,T01,T03,T04"' in dom  # missing q sorts last
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            *base,
            f"--screenshot={shot}",
            "--window-size=1280,4000",
            "--hide-scrollbars",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=25,
        check=True,
    )
    assert shot.exists() and shot.stat().st_size > 50_000
    shutil.copy(shot, "/tmp/report_screenshot.png")


def test_browser_opens_the_report_of_a_100k_comment_survey(tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    big = _result(n_themes=60, n_values=400, example_len=20_000)
    big.comments = pd.DataFrame({"text": [XSS] * 100_000})
    page = tmp_path / "big.html"
    page.write_text(render_html(big), encoding="utf-8")
    assert page.stat().st_size < 5_000_000
    dom = subprocess.run(
        [*_headless(browser, tmp_path), "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert 'data-ready="1"' in dom and 'data-xss="0"' in dom
    assert dom.count('role="img"') >= 6
