"""``feedback-nlp fit``: fit a theme model on a survey and save it under models/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import AnalysisConfig, Representation
from ._common import console, handle_errors, print_notes
from .analyze import parse_themes


def fit_command(
    input: Annotated[
        Path,
        typer.Argument(
            help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    save: Annotated[
        Path, typer.Option("--save", help="Model folder to write: models/NAME (or a bare NAME).")
    ],
    codebook: Annotated[
        Path | None,
        typer.Option(
            help="Edited codebook.yaml to apply (rename, merge, seed, split, exclude).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(help="Previous model folder: matching themes keep its ids."),
    ] = None,
    themes: Annotated[str, typer.Option(help="Number of themes, or 'auto'.")] = "auto",
    seed: Annotated[
        int, typer.Option(help="Random seed: same input and seed give the same model.")
    ] = 0,
    representation: Annotated[
        Representation, typer.Option(help="Text representation for themes.")
    ] = Representation.auto,
    score_col: Annotated[str | None, typer.Option(help="Column with the 0-10 score.")] = None,
    group_col: Annotated[
        str | None,
        typer.Option(help="Column with Promoter/Passive/Detractor labels (if no score)."),
    ] = None,
    text_col: Annotated[str | None, typer.Option(help="Column with the open-text comment.")] = None,
    id_col: Annotated[
        str | None, typer.Option(help="Respondent id column (row numbers otherwise).")
    ] = None,
    brand_terms: Annotated[
        list[str] | None,
        typer.Option(help="Brand/company names to mask, comma-separated (repeatable)."),
    ] = None,
    models_root: Annotated[Path, typer.Option(help="Folder that model names resolve in.")] = Path(
        "models"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing model folder.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No notes.")] = False,
) -> None:
    """Fit a theme model on a survey and save it (plus an editable codebook.yaml)."""
    with handle_errors():
        from ..themes.codebook import fit_survey, load_codebook
        from ..themes.persist import load_model, resolve_model_dir, save_model

        target = resolve_model_dir(save, models_root, for_save=True)
        if target.exists() and not force:
            from ..errors import ModelError

            raise ModelError(f"Model folder {target} already exists; pass --force to replace it.")
        cfg = AnalysisConfig(
            input=input,
            score_col=score_col,
            group_col=group_col,
            text_col=text_col,
            id_col=id_col,
            seed=seed,
            n_themes=parse_themes(themes),
            representation=representation,
            brand_terms=tuple(
                t.strip() for spec in brand_terms or () for t in spec.split(",") if t.strip()
            ),
        )
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
        for t in outcome.model.themes_:
            console.print(
                f"  {t['theme_id']} [bold]{t['label']}[/] ({t['size']} comments)", soft_wrap=True
            )
        console.print(
            f"Saved {len(outcome.model.themes_)} themes to [bold]{path}[/]; "
            f"edit {path / 'codebook.yaml'} to rename, merge, seed, split or exclude."
        )
