"""One way to start the test suites' local Dask clusters (module-scoped fixtures use it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def local_client(workers: int = 2, *, processes: bool = True) -> Iterator[Any]:
    """A ``distributed.Client`` on a LocalCluster of ``workers`` one-thread workers."""
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
