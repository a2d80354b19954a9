"""Work in worker processes gives the same results, in the same order, as work done here."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bulletin_site import parallel, pipeline, render
from bulletin_site.errors import BuildError, InputError


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two workers, and every threshold low enough that the seeds use them."""
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_SEEDS", 2)
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_CONVERSIONS", 2)
    monkeypatch.setattr(render, "MIN_PARALLEL_PAGES", 2)
    yield
    parallel.shutdown()


def _square(n: int) -> int:
    if n < 0:
        raise InputError(f"item{n}.txt", "negative", 3)
    return n * n


def test_map_keeps_the_input_order(workers: None) -> None:
    items = list(range(200))
    assert parallel.map(_square, items, chunksize=7) == [n * n for n in items]


def test_an_input_error_comes_back_as_raised(workers: None) -> None:
    with pytest.raises(InputError) as caught:
        parallel.map(_square, [1, 2, -5, 4])
    assert caught.value.problem.path == "item-5.txt"
    assert caught.value.problem.line == 3


def test_through_cache_computes_only_what_the_cache_lacks(workers: None) -> None:
    store = {2: 4, 5: 25}
    asked: list[int] = []

    def cached(item: int, compute: Callable[[], int]) -> int:
        if item in store:
            return store[item]
        value = compute()
        asked.append(item)
        store[item] = value
        return value

    results = parallel.through_cache([1, 2, 3, -1, 5], cached, _square)
    assert [item for item, _ in results] == [1, 2, 3, -1, 5]
    assert [get() for item, get in results if item != -1] == [1, 4, 9, 25]
    with pytest.raises(InputError):
        dict(results)[-1]()
    assert sorted(asked) == [1, 3]  # stored once computed; the error stored nothing


def test_one_job_means_no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "1")
    assert not parallel.in_workers(10_000, 2)


def tree(site_dir: Path) -> dict[str, bytes]:
    """Every file the pages stage writes (Pagefind's bundle is made from them afterwards, by
    Pagefind, and test_pipeline holds it to rebuilds)."""
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file() and p.relative_to(site_dir).parts[0] != "pagefind"
    }


def test_a_build_with_workers_writes_the_same_bytes(
    make_project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = make_project("alone")
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "1")
    pipeline.build(alone)
    shared = make_project("shared")
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_SEEDS", 2)
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_CONVERSIONS", 2)
    monkeypatch.setattr(render, "MIN_PARALLEL_PAGES", 2)
    try:
        report = pipeline.build(shared)
    finally:
        parallel.shutdown()
    assert report.stage_seconds.keys() >= {"read", "parse", "convert", "render", "write"}
    assert tree(shared / "_site") == tree(alone / "_site")


def _index_like(n: int) -> dict[str, bytes]:
    if n < 0:
        raise BuildError("search: Pagefind stopped: no message")
    if n == 0:
        raise OSError(28, "No space left on device")
    if n > 1000:
        time.sleep(60)
    return {f"f{i}": bytes([i % 256]) * 100 for i in range(n)}


def test_background_gives_the_result_of_its_own_process(workers: None) -> None:
    task = parallel.Background(_index_like, 300)
    assert task.result() == _index_like(300)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_background_errors_come_back_as_one_line(
    monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, jobs)
    with pytest.raises(BuildError, match="Pagefind stopped"):
        parallel.Background(_index_like, -1).result()
    # Any other error: as raised when the task runs here, as one line when it ran elsewhere.
    expected = OSError if jobs == "1" else BuildError
    with pytest.raises(expected, match=r"No space left"):
        parallel.Background(_index_like, 0).result()


def test_a_cancelled_background_task_stops_at_once(workers: None) -> None:
    started = time.monotonic()
    task = parallel.Background(_index_like, 5000)
    task.cancel()
    assert time.monotonic() - started < 30
    task.cancel()  # twice is harmless
