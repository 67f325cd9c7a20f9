"""Counts of work done inside a stage, for progress bars that can say the time left.

A stage (see :class:`feedback_nlp.execution.Timer`) installs a reporter while
it runs; the loops that do the per-text work of that stage (the forked maps of
:mod:`feedback_nlp.parallel`, the embedding batches) call :func:`advance` with
how many items of a named step are done out of how many. With no reporter
installed, :func:`advance` does nothing, so the work never depends on whether
anyone watches.

>>> seen = []
>>> with reporting(lambda step, done, total: seen.append((step, done, total))):
...     advance("sentiment", 50, 200)
>>> advance("sentiment", 200, 200)  # nobody watching: nothing happens
>>> seen
[('sentiment', 50, 200)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Advance", "advance", "reporting", "watched"]

#: Called with a step's name, the items done so far, and the items in all.
Advance = Callable[[str, int, int], None]

_CURRENT: ContextVar[Advance | None] = ContextVar("feedback_nlp_progress", default=None)


@contextmanager
def reporting(report: Advance | None) -> Iterator[None]:
    """Send :func:`advance` calls made inside the block to ``report``."""
    token = _CURRENT.set(report)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def advance(step: str, done: int, total: int) -> None:
    """Tell the running stage's reporter that ``done`` of ``total`` items of ``step`` are done."""
    report = _CURRENT.get()
    if report is not None:
        report(step, done, total)


def watched() -> bool:
    """True when a reporter is installed (a loop may then split its work to report it)."""
    return _CURRENT.get() is not None
