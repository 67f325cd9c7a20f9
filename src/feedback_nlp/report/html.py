"""The HTML report: one self-contained file that opens offline, a pure function of the result.

The page is rendered by jinja2 with autoescaping on, so every string that
comes from the survey (comments, labels, keywords, segment names and values,
file names, notes) is escaped. Charts are inline SVG from :mod:`.charts`,
built with their own escaping. A Content-Security-Policy allows no network
access and only the page's own script (by hash), so even a markup slip could
not run injected code. The report shows samples (a few examples per theme,
the largest segment values, at most :data:`MAX_SUBTHEMES_TOTAL` sub-themes),
so its size stays bounded for any survey size.

Sub-themes are shown on demand: the theme chart opens a theme's sub-themes
in a ``<details>`` (no script), the theme table with a button the page's
script reveals and wires (sub-theme rows start ``hidden``), and the example
section in a ``<details>`` per theme, so a page without its script still
shows every sub-theme.
"""

from __future__ import annotations

import base64
import hashlib
import math
from functools import lru_cache
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from ..arguments import is_frame
from ..config import display_path, input_name
from ..output import to_json
from ..result import AnalysisResult, MaskedTerm
from ..summary_types import Manifest, Summary, ThemeExamples, ThemeSummary
from . import charts, html_sections, html_themes, theme_chart
from .formatting import finite as _finite
from .formatting import fmt_interval, shorten
from .formatting import fmt_num as _num
from .formatting import fmt_p as _p
from .formatting import fmt_pct as _pct
from .view import (
    brand_masking_method,
    headline,
    score_name,
    subthemes_in_order,
    theme_summaries,
    themes_in_order,
)

__all__ = ["render_html"]

#: Bounds that keep the file small whatever the survey size.
MAX_SEGMENT_VALUES = 40
MAX_HEATMAP_ROWS = 20
MAX_HEATMAP_THEMES = 30
MAX_HEATMAP_SEGMENTS = 8
MAX_EXAMPLES = 3
MAX_EXAMPLE_CHARS = 500
#: A sentence example's whole review (shown on expand) is cut at this many characters.
MAX_REVIEW_CHARS = 2000
MAX_TERMS = 15
MAX_MANIFEST_CHARS = 40_000
#: Sub-themes shown per theme and in all (report order: the largest diff first); every
#: sub-theme is in themes.csv.
MAX_SUBTHEMES = 30
MAX_SUBTHEMES_TOTAL = 400
#: Examples per sub-theme and group: in the example section, and (shorter) in the theme table.
MAX_SUB_EXAMPLES = 2
MAX_SUB_EXAMPLE_CHARS = 300
MAX_TABLE_SUB_EXAMPLES = 1
MAX_TABLE_SUB_EXAMPLE_CHARS = 160

# Sortable tables, the theme table's drill-down, then the readiness / XSS markers the
# browser test reads.
_SCRIPT = """
(function () {
  "use strict";
  function key(cell) { return cell.getAttribute("data-v") || ""; }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    return !isNaN(x) && !isNaN(y) ? x - y : a.localeCompare(b);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        /* a grouped table sorts its row groups (a theme with its sub-themes) by their first row */
        var grouped = table.classList.contains("grouped");
        var parent = grouped ? table : table.tBodies[0];
        var items = Array.prototype.slice.call(grouped ? table.tBodies : parent.rows);
        function head(item) { return grouped ? item.rows[0] : item; }
        items.sort(function (r1, r2) {
          var a = key(head(r1).cells[col]), b = key(head(r2).cells[col]);
          if (a === "" || b === "") { return (a === "") - (b === ""); }  /* missing last */
          return asc ? compare(a, b) : compare(b, a);
        });
        items.forEach(function (r) { parent.appendChild(r); });
      });
    });
  });
  /* drill-down: a theme row's button shows or hides the rows of its sub-themes */
  document.querySelectorAll("button.drill").forEach(function (button) {
    var rows = button.closest("tbody").querySelectorAll("tr.sub");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      Array.prototype.forEach.call(rows, function (r) { r.hidden = !open; });
    });
  });
  function mark() { document.body.dataset.xss = String(window.__xss || 0); }
  mark();
  window.addEventListener("load", mark);
  document.body.dataset.ready = "1";
})();
"""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("feedback_nlp", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(result: AnalysisResult) -> str:
    """Render the whole report as one self-contained HTML document.

    Parameters
    ----------
    result : AnalysisResult
        The output of :func:`feedback_nlp.pipeline.analyze`.

    Returns
    -------
    str
        The HTML text; the same result always gives the same bytes.

    Examples
    --------
    >>> Path("report.html").write_text(render_html(result), encoding="utf-8")  # doctest: +SKIP
    """
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    context = build_context(result)
    context["script"] = Markup(_SCRIPT)
    context["script_hash"] = f"sha256-{digest}"
    return _environment().get_template("report.html.j2").render(**context)


# ---------------------------------------------------------------- formatting


def _flt(v: Any) -> float:
    f = _finite(v)
    return math.nan if f is None else f


def _flag(v: Any) -> bool:
    """A boolean cell; NaN/None (e.g. no test was possible) counts as False."""
    return bool(v) if v is not None and v == v else False


def _cell(text: str, v: Any = None) -> dict[str, str]:
    """A numeric table cell; ``v`` is the sort key for the script ('' sorts last)."""
    f = _finite(v)
    return {"text": text, "v": "" if f is None else f"{f:.6g}", "cls": "num"}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]


