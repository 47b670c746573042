"""map_in_order: the serial result, in order, whether or not it forks."""

from __future__ import annotations

import os
import signal
import time

import pytest

from aimlapi_contract.traffic import parallel

PARENT = os.getpid()


def _square_and_pid(n: int) -> tuple[int, int]:
    time.sleep(0.001)  # long enough that a forked worker takes batches before this process has done them all
    return n * n, os.getpid()


def test_small_inputs_stay_in_this_process() -> None:
    results = list(parallel.map_in_order(_square_and_pid, list(range(10)), jobs=2))
    assert [r for r, _ in results] == [n * n for n in range(10)]
    assert {pid for _, pid in results} == {os.getpid()}


def test_large_inputs_fork_and_keep_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # threads other tests left behind
    items = list(range(200))
    results = list(parallel.map_in_order(_square_and_pid, items, jobs=2))
    assert [r for r, _ in results] == [n * n for n in items]
    pids = [pid for _, pid in results]
    assert set(pids[: parallel.WARM_UP]) == {os.getpid()}  # the warm-up runs here, building caches to inherit
    assert set(pids[parallel.WARM_UP :]) - {os.getpid()}  # the rest shared with a worker process
    assert os.getpid() in pids[parallel.WARM_UP :]  # ... and with this one, which works too


def _dies_in_a_worker(n: int) -> tuple[int, int]:
    if os.getpid() != PARENT and n % 10 == 3:
        os._exit(3)  # killed mid-batch: what it had done is lost with it
    return _square_and_pid(n)


def test_a_batch_a_worker_did_not_finish_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    items = list(range(200))
    results = list(parallel.map_in_order(_dies_in_a_worker, items, jobs=3))
    assert [r for r, _ in results] == [n * n for n in items]


def test_enough_work_is_counted_in_bytes_where_sizes_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 4)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 1_000)
    assert parallel.worth_forking([300] * 4, weigh=int)
    assert not parallel.worth_forking([200] * 4, weigh=int)  # too few bytes
    assert not parallel.worth_forking([10_000] * 3, weigh=int)  # too few items
    assert not parallel.worth_forking(list(range(100)))  # by count alone: under MIN_PARALLEL


def test_the_environment_can_force_the_serial_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert parallel.worker_count() == 1
    monkeypatch.setenv(parallel.JOBS_ENV, "3")
    assert parallel.worker_count() == 3


def test_another_running_thread_keeps_it_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)  # e.g. rich's progress refresh thread
    results = list(parallel.map_in_order(_square_and_pid, list(range(50)), jobs=2))
    assert {pid for _, pid in results} == {os.getpid()}


_LEARNED: list[int] = []


def _learn(n: int) -> int:
    time.sleep(0.001)
    _LEARNED.append(n)  # what a cache would learn from this item, in whichever process ran it
    return n


def test_what_the_workers_learn_reaches_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    _LEARNED.clear()
    absorbed: list[int] = []

    def take() -> list[int]:
        out = list(_LEARNED)
        _LEARNED.clear()
        return out

    items = list(range(120))
    assert list(parallel.map_in_order(_learn, items, jobs=2, carry=(take, absorbed.extend))) == items
    # The parent keeps what it learned itself; each worker hands back only its own items, once.
    assert absorbed and _LEARNED
    assert sorted(absorbed + _LEARNED) == items[parallel.WARM_UP :]


def _double(n: int) -> int:
    return 2 * n


def test_many_items_come_in_no_more_batches_than_the_pipe_holds_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel, "_TOKENS", 16)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    shared = parallel._shared
    seen: list[int] = []
    monkeypatch.setattr(parallel, "_shared", lambda func, batches, *rest: seen.append(len(batches)) or shared(func, batches, *rest))
    items = list(range(5_000))
    assert list(parallel.map_in_order(_double, items, jobs=2)) == [2 * n for n in items]
    assert seen and seen[0] <= 16


def test_with_sigchld_ignored_every_result_still_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # Inherited from a supervisor: children are reaped by the system, so no exit status can be read.
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        items = list(range(200))
        results = list(parallel.map_in_order(_square_and_pid, items, jobs=2))
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert [r for r, _ in results] == [n * n for n in items]
    assert {pid for _, pid in results} - {os.getpid()}  # a worker's results, read from its file


def test_no_process_to_be_had_means_every_batch_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)

    def no_fork(*args: object) -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork(2) at the process limit

    monkeypatch.setattr(parallel, "run_forked", no_fork)
    items = list(range(100))
    results = list(parallel.map_in_order(_square_and_pid, items, jobs=4))
    assert [r for r, _ in results] == [n * n for n in items] and {pid for _, pid in results} == {os.getpid()}
