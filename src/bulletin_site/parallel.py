"""Independent work over the machine's cores, the results in the order of the input.

The reader's work on one seed, the conversion of one document and the rendering of one page do
not depend on any other. ``map`` runs such work in worker processes and returns the results in
input order, whatever order the workers finish in, so the build writes the same bytes with one
worker or many.

Workers are fresh interpreters (``spawn``): they do not inherit the build's memory, which a
forked worker would share and the system would count again for it. One pool lives as long as
the process, so workers keep what they loaded (OpenCC's dictionaries, compiled templates) from
one task to the next and, in ``serve``, from one build to the next.

``BULLETIN_SITE_JOBS=N`` sets the number of workers (default: the CPUs this process may run
on); ``1`` runs everything in this process, as does work too small to pay for starting workers
(``map``'s ``min_items``).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from bulletin_site.errors import BuildError, InputError, Problem

T = TypeVar("T")
R = TypeVar("R")

JOBS_VARIABLE = "BULLETIN_SITE_JOBS"
CHUNKS_PER_WORKER = 8  # small enough to even out the load, large enough to pickle little

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_size = 0


def jobs() -> int:
    """How many worker processes to use: ``BULLETIN_SITE_JOBS`` or the CPUs available."""
    value = os.environ.get(JOBS_VARIABLE, "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise BuildError(f"{JOBS_VARIABLE}={value!r}: expected a whole number") from None
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map(  # the builtin's name and contract, in other processes
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    min_items: int = 2,
    chunksize: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, in worker processes when there are at least
    ``min_items`` items and more than one job. ``func`` must be a module-level function (or a
    ``functools.partial`` of one) and items and results must pickle. An InputError or BuildError
    raised by ``func`` is raised here as it was raised there; ``progress(done, total)`` is
    called as results come in."""
    return list(imap(func, items, min_items=min_items, chunksize=chunksize, progress=progress))


