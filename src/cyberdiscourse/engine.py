"""Run one function over many partitions: in this process, in a local process pool, or
on a Dask cluster.

Every long step (building partitions, segmenting them) is a plain top-level
function of one partition that reads its input from disk and writes its output
to disk, so the same call works with any engine. The results come back in the
order of the partitions, whatever order they finished in, so the engines give
identical outputs.

A Dask cluster is either started here (a local cluster of worker processes, one
per core) or reached at a scheduler address such as ``tcp://10.0.0.5:8786``. On
a real cluster every worker must see the data folder at the same path (a shared
file system), because partitions are read and written there.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = "10s"


def progress_wanted() -> bool:
    """Progress bars on a terminal only, and never under ``CI=true``."""
    return os.environ.get("CI", "").lower() not in ("true", "1") and sys.stderr.isatty()


def check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")


def map_partitions(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    engine: str = "local",
    scheduler: str | None = None,
    n_jobs: int | None = None,
    progress: bool = False,
    desc: str = "",
) -> list[Any]:
    """``[func(item) for item in items]``, spread over processes or a Dask cluster.

    Parameters
    ----------
    func
        A module-level function (it is pickled to the workers).
    engine
        ``"local"``: a process pool of ``n_jobs`` workers (in this process when
        there is one job or one item). ``"dask"``: a Dask cluster.
    scheduler
        Address of a running Dask scheduler; None starts a local cluster of
        ``n_jobs`` worker processes for this call.
    n_jobs
        Worker processes (None: every core).
    """
    from tqdm.auto import tqdm

    check_engine(engine)
    if not items:
        return []  # nothing to do: no pool, no cluster
    func = GCPaused(func)
    n_jobs = n_jobs or os.cpu_count() or 1
    bar = tqdm(total=len(items), desc=desc, unit="part", disable=not progress)
    try:
        if engine == "dask":
            return _map_dask(func, items, scheduler, n_jobs, bar)
        if n_jobs == 1 or len(items) <= 1:
            out = []
            for item in items:
                out.append(func(item))
                bar.update()
            return out
        return _map_pool(func, items, min(n_jobs, len(items)), bar)
    finally:
        bar.close()


class GCPaused:
    """``func`` run with the cyclic garbage collector paused.

    A partition makes millions of small objects (a verdict per line, a row per
    discard) that reference counting frees anyway; the collector's repeated passes
    over them cost about a tenth of a build. Picklable, like ``func``.
    """

    def __init__(self, func: Callable[[Any], Any]):
        self.func = func

    def __call__(self, item: Any) -> Any:
        with gc_paused():
            return self.func(item)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector inside the block (see :class:`GCPaused`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them: one message, no tracebacks."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _map_pool(func, items, n_workers: int, bar) -> list[Any]:
    pool = ProcessPoolExecutor(n_workers, initializer=_ignore_interrupts)
    try:
        futures = [pool.submit(func, item) for item in items]
        for future in futures:
            future.add_done_callback(lambda _f: bar.update())
        results = [f.result() for f in futures]
    except BaseException:  # Ctrl-C or a failed partition: stop the others now
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _map_dask(func, items, scheduler, n_jobs, bar) -> list[Any]:
    import logging

    from dask.distributed import Client, LocalCluster, as_completed

    if scheduler:
        client, cluster = _connect(scheduler), None
    else:
        cluster = LocalCluster(
            n_workers=min(n_jobs, len(items)),  # as the process pool: no idle workers
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        futures = client.map(func, list(items), pure=False)
        for _ in as_completed(futures):
            bar.update()
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(address: str):
    from dask.distributed import Client

    from .errors import CorpusError, Problem

    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise CorpusError(
            Problem(
                "--scheduler",
                "",
                f"no Dask scheduler answered at {address} ({exc.__class__.__name__})",
                "check the address (tcp://HOST:8786) and that the scheduler is running, "
                "or leave --scheduler out to start a local cluster",
            )
        ) from None
