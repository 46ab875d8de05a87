"""Where blocks of work run: in this process, in local worker processes, or on a Dask cluster.

The same function runs on the same arguments everywhere, and results carry their block index, so
the way work is spread never changes what comes out.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, TypeVar

from stakes.errors import StakesError

T = TypeVar("T")


def _single_threaded() -> None:
    """Worker start-up: one compute thread per process, so N workers use N cores, not N²; Ctrl-C is
    left to the main process, which decides what happens to blocks in progress."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["NUMBA_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


def run_blocks(function: Callable[..., T], arguments: Sequence[tuple[Any, ...]], workers: int = 1,
               cluster: str | None = None) -> Iterator[tuple[int, T]]:
    """Yield ``(index, function(*arguments[index]))`` as each block finishes.

    ``workers`` > 1 uses that many local processes; ``cluster`` is the address of a Dask
    distributed scheduler (``tcp://host:8786``). Stopping the iteration early (or Ctrl-C) cancels
    the blocks that have not started; finished ones have already been yielded.
    """
    if cluster is not None:
        yield from _on_dask(function, arguments, cluster)
    elif workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                 initializer=_single_threaded) as pool:
            futures = {pool.submit(function, *args): k for k, args in enumerate(arguments)}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:
                for future in futures:
                    future.cancel()
    else:
        for k, args in enumerate(arguments):
            yield k, function(*args)


def _on_dask(function: Callable[..., T], arguments: Sequence[tuple[Any, ...]],
             address: str) -> Iterator[tuple[int, T]]:
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ImportError:
        raise StakesError("running on a cluster needs Dask: pip install 'dask[distributed]'") from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise StakesError(f"cannot reach the Dask scheduler at {address} ({exc}); check the address "
                          "and that `dask scheduler` runs there") from None
    with client:
        futures = [client.submit(function, *args, pure=False) for args in arguments]
        index = {future.key: k for k, future in enumerate(futures)}
        try:
            for future in dask_completed(futures, loop=client.loop):
                yield index[future.key], future.result()
        finally:
            client.cancel(futures)
