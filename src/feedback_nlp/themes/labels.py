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
distinctive as the best single word, else that word. Keywords are the top
distinct single lemmas.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import partial

from ..parallel import map_chunks

__all__ = ["theme_labels", "near_duplicate", "GENERIC_WORDS", "SENTIMENT_WORDS"]

_WORD = re.compile(r"[a-z][a-z'-]+")

#: Words frequent in every survey whatever the theme: never a label on their own.
GENERIC_WORDS = frozenset(
    """
    month months week weeks day days year years time times place go going get got getting
    sure thing things lot lots way really just also well would will could need want make
    made come came say said tell told know think thought try tried take took use used
    give gave keep still even ever back one two three first last bit little much many have
    work job dozen night evening morning today yesterday
    people person everything something anything nothing everyone someone anyone overall
    guy guys lady man woman chap bloke original new old same other
    experience recommend recommended recommendation friend friends family star stars
    score rating reason reasons point whole kind sort stuff yes no ok okay fine etc
    company provider brand
    """.split()
)

#: Evaluative words: allowed only as modifiers inside a phrase.
SENTIMENT_WORDS = frozenset(
    """
    good great poor bad excellent terrible awful amazing nice best worst better worse
    happy unhappy satisfied dissatisfied pleased disappointed disappointing fantastic
    brilliant lovely horrible perfect decent average fine ok okay helpful unhelpful
    friendly rude easy hard difficult quick slow fast long short high low cheap expensive
    superb wonderful outstanding pathetic shocking appalling impressive delicious
    love like hate enjoy disappoint wrong right
    """.split()
)
# Evaluative words that still name what is wrong when they modify a noun
# ("slow broadband", "long wait"), but never alone.
_NEG = {"not", "no", "never", "n't", "nothing"}
_PARTICLES = {"up", "out", "off", "in", "on", "down", "back", "over"}
_CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
#: Function words a displayed label may hold ("waiting for broadband").
_STOP = {"for", "on", "with", "to", "about", "into", "the", "a", "of"}
#: Evaluative words by direction. A label must not praise what a theme's comments
#: complain about: "faster broadband" misnames a theme of people still waiting
#: for it, so a modifier against the theme's tone counts for little.
POSITIVE_WORDS = frozenset(
    """
    good great excellent amazing nice best better happy satisfied pleased fantastic
    brilliant lovely perfect decent helpful friendly easy quick fast cheap superb
    wonderful outstanding impressive delicious
    """.split()
)
NEGATIVE_WORDS = frozenset(
    """
    poor bad terrible awful worst worse unhappy dissatisfied disappointed disappointing
    horrible unhelpful rude hard difficult slow long expensive pathetic shocking appalling
    wrong
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


def near_duplicate(a: str, b: str) -> bool:
    """True for words that differ only by an inflection ("fight", "fighting").

    >>> near_duplicate("fight", "fighting"), near_duplicate("food", "staff")
    (True, False)
    """
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short[: max(4, len(short) - 1)])


def _phrase_overlap(a: str, b: str) -> bool:
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
    """
    wa = [w for w in a.split() if w not in _NEG and w not in _STOP]
    wb = [w for w in b.split() if w not in _NEG and w not in _STOP]
    short, long_ = sorted((wa, wb), key=len)
    shared = sum(any(near_duplicate(x, y) for y in long_) for x in short)
    if (set(wa) ^ set(wb)) & SENTIMENT_WORDS:
        return False
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
    if lemmas[-1] in SENTIMENT_WORDS | GENERIC_WORDS or lemmas[0] in _PARTICLES | _NEG:
        return False
    # A label names a thing ("activation date") or, when negated, what did
    # not happen ("engineer did not turn up", "order not processed").
    negated = any(w in _NEG for w in lemmas)
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

#: Prepositions that tie a verb to what it is about ("waiting for broadband").
_VERB_PREPS = {"for", "on", "with", "to", "about", "into"}
#: Verbs that say nothing about what happened ("have", "get"): no verb phrase.
_LIGHT_VERBS = {
    "be",
    "have",
    "do",
    "get",
    "go",
    "make",
    "take",
    "give",
    "say",
    "tell",
    "let",
    "mean",
    "suppose",
}


def _verb_phrases(doc, lemma, content):  # noqa: ANN001, ANN202 - spaCy objects
    """What happened, from the parse: "waiting for broadband", "cancelled order",
    "order cancelled" (passive), as (lemmas, surface, "VP") candidates.

    The object keeps its compound nouns ("waiting for broadband connection");
    determiners and pronouns are left out of the surface ("cancelled my order"
    reads "cancelled order").
    """

    def noun(t):  # noqa: ANN001, ANN202
        if t.pos_ not in ("NOUN", "PROPN") or not content(t):
            return None
        mods = [c for c in t.lefts if c.dep_ == "compound" and c.pos_ == "NOUN" and content(c)]
        return mods[-1:] + [t]

    out = []
    for v in doc:
        if v.pos_ != "VERB" or not content(v) or lemma(v) in _LIGHT_VERBS | GENERIC_WORDS:
            continue
        neg = any(c.dep_ == "neg" for c in v.children)
        head = (["not"], ["not"]) if neg else ([], [])
        if neg:  # what did not happen: "service not started", "engineer not turn up"
            subj = next((noun(c) for c in v.children if c.dep_ == "nsubj"), None)
            if subj:
                prt = [c for c in v.children if c.dep_ == "prt" and c.lower_ in _PARTICLES]
                lem = [lemma(t) for t in subj] + ["not", lemma(v)] + [t.lower_ for t in prt]
                surface = " ".join(
                    [t.lower_ for t in subj] + ["not", v.lower_] + [t.lower_ for t in prt]
                )
                out.append((lem, surface, "VP"))
        for c in v.children:
            obj: list | None = None
            prep = None
            if c.dep_ in ("dobj", "obj"):
                obj = noun(c)
            elif c.dep_ == "prep" and c.lower_ in _VERB_PREPS:
                prep = c
                obj = next((noun(g) for g in c.children if g.dep_ == "pobj"), None)
            elif c.dep_ in ("advcl", "xcomp") and c.pos_ in ("VERB", "AUX"):
                # "waiting for my broadband to be connected", "waiting to get broadband":
                # what is waited for is the clause's subject or object.
                prep = next((g for g in c.children if g.dep_ == "mark" and g.lower_ == "for"), None)
                if prep is None and lemma(c) not in _LIGHT_VERBS:
                    continue
                obj = next(
                    (noun(g) for g in c.children if g.dep_ in ("nsubjpass", "nsubj", "dobj")),
                    None,
                )
            elif c.dep_ == "nsubjpass":
                # "the engineer was meant to come": what happened is the
                # infinitive's, not "engineer meant"
                if any(g.dep_ == "xcomp" for g in v.children):
                    continue
                subj = noun(c)
                if subj:  # keyed like the active form: "order cancelled" = "cancel order"
                    lem = head[0] + [lemma(v)] + [lemma(t) for t in subj]
                    surface = " ".join([t.lower_ for t in subj] + head[1] + [v.lower_])
                    out.append((lem, surface, "VP"))
                continue
            if not obj:
                continue
            words = [v.lower_] + ([prep.lower_] if prep is not None else [])
            lem = head[0] + [lemma(v)] + [lemma(t) for t in obj]
            out.append((lem, " ".join(head[1] + words + [t.lower_ for t in obj]), "VP"))
    return out


def _parse(
    texts: Sequence[str], banned: set[str]
) -> list[tuple[list[str], list[tuple[list[str], str, str]]]]:
    """For each text: its content lemmas and its candidate phrases (lemmas, surface)."""
    from ..nlp import load_spacy

    nlp = load_spacy()
    out = []
    for doc in nlp.pipe(texts, batch_size=128):
        has_parse = doc.has_annotation("DEP")
        has_pos = doc.has_annotation("POS")
        words: list[str] = []
        phrases: list[tuple[list[str], str, str]] = []

        def lemma(t, has_pos: bool = has_pos) -> str:  # noqa: ANN001 - spaCy token
            low = t.lower_
            if low in ("n't", "not", "no", "never"):
                return "not"
            return (t.lemma_ if has_pos else low).lower()

        def content(t, has_pos: bool = has_pos) -> bool:  # noqa: ANN001
            if lemma(t) in banned or not t.is_alpha and t.lower_ != "n't":
                return False
            if t.lower_ in _NEG or t.lower_ == "n't":
                return True
            if has_pos:
                if t.pos_ == "ADP" or t.dep_ == "prt":
                    return t.dep_ == "prt" and t.lower_ in _PARTICLES
                return t.pos_ in _CONTENT_POS and not t.is_stop and len(t) > 2
            return not t.is_stop and len(t) > 2

        for t in doc:
            if (t.pos_ in _CONTENT_POS if has_pos else True) and content(t):
                lem = lemma(t)
                if lem not in _NEG and lem not in _PARTICLES:
                    words.append(lem)
        # Noun chunks (trimmed of determiners, pronouns, numbers, stop words).
        if has_parse:
            for chunk in doc.noun_chunks:
                toks = [t for t in chunk if content(t) and t.pos_ not in {"PRON", "DET", "NUM"}]
                while toks and lemma(toks[0]) in GENERIC_WORDS:  # "placed order" -> "order"
                    toks = toks[1:]
                if 2 <= len(toks) <= 4:
                    surface = doc[toks[0].i : toks[-1].i + 1].text.lower()
                    phrases.append(([lemma(t) for t in toks], surface, toks[-1].pos_))
        if has_parse:
            phrases.extend(_verb_phrases(doc, lemma, content))
        # Runs of content tokens inside a sentence: 2-4 grams over content
        # words, at most two skipped function words between neighbours.
        sents = list(doc.sents) if (has_parse or doc.has_annotation("SENT_START")) else [doc[:]]
        for sent in sents:
            toks = [t for t in sent if content(t)]
            for i in range(len(toks)):
                for n in (2, 3, 4):
                    span = toks[i : i + n]
                    # Neighbours at most one function word apart, never across a
                    # preposition ("queue for 90 minutes" is not a phrase).
                    if len(span) < n or any(
                        b.i - a.i > 2 or (b.i - a.i == 2 and doc[a.i + 1].pos_ == "ADP")
                        for a, b in zip(span, span[1:], strict=False)
                    ):
                        break
                    if lemma(span[0]) in GENERIC_WORDS:
                        break
                    # A run with a verb reads as a label only when negated
                    # ("engineer did not turn up"); else keep noun compounds.
                    if (
                        has_pos
                        and any(t.pos_ in ("VERB", "AUX") for t in span)
                        and not any(lemma(t) == "not" for t in span)
                    ):
                        continue
                    # Never cut a compound before its head ("poor customer" of
                    # "poor customer service").
                    if has_parse and span[-1].dep_ == "compound" and span[-1].head.i > span[-1].i:
                        continue
                    # A phrasal verb keeps its particle ("didn't turn up", not "didn't turn").
                    prt = (
                        [c for c in span[-1].children if c.dep_ == "prt" and c.i > span[-1].i]
                        if has_parse
                        else []
                    )
                    end = prt[-1].i if prt else span[-1].i
                    surface = doc[span[0].i : end + 1].text.lower()
                    tail = span[-1].pos_ if has_pos else "NOUN"
                    lems = [lemma(t) for t in span] + [c.lower_ for c in prt]
                    phrases.append((lems, surface, tail))
        out.append((words, phrases))
    return out


def _tones(theme_texts: Sequence[Sequence[str]]) -> list[float]:
    """Mean VADER compound of each theme's comments (0 for an empty theme)."""
    from ..sentiment import polarity_scorer

    polarity = polarity_scorer()
    return [
        sum(polarity(t)["compound"] for t in texts) / len(texts) if texts else 0.0
        for texts in theme_texts
    ]


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


def theme_labels(
    theme_texts: Sequence[Sequence[str]],
    n_keywords: int = 8,
    banned: Iterable[str] = (),
    generic_share: float = 0.08,
    phrase_ratio: float = 0.3,
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

    Returns
    -------
    list of (str, list of str)
        One label per theme (all distinct) and its keywords.
    """
    from .clean import GENERIC_COMPANY_WORDS

    ban = {b.lower() for b in banned} | set(GENERIC_COMPANY_WORDS)
    flat = [t for texts in theme_texts for t in texts]
    # Parsing is the slow part (spaCy's tagger and parser, ~250 comments/s per
    # core): spread it over the cores (workers inherit the loaded pipeline);
    # the results are plain lists.
    from ..nlp import load_spacy

    load_spacy()
    parsed = map_chunks(partial(_parse, banned=ban), flat, os.cpu_count() or 1, PARSE_PARALLEL_FROM)
    words_per: list[Counter[str]] = []
    phrases_per: list[Counter[str]] = []
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    lemmas_of: dict[str, list[str]] = {}
    tails: dict[str, Counter[str]] = defaultdict(Counter)
    pos = 0
    for texts in theme_texts:
        w: Counter[str] = Counter()
        p: Counter[str] = Counter()
        for words, phrases in parsed[pos : pos + len(texts)]:
            w.update(set(words))
            keys = set()
            for lem, surface, tail in phrases:
                key = " ".join(lem)
                lemmas_of[key] = lem
                tails[key][tail] += 1
                surfaces[key][surface] += 1
                keys.add(key)
            p.update(keys)
        pos += len(texts)
        words_per.append(w)
        phrases_per.append(p)
    k = len(theme_texts)
    share_hits: Counter[str] = Counter()
    for w, texts in zip(words_per, theme_texts, strict=True):
        for term, f in w.items():
            if f >= generic_share * max(1, len(texts)):
                share_hits[term] += 1
    generic = frozenset(GENERIC_WORDS | {t for t, c in share_hits.items() if k > 2 and c > k / 2})
    word_rank = _ctfidf(
        [
            Counter({t: f for t, f in c.items() if t not in generic and t not in SENTIMENT_WORDS})
            for c in words_per
        ]
    )
    phrase_rank = _ctfidf(
        [
            Counter(
                {
                    t: f
                    for t, f in c.items()
                    if _ok_phrase(lemmas_of[t], generic, tails[t].most_common(1)[0][0])
                }
            )
            for c in phrases_per
        ]
    )

    def display(key: str) -> str:
        return surfaces[key].most_common(1)[0][0] if key in surfaces else key

    candidates: list[list[str]] = []
    keywords_all: list[list[str]] = []
    tones = _tones(theme_texts)
    for wr, pr, t in zip(word_rank, phrase_rank, tones, strict=True):
        keywords = _distinct_words(wr, n_keywords)
        best_word = wr[0][1] if wr else 0.0
        boosted = [
            (key, sc * _fit(lemmas_of[key], keywords, t))
            for key, sc in pr
            if sc >= phrase_ratio * best_word
        ]
        cands = [key for key, _ in sorted(boosted, key=lambda kv: (-kv[1], kv[0]))]
        labels = [display(c) for c in cands] + [w for w, _ in wr[:5]]
        candidates.append(labels)
        keywords_all.append(keywords)
    used: list[str] = []
    out = []
    for labels, keywords in zip(candidates, keywords_all, strict=True):
        label = next((c for c in labels if not any(_phrase_overlap(c, u) for u in used)), None)
        if label is None:
            label = next((c for c in labels if c not in used), None)
        if label is None:
            label = f"misc {len(used) + 1}"
        used.append(label)
        out.append((label, keywords))
    return out
