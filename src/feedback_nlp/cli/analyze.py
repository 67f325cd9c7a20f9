"""``feedback-nlp analyze``: the main analysis of a survey export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeAlias

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
    SentenceLevel,
    parse_group_map,
)
from ._common import handle_errors, warn
from .options import (
    BrandTermsOption,
    DetractorMaxOption,
    GroupColOption,
    IdColOption,
    NoBrandDetectionOption,
    PromoterMinOption,
    QuietOption,
    RepresentationOption,
    ScaleMaxOption,
    ScaleMinOption,
    ScoreColOption,
    SeedOption,
    SentencesOption,
    SubthemesOption,
    TextColOption,
    ThemesOption,
    parse_brand_terms,
    parse_subthemes,
    parse_themes,
)
from .run import analyze_and_report

# Options only `analyze` takes; the shared ones are in .options.
InputArgument: TypeAlias = Annotated[
    Path,
    typer.Argument(
        help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines "
        "(--engine dask: CSV, TSV or Parquet, or a quoted glob like 'data/*.parquet')."
    ),
]
CommentsOption: TypeAlias = Annotated[
    Path | None,
    typer.Option("--comments", help="Separate comments file, joined to INPUT on --id-col."),
]
GroupMapOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        help='Map other labels to groups: "negative=detractor,neutral=passive,positive=promoter".'
    ),
]
SegmentColOption: TypeAlias = Annotated[
    list[str] | None, typer.Option(help="Segment column (repeat for several).")
]
DateColOption: TypeAlias = Annotated[str | None, typer.Option(help="Response date column.")]
PeriodOption: TypeAlias = Annotated[
    Period, typer.Option(help="Trend period when there is a date column.")
]
MetricColOption: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(help="Other numeric answer (CSAT, CES...) to summarise (repeatable)."),
]
FormatOption: TypeAlias = Annotated[
    list[ReportFormat] | None,
    typer.Option("--format", help="Output to write (repeatable; default: html, md, csv, json)."),
]
OutOption: TypeAlias = Annotated[
    Path,
    typer.Option(
        help="Output folder: new, empty, or a report of feedback-nlp "
        "(a folder of other files is refused)."
    ),
]
PerSegmentOption: TypeAlias = Annotated[
    bool, typer.Option("--per-segment", help="Also fit each segment value's own themes.")
]
ModelOption: TypeAlias = Annotated[
    Path | None, typer.Option(help="Saved theme model folder (from `feedback-nlp fit`).")
]
DuplicatesOption: TypeAlias = Annotated[
    DuplicatePolicy, typer.Option(help="Duplicate respondent ids: error, or keep first/last.")
]
LowNOption: TypeAlias = Annotated[
    int, typer.Option(help="Flag segment values with fewer respondents.")
]
ThreadsOption: TypeAlias = Annotated[
    int | None, typer.Option(help="Threads for numeric libraries (default: all cores).")
]
NoRedactOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--no-redact",
        help="Keep personal data (e-mails, phones, cards, names...) in the outputs; "
        "by default it is replaced by placeholders like [EMAIL].",
    ),
]
NoRedactNamesOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--no-redact-names",
        help="Redact e-mails, phones, cards... but skip person-name recognition "
        "(much faster on millions of comments).",
    ),
]
ForceOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace a report already in the --out folder "
        "(only files feedback-nlp wrote are replaced or removed).",
    ),
]
EngineOption: TypeAlias = Annotated[
    Engine,
    typer.Option(help="Run here (local) or on a Dask cluster, partition by partition (dask)."),
]
SchedulerOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address (tcp://host:8786) for --engine dask; "
        "default: a local cluster of 2 worker processes."
    ),
]


def analyze_command(
    input: InputArgument,
    comments: CommentsOption = None,
    score_col: ScoreColOption = None,
    group_col: GroupColOption = None,
    group_map: GroupMapOption = None,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
    segment_col: SegmentColOption = None,
    date_col: DateColOption = None,
    period: PeriodOption = Period.month,
    metric_col: MetricColOption = None,
    format: FormatOption = None,
    out: OutOption = Path("feedback-report"),
    seed: SeedOption = 0,
    themes: ThemesOption = "auto",
    subthemes: SubthemesOption = "auto",
    representation: RepresentationOption = Representation.auto,
    sentences: SentencesOption = SentenceLevel.auto,
    brand_terms: BrandTermsOption = None,
    no_brand_detection: NoBrandDetectionOption = False,
    per_segment: PerSegmentOption = False,
    model: ModelOption = None,
    scale_min: ScaleMinOption = None,
    scale_max: ScaleMaxOption = None,
    promoter_min: PromoterMinOption = None,
    detractor_max: DetractorMaxOption = None,
    duplicates: DuplicatesOption = DuplicatePolicy.error,
    low_n: LowNOption = 30,
    threads: ThreadsOption = None,
    no_redact: NoRedactOption = False,
    no_redact_names: NoRedactNamesOption = False,
    force: ForceOption = False,
    engine: EngineOption = Engine.local,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Analyse a survey: NPS with intervals, sentiment, themes, detractor vs promoter themes."""
    with handle_errors():
        from ..output_folder import check_output_folder

        # Keyword order is evaluation order: with several bad options, the first one named
        # here is the one reported.
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
            scale=Scale.from_options(scale_min, scale_max, promoter_min, detractor_max),
            duplicates=duplicates,
            seed=seed,
            n_themes=parse_themes(themes),
            n_subthemes=parse_subthemes(subthemes),
            representation=representation,
            sentences=sentences,
            brand_terms=parse_brand_terms(brand_terms),
            brand_detection=not no_brand_detection,
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
        warn_if_not_redacted(cfg)
        formats = [f.value for f in format or ()]
        analyze_and_report(cfg, out, formats, force=force, quiet=quiet)


def warn_if_not_redacted(cfg: AnalysisConfig) -> None:
    """Shown even with --quiet: the outputs will hold personal data."""
    if not cfg.redact:
        warn("--no-redact: personal data in the comments is written to the outputs as is.")
    elif not cfg.redact_names:
        warn("--no-redact-names: person names in the comments are not redacted.")
