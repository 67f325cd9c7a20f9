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

>>> not_english(["The engineer never came.", "Dịch vụ kinh khủng, không bao giờ quay lại."])
[None, 'vi']
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["not_english", "MIN_LETTERS", "MIN_PROBABILITY"]

#: Fewer letters than this: too short to tell a language by its letters.
MIN_LETTERS = 10
#: The identifier's probability (normalised over its 97 languages) a language
#: other than English needs before a text is taken as written in it.
MIN_PROBABILITY = 0.9


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def not_english(texts: Sequence[str]) -> list[str | None]:
    """Per text: the ISO 639-1 code of its language when it is surely not
    English (see the module's rule), else None."""
    ident = None
    out: list[str | None] = []
    for text in texts:
        lang = None
        if sum(c.isalpha() for c in text) >= MIN_LETTERS:
            ident = ident or _identifier()
            code, prob = ident.classify(text)
            if code != "en" and prob >= MIN_PROBABILITY:
                lang = str(code)
        out.append(lang)
    return out
