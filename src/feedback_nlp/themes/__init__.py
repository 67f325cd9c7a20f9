"""Theme finding: cleaning, vector representations, the ThemeModel estimator."""

from .clean import GENERIC_COMPANY_WORDS, clean_for_themes, detect_brand_terms
from .labels import theme_labels
from .model import ThemeModel, merge_centroids
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
]
