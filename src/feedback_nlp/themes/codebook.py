"""The researcher's codebook, stable theme ids across re-fits, new-theme candidates,
and the fit workflow that combines them.

``models/NAME/codebook.yaml`` is written with every saved model and edited by
a researcher: rename a theme (edit its label), merge ids, add a theme from
seed phrases, split a theme by seed phrases, exclude terms. A re-fit with
``--codebook`` and ``--previous`` then (1) fits afresh with the excluded terms
masked, (2) gives each new theme the id of the previous theme it matches
(Hungarian assignment on cosine), (3) replays the codebook on top.

The parts live in their own modules (:mod:`.codebook_file`, :mod:`.edits`,
:mod:`.matching`, :mod:`.candidates`) and are importable from here too.
Every edit returns a new model; the input is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .candidates import new_theme_candidates
from .clean import clean_for_themes
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

if TYPE_CHECKING:
    from ..config import AnalysisConfig
    from .model import ThemeModel

__all__ = [
    "Codebook",
    "CodebookTheme",
    "SeedTheme",
    "SplitRule",
    "FitOutcome",
    "load_codebook",
    "parse_codebook",
    "dump_codebook",
    "codebook_from_model",
    "apply_codebook",
    "match_previous_ids",
    "new_theme_candidates",
    "fit_survey",
]


# -- the fit workflow ---------------------------------------------------------


@dataclass(frozen=True)
class FitOutcome:
    """A fitted (codebook-applied) model, the codebook to save, notes, training facts."""

    model: Any
    codebook: Codebook | None
    notes: list[str] = field(default_factory=list)
    training_info: dict[str, Any] = field(default_factory=dict)


def fit_survey(
    cfg: AnalysisConfig,
    *,
    codebook: Codebook | None = None,
    previous: ThemeModel | None = None,
) -> FitOutcome:
    """Read the survey ``cfg`` describes and fit a theme model on its usable comments.

    Brand terms (given, detected, and the codebook's ``exclude_terms``) are
    masked before fitting. With ``previous``, themes keep the previous ids
    they match; with ``codebook``, its edits are applied on top.
    """
    from ..load import load_survey
    from ..textprep import usable_mask
    from .clean import detect_brand_terms
    from .folders import file_sha256
    from .model import ThemeModel

    survey = load_survey(cfg)
    frame = survey.frame
    texts = frame["text"].fillna("").astype(str).tolist()
    usable, _ = usable_mask(texts)
    idx = np.flatnonzero(usable)
    groups = frame["group"].to_numpy(dtype=object)
    brand = list(cfg.brand_terms)
    brand += detect_brand_terms([texts[i] for i in idx], [str(g) for g in groups[idx]])
    brand += list(codebook.exclude_terms) if codebook else []
    brand_terms = tuple(dict.fromkeys(b.lower() for b in brand))
    cleaned = clean_for_themes([texts[i] for i in idx], brand_terms=brand_terms)
    if len(idx) < 4:
        from ..errors import DataError

        raise DataError(
            f"Only {len(idx)} usable comments in {Path(cfg.input).name}: a theme model needs "
            "at least 4 (check --text-col)."
        )
    model = ThemeModel(
        n_themes=cfg.n_themes,
        representation=cfg.representation.value,
        random_state=cfg.seed,
        brand_terms=brand_terms,
    )
    try:
        model.fit(cleaned)
    except ValueError as err:
        from ..errors import DataError

        raise DataError(f"Cannot fit themes on {Path(cfg.input).name}: {err}") from None
    notes: list[str] = []
    missing: list[str] = []
    if previous is not None:
        reserved = codebook.created_ids() if codebook else set()
        model, match_notes, missing = match_previous_ids(
            model, previous, cleaned, reserved=reserved
        )
        notes += match_notes
    if codebook is not None:
        model = apply_codebook(model, codebook, cleaned, skip_ids=missing, notes=notes)
    info = {
        "input": Path(cfg.input).name,
        "input_sha256": file_sha256(Path(cfg.input)),
        "rows": int(len(frame)),
        "comments_used": int(len(idx)),
        "brand_terms": list(brand_terms),
        "codebook": codebook.source if codebook else None,
        "previous_ids": list(getattr(previous, "match_ids_", [])) if previous else None,
    }
    return FitOutcome(model, codebook, notes, info)
