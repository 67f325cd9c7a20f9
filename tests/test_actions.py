"""Reports people act on: trends over time, other metrics, the follow-up list.

Each figure is checked against a hand computation with pandas / scipy on the
same project-generated data.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, spearmanr

from conftest import shared_file
from feedback_nlp.config import AnalysisConfig, Period, Representation
from feedback_nlp.followup import ACTIONS, followup_table
from feedback_nlp.metrics import metric_table, parse_metric
from feedback_nlp.nps import compare_nps, nps_from_counts
from feedback_nlp.result import FOLLOWUP_COLUMNS, METRIC_COLUMNS, TREND_COLUMNS
from feedback_nlp.trends import compare_last_periods, period_labels, trend_table


def _hand_nps(scores: pd.Series) -> dict[str, float]:
    """NPS and the adjusted-Wald 95% interval, written out from the README formulas."""
    n = len(scores)
    pro, det = int((scores >= 9).sum()), int((scores <= 6).sum())
    n_adj = n + 3
    p, d = (pro + 0.75) / n_adj, (det + 0.75) / n_adj
    half = 1.959963984540054 * math.sqrt((p + d - (p - d) ** 2) / n_adj)
    return {
        "n": n,
        "promoters": pro,
        "detractors": det,
        "passives": n - pro - det,
        "nps": round(100 * (pro - det) / n, 2),
        "ci_low": round(max(-100, 100 * (p - d - half)), 2),
        "ci_high": round(min(100, 100 * (p - d + half)), 2),
    }


@pytest.fixture(scope="module")
def survey_with_metric(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo survey plus a CSAT column derived from the score, with some empty and bad cells."""
    raw = pd.read_csv(demo_csv, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    score = pd.to_numeric(raw["score"], errors="coerce").fillna(5)
    csat = np.clip(np.round(score / 2 + rng.normal(0, 1, len(raw))), 1, 5).astype(int).astype(str)
    csat[::40] = ""
    csat[5::53] = "very good"
    raw["csat"] = csat
    raw.loc[raw.index[3], "comment"] = '=HYPERLINK("http://x","click")'
    path = tmp_path_factory.mktemp("metric") / "survey.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def result(survey_with_metric: Path):
    from feedback_nlp.pipeline import analyze

    cfg = AnalysisConfig(
        input=survey_with_metric,
        score_col="score",
        text_col="comment",
        id_col="respondent_id",
        segment_cols=("region", "plan"),
        date_col="response_date",
        metric_cols=("csat",),
        representation=Representation.tfidf,
    )
    return analyze(cfg)


# ---------------------------------------------------------------- trends


def test_period_labels():
    d = pd.Series(pd.to_datetime(["2026-01-01", "2025-12-29", "2026-03-31", "2026-04-01", None]))
    labels, starts = period_labels(d, Period.week)
    assert labels.tolist()[:4] == ["2026-W01", "2026-W01", "2026-W14", "2026-W14"]
    assert starts.dt.strftime("%Y-%m-%d").tolist()[:2] == ["2025-12-29", "2025-12-29"]
    assert period_labels(d, "month")[0].tolist()[:4] == ["2026-01", "2025-12", "2026-03", "2026-04"]
    assert period_labels(d, "quarter")[0].tolist()[:4] == ["2026Q1", "2025Q4", "2026Q1", "2026Q2"]
    assert pd.isna(labels.iloc[4])


def test_monthly_trend_matches_a_hand_computation(result, survey_with_metric: Path):
    raw = pd.read_csv(survey_with_metric, dtype={"respondent_id": str})
    raw = raw[raw["score"].notna()]
    month = raw[raw["response_date"].str.startswith("2026-02")]
    expected = _hand_nps(month["score"])
    trends = result.trends
    assert list(trends.columns) == list(TREND_COLUMNS)
    row = trends[(trends["period"] == "2026-02") & (trends["kind"] == "nps")].iloc[0]
    for key, value in expected.items():
        assert row[key] == value, key
    assert row["period_start"] == "2026-02-01"
    # theme rows: share = detractors with the theme / detractor comments with usable text
    comments = result.comments
    feb = comments[comments["date"].str.startswith("2026-02")]
    usable = ~feb["row_flags"].str.contains("no_text")
    det = feb[(feb["group"] == "detractor") & usable]
    t01 = trends[(trends["period"] == "2026-02") & (trends["theme_id"] == "T01")].iloc[0]
    hits = det["themes"].str.split(";").apply(lambda ts: "T01" in ts).sum()
    assert t01["n_detractor_comments"] == len(det)
    assert t01["detractors"] == hits
    assert t01["share_detractors"] == pytest.approx(hits / len(det))
    # every dated respondent is in exactly one period
    assert trends.loc[trends["kind"] == "nps", "n"].sum() == result.summary.trends.rows_with_date
    assert trends.loc[trends["kind"] == "nps", "period"].tolist() == [
        f"2026-0{m}" for m in range(1, 7)
    ]


def test_last_period_against_the_one_before(result):
    t = result.summary.trends
    assert t.period == "month" and t.date_column == "response_date"
    assert t.rows_without_date == 0 and t.periods[-2:] == ("2026-05", "2026-06")
    c = t.comparison.to_dict()
    assert set(c) == {"last", "previous", "nps_change", "p_value", "significant", "themes"}
    nps = result.trends[result.trends["kind"] == "nps"].set_index("period")

    def stats(period: str):
        r = nps.loc[period]
        return nps_from_counts(int(r["promoters"]), int(r["passives"]), int(r["detractors"]))

    change, p = compare_nps(stats("2026-06"), stats("2026-05"))
    assert c["last"]["period"] == "2026-06" and c["previous"]["period"] == "2026-05"
    assert (
        c["nps_change"] == change == round(nps.loc["2026-06", "nps"] - nps.loc["2026-05", "nps"], 2)
    )
    assert c["p_value"] == pytest.approx(p)
    assert c["significant"] == (p < 0.05)
    # themes only: sub-themes have trend rows but no period test
    assert len(c["themes"]) == int((result.themes["level"] == 1).sum())
    changes = [abs(e["change_pp"]) for e in c["themes"]]
    assert changes == sorted(changes, reverse=True)
    for e in c["themes"]:
        assert e["change_pp"] == pytest.approx(
            100 * (e["share_detractors_last"] - e["share_detractors_previous"])
        )
        assert e["q_value"] >= e["p_value"] - 1e-12
        assert e["direction"] == (
            ("grew" if e["change_pp"] > 0 else "shrank") if e["q_value"] < 0.05 else "steady"
        )


def test_trend_comparison_flags_a_theme_that_grew():
    # 60 detractors a month; the theme goes from 5 of 60 to 40 of 60 comments
    dates = pd.Series(pd.to_datetime(["2026-01-15"] * 60 + ["2026-02-15"] * 60))
    groups = np.array(["detractor"] * 120, dtype=object)
    member = np.zeros((120, 2), dtype=bool)
    member[:5, 0] = True
    member[60:100, 0] = True
    member[::2, 1] = True
    trends = trend_table(
        dates,
        groups,
        member,
        np.ones(120, bool),
        ["T01", "T02"],
        {"T01": "slow", "T02": "price"},
        "month",
    )
    c = compare_last_periods(trends)
    grew = {e.theme_id: e for e in c.themes}
    assert grew["T01"].direction == "grew" and grew["T01"].change_pp == pytest.approx(
        100 * (40 / 60 - 5 / 60)
    )
    assert grew["T02"].direction == "steady" and grew["T02"].change_pp == 0
    assert c.nps_change == 0 and c.last.nps == -100
    assert compare_last_periods(trends[trends["period"] == "2026-01"]) is None


# ---------------------------------------------------------------- metrics


def test_parse_metric_counts_missing_and_invalid():
    values, missing, invalid = parse_metric(pd.Series(["4", " 3,5 ", "", "n/a", "great", "1e1"]))
    assert values.tolist()[:2] == [4.0, 3.5] and values.iloc[5] == 10.0
    assert missing.tolist() == [False, False, True, True, False, False]
    assert invalid.tolist() == [False, False, False, False, True, False]


def test_metric_correlation_equals_scipy(result, survey_with_metric: Path):
    raw = pd.read_csv(survey_with_metric, dtype=str, keep_default_na=False)
    analysed = raw[raw["respondent_id"].isin(result.comments["respondent_id"])]
    csat = pd.to_numeric(analysed["csat"], errors="coerce")
    score = pd.to_numeric(analysed["score"])
    ok = csat.notna()
    m = result.metrics
    assert list(m.columns) == list(METRIC_COLUMNS)
    overall = m[(m["metric"] == "csat") & (m["by"] == "all")].iloc[0]
    assert overall["n"] == ok.sum()
    assert overall["n_missing"] == (analysed["csat"] == "").sum() > 0
    assert overall["n_invalid"] == (analysed["csat"] == "very good").sum() > 0
    assert overall["metric_mean"] == pytest.approx(csat[ok].mean())
    assert overall["pearson_r"] == pytest.approx(pearsonr(score[ok], csat[ok]).statistic)
    assert overall["pearson_p"] == pytest.approx(pearsonr(score[ok], csat[ok]).pvalue)
    assert overall["spearman_rho"] == pytest.approx(spearmanr(score[ok], csat[ok]).statistic)
    # by group and by segment value
    det = m[(m["by"] == "nps_group") & (m["value"] == "detractor")].iloc[0]
    assert det["metric_mean"] == pytest.approx(csat[ok & (score <= 6)].mean())
    south = m[(m["by"] == "region") & (m["value"] == "South")].iloc[0]
    in_south = ok & (analysed["region"] == "South")
    assert south["n"] == in_south.sum() and south["metric_mean"] == pytest.approx(
        csat[in_south].mean()
    )
    summary = result.summary.metrics[0]
    assert summary.metric == "csat" and summary.n == overall["n"]
    assert summary.by_group["detractor"].mean == pytest.approx(det["metric_mean"])


def test_metric_table_without_enough_pairs_gives_nan():
    frame = pd.DataFrame({"group": ["promoter", "detractor"], "score": [9.0, 3.0]})
    t = metric_table(frame, pd.DataFrame({"ces": ["2", "x"]}))
    assert t.iloc[0]["n"] == 1 and math.isnan(t.iloc[0]["pearson_r"])
    assert t.iloc[0]["n_invalid"] == 1


def test_missing_metric_column_is_a_one_line_error(demo_csv: Path):
    from feedback_nlp.errors import ColumnError
    from feedback_nlp.pipeline import analyze

    cfg = AnalysisConfig(
        input=demo_csv,
        score_col="score",
        text_col="comment",
        metric_cols=("csaat",),
        representation=Representation.tfidf,
    )
    with pytest.raises(ColumnError) as err:
        analyze(cfg)
    assert str(err.value) == (
        "Column 'csaat' (--metric-col) not found in survey.csv. Available columns: "
        "respondent_id, score, comment, region, plan, journey_stage, response_date."
    )


# ---------------------------------------------------------------- follow-up


def test_followup_ordering_rules():
    comments = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
            "group": [
                "detractor",
                "detractor",
                "detractor",
                "detractor",
                "detractor",
                "passive",
                "promoter",
                "promoter",
                "promoter",
            ],
            "score": [3, 0, 3, 3, 3, 8, 9, 10, 10],
            "region": ["N"] * 9,
            "date": [""] * 9,
            "sentiment": [-0.5, 0.2, -0.5, np.nan, -0.9, 0.0, 0.9, 0.1, 0.8],
            "themes": ["T01", "", "T02", "", "", "", "", "T01", ""],
            "text": ["x", "y", "z", "", "w", "p", "q", "r", "s"],
        }
    )
    themes = pd.DataFrame(
        {"theme_id": ["T01", "T02"], "label": ["slow", "price"], "nps_impact": [-1.0, -3.0]}
    )
    f = followup_table(comments, themes, ("region",))
    assert list(f.columns) == [
        "priority",
        "respondent_id",
        "group",
        "score",
        "region",
        *FOLLOWUP_COLUMNS[4:],
    ]
    # lowest score; then most negative sentiment; then larger theme impact; no sentiment last
    assert f["respondent_id"].tolist() == ["b", "e", "c", "a", "d", "i", "h", "g"]
    assert f["priority"].tolist() == list(range(1, 9))
    assert "f" not in f["respondent_id"].tolist()  # passives are not listed
    assert f.loc[f["respondent_id"] == "c", "theme_labels"].item() == "price"
    assert f.loc[f["respondent_id"] == "c", "theme_impact"].item() == 3.0
    assert f["action"].tolist() == [ACTIONS["detractor"]] * 5 + [ACTIONS["promoter"]] * 3


