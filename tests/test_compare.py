import numpy as np
import pytest
from scipy.stats import false_discovery_control, fisher_exact, norm

from feedback_nlp.compare import add_q_values, pick_examples, term_log_odds, theme_table


def _survey():
    # 20 detractors, 10 passives, 20 promoters; theme A mostly detractors, B mostly promoters.
    groups = np.array(["detractor"] * 20 + ["passive"] * 10 + ["promoter"] * 20, dtype=object)
    member = np.zeros((50, 3), dtype=bool)
    member[:12, 0] = True  # 12 detractors mention A
    member[30:32, 0] = True  # 2 promoters mention A
    member[30:45, 1] = True  # 15 promoters mention B
    member[0:1, 1] = True  # 1 detractor mentions B
    member[2:5, 2] = True  # 3 detractors mention rare theme C
    usable = np.ones(50, dtype=bool)
    usable[19] = False  # one detractor without text
    sentiment = np.where(groups == "promoter", 0.5, -0.5)
    return groups, member, usable, sentiment


def test_theme_table_shares_diff_nps_and_impact():
    groups, member, usable, sentiment = _survey()
    t = theme_table(groups, member, usable, sentiment, ["T01", "T02", "T03"]).set_index("theme_id")
    a = t.loc["T01"]
    assert a["n_comments"] == 14 and a["n_detractors"] == 12 and a["n_promoters"] == 2
    assert a["share_detractors"] == pytest.approx(12 / 19)  # one detractor has no text
    assert a["share_promoters"] == pytest.approx(2 / 20)
    assert a["diff_pp"] == pytest.approx(100 * (12 / 19 - 2 / 20))
    assert a["nps"] == pytest.approx(100 * (2 - 12) / 14)
    # NPS(all) = 0; without theme A: 18 promoters, 8 detractors of 36
    assert a["nps_impact"] == pytest.approx(0 - 100 * (18 - 8) / 36)
    assert a["lift"] == pytest.approx((12.5 / 20) / (2.5 / 21))
    assert a["mean_sentiment"] == pytest.approx((12 * -0.5 + 2 * 0.5) / 14)
    # expected counts >= 5 -> pooled two-proportion z test
    pooled = 14 / 39
    z = (12 / 19 - 2 / 20) / np.sqrt(pooled * (1 - pooled) * (1 / 19 + 1 / 20))
    assert a["p_value"] == pytest.approx(2 * norm.sf(abs(z)))
    # small expected counts -> Fisher exact
    c = t.loc["T03"]
    assert c["p_value"] == pytest.approx(fisher_exact([[3, 16], [0, 20]]).pvalue)
    assert t.loc["T02", "diff_pp"] < 0 < t.loc["T01", "diff_pp"]


def test_q_values_span_all_tables():
    groups, member, usable, sentiment = _survey()
    ids = ["T01", "T02", "T03"]
    t1 = theme_table(groups, member, usable, sentiment, ids)
    t2 = theme_table(groups[:40], member[:40], usable[:40], sentiment[:40], ids)
    q1, q2 = add_q_values([t1, t2], alpha=0.05)
    p = np.concatenate([t1["p_value"], t2["p_value"]])
    assert np.allclose(np.concatenate([q1["q_value"], q2["q_value"]]), false_discovery_control(p))
    assert q1["significant"].tolist() == (q1["q_value"] < 0.05).tolist()


def test_examples_are_distinct_and_most_representative():
    scores = np.array([[0.9], [0.9], [0.5], [0.95], [0.0]])
    texts = ["slow", "Slow ", "slow speed", "very slow", "fast"]
    picked = pick_examples(scores, texts, np.ones(5, dtype=bool), 3)
    assert picked == [[3, 0, 2]]


def test_log_odds_puts_complaints_on_the_detractor_side():
    texts = ["slow internet again"] * 30 + ["friendly helpful staff"] * 30 + ["fine service"] * 20
    groups = np.array(["detractor"] * 30 + ["promoter"] * 30 + ["passive"] * 20, dtype=object)
    terms = term_log_odds(texts, groups, top=5)
    det = terms[terms["side"] == "detractor"]["term"].tolist()
    pro = terms[terms["side"] == "promoter"]["term"].tolist()
    assert "slow" in det and "friendly" in pro
    assert (terms[terms["side"] == "detractor"]["z"] > 0).all()


def test_log_odds_samples_large_inputs_deterministically():
    texts = ["slow internet again"] * 300 + ["friendly helpful staff"] * 300
    groups = np.array(["detractor"] * 300 + ["promoter"] * 300, dtype=object)
    a = term_log_odds(texts, groups, top=3, max_docs=200, seed=1)
    b = term_log_odds(texts, groups, top=3, max_docs=200, seed=1)
    assert a.equals(b)
    assert a["n_detractors"].max() + a["n_promoters"].max() <= 200
    assert "slow" in a[a["side"] == "detractor"]["term"].tolist()


def test_counts_are_additive_across_partitions():
    from feedback_nlp.compare import table_from_counts, theme_counts

    groups, member, usable, sentiment = _survey()
    ids = ["T01", "T02", "T03"]
    whole = theme_table(groups, member, usable, sentiment, ids)
    parts = [slice(0, 17), slice(17, 33), slice(33, 50)]
    counts = [theme_counts(groups[s], member[s], usable[s], sentiment[s]) for s in parts]
    combined = table_from_counts(counts[0] + counts[1] + counts[2], ids)
    assert combined.equals(whole)


def test_term_log_odds_of_a_single_word_survey_is_empty_and_silent() -> None:
    """Every comment "fine": the one term's odds divide by zero; no warning, no NaN row."""
    import warnings

    from feedback_nlp.compare import term_log_odds

    texts = ["fine"] * 30
    groups = np.array(["detractor", "promoter", "passive"] * 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = term_log_odds(texts, groups)
    assert len(table) == 0
