"""Candidate terms of comments from their spaCy parse: content lemmas and phrases.

Phrases are noun chunks, verb phrases from the dependency parse ("waiting
for broadband", "order cancelled") and 2-4 token runs of content words
inside one sentence, each as (lemmas, surface text, POS of its last token).

A word a reader reads as one is one term: a hyphenated word ("wi-fi",
"top-up") and a word with its particle ("top up", "sign up", "log in") are
merged into one token before the terms are read, so "top-up cancelled" is a
phrase and "top" alone (or "sign", "log") never stands for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .words import GENERIC_WORDS, NOT_STOP_WORDS
from .words import NEGATIONS as _NEG
from .words import PARTICLES as _PARTICLES

__all__ = ["parse_terms"]

_CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
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


def _negation(v) -> str | None:  # noqa: ANN001 - spaCy token
    """How the negation of ``v`` is worded ("never", "not"; "n't" reads "not"),
    or None: a label keeps the word people wrote ("engineer never showed up")."""
    neg = next((c.lower_ for c in v.children if c.dep_ == "neg"), None)
    return "not" if neg == "n't" else neg


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
        if v.dep_ == "acomp" and v.pos_ in ("ADJ", "VERB") and content(v):
            # "my card is broken": the subject and its state ("card broken");
            # not an adjective with a complement ("friends are able to ...")
            if any(c.dep_ in ("xcomp", "ccomp", "prep") for c in v.children):
                continue
            subj = next((noun(c) for c in v.head.children if c.dep_ == "nsubj"), None)
            if subj and lemma(v) not in GENERIC_WORDS:
                said = _negation(v.head)
                neg = ["not"] if said else []
                lem = [lemma(t) for t in subj] + neg + [lemma(v)]
                words = [t.lower_ for t in subj] + ([said] if said else []) + [v.lower_]
                out.append((lem, " ".join(words), "VP"))
            continue
        if v.pos_ != "VERB" or not content(v) or lemma(v) in _LIGHT_VERBS:
            continue
        said = _negation(v)
        neg = said is not None
        # a generic verb says something only when negated ("card not working")
        if lemma(v) in GENERIC_WORDS and not neg:
            continue
        head = (["not"], [said]) if said else ([], [])
        if neg:  # what did not happen: "service not started", "engineer not turn up"
            subj = next((noun(c) for c in v.children if c.dep_ == "nsubj"), None)
            if subj:
                prt = [c for c in v.children if c.dep_ == "prt" and c.lower_ in _PARTICLES]
                lem = [lemma(t) for t in subj] + ["not", lemma(v)] + [t.lower_ for t in prt]
                surface = " ".join(
                    [t.lower_ for t in subj] + [said, v.lower_] + [t.lower_ for t in prt]
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


def _noun_chunk_phrases(doc, lemma, content):  # noqa: ANN001, ANN202 - spaCy objects
    """Noun chunks trimmed of determiners, pronouns, numbers and stop words."""
    out = []
    for chunk in doc.noun_chunks:
        toks = [t for t in chunk if content(t) and t.pos_ not in {"PRON", "DET", "NUM"}]
        while toks and lemma(toks[0]) in GENERIC_WORDS:  # "placed order" -> "order"
            toks = toks[1:]
        if 2 <= len(toks) <= 4:
            surface = doc[toks[0].i : toks[-1].i + 1].text.lower()
            out.append(([lemma(t) for t in toks], surface, toks[-1].pos_))
    return out


def _run_phrases(doc, lemma, content, has_pos, has_parse):  # noqa: ANN001, ANN202
    """Runs of content tokens inside a sentence: 2-4 grams over content words,
    at most two skipped function words between neighbours."""
    out = []
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
                out.append((lems, surface, tail))
    return out


def _particle(t) -> str | None:  # noqa: ANN001 - spaCy token
    """The particle a token is ("up" for "up" and for the plural "ups"), or None."""
    low = t.lower_
    if low in _PARTICLES:
        return low
    return low[:-1] if low.endswith("s") and low[:-1] in _PARTICLES else None


def _joined(doc) -> list[tuple[int, int, str]]:  # noqa: ANN001 - spaCy Doc
    """Spans of ``doc`` that are one word to a reader, as (start, end, lemma):
    hyphenated words ("top-up", "wi-fi") and a word with its particle when the
    two name a thing or an act of their own ("top up", "topping up", "sign up
    process", "log in"); the lemma joins the parts' ("top up" for "top-up",
    "top ups" and "topping up" alike). Not a preposition with its object ("fee
    on my statement"), nor after a generic or light verb ("come back", "get in":
    those stay generic).
    """
    if not doc.has_annotation("DEP"):
        return []
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(doc)
    while i < n:
        j = i
        # word-word(-word): hyphens with no space around them
        while (
            j + 2 < n
            and doc[j + 1].text == "-"
            and not doc[j].whitespace_
            and not doc[j + 1].whitespace_
            and doc[j].is_alpha
            and doc[j + 2].is_alpha
        ):
            j += 2
        if j == i and i + 1 < n:
            a, b = doc[i], doc[i + 1]
            first = a.lemma_.lower()
            if (
                a.is_alpha
                and _particle(b) is not None
                and (b.head.i == a.i or a.head.i == b.i)
                and a.pos_ in ("NOUN", "VERB", "ADJ", "PROPN")
                and first not in GENERIC_WORDS
                and first not in _LIGHT_VERBS
                # a particle, not a preposition with its object ("fee on my statement")
                and (b.dep_ in ("prt", "advmod") or b.pos_ == "NOUN" and b.head.i != a.i)
            ):
                j = i + 1
        if j > i:
            parts = [t for t in doc[i : j + 1] if t.text != "-"]
            lem = [t.lower_ for t in parts[:-1]]
            particle = _particle(parts[-1])
            if particle is not None:  # "topping up", "top ups", "top-ups": "top up"
                lem[0] = parts[0].lemma_.lower()
                lem.append(particle)
            else:
                lem.append(parts[-1].lemma_.lower())
            out.append((i, j + 1, " ".join(lem)))
        i = j + 1
    return out


def _merge(doc) -> None:  # noqa: ANN001 - spaCy Doc
    """Merge the spans of :func:`_joined` into single tokens, each with its
    joined lemma; a noun when a part is one and the head is no verb ("top
    ups"), else the head's tag ("topping up" stays a verb)."""
    spans = _joined(doc)
    if not spans:
        return
    with doc.retokenize() as retok:
        for start, end, lem in spans:
            span = doc[start:end]
            attrs = {"LEMMA": lem}
            if any(t.pos_ == "NOUN" for t in span) and span.root.pos_ != "VERB":
                attrs["POS"] = "NOUN"
            retok.merge(span, attrs=attrs)


def parse_terms(
    texts: Sequence[str], banned: set[str]
) -> list[tuple[list[str], list[tuple[list[str], str, str]], list[str], list[str]]]:
    """For each text: its content lemmas, its candidate phrases (lemmas, surface,
    tail POS) and the lemmas' surface words (lower case) and POS tags, in the
    same order as the lemmas."""
    from ..nlp import load_spacy

    nlp = load_spacy()
    out = []
    for doc in nlp.pipe(texts, batch_size=128):
        _merge(doc)
        has_parse = doc.has_annotation("DEP")
        has_pos = doc.has_annotation("POS")
        words: list[str] = []
        surfaces: list[str] = []
        tags: list[str] = []
        phrases: list[tuple[list[str], str, str]] = []

        def lemma(t, has_pos: bool = has_pos) -> str:  # noqa: ANN001 - spaCy token
            low = t.lower_
            if low in ("n't", "not", "no", "never"):
                return "not"
            return (t.lemma_ if has_pos else low).lower()

        def stop(t) -> bool:  # noqa: ANN001 - spaCy token
            return bool(t.is_stop) and t.lower_ not in NOT_STOP_WORDS

        def content(t, has_pos: bool = has_pos) -> bool:  # noqa: ANN001
            alpha = t.is_alpha or t.text.replace("-", "").replace(" ", "").isalpha()
            if lemma(t) in banned or not alpha and t.lower_ != "n't":
                return False
            if t.lower_ in _NEG or t.lower_ == "n't":
                return True
            if has_pos:
                if t.pos_ == "ADP" or t.dep_ == "prt":
                    return t.dep_ == "prt" and t.lower_ in _PARTICLES
                return t.pos_ in _CONTENT_POS and not stop(t) and len(t) > 2
            return not stop(t) and len(t) > 2

        for t in doc:
            if (t.pos_ in _CONTENT_POS if has_pos else True) and content(t):
                lem = lemma(t)
                if lem not in _NEG and lem not in _PARTICLES:
                    words.append(lem)
                    surfaces.append(t.lower_)
                    tags.append(t.pos_ if has_pos else "NOUN")
        if has_parse:
            phrases.extend(_noun_chunk_phrases(doc, lemma, content))
            phrases.extend(_verb_phrases(doc, lemma, content))
        phrases.extend(_run_phrases(doc, lemma, content, has_pos, has_parse))
        out.append((words, phrases, surfaces, tags))
    return out
