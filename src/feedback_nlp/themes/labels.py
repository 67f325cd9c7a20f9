"""Readable theme labels and keywords, c-TF-IDF style.

Each theme's most typical comments (a bounded sample) are parsed with spaCy;
candidate terms are noun-phrase lemmas (stop words, pronouns, determiners and
brand placeholders removed) and single content lemmas. A term scores
``tf(term, theme) * log(1 + mean_terms_per_theme / total_freq(term))``
(class-based TF-IDF), so a label names what is frequent in one theme and rare
in the others.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["theme_labels", "near_duplicate"]

_WORD = re.compile(r"[a-z][a-z'-]+")
_KEEP_POS = {"NOUN", "PROPN", "ADJ", "VERB"}


def near_duplicate(a: str, b: str) -> bool:
    """True for words that differ only by an inflection ("fight", "fighting").

    >>> near_duplicate("fight", "fighting"), near_duplicate("food", "staff")
    (True, False)
    """
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short[: max(4, len(short) - 1)])


def _terms_spacy(texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    from ..nlp import load_spacy

    nlp = load_spacy()
    out = []
    for doc in nlp.pipe(texts, batch_size=128):
        words = [
            t.lemma_.lower()
            for t in doc
            if t.pos_ in _KEEP_POS and not t.is_stop and t.is_alpha and len(t) > 2
        ]
        phrases = []
        try:
            chunks = list(doc.noun_chunks)
        except ValueError:  # blank pipeline: no parser, fall back to bigrams
            chunks = []
        for chunk in chunks:
            toks = [
                t.lemma_.lower()
                for t in chunk
                if not t.is_stop and t.is_alpha and t.pos_ not in {"PRON", "DET", "NUM"}
            ]
            if 2 <= len(toks) <= 3:
                phrases.append(" ".join(toks))
        if not chunks:
            toks = [w for w in _WORD.findall(doc.text.lower()) if not nlp.vocab[w].is_stop]
            phrases = [" ".join(p) for p in zip(toks, toks[1:], strict=False)]
        out.append((words, phrases))
    return out


def _ctfidf(per_theme: list[Counter[str]]) -> list[list[tuple[str, float]]]:
    total: Counter[str] = Counter()
    for c in per_theme:
        total.update(c)
    avg = max(1.0, sum(total.values()) / max(1, len(per_theme)))
    ranked = []
    for c in per_theme:
        n = max(1, sum(c.values()))
        scores = {t: (f / n) * math.log(1 + avg / total[t]) for t, f in c.items() if f >= 2}
        ranked.append(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
    return ranked


def _distinct(terms: list[tuple[str, float]], n: int) -> list[str]:
    chosen: list[str] = []
    for term, _ in terms:
        words = term.split()
        if len(set(words)) < len(words):
            continue
        if any(near_duplicate(w, pw) for prev in chosen for pw in prev.split() for w in words):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def theme_labels(
    theme_texts: Sequence[Sequence[str]], n_keywords: int = 8
) -> list[tuple[str, list[str]]]:
    """Return ``(label, keywords)`` for each theme from its typical comments.

    Parameters
    ----------
    theme_texts : sequence of sequences of str
        For each theme, its most typical comments (already cleaned).
    n_keywords : int, default=8
        How many distinct keywords to return per theme.

    Returns
    -------
    list of (str, list of str)
        A short label (the best noun phrase, completed by the best distinct
        keyword when the phrase is a single word) and the keywords.
    """
    flat = [t for texts in theme_texts for t in texts]
    parsed = _terms_spacy(flat)
    words_per: list[Counter[str]] = []
    phrases_per: list[Counter[str]] = []
    pos = 0
    for texts in theme_texts:
        w: Counter[str] = Counter()
        p: Counter[str] = Counter()
        for words, phrases in parsed[pos : pos + len(texts)]:
            w.update(set(words))
            p.update(set(phrases))
        pos += len(texts)
        words_per.append(w)
        phrases_per.append(p)
    word_rank = _ctfidf(words_per)
    phrase_rank = _ctfidf(phrases_per)
    out = []
    for wr, pr in zip(word_rank, phrase_rank, strict=True):
        keywords = _distinct(wr, n_keywords)
        best_word = wr[0][1] if wr else 0.0
        # A phrase wins when it is nearly as distinctive as the best single word.
        good: list[tuple[str, float]] = [(t, s) for t, s in pr if s >= 0.5 * best_word]
        label_terms = _distinct(good, 1)
        if label_terms:
            extra = _distinct([(label_terms[0], 1.0)] + wr, 2)[1:]
            label = label_terms[0] if not extra else f"{label_terms[0]}, {extra[0]}"
        else:
            label = ", ".join(keywords[:2]) if keywords else "misc"
        out.append((label, keywords))
    return out
