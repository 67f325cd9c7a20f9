"""Reports people read (Markdown, HTML, Excel) and the tables machines read, written together."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..arguments import as_names
from ..config import DEFAULT_FORMATS, ReportFormat
from ..errors import ConfigError
from ..output import write_bytes, write_tables, write_text
from ..output_folder import report_folder
from ..result import AnalysisResult
from .markdown import render_markdown

__all__ = ["write_report", "render_markdown", "parse_formats"]


def parse_formats(formats: Iterable[ReportFormat | str] | None) -> tuple[ReportFormat, ...]:
    """Validate output formats; ``None`` or empty gives the default formats.

    >>> [f.value for f in parse_formats(["xlsx", "csv", "xlsx"])]
    ['xlsx', 'csv']
    >>> [f.value for f in parse_formats("html")]
    ['html']
    """
    chosen: list[ReportFormat] = []
    # One format is a list of one, not of its letters.
    for f in as_names(formats, "formats", "format name"):
        try:
            fmt = ReportFormat(f.value if isinstance(f, ReportFormat) else str(f).strip().lower())
        except ValueError:
            choices = ", ".join(x.value for x in ReportFormat)
            raise ConfigError(f"Unknown output format {f!r}: choose from {choices}.") from None
        if fmt not in chosen:
            chosen.append(fmt)
    return tuple(chosen) or DEFAULT_FORMATS


def write_report(
    result: AnalysisResult,
    out_dir: Path,
    formats: Iterable[ReportFormat | str] | None = None,
    *,
    force: bool = False,
) -> dict[str, Path]:
    """Write the chosen outputs into ``out_dir``; return output name → path.

    Parameters
    ----------
    result : AnalysisResult
        The output of :func:`feedback_nlp.pipeline.analyze`.
    out_dir : pathlib.Path
        The folder (created when missing).
    formats : iterable of ``"html"``, ``"md"``, ``"csv"``, ``"json"``, ``"xlsx"``, optional
        ``csv`` writes every CSV table, ``json`` writes ``summary.json``, ``md``
        ``report.md``, ``html`` ``report.html``, ``xlsx`` ``report.xlsx``.
        Default: all but ``xlsx``.

    force : bool, default=False
        Replace a report already in ``out_dir`` (else :class:`OutputError`).

    ``out_dir`` must be missing, empty or a report of this tool: a folder of
    other files is refused, ``force`` or not, and files the tool did not write
    are never replaced or deleted. The report is written into a private
    temporary folder inside ``out_dir`` and moved in at the end
    (:func:`~feedback_nlp.output_folder.report_folder`): an error or an
    interrupt leaves the previous report intact. With ``force`` the folder
    then holds exactly the new report: files of the previous report that
    this one does not write (a format not chosen this time, a table this
    input has none of) are removed. To fail before a long analysis rather
    than after it, call :func:`feedback_nlp.output_folder.check_output_folder`
    first (the CLI does).
    """
    chosen = parse_formats(formats)
    with report_folder(Path(out_dir), force=force) as tmp:
        written = _write_outputs(result, tmp, chosen)
    return {name: Path(out_dir) / path.relative_to(tmp) for name, path in written.items()}


def _write_outputs(
    result: AnalysisResult, out_dir: Path, chosen: tuple[ReportFormat, ...]
) -> dict[str, Path]:
    written = write_tables(
        result, out_dir, tables=ReportFormat.csv in chosen, summary=ReportFormat.json in chosen
    )
    if ReportFormat.md in chosen:
        written["report.md"] = write_text(out_dir / "report.md", render_markdown(result))
    if ReportFormat.xlsx in chosen:
        from .xlsx import render_xlsx

        written["report.xlsx"] = write_bytes(out_dir / "report.xlsx", render_xlsx(result))
    if ReportFormat.html in chosen:
        from .html import render_html

        written["report.html"] = write_text(out_dir / "report.html", render_html(result))
    return written
