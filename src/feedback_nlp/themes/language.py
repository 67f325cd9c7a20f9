"""Which texts are not in English: the theme model's embedder and labels read English.

A comment in another language, embedded by an English model, lands beside
the other comments in that language whatever it says, so those comments make
a theme that names a language, not a complaint. On SemEval-2016's restaurant
reviews, 15 Vietnamese reviews (4% of the sentences) made such a theme at
every seed, and the automatic count wavered between 7 and 8 themes (NMI
0.327 over seeds 0-4); fitted without them, 5 themes at every seed (0.348).

The identifier is py3langid's (langid.py: naive Bayes over byte n-grams, 97
languages, its model inside the package). A text is taken as not English only
when it is long enough to tell and the identifier is sure: at least
:data:`MIN_LETTERS` letters and a probability of at least
:data:`MIN_PROBABILITY` for one other language. Short texts are where it
errs ("Molto bene!" is Italian, but so, for it, is "Great pizza and fantastic
service."); with these bounds it took none of the English texts of SemEval-2014
(3,038 sentences), SemEval-2016 (1,874), the clothing reviews (958), the
telecom survey (2,385) or BANKING77 (3,080) for another language, and 81 of
the 83 Vietnamese sentences of SemEval-2016. It is conservative: a Spanish
sentence it gives 0.88 (Galician takes some of the rest) stays in.

The identifier reads a text byte by byte in Python (about 60 µs a sentence),
so a text written in English letters only that holds one of
:data:`ENGLISH_WORDS` (common English words that are not words of other
languages written in Latin letters: "the", "with", "would", "didn't") is taken
as English without asking it; it is asked about the rest (8-22% of the texts
of the five shared data sets and of generated surveys). None of the texts it
calls another language there holds such a word, nor do 16 sentences in 15
other languages typed without accents (tests/test_language.py). A single foreign comment
quoting "The Body Shop" stays in the fit, where one comment cannot make a theme.

>>> not_english(["The engineer never came.", "Dịch vụ kinh khủng, không bao giờ quay lại."])
[None, 'vi']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["not_english", "ENGLISH_WORDS", "MIN_LETTERS", "MIN_PROBABILITY"]

#: Fewer letters than this: too short to tell a language by its letters.
MIN_LETTERS = 10
#: The identifier's probability (normalised over its 97 languages) a language
#: other than English needs before a text is taken as written in it.
MIN_PROBABILITY = 0.9
#: Frequent English words that are not words of another language written in
#: Latin letters (so not "is", "was", "in", "of", "for", "my", "we", "just",
#: "he": Dutch, German, Polish, Swedish and Finnish have them).
ENGLISH_WORDS = frozenset(
    """the and you they this that with have has were would very not really been
    their there what when which because about from your could should our she
    get got never only than them then too after it's i'm i've don't didn't
    can't won't isn't wasn't doesn't they're we're you're""".split()
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: A letter outside A-Z: accents, other scripts.
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z]")


def _surely_english(text: str) -> bool:
    """Written in English letters only, with one of :data:`ENGLISH_WORDS`.

    >>> _surely_english("They didn’t fix it"), _surely_english("Het is traag")
    (True, False)
    """
    if _OTHER_LETTER.search(text):
        return False
    return not ENGLISH_WORDS.isdisjoint(_WORD.findall(text.lower().replace("\u2019", "'")))


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def not_english(texts: Sequence[str]) -> list[str | None]:
    """Per text: the ISO 639-1 code of its language when it is surely not
    English (see the module's rule), else None. The identifier is loaded only
    for a text :func:`_surely_english` does not settle."""
    ident = None
    out: list[str | None] = []
    for text in texts:
        lang = None
        if sum(c.isalpha() for c in text) >= MIN_LETTERS and not _surely_english(text):
            ident = ident or _identifier()
            code, prob = ident.classify(text)
            if code != "en" and prob >= MIN_PROBABILITY:
                lang = str(code)
        out.append(lang)
    return out
