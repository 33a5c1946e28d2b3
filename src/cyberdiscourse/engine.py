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
from concurrent.futures import ProcessPoolExecutor, as_completed
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
        _stop(pool)
        raise
    pool.shutdown()
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


class FollowUps:
    """A local process pool that maps a first step and, as each of its results comes
    back, queues a second step on what that result leads to, in the same workers.

    The caller goes on with the first step's results (a single-threaded combine)
    while the workers run the second step: its work fills the cores the combine
    leaves idle, and it needs no second pool nor a second start-up of each worker.
    Use as a context manager; leaving it on an error stops every worker.

    Parameters
    ----------
    second
        A module-level function of one item (pickled to the workers).
    follow
        Called in this process with each first-step result: the item for
        ``second``, or None for no follow-up.
    n_jobs
        Worker processes (None: every core).
    """

    def __init__(
        self,
        second: Callable[[Any], Any] | None = None,
        follow: Callable[[Any], Any | None] | None = None,
        *,
        n_jobs: int | None = None,
    ):
        self.second, self.follow = (GCPaused(second) if second else None), follow
        self.n_jobs = n_jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._later: list = []
        self.used = False  # whether map ran in the pool (it starts workers only then)

    def __enter__(self) -> FollowUps:
        self._pool = ProcessPoolExecutor(self.n_jobs, initializer=_ignore_interrupts)
        return self

    def __exit__(self, kind, *_exc) -> None:
        if kind is None:
            self._pool.shutdown()
        else:  # Ctrl-C or a failure: stop the workers now
            _stop(self._pool)

    def map(
        self, func: Callable[[Any], Any], items: Sequence[Any], *, progress=False, desc=""
    ) -> list[Any]:
        """``[func(item) for item in items]`` in the pool, in the order of ``items``;
        each result's follow-up is queued as soon as the result is in."""
        from tqdm.auto import tqdm

        self.used = True
        func = GCPaused(func)
        futures = {self._pool.submit(func, item): i for i, item in enumerate(items)}
        results: list[Any] = [None] * len(items)
        with tqdm(total=len(items), desc=desc, unit="part", disable=not progress) as bar:
            for future in as_completed(futures):
                results[futures[future]] = result = future.result()
                item = self.follow(result) if self.follow else None
                if item is not None:
                    self._later.append(self._pool.submit(self.second, item))
                bar.update()
        return results

    def submit(self, func: Callable[[Any], Any], item: Any):
        """Run ``func(item)`` in the pool, after what is queued; its future."""
        return self._pool.submit(GCPaused(func), item)

    def wait(self) -> list[Any]:
        """The follow-ups' results, once all are done (in the order they were queued)."""
        return [f.result() for f in self._later]


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
