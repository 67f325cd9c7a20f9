"""Theme labels a product manager would write, and keywords, c-TF-IDF style.

Each theme's most central comments (a bounded sample, typically 150) are
parsed with spaCy. Candidate terms are

* noun chunks ("slow broadband speed", "poor customer service") and
* 2-4 token runs of content words inside one sentence, keeping negation and
  verb particles ("engineer did not turn up", "order not processed"),

keyed by their lemmas (so "engineers"/"engineer" count once) and displayed as
their most frequent surface wording. A term scores
``tf(term, theme) * log(1 + mean_terms_per_theme / total_freq(term))``
(class-based TF-IDF): frequent in one theme, rare in the others.

Hygiene rules, applied before ranking:

* stop words, pronouns, numbers and brand/company placeholders never appear;
* generic words never stand alone and never carry a phrase: a fixed list of
  survey filler ("month", "place", "go", "sure", "recommend"...) and any lemma
  present in at least ``generic_share`` of the comments of most themes;
* sentiment adjectives ("good", "poor"...) are allowed only as modifiers of a
  noun ("poor customer service"), never alone or at the end of a phrase;
* a phrase repeating a stem is dropped; a label is never a near-duplicate of
  another theme's label (the next best phrase is used instead).

The label is the best multi-word term when it is at least ``phrase_ratio`` as
distinctive as the best single word, else that word; a single word used by
fewer than :data:`WORD_SHARE` of the theme's comments comes after the words
more of them use (a word of two comments in 25 names those two, not the
theme). Keywords are the top distinct single lemmas.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache, partial
from typing import Any

from ..parallel import map_chunks
from .phrases import parse_terms
from .words import GENERIC_WORDS, SENTIMENT_WORDS
from .words import NEGATIONS as _NEG
from .words import PARTICLES as _PARTICLES

__all__ = [
    "theme_labels",
    "parse_comments",
    "near_duplicate",
    "ValueNames",
    "GENERIC_WORDS",
    "SENTIMENT_WORDS",
]

_WORD = re.compile(r"[a-z][a-z'-]+")

#: Function words a displayed label may hold ("waiting for broadband").
_STOP = {"for", "on", "with", "to", "about", "into", "the", "a", "of"}
#: Evaluative words by direction. A label must not praise what a theme's comments
#: complain about: "faster broadband" misnames a theme of people still waiting
#: for it, so a modifier against the theme's tone counts for little.
POSITIVE_WORDS = frozenset(
    """
    good great excellent amazing nice best better happy satisfied pleased fantastic
    brilliant lovely perfect decent helpful friendly easy quick fast cheap superb
    wonderful outstanding impressive delicious reliable dependable stable solid smooth
    seamless efficient simple polite knowledgeable professional
    """.split()
)
NEGATIVE_WORDS = frozenset(
    """
    poor bad terrible awful worst worse unhappy dissatisfied disappointed disappointing
    horrible unhelpful rude hard difficult slow long expensive pathetic shocking appalling
    wrong unreliable unstable patchy useless confusing
    """.split()
)
#: Words that say what went wrong. In a theme of complaints a phrase with one
#: ("waiting for broadband", "order cancelled") names the problem better than
#: one naming only the thing ("ordered broadband").
PROBLEM_WORDS = frozenset(
    """
    wait delay late cancel fail miss break broken lose lost drop overcharge refund
    complain complaint chase ignore error fault outage disconnect mistake wrong problem
    """.split()
)
#: Mean VADER compound of a theme's central comments beyond which it has a tone.
_TONE = 0.05
#: Share of a theme's central comments a single word must be used by to come
#: first among the single-word labels: rarer words are distinctive (c-TF-IDF
#: favours a word only its theme uses) but name a few comments, not the theme
#: ("traveling" in 2 of 25 questions about where a card works, before "card"
#: in 24). One in four: in the smallest sub-themes (~8 comments) the two
#: comments c-TF-IDF needs anyway.
WORD_SHARE = 0.25


@lru_cache(maxsize=2**16)
def near_duplicate(a: str, b: str) -> bool:
    """True for words that differ only by an inflection ("fight", "fighting").

    >>> near_duplicate("fight", "fighting"), near_duplicate("food", "staff")
    (True, False)
    """
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short[: max(4, len(short) - 1)])


@lru_cache(maxsize=2**12)
def _content(label: str) -> tuple[str, ...]:
    """A label's content words (not negations or function words)."""
    return tuple(w for w in label.split() if w not in _NEG and w not in _STOP)


