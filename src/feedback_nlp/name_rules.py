"""Rules that tell a person's name from other capitalised words, beside the recogniser.

:mod:`feedback_nlp.redact` asks spaCy's named-entity recogniser for PERSON
entities; these rules find the names it misses (by what follows them, or in
lower case after a cue) and drop what it tags that is no person (a place after
"flight to", a thing after an article, a word the pipeline's vocabulary knows
only in lower case). A candidate is ``(text index, start, end, name)`` in the
masked texts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .name_lists import known_name
from .pii_patterns import LOWER, LOWER_CUE, NAME, NOT_NAMES, CuedMatches

__all__ = [
    "OTHER_LABELS",
    "Candidate",
    "after_place_word",
    "common_word",
    "lower_cued",
    "misspelt_word",
    "not_english",
    "NEAR",
    "person_near",
    "unseen_names",
    "unseen_word",
    "vocabulary",
    "without_overlaps",
]

#: A name candidate: (text index, start, end, name).
Candidate = tuple[int, int, int, str]

_L = f"[{LOWER}]"

# Words just before a place or a thing, not a person: "a flight to Bangalore", "in
# Weehawken", "the Sea Bass".
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:in|at|near|via|around|outside|inside|visit|visited|visiting|(?:flight|flights|"
    r"flew|fly|flying|moved|move|moving|went|go|going|trip|travel|travelled|traveled|route|"
    r"back|returned|drive|drove|landed|connection|been|gone|walk|walked|get|got)\s+to"
    r"|from\s+\w+\s+to|(?:eat|ate|eaten|dine|dined|dining|lunch|dinner|brunch|stay|stayed"
    r"|staying|shop|shopped)\s+(?:at|in)|tried|try|trying|discovered|than"
    # ...or a dish or drink: "by having Gulab Jamun", "ordered Kobe".
    r"|having|ordered|order|ordering|ate|eat|eating|drank|drink|drinking"
    r"|stumbled\s+(?:on|upon|into|across)"
    # ...or a thing: a person's name takes no article ("the Yellowtail", "a Kobe steak").
    r"|the|a|an|some|any|this|these|those|their|every|each|no)\s+)$"
)
# A name followed by what a business is called after its owner ("Patsy's Pizza",
# "Emma's Pizza", "Roth's twice"): the possessive of a place.
_BUSINESS_AFTER = re.compile(
    # A possessive with nothing owned after it is a shop ("better than Patsy's!").
    r"(?:'s|’s)(?=\s*(?:[.!?,;:)\n]|$))"
    # A place: "on Bedford ave", "Saul is the best restaurant", "Leon is an East Village gem".
    r"|\s+(?:ave|avenue|st|street|rd|road|blvd|boulevard|lane|square|station|airport)\b"
    # A name before a noun qualifies it: a firm or a thing ("Barrett homes", "the Ariel guy").
    r"|\s+(?:guy|guys|man|men|lady|ladies|people|team|staff|company|homes|engineers"
    r"|products?|brand|app|box|package|deal)\b"
    r"|\s+(?:is|was|has been)\s+(?:a|an|the|my|our|one\s+of\s+the)\s+"
    r"(?:[\w-]+\s+){0,3}(?:restaurant|restaurants|place|spot|joint|eatery|bistro|"
    r"pizzeria|establishment|neighbou?rhood|venue|hotel|airport|city|town)\b"
    r"|(?:'s|’s)\s+(?:(?:own\s+)?(?:pizza|pizzeria|restaurant|deli|cafe|café|bar|grill|kitchen|"
    r"bagels?|diner|bistro|place|shop|store|bakery|trattoria|tavern|pub|inn|steakhouse|"
    r"sushi|noodles?|burgers?|tacos?)\b|(?:for|on|in|at|twice|frequently|often|again|is|was|"
    r"has|had|probably|every)\b)",
    re.IGNORECASE,
)
# Words near a name that say a person is meant: a pronoun, a role, what people do or are.
# The recogniser alone tags restaurants, dishes and places named like people ("Leon is
# an East Village gem", "not real Kobe but Wagyu beef"); a tag with none of these words
# within NEAR characters is dropped (cues and person contexts keep their names).
_PERSON_WORDS = re.compile(
    r"(?i:\b(?:he|she|him|her|his|hers|himself|herself|who|whom"
    r"|waiter|waitress|server|servers|bartender|barman|barmaid|manager|engineer|technician"
    r"|agent|advisor|adviser|operator|rep|representative|guy|guys|lady|ladies|man|woman"
    r"|gentleman|girl|boy|lad|chap|chef|cook|host|hostess|owner|staff|driver|nurse|doctor"
    r"|receptionist|assistant|colleague|handler|supervisor|consultant|installer|courier"
    r"|mother|father|mum|mom|dad|wife|husband|son|daughter|friend|sister|brother|bride"
    r"|groom|maitre|sommelier|named|called|thanks|thank|told|tells|said|says|helped|helps"
    r"|explained|promised|rang|phoned|answered|apologi[sz]ed|spoke|speaks|listened|sorted"
    r"|fixed|arranged|recommended|served|greeted|smiled|rude|polite|friendly|patient|kind"
    r"|helpful|unhelpful|knowledgeable|courteous|professional|informative|attentive)\b)"
)
#: How far (characters) from a name a word saying a person is meant may stand.
NEAR = 80

#: Words that stand for people without naming one ("Anybody who...").
_NOBODY = frozenset(
    "anybody anyone everybody everyone nobody somebody someone staff management "
    "customer customers people".split()
)
# A text whose words are mostly not English (few English stop words): the English
# recogniser's PERSON tags on it are noise ("Mọi thứ thật tệ").
_LETTERS = re.compile(r"[^\W\d_]+")
# A capitalised word before what only people do or are ("Hugo was rude", "Klaus on the
# live chat", "It was Otilia who..."): a name, unless a stop word ("Everyone was rude").
_PERSON_CONTEXT = re.compile(
    rf"(?<![\w'’-])({NAME}) +(?:(?:was|is|has been)"
    r" +(?:(?:very|so|really|extremely|super|incredibly|most|quite|always) +)?"
    r"(?:helpful|unhelpful|rude|polite|friendly|patient|knowledgeable|courteous|"
    r"understanding)\b|hung up\b|went above\b|on the (?:phone|live chat|chat)\b|who\b)"
)
# ...and before what people (and companies) do ("Łukasz fixed it"): a name when the
# pipeline's vocabulary never saw the word, so not "Sky" or "Virgin".
_PERSON_AFTER = re.compile(
    rf"(?<![\w'’-])({NAME}) +(?:[a-z]+ly +)?(?:(?:was|is|has been)"
    r" +(?:(?:very|so|really|extremely|super|incredibly|most|quite|always) +)?"
    r"(?:professional|lovely|brilliant|great|amazing|excellent|fantastic|superb|wonderful|"
    r"awesome|fab|fabulous|spot on|really good|a star|a legend|a credit)\b|(?:helped|fixed|"
    r"sorted|explained|told|said|promised|answered|listened|apologi[sz]ed|rang|phoned|emailed|"
    r"arrived|resolved|dealt|handled|managed|came|visited|understood|arranged|talked|spoke)\b)"
)
# Names in lower case after a cue ("spoke to leke adeyemo"): one to three words, one
# of them unknown to the vocabulary (see :func:`lower_cued`).
# Words end at a space or punctuation, not an apostrophe ("wasn't", "wasn\ufffdt").
_LOWER_WORD = rf"{_L}{{2,}}(?:-{_L}+)?(?![\w'’\ufffd-])"
_LOWER_NAME_AFTER = re.compile(rf"\s+({_LOWER_WORD}(?: {_LOWER_WORD}){{0,2}})")
_LOWER_CUED_NAMES = CuedMatches(LOWER_CUE, lambda cue: _LOWER_NAME_AFTER)


#: Entity labels of places, organisations, products and events: a word the recogniser
#: tags so more often than PERSON in these texts is no name.
OTHER_LABELS = frozenset("GPE LOC FAC ORG PRODUCT EVENT NORP WORK_OF_ART LAW LANGUAGE".split())


@lru_cache(maxsize=4)
def vocabulary(path: str) -> frozenset[str]:
    """The words of a pipeline's vocabulary as shipped (``vocab/strings.json``).

    Read from disk, not from ``nlp.vocab.strings``, which grows with every text
    the pipeline reads: the answer would depend on what ran before.
    """
    import json

    file = Path(path) / "vocab" / "strings.json"
    try:
        return frozenset(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return frozenset()


def common_word(text: str, strings: frozenset[str]) -> bool:
    """A single capitalised word that spaCy's vocabulary knows only in lower case.

    The pipeline's string store holds the words of its training text: "livid" and
    "beautifully" are there, "Livid" and "Beautifully" are not (a comment opening
    with them is no name), while "Sarah", "José" or "Priya" are either there
    capitalised or not at all. (Not applied to a phrase's last word: it would
    drop "Sea Bass" and "Citrus Vodka", but also "Paul Workman".)
    """
    return " " not in text and text not in strings and text.lower() in strings


def misspelt_word(text: str, strings: frozenset[str]) -> bool:
    """A word the vocabulary never saw, one letter away from a word of 8 letters or more
    it knows that is nobody's name: a typo ("Personel" for personnel), not a name.

    >>> misspelt_word("Personel", frozenset({"personnel"})), misspelt_word("Siobhan", frozenset())
    (True, False)
    """
    word = text.lower()
    if len(word) < 5 or " " in word or word in strings or text in strings:
        return False
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    near = {a + b[1:] for a, b in splits if b}
    near |= {a + c + b for a, b in splits for c in letters}
    near |= {a + c + b[1:] for a, b in splits if b for c in letters}
    # A name one letter away says nothing ("Megan", "Meghan"): only other words count.
    return any(len(w) >= 8 and w in strings and not known_name(w) for w in near - {word})


def unseen_word(text: str, strings: frozenset[str]) -> bool:
    """A single word the vocabulary never saw: the recogniser's PERSON tag on it alone
    is mostly a guess (a restaurant, a dish, a typo: "Dokebi", "Vanison", "Giid").

    Such a name is kept when what follows says it is a person (:func:`unseen_names`):
    on 4,000 demo comments this drops 3 typos and 4 of 115 names ("Megan was superb").
    """
    return " " not in text and text not in strings and text.lower() not in strings


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def unseen_names(
    masked: list[str], todo: list[int], found: list[Candidate],
    strings: frozenset[str],
) -> list[Candidate]:  # fmt: skip
    """Names the recogniser missed, told by what follows them or by a cue before them.

    Before what only people do or are (``_PERSON_CONTEXT``) any capitalised word
    that is not a stop word or a common word; before what companies do too
    (``_PERSON_AFTER``) only words the vocabulary never saw ("Siobhán",
    "Łukasz"); in lower case after a cue, runs with such a word
    (:func:`lower_cued`).
    """
    stop = _stop_words()
    taken = {(i, start) for i, start, _, _ in found}
    out = []
    for i in todo:
        for pattern in (_PERSON_CONTEXT, _PERSON_AFTER):
            for m in pattern.finditer(masked[i]):
                start, words = m.start(1), m.group(1).split()
                # "And Aisha on the live chat", "Admittedly Kofi was...": the name is what
                # follows a stop word or a common word.
                while words and (
                    words[0].lower() in stop
                    or words[0].lower() in _NOBODY
                    or (len(words) > 1 and common_word(words[0], strings))
                    # "Admittedly Kofi": an adverb that names nobody anywhere.
                    or (len(words) > 1 and words[0].endswith("ly") and not known_name(words[0]))
                ):
                    start += len(words[0]) + 1
                    words = words[1:]
                text = " ".join(words)
                if not words or (i, start) in taken or NOT_NAMES.intersection(text.lower().split()):
                    continue
                lowered = {w.lower() for w in words}
                if stop & lowered or _NOBODY & lowered:
                    continue
                if after_place_word(masked[i], start, start + len(text)):
                    continue  # "the young lady in Accrington was fabulous"
                if misspelt_word(text, strings):
                    continue  # "Personel who i speak"
                # Strong context outweighs the vocabulary ("raj" is in it, lower-case);
                # weaker context ("was excellent": a dish may be) needs a person near.
                unseen = all(w not in strings and w.lower() not in strings for w in words)
                # Two words or more with a given name ("Caolain Connolly fixed it"), not
                # one that may be a brand ("Sky fixed it").
                named = len(words) > 1 and known_name(text)
                if pattern is _PERSON_CONTEXT or (
                    (unseen or named) and person_near(masked[i], start, start + len(text))
                ):
                    taken.add((i, start))
                    out.append((i, start, start + len(text), text))
    return out


def lower_cued(masked: list[str], strings: frozenset[str], max_chars: int) -> list[Candidate]:
    """Lower-case names after a cue: the words up to a stop word, one never seen by the
    vocabulary ("spoke to leke adeyemo"; not "spoke to someone", "asked for help")."""
    stop = _stop_words()
    out = []
    for i, text in enumerate(masked):
        if len(text) > max_chars:
            continue
        for m in _LOWER_CUED_NAMES.finditer(text):
            words = m.group(1).split()
            cut = next((k for k, w in enumerate(words) if w in stop), len(words))
            words = words[:cut]
            # A name somewhere, or words the vocabulary never saw ("called rej"); not
            # "spoke to murmurous people".
            if words and (known_name(" ".join(words)) or all(w not in strings for w in words)):
                start = m.start(1)
                name = " ".join(words)
                out.append((i, start, start + len(name), name))
    return out


def after_place_word(text: str, start: int, end: int | None = None) -> bool:
    """A place or thing, told by the words before ``text[start:end]`` or by a business
    possessive after it ("been to Roth's", "the Yellowtail", "Patsy's Pizza")."""
    if _PLACE_BEFORE.search(text, max(0, start - 30), start) is not None:
        return True
    return end is not None and _BUSINESS_AFTER.match(text, end) is not None


def person_near(text: str, start: int, end: int, reach: int = 0) -> bool:
    """A word within ``NEAR`` characters of ``text[start:end]`` that says a person is meant
    (within ``NEAR + reach``, when ``reach`` is given)."""
    near = NEAR + reach
    before = _PERSON_WORDS.search(text, max(0, start - near), start)
    return before is not None or _PERSON_WORDS.search(text, end, end + near) is not None


def not_english(text: str) -> bool:
    """Eight words or more, under one in ten an English stop word."""
    words = _LETTERS.findall(text.lower())
    if len(words) < 8:
        return False
    stop = _stop_words()
    return sum(w in stop for w in words) < 0.1 * len(words)


def without_overlaps(masked: list[str], found: list[Candidate]) -> list[Candidate]:
    """Candidates sorted, overlapping ones joined ("Marcel" + "Marcel Klapač")."""
    out: list[Candidate] = []
    for i, start, end, text in sorted(found):
        if out and out[-1][0] == i and start < out[-1][2]:
            _, first, last, _ = out.pop()
            start, end = first, max(end, last)
            text = masked[i][start:end]
        out.append((i, start, end, text))
    return out
