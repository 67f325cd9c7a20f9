"""What the commands share: error translation, progress, the terminal summary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from ..result import AnalysisResult

err_console = Console(stderr=True, highlight=False)
console = Console(highlight=False, width=None)


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn the project's errors into one line on stderr and exit code 1."""
    from ..errors import FeedbackError

    try:
        yield
    except FeedbackError as err:
        err_console.print(f"[bold red]Error:[/] {err}", soft_wrap=True)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        err_console.print("[bold red]Interrupted.[/] No partial report was written.")
        raise typer.Exit(code=130) from None


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A stage-by-stage spinner on a terminal; nothing when quiet or not a terminal."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    with err_console.status("Starting…") as status:

        def update(stage: str) -> None:
            status.update(f"[bold]{stage.capitalize()}…")

        yield update


def print_notes(notes: list[str], quiet: bool) -> None:
    if quiet:
        return
    for note in notes:
        err_console.print(f"[dim]Note:[/] {note}", soft_wrap=True)


def print_summary(result: AnalysisResult, written: dict[str, Path]) -> None:
    """NPS headline, segments, top detractor themes with one example, where the report is."""
    from rich.table import Table

    s = result.summary
    nps = s["nps"]
    rows = s["rows"]
    console.print(
        f"[bold]NPS {nps['score']:+.2f}[/] (95% CI {nps['ci95'][0]:+.2f} to {nps['ci95'][1]:+.2f}), "
        f"n={nps['n']}: {nps['promoters']} promoters, {nps['passives']} passives, "
        f"{nps['detractors']} detractors"
    )
    console.print(
        f"Rows read {rows['read']}, analysed {rows['analyzed']}, rejected {rows['rejected']}, "
        f"without usable text {rows['no_text']}."
    )
    if len(result.segments):
        table = Table(title="NPS by segment", title_justify="left", show_edge=False, pad_edge=False)
        for col, justify in (("segment", "left"), ("value", "left"), ("n", "right"),
                             ("NPS", "right"), ("95% CI", "right"), ("vs rest p", "right")):
            table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for rec in result.segments.itertuples(index=False):
            flag = " (low n)" if rec.low_n else ""
            table.add_row(
                str(rec.segment), str(rec.value), f"{rec.n}{flag}", f"{rec.nps:+.1f}",
                f"{rec.ci_low:+.0f}..{rec.ci_high:+.0f}", _p(rec.p_vs_rest),
            )
        console.print(table)
    themes = result.themes.sort_values(["diff_pp", "theme_id"], ascending=[False, True])
    top = themes[themes["diff_pp"] > 0].head(5)
    if len(top):
        console.print("[bold]Top detractor themes[/] (share of detractor vs promoter comments)")
        by_id = {t["theme_id"]: t for t in s["themes"]}
        for rec in top.itertuples(index=False):
            sig = "" if rec.significant else " (not significant)"
            console.print(
                f"  {rec.theme_id} [bold]{rec.label}[/]: {100 * rec.share_detractors:.0f}% vs "
                f"{100 * rec.share_promoters:.0f}% ({rec.diff_pp:+.1f} pp, q={_p(rec.q_value)}){sig}",
                soft_wrap=True,
            )
            examples = by_id[rec.theme_id]["examples"]["detractor"]
            if examples:
                console.print(f'     "{_short(examples[0])}"', style="dim", soft_wrap=True)
    candidates = s.get("new_theme_candidates") or []
    if candidates:
        console.print("[bold]New theme candidates[/] (comments that fit no saved theme)")
        for c in candidates:
            console.print(f"  {c['theme_id']} [bold]{c['label']}[/]: {c['size']} comments", soft_wrap=True)
    report = written.get("report.html") or written.get("report.md") or written.get("summary.json")
    if report is not None:
        console.print(f"Report written to [bold]{report}[/]")


def _p(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    if v != v:
        return "-"
    return "<0.001" if v < 0.001 else f"{v:.3f}"


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