def extends(label: str, parent: str) -> bool:
    """True when ``label`` says what its parent ``parent`` says and more: every
    content word of the parent has a near-duplicate in it, and it adds a word
    of its own (a sub-theme "pending cash withdrawal" under "cash withdrawal").

    >>> extends("pending cash withdrawal", "cash withdrawal")
    True
    >>> extends("cash withdrawals", "cash withdrawal"), extends("pending", "cash withdrawal")
    (False, False)
    """
    own, theirs = _content(label), _content(parent)
    covered = all(any(near_duplicate(x, y) for y in own) for x in theirs)
    new = [x for x in own if not any(near_duplicate(x, y) for y in theirs)]
    return bool(theirs) and covered and bool(new)


@lru_cache(maxsize=2**16)
def _phrase_overlap(a: str, b: str, tree: bool = False) -> bool:
    """True when two labels say nearly the same: more than half of the shorter
    one's content words have a near-duplicate in the other, and what differs is
    not an evaluative word (a theme of praise and one of complaints about the
    same thing may be "customer service" and "poor customer service").

    >>> _phrase_overlap("customer service", "customer services")
    True
    >>> _phrase_overlap("customer service", "poor customer service")
    False
    >>> _phrase_overlap("waiting for broadband", "waiting for service")
    False
    >>> _phrase_overlap("engineer", "engineer visit")
    True

    In a tree, every word of the shorter and most of the longer must be
    shared: "freeze card" and "card" are different sub-themes, so are
    "pending cash withdrawal" and "declined cash withdrawal"; "second card"
    and "second cards" are not:

    >>> _phrase_overlap("freeze card", "card", tree=True)
    False
    >>> _phrase_overlap("pending cash withdrawal", "declined cash withdrawal", tree=True)
    False
    >>> _phrase_overlap("second card", "second cards", tree=True)
    True
    """
    wa, wb = _content(a), _content(b)
    short, long_ = sorted((wa, wb), key=len)
    shared = sum(any(near_duplicate(x, y) for y in long_) for x in short)
    if (set(wa) ^ set(wb)) & SENTIMENT_WORDS:
        return False
    if tree:
        return shared == len(short) and shared > len(long_) / 2
    return shared > len(short) / 2


class _Doc:
    """Candidate terms of one comment: lemma key -> surface text."""

    __slots__ = ("words", "phrases")

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.phrases: dict[str, str] = {}


def _ok_phrase(lemmas: list[str], generic: frozenset[str], tail: str = "NOUN") -> bool:
    """Whether a candidate phrase may be a label (``tail``: POS of its last token)."""
    content = [w for w in lemmas if w not in _NEG and w not in _PARTICLES]
    if len(content) < 2 or len(set(lemmas)) < len(lemmas):
        return False
    # A label names a thing ("activation date") or, when negated, what did
    # not happen ("engineer did not turn up", "order not processed", "card
    # not working": a generic verb may end a negated phrase).
    negated = any(w in _NEG for w in lemmas)
    last = SENTIMENT_WORDS if negated else SENTIMENT_WORDS | GENERIC_WORDS
    if lemmas[-1] in last or lemmas[0] in _PARTICLES | _NEG:
        return False
    if tail not in ("NOUN", "PROPN", "VP") and not (negated and tail in ("VERB", "ADP", "ADV")):
        return False
    if not any(w not in GENERIC_WORDS and w not in SENTIMENT_WORDS for w in content):
        return False
    # The phrase must be carried by one specific word, or be a compound of
    # two non-evaluative words ("customer service").
    plain = [w for w in content if w not in SENTIMENT_WORDS]
    if not plain or (len(plain) == 1 and plain[0] in generic):
        return False
    return not any(near_duplicate(x, y) for i, x in enumerate(content) for y in content[i + 1 :])


