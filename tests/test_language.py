"""Comments not in English are left out of theme finding (themes/language.py)."""

from __future__ import annotations

import numpy as np
import pytest

from _model_folders import make_texts
from feedback_nlp.themes import ThemeModel, language
from feedback_nlp.themes.language import ENGLISH_WORDS, MIN_LETTERS, not_english

FOREIGN = {
    "fr": [
        "Le technicien n'est jamais venu et personne ne répond au téléphone.",
        "La connexion internet est très lente depuis trois semaines.",
        "Je paie beaucoup trop cher pour un service aussi mauvais.",
    ],
    "de": [
        "Der Techniker ist nie gekommen und niemand geht ans Telefon.",
        "Die Internetverbindung ist seit drei Wochen sehr langsam.",
    ],
    "es": [
        "El técnico no vino nunca, y nadie responde cuando llamo por teléfono.",
        "La conexión a internet es muy lenta desde hace tres semanas.",
    ],
    "vi": [
        "Kỹ thuật viên không bao giờ đến và không ai nghe điện thoại.",
        "Kết nối mạng rất chậm suốt ba tuần nay.",
    ],
}


def test_other_languages_are_named_and_english_is_not():
    english = [
        "The engineer never turned up and nobody answers the phone.",
        "Internet has been really slow for three weeks now, no explanation.",
        "Way too expensive for what you get.",
        "Great service, sorted my router the same day!",
        *make_texts(n_per=5),
    ]
    assert not_english(english) == [None] * len(english)
    for lang, texts in FOREIGN.items():
        assert not_english(texts) == [lang] * len(texts), lang


#: Written without accents, as many type on a phone: nothing but letters A-Z
#: tells them from English, so the identifier must be asked about each.
UNACCENTED = [
    "El tecnico nunca vino y nadie contesta el telefono cuando llamo",
    "Il tecnico non e mai venuto e nessuno risponde al telefono",
    "O tecnico nunca apareceu e ninguem atende o telefone",
    "De monteur is nooit gekomen en niemand neemt de telefoon op",
    "Het internet is al drie weken erg traag en niemand helpt",
    "Das Internet ist seit drei Wochen sehr langsam und teuer",
    "Teknikern kom aldrig och ingen svarar i telefonen",
    "Teknisi tidak pernah datang dan tidak ada yang menjawab telepon",
    "Hindi dumating ang technician at walang sumasagot sa telepono",
    "Fundi hakuja kamwe na hakuna anayejibu simu",
    "Technik nigdy nie przyszedl i nikt nie odbiera telefonu",
    "Tehnicianul nu a venit niciodata si nimeni nu raspunde la telefon",
    "Teknisyen hic gelmedi ve kimse telefona cevap vermiyor",
    "Asentaja ei koskaan tullut eika kukaan vastaa puhelimeen",
    "A szerelo soha nem jott es senki nem veszi fel a telefont",
    "Le technicien n'est jamais venu et personne ne repond au telephone",
]


def test_the_identifier_is_asked_about_every_text_english_words_do_not_settle(monkeypatch):
    asked = []
    real = language._identifier()

    class Recording:
        def classify(self, text):
            asked.append(text)
            return real.classify(text)

    monkeypatch.setattr(language, "_identifier", lambda: Recording())
    settled = [
        "The engineer never turned up.",
        "They didn’t fix it",  # a typographic apostrophe
        "Router fine, but we're still waiting",
    ]
    foreign = UNACCENTED + [t for texts in FOREIGN.values() for t in texts]
    found = not_english(settled + foreign)
    assert asked == foreign
    assert found[: len(settled)] == [None] * len(settled)
    # most are surely another language for the identifier; none was taken as English unasked
    assert sum(lang is not None for lang in found) >= len(foreign) - 3
    # and no English word there is a word of theirs
    words = {w.strip(".,").lower() for t in foreign for w in t.split()}
    assert not words & ENGLISH_WORDS


def test_no_identifier_is_loaded_when_english_words_settle_every_text(monkeypatch):
    def fail():
        raise AssertionError("the identifier was loaded")

    monkeypatch.setattr(language, "_identifier", fail)
    texts = ["The app keeps crashing when I pay.", "Would recommend, they were quick."]
    assert not_english(texts) == [None, None]
    with pytest.raises(AssertionError):
        not_english(["Muy lento y caro, nunca mas"])


def test_texts_too_short_to_tell_are_taken_as_english():
    short = ["Très bien", "Sehr gut!", "Muy bien", "Rất tốt"]
    assert all(sum(c.isalpha() for c in t) < MIN_LETTERS for t in short)
    assert not_english(short) == [None] * len(short)


def _foreign_texts(n: int) -> list[str]:
    pool = [t for texts in FOREIGN.values() for t in texts]
    return [f"{pool[i % len(pool)]} ({i})" for i in range(n)]


def test_theme_model_leaves_a_minority_in_other_languages_out():
    texts = make_texts(n_per=20) + _foreign_texts(18)
    model = ThemeModel(n_themes=4, representation="tfidf", random_state=0).fit(texts)
    assert None not in not_english(_foreign_texts(18))
    assert sum(model.not_english_.values()) == 18
    assert set(model.not_english_) == set(FOREIGN)
    fitted, _ = model.fitted_vectors()
    assert len(fitted) == len(set(make_texts(n_per=20))) and not any("(" in t for t in fitted)
    # they are still scored: a theme or none, like any comment
    primary, _, _ = model.assign(texts)
    assert primary.shape == (len(texts),)
    with_them = ThemeModel(n_themes=4, representation="tfidf", random_state=0)
    with_them.fit(make_texts(n_per=20))
    np.testing.assert_allclose(with_them.centroids_, model.centroids_, atol=1e-6)


def test_a_survey_mostly_in_another_language_is_fitted_as_it_is():
    texts = _foreign_texts(60) + make_texts(n_per=5)
    model = ThemeModel(n_themes=3, representation="tfidf", random_state=0).fit(texts)
    assert model.not_english_ == {}
    fitted, _ = model.fitted_vectors()
    assert len(fitted) == len(set(model._prepare(texts)[0]))


@pytest.mark.parametrize("by_sentence", [False, True])
def test_the_run_notes_what_was_left_out(by_sentence):
    from feedback_nlp.plan.fitting import not_english_note

    note = not_english_note({"fr": 2, "vi": 7}, by_sentence)
    assert "9 sentences" in note if by_sentence else "9 comments" in note
    assert note.index("vi 7") < note.index("fr 2")


def test_analyze_and_fit_note_the_comments_left_out():
    from feedback_nlp import AnalysisConfig, analyze
    from feedback_nlp.demo import generate_survey
    from feedback_nlp.plan.fitting import fit_survey

    df = generate_survey(rows=300, seed=1)
    foreign = _foreign_texts(12)
    df.loc[df.index[:12], "comment"] = foreign
    options = dict(score="score", text="comment", representation="tfidf", themes=5, threads=1)
    result = analyze(df, **options)
    note = next(n for n in result.notes if "left out" in n)
    assert note.startswith("Themes were found among English texts: 12 comments")
    # still analysed: each is in the comments table with a theme or none
    rows = result.comments.set_index("respondent_id").loc[df["respondent_id"].iloc[:12]]
    assert rows["text"].tolist() == foreign
    assert (rows["primary_theme"].astype(str).str.match(r"^(T\d\d|none)$")).all()
    outcome = fit_survey(AnalysisConfig.from_options(df, **options))
    assert sum(outcome.model.not_english_.values()) == 12
    assert any(n.startswith("Themes were found among English texts: 12") for n in outcome.notes)
