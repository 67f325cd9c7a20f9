"""How the analysis plan's per-chunk steps run: the one place engines differ.

The plan (:mod:`feedback_nlp.plan`) is written once against :class:`Executor`:
``map`` a per-chunk function over chunks, ``gather`` the small answers,
``scatter`` a value every chunk needs. :class:`LocalExecutor` runs them in
this process on one chunk, each step spreading its work over ``workers``
processes; the Dask engine's executor runs them on a cluster, one worker
thread per chunk. Nothing here imports pandas, numpy or dask.

>>> ex = LocalExecutor(workers=1)
>>> ex.gather(ex.map(lambda a, b, c: a + b + c, [1, 2], [10, 20], c=100))
[111, 122]
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from .progress import Advance, reporting

__all__ = ["Executor", "LocalExecutor", "Progress", "Timer", "counts_wanted"]

#: Called with each stage's name as it starts (``progress(stage)``). A callback
#: that also takes the keywords ``step``, ``done`` and ``total`` (or ``**kwargs``)
#: is called with them as the stage's work advances: ``done`` of ``total``
#: items (comments, sentences, texts) of the named ``step`` are finished.
Progress = Callable[..., None]


class Executor(Protocol):
    """Runs the plan's per-chunk steps. Chunks may be values or handles (futures)."""

    #: Processes one chunk's step may spread its work over (1 where the cluster
    #: is the parallelism).
    workers: int
    #: Short name of the engine.
    name: str
    #: True when the steps run in this process (they can then time their own stages).
    in_process: bool

    def map(self, fn: Callable[..., Any], *chunks: Sequence[Any], **shared: Any) -> list[Any]:
        """``fn(chunk_a, chunk_b, ..., **shared)`` for each position of the chunk lists."""
        ...

    def gather(self, chunks: Sequence[Any]) -> list[Any]:
        """The values of ``chunks`` in this process."""
        ...

    def scatter(self, value: Any) -> Any:
        """``value`` made available to every chunk's step (passed as a ``shared`` keyword)."""
        ...


class LocalExecutor:
    """Every step in this process, in order; ``workers`` processes within a step."""

    name = "local"
    in_process = True

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    def map(self, fn: Callable[..., Any], *chunks: Sequence[Any], **shared: Any) -> list[Any]:
        return [fn(*args, **shared) for args in zip(*chunks)]

    def gather(self, chunks: Sequence[Any]) -> list[Any]:
        return list(chunks)

    def scatter(self, value: Any) -> Any:
        return value


def counts_wanted(progress: Progress) -> bool:
    """True when ``progress`` takes the ``step``, ``done`` and ``total`` keywords."""
    try:
        params = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return True
    names = {p.name for p in params if p.kind is not inspect.Parameter.POSITIONAL_ONLY}
    return {"step", "done", "total"} <= names


class Timer:
    """Wall time per named stage; tells ``progress`` as each stage starts and,
    when it takes counts (:func:`counts_wanted`), as the stage's work advances."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress
        self._counts = progress is not None and counts_wanted(progress)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        with reporting(self._reporter(name)):
            yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def _reporter(self, stage: str) -> Advance | None:
        progress = self.progress
        if progress is None or not self._counts:
            return None
        return lambda step, done, total: progress(stage, step=step, done=done, total=total)