#: Comments to parse before the parsing runs in several processes.
PARSE_PARALLEL_FROM = 600


@lru_cache(maxsize=2**14)
def _compound(text: str) -> float:
    """VADER compound of one comment (cached: a tree's two label rounds share
    most of their comments)."""
    from ..sentiment import polarity_scorer

    return float(polarity_scorer()(text)["compound"])


def _tones(theme_texts: Sequence[Sequence[str]]) -> list[float]:
    """Mean VADER compound of each theme's comments (0 for an empty theme)."""
    return [sum(map(_compound, texts)) / len(texts) if texts else 0.0 for texts in theme_texts]


def _fit(lemmas: Sequence[str], keywords: Sequence[str], tone: float) -> float:
    """How well a phrase fits its theme, as a factor on its c-TF-IDF score.

    A phrase built on the theme's own keywords names the theme better than an
    incidental one ("table reservation" vs "saturday night"): each of its words
    among the keywords adds up to 50%, more for a higher-ranked keyword. A
    modifier against the theme's tone ("faster" in a theme of complaints)
    divides the score by four; in a theme of complaints, a word of
    :data:`PROBLEM_WORDS` or a negation ("engineer did not turn up")
    multiplies it by 1.5.

    >>> _fit(["wait", "broadband"], ["broadband", "wait", "phone", "line"], -0.2)
    2.8125
    >>> _fit(["fast", "broadband"], ["broadband", "wait", "phone", "line"], -0.2)
    0.375
    """
    n = max(1, len(keywords))
    score = 1.0
    for w in lemmas:
        rank = next((r for r, k in enumerate(keywords) if near_duplicate(w, k)), None)
        if rank is not None:
            score += 0.5 * (1 - rank / n)
    against = POSITIVE_WORDS if tone < -_TONE else NEGATIVE_WORDS if tone > _TONE else ()
    if any(w in against for w in lemmas):
        score /= 4
    if tone < -_TONE and any(w in PROBLEM_WORDS or w in _NEG for w in lemmas):
        score *= 1.5
    return score


def _rare(lemmas: Sequence[str], used: Counter[str], share: float, generic: frozenset[str]) -> bool:
    """Whether no word of ``lemmas`` (generic ones aside) is in ``share`` comments of ``used``."""
    return all(used[w] < share for w in lemmas if w not in generic)