def test_followup_keeps_a_segment_named_like_an_internal_sort_key():
    comments = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c"],
            "group": ["detractor", "detractor", "promoter"],
            "score": [3, 0, 10],
            "_k1": ["North", "South", "East"],
            "date": [""] * 3,
            "sentiment": [0.1, -0.2, 0.5],
            "themes": ["", "", ""],
            "text": ["x", "y", "z"],
        }
    )
    themes = pd.DataFrame({"theme_id": ["T01"], "label": ["slow"], "nps_impact": [-1.0]})
    f = followup_table(comments, themes, ("_k1",))
    assert f[["respondent_id", "_k1"]].to_numpy().tolist() == [
        ["b", "South"],
        ["a", "North"],
        ["c", "East"],
    ]


def test_followup_lists_every_detractor_first(result):
    f, c = result.followup, result.comments
    n_det = int((c["group"] == "detractor").sum())
    assert (f["group"].iloc[:n_det] == "detractor").all()
    assert (f["group"].iloc[n_det:] == "promoter").all()
    assert len(f) == n_det + int((c["group"] == "promoter").sum())
    assert (
        result.summary.followup.detractors_without_text
        == int(((c["group"] == "detractor") & c["row_flags"].str.contains("no_text")).sum())
        > 0
    )
    det_scores = f["score"].iloc[:n_det].to_numpy()
    assert (np.diff(det_scores) >= 0).all()


# ---------------------------------------------------------------- real data


def test_telecom_monthly_trend_matches_pandas():
    from feedback_nlp.pipeline import analyze

    path = shared_file("telecom_nps_verbatims.csv")
    cfg = AnalysisConfig(
        input=path,
        score_col="NPS_SCORE",
        text_col="text",
        date_col="CUSTOMER_RESPONSE_DATE",
        representation=Representation.tfidf,
    )
    res = analyze(cfg)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    score = pd.to_numeric(raw["NPS_SCORE"], errors="coerce")
    when = pd.to_datetime(raw["CUSTOMER_RESPONSE_DATE"], format="%d/%m/%Y %H:%M", errors="coerce")
    ok = score.between(0, 10) & when.notna()
    months = when[ok].dt.strftime("%Y-%m")
    busiest = months.value_counts().sort_index().idxmax()
    expected = _hand_nps(score[ok][months == busiest])
    row = res.trends[(res.trends["kind"] == "nps") & (res.trends["period"] == busiest)].iloc[0]
    for key, value in expected.items():
        assert row[key] == value, key
    assert res.trends.loc[res.trends["kind"] == "nps", "n"].sum() == ok.sum()
