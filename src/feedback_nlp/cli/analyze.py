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
from .help import (
    GROUP_MAP_EXAMPLE,
    INPUT_PANEL,
    OUTPUT_PANEL,
    PERFORMANCE_PANEL,
    STAR_OPTIONS,
    THEMES_PANEL,
    epilog,
)
from .options import (
    BrandTermsOption,
    CommentsOption,
    DateColOption,
    DetractorMaxOption,
    DuplicatesOption,
    GroupColOption,
    GroupMapOption,
    IdColOption,
    NoBrandDetectionOption,
    PromoterMinOption,
    QuietOption,
    RepresentationOption,
    ScaleMaxOption,
    ScaleMinOption,
    ScoreColOption,
    SeedOption,
    SegmentColOption,
    SentencesOption,
    SubthemesOption,
    TextColOption,
    ThemesOption,
    ThreadsOption,
    choices,
    parse_brand_terms,
    parse_subthemes,
    parse_themes,
)
from .run import analyze_and_report

# Options only `analyze` takes; the shared ones are in .options.
InputArgument: TypeAlias = Annotated[
    Path,
    typer.Argument(
        metavar="INPUT",
        help="Survey file: CSV, TSV, XLSX, Parquet or JSON Lines (--engine dask: "
        "CSV, TSV or Parquet, or a quoted glob like 'data/*.parquet').",
        show_default=False,
    ),
]
MetricColOption: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(
        metavar="COLUMN",
        help="Other numeric answer to summarise: CSAT, CES... (repeatable).",
        rich_help_panel=INPUT_PANEL,
    ),
]
PerSegmentOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--per-segment",
        help="Also fit each segment value's own themes.",
        rich_help_panel=THEMES_PANEL,
    ),
]
ModelOption: TypeAlias = Annotated[
    Path | None,
    typer.Option(
        metavar="FOLDER",
        help="Saved theme model (from feedback-nlp fit): its themes and ids.",
        rich_help_panel=THEMES_PANEL,
    ),
]
OutOption: TypeAlias = Annotated[
    Path,
    typer.Option(
        metavar="FOLDER",
        help="Output folder: new, empty, or a report of feedback-nlp.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
FormatOption: TypeAlias = Annotated[
    list[ReportFormat] | None,
    typer.Option(
        "--format",
        metavar="FORMAT",
        help=f"{choices(ReportFormat).replace('|', ', ')} (repeatable; default: all but xlsx).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
ForceOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace the report in --out (only files feedback-nlp wrote).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
PeriodOption: TypeAlias = Annotated[
    Period,
    typer.Option(
        metavar=choices(Period),
        help="Trend period, when there is a date column.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
LowNOption: TypeAlias = Annotated[
    int,
    typer.Option(
        metavar="N",
        help="Flag segment values with fewer respondents.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
NoRedactOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--no-redact",
        help="Keep personal data (e-mails, phones, names...) in the outputs "
        "instead of placeholders like [EMAIL].",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
NoRedactNamesOption: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--no-redact-names",
        help="Redact e-mails, phones, cards... but not person names.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
EngineOption: TypeAlias = Annotated[
    Engine,
    typer.Option(
        metavar=choices(Engine),
        help="Run here, or on a Dask cluster partition by partition.",
        rich_help_panel=PERFORMANCE_PANEL,
    ),
]
SchedulerOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) for --engine dask; default: a "
        "local cluster of 2 workers.",
        rich_help_panel=PERFORMANCE_PANEL,
    ),
]

#: The recipes under ``analyze --help``.
EPILOG = epilog(
    ("Examples:", "feedback-nlp analyze survey.csv --segment-col region --out report"),
    (
        "Star ratings (a 1-5 or 1-7 column is also recognised, with a warning):",
        f"feedback-nlp analyze reviews.csv --score-col stars \\\n    {STAR_OPTIONS}",
    ),
    (
        "A label column instead of a score:",
        "feedback-nlp analyze survey.csv --group-col sentiment \\\n"
        f"    --group-map {GROUP_MAP_EXAMPLE}",
    ),
    (
        "Scores and comments in two files, joined on an id column:",
        "feedback-nlp analyze scores.csv --comments comments.csv \\\n    --id-col respondent_id",
    ),
)


def analyze_command(
    input: InputArgument,
    seed: SeedOption = 0,
    quiet: QuietOption = False,
    comments: CommentsOption = None,
    score_col: ScoreColOption = None,
    group_col: GroupColOption = None,
    group_map: GroupMapOption = None,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
    segment_col: SegmentColOption = None,
    date_col: DateColOption = None,
    metric_col: MetricColOption = None,
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
    per_segment: PerSegmentOption = False,
    model: ModelOption = None,
    out: OutOption = Path("feedback-report"),
    format: FormatOption = None,
    force: ForceOption = False,
    period: PeriodOption = Period.month,
    low_n: LowNOption = 30,
    no_redact: NoRedactOption = False,
    no_redact_names: NoRedactNamesOption = False,
    threads: ThreadsOption = None,
    engine: EngineOption = Engine.local,
    scheduler: SchedulerOption = None,
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
