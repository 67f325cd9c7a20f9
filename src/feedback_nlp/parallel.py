"""Spreading per-text work (VADER, regex cleaning, the name recogniser) over forked processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .progress import advance, watched

__all__ = ["map_chunks", "map_with_state", "PARALLEL_FROM"]

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items, starting processes costs more than it saves.
PARALLEL_FROM = 20_000


def _one_thread() -> None:
    """Worker start-up: one BLAS/OpenMP thread, as the processes already fill the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def map_chunks(
    fn: Callable[[list[T]], list[R]],
    items: Sequence[T],
    workers: int,
    min_items: int | None = None,
    step: str | None = None,
    size_of: Callable[[T], int] | None = None,
) -> list[R]:
    """``fn`` over ``items`` in contiguous chunks, in ``workers`` forked processes.

    ``fn`` maps a list to a list of the same length; the result equals
    ``fn(list(items))``, in order. Runs in-process when ``workers`` <= 1, when
    there are fewer than ``min_items`` items (default :data:`PARALLEL_FROM`),
    where the platform cannot fork, or inside a daemon process (a Dask or
    multiprocessing worker), which may not start children.

    The workers inherit what the parent has loaded (a spaCy pipeline, say)
    instead of loading it again, and each uses one BLAS thread. Only the chunks
    and ``fn``'s results are pickled: both should be plain data.

    With a ``step`` name, each finished chunk is reported to the running
    stage's progress (:func:`feedback_nlp.progress.advance`), counting an item
    as ``size_of(item)`` (default 1); in-process, the items are then handed to
    ``fn`` in the same chunks so the count moves (``fn`` maps items one by one,
    so the result is the same).
    """
    import multiprocessing as mp

    threshold = PARALLEL_FROM if min_items is None else min_items
    data = list(items)
    in_process = (
        workers <= 1
        or len(data) < threshold
        or "fork" not in mp.get_all_start_methods()
        or mp.current_process().daemon
    )
    counted = step if step is not None and watched() else None
    if in_process and counted is None:
        return fn(data)
    size = max(1, -(-len(data) // (max(workers, 1) * 4)))
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    if in_process and len(chunks) < 2:
        return fn(data)
    counts = [sum(map(size_of, c)) if size_of else len(c) for c in chunks]
    if in_process:
        return _collect(map(fn, chunks), counts, counted)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=workers, mp_context=mp.get_context("fork"), initializer=_one_thread
    ) as pool:
        return _collect(pool.map(fn, chunks), counts, counted)


def _collect(results: Any, counts: list[int], step: str | None) -> list[Any]:
    """The chunks' results joined in order, each reported under ``step`` (unless
    None) as it arrives, counting ``counts`` items per chunk."""
    out: list[Any] = []
    done, total = 0, sum(counts)
    for result, count in zip(results, counts):
        out.extend(result)
        done += count
        if step is not None:
            advance(step, done, total)
    return out


#: ``(fn, state)`` of the running :func:`map_with_state`; read by the forked workers.
_STATE: Any = None


def _with_state(chunks: list[list[Any]]) -> list[Any]:
    fn, state = _STATE
    return [fn(state, chunk) for chunk in chunks]


def map_with_state(
    fn: Callable[[Any, list[Any]], R],
    state: Any,
    items: Any,
    size: int,
    workers: int,
    step: str | None = None,
) -> list[R]:
    """``fn(state, chunk)`` for each chunk of ``size`` of ``items`` (a sequence or
    an array, sliced into lists), in order, over
    ``workers`` forked processes (:func:`map_chunks`; in-process for one chunk).

    ``state`` (a fitted model, say) reaches the workers through the fork,
    never pickled; only the chunks and the results are. The chunk size is
    fixed by the caller, so results never depend on the number of cores.
    ``step`` names the work for progress (:func:`map_chunks`), counted in items.
    """
    global _STATE
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    # restored after: a map inside another's worker leaves the outer one's state
    outer, _STATE = _STATE, (fn, state)
    try:
        results: list[R] = map_chunks(
            _with_state, chunks, workers, min_items=2, step=step, size_of=len
        )
        return results
    finally:
        _STATE = outer
