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

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["Executor", "LocalExecutor", "Progress", "Timer"]

#: Called with each stage's name as it starts.
Progress = Callable[[str], None]


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


class Timer:
    """Wall time per named stage; tells ``progress`` as each stage starts."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
