"""Sub-theme labels: what the parse offers them, and how a tree keeps them apart."""

from __future__ import annotations

import pytest

from feedback_nlp.themes import labels as labels_mod
from feedback_nlp.themes import theme_labels
from feedback_nlp.themes.labels import _clash, _distinct_labels, extends
from feedback_nlp.themes.phrases import parse_terms


def _phrases(text: str) -> set[str]:
    ((_, phrases, _, _),) = parse_terms([text], set())
    return {surface for _, surface, _ in phrases}


def test_parse_keeps_call_and_top_which_spacy_lists_as_stop_words():
    ((words, _, surfaces, tags),) = parse_terms(["My calls keep dropping after a top-up"], set())
    assert "call" in words and "top up" in words
    assert len(words) == len(surfaces) == len(tags)
    ((words, _, _, _),) = parse_terms(["The amount at the top of my bill was wrong"], set())
    assert "amount" in words and "top" in words


@pytest.mark.parametrize(
    "text",
    [
        "My top-up has been cancelled.",
        "Are there fees for top ups?",
        "Is there a fee for topping up?",
    ],
)
def test_parse_reads_a_word_and_its_particle_as_one_word(text):  # noqa: ANN001
    ((words, _, _, _),) = parse_terms([text], set())
    assert "top up" in words and "top" not in words, words


def test_parse_joins_no_preposition_and_no_generic_verb():
    ((words, _, _, _),) = parse_terms(["There is a fee on my statement."], set())
    assert words == ["fee", "statement"]
    ((words, _, _, _),) = parse_terms(["We will come back soon."], set())
    assert "come back" not in words


def test_parse_phrases_of_joined_words_and_negations_as_written():
    assert "top-up cancelled" in _phrases("My top-up has been cancelled.")
    assert "sign up process" in _phrases("The sign up process was a nightmare.")
    assert "engineer never showed up" in _phrases("The engineer never showed up.")


def test_parse_finds_a_subject_and_its_state():
    assert "card broken" in _phrases("My card is broken.")
    # a negated generic verb says what did not happen
    assert "card not working" in _phrases("My card is not working at all.")
    # an adjective that takes a complement is no state
    assert not any("able" in p for p in _phrases("My friends are able to pay me."))


def test_a_word_is_shown_as_its_commonest_surface():
    pending = [
        "my cash withdrawal is still pending",
        "why is the withdrawal pending",
        "pending withdrawal for two days",
    ] * 4
    delivery = ["the parcel arrived late", "late parcel again", "parcel was late"] * 4
    labels = [lab for lab, _ in theme_labels([pending, delivery], phrase_ratio=5.0)]
    assert labels[0] in ("pending", "withdrawal"), labels
    assert "pende" not in " ".join(labels)


def test_a_single_word_label_is_used_by_a_quarter_of_the_comments(monkeypatch):
    # "travelling" is the most distinctive word of the first theme, but only 2
    # of its 10 comments use it; "card" is in all of them
    where = [
        "where can i use my card",
        "can my card be used everywhere",
        "is my card usable anywhere",
        "where does my card work",
        "can i pay with my card anywhere",
        "where will my card work",
        "while travelling can i use my card",
        "travelling next month, will my card work",
        "my card, can i use it anywhere",
        "anywhere i can use my card?",
    ]
    declined = [
        "my card was declined",
        "card declined at the shop",
        "why was my card declined",
        "declined card again",
        "my card keeps being declined",
        "card declined online",
    ] * 8
    fees = ["the monthly fee went up", "why is there a fee", "fee on my statement", "hidden fees"]
    parcel = ["my parcel arrived late", "the parcel was late", "late parcel", "parcel never came"]
    themes = [where, declined, fees, parcel]
    labels = [lab for lab, _ in theme_labels(themes, phrase_ratio=5.0)]
    assert labels[0] == "card", labels
    monkeypatch.setattr(labels_mod, "WORD_SHARE", 0.0)
    assert theme_labels(themes, phrase_ratio=5.0)[0][0] == "travelling"


def test_extends_needs_every_parent_word_and_one_more():
    assert extends("pending cash withdrawal", "cash withdrawal")
    assert not extends("cash withdrawals", "cash withdrawal")
    assert not extends("pending withdrawal", "cash withdrawal")


@pytest.mark.parametrize(
    ("label", "used", "kin", "tree", "clash"),
    [
        ("pending cash withdrawal", "cash withdrawal", {"cash withdrawal"}, True, False),
        ("pending cash withdrawal", "cash withdrawal", set(), False, True),
        ("declined cash withdrawal", "pending cash withdrawal", set(), True, False),
        ("freeze card", "card", set(), True, False),
        ("freeze card", "card", set(), False, True),
        ("second card", "second cards", set(), True, True),
    ],
)
def test_clash(label, used, kin, tree, clash):  # noqa: ANN001
    assert _clash(label, used, kin, tree) is clash


