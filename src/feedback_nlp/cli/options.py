"""Options more than one command takes, declared once, and the parsing of their values.

Each alias is a typer ``Annotated`` type, used as ``score_col: ScoreColOption = None``;
the option's name comes from the parameter's name, so a command keeps the same
parameter names. Where two commands take the same option with a different help
text, each text has its own alias. Each option names its help panel
(:mod:`.help`) and a metavar saying what to type (``COLUMN``, ``FILE``, ``N``)
rather than a Python type; a closed choice lists its values.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeAlias

import typer

# The config's str Enums, so --help lists the choices (config imports nothing heavy).
from ..config import DuplicatePolicy, Representation, SentenceLevel
from .help import INPUT_PANEL, PERFORMANCE_PANEL, SCALE_PANEL, THEMES_PANEL


def choices(enum: type[Enum]) -> str:
    """The values of a closed choice, as ``--help`` shows them.

    >>> choices(Representation)
    'auto|minilm|tfidf'
    """
    return "|".join(str(e.value) for e in enum)


# The input: which file holds what, in which column (analyze and fit read it alike).
CommentsOption: TypeAlias = Annotated[
    Path | None,
    typer.Option(
        "--comments",
        metavar="FILE",
        help="Separate comments file, joined to INPUT on --id-col.",
        rich_help_panel=INPUT_PANEL,
    ),
]
ScoreColOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        metavar="COLUMN",
        help="Score column: 0-10, or another scale with the Scale options.",
        rich_help_panel=INPUT_PANEL,
    ),
]
GroupColOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        metavar="COLUMN",
        help="Column of promoter, passive and detractor labels (if no score).",
        rich_help_panel=INPUT_PANEL,
    ),
]
GroupMapOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        metavar="LABEL=GROUP,...",
        help="Read other labels as the groups (example below).",
        rich_help_panel=INPUT_PANEL,
    ),
]
TextColOption: TypeAlias = Annotated[
    str | None,
    typer.Option(metavar="COLUMN", help="Open-text comment column.", rich_help_panel=INPUT_PANEL),
]
IdColOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        metavar="COLUMN",
        help="Respondent id column (row numbers otherwise).",
        rich_help_panel=INPUT_PANEL,
    ),
]
SegmentColOption: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(
        metavar="COLUMN",
        help="Segment column: region, plan... (repeatable).",
        rich_help_panel=INPUT_PANEL,
    ),
]
DateColOption: TypeAlias = Annotated[
    str | None,
    typer.Option(metavar="COLUMN", help="Response date column.", rich_help_panel=INPUT_PANEL),
]
DuplicatesOption: TypeAlias = Annotated[
    DuplicatePolicy,
    typer.Option(
        metavar=choices(DuplicatePolicy),
        help="Duplicate respondent ids: an error, or keep the first or last.",
        rich_help_panel=INPUT_PANEL,
    ),
]

# The score scale and its cut points (analyze and fit read scores alike).
ScaleMinOption: TypeAlias = Annotated[
    float | None,
    typer.Option(
        metavar="SCORE",
        help="Lowest possible score (default 0).",
        rich_help_panel=SCALE_PANEL,
    ),
]
ScaleMaxOption: TypeAlias = Annotated[
    float | None,
    typer.Option(
        metavar="SCORE", help="Highest possible score (default 10).", rich_help_panel=SCALE_PANEL
    ),
]
PromoterMinOption: TypeAlias = Annotated[
    float | None,
    typer.Option(
        metavar="SCORE",
        help="Scores from this up are promoters (default 9).",
        rich_help_panel=SCALE_PANEL,
    ),
]
DetractorMaxOption: TypeAlias = Annotated[
    float | None,
    typer.Option(
        metavar="SCORE",
        help="Scores up to this are detractors (default 6).",
        rich_help_panel=SCALE_PANEL,
    ),
]

# The themes (analyze and fit find them alike).
ThemesOption: TypeAlias = Annotated[
    str,
    typer.Option(metavar="N|auto", help="Number of themes (2-100).", rich_help_panel=THEMES_PANEL),
]
SubthemesOption: TypeAlias = Annotated[
    str,
    typer.Option(
        metavar="N|auto",
        help="Sub-themes per theme (0: none; auto: where a theme has structure).",
        rich_help_panel=THEMES_PANEL,
    ),
]
RepresentationOption: TypeAlias = Annotated[
    Representation,
    typer.Option(
        metavar=choices(Representation),
        help="How comments become vectors: MiniLM embeddings or TF-IDF.",
        rich_help_panel=THEMES_PANEL,
    ),
]
SentencesOption: TypeAlias = Annotated[
    SentenceLevel,
    typer.Option(
        metavar=choices(SentenceLevel),
        help="Read comments sentence by sentence (auto: when the median comment has 3 or more).",
        rich_help_panel=THEMES_PANEL,
    ),
]
BrandTermsOption: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(
        metavar="NAMES",
        help="Brand names to mask, comma-separated (repeatable).",
        rich_help_panel=THEMES_PANEL,
    ),
]
NoBrandDetectionOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--no-brand-detection",
        help="Mask only the --brand-terms given: detect no brand names.",
        rich_help_panel=THEMES_PANEL,
    ),
]

ThreadsOption: TypeAlias = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        help="Threads for numeric libraries (default: all cores).",
        rich_help_panel=PERFORMANCE_PANEL,
    ),
]

# The seed means something different to each command, and its help says what.
SeedOption: TypeAlias = Annotated[
    int,
    typer.Option(metavar="N", help="Random seed: same input and seed give identical tables."),
]
ModelSeedOption: TypeAlias = Annotated[
    int, typer.Option(metavar="N", help="Random seed: same input and seed give the same model.")
]
DemoSeedOption: TypeAlias = Annotated[
    int, typer.Option(metavar="N", help="Seed of the generator and of the analysis.")
]

# Whatever the command, --quiet leaves the warnings, the errors and one last line.
QuietOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print only warnings, errors and where the report is.",
    ),
]
QuietFitOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print only warnings, errors and where the model is.",
    ),
]


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
    "CommentsOption",
    "DateColOption",
    "DemoSeedOption",
    "DetractorMaxOption",
    "DuplicatesOption",
    "GroupColOption",
    "GroupMapOption",
    "IdColOption",
    "ModelSeedOption",
    "NoBrandDetectionOption",
    "PromoterMinOption",
    "QuietFitOption",
    "QuietOption",
    "RepresentationOption",
    "ScaleMaxOption",
    "ScaleMinOption",
    "ScoreColOption",
    "SeedOption",
    "SegmentColOption",
    "SentencesOption",
    "SubthemesOption",
    "TextColOption",
    "ThemesOption",
    "ThreadsOption",
    "choices",
    "parse_brand_terms",
    "parse_subthemes",
    "parse_themes",
]
