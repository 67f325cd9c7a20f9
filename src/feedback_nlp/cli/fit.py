"""``feedback-nlp fit``: fit a theme model on a survey and save it under models/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer

from ..config import AnalysisConfig, Representation, Scale, SentenceLevel
from ._common import console, esc, handle_errors, print_notes, warn
from .options import (
    BrandTermsOption,
    DetractorMaxOption,
    GroupColOption,
    IdColOption,
    ModelSeedOption,
    NoBrandDetectionOption,
    PromoterMinOption,
    QuietNotesOption,
    RepresentationOption,
    ScaleMaxOption,
    ScaleMinOption,
    ScoreColOption,
    SentencesOption,
    SubthemesOption,
    TextColOption,
    ThemesOption,
    parse_brand_terms,
    parse_subthemes,
    parse_themes,
)

# Options only `fit` takes; the shared ones are in .options.
InputArgument: TypeAlias = Annotated[
    Path,
    typer.Argument(
        help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]
SaveOption: TypeAlias = Annotated[
    Path, typer.Option("--save", help="Model folder to write: models/NAME (or a bare NAME).")
]
CodebookOption: TypeAlias = Annotated[
    Path | None,
    typer.Option(
        help="Edited codebook.yaml to apply (rename, merge, seed, split, exclude).",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]
PreviousOption: TypeAlias = Annotated[
    Path | None,
    typer.Option(help="Previous model folder: matching themes keep its ids."),
]
ModelsRootOption: TypeAlias = Annotated[
    Path, typer.Option(help="Folder that model names resolve in.")
]
ForceOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace a saved model already in the --save folder "
        "(only files feedback-nlp wrote are replaced or removed).",
    ),
]


def fit_command(
    input: InputArgument,
    save: SaveOption,
    codebook: CodebookOption = None,
    previous: PreviousOption = None,
    themes: ThemesOption = "auto",
    subthemes: SubthemesOption = "auto",
    seed: ModelSeedOption = 0,
    representation: RepresentationOption = Representation.auto,
    sentences: SentencesOption = SentenceLevel.auto,
    score_col: ScoreColOption = None,
    group_col: GroupColOption = None,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
    scale_min: ScaleMinOption = None,
    scale_max: ScaleMaxOption = None,
    promoter_min: PromoterMinOption = None,
    detractor_max: DetractorMaxOption = None,
    brand_terms: BrandTermsOption = None,
    no_brand_detection: NoBrandDetectionOption = False,
    models_root: ModelsRootOption = Path("models"),
    force: ForceOption = False,
    quiet: QuietNotesOption = False,
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
            score_col=score_col,
            group_col=group_col,
            text_col=text_col,
            id_col=id_col,
            scale=Scale.from_options(scale_min, scale_max, promoter_min, detractor_max),
            seed=seed,
            n_themes=parse_themes(themes),
            n_subthemes=parse_subthemes(subthemes),
            representation=representation,
            sentences=sentences,
            brand_terms=parse_brand_terms(brand_terms),
            brand_detection=not no_brand_detection,
        )
        # Before the fit: a folder of other files, or one that cannot be written, is
        # refused now rather than after minutes of fitting.
        target = resolve_model_dir(save, models_root, for_save=True)
        check_model_folder(target, force=force)
        cb = load_codebook(codebook) if codebook is not None else None
        prev = load_model(previous, models_root=models_root) if previous is not None else None
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
        print_saved_model(outcome.model.themes_, path, outcome.model.subtheme_rows())


def print_saved_model(
    themes: list[dict[str, Any]], path: Path, subthemes: list[dict[str, Any]] | None = None
) -> None:
    """One line a theme (with its number of sub-themes), then where the model and
    its codebook are."""
    subs = subthemes or []
    for t in themes:
        n = sum(1 for s in subs if s["parent_id"] == t["theme_id"])
        kids = f", {n} sub-themes" if n else ""
        console.print(
            f"  {esc(t['theme_id'])} [bold]{esc(t['label'])}[/] ({t['size']} comments{kids})",
            soft_wrap=True,
        )
    tree = f" and {len(subs)} sub-themes" if subs else ""
    console.print(
        f"Saved {len(themes)} themes{tree} to [bold]{esc(path)}[/]; "
        f"edit {esc(path / 'codebook.yaml')} to rename, merge, move, seed, split or exclude."
    )