def test_larger_theme_chooses_first():
    cands = [["refund delay", "bank"], ["refund delay", "email"]]
    assert _distinct_labels(cands, sizes=[5, 50]) == ["bank", "refund delay"]
    assert _distinct_labels(cands) == ["refund delay", "email"]


def test_in_a_tree_a_taken_phrase_is_qualified_by_a_noun():
    cands = [["second card", "daughter"], ["second card", "specific", "daughter"]]
    out = _distinct_labels(cands, sizes=[50, 5], tree=True, nouns={"daughter"})
    assert out == ["second card", "second card (daughter)"]
    # not a word that is no noun, and not outside a tree
    assert _distinct_labels(cands, sizes=[50, 5], tree=True, nouns=())[1] == "specific"
    assert _distinct_labels(cands, sizes=[50, 5], nouns={"daughter"})[1] == "specific"


def test_sub_theme_label_may_extend_its_theme_label():
    pending = [
        "my cash withdrawal is still pending",
        "pending cash withdrawal since monday",
        "why is my cash withdrawal pending",
    ] * 4
    declined = [
        "my cash withdrawal was declined at the machine",
        "declined cash withdrawal abroad",
        "cash withdrawal declined again",
    ] * 4
    taken = ["cash withdrawal"]
    kin = [{"cash withdrawal"}, {"cash withdrawal"}]
    labels = [lab for lab, _ in theme_labels([pending, declined], taken=taken, kin=kin, tree=True)]
    assert all(extends(lab, "cash withdrawal") for lab in labels), labels
    assert "pending" in labels[0] and "declin" in labels[1], labels
    # without kin the theme's label blocks them
    flat = [lab for lab, _ in theme_labels([pending, declined], taken=taken)]
    assert not any("cash withdrawal" in lab for lab in flat), flat


def test_no_qualifier_on_its_own_theme_label():
    # the best phrase is the theme's own label: take the next phrase, do not
    # write "upload speeds (router)"
    cands = [["upload speeds", "flashing orange", "router"]]
    out = _distinct_labels(
        cands, taken=["upload speeds"], kin=[{"upload speeds"}], tree=True, nouns={"router"}
    )
    assert out == ["flashing orange"]


def test_a_phrase_label_is_built_on_a_word_a_quarter_of_the_comments_use(monkeypatch):
    # "missed appointment" is the first theme's most distinctive phrase (no
    # other theme says it), but 2 of its 11 comments use it; "hold" is in 9
    hold = [
        "kept on hold for an hour",
        "on hold for forty minutes",
        "put on hold again",
        "waited on hold all morning",
        "hold music for an hour",
        "on hold far too long",
        "left on hold twice",
        "hung up after an hour on hold",
        "hold music for an hour again",
        "they missed the appointment",
        "a missed appointment, no call",
    ]
    billing = ["wrong bill again", "bill too high", "my bill doubled", "the bill is wrong"] * 4
    billing[0] = "put on hold about my bill"
    speed = ["slow speed at night", "speed drops in the evening", "slow internet speed"] * 3
    themes = [hold, billing, speed]
    label = theme_labels(themes, phrase_ratio=0.1)[0][0]
    assert "hold" in label, label
    monkeypatch.setattr(labels_mod, "WORD_SHARE", 0.0)
    assert theme_labels(themes, phrase_ratio=0.1)[0][0] == "missed appointment"


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        # one sub-theme without a word of its own: named after its theme, unnumbered
        (["late fees", "misc 1", "direct debit"], ["late fees", "other billing", "direct debit"]),
        # two: numbered in their order, so they stay apart
        (
            ["misc 1", "late fees", "misc 2"],
            ["other billing (1)", "late fees", "other billing (2)"],
        ),
    ],
)
def test_a_sub_theme_without_words_is_named_after_its_theme(monkeypatch, found, expected):
    import numpy as np

    from feedback_nlp.themes import model as model_mod

    def fake_labels(central, **_):
        return [(lab, ["w"]) for lab in found]

    monkeypatch.setattr(model_mod, "theme_labels", fake_labels)
    m = model_mod.ThemeModel()
    m.themes_ = [{"theme_id": "T01", "label": "billing"}]
    m.subparent_ = np.zeros(3, dtype=np.int64)
    m.brand_terms = ()
    m._label_subthemes([["a"], ["b"], ["c"]], np.array([40, 30, 20]), None)
    assert [s["label"] for s in m.subthemes_] == expected
    assert [s["theme_id"] for s in m.subthemes_] == ["T01.1", "T01.2", "T01.3"]
