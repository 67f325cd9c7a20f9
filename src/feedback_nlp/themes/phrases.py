"""Candidate terms of comments from their spaCy parse: content lemmas and phrases.

Phrases are noun chunks, verb phrases from the dependency parse ("waiting
for broadband", "order cancelled") and 2-4 token runs of content words
inside one sentence, each as (lemmas, surface text, POS of its last token).
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
                neg = ["not"] if any(c.dep_ == "neg" for c in v.head.children) else []
                lem = [lemma(t) for t in subj] + neg + [lemma(v)]
                out.append((lem, " ".join([t.lower_ for t in subj] + neg + [v.lower_]), "VP"))
            continue
        if v.pos_ != "VERB" or not content(v) or lemma(v) in _LIGHT_VERBS:
            continue
        neg = any(c.dep_ == "neg" for c in v.children)
        # a generic verb says something only when negated ("card not working")
        if lemma(v) in GENERIC_WORDS and not neg:
            continue
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
            if lemma(t) in banned or not t.is_alpha and t.lower_ != "n't":
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
