"""Options more than one command takes, declared once, and the parsing of their values.

Each alias is a typer ``Annotated`` type, used as ``score_col: ScoreColOption = None``;
the option's name comes from the parameter's name, so a command keeps the same
parameter names. Where two commands take the same option with a different help
text, each text has its own alias, so every ``--help`` stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeAlias

import typer

# The config's str Enums, so --help lists the choices (config imports nothing heavy).
from ..config import Representation, SentenceLevel

ScoreColOption: TypeAlias = Annotated[str | None, typer.Option(help="Column with the 0-10 score.")]
GroupColOption: TypeAlias = Annotated[
    str | None,
    typer.Option(help="Column with Promoter/Passive/Detractor labels (if no score)."),
]
TextColOption: TypeAlias = Annotated[
    str | None, typer.Option(help="Column with the open-text comment.")
]
IdColOption: TypeAlias = Annotated[
    str | None, typer.Option(help="Respondent id column (row numbers otherwise).")
]
BrandTermsOption: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(help="Brand/company names to mask, comma-separated (repeatable)."),
]
NoBrandDetectionOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--no-brand-detection",
        help="Mask only the --brand-terms given: do not detect brand names in the comments.",
    ),
]
ThemesOption: TypeAlias = Annotated[str, typer.Option(help="Number of themes, or 'auto'.")]
SubthemesOption: TypeAlias = Annotated[
    str,
    typer.Option(
        help="Sub-themes per theme: 'auto' (where a theme's comments show structure), "
        "a number, or 0 for none."
    ),
]
RepresentationOption: TypeAlias = Annotated[
    Representation, typer.Option(help="Text representation for themes.")
]
SentencesOption: TypeAlias = Annotated[
    SentenceLevel,
    typer.Option(
        help="Read comments sentence by sentence, with sentiment learnt from the survey's own "
        "sentences: 'auto' when the median comment has 3 sentences or more."
    ),
]

# The score scale and its cut points (analyze and fit read scores alike).
ScaleMinOption: TypeAlias = Annotated[
    float | None,
    typer.Option(
        help="Lowest possible score (default 0). With no scale option, a 1-5 or 1-7 score "
        "column is recognised, or the run stops and asks."
    ),
]
ScaleMaxOption: TypeAlias = Annotated[
    float | None, typer.Option(help="Highest possible score (default 10).")
]
PromoterMinOption: TypeAlias = Annotated[
    float | None, typer.Option(help="Scores >= this are promoters (default 9).")
]
DetractorMaxOption: TypeAlias = Annotated[
    float | None, typer.Option(help="Scores <= this are detractors (default 6).")
]

# The seed means something different to each command, and its help says what.
SeedOption: TypeAlias = Annotated[
    int, typer.Option(help="Random seed: same input and seed give identical tables.")
]
ModelSeedOption: TypeAlias = Annotated[
    int, typer.Option(help="Random seed: same input and seed give the same model.")
]
DemoSeedOption: TypeAlias = Annotated[
    int, typer.Option(help="Seed of the generator and of the analysis.")
]

# `fit` shows no progress, so its --quiet only silences the notes.
QuietOption: TypeAlias = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or notes.")
]
QuietNotesOption: TypeAlias = Annotated[bool, typer.Option("--quiet", "-q", help="No notes.")]


def _auto_or_int(value: str, message: str) -> int | None:
    """'auto' → None, a number → int; else ConfigError(``message`` and the value)."""
    from ..errors import ConfigError

    if value.strip().lower() == "auto":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{message}, got {value!r}.") from None


def parse_themes(value: str) -> int | None:
    """'auto' → None, a number → int (validated by the config)."""
    return _auto_or_int(value, "--themes must be 'auto' or a number from 2 to 100")


def parse_subthemes(value: str) -> int | None:
    """'auto' → None, a number → int (validated by the config).

    >>> parse_subthemes("auto"), parse_subthemes("0"), parse_subthemes(" 4 ")
    (None, 0, 4)
    """
    return _auto_or_int(value, "--subthemes must be 'auto', 0 or a number from 2 to 100")


def parse_brand_terms(values: Sequence[str] | None) -> tuple[str, ...]:
    """Repeated, comma-separated ``--brand-terms`` → one tuple of names, blanks dropped.

    >>> parse_brand_terms(["Acme, Acme Broadband", " ,Zed"])
    ('Acme', 'Acme Broadband', 'Zed')
    """
    return tuple(t.strip() for spec in values or () for t in spec.split(",") if t.strip())


__all__ = [
    "BrandTermsOption",
    "DemoSeedOption",
    "DetractorMaxOption",
    "GroupColOption",
    "IdColOption",
    "ModelSeedOption",
    "NoBrandDetectionOption",
    "PromoterMinOption",
    "QuietNotesOption",
    "QuietOption",
    "RepresentationOption",
    "ScaleMaxOption",
    "ScaleMinOption",
    "ScoreColOption",
    "SeedOption",
    "TextColOption",
    "ThemesOption",
    "parse_brand_terms",
    "parse_themes",
]
