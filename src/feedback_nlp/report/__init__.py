"""Reports people read (Markdown, HTML) and the tables machines read, written together."""

from __future__ import annotations

from pathlib import Path

from ..output import write_tables, write_text
from ..result import AnalysisResult
from .markdown import render_markdown

__all__ = ["write_report", "render_markdown"]


def write_report(result: AnalysisResult, out_dir: Path) -> dict[str, Path]:
    """Write all tables, ``summary.json``, ``report.md`` and ``report.html`` into ``out_dir``.

    Returns output name → path. Every file is written atomically.
    """
    written = write_tables(result, out_dir)
    written["report.md"] = write_text(out_dir / "report.md", render_markdown(result))
    try:
        from .html import render_html
    except ImportError:  # pragma: no cover - html renderer not built yet
        return written
    written["report.html"] = write_text(out_dir / "report.html", render_html(result))
    return written