def _ctfidf(per_theme: list[Counter[str]], min_count: int = 2) -> list[list[tuple[str, float]]]:
    total: Counter[str] = Counter()
    for c in per_theme:
        total.update(c)
    avg = max(1.0, sum(total.values()) / max(1, len(per_theme)))
    ranked = []
    for c in per_theme:
        n = max(1, sum(c.values()))
        scores = {t: (f / n) * math.log(1 + avg / total[t]) for t, f in c.items() if f >= min_count}
        ranked.append(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
    return ranked


def _distinct_words(terms: Iterable[tuple[str, float]], n: int) -> list[str]:
    chosen: list[str] = []
    for term, _ in terms:
        if any(near_duplicate(term, prev) for prev in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def _value_key(word: str) -> str:
    """A word's key for matching segment values: lower case, a plural "s" dropped."""
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class ValueNames:
    """Segment values (``region``: "North West", ``plan``: "Premium"...) that
    must never be a theme's label: a label names the complaint, not the
    segment a comment comes from, and the segment columns already say that.

    A label is a value's name when every one of its content words is a word of
    that one value ("premium", "economy" and "premium economy" for the value
    "Premium Economy"); a label that adds a word of its own ("premium price
    rise") says something else and stays allowed.

    >>> names = ValueNames(["Premium Economy", "North West", "42"])
    >>> [names.names("economy"), names.names("premium economy"), names.names("north")]
    [True, True, True]
    >>> [names.names("premium price rise"), names.names("late delivery")]
    [False, False]
    """

    def __init__(self, values: Iterable[str]) -> None:
        self.where: dict[str, set[int]] = defaultdict(set)
        for i, value in enumerate(values):
            for word in re.findall(r"[^\W\d_]+", str(value)):
                self.where[_value_key(word)].add(i)

    def names(self, label: str) -> bool:
        """Whether every content word of ``label`` belongs to one and the same value."""
        words = [w for w in re.findall(r"[^\W\d_]+", label) if w.lower() not in _STOP]
        if not words or not self.where:
            return False
        common: set[int] | None = None
        for w in words:
            found = self.where.get(_value_key(w), set())
            common = set(found) if common is None else common & found
            if not common:
                return False
        return True


def parse_comments(texts: Iterable[str], banned: Iterable[str], parses: dict[str, Any]) -> None:
    """Parse the ``texts`` not yet in ``parses`` (text -> candidate terms, for
    these ``banned`` words) into it: one round over the cores for all of them.

    Parsing is the slow part of labelling (spaCy's tagger and parser, ~250
    comments/s per core): it is spread over the cores (the workers inherit the
    loaded pipeline); the results are plain lists.
    """
    from ..nlp import load_spacy
    from .clean import GENERIC_COMPANY_WORDS

    ban = {b.lower() for b in banned} | set(GENERIC_COMPANY_WORDS)
    load_spacy()
    todo = [t for t in dict.fromkeys(texts) if t not in parses]
    done = map_chunks(
        partial(parse_terms, banned=ban),
        todo,
        os.cpu_count() or 1,
        PARSE_PARALLEL_FROM,
        step="parsing label phrases",
    )
    parses.update(zip(todo, done, strict=True))


def theme_labels(
    theme_texts: Sequence[Sequence[str]],
    n_keywords: int = 8,
    banned: Iterable[str] = (),
    generic_share: float = 0.08,
    phrase_ratio: float = 0.3,
    taken: Sequence[str] = (),
    parses: dict[str, Any] | None = None,
    kin: Sequence[Collection[str]] = (),
    sizes: Sequence[float] = (),
    tree: bool = False,
    exclude: Iterable[str] = (),
) -> list[tuple[str, list[str]]]:
    """Return ``(label, keywords)`` for each theme from its central comments.

    Parameters
    ----------
    theme_texts : sequence of sequences of str
        For each theme, its most central comments (already cleaned).
    n_keywords : int, default=8
        How many distinct keywords (lemmas) to return per theme.
    banned : iterable of str
        Words never used (brand terms; company placeholders are always banned).
    generic_share : float, default=0.08
        A lemma found in at least this share of the comments of more than
        half of the themes is generic: it only appears inside phrases.
    phrase_ratio : float, default=0.3
        A phrase is preferred to the best single word when its c-TF-IDF score
        is at least this fraction of that word's.
    taken : sequence of str
        Labels already used elsewhere (the other themes of the tree): no
        label returned overlaps them.
    parses : dict, optional
        Parses already made (text -> parse, for the same ``banned``), read and
        filled: the theme and sub-theme labels of one fit parse each text once.
    kin : sequence of collections of str, optional
        For each theme, the labels of its parent or children (among
        ``taken``): a label may extend a kin's label or be extended by it
        ("pending cash withdrawal" under "cash withdrawal").
    sizes : sequence of float, optional
        The themes' sizes: when two would take the same label, the larger
        one keeps it (default: the earlier one).
    tree : bool, default=False
        Labels of a theme tree: two labels clash only when most words of both
        are shared (a one-word label does not take every phrase holding its
        word; "pending cash withdrawal" and "declined cash withdrawal" are
        siblings, not duplicates).
    exclude : iterable of str
        Segment values: never a label, nor a label made of one value's words
        only (see :class:`ValueNames`).

    Returns
    -------
    list of (str, list of str)
        One label per theme (all distinct) and its keywords.
    """
    flat = [t for texts in theme_texts for t in texts]
    known = {} if parses is None else parses
    parse_comments(flat, banned, known)
    parsed = [known[t] for t in flat]
    terms = _Terms(theme_texts, parsed)
    generic = terms.generic(generic_share)
    word_rank = _ctfidf(
        [
            Counter({t: f for t, f in c.items() if t not in generic and t not in SENTIMENT_WORDS})
            for c in terms.words_per
        ]
    )
    phrase_rank = _ctfidf(
        [
            Counter(
                {
                    t: f
                    for t, f in c.items()
                    if _ok_phrase(terms.lemmas_of[t], generic, terms.tail(t))
                }
            )
            for c in terms.phrases_per
        ]
    )
    values = ValueNames(exclude)
    candidates: list[list[str]] = []
    keywords_all: list[list[str]] = []
    nouns: set[str] = set()
    tones = _tones(theme_texts)
    for j, (wr, pr, tone) in enumerate(zip(word_rank, phrase_rank, tones, strict=True)):
        keywords = _distinct_words(wr, n_keywords)
        best_word = wr[0][1] if wr else 0.0
        boosted = [
            (key, sc * _fit(terms.lemmas_of[key], keywords, tone))
            for key, sc in pr
            if sc >= phrase_ratio * best_word
        ]
        share = WORD_SHARE * len(theme_texts[j])
        cands = [key for key, _ in sorted(boosted, key=lambda kv: (-kv[1], kv[0]))]
        # A phrase none of whose own words a quarter of the theme's central
        # comments use names a few comments, not the theme: it comes after the
        # phrases built on a common word (as a rare single word after common ones).
        cands.sort(key=lambda c: _rare(terms.lemmas_of[c], terms.words_per[j], share, generic))
        words = sorted(
            (w for w, _ in wr[:5]), key=lambda w: _rare([w], terms.words_per[j], share, generic)
        )
        shown = [terms.display(c) for c in cands + words]
        candidates.append([c for c in shown if not values.names(c)])
        nouns.update(terms.display(w) for w, _ in wr[:5] if terms.tail(w) in ("NOUN", "PROPN"))
        keywords_all.append(keywords)
    labels = _distinct_labels(candidates, taken, kin, sizes, tree, nouns)
    return list(zip(labels, keywords_all, strict=True))


class _Terms:
    """Per theme, in how many comments each word and phrase occurs; per phrase,
    its lemmas, surface wordings and last-token POS."""

    def __init__(
        self,
        theme_texts: Sequence[Sequence[str]],
        parsed: Sequence[tuple[list[str], list[tuple[list[str], str, str]], list[str], list[str]]],
    ) -> None:
        self.theme_texts = theme_texts
        self.words_per: list[Counter[str]] = []
        self.phrases_per: list[Counter[str]] = []
        self.surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        self.lemmas_of: dict[str, list[str]] = {}
        self.tails: dict[str, Counter[str]] = defaultdict(Counter)
        pos = 0
        for texts in theme_texts:
            w: Counter[str] = Counter()
            p: Counter[str] = Counter()
            for words, phrases, surfaces, tags in parsed[pos : pos + len(texts)]:
                w.update(set(words))
                for word, surface, tag in zip(words, surfaces, tags, strict=True):
                    self.surfaces[word][surface] += 1
                    self.tails[word][tag] += 1
                keys = set()
                for lem, surface, tail in phrases:
                    key = " ".join(lem)
                    self.lemmas_of[key] = lem
                    self.tails[key][tail] += 1
                    self.surfaces[key][surface] += 1
                    keys.add(key)
                p.update(keys)
            pos += len(texts)
            self.words_per.append(w)
            self.phrases_per.append(p)

    def generic(self, share: float) -> frozenset[str]:
        """:data:`GENERIC_WORDS` and the lemmas in at least ``share`` of the
        comments of more than half of the themes (with more than two themes)."""
        k = len(self.theme_texts)
        share_hits: Counter[str] = Counter()
        for w, texts in zip(self.words_per, self.theme_texts, strict=True):
            for term, f in w.items():
                if f >= share * max(1, len(texts)):
                    share_hits[term] += 1
        return frozenset(GENERIC_WORDS | {t for t, c in share_hits.items() if k > 2 and c > k / 2})

    def tail(self, key: str) -> str:
        """The most frequent POS of a phrase's last token, or of a word."""
        return self.tails[key].most_common(1)[0][0]

    def display(self, key: str) -> str:
        """A phrase's or word's most frequent surface wording ("pending" for the
        lemma "pende"; ties to the first seen)."""
        return self.surfaces[key].most_common(1)[0][0] if key in self.surfaces else key


def _clash(label: str, used: str, kin: Collection[str] = (), tree: bool = False) -> bool:
    """Whether ``label`` says nearly what ``used`` says (see :func:`_phrase_overlap`);
    a parent's or child's label (``kin``) may be extended (see :func:`extends`).

    >>> _clash("pending cash withdrawal", "cash withdrawal", {"cash withdrawal"})
    False
    >>> _clash("cash withdrawal", "pending cash withdrawal", {"pending cash withdrawal"})
    False
    >>> _clash("pending cash withdrawal", "cash withdrawal")
    True
    >>> _clash("declined transfer", "declined transfers", {"declined transfers"})
    True
    """
    if used in kin and (extends(label, used) or extends(used, label)):
        return False
    return _phrase_overlap(label, used, tree)


def _distinct_labels(
    candidates: Sequence[Sequence[str]],
    taken: Sequence[str] = (),
    kin: Sequence[Collection[str]] = (),
    sizes: Sequence[float] = (),
    tree: bool = False,
    nouns: Collection[str] = (),
) -> list[str]:
    """Each theme's first candidate label not clashing (:func:`_clash`) with the
    label of a theme that chose before it or one of ``taken``. Themes choose
    largest first (``sizes``; ties by position). In a tree, a theme whose best
    phrase is taken says what sets it apart with one of its words in
    ``nouns``."""
    used: list[str] = list(taken)
    out = [""] * len(candidates)
    order = sorted(range(len(candidates)), key=lambda i: (-sizes[i] if sizes else 0, i))
    for i in order:
        mine = kin[i] if i < len(kin) else ()
        labels = candidates[i]
        free = [c for c in labels if not any(_clash(c, u, mine, tree) for u in used)]
        label = free[0] if free else next((c for c in labels if c not in used), None)
        if label is None:
            label = f"misc {len(used) + 1}"
        elif (
            tree
            and label != labels[0]
            and " " in labels[0]
            and not any(_clash(labels[0], u) for u in mine)
        ):
            # Its best phrase went to a larger theme: say both what it shares
            # with that one and what sets it apart ("second card (daughter)").
            # Not when the phrase says (nearly) what its parent's or child's
            # label says: that one is not another theme's name.
            word = next(
                (
                    c
                    for c in free
                    if c in nouns and not any(near_duplicate(c, w) for w in labels[0].split())
                ),
                None,
            )
            if word is not None and f"{labels[0]} ({word})" not in used:
                label = f"{labels[0]} ({word})"
        used.append(label)
        out[i] = label
    return out
