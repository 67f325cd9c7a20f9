"""``feedback-nlp demo``: generate the synthetic demo survey and analyse it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import console, esc, handle_errors
from .help import epilog
from .options import DemoSeedOption, QuietOption
from .run import analyze_and_report

#: The recipes under ``demo --help``.
EPILOG = epilog(
    ("Examples:", "feedback-nlp demo --out demo-report"),
    (
        "Only write the survey, then analyse it yourself:",
        "feedback-nlp demo --write-data survey.csv\n"
        "feedback-nlp analyze survey.csv --segment-col region --segment-col plan",
    ),
)


def demo_command(
    out: Annotated[
        Path,
        typer.Option(
            metavar="FOLDER",
            help="Output folder: new, empty, or a report of feedback-nlp.",
        ),
    ] = Path("demo-report"),
    rows: Annotated[
        int,
        typer.Option(metavar="N", min=50, help="Number of survey responses to generate."),
    ] = 3000,
    seed: DemoSeedOption = 0,
    write_data: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Only write the survey to this .csv, .parquet, .xlsx or .jsonl file.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing --write-data file (the report in --out is "
            "replaced without it).",
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Generate a realistic synthetic survey and analyse it (or only write it with --write-data)."""
    with handle_errors():
        from ..config import check_seed
        from ..demo import demo_config, write_survey
        from ..output_folder import claim_data_file, write_file

        check_seed(seed)
        if write_data is not None:
            # An existing file is refused without --force, replaced in one rename with it.
            path = write_file(
                write_data, lambda tmp: write_survey(tmp, rows=rows, seed=seed), force=force
            )
            console.print(
                f"Demo survey ({rows} rows, seed {seed}) written to [bold]{esc(path)}[/]",
                soft_wrap=True,
            )
            return
        # A demo folder is replaced without --force; the marker lists the survey as the
        # tool's before it is written, and a folder of other files is refused.
        data = write_survey(claim_data_file(out, "demo_survey.csv"), rows=rows, seed=seed)
        cfg = demo_config(data, seed=seed)
        analyze_and_report(cfg, out, force=True, quiet=quiet)
