"""``feedback-nlp demo``: generate the synthetic demo survey and analyse it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import console, esc, handle_errors
from .options import DemoSeedOption, QuietOption
from .run import analyze_and_report


def demo_command(
    out: Annotated[
        Path,
        typer.Option(help="Output folder for the report: new, empty, or a report of feedback-nlp."),
    ] = Path("demo-report"),
    rows: Annotated[
        int, typer.Option(min=50, help="Number of survey responses to generate.")
    ] = 3000,
    seed: DemoSeedOption = 0,
    write_data: Annotated[
        Path | None,
        typer.Option(
            help="Only write the generated survey to this file (.csv, .parquet, .xlsx, .jsonl)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing --write-data file (the demo's report in --out "
            "is replaced without it).",
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
            console.print(f"Demo survey ({rows} rows, seed {seed}) written to [bold]{esc(path)}[/]")
            return
        # A demo folder is replaced without --force; the marker lists the survey as the
        # tool's before it is written, and a folder of other files is refused.
        data = write_survey(claim_data_file(out, "demo_survey.csv"), rows=rows, seed=seed)
        cfg = demo_config(data, seed=seed)
        analyze_and_report(cfg, out, force=True, quiet=quiet)
