"""Personal data redaction, applied to every comment as it is read.

Each piece of personal data is replaced by a typed placeholder (``[EMAIL]``,
``[PHONE]``, ``[CARD]``, ``[IBAN]``, ``[ACCOUNT]``, ``[URL]``, ``[IP]``,
``[POSTCODE]``, ``[NAME]``), so a report still says *that* someone left a
phone number without showing it. The patterns (:mod:`feedback_nlp.pii_patterns`)
find e-mails, phones, cards and the like, and names after fixed cues ("Mr
Smith", "spoke to Łukasz", "my name is ..."). When ``names=True``, spaCy's
named-entity recogniser reads the comments with a capitalised word that may be
a name; :mod:`feedback_nlp.name_rules` adds the names it misses (before what
only people do, in lower case after a cue) and drops what it tags that is no
person (a place, a dish, a word of another language); a corpus-wide filter
then drops brands and recurring words.

Redaction runs in three steps, so that a survey cut into chunks (the Dask
engine's partitions) gets exactly the one-chunk answer: :func:`scan_texts`
(patterns and word counts, per chunk), :func:`find_names` (the recogniser on
each chunk's candidates, given the summed word counts) and :func:`name_spans`
(the filter, given the summed tag counts). :func:`redact_texts` runs them on
one chunk.

>>> texts, counts = redact_texts(["Call me on 07700 900123 or mail jo@example.com"], names=False)
>>> texts[0], counts["PHONE"], counts["EMAIL"]
('Call me on [PHONE] or mail [EMAIL]', 1, 1)
>>> redact_texts(["£24.50 a month for 50 mbps since 2026-01-03, 3 weeks"], names=False)[0]
['£24.50 a month for 50 mbps since 2026-01-03, 3 weeks']
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .name_lists import known_name, name_word, name_words
from .name_rules import (
    NEAR,
    OTHER_LABELS,
    after_place_word,
    common_word,
    lower_cued,
    not_english,
    person_near,
    unseen_names,
    unseen_word,
    vocabulary,
    without_overlaps,
)
from .parallel import map_chunks, map_with_state
from .pii_patterns import CAPS_WORD, LOWER, MASK, NAME_WORD, NOT_NAMES, UPPER, Span, pattern_spans
from .textprep import sentence_break

__all__ = [
    "PII_TYPES",
    "PLACEHOLDER",
    "NameHits",
    "Scan",
    "Span",
    "TagCounts",
    "WordCounts",
    "apply_spans",
    "cell_names",
    "find_names",
    "find_pii",
    "merge_spans",
    "name_spans",
    "redact_line",
    "redact_texts",
    "scan_texts",
    "strip_placeholders",
]

#: Every placeholder type, in the order counts are reported.
PII_TYPES = ("EMAIL", "URL", "IP", "IBAN", "CARD", "PHONE", "ACCOUNT", "POSTCODE", "NAME")
#: Matches any placeholder this module writes.
PLACEHOLDER = re.compile(r"\[(?:{})\]".format("|".join(PII_TYPES)))

#: Longer texts (data dumps rather than comments) skip the name recogniser,
#: which would take minutes on them; the fixed name cues still apply.
NER_MAX_CHARS = 100_000

_U, _L = f"[{UPPER}]", f"[{LOWER}]"
# A capitalised word (any script) after something that is not a sentence end: a name may be there.
_MAYBE_NAME = re.compile(rf"[^\s.!?\x01] +{_U}{_L}")
# The first word of a sentence, when capitalised ("Aisha on the chat was great"),
# and a capitalised word that is not (they tell which words are proper nouns).
_OPENING_WORD = re.compile(rf"(?:^|[.!?\n\x01])[\s\"'(]*({NAME_WORD})(?![\w'’-])")
_INNER_WORD = re.compile(rf"[^\s.!?\x01] +({NAME_WORD})(?![\w'’-])")

_PARTICLE = "(?:van|von|de|da|di|del|der|den|du|la|le|dos|ter|bin|al)"
#: A PERSON entity that can be a name: one to four capitalised words, particles between.
_NAME_SHAPE = re.compile(
    rf"(?:{NAME_WORD}|{_U}{{3,}})(?: (?:{_PARTICLE} )*(?:{NAME_WORD}|{_U}{{3,}}|{_U}\.?)){{0,3}}"
)
#: What follows the first word of a name of several words, and what precedes a later one.
_NAME_GOES_ON = re.compile(rf" (?:{_PARTICLE} )*(?:{NAME_WORD}|{_U}{{3,}}|{_U}\.?)")
_NAME_BEFORE = re.compile(rf"(?:{NAME_WORD}|{_U}{{3,}}) (?:{_PARTICLE} )*$")
#: A capitalised word, and the parts of one joined by hyphens or apostrophes.
_NAME_TOKEN = re.compile(rf"{NAME_WORD}|{CAPS_WORD}")
_WORD_PARTS = re.compile(r"[-'’]")
#: How much further than :func:`person_near`'s window a person word may stand
#: from a name word: the reach of a tag of four words past its first name word.
_TAG_REACH = 120
_WORD = re.compile(rf"(?:{_U}|{_L})(?:{_L}|['’-])*")

#: Distinct comments to recognise before the recogniser runs in several processes:
#: ~2.5 s of work on one core against ~0.2 s to fork (the 3,645 comments of the
#: generated 100k survey: 10.4 s in one process, 6.0 s in two).
NER_PARALLEL_FROM = 1_000
#: Texts per ``nlp.pipe`` batch.
NER_BATCH = 256
#: A word seen at most this often is "rare" (see :func:`_name_spans`).
_RARE = 3

#: An entity the recogniser found: (start char, end char, label).
_Entity = tuple[int, int, str]


def _recognise(texts: list[str]) -> list[list[_Entity]]:
    """The recogniser's entities in each text, as plain tuples.

    This is what a worker process of :func:`_entities` runs: tuples pickle in
    microseconds, where a spaCy ``Doc`` sent back costs the parent ~2 ms to
    rebuild (``Doc.from_bytes`` looks up spaCy's registries each time), more
    than the recogniser itself spends on a comment.
    """
    from .nlp import load_spacy

    nlp = load_spacy(disable=())  # cached: a forked worker has the parent's copy
    # Only the recogniser runs: in this pipeline it has its own token-to-vector layer.
    with nlp.select_pipes(enable=["ner"]):
        return [
            [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
            for doc in nlp.pipe(texts, batch_size=NER_BATCH)
        ]


def _entities(texts: list[str], workers: int) -> list[list[_Entity]]:
    """:func:`_recognise` over ``texts``, spread over the cores when there are many.

    The recogniser is the slow part of redaction (~300 comments/s per core);
    the entities are the same either way.
    """
    return map_chunks(_recognise, texts, workers, min_items=NER_PARALLEL_FROM, step="reading names")


@dataclass
class WordCounts:
    """Corpus-wide word counts the name filter reads (additive over chunks of texts).

    ``words`` counts every word of the masked texts, ``inner`` the words
    capitalised inside a sentence of a comment that has such a word.
    """

    texts: int = 0
    words: Counter[str] = field(default_factory=Counter)
    inner: Counter[str] = field(default_factory=Counter)

    def __add__(self, other: WordCounts) -> WordCounts:
        return WordCounts(
            self.texts + other.texts, self.words + other.words, self.inner + other.inner
        )


@dataclass
class TagCounts:
    """What the recogniser tagged, counted over all texts (additive over chunks).

    ``per_text``: comments in which each tagged name occurs; ``tagged``: times
    each word was in a tagged name; ``seen``: times each word occurs in a
    comment the recogniser read; ``other``: times each word was in a place,
    organisation, product or event entity.
    """

    per_text: Counter[str] = field(default_factory=Counter)
    tagged: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)
    other: Counter[str] = field(default_factory=Counter)

    def __add__(self, other: TagCounts) -> TagCounts:
        return TagCounts(
            self.per_text + other.per_text,
            self.tagged + other.tagged,
            self.seen + other.seen,
            self.other + other.other,
        )


@dataclass
class Scan:
    """One chunk of texts after the patterns: their spans, masked texts and word counts."""

    spans: list[list[Span]]
    masked: list[str]
    #: Comments with a capitalised word inside a sentence (the recogniser reads them).
    direct: list[int]
    #: Comments whose only capitalised words open sentences (read when one is a name).
    openers: list[int]
    counts: WordCounts


@dataclass
class NameHits:
    """The recogniser's PERSON candidates in one chunk, before the corpus-wide filter."""

    #: (text index, start, end, name) per candidate.
    found: list[tuple[int, int, int, str]]
    counts: TagCounts


def scan_texts(texts: Sequence[str], *, workers: int = 1) -> Scan:
    """Step 1 of redaction, per chunk: the patterns' spans and the word counts.

    The patterns and the counting are pure Python per comment: ``workers``
    processes share big inputs (in chunks of a fixed size, so the counts do not
    depend on the number of cores).
    """
    spans: list[list[Span]] = []
    masked: list[str] = []
    direct: list[int] = []
    openers: list[int] = []
    counts = WordCounts()
    for part in map_with_state(
        _scan_chunk, None, texts, _SCAN_CHUNK, workers, step="finding personal data"
    ):
        base = len(masked)
        spans += part.spans
        masked += part.masked
        direct += [base + i for i in part.direct]
        openers += [base + i for i in part.openers]
        counts.texts += part.counts.texts
        counts.words.update(part.counts.words)
        counts.inner.update(part.counts.inner)
    return Scan(spans, masked, direct, openers, counts)


#: Texts per chunk of the scan's processes.
_SCAN_CHUNK = 25_000


def _scan_chunk(_: None, texts: list[str]) -> Scan:
    """:func:`scan_texts` of one chunk, in one process."""
    pairs = [pattern_spans(t if isinstance(t, str) else "") for t in texts]
    masked = [m for _, m in pairs]
    words: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    direct, openers = [], []
    for i, t in enumerate(masked):
        words.update(_WORD.findall(t))
        if len(t) > NER_MAX_CHARS:
            continue
        if _MAYBE_NAME.search(t):
            direct.append(i)
            inner.update(_INNER_WORD.findall(t))
        elif _OPENING_WORD.search(t):
            openers.append(i)
    return Scan(
        [s for s, _ in pairs], masked, direct, openers, WordCounts(len(masked), words, inner)
    )


def find_names(scan: Scan, words: WordCounts, *, workers: int = 1) -> NameHits:
    """Step 2, per chunk: PERSON entities of spaCy's recogniser in the candidate comments.

    ``words`` are the counts of every chunk (a single chunk: ``scan.counts``).
    A sentence's first word is capitalised whatever it is, so a comment whose
    only capitalised words open sentences is a candidate when one of them is
    capitalised inside sentences more often than written lower-case in these
    texts (a proper noun: "Sarah", "Acme"), or is rare and never lower-case
    (a name mentioned once: "Aisha was great"; a typo now and then).
    """
    from .nlp import load_spacy

    # Loaded here, before any worker starts, so that the workers share this copy.
    nlp = load_spacy(disable=())
    if not nlp.has_pipe("ner"):
        return NameHits([], TagCounts())
    strings = vocabulary(str(nlp.path)) if nlp.path else frozenset()
    name_words()  # loaded once here, not once in each worker
    masked = scan.masked
    kind = [_PLAIN] * len(masked)
    for i in scan.direct:
        kind[i] = _DIRECT
    for i in scan.openers:
        kind[i] = _OPENERS
    # Each distinct text once, in forked processes: the rules read nothing but
    # the text and the corpus counts.
    keys = list(zip(masked, kind))
    distinct_keys = list(dict.fromkeys(keys))
    reading = dict(
        zip(
            distinct_keys,
            (
                r
                for chunk in map_with_state(
                    _texts_names,
                    (words, strings),
                    distinct_keys,
                    _NAMES_CHUNK,
                    workers,
                    step="checking names",
                )
                for r in chunk
            ),
        )
    )
    texts = [reading[k] for k in keys]
    todo = [i for i, t in enumerate(texts) if t.candidate]
    lowered = [(i, start, end, name) for i, t in enumerate(texts) for start, end, name in t.lowered]
    if not todo:
        return NameHits(lowered, _tag_counts(lowered, masked, [], Counter()))
    # Whole comments, not only the sentences around the capitalised words: on a
    # 100,000-row survey, recognising just those sentences lost 72 of 1,371 names
    # (a name opening another sentence), and every sentence apart still changed 53
    # comments' names (less context). The recogniser reads the masks as spaces;
    # a text repeated (a copied template, a "see above") is recognised once.
    # A tag is kept only when it opens with a known name and a person word is
    # near, so only comments where that can happen are read (on the generated
    # 100,000-row survey 13% of the candidates; the rules below read them all),
    # and a long one only in windows around its possible names (:func:`_windows`).
    read = [i for i in todo if texts[i].windows]
    plain = {i: masked[i].replace(MASK, " ") for i in read}
    first = {t: i for i, t in reversed(plain.items())}
    pieces = [(text, lo, text[lo:hi]) for text, i in first.items() for lo, hi in texts[i].windows]
    entities: dict[str, list[_Entity]] = {text: [] for text in first}
    for (text, lo, _), found_in in zip(pieces, _entities([p for _, _, p in pieces], workers)):
        entities[text] += [(start + lo, end + lo, label) for start, end, label in found_in]
    found: list[tuple[int, int, int, str]] = []
    other: Counter[str] = Counter()
    for i in read:
        for start, end, label in entities[plain[i]]:
            text = masked[i][start:end]
            if label in OTHER_LABELS:
                other.update(_WORD.findall(text))
            if text.endswith(("'s", "’s")):
                end, text = end - 2, text[:-2]
            if (
                label == "PERSON"
                and _NAME_SHAPE.fullmatch(text)
                and not NOT_NAMES.intersection(text.lower().split())
                and not common_word(text, strings)
                and not after_place_word(masked[i], start, end)
                and not unseen_word(text, strings)
                and known_name(text)
                and person_near(masked[i], start, end)
            ):
                found.append((i, start, end, text))
    # What follows a name says a person is meant, where the recogniser found none.
    taken = {(i, start) for i, start, _, _ in found}
    missed = [
        (i, start, end, name)
        for i in todo
        for start, end, name in texts[i].unseen
        if (i, start) not in taken
    ]
    found = without_overlaps(masked, found + missed + lowered)
    return NameHits(found, _tag_counts(found, masked, todo, other))


#: What the name rules read in one text (:func:`_text_names`).
class _TextNames(NamedTuple):
    #: The recogniser's candidate (see :func:`find_names`).
    candidate: bool
    #: The parts the recogniser reads, (start, end); none where no tag of it
    #: could be kept (:func:`_windows`).
    windows: tuple[tuple[int, int], ...]
    #: Names after a cue in lower case, and names the context tells (start, end, name).
    lowered: tuple[tuple[int, int, str], ...]
    unseen: tuple[tuple[int, int, str], ...]


#: A text's kind after the scan: none of the below, a capitalised word inside a
#: sentence, capitalised words opening sentences only.
_PLAIN, _DIRECT, _OPENERS = 0, 1, 2
#: Distinct texts per chunk of the name rules' processes.
_NAMES_CHUNK = 20_000


def _texts_names(
    state: tuple[WordCounts, frozenset[str]], chunk: list[tuple[str, int]]
) -> list[_TextNames]:
    """:func:`_text_names` of each (text, kind) of ``chunk``."""
    words, strings = state
    return [_text_names(text, kind, words, strings) for text, kind in chunk]


def _text_names(text: str, kind: int, words: WordCounts, strings: frozenset[str]) -> _TextNames:
    """The name rules on one masked text, given the corpus counts ``words``."""
    candidate = kind == _DIRECT
    if kind == _OPENERS:
        for w in _OPENING_WORD.findall(text):
            lower = words.words[w.lower()]
            if words.inner[w] > lower or (not lower and words.words[w] <= _RARE):
                candidate = True
                break
    # The English recogniser reads English: another language's capitals are no names to it.
    candidate = candidate and not not_english(text)
    lowered = tuple(c[1:] for c in lower_cued([text], strings, NER_MAX_CHARS))
    if not candidate:
        return _TextNames(False, (), lowered, ())
    unseen = tuple(c[1:] for c in unseen_names([text], [0], [], strings))
    return _TextNames(True, _windows(text, words, strings), lowered, unseen)


def _tag_openers(
    text: str, words: WordCounts, strings: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """Where the words are that may open a PERSON tag of the recogniser that is kept.

    Only a word that the tests below pass, each a consequence of a rule a kept
    tag meets anyway: it is capitalised and a given or family name somewhere
    (``_NAME_SHAPE``, :func:`known_name`), not written lower-case more often
    than capitalised in these texts (:func:`name_spans`), known capitalised to
    spaCy's vocabulary and capitalised inside a sentence or rare unless the tag
    has more words (:func:`common_word`, :func:`unseen_word`,
    :func:`name_spans`), with a person word near (:func:`person_near`). A
    comment without one needs no recogniser: every tag in it would be dropped.
    """
    for m in _NAME_TOKEN.finditer(text):
        word = m.group()
        first = word[:-2] if word.endswith(("'s", "’s")) else word
        if not (name_word(first) or any(name_word(p) for p in _WORD_PARTS.split(word) if p)):
            continue
        if words.words[first.lower()] > words.words[first]:
            continue
        alone = first in strings and (words.inner[first] > 0 or words.words[first] <= _RARE)
        if not (
            alone
            or _NAME_GOES_ON.match(text, m.end())
            or _NAME_BEFORE.search(text, max(0, m.start() - 40), m.start())
        ):
            continue
        if person_near(text, m.start(), m.end(), reach=_TAG_REACH):
            yield m.start(), m.end()


#: Longer comments are read by the recogniser in windows around the words that
#: may open a kept tag: its cost grows with the characters read, and a long
#: review's name is one sentence of many.
NER_WINDOW_FROM = 500


def _windows(text: str, words: WordCounts, strings: frozenset[str]) -> tuple[tuple[int, int], ...]:
    """The parts of ``text`` the recogniser reads: none without a word that may
    open a kept tag (:func:`_tag_openers`); all of a short text with one; of a
    long one, the whole sentences (:data:`~feedback_nlp.textprep.SENTENCE_BREAK`)
    around each such word, from ``NEAR`` + 20 characters before it to ``NEAR``
    + ``_TAG_REACH`` after (what :func:`person_near` reads around the longest
    tag), joined where they overlap."""
    openers = _tag_openers(text, words, strings)
    if len(text) <= NER_WINDOW_FROM:
        return ((0, len(text)),) if next(openers, None) is not None else ()
    ends = [m.end() for m in sentence_break(text).finditer(text)]
    starts = [0, *ends]
    out: list[tuple[int, int]] = []
    for start, end in openers:
        lo = starts[bisect_right(starts, max(0, start - NEAR - 20)) - 1]
        k = bisect_left(ends, end + NEAR + _TAG_REACH)
        hi = ends[k] if k < len(ends) else len(text)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return tuple(out)


def _tag_counts(
    found: list[tuple[int, int, int, str]], masked: list[str], todo: list[int],
    other: Counter[str],
) -> TagCounts:  # fmt: skip
    """The chunk's :class:`TagCounts`, counted even when it found no name (other
    chunks' names read them)."""
    counts = TagCounts(
        per_text=Counter(text for _, text in {(i, text) for i, _, _, text in found}),
        tagged=Counter(w for _, _, _, text in found for w in text.split()),
        other=other,
    )
    # Out of the times the recogniser saw the word (not of all its occurrences:
    # a comment it never read says nothing about the word).
    for i in todo:
        counts.seen.update(_WORD.findall(masked[i]))
    return counts


def name_spans(hits: NameHits, words: WordCounts, tags: TagCounts) -> dict[int, list[Span]]:
    """Step 3, per chunk: the candidates that pass the corpus-wide filter, by text index.

    The recogniser also tags brands, products and units ("Acme Broadband",
    "Mbps"): a word written lower-case more often than capitalised in these
    texts is no name, and neither is a "name" that recurs in many comments (it
    identifies nobody).
    """
    out: dict[int, list[Span]] = {}
    frequent = max(10, words.texts // 200)
    for i, start, end, text in hits.found:
        # ...nor a frequent word the recogniser mostly leaves untagged ("Acme" is a
        # PERSON in a few comments, a brand in most; "Sarah" is a PERSON every time).
        if tags.per_text[text] >= frequent or any(
            tags.seen[w] >= frequent and tags.tagged[w] < 0.5 * tags.seen[w] for w in text.split()
        ):
            continue
        if any(words.words[w.lower()] > words.words[w] for w in text.split()):
            continue
        # ...nor a word tagged a place, organisation or product more often than a person.
        if all(tags.other[w] > tags.tagged[w] for w in text.split()):
            continue
        # ...nor a word that is common here yet never capitalised inside a
        # sentence: it is capitalised only because it opens them ("Shambles.").
        if " " not in text and not words.inner[text] and words.words[text] > _RARE:
            continue
        out.setdefault(i, []).append(Span(start, end, "NAME"))
    return out


def find_pii(
    texts: Sequence[str], *, names: bool = True, workers: int | None = None
) -> list[list[Span]]:
    """Return the personal data found in each text, as sorted non-overlapping spans.

    The three steps (:func:`scan_texts`, :func:`find_names`, :func:`name_spans`)
    on one chunk; ``workers`` defaults to the machine's cores.

    >>> find_pii(["mail a.b@example.com"], names=False)
    [[Span(start=5, end=20, kind='EMAIL')]]
    """
    workers = workers or os.cpu_count() or 1
    scan = scan_texts(texts, workers=workers)
    if names:
        hits = find_names(scan, scan.counts, workers=workers)
        return merge_spans(scan, name_spans(hits, scan.counts, hits.counts))
    return [sorted(s) for s in scan.spans]


def merge_spans(scan: Scan, names: dict[int, list[Span]]) -> list[list[Span]]:
    """Every text's pattern spans and name spans, sorted."""
    return [sorted(spans + names.get(i, [])) for i, spans in enumerate(scan.spans)]


def apply_spans(
    texts: Sequence[str], spans: Sequence[Sequence[Span]]
) -> tuple[list[str], dict[str, int]]:
    """Replace each span by its placeholder; the texts and the count of each type."""
    counts = dict.fromkeys(PII_TYPES, 0)
    out: list[str] = []
    for raw, found in zip(texts, spans):
        text = raw if isinstance(raw, str) else ""
        if not found:
            out.append(text)
            continue
        parts, pos = [], 0
        for s in found:
            parts.append(text[pos : s.start])
            parts.append(f"[{s.kind}]")
            counts[s.kind] += 1
            pos = s.end
        parts.append(text[pos:])
        out.append("".join(parts))
    return out, counts


def redact_texts(
    texts: Sequence[str], *, names: bool = True, workers: int | None = None
) -> tuple[list[str], dict[str, int]]:
    """Replace personal data in ``texts`` by typed placeholders.

    Parameters
    ----------
    texts : sequence of str
        The comments (non-strings are treated as empty and returned as ``""``).
    names : bool, default=True
        Also find person names with the spaCy named-entity recogniser (slower).
        Names after "Mr"/"Dr"/"my name is" are always redacted.
    workers : int, optional
        Processes for big inputs (default: the machine's cores).

    Returns
    -------
    (list of str, dict of str to int)
        The redacted texts, same length and order, and how many pieces of each
        type (every key of :data:`PII_TYPES`, zero included) were replaced.
    """
    return apply_spans(texts, find_pii(texts, names=names, workers=workers))


def redact_line(text: str) -> str:
    """``text`` with the patterns' personal data replaced (no recogniser): for a message.

    A quoted cell's words that are names anywhere are replaced too (:func:`cell_names`).

    >>> redact_line("non-numeric score: 'jo@example.com'")
    "non-numeric score: '[EMAIL]'"
    """
    spans, masked = pattern_spans(text)
    # Read on the masked text: a name word (letters only) never overlaps a pattern's span.
    return apply_spans([text], [sorted(spans + cell_names([masked], quoted=True)[0])])[0][0]


_CELL_WORD = re.compile(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*")
_QUOTED = re.compile(r"'([^'\n]*)'")


def cell_names(cells: Sequence[str], *, quoted: bool = False) -> list[list[Span]]:
    """Words of short cells that are a given or family name somewhere: a name typed
    into a score or group cell ("Ana") has no cue or context, only itself.

    Cells of more than four words are left to the other rules; with ``quoted``,
    only the parts between single quotes are read (a reason quoting the cell).

    >>> cell_names(["Ana", "ten", "N/A"])
    [[Span(start=0, end=3, kind='NAME')], [], []]
    """
    out: list[list[Span]] = []
    for cell in cells:
        parts = (
            [(m.start(1), m.group(1)) for m in _QUOTED.finditer(cell)] if quoted else [(0, cell)]
        )
        spans = []
        for offset, part in parts:
            words = list(_CELL_WORD.finditer(part))
            if len(words) <= 4:
                spans += [
                    Span(offset + w.start(), offset + w.end(), "NAME")
                    for w in words
                    # Capitalised (or of a script without case): "ring" is a word.
                    if not w.group()[0].islower()
                    and known_name(w.group())
                    and w.group().lower() not in NOT_NAMES
                ]
        out.append(spans)
    return out


def strip_placeholders(texts: Sequence[str]) -> list[str]:
    """Remove the placeholders, so "[PHONE]" never becomes a word of a theme.

    >>> strip_placeholders(["Call me on [PHONE] please"])
    ['Call me on please']
    """
    return [
        re.sub(r"  +", " ", PLACEHOLDER.sub(" ", t)).strip() if "[" in t else t
        for t in (x if isinstance(x, str) else "" for x in texts)
    ]
