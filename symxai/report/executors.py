"""Executors of a batch run: where the chunks of inputs are explained.

* :class:`SerialExecutor`: in this process (one chunk at a time, all torch threads);
* :class:`ProcessExecutor`: local worker processes (``fork`` where available), one
  torch thread each, the default for runs of more than one chunk;
* :class:`DaskExecutor`: a Dask ``distributed`` cluster, given by its scheduler address
  (``tcp://host:port``) or a :class:`distributed.Client`; workers need symxai installed.

Every executor has ``map(fn, task, chunks)``, which yields ``(chunk, result)`` as chunks
finish (in any order; ``result`` is the exception when a worker died), and ``close()``.
Each worker loads the model and data once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from symxai.errors import SymxaiError

__all__ = [
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SchedulerError",
    "SerialExecutor",
    "make_executor",
]

Chunk = Sequence[str]


class Executor(Protocol):
    """Runs ``fn(task, chunk, threads)`` for every chunk and yields results as they finish."""

    def map(
        self, fn: Callable[..., Any], task: Any, chunks: Sequence[Chunk]
    ) -> Iterator[tuple[Chunk, Any]]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Chunks one after another in this process."""

    def map(
        self, fn: Callable[..., Any], task: Any, chunks: Sequence[Chunk]
    ) -> Iterator[tuple[Chunk, Any]]:
        for chunk in chunks:
            yield chunk, fn(task, chunk, None)

    def close(self) -> None:
        return None


def _bounded(
    submit: Callable[[Chunk], Future], chunks: Sequence[Chunk], in_flight: int
) -> Iterator[tuple[Chunk, Any]]:
    """Keep at most ``in_flight`` chunks submitted; yield each as it finishes."""
    pending: dict[Future, Chunk] = {}
    queue = list(chunks)[::-1]
    while queue or pending:
        while queue and len(pending) < in_flight:
            chunk = queue.pop()
            pending[submit(chunk)] = chunk
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            yield pending.pop(future), _outcome(future)


def _outcome(future: Any) -> Any:
    """The result of a finished future, or the exception that ended it (a crashed worker
    fails its chunk, not the run)."""
    try:
        return future.result()
    except Exception as error:
        return error


def _single_threaded_worker() -> None:
    """Worker start-up: one torch thread per process (as PyTorch's DataLoader workers)."""
    import torch

    torch.set_num_threads(1)


class ProcessExecutor:
    """Local worker processes, one torch thread each.

    ``start_method`` ``"fork"`` (the default where the platform has it, as for PyTorch's
    DataLoader workers) starts workers at once with the model and data already loaded by
    this process; ``"spawn"`` starts fresh interpreters, which import torch and load
    the data again (seconds per worker) and need the caller's script to guard its
    entry point with ``if __name__ == "__main__":``.
    """

    def __init__(self, workers: int | None = None, start_method: str | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_single_threaded_worker,
        )
        # Start every worker now, before progress bars or other threads exist here.
        for started in [self._pool.submit(int) for _ in range(self.workers)]:
            started.result()

    def map(
        self, fn: Callable[..., Any], task: Any, chunks: Sequence[Chunk]
    ) -> Iterator[tuple[Chunk, Any]]:
        return _bounded(
            lambda chunk: self._pool.submit(fn, task, chunk, 1), chunks, 2 * self.workers
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class SchedulerError(SymxaiError, OSError):
    """The Dask scheduler did not answer (the message names its address)."""


class DaskExecutor:
    """A Dask ``distributed`` cluster: ``scheduler`` is an address or a ``Client``.

    Connecting to an address gives up after ``timeout`` seconds with a
    :class:`SchedulerError` that names the address.
    """

    def __init__(self, scheduler: Any, threads: int = 1, timeout: float = 10.0) -> None:
        from distributed import Client

        self._own = not isinstance(scheduler, Client)
        if self._own:
            if timeout <= 0:
                raise ValueError(f"scheduler timeout must be positive, got {timeout}")
            try:
                self.client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as error:
                raise SchedulerError(
                    f"the Dask scheduler at {scheduler} did not answer within {timeout:g} s "
                    f"({type(error).__name__}); is it running? (--scheduler-timeout sets "
                    "the wait)"
                ) from None
        else:
            self.client = scheduler
        self.threads = threads

    def map(
        self, fn: Callable[..., Any], task: Any, chunks: Sequence[Chunk]
    ) -> Iterator[tuple[Chunk, Any]]:
        from distributed import as_completed

        remote_task = self.client.scatter(task, broadcast=True)
        futures = {
            self.client.submit(fn, remote_task, list(chunk), self.threads, pure=False): chunk
            for chunk in chunks
        }
        for future in as_completed(futures):
            yield futures[future], _outcome(future)

    def close(self) -> None:
        if self._own:
            self.client.close()


EXECUTORS = ("auto", "serial", "processes", "dask")


def make_executor(
    kind: str = "auto",
    *,
    workers: int | None = None,
    scheduler: Any = None,
    scheduler_timeout: float = 10.0,
    chunks: int = 1,
) -> Executor:
    """An executor by name. ``auto``: Dask when a ``scheduler`` is given, local processes
    for more than one chunk on a machine with more than one core, else serial.
    ``scheduler_timeout``: seconds to wait for the Dask scheduler to answer."""
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    if kind == "dask" or (kind == "auto" and scheduler is not None):
        if scheduler is None:
            raise ValueError("the dask executor needs a scheduler address (tcp://host:port)")
        return DaskExecutor(scheduler, timeout=scheduler_timeout)
    cores = workers or os.cpu_count() or 1
    if kind == "processes" or (kind == "auto" and chunks > 1 and cores > 1):
        return ProcessExecutor(min(cores, max(1, chunks)))
    return SerialExecutor()
