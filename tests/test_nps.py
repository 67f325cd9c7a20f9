import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback_nlp.config import Scale
from feedback_nlp.errors import ConfigError
from feedback_nlp.nps import classify, compare_nps, nps_from_counts, nps_stats, segment_table


def test_reference_survey_figures():
    s = nps_from_counts(promoters=690, passives=392, detractors=1271)
    assert (s.n, s.nps) == (2353, -24.69)
    # adjusted Wald by hand: n'=2356, p=690.75/2356, d=1271.75/2356
    p, d = 690.75 / 2356, 1271.75 / 2356
    half = 1.959963984540054 * math.sqrt(((p + d) - (p - d) ** 2) / 2356)
    assert s.ci_low == round(100 * (p - d - half), 2)
    assert s.ci_high == round(100 * (p - d + half), 2)


def test_classify_cut_points_default_and_five_point():
    assert (
        classify(np.arange(11), Scale()).tolist()
        == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    )
    stars = Scale(1, 5, promoter_min=5, detractor_max=3)
    assert classify(np.array([1, 3, 4, 5]), stars).tolist() == [
        "detractor",
        "detractor",
        "passive",
        "promoter",
    ]


def test_invalid_scale_is_rejected_with_the_rule():
    with pytest.raises(ConfigError, match="detractor-max < promoter-min"):
        Scale(0, 10, promoter_min=6, detractor_max=6)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300))
def test_every_score_falls_in_exactly_one_group_and_nps_is_bounded(scores):
    groups = classify(np.array(scores), Scale())
    assert set(groups) <= {"promoter", "passive", "detractor"}
    s = nps_stats(groups)
    assert s.promoters + s.passives + s.detractors == len(scores)
    assert -100 <= s.nps <= 100
    assert -100 <= s.ci_low <= s.ci_high <= 100
    expected = 100 * (sum(x >= 9 for x in scores) - sum(x <= 6 for x in scores)) / len(scores)
    assert s.nps == round(expected, 2)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_comparison_is_antisymmetric_with_valid_p(a_pro, a_det, b_pro, b_det):
    a = nps_from_counts(a_pro, 10, a_det)
    b = nps_from_counts(b_pro, 10, b_det)
    d1, p1 = compare_nps(a, b)
    d2, p2 = compare_nps(b, a)
    assert d1 == pytest.approx(-d2, abs=0.011)
    assert 0 <= p1 <= 1 and p1 == pytest.approx(p2)


def test_segment_table_against_rest():
    frame = pd.DataFrame(
        {
            "group": ["promoter"] * 40 + ["detractor"] * 10 + ["promoter"] * 5 + ["detractor"] * 45,
            "region": ["North"] * 50 + ["South"] * 50,
        }
    )
    table = segment_table(frame, ("region",), low_n=30)
    north = table.set_index("value").loc["North"]
    assert (north["n"], north["nps"], bool(north["low_n"])) == (50, 60.0, False)
    assert north["diff_vs_rest"] == 140.0
    assert north["p_vs_rest"] < 1e-6
    assert list(table["value"]) == ["North", "South"]
    assert segment_table(frame, ("region",), low_n=60)["low_n"].all()