def _largest(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` rows with the largest n, kept in their original order."""
    if len(rows) <= limit:
        return rows
    keep = sorted(range(len(rows)), key=lambda i: (-int(rows[i]["n"]), i))[:limit]
    return [rows[i] for i in sorted(keep)]


# ---------------------------------------------------------------- sections


def build_context(result: AnalysisResult) -> dict[str, Any]:
    """Everything the template shows, as plain values (numbers already formatted).

    Chart SVGs are :class:`markupsafe.Markup`; every other string is escaped
    by the template.
    """
    s, cfg = result.summary, result.config
    themes = _records(themes_in_order(result.themes))
    by_segment: dict[str, list[dict[str, Any]]] = {}
    for r in _records(result.segments):
        by_segment.setdefault(str(r["segment"]), []).append(r)
    by_id = theme_summaries(s)
    subs, totals = _subthemes(result.themes, themes)
    sub_context = {
        tid: [_subtheme(r, by_id, f"sub-{i}-{j}") for j, r in enumerate(rows, start=1)]
        for i, (tid, rows) in enumerate(subs.items(), start=1)
    }
    bars = [(_bar(t), [_bar(r) for r in subs[str(t["theme_id"])]]) for t in themes]
    return {
        "title": "Survey feedback report",
        "input_name": input_name(cfg.input)
        if is_frame(cfg.input)
        else display_path(getattr(cfg.input, "name", str(cfg.input))),
        "alpha": f"{cfg.alpha:g}",
        "low_n": cfg.low_n,
        "score": score_name(s),
        "headline": _headline(s),
        "segments": [_segment_section(col, rows, s) for col, rows in by_segment.items()],
        "trends": html_sections.trends_section(result),
        "metrics": html_sections.metrics_section(result),
        "followup": html_sections.followup_section(result),
        "theme_chart": _theme_chart(bars, totals, cfg.alpha) if bars else None,
        "n_significant": sum(b.significant for b, _ in bars),
        "n_subthemes": sum(totals.values()),
        "theme_rows": [
            {
                **_theme_row(t),
                "subs": sub_context[str(t["theme_id"])],
                "total_subs": totals[str(t["theme_id"])],
            }
            for t in themes
        ],
        "heatmaps": _heatmaps(result.segment_themes, themes, by_segment),
        "top_themes": html_themes.top_themes_context(result),
        "segment_own": html_themes.segment_own_section(result),
        "theme_details": [
            {**d, "subs": sub_context[d["theme_id"]], "total_subs": totals[d["theme_id"]]}
            for d in _theme_details(themes, by_id)
        ],
        "terms": _terms(result.terms),
        "notes": list(dict.fromkeys([*s.notes, *result.notes])),
        "brand_masking": {
            "text": brand_masking_method(result.masked_terms, cfg.brand_detection),
            "terms": [
                {
                    "term": t.term,
                    "source": t.source,
                    "comments": f"{t.comments:,}",
                    "share": _pct(t.share),
                }
                for t in result.masked_terms
            ],
        },
        "manifest": _manifest(s.manifest, result.masked_terms),
        "limits": {
            "examples": MAX_EXAMPLES,
            "example_chars": MAX_EXAMPLE_CHARS,
            "sub_examples": MAX_SUB_EXAMPLES,
            "sub_example_chars": MAX_SUB_EXAMPLE_CHARS,
        },
    }


def _headline(s: Summary) -> dict[str, Any]:
    h = headline(s)
    n, rows = int(h.n), h.rows
    counts = [int(h.detractors), int(h.passives), int(h.promoters)]
    names = (("Detractors", "det"), ("Passives", "pas"), ("Promoters", "pro"))
    return {
        "label": h.label,
        "scale": h.scale,
        "nps": _num(h.score, 1, signed=True),
        "ci_low": _num(h.ci_low, 1, signed=True),
        "ci_high": _num(h.ci_high, 1, signed=True),
        "n": n,
        "groups": [
            {"name": name, "cls": cls, "count": c, "share": _pct(c / n if n else None)}
            for (name, cls), c in zip(names, counts, strict=True)
        ],
        "bar": Markup(charts.group_bar(*counts)),
        "rows": [
            ("Rows read", rows.read),
            ("Analysed", rows.analyzed),
            ("Rejected", rows.rejected),
            ("Without usable text", rows.no_text),
            ("With a theme", rows.with_theme),
        ],
    }


def _segment_section(col: str, all_rows: list[dict[str, Any]], s: Summary) -> dict[str, Any]:
    rows = _largest(all_rows, MAX_SEGMENT_VALUES)
    points = [
        charts.NpsPoint(
            str(r["value"]),
            _flt(r["nps"]),
            _flt(r["ci_low"]),
            _flt(r["ci_high"]),
            int(r["n"]),
            _flag(r["low_n"]),
        )
        for r in rows
    ]
    score = score_name(s)
    title = f"{score} by {col} with 95% intervals"
    return {
        "name": col,
        "chart": Markup(charts.nps_intervals(points, title, _finite(s.nps.score), score)),
        "rows": [
            {
                "value": str(r["value"]),
                "low_n": _flag(r["low_n"]),
                "cells": [
                    _cell(str(int(r["n"])), r["n"]),
                    _cell(_num(r["nps"], 1, True), r["nps"]),
                    _cell(fmt_interval(r["ci_low"], r["ci_high"]), r["ci_low"]),
                    _cell(_num(r["diff_vs_rest"], 1, True), r["diff_vs_rest"]),
                    _cell(_p(r["p_vs_rest"]), r["p_vs_rest"]),
                ],
            }
            for r in rows
        ],
        "hidden": len(all_rows) - len(rows),
        "total": len(all_rows),
    }


def _theme_row(t: dict[str, Any]) -> dict[str, Any]:
    sig = _flag(t["significant"])
    return {
        "theme_id": str(t["theme_id"]),
        "label": str(t["label"]),
        "significant": sig,
        "cells": [
            _cell(_pct(t["share_detractors"]), t["share_detractors"]),
            _cell(_pct(t["share_passives"]), t["share_passives"]),
            _cell(_pct(t["share_promoters"]), t["share_promoters"]),
            _cell(_num(t["diff_pp"], 1, True), t["diff_pp"]),
            _cell(_num(t["lift"], 2), t["lift"]),
            _cell(_p(t["q_value"]) + (" ★" if sig else ""), t["q_value"]),
            _cell(_num(t["nps"], 1, True), t["nps"]),
            _cell(_num(t["nps_impact"], 2, True), t["nps_impact"]),
            _cell(_num(t["mean_sentiment"], 2, True), t["mean_sentiment"]),
            _cell(_pct(t["share_negative_mentions"]), t["share_negative_mentions"]),
            _cell(str(int(t["n_comments"])), t["n_comments"]),
        ],
    }


def _bar(t: dict[str, Any]) -> theme_chart.ThemeBar:
    return theme_chart.ThemeBar(
        str(t["theme_id"]),
        str(t["label"]),
        _flt(t["diff_pp"]),
        _finite(t["share_detractors"]) or 0.0,
        _finite(t["share_promoters"]) or 0.0,
        _flt(t["q_value"]),
        _flag(t["significant"]),
    )


def _subthemes(
    table: pd.DataFrame, themes: list[dict[str, Any]]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Each theme's sub-themes to show (report order, capped) and how many it has.

    Every theme with sub-themes gets the same share of :data:`MAX_SUBTHEMES_TOTAL`
    (at most :data:`MAX_SUBTHEMES`, at least 3), so a survey of many themes keeps a
    bounded page and no theme loses all its sub-themes.
    """
    all_subs = {str(t["theme_id"]): subthemes_in_order(table, str(t["theme_id"])) for t in themes}
    totals = {tid: len(frame) for tid, frame in all_subs.items()}
    with_subs = sum(1 for n in totals.values() if n)
    cap = min(MAX_SUBTHEMES, max(3, MAX_SUBTHEMES_TOTAL // max(1, with_subs)))
    return {tid: _records(frame.head(cap)) for tid, frame in all_subs.items()}, totals


def _subtheme(r: dict[str, Any], by_id: dict[str, ThemeSummary], row_id: str) -> dict[str, Any]:
    """A sub-theme's table row, its statistics in words and its examples by group."""
    t = by_id.get(str(r["theme_id"]))
    examples = t.examples if t else ThemeExamples()
    return {
        **_theme_row(r),
        "row_id": row_id,
        "n_comments": int(r["n_comments"]),
        "stats": (
            f"detractors {_pct(r['share_detractors'])} vs promoters "
            f"{_pct(r['share_promoters'])} · diff {_num(r['diff_pp'], 1, True)} pp · "
            f"q = {_p(r['q_value'])}"
        ),
        **{
            side: [
                shorten(e, MAX_SUB_EXAMPLE_CHARS)
                for e in getattr(examples, side)[:MAX_SUB_EXAMPLES]
            ]
            for side in ("detractor", "promoter")
        },
        **_reviews(examples, MAX_SUB_EXAMPLES),
        "table_examples": {
            side: [
                shorten(e, MAX_TABLE_SUB_EXAMPLE_CHARS)
                for e in getattr(examples, side)[:MAX_TABLE_SUB_EXAMPLES]
            ]
            for side in ("detractor", "promoter")
        },
    }


def _theme_chart(
    bars: list[tuple[theme_chart.ThemeBar, list[theme_chart.ThemeBar]]],
    totals: dict[str, int],
    alpha: float,
) -> dict[str, Any]:
    chart = theme_chart.theme_diff_chart(bars, alpha)
    return {
        "header": Markup(chart.header),
        "axis": Markup(chart.axis),
        "rows": [
            {
                "theme_id": row.theme_id,
                "strip": Markup(row.strip),
                "subthemes": Markup(row.subthemes) if row.subthemes else None,
                "shown": len(subs),
                "total": totals[row.theme_id],
            }
            for row, (_, subs) in zip(chart.rows, bars, strict=True)
        ],
    }


def _heatmaps(
    segment_themes: pd.DataFrame,
    themes: list[dict[str, Any]],
    by_segment: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """One heatmap per segment column (the largest values, the strongest themes)."""
    if not len(segment_themes) or not themes:
        return []
    keep = sorted(
        range(len(themes)), key=lambda i: (-abs(_finite(themes[i]["diff_pp"]) or 0.0), i)
    )[:MAX_HEATMAP_THEMES]
    columns = [(str(themes[i]["theme_id"]), str(themes[i]["label"])) for i in sorted(keep)]
    st = segment_themes.astype({"segment": str, "value": str, "theme_id": str})
    maps = []
    for col, seg_rows in list(by_segment.items())[:MAX_HEATMAP_SEGMENTS]:
        shown = _largest(seg_rows, MAX_HEATMAP_ROWS)
        # only the cells shown: a segment column may have thousands of values
        sub = st[(st["segment"] == col) & st["value"].isin([str(r["value"]) for r in shown])]
        lookup = {(col, str(r["value"]), str(r["theme_id"])): r for r in _records(sub)}
        labels, cells = [], []
        for seg in shown:
            value, low = str(seg["value"]), _flag(seg["low_n"])
            labels.append(shorten(value, 15) + " (low n)" if low else value)
            row = []
            for tid, label in columns:
                r = lookup.get((col, value, tid))
                tip = f"{col} = {value} · {tid} {label}: "
                if r is None:
                    tip += "no data"
                else:
                    tip += (
                        f"diff {_num(r['diff_pp'], 1, True)} pp (detractors "
                        f"{_pct(r['share_detractors'])}, promoters {_pct(r['share_promoters'])}), "
                        f"q = {_p(r['q_value'])}, {int(r['n_comments'])} comments"
                    )
                if low:
                    tip += f"; low n ({int(seg['n'])} respondents)"
                row.append(charts.HeatCell(_flt(r["diff_pp"]) if r else math.nan, low, tip))
            cells.append(row)
        maps.append((col, labels, cells))
    values = [abs(c.value) for _, _, cs in maps for row in cs for c in row if not c.grey]
    scale = max(10.0, math.ceil(max([v for v in values if math.isfinite(v)] + [0.0]) / 5) * 5)
    return [
        {
            "name": col,
            "chart": Markup(
                charts.heatmap(labels, columns, cells, f"Theme diff (pp) by {col}", scale)
            ),
        }
        for col, labels, cells in maps
    ]


def _theme_details(
    themes: list[dict[str, Any]], by_id: dict[str, ThemeSummary]
) -> list[dict[str, Any]]:
    out = []
    for r in themes:
        t = by_id.get(str(r["theme_id"]))
        examples = t.examples if t else ThemeExamples()
        out.append(
            {
                "theme_id": str(r["theme_id"]),
                "label": str(r["label"]),
                "significant": _flag(r["significant"]),
                "keywords": [
                    str(k)
                    for k in (t.keywords if t else None) or str(r["keywords"]).split(", ")
                    if k
                ],
                "n_comments": int(r["n_comments"]),
                "diff": _num(r["diff_pp"], 1, True),
                **{
                    side: [
                        shorten(e, MAX_EXAMPLE_CHARS)
                        for e in getattr(examples, side)[:MAX_EXAMPLES]
                    ]
                    for side in ("detractor", "promoter")
                },
                **_reviews(examples, MAX_EXAMPLES),
            }
        )
    return out


def _reviews(examples: ThemeExamples, count: int) -> dict[str, list[str]]:
    """Per group, each shown example's whole comment ('' when the example is the
    comment itself): a sentence example opens onto its review."""
    out = {}
    for side in ("detractor", "promoter"):
        shown = len(getattr(examples, side)[:count])
        whole = list(getattr(examples, f"{side}_reviews"))[:shown]
        out[f"{side}_reviews"] = [shorten(w, MAX_REVIEW_CHARS) for w in whole] + [""] * (
            shown - len(whole)
        )
    return out


def _terms(terms: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for side, colour in (("detractor", charts.DETRACTOR), ("promoter", charts.PROMOTER)):
        rows = [r for r in _records(terms) if r["side"] == side][:MAX_TERMS]
        pairs = [(str(r["term"]), _flt(r["z"])) for r in rows]
        title = f"Words typical of {side}s (|z|)"
        chart = Markup(charts.term_bars(pairs, colour, title)) if pairs else None
        out.append({"side": f"{side}s", "chart": chart})
    return out


def _input_entry(label: str, value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        path = value.get("path") or value.get("name") or value.get("file") or ""
        return {"label": label, "path": str(path), "sha256": str(value.get("sha256") or "–")}
    return {"label": label, "path": str(value), "sha256": "–"}


def _manifest(manifest: Manifest, masked: tuple[MaskedTerm, ...] = ()) -> dict[str, Any]:
    doc = manifest.to_dict()
    # The config's brand_terms are only the names given: beside them, every term masked
    # (given, detected, a saved model's), so the page never shows [] for masked brands.
    config: dict[str, Any] = {}
    for key, value in doc["config"].items():
        config[key] = value
        if key == "brand_terms":
            config["brand_terms_masked"] = [t.term for t in masked]
    text = to_json({**doc, "config": config})
    if len(text) > MAX_MANIFEST_CHARS:
        text = text[:MAX_MANIFEST_CHARS] + "\n… (truncated; the full manifest is in summary.json)\n"
    entries = (("input", manifest.input), ("comments", manifest.comments_input))
    return {
        "inputs": [e for e in (_input_entry(k, v) for k, v in entries) if e],
        "versions": [(str(k), str(v)) for k, v in manifest.versions.items()],
        "json": text,
    }
