"""What the commands share: error translation, progress, the terminal summary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from ..result import AnalysisResult
    from ..summary_types import (
        FollowupSummary,
        MetricSummary,
        Summary,
        ThemeCandidate,
        TrendsSummary,
    )

err_console = Console(stderr=True, highlight=False)
console = Console(highlight=False, width=None)


def esc(value: object) -> str:
    r"""``value`` as text rich prints as is: user text is never markup.

    Column names, segment values, paths, notes, labels and messages quoting
    input may hold ``[/]`` (rich would fail on it) or ``[link=...]`` (a
    clickable link planted in the terminal), and a file name bytes that are
    not UTF-8 (the terminal's encoder would fail on them).

    >>> esc("[link=http://x]click[/link]")
    '\\[link=http://x]click\\[/link]'
    """
    from ..config import display_path  # a file name's undecodable bytes as U+FFFD

    return escape(display_path(str(value)))


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn the project's errors into one line on stderr and exit code 1."""
    from ..errors import FeedbackError

    try:
        yield
    except FeedbackError as err:
        err_console.print(f"[bold red]Error:[/] {esc(err)}", soft_wrap=True)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        err_console.print("[bold red]Interrupted.[/] No partial report was written.")
        raise typer.Exit(code=130) from None


class _StepBar(ProgressColumn):
    """A bar for a counted step; nothing on a stage's own line."""

    def __init__(self, bar_width: int) -> None:
        super().__init__()
        self.bar = BarColumn(bar_width=bar_width)

    def render(self, task: Task) -> RenderableType:
        return Text("") if task.fields.get("stage") else self.bar.render(task)


class _TimeLeft(ProgressColumn):
    """``0:00:12 left`` while a counted step runs; blank on a stage or a finished step."""

    def render(self, task: Task) -> Text:
        if task.fields.get("stage") or task.finished or task.time_remaining is None:
            return Text("")
        seconds = int(task.time_remaining)
        return Text(f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d} left")


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[Callable[..., None] | None]:
    """Stage by stage on a terminal, each with its running time: the stage at work
    with a spinner, the finished ones above it with what they took (removed when
    the run ends). A stage whose work is counted shows, under it, the step at
    work with a bar, how many items are done of how many, and the time left.
    Nothing when quiet or not a terminal."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    columns = (
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description}"),
        _StepBar(bar_width=20),
        TextColumn("{task.fields[count]}"),
        _TimeLeft(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        stages: list[TaskID] = []
        steps: dict[str, TaskID] = {}
        last: dict[str, int] = {}

        def update(
            stage: str, step: str | None = None, done: int = 0, total: int | None = None
        ) -> None:
            if step is None:  # a new stage: the last one is done, its steps go
                for task in steps.values():
                    bar.remove_task(task)
                steps.clear()
                last.clear()
                if stages:
                    bar.update(stages[-1], total=1, completed=1)
                title = f"[bold]{esc(stage.capitalize())}"
                stages.append(bar.add_task(title, total=None, count="", stage=True))
                return
            count = "" if total is None else f"{done:,}/{total:,}"
            if step not in steps:
                steps[step] = bar.add_task(f"  {esc(step)}", total=total, count="", stage=False)
            elif done < last[step]:  # the step runs again: count afresh
                bar.reset(steps[step], total=total, completed=done, count=count)
                last[step] = done
                return
            last[step] = done
            bar.update(steps[step], total=total, completed=done, count=count)

        yield update


def warn(message: str) -> None:
    """A warning on stderr, printed even with --quiet."""
    err_console.print(f"[bold yellow]Warning:[/] {esc(message)}", soft_wrap=True)


def print_notes(notes: list[str], quiet: bool) -> None:
    if quiet:
        return
    for note in notes:
        err_console.print(f"[dim]Note:[/] {esc(note)}", soft_wrap=True)


def print_summary(result: AnalysisResult, written: dict[str, Path], quiet: bool = False) -> None:
    """NPS headline, segments, the brand names masked, top detractor themes with one
    example and their top detractor sub-themes, trends, metrics, follow-up, new theme
    candidates, where the report is. With ``quiet`` only the warnings and the last line,
    where the report is."""
    from ..report.view import score_label

    s = result.summary
    _warn_inferred_scale(s)
    if not quiet:
        _print_headline(s)
        _print_segments(result)
        _print_masked_terms(result)
        _print_top_themes(result)
        _print_segment_themes(result)
        _print_trends(s.trends, score_label(s.scale)[0])
        _print_metrics(s.metrics)
        _print_followup(s.followup, written)
        _print_candidates(s.new_theme_candidates)
    _print_report_path(written)


def _warn_inferred_scale(summary: Summary) -> None:
    """A scale read from the scores, not chosen: a warning, even with --quiet."""
    from ..report.view import headline

    scale = summary.scale
    if scale is not None and scale.inferred:
        h = headline(summary)
        warn(f"{h.label} {h.scale}: pass {scale.scale.options()} to confirm the scale.")


def _print_headline(summary: Summary) -> None:
    from ..report.view import headline

    h = headline(summary)
    rows = h.rows
    console.print(
        f"[bold]{h.label} {h.score:+.2f}[/] {h.scale + ' ' if h.scale else ''}"
        f"(95% CI {h.ci_low:+.2f} to {h.ci_high:+.2f}), "
        f"n={h.n}:\n{h.promoters} promoters, {h.passives} passives, "
        f"{h.detractors} detractors"
    )
    console.print(
        f"Rows read {rows.read}, analysed {rows.analyzed}, rejected {rows.rejected}, "
        f"without usable text {rows.no_text}."
    )


def _print_segments(result: AnalysisResult) -> None:
    from rich.table import Table

    from ..report.formatting import plain_p
    from ..report.view import score_name

    if not len(result.segments):
        return
    score = score_name(result.summary)
    table = Table(
        title=f"{score} by segment", title_justify="left", show_edge=False, pad_edge=False
    )
    for col, justify in (
        ("segment", "left"),
        ("value", "left"),
        ("n", "right"),
        (score, "right"),
        ("95% CI", "right"),
        ("vs rest p", "right"),
    ):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for rec in result.segments.itertuples(index=False):
        flag = " (low n)" if rec.low_n else ""
        table.add_row(
            esc(rec.segment),
            esc(rec.value),
            f"{rec.n}{flag}",
            f"{rec.nps:+.1f}",
            f"{rec.ci_low:+.0f}..{rec.ci_high:+.0f}",
            plain_p(rec.p_vs_rest),
        )
    console.print(table)


def _print_masked_terms(result: AnalysisResult) -> None:
    """One line: the terms masked as brand names, each with its source and share."""
    from ..report.view import brand_masking_text

    if result.masked_terms:
        line = brand_masking_text(result.masked_terms, result.config.brand_detection, counts=False)
        console.print(esc(line), soft_wrap=True)


def _print_top_themes(result: AnalysisResult) -> None:
    """The themes detractors raise significantly more, each with one detractor's comment
    and the sub-themes detractors raise significantly more within it; one line when none."""
    from ..report.formatting import plain_p, shorten
    from ..report.view import (
        no_significant_theme,
        theme_summaries,
        top_detractor_subthemes,
        top_detractor_themes,
    )

    if not len(result.themes):
        return
    top = top_detractor_themes(result.themes)
    if not len(top):
        console.print(no_significant_theme(result.config.alpha))
        return
    console.print("[bold]Top detractor themes[/] (share of detractor vs promoter comments)")
    by_id = theme_summaries(result.summary)
    for rec in top.itertuples(index=False):
        console.print(
            f"  {esc(rec.theme_id)} [bold]{esc(rec.label)}[/]: "
            f"{100 * rec.share_detractors:.0f}% vs "
            f"{100 * rec.share_promoters:.0f}% ({rec.diff_pp:+.1f} pp, "
            f"q={plain_p(rec.q_value)})",
        )
        examples = by_id[str(rec.theme_id)].examples.detractor
        if examples:
            quote = shorten(examples[0], 72, strip=False)
            console.print(f'     "{esc(quote)}"', style="dim")
        for sub in top_detractor_subthemes(result.themes, str(rec.theme_id)).itertuples(
            index=False
        ):
            console.print(
                f"     - {esc(sub.theme_id)} {esc(shorten(sub.label, 30, strip=False))}: "
                f"{100 * sub.share_detractors:.1f}% vs {100 * sub.share_promoters:.1f}% "
                f"({sub.diff_pp:+.1f} pp, q={plain_p(sub.q_value)})"
            )


#: Segment values whose own top detractor themes the terminal lists per segment column.
MAX_SEGMENT_VALUES = 8


def _print_segment_themes(result: AnalysisResult) -> None:
    """With --per-segment: per segment value, its own top detractor themes (compact)."""
    from ..report.formatting import shorten
    from ..report.view import segment_own_themes

    for col, values in segment_own_themes(result).items():
        console.print(
            f"[bold]Own themes by {esc(col)}[/] (--per-segment): top detractor themes, "
            f"q < {result.config.alpha:g}"
        )
        for v in values[:MAX_SEGMENT_VALUES]:
            head = f"  {esc(v.fit.value)} ({v.fit.comments:,} comments"
            if not v.fit.themes:
                console.print(f"{head}): no own themes, {esc(v.fit.reason)}")
                continue
            items = "; ".join(
                f"{esc(shorten(r.label, 30, strip=False))} {100 * r.share_detractors:.0f}% vs "
                f"{100 * r.share_promoters:.0f}%"
                for r in v.top.itertuples(index=False)
            )
            console.print(f"{head}, {v.fit.themes} themes): {items or 'none significant'}")
        if len(values) > MAX_SEGMENT_VALUES:
            console.print(
                f"  ... {len(values) - MAX_SEGMENT_VALUES} more values in the report "
                "and segment_own_themes.csv"
            )


def _print_trends(t: TrendsSummary | None, label: str = "NPS") -> None:
    """The last period against the one before, and detractor themes that grew or shrank."""
    from ..report.formatting import plain_p, shorten
    from ..report.view import theme_changes, trend_caveat, trend_flag_notes

    if not t:
        return
    c = t.comparison
    n = len(t.periods)
    extra = f"{n} period{'s' if n != 1 else ''}"
    if t.rows_without_date:
        extra += f", {t.rows_without_date} rows without a date left out"
    if not c:
        console.print(f"[bold]Over time[/] (by {esc(t.period)}): {extra}; no change to report.")
    else:
        sig = "significant" if c.significant else "not significant"
        console.print(
            f"[bold]Over time[/] (by {esc(t.period)}): {label} {esc(c.last.period)} "
            f"{c.last.nps:+.1f} vs {esc(c.previous.period)} {c.previous.nps:+.1f}: "
            f"{c.nps_change:+.1f} points"
        )
        console.print(f"  p={plain_p(c.p_value)}, {sig}; {extra}")
        caveat = trend_caveat(t)
        if caveat:
            console.print(f"  [yellow]{esc(caveat)}[/]")
    for note in trend_flag_notes(t):
        console.print(f"  {esc(note)}", style="dim")
    if not c:
        return
    for direction in ("grew", "shrank"):
        moved = theme_changes(c, limit=3, direction=direction)
        if moved:
            items = ", ".join(
                f"{esc(e.theme_id)} {esc(shorten(e.label, 30, strip=False))} "
                f"({e.change_pp:+.0f} pp)"
                for e in moved
            )
            console.print(f"  detractor themes that {direction}: {items}")


def _print_metrics(metrics: tuple[MetricSummary, ...] | None) -> None:
    from ..report.formatting import plain_num

    for m in metrics or ():
        g = m.by_group
        means = ", ".join(
            f"{k} {plain_num(g[k].mean, '.2f')}"
            for k in ("detractor", "passive", "promoter")
            if k in g
        )
        console.print(
            f"[bold]{esc(m.metric)}[/]: mean {plain_num(m.mean, '.2f')} "
            f"(n={m.n}), with the score r={plain_num(m.pearson_r, '+.2f')}, "
            f"rho={plain_num(m.spearman_rho, '+.2f')}"
        )
        console.print(f"  mean by group: {means}")


def _print_followup(f: FollowupSummary | None, written: dict[str, Path]) -> None:
    if f:
        console.print(
            f"[bold]Follow-up[/]{' (followup.csv)' if 'followup.csv' in written else ''}: "
            f"{f.detractors} detractors to contact, "
            f"{f.promoters} promoters to thank"
        )


def _print_candidates(candidates: tuple[ThemeCandidate, ...]) -> None:
    if candidates:
        console.print("[bold]New theme candidates[/] (comments that fit no saved theme)")
        for c in candidates:
            console.print(f"  {esc(c.theme_id)} [bold]{esc(c.label)}[/]: {c.size} comments")


def _print_report_path(written: dict[str, Path]) -> None:
    report = next(
        (
            written[k]
            for k in ("report.html", "report.md", "report.xlsx", "summary.json")
            if k in written
        ),
        next(iter(written.values())).parent if written else None,
    )
    if report is not None:  # a path is never wrapped, so it can be copied whole
        console.print(f"Report written to [bold]{esc(report)}[/]", soft_wrap=True)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
