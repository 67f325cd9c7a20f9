"""The step `analyze` and `demo` share: run one analysis, write its report, print the summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import print_notes, print_summary, progress_reporter

if TYPE_CHECKING:
    from ..config import AnalysisConfig, ReportFormat


def analyze_and_report(
    cfg: AnalysisConfig,
    out: Path,
    formats: Sequence[ReportFormat | str] | None = None,
    *,
    force: bool,
    quiet: bool,
) -> None:
    """Analyse with progress on a terminal, write the report into ``out``, then print notes
    and the summary (``formats=None``: the library's default outputs)."""
    from ..pipeline import analyze
    from ..report import write_report

    with progress_reporter(quiet) as progress:
        result = analyze(cfg, progress=progress)
        written = write_report(result, out, formats, force=force)
    print_notes(result.notes, quiet)
    print_summary(result, written, quiet=quiet)
