"""``feedback-nlp fit``: fit a theme model on a survey and save it under models/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer

from ..config import (
    AnalysisConfig,
    DuplicatePolicy,
    Representation,
    Scale,
    SentenceLevel,
    parse_group_map,
)
from ._common import console, esc, handle_errors, print_notes, warn
from .help import MODEL_PANEL, STAR_OPTIONS, epilog
from .options import (
    BrandTermsOption,
    CommentsOption,
    DateColOption,
    DetractorMaxOption,
    DuplicatesOption,
    GroupColOption,
    GroupMapOption,
    IdColOption,
    ModelSeedOption,
    NoBrandDetectionOption,
    PromoterMinOption,
    QuietFitOption,
    RepresentationOption,
    ScaleMaxOption,
    ScaleMinOption,
    ScoreColOption,
    SegmentColOption,
    SentencesOption,
    SubthemesOption,
    TextColOption,
    ThemesOption,
    ThreadsOption,
    parse_brand_terms,
    parse_subthemes,
    parse_themes,
)

# Options only `fit` takes; the shared ones are in .options.
InputArgument: TypeAlias = Annotated[
    Path,
    typer.Argument(
        metavar="INPUT",
        help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines.",
        exists=True,
        dir_okay=False,
        readable=True,
        show_default=False,
    ),
]
SaveOption: TypeAlias = Annotated[
    Path,
    typer.Option(
        "--save",
        metavar="NAME",
        help="Model folder to write: models/NAME.",
        rich_help_panel=MODEL_PANEL,
    ),
]
CodebookOption: TypeAlias = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Edited codebook.yaml to apply (rename, merge, seed, split...).",
        exists=True,
        dir_okay=False,
        readable=True,
        rich_help_panel=MODEL_PANEL,
    ),
]
PreviousOption: TypeAlias = Annotated[
    Path | None,
    typer.Option(
        metavar="NAME",
        help="Previous model: its matching themes keep their ids.",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelsRootOption: TypeAlias = Annotated[
    Path,
    typer.Option(
        metavar="FOLDER", help="Folder that model names are in.", rich_help_panel=MODEL_PANEL
    ),
]
ForceOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace the model in --save (only files feedback-nlp wrote).",
        rich_help_panel=MODEL_PANEL,
    ),
]

#: The recipes under ``fit --help``.
EPILOG = epilog(
    (
        "Fit once, then analyse each batch with the model (same theme ids):",
        "feedback-nlp fit survey.csv --segment-col region --save weekly\n"
        "feedback-nlp analyze next.csv --segment-col region --model models/weekly",
    ),
    (
        "Apply an edited codebook (merge, split, seed), keeping the ids:",
        "feedback-nlp fit survey.csv --codebook models/weekly/codebook.yaml \\\n"
        "    --previous weekly --save weekly --force",
    ),
    (
        "Star ratings, labels, two files: the input options of analyze, e.g.",
        f"feedback-nlp fit reviews.csv --save reviews \\\n    {STAR_OPTIONS}",
    ),
)


def fit_command(
    input: InputArgument,
    save: SaveOption,
    seed: ModelSeedOption = 0,
    quiet: QuietFitOption = False,
    codebook: CodebookOption = None,
    previous: PreviousOption = None,
    models_root: ModelsRootOption = Path("models"),
    force: ForceOption = False,
    comments: CommentsOption = None,
    score_col: ScoreColOption = None,
    group_col: GroupColOption = None,
    group_map: GroupMapOption = None,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
    segment_col: SegmentColOption = None,
    date_col: DateColOption = None,
    duplicates: DuplicatesOption = DuplicatePolicy.error,
    scale_min: ScaleMinOption = None,
    scale_max: ScaleMaxOption = None,
    promoter_min: PromoterMinOption = None,
    detractor_max: DetractorMaxOption = None,
    themes: ThemesOption = "auto",
    subthemes: SubthemesOption = "auto",
    representation: RepresentationOption = Representation.auto,
    sentences: SentencesOption = SentenceLevel.auto,
    brand_terms: BrandTermsOption = None,
    no_brand_detection: NoBrandDetectionOption = False,
    threads: ThreadsOption = None,
) -> None:
    """Fit a theme model on a survey and save it (plus an editable codebook.yaml)."""
    with handle_errors():
        from ..plan.fitting import fit_survey
        from ..themes.codebook import load_codebook
        from ..themes.folders import check_model_folder
        from ..themes.persist import load_model, resolve_model_dir, save_model

        # Keyword order is evaluation order, as in analyze: the first bad option is reported.
        cfg = AnalysisConfig(
            input=input,
            comments=comments,
            score_col=score_col,
            group_col=group_col,
            group_map=parse_group_map(group_map),
            text_col=text_col,
            id_col=id_col,
            segment_cols=tuple(segment_col or ()),
            date_col=date_col,
            scale=Scale.from_options(scale_min, scale_max, promoter_min, detractor_max),
            duplicates=duplicates,
            seed=seed,
            n_themes=parse_themes(themes),
            n_subthemes=parse_subthemes(subthemes),
            representation=representation,
            sentences=sentences,
            brand_terms=parse_brand_terms(brand_terms),
            brand_detection=not no_brand_detection,
            threads=threads,
        )
        # Before the fit: a folder of other files, or one that cannot be written, is
        # refused now rather than after minutes of fitting.
        target = resolve_model_dir(save, models_root, for_save=True)
        check_model_folder(target, force=force)
        cb = load_codebook(codebook) if codebook is not None else None
        # The re-fit that applies a codebook loads the previous model as saved: its
        # folder's edited codebook is not applied twice, nor warned about as not applied.
        prev = (
            load_model(previous, models_root=models_root, edited_codebook=cb is None)
            if previous is not None
            else None
        )
        outcome = fit_survey(cfg, codebook=cb, previous=prev)
        path = save_model(
            outcome.model,
            save,
            codebook=outcome.codebook,
            training_info=outcome.training_info,
            overwrite=force,
            models_root=models_root,
        )
        print_notes(outcome.notes, quiet)
        if outcome.scale is not None and outcome.scale.inferred:  # even with --quiet, as analyze
            s = outcome.scale.scale
            warn(
                f"Scale inferred: scores read on a {s.minimum:g}-{s.maximum:g} scale "
                f"({s.mapping()}), not 0-10; pass {s.options()} to confirm the scale."
            )
        print_saved_model(outcome.model.themes_, path, outcome.model.subtheme_rows(), quiet)


def print_saved_model(
    themes: list[dict[str, Any]],
    path: Path,
    subthemes: list[dict[str, Any]] | None = None,
    quiet: bool = False,
) -> None:
    """One line a theme (with its number of sub-themes), where the model is, and
    what to do with it; with ``quiet`` only where the model is.

    Each line short of 80 columns but for the path, and never wrapped, so a
    path is copied whole.
    """
    subs = subthemes or []
    if not quiet:
        for t in themes:
            n = sum(1 for s in subs if s["parent_id"] == t["theme_id"])
            kids = f", {_count(n, 'sub-theme')}" if n else ""
            size = _count(t["size"], "comment")
            console.print(
                f"  {esc(t['theme_id'])} [bold]{esc(t['label'])}[/] ({size}{kids})",
                soft_wrap=True,
            )
    tree = f" and {_count(len(subs), 'sub-theme')}" if subs else ""
    lines = [f"Saved {_count(len(themes), 'theme')}{tree} to [bold]{esc(path)}[/]"]
    if not quiet:
        lines += [
            f"Use it: feedback-nlp analyze DATA --model {esc(path)}",
            f"Edit {esc(path / 'codebook.yaml')} to rename, merge, split or exclude themes.",
        ]
    for line in lines:
        console.print(line, soft_wrap=True)


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1.

    >>> _count(1, "theme"), _count(3, "sub-theme"), _count(0, "comment")
    ('1 theme', '3 sub-themes', '0 comments')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"
