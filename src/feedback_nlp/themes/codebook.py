"""The researcher's codebook, stable theme ids across re-fits and new-theme candidates.

``models/NAME/codebook.yaml`` is written with every saved model and edited by
a researcher: rename a theme (edit its label), merge ids, add a theme from
seed phrases, split a theme by seed phrases, exclude terms. A re-fit with
``--codebook`` and ``--previous`` then (1) fits afresh with the excluded terms
masked, (2) gives each new theme the id of the previous theme it matches
(Hungarian assignment on cosine), (3) replays the codebook on top (the fit
workflow is :func:`feedback_nlp.plan.fitting.fit_survey`).

The parts live in their own modules (:mod:`.codebook_file`, :mod:`.edits`,
:mod:`.matching`, :mod:`.candidates`) and are importable from here too.
Every edit returns a new model; the input is left alone.
"""

from __future__ import annotations

from .candidates import new_theme_candidates
from .codebook_file import (
    Codebook,
    CodebookTheme,
    SeedTheme,
    SplitRule,
    codebook_from_model,
    dump_codebook,
    load_codebook,
    parse_codebook,
)
from .edits import apply_codebook
from .matching import match_previous_ids

__all__ = [
    "Codebook",
    "CodebookTheme",
    "SeedTheme",
    "SplitRule",
    "load_codebook",
    "parse_codebook",
    "dump_codebook",
    "codebook_from_model",
    "apply_codebook",
    "match_previous_ids",
    "new_theme_candidates",
]
