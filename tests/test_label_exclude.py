"""Segment values are never a theme's label (a label names the complaint,
the segment columns already say where a comment comes from)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _model_folders import edit_doc, make_texts
from feedback_nlp.config import AnalysisConfig, Representation
from feedback_nlp.pipeline import analyze
from feedback_nlp.plan.fitting import label_exclusions
from feedback_nlp.themes import ThemeModel, load_model, save_model, theme_labels
from feedback_nlp.themes.labels import ValueNames

PREMIUM = [
    "premium plan",
    "the premium plan",
    "premium plan again",
    "on the premium plan and the bill doubled",
    "premium plan, refund never came",
] * 4
DELIVERY = ["the parcel arrived late", "late parcel again", "parcel was late"] * 4


def test_a_label_of_segment_value_words_only_is_refused():
    free = [lab for lab, _ in theme_labels([PREMIUM, DELIVERY])]
    assert ValueNames(["Premium Plan"]).names(free[0])  # the control: it would be the label
    kept = [lab for lab, _ in theme_labels([PREMIUM, DELIVERY], exclude=["Premium Plan"])]
    assert not ValueNames(["Premium Plan"]).names(kept[0]), kept
    assert not kept[0].startswith("misc"), kept
    assert kept[1] == free[1]  # the other theme is untouched


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ("premium", True),
        ("Premiums", True),
        ("plan premium", True),
        ("premium plan price rise", False),
        ("north premium", False),  # words of two different values
        ("late parcel", False),
    ],
)
def test_value_names(label: str, named: bool):
    assert ValueNames(["Premium Plan", "North"]).names(label) is named


def test_exclusions_are_distinct_worded_values():
    got = label_exclusions(["North ", "north", "NORTH", "12", "", "Pay  As You Go", np.nan, None])
    assert got == ("nan", "north", "pay as you go")  # NaN reads as text; numbers never do


def test_saved_model_keeps_its_exclusions_and_older_files_load(tmp_path: Path):
    texts = make_texts()
    m = ThemeModel(n_themes=4, representation="tfidf", n_clusters=10, label_exclude=("north",))
    folder = save_model(m.fit(texts), tmp_path / "m")
    assert load_model(folder).label_exclude == ("north",)
    edit_doc(folder, lambda doc: doc["params"].pop("label_exclude"))  # as written before
    assert load_model(folder).label_exclude == ()


def test_analysis_keeps_segment_values_out_of_labels(tmp_path: Path):
    rng = np.random.RandomState(0)
    plans = ["Gold Tier", "Basic"]
    gold = ["gold tier", "the gold tier", "gold tier again", "on gold tier", "gold tier here"]
    complaints = [
        "the app crashes at login",
        "app keeps crashing on login",
        "billing error on my invoice",
        "charged twice on the invoice",
        "support agent was rude",
        "rude agent on the support line",
    ]
    rows = []
    for i in range(240):
        plan = plans[i % 2]
        text = (
            gold[rng.randint(len(gold))]
            if plan == "Gold Tier" and i % 4 == 0
            else complaints[rng.randint(len(complaints))]
        )
        rows.append({"id": i, "score": int(rng.randint(0, 11)), "plan": plan, "comment": text})
    path = tmp_path / "survey.csv"
    pd.DataFrame(rows).to_csv(path, index=False)

    def labels(segments: tuple[str, ...]) -> list[str]:
        cfg = AnalysisConfig(
            input=path,
            score_col="score",
            text_col="comment",
            id_col="id",
            segment_cols=segments,
            representation=Representation.tfidf,
        )
        return analyze(cfg).themes["label"].astype(str).tolist()

    names = ValueNames(plans)
    assert any(names.names(lab) for lab in labels(())), "control: a value would be a label"
    assert not any(names.names(lab) for lab in labels(("plan",)))
