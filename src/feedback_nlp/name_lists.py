"""Given names and family names of many countries: the gazetteer the name filter reads.

spaCy's small English recogniser tags as PERSON much that is no person in
review text: restaurants, dishes, places and typos ("Purple Haze", "Sea Eel",
"Accrington", "Personel"). Hand-checked on real reviews, 33 of 81 of its
``[NAME]`` spans were people. A tag is kept only when one of its words is a
person's name somewhere in the world, or when what surrounds it says it is a
person (:mod:`feedback_nlp.name_rules`).

The lists are Faker's person providers (``faker`` on PyPI, MIT; pinned in
``pyproject.toml``, since the lists decide what is redacted): census and
registry name lists of 80-odd locales, about 31,000 given names and 30,000
family names in Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai,
Chinese, Japanese and Korean scripts. Words are compared folded (lower case,
accents off): "JOSÉ", "jose" and "José" are one name, and "Siobhán" is found
through "Siobhan". The recall benchmark (``bench/redaction.py``) plants names
from another source (a sample of real names per country, not Faker's) so the
gazetteer is not measured on its own lists.

>>> known_name("Łukasz"), known_name("Purple Haze"), known_name("nguyễn văn an")
(True, False, True)
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from functools import lru_cache

__all__ = ["fold", "known_name", "name_word", "name_words"]

# Joining words of multi-word names ("de la Cruz", "van der Berg"), which name nobody alone.
_PARTICLES = frozenset(
    "a al bin binti da das de del della den der des di do dos du e el la las le les "
    "los mac mc o san st ten ter van von y".split()
)


def fold(word: str) -> str:
    """``word`` in lower case without accents: the form names are compared in.

    >>> fold("Siobhán"), fold("ZOË"), fold("Nguyễn")
    ('siobhan', 'zoe', 'nguyen')
    """
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l")


def _provider_names(provider: type, prefix: str) -> set[str]:
    """The folded words of every ``{prefix}*`` list of one locale (``first_names``...)."""
    out: set[str] = set()
    for attr in dir(provider):
        if not attr.startswith(prefix):
            continue
        names = getattr(provider, attr)
        if isinstance(names, dict):
            names = list(names)
        if isinstance(names, (list, tuple, set, frozenset)):
            for name in names:
                if isinstance(name, str):
                    out.update(fold(w) for w in name.replace("-", " ").split())
    return out


def _kept(words: set[str]) -> frozenset[str]:
    """Without one-letter words and particles ("de", "van"), which name nobody alone."""
    return frozenset(w for w in words if len(w) > 1 and w not in _PARTICLES)


@lru_cache(maxsize=1)
def name_words() -> tuple[frozenset[str], frozenset[str]]:
    """The folded given-name and family-name words of every Faker locale.

    About 0.5 s the first time; empty (with the filter then keeping no
    recogniser tag) only if Faker is missing, which the install prevents.
    """
    try:
        import faker.providers.person as person
    except ImportError:  # pragma: no cover - a declared dependency
        return frozenset(), frozenset()
    given: set[str] = set()
    family: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(
            importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None
        )
        if provider is not None:
            given |= _provider_names(provider, "first_names")
            family |= _provider_names(provider, "last_names")
    return _kept(given), _kept(family)


@lru_cache(maxsize=1 << 16)
def name_word(word: str) -> bool:
    """Is ``word`` (one word) a given or family name somewhere? (Cached: the
    redaction asks it of every capitalised word.)

    >>> name_word("Łukasz"), name_word("Haze")
    (True, False)
    """
    given, family = name_words()
    folded = fold(word)
    return folded in given or folded in family


def known_name(text: str) -> bool:
    """Could ``text`` name a person: a given or family name alone, or words with a given name?

    Several words need a given name among them (in either order: "Anna
    Bernard", "Nguyễn Văn An") and a name first: "Sea Bass" and "Bukhara
    Grill" hold family names only, "Ciao Bella" opens with a greeting.

    >>> known_name("Bass"), known_name("Sea Bass"), known_name("Paul Workman")
    (True, False, True)
    """
    given, family = name_words()
    words = [fold(w) for w in text.replace("-", " ").split()]
    words = [w for w in words if w not in _PARTICLES] or words
    if len(words) == 1:
        return words[0] in given or words[0] in family
    # ...and opens with a name: "Ciao Bella" is a greeting.
    return (words[0] in given or words[0] in family) and any(w in given for w in words)
