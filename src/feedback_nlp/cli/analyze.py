"""``feedback-nlp analyze``: the main analysis of a survey export."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import handle_errors, print_notes, print_summary, progress_reporter


class DuplicatesChoice(str, Enum):
    error = "error"
    first = "first"
    last = "last"


class RepresentationChoice(str, Enum):
    auto = "auto"
    minilm = "minilm"
    tfidf = "tfidf"


def parse_themes(value: str) -> int | None:
    """'auto' → None, a number → int (validated by the config)."""
    from ..errors import ConfigError

    if value.strip().lower() == "auto":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"--themes must be 'auto' or a number from 2 to 100, got {value!r}.") from None


def analyze_command(
    input: Annotated[Path, typer.Argument(help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines.")],
    comments: Annotated[
        Optional[Path],
        typer.Option("--comments", help="Separate comments file, joined to INPUT on --id-col."),
    ] = None,
    score_col: Annotated[Optional[str], typer.Option(help="Column with the 0-10 score.")] = None,
    group_col: Annotated[
        Optional[str], typer.Option(help="Column with Promoter/Passive/Detractor labels (if no score).")
    ] = None,
    group_map: Annotated[
        Optional[str],
        typer.Option(help='Map other labels to groups: "negative=detractor,neutral=passive,positive=promoter".'),
    ] = None,
    text_col: Annotated[Optional[str], typer.Option(help="Column with the open-text comment.")] = None,
    id_col: Annotated[Optional[str], typer.Option(help="Respondent id column (row numbers otherwise).")] = None,
    segment_col: Annotated[
        Optional[list[str]], typer.Option(help="Segment column (repeat for several).")
    ] = None,
    date_col: Annotated[Optional[str], typer.Option(help="Response date column.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("feedback-report"),
    seed: Annotated[int, typer.Option(help="Random seed: same input and seed give identical tables.")] = 0,
    themes: Annotated[str, typer.Option(help="Number of themes, or 'auto'.")] = "auto",
    representation: Annotated[
        RepresentationChoice, typer.Option(help="Text representation for themes.")
    ] = RepresentationChoice.auto,
    brand_terms: Annotated[
        Optional[list[str]],
        typer.Option(help="Brand/company names to mask, comma-separated (repeatable)."),
    ] = None,
    per_segment: Annotated[
        bool, typer.Option("--per-segment", help="Also fit each segment value's own themes.")
    ] = False,
    model: Annotated[
        Optional[Path], typer.Option(help="Saved theme model folder (from `feedback-nlp fit`).")
    ] = None,
    scale_min: Annotated[float, typer.Option(help="Lowest possible score.")] = 0.0,
    scale_max: Annotated[float, typer.Option(help="Highest possible score.")] = 10.0,
    promoter_min: Annotated[float, typer.Option(help="Scores >= this are promoters.")] = 9.0,
    detractor_max: Annotated[float, typer.Option(help="Scores <= this are detractors.")] = 6.0,
    duplicates: Annotated[
        DuplicatesChoice, typer.Option(help="Duplicate respondent ids: error, or keep first/last.")
    ] = DuplicatesChoice.error,
    low_n: Annotated[int, typer.Option(help="Flag segment values with fewer respondents.")] = 30,
    threads: Annotated[
        Optional[int], typer.Option(help="Threads for numeric libraries (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
) -> None:
    """Analyse a survey: NPS with intervals, sentiment, themes, detractor vs promoter themes."""
    with handle_errors():
        from ..config import AnalysisConfig, DuplicatePolicy, Representation, Scale, parse_group_map
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
            scale=Scale(scale_min, scale_max, promoter_min, detractor_max),
            duplicates=DuplicatePolicy(duplicates.value),
            seed=seed,
            n_themes=parse_themes(themes),
            representation=Representation(representation.value),
            brand_terms=tuple(
                t.strip() for spec in brand_terms or () for t in spec.split(",") if t.strip()
            ),
            per_segment=per_segment,
            model_path=model,
            low_n=low_n,
            threads=threads,
        )
        with progress_reporter(quiet) as progress:
            result = analyze(cfg, progress=progress)
            written = write_report(result, out)
        print_notes(result.notes, quiet)
        print_summary(result, written)