def imap(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    min_items: int = 2,
    chunksize: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[R]:
    """``map``, its results given as they come in (in input order): the caller can use each
    and let it go while the workers go on, instead of holding them all."""
    if not in_workers(len(items), min_items):
        for done, item in enumerate(items, start=1):
            yield func(item)
            if progress is not None:
                progress(done, len(items))
        return
    for outcome in _outcomes(func, items, chunksize, progress):
        yield _unwrap(outcome)


def in_workers(count: int, min_items: int) -> bool:
    """Would ``map`` run ``count`` items in workers?"""
    return jobs() > 1 and count >= max(2, min_items)


def _outcomes(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    chunksize: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Any]:
    """``func`` on every item in the workers: its result, or a _Failure for its error, in
    input order as the chunks come back."""
    workers = jobs()
    total = len(items)
    size = chunksize or max(1, -(-total // (workers * CHUNKS_PER_WORKER)))
    chunks = [items[i : i + size] for i in range(0, total, size)]
    done = 0
    try:
        for chunk_results in _executor(workers).map(_run_chunk, [func] * len(chunks), chunks):
            done += len(chunk_results)
            yield from chunk_results
            if progress is not None:
                progress(done, total)
    except BrokenProcessPool:
        shutdown()  # start afresh next time
        raise BuildError(
            "a worker process stopped (killed, out of memory, or it could not start: a script "
            'that builds must do so under `if __name__ == "__main__":`); '
            f"{JOBS_VARIABLE}=1 builds without workers"
        ) from None


def shutdown() -> None:
    """Stop the workers (they are started again when needed)."""
    global _pool, _pool_size
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
    _pool, _pool_size = None, 0


def _executor(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        shutdown()
        _pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        _pool_size = workers
    return _pool


atexit.register(shutdown)


# ---------------------------------------------------------------------------------------------
# One task beside the build


class Background:
    """``func(*args)`` in a fresh process of its own while this one goes on (in this process,
    at once, with one job).

    A process, not a thread: a thread busy with Python would hold the interpreter's lock while
    this one writes thousands of small files, each write waiting for its turn. ``result()``
    gives what the call returned or raises its InputError or BuildError; ``cancel()`` stops it
    (a failed build does not wait for it)."""

    def __init__(self, func: Callable[..., R], *args: Any) -> None:
        self._process: Any = None
        self._outcome: Any = None
        self._error: Exception | None = None
        if jobs() == 1:
            try:
                self._outcome = func(*args)
            except Exception as error:  # raised by result(), where the caller expects it
                self._error = error
            return
        context = multiprocessing.get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_outcome, args=(send, func, args))
        # Started by a thread: the arguments go to the new interpreter through a pipe, which
        # it reads only once it has started and imported this package (a second or two), so
        # ``start`` would block this process that long; the thread waits instead.
        self._starting = threading.Thread(target=self._start, args=(send,), daemon=True)
        self._start_error: BaseException | None = None
        self._starting.start()

    def _start(self, send: Any) -> None:
        try:
            self._process.start()
        except BaseException as error:  # raised by result(), in the build's thread
            self._start_error = error
        finally:
            send.close()

    def _started(self) -> None:
        """Wait for ``start`` (its thread); raise what it raised."""
        self._starting.join()
        if self._start_error is not None:
            self._receive.close()
            self._process = None
            error, self._start_error = self._start_error, None
            raise error

    def result(self) -> Any:
        if self._process is not None:
            self._started()
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._outcome = _Failure(
                    "build", message="a worker process stopped (killed, or out of memory)"
                )
            finally:
                self._receive.close()
                self._process.join()
                self._process = None
        if self._error is not None:
            raise self._error
        return _unwrap(self._outcome)

    def cancel(self) -> None:
        if self._process is not None:
            with contextlib.suppress(Exception):
                self._started()
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._receive.close()
            self._process = None


def _send_outcome(send: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome = _call(lambda _: func(*args), None)
    except Exception as error:  # one line for the build to print, not a traceback here
        outcome = _Failure("build", message=f"{type(error).__name__}: {error}")
    with contextlib.suppress(OSError):  # the build is gone (killed): nobody to tell
        send.send(outcome)
    send.close()


# ---------------------------------------------------------------------------------------------
# In the worker


@dataclass(frozen=True)
class _Failure:
    """An error raised in a worker, in a form that pickles (exceptions with their own
    ``__init__`` arguments do not come back through pickle)."""

    kind: str  # "input" or "build"
    problem: Problem | None = None
    message: str = ""


def _run_chunk(func: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [_call(func, item) for item in chunk]


def _call(func: Callable[[Any], Any], item: Any) -> Any:
    try:
        return func(item)
    except InputError as error:
        return _Failure("input", problem=error.problem)
    except BuildError as error:
        return _Failure("build", message=str(error))


def _unwrap(outcome: Any) -> Any:
    if isinstance(outcome, _Failure):
        if outcome.kind == "input" and outcome.problem is not None:
            raise InputError.of(outcome.problem)
        raise BuildError(outcome.message)
    return outcome


# ---------------------------------------------------------------------------------------------
# Through a cache


class _Deferred(Exception):
    """Raised instead of computing: the item is computed later, with the others."""


def _defer() -> Any:
    raise _Deferred


def through_cache(
    items: Sequence[T],
    cached: Callable[[T, Callable[[], R]], R],
    compute: Callable[[T], R],
    *,
    min_items: int = 2,
) -> list[tuple[T, Callable[[], R]]]:
    """For a cache shaped ``cached(item, compute_one)``, which returns the stored result or
    calls ``compute_one()`` and stores what it returns: every item with a function that gives
    its result, in input order. The items the cache lacks are computed first, all together and
    in workers (``map``). An error raised for one item (InputError) does not stop the others:
    it is raised when that item's result is asked for, so the caller handles it where it
    would have without workers."""
    found: dict[int, R] = {}
    missing: list[int] = []
    for index, item in enumerate(items):
        try:
            found[index] = cached(item, _defer)
        except _Deferred:
            missing.append(index)
    todo = [items[i] for i in missing]
    if in_workers(len(todo), min_items):
        outcomes = list(_outcomes(compute, todo))
    else:
        outcomes = [_call(compute, item) for item in todo]
    computed = dict(zip(missing, outcomes, strict=True))
    return [
        (item, _constant(found[i]) if i in found else _from_cache_or(cached, item, computed[i]))
        for i, item in enumerate(items)
    ]


def _constant(value: R) -> Callable[[], R]:
    return lambda: value


def _from_cache_or(
    cached: Callable[[T, Callable[[], R]], R], item: T, outcome: Any
) -> Callable[[], R]:
    # The cache is asked again, now with the result: it stores it and counts it as computed.
    return lambda: cached(item, lambda: _unwrap(outcome))
