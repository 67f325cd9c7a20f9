"""``feedback-nlp analyze``: the main analysis of a survey export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# The config's str Enums, so --help lists the choices (config imports nothing heavy).
from ..config import (
    AnalysisConfig,
    DuplicatePolicy,
    Engine,
    Period,
    ReportFormat,
    Representation,
    Scale,
    parse_group_map,
)
from ._common import handle_errors, print_notes, print_summary, progress_reporter, warn


def parse_themes(value: str) -> int | None:
    """'auto' → None, a number → int (validated by the config)."""
    from ..errors import ConfigError

    if value.strip().lower() == "auto":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(
            f"--themes must be 'auto' or a number from 2 to 100, got {value!r}."
        ) from None


def analyze_command(
    input: Annotated[
        Path,
        typer.Argument(
            help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines "
            "(--engine dask: CSV, TSV or Parquet, or a quoted glob like 'data/*.parquet')."
        ),
    ],
    comments: Annotated[
        Path | None,
        typer.Option("--comments", help="Separate comments file, joined to INPUT on --id-col."),
    ] = None,
    score_col: Annotated[str | None, typer.Option(help="Column with the 0-10 score.")] = None,
    group_col: Annotated[
        str | None,
        typer.Option(help="Column with Promoter/Passive/Detractor labels (if no score)."),
    ] = None,
    group_map: Annotated[
        str | None,
        typer.Option(
            help="Map other labels to groups: "
            '"negative=detractor,neutral=passive,positive=promoter".'
        ),
    ] = None,
    text_col: Annotated[str | None, typer.Option(help="Column with the open-text comment.")] = None,
    id_col: Annotated[
        str | None, typer.Option(help="Respondent id column (row numbers otherwise).")
    ] = None,
    segment_col: Annotated[
        list[str] | None, typer.Option(help="Segment column (repeat for several).")
    ] = None,
    date_col: Annotated[str | None, typer.Option(help="Response date column.")] = None,
    period: Annotated[
        Period, typer.Option(help="Trend period when there is a date column.")
    ] = Period.month,
    metric_col: Annotated[
        list[str] | None,
        typer.Option(help="Other numeric answer (CSAT, CES...) to summarise (repeatable)."),
    ] = None,
    format: Annotated[
        list[ReportFormat] | None,
        typer.Option(
            "--format", help="Output to write (repeatable; default: html, md, csv, json)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("feedback-report"),
    seed: Annotated[
        int, typer.Option(help="Random seed: same input and seed give identical tables.")
    ] = 0,
    themes: Annotated[str, typer.Option(help="Number of themes, or 'auto'.")] = "auto",
    representation: Annotated[
        Representation, typer.Option(help="Text representation for themes.")
    ] = Representation.auto,
    brand_terms: Annotated[
        list[str] | None,
        typer.Option(help="Brand/company names to mask, comma-separated (repeatable)."),
    ] = None,
    per_segment: Annotated[
        bool, typer.Option("--per-segment", help="Also fit each segment value's own themes.")
    ] = False,
    model: Annotated[
        Path | None, typer.Option(help="Saved theme model folder (from `feedback-nlp fit`).")
    ] = None,
    scale_min: Annotated[float, typer.Option(help="Lowest possible score.")] = 0.0,
    scale_max: Annotated[float, typer.Option(help="Highest possible score.")] = 10.0,
    promoter_min: Annotated[float, typer.Option(help="Scores >= this are promoters.")] = 9.0,
    detractor_max: Annotated[float, typer.Option(help="Scores <= this are detractors.")] = 6.0,
    duplicates: Annotated[
        DuplicatePolicy, typer.Option(help="Duplicate respondent ids: error, or keep first/last.")
    ] = DuplicatePolicy.error,
    low_n: Annotated[int, typer.Option(help="Flag segment values with fewer respondents.")] = 30,
    threads: Annotated[
        int | None, typer.Option(help="Threads for numeric libraries (default: all cores).")
    ] = None,
    no_redact: Annotated[
        bool,
        typer.Option(
            "--no-redact",
            help="Keep personal data (e-mails, phones, cards, names...) in the outputs; "
            "by default it is replaced by placeholders like [EMAIL].",
        ),
    ] = False,
    no_redact_names: Annotated[
        bool,
        typer.Option(
            "--no-redact-names",
            help="Redact e-mails, phones, cards... but skip person-name recognition "
            "(much faster on millions of comments).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a report already in the --out folder.")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(help="Run here (local) or on a Dask cluster, partition by partition (dask)."),
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://host:8786) for --engine dask; "
            "default: a local cluster of 2 worker processes."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
) -> None:
    """Analyse a survey: NPS with intervals, sentiment, themes, detractor vs promoter themes."""
    with handle_errors():
        from ..output import check_output_folder
        from ..pipeline import analyze
        from ..report import write_report

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
            period=period,
            metric_cols=tuple(metric_col or ()),
            scale=Scale(scale_min, scale_max, promoter_min, detractor_max),
            duplicates=duplicates,
            seed=seed,
            n_themes=parse_themes(themes),
            representation=representation,
            brand_terms=tuple(
                t.strip() for spec in brand_terms or () for t in spec.split(",") if t.strip()
            ),
            per_segment=per_segment,
            model_path=model,
            low_n=low_n,
            threads=threads,
            redact=not no_redact,
            redact_names=not no_redact_names,
            engine=engine,
            scheduler=scheduler,
        )
        check_output_folder(out, force=force)
        if no_redact:  # shown even with --quiet: the outputs will hold personal data
            warn("--no-redact: personal data in the comments is written to the outputs as is.")
        elif no_redact_names:
            warn("--no-redact-names: person names in the comments are not redacted.")
        with progress_reporter(quiet) as progress:
            result = analyze(cfg, progress=progress)
            formats = [f.value for f in format or ()]
            written = write_report(result, out, formats, force=force)
        print_notes(result.notes, quiet)
        print_summary(result, written)
