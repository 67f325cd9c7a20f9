"""Theme finding: cleaning, vector representations, the ThemeModel estimator."""

from .clean import GENERIC_COMPANY_WORDS, clean_for_themes, detect_brand_terms
from .codebook import (
    Codebook,
    apply_codebook,
    codebook_from_model,
    dump_codebook,
    load_codebook,
    match_previous_ids,
    new_theme_candidates,
)
from .labels import theme_labels
from .model import ThemeModel, merge_centroids
from .persist import load_model, resolve_model_dir, save_model
from .representation import (
    MiniLMEmbedder,
    TfidfRepresentation,
    make_representation,
    minilm_available,
)

__all__ = [
    "ThemeModel",
    "merge_centroids",
    "MiniLMEmbedder",
    "TfidfRepresentation",
    "make_representation",
    "minilm_available",
    "clean_for_themes",
    "detect_brand_terms",
    "GENERIC_COMPANY_WORDS",
    "theme_labels",
    "save_model",
    "load_model",
    "resolve_model_dir",
    "Codebook",
    "load_codebook",
    "dump_codebook",
    "codebook_from_model",
    "apply_codebook",
    "match_previous_ids",
    "new_theme_candidates",
]
