"""Tests of the synthetic survey generator (feedback_nlp.demo)."""

from __future__ import annotations

import hashlib
import itertools
import re
from string import Formatter

import numpy as np
import pandas as pd
import pytest

from feedback_nlp import _demo_phrases as ph
from feedback_nlp.demo import COLUMNS, NOISE_ANSWERS, THEMES, generate_survey, write_survey
from feedback_nlp.errors import ConfigError

ROWS = 5000


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return generate_survey(ROWS, seed=7, with_truth=True)


def _group(score: pd.Series) -> pd.Series:
    s = score.astype("float64")
    return pd.Series(
        np.select([s <= 6, s <= 8, s <= 10], ["detractor", "passive", "promoter"], "missing"),
        index=score.index,
    )


def _nps(score: pd.Series) -> float:
    s = score.dropna().astype("float64")
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


def _expand(template: str) -> list[str]:
    """Every text an inline-choice template can produce; named slots stay as ``{slot}``."""
    parts: list[list[str]] = []
    for lit, name, _, _ in Formatter().parse(template):
        parts.append([lit])
        if name:
            parts.append(name.split("|") if "|" in name else ["{" + name + "}"])
    return ["".join(p) for p in itertools.product(*parts)]


def test_same_seed_same_frame_other_seed_differs() -> None:
    a, b = generate_survey(800, seed=3), generate_survey(800, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = generate_survey(800, seed=4)
    assert (a["comment"] != c["comment"]).mean() > 0.9


def test_frame_is_pinned_across_chunks() -> None:
    """The exact survey a seed gives, over more than one chunk of rows: a change to the
    order of the random draws (e.g. while refactoring) changes every downstream golden."""
    df = generate_survey(20000, seed=5, months=4, with_truth=True)
    digest = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    assert digest == "fb15a5387eef585593d0252c920586a92f6c27ca4d712cdde089582ad1e55920"


def test_columns_dtypes_ids_and_dates(survey: pd.DataFrame) -> None:
    assert list(survey.columns) == [*COLUMNS, "planted_themes"]
    assert list(generate_survey(10).columns) == list(COLUMNS)
    assert survey["score"].dtype == "Int64"
    for col in ("respondent_id", "comment", "region", "plan", "journey_stage", "response_date"):
        assert pd.api.types.is_string_dtype(survey[col]), col
    assert survey["respondent_id"].is_unique
    assert survey["respondent_id"].str.fullmatch(r"R\d{6}").all()
    dates = pd.to_datetime(survey["response_date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2026-01-01") and dates.max() < pd.Timestamp("2026-07-01")
    assert dates.is_monotonic_increasing
    assert dates.dt.month.nunique() == 6
    assert set(survey["region"]) == {"North", "South", "East", "West"}
    assert set(survey["plan"]) == {"Basic", "Plus", "Premium"}
    assert set(survey["journey_stage"]) == {"Onboarding", "Billing", "Support", "Renewal"}


def test_start_months_and_empty() -> None:
    df = generate_survey(300, seed=1, start="2025-03-15", months=2)
    dates = pd.to_datetime(df["response_date"])
    assert dates.min() >= pd.Timestamp("2025-03-15") and dates.max() < pd.Timestamp("2025-05-15")
    empty = generate_survey(0)
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0


@pytest.mark.parametrize(
    "kw", [{"rows": -1}, {"rows": 2.5}, {"months": 0}, {"start": "first of May"}]
)
def test_invalid_arguments_raise_config_error(kw: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        generate_survey(**kw)  # type: ignore[arg-type]


def test_score_range_and_missing_share(survey: pd.DataFrame) -> None:
    scores = survey["score"].dropna()
    assert scores.between(0, 10).all()
    assert set(scores.unique()) == set(range(11))
    assert 0.005 < survey["score"].isna().mean() < 0.03


def test_group_and_segment_shares(survey: pd.DataFrame) -> None:
    shares = _group(survey["score"])[survey["score"].notna()].value_counts(normalize=True)
    assert 0.33 < shares["detractor"] < 0.47
    assert 0.18 < shares["passive"] < 0.32
    assert 0.28 < shares["promoter"] < 0.42
    regions = survey["region"].value_counts(normalize=True)
    assert regions.max() - regions.min() > 0.1  # unequal sizes
    nps = {
        col: survey.groupby(col)["score"].apply(_nps) for col in ("region", "plan", "journey_stage")
    }
    assert nps["region"].idxmin() == "South"
    assert nps["region"]["South"] < nps["region"].drop("South").min() - 10
    assert nps["plan"]["Basic"] < nps["plan"]["Plus"] < nps["plan"]["Premium"]
    assert nps["journey_stage"].idxmin() == "Support"


def test_nps_drifts_over_months(survey: pd.DataFrame) -> None:
    by_month = survey.groupby(survey["response_date"].str[:7])["score"].apply(_nps)
    assert by_month.max() - by_month.min() > 15
    assert by_month.idxmin() == "2026-04"  # the incident month
    assert by_month.iloc[-1] > by_month.iloc[0]


def test_phrase_pools_carry_exactly_their_theme_keywords() -> None:
    patterns = {t.name: t.pattern for t in THEMES}
    assert set(ph.THEME_PHRASES) == set(patterns)
    for name, pools in ph.THEME_PHRASES.items():
        for template in itertools.chain.from_iterable(pools.values()):
            for text in _expand(template):
                assert patterns[name].search(text), (name, text)
                others = [o for o, p in patterns.items() if o != name and p.search(text)]
                assert not others, (name, text, others)
    generic = [
        ph.OPEN_SENT,
        ph.OPEN_LEAD,
        ph.GENERIC,
        ph.ELABORATE,
        ph.CLOSE,
        [
            ph.MILD_LEAD,
            ph.GRUDGING_LEAD,
            ph.JOIN_SAME,
            ph.JOIN_TO_NEG,
            ph.JOIN_TO_POS,
            ph.BRAND,
            ph.PII,
            ph.TAIL,
            ph.NOISE,
        ],
        list(ph.SLOTS.values()),
    ]
    for template in itertools.chain.from_iterable(itertools.chain.from_iterable(generic)):
        for text in _expand(template):
            hits = [o for o, p in patterns.items() if p.search(text)]
            assert not hits, (text, hits)


def test_themes_differ_between_detractors_and_promoters(survey: pd.DataFrame) -> None:
    group = _group(survey["score"])
    assert len(THEMES) >= 8
    for theme in THEMES:
        found = survey["comment"].str.contains(theme.pattern)
        det, pro = found[group == "detractor"].mean(), found[group == "promoter"].mean()
        if theme.kind == "complaint":
            assert det > 1.5 * pro and det > 0.05, (theme.name, det, pro)
        elif theme.kind == "praise":
            assert pro > 1.5 * det and pro > 0.05, (theme.name, det, pro)
        else:
            assert 0.02 < det < 0.2 and 0.02 < pro < 0.2, (theme.name, det, pro)


def test_planted_truth_matches_keywords(survey: pd.DataFrame) -> None:
    planted = survey["planted_themes"].str.split(";")
    counts = planted.map(lambda names: len([n for n in names if n]))
    assert counts.max() == 3 and (counts == 0).any()
    for theme in THEMES:
        truth = planted.map(lambda names, n=theme.name: n in names)
        found = survey["comment"].str.contains(theme.pattern)
        assert (found & truth).sum() / truth.sum() > 0.9, theme.name  # typos may hide a few
        assert (found & ~truth).sum() == 0, theme.name


def test_comments_are_varied_with_some_noise(survey: pd.DataFrame) -> None:
    comments = survey["comment"]
    assert comments.nunique() / len(comments) >= 0.9
    noise = comments.isin(NOISE_ANSWERS)
    assert 0.02 < noise.mean() < 0.06
    assert {"", "n/a", "?"} <= set(comments[noise])
    words = comments[~noise].str.split().str.len()
    assert words.min() >= 3 and 40 <= words.max() <= 80
    assert (comments[~noise] == comments[~noise].str.lower()).mean() > 0.05  # lowercase ones


def test_realistic_mess(survey: pd.DataFrame) -> None:
    group = _group(survey["score"])
    brand = survey["comment"].str.contains(r"\bacme\b", flags=re.IGNORECASE)
    by_group = brand.groupby(group).mean().drop("missing")
    assert by_group.min() > 0.02 and by_group.max() - by_group.min() < 0.03
    pii = survey["comment"].str.contains(r"07700 900\d{3}|@example\.(?:com|org|net)")
    assert 0.001 < pii.mean() < 0.02
    sarcasm = survey["comment"].str.contains(r"(?i)\b(?:great|brilliant|amazing), another")
    assert sarcasm[group == "detractor"].sum() > 0


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_write_survey_round_trips(tmp_path, suffix: str) -> None:
    expected = generate_survey(300, seed=5)
    out = write_survey(tmp_path / f"survey{suffix}", rows=300, seed=5)
    assert out == tmp_path / f"survey{suffix}" and out.exists()
    if suffix == ".csv":
        text_cols = {c: "str" for c in COLUMNS if c != "score"}
        back = pd.read_csv(
            out,
            dtype={**text_cols, "score": "Int64"},
            keep_default_na=False,
            na_values={"score": [""]},
        )
    elif suffix == ".parquet":
        back = pd.read_parquet(out)
    else:
        back = pd.read_json(out, lines=True, dtype={c: "str" for c in COLUMNS if c != "score"})
        back["score"] = back["score"].astype("Int64")
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back["score"].isna().sum() == expected["score"].isna().sum()


def test_write_survey_unknown_extension(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"unknown extension '\.txt'.*\.csv"):
        write_survey(tmp_path / "survey.txt", rows=10)
